//! Reading a CSV file of users: every line becomes a row to import or the reason it cannot
//! be one, and the preview marks what the company cannot take. Pure: no I/O.
//!
//! Format (first line is the header; columns in any order, names in English or French,
//! case and accents ignored, see `columns`): `email`, `first_name`, `last_name`
//! (required), `roles` (names separated by `;` or `|`, empty means Agent, `none` means no
//! role), `max_chats` (1–20, empty means 3), `send_invitation` (yes/no, empty means yes),
//! and optionally `display_name`, `phone`, `job_title`. Separated by commas, semicolons or
//! tabs (the header line's own), in UTF-8 (byte-order mark or not) or Windows-1252.

use std::collections::{HashMap, HashSet};

use domain::company::Role;
use domain::email::Address;
use domain::user::{self, Profile};
use locale::t;
use serde::{Deserialize, Serialize};

pub const MAX_ROWS: usize = 10_000;

use super::columns::{self, canonical};
pub use super::columns::{template, TemplateLanguage};
use super::text::{decode, separator_name, sniff_separator};

/// A row that can be imported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub email: String,
    pub profile: Profile,
    pub roles: Vec<Role>,
    pub max_chats: u8,
    pub send_invitation: bool,
}

/// What became, or would become, of one line of the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// The line in the file (the header is line 1).
    pub line: usize,
    pub email: String,
    /// `ok`, `created`, or `error`.
    pub status: String,
    /// Why the line is not (or was not) imported.
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub row: Option<Row>,
}

impl Outcome {
    fn error(line: usize, email: &str, reason: impl Into<String>) -> Self {
        Outcome { line, email: email.to_owned(), status: "error".into(), reason: Some(reason.into()), row: None }
    }

    pub fn is_ok(&self) -> bool {
        self.status == "ok"
    }
}

/// What makes a whole file unreadable; it reads (`Display`) in the current reader's language.
#[derive(Debug, PartialEq)]
pub enum FileError {
    Empty,
    NotText,
    /// The required columns not found (English names), the separator the header was read
    /// with, and the header's cells as they are.
    MissingColumns {
        missing: Vec<&'static str>,
        separator: u8,
        seen: Vec<String>,
    },
    TooManyRows(usize),
    Csv(String),
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = match self {
            FileError::Empty => t!("import-file-empty"),
            FileError::NotText => t!("import-file-not-text"),
            FileError::MissingColumns { missing, separator, seen } => {
                let count = missing.len();
                let missing = missing.iter().map(|c| columns::name(c)).collect::<Vec<_>>().join(", ");
                let seen = if seen.is_empty() {
                    t!("import-no-columns")
                } else {
                    seen.iter().map(|h| t!("import-quoted", text = h.as_str())).collect::<Vec<_>>().join(", ")
                };
                t!("import-missing-columns", count = count, missing = missing, separator = separator_name(*separator), seen = seen)
            }
            FileError::TooManyRows(n) => t!("import-too-many-rows", rows = *n, max = MAX_ROWS),
            FileError::Csv(e) => t!("import-not-csv", error = e.as_str()),
        };
        f.write_str(&text)
    }
}

impl std::error::Error for FileError {}

const REQUIRED: [&str; 3] = ["email", "first_name", "last_name"];

