//! Turning an uploaded file into text, as spreadsheets save it: UTF-8 with or without a
//! byte-order mark, UTF-16 with one (Excel's "Unicode text"), or, when it is not valid
//! UTF-8, Windows-1252 (what French Excel's "CSV (separator: semicolon)" writes; a superset
//! of Latin-1 for every printable character). And which separator the header line uses.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

/// The file's text and the name of the encoding it was read with.
pub fn decode(bytes: &[u8]) -> (String, &'static str) {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return (text.into_owned(), encoding.name());
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_owned(), UTF_8.name()),
        Err(_) => {
            let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
            (text.into_owned(), WINDOWS_1252.name())
        }
    }
}

/// The separator of the header line: the most frequent of `,`, `;` and tab outside quotes
/// (a comma when there is none).
pub fn sniff_separator(text: &str) -> u8 {
    let header = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for b in header.bytes() {
        match b {
            b'"' => quoted = !quoted,
            _ if quoted => {}
            _ => {
                if let Some(c) = counts.iter_mut().find(|(s, _)| *s == b) {
                    c.1 += 1;
                }
            }
        }
    }
    counts.iter().copied().filter(|(_, n)| *n > 0).max_by_key(|(s, n)| (*n, *s == b',')).map_or(b',', |(s, _)| s)
}

/// How a separator is named in a message, in the reader's language.
pub fn separator_name(separator: u8) -> String {
    match separator {
        b';' => locale::t!("import-separator-semicolon"),
        b'\t' => locale::t!("import-separator-tab"),
        _ => locale::t!("import-separator-comma"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_or_without_a_bom_utf16_and_windows_1252_read_alike() {
        assert_eq!(decode("prénom".as_bytes()), ("prénom".to_owned(), "UTF-8"));
        assert_eq!(decode(b"\xef\xbb\xbfpr\xc3\xa9nom"), ("prénom".to_owned(), "UTF-8"));
        assert_eq!(decode(b"pr\xe9nom;\x80"), ("prénom;€".to_owned(), "windows-1252"));
        assert_eq!(decode(b"\xff\xfep\x00r\x00\xe9\x00"), ("pré".to_owned(), "UTF-16LE"));
    }

    #[test]
    fn the_separator_is_the_header_lines_own() {
        assert_eq!(sniff_separator("email;prénom;nom\na,b;c"), b';');
        assert_eq!(sniff_separator("email,first_name,last_name\n"), b',');
        assert_eq!(sniff_separator("\"a;b\",c,d\n"), b',');
        assert_eq!(sniff_separator("email\tfirst\tlast"), b'\t');
        assert_eq!(sniff_separator("email"), b',');
    }
}
