//! The columns of the import file, in English and in French: the names the importer reads
//! (case, accents, spaces, hyphens and underscores do not matter) and the template.

/// Each column's English name (the one used in messages) and the other names it may have.
const COLUMNS: [(&str, &[&str]); 9] = [
    ("email", &["e_mail", "courriel", "adresse_e_mail", "adresse_email", "adresse_electronique", "mel"]),
    ("first_name", &["firstname", "prenom"]),
    ("last_name", &["lastname", "surname", "nom", "nom_de_famille"]),
    ("roles", &["role"]),
    ("max_chats", &["chats_max", "max_chats_simultanes", "chats_simultanes"]),
    ("send_invitation", &["invitation", "envoyer_invitation", "envoyer_l_invitation"]),
    ("display_name", &["nom_affiche", "nom_visible"]),
    ("phone", &["telephone", "tel"]),
    ("job_title", &["fonction", "poste", "titre"]),
];

/// The column a header cell names (its English name), if any.
pub fn canonical(header: &str) -> Option<&'static str> {
    let key = fold(header);
    COLUMNS.iter().find(|(name, others)| *name == key || others.contains(&key.as_str())).map(|(name, _)| *name)
}

/// A column as messages name it, in the reader's language (`email`, or `courriel`).
pub fn name(column: &str) -> String {
    match column {
        "email" => locale::t!("import-column-email"),
        "first_name" => locale::t!("import-column-first-name"),
        "last_name" => locale::t!("import-column-last-name"),
        "roles" => locale::t!("import-column-roles"),
        "max_chats" => locale::t!("import-column-max-chats"),
        "send_invitation" => locale::t!("import-column-send-invitation"),
        "display_name" => locale::t!("import-column-display-name"),
        "phone" => locale::t!("import-column-phone"),
        "job_title" => locale::t!("import-column-job-title"),
        other => other.to_owned(),
    }
}

/// Lower case, without accents, with spaces, hyphens, apostrophes and dots as `_`.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ÿ' | 'ý' => 'y',
            ' ' | '-' | '\'' | '’' | '.' => '_',
            c => c,
        };
        if c == 'œ' {
            out.push_str("oe");
        } else if !(c == '_' && out.ends_with('_')) {
            out.push(c);
        }
    }
    out
}

/// The language of the template's column names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateLanguage {
    English,
    French,
}

const TEMPLATE_EN: &str = "email,first_name,last_name,roles,max_chats,send_invitation,display_name,phone,job_title\r\n\
ada.lovelace@example.com,Ada,Lovelace,Agent;Supervisor,3,yes,Ada,+44 20 7946 0000,Team lead\r\n\
alan.turing@example.com,Alan,Turing,Agent,5,no,,,\r\n";

/// As French Excel writes it: semicolons, and a byte-order mark so that it opens the
/// accents right.
const TEMPLATE_FR: &str = "\u{feff}courriel;prénom;nom;rôles;chats_max;envoyer_invitation;nom_affiché;téléphone;fonction\r\n\
helene.dupre@example.fr;Hélène;Dupré;Agent|Superviseur;3;oui;Hélène;+33 1 23 45 67 89;Responsable d'équipe\r\n\
francois.lefevre@example.fr;François;Lefèvre;Agent;5;non;;;\r\n";

/// The template file, with column names in `language`; both import as they are.
pub fn template(language: TemplateLanguage) -> &'static str {
    match language {
        TemplateLanguage::English => TEMPLATE_EN,
        TemplateLanguage::French => TEMPLATE_FR,
    }
}

/// A role as written in either language.
pub fn role(text: &str) -> Option<domain::company::Role> {
    use domain::company::Role;
    match fold(text).as_str() {
        "agent" | "agente" => Some(Role::Agent),
        "supervisor" | "superviseur" | "superviseuse" => Some(Role::Supervisor),
        "administrator" | "admin" | "administrateur" | "administratrice" => Some(Role::Administrator),
        "expert" | "experte" => Some(Role::Expert),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_has_a_french_name_and_case_and_accents_do_not_matter() {
        for (english, french) in [
            ("email", "Courriel"),
            ("email", "E-mail"),
            ("first_name", "Prénom"),
            ("first_name", "PRENOM"),
            ("last_name", "Nom"),
            ("roles", "Rôles"),
            ("max_chats", "Chats max"),
            ("send_invitation", "Envoyer l'invitation"),
            ("display_name", "Nom affiché"),
            ("phone", "Téléphone"),
            ("job_title", "Fonction"),
            ("first_name", "First Name"),
        ] {
            assert_eq!(canonical(french), Some(english), "{french}");
        }
        assert_eq!(canonical("mail"), None);
        assert_eq!(role("Superviseur"), Some(domain::company::Role::Supervisor));
        assert_eq!(role("ADMINISTRATEUR"), Some(domain::company::Role::Administrator));
    }
}