/// Reads every line into either a row or the reason it cannot be one.
pub fn parse(bytes: &[u8]) -> Result<Vec<Outcome>, FileError> {
    let (text, _encoding) = decode(bytes);
    if text.contains('\0') {
        return Err(FileError::NotText);
    }
    if text.trim().is_empty() {
        return Err(FileError::Empty);
    }
    let text = text.as_str();
    let separator = sniff_separator(text);
    let mut reader = csv::ReaderBuilder::new().delimiter(separator).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let raw_header: Vec<String> = reader.headers().map_err(|e| FileError::Csv(e.to_string()))?.iter().map(str::to_owned).collect();
    let header: Vec<Option<&str>> = raw_header.iter().map(|h| canonical(h)).collect();
    let mut column: HashMap<&str, usize> = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        if let Some(name) = name {
            column.entry(name).or_insert(i);
        }
    }
    let missing: Vec<&str> = REQUIRED.iter().copied().filter(|c| !column.contains_key(c)).collect();
    if !missing.is_empty() {
        let seen = raw_header;
        return Err(FileError::MissingColumns { missing, separator, seen });
    }
    // The csv reader does not count blank lines: find real line numbers from byte offsets.
    let newlines: Vec<u64> = text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i as u64).collect();
    // A record's position is where the reader started looking for it, before any blank lines.
    let bytes = text.as_bytes();
    let line_of = |position: Option<&csv::Position>| {
        position.map_or(0, |p| {
            let mut start = p.byte() as usize;
            while start < bytes.len() && matches!(bytes[start], b'\n' | b'\r') {
                start += 1;
            }
            1 + newlines.partition_point(|&n| n < start as u64)
        })
    };
    let mut outcomes = Vec::new();
    let mut records = reader.records();
    while let Some(record) = records.next() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = line_of(e.position());
                outcomes.push(Outcome::error(line, "", t!("import-unreadable-line", error = e.to_string())));
                continue;
            }
        };
        let line = line_of(record.position());
        if record.iter().all(str::is_empty) {
            continue;
        }
        if outcomes.len() >= MAX_ROWS {
            return Err(FileError::TooManyRows(records.count() + outcomes.len() + 1));
        }
        let field = |name: &str| column.get(name).and_then(|&i| record.get(i)).unwrap_or("").to_owned();
        let email = field("email");
        if record.len() != header.len() {
            outcomes.push(Outcome::error(line, &email, t!("import-field-count", fields = record.len(), header = header.len())));
            continue;
        }
        outcomes.push(match parse_row(&field) {
            Ok(row) => Outcome { line, email: row.email.clone(), status: "ok".into(), reason: None, row: Some(row) },
            Err(reason) => Outcome::error(line, &email, reason),
        });
    }
    Ok(outcomes)
}

fn parse_row(field: &dyn Fn(&str) -> String) -> Result<Row, String> {
    let email =
        Address::parse(&field("email")).map_err(|e| t!("import-malformed-address", error = t!("err-invalid-email", value = e.input.as_str())))?;
    let profile = Profile {
        first_name: field("first_name"),
        last_name: field("last_name"),
        display_name: field("display_name"),
        phone: field("phone"),
        job_title: field("job_title"),
    }
    .validated()
    .map_err(|e| crate::messages::user(&e))?;
    let roles_text = field("roles");
    let roles = match roles_text.trim().to_lowercase().as_str() {
        "" => vec![Role::Agent],
        "none" => vec![],
        "aucun" | "aucune" => vec![],
        _ => roles_text
            .split([';', '|', ','])
            .filter(|r| !r.trim().is_empty())
            .map(|r| columns::role(r).ok_or_else(|| t!("import-unknown-role", role = r.trim())))
            .collect::<Result<Vec<_>, _>>()?,
    };
    let max_chats = match field("max_chats").as_str() {
        "" => user::DEFAULT_MAX_CHATS,
        text => {
            let n: i64 = text.parse().map_err(|_| t!("import-max-chats-not-a-number", column = columns::name("max_chats"), value = text))?;
            user::validate_max_chats(n).map_err(|e| crate::messages::user(&e))?
        }
    };
    let send_invitation = match field("send_invitation").to_lowercase().as_str() {
        "" | "yes" | "y" | "true" | "1" | "oui" => true,
        "no" | "n" | "false" | "0" | "non" => false,
        other => return Err(t!("import-send-invitation-yes-no", column = columns::name("send_invitation"), value = other)),
    };
    Ok(Row { email: email.to_string(), profile, roles, max_chats, send_invitation })
}

/// Marks what cannot be imported: duplicates within the file, addresses that already have
/// an account, and rows beyond the seats left.
pub fn preview(mut outcomes: Vec<Outcome>, existing: &HashSet<String>, free_seats: i64) -> Vec<Outcome> {
    let mut first_line: HashMap<String, usize> = HashMap::new();
    let mut seats_left = free_seats.max(0);
    for o in outcomes.iter_mut().filter(|o| o.is_ok()) {
        let reason = if let Some(first) = first_line.get(&o.email) {
            Some(t!("import-duplicate", line = *first))
        } else if existing.contains(&o.email) {
            Some(t!("import-already-a-user"))
        } else if seats_left == 0 {
            Some(t!("import-no-seat-left"))
        } else {
            seats_left -= 1;
            None
        };
        first_line.entry(o.email.clone()).or_insert(o.line);
        if let Some(reason) = reason {
            o.status = "error".into();
            o.reason = Some(reason);
            o.row = None;
        }
    }
    outcomes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons(outcomes: &[Outcome]) -> Vec<(usize, Option<String>)> {
        outcomes.iter().map(|o| (o.line, o.reason.clone())).collect()
    }

    #[test]
    fn the_template_parses_into_two_valid_rows() {
        let rows = parse(template(TemplateLanguage::English).as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert!(rows.iter().all(Outcome::is_ok));
        let ada = rows[0].row.as_ref().unwrap();
        assert_eq!(ada.roles, vec![Role::Agent, Role::Supervisor]);
        assert_eq!((ada.max_chats, ada.send_invitation, ada.profile.job_title.as_str()), (3, true, "Team lead"));
        assert!(!rows[1].row.as_ref().unwrap().send_invitation);
    }

    #[test]
    fn each_bad_line_says_exactly_what_is_wrong() {
        let csv = "Email,First Name,Last Name,Roles,Max Chats,Send Invitation\n\
                   not-an-address,A,B,,,\n\
                   b@example.com,,B,,,\n\
                   c@example.com,C,C,Owner,,\n\
                   d@example.com,D,D,Agent,25,\n\
                   e@example.com,E,E,Agent,3,maybe\n\
                   f@example.com,F,F\n\
                   \n\
                   g@example.com,G,G,none,x,no\n";
        let out = parse(csv.as_bytes()).unwrap();
        let r = reasons(&out);
        assert!(r[0].1.as_deref().unwrap().contains("malformed address"), "{r:?}");
        assert_eq!(r[1].1.as_deref(), Some("the first name is mandatory"));
        assert!(r[2].1.as_deref().unwrap().contains("unknown role \"Owner\""));
        assert!(r[3].1.as_deref().unwrap().contains("between 1 and 20, not 25"));
        assert!(r[4].1.as_deref().unwrap().contains("send_invitation \"maybe\""));
        assert!(r[5].1.as_deref().unwrap().contains("has 3 fields, the header has 6"));
        assert_eq!(r[6].0, 9, "blank lines are skipped but lines keep their numbers");
        assert!(r[6].1.as_deref().unwrap().contains("max_chats \"x\""));
    }

    #[test]
    fn whole_file_problems_are_reported_before_any_row() {
        assert_eq!(parse(b""), Err(FileError::Empty));
        assert_eq!(parse(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), Err(FileError::NotText));
        assert_eq!(
            parse(b"mail,first_name\nx@y.z,A\n"),
            Err(FileError::MissingColumns { missing: vec!["email", "last_name"], separator: b',', seen: vec!["mail".into(), "first_name".into()] })
        );
        let message = parse("mail;prénom\r\n".as_bytes()).unwrap_err().to_string();
        assert_eq!(
            message,
            "the header lacks the column(s) email, last_name; read with semicolon (;) as the separator, it has the columns \"mail\", \"prénom\""
        );
        let big: String =
            std::iter::once("email,first_name,last_name\n".to_owned()).chain((0..MAX_ROWS + 1).map(|i| format!("u{i}@example.com,A,B\n"))).collect();
        assert!(matches!(parse(big.as_bytes()), Err(FileError::TooManyRows(n)) if n == MAX_ROWS + 1));
    }

    #[test]
    fn a_french_reader_reads_the_problems_in_french() {
        let fr = locale::Reader::new(locale::Lang::Fr, locale::Tz::UTC);
        let message = locale::sync_scope(fr, || parse("mail;prénom\r\n".as_bytes()).unwrap_err().to_string());
        assert_eq!(
            message,
            "il manque à l’en-tête les colonnes courriel, nom\u{202f}; lu avec le point-virgule (;) comme séparateur, il contient les colonnes «\u{a0}mail\u{a0}», «\u{a0}prénom\u{a0}»"
        );
        let out = locale::sync_scope(fr, || parse("email,first_name,last_name,roles\na@b.fr,A,B,Chef\n".as_bytes()).unwrap());
        assert_eq!(out[0].reason.as_deref(), Some("rôle inconnu «\u{a0}Chef\u{a0}» (attendu\u{a0}: Agent, Superviseur, Administrateur ou Expert)"));
    }

    /// What French Excel saves: semicolons, Windows-1252, CRLF; with or without a BOM.
    fn french_excel(text: &str, bom: bool) -> Vec<u8> {
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
        assert!(!unmappable);
        let mut out = if bom { b"\xef\xbb\xbf".to_vec() } else { Vec::new() };
        if bom {
            out.extend_from_slice(text.as_bytes());
        } else {
            out.extend_from_slice(&bytes);
        }
        out
    }

    #[test]
    fn a_file_saved_by_french_excel_imports_as_the_same_file_in_utf8_with_commas() {
        let english = "email,first_name,last_name,roles,max_chats,send_invitation,display_name,phone,job_title\n\
                       helene@example.fr,Hélène,Dupré,Agent;Supervisor,4,no,Léna,+33 1 23 45 67 89,Chargée de clientèle\n\
                       francois@example.fr,François,Lefèvre-Œuvray,,,,,,\n";
        let french = "Courriel;Prénom;Nom;Rôles;Chats max;Envoyer invitation;Nom affiché;Téléphone;Fonction\r\n\
                      helene@example.fr;Hélène;Dupré;Agent|Superviseur;4;non;Léna;+33 1 23 45 67 89;Chargée de clientèle\r\n\
                      francois@example.fr;François;Lefèvre-Œuvray;;;;;;\r\n";
        let expected = parse(english.as_bytes()).unwrap();
        assert!(expected.iter().all(Outcome::is_ok), "{expected:?}");
        assert_eq!(expected[0].row.as_ref().unwrap().profile.first_name, "Hélène");
        for bytes in [french_excel(french, false), french_excel(french, true), french.replace("\r\n", "\n").into_bytes()] {
            assert_eq!(parse(&bytes).unwrap(), expected);
        }
        // English names with semicolons, in Latin-1 with a BOM-less header.
        let semicolons = english.replace(',', ";").replace("Agent;Supervisor", "\"Agent;Supervisor\"");
        assert_eq!(parse(&french_excel(&semicolons, false)).unwrap(), expected);
        // Both templates import as they are, to the same kind of rows.
        for language in [TemplateLanguage::English, TemplateLanguage::French] {
            let rows = parse(template(language).as_bytes()).unwrap();
            assert_eq!(rows.len(), 2, "{language:?}");
            assert!(rows.iter().all(Outcome::is_ok), "{language:?}: {rows:?}");
            assert_eq!(rows[0].row.as_ref().unwrap().roles, vec![Role::Agent, Role::Supervisor]);
            assert!(!rows[1].row.as_ref().unwrap().send_invitation);
        }
        assert!(template(TemplateLanguage::French).contains("prénom;nom;rôles"));
    }

    #[test]
    fn the_preview_flags_duplicates_existing_users_and_rows_beyond_the_seats() {
        let csv = "email,first_name,last_name\n\
                   a@example.com,A,A\n\
                   taken@example.com,T,T\n\
                   A@Example.com,A,A\n\
                   b@example.com,B,B\n\
                   c@example.com,C,C\n";
        let existing: HashSet<String> = ["taken@example.com".to_owned()].into();
        let out = preview(parse(csv.as_bytes()).unwrap(), &existing, 2);
        assert_eq!(
            reasons(&out),
            vec![
                (2, None),
                (3, Some("already a user".into())),
                (4, Some("duplicate in the file (same address as line 2)".into())),
                (5, None),
                (6, Some("too many seats: no seat left for this user".into())),
            ]
        );
        assert!(out[2].row.is_none());
    }
}
