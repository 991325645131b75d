//! The language and time zone a user reads in, or a company's defaults for its users.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Checked codes: a language the product speaks (`en`, `fr`) and an IANA time zone name.
/// `None` means "not chosen": a user's falls back to their browser and their company.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    pub language: Option<String>,
    pub time_zone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    #[error("the language \"{0}\" is not one this product speaks (en or fr)")]
    UnknownLanguage(String),
    #[error("\"{0}\" is not a time zone (a name such as Europe/Paris)")]
    UnknownTimeZone(String),
}

impl Error {
    pub fn field(&self) -> &'static str {
        match self {
            Error::UnknownLanguage(_) => "language",
            Error::UnknownTimeZone(_) => "time_zone",
        }
    }
}

impl Preferences {
    /// Blank means not chosen; anything else must name a language and a zone that exist,
    /// stored in their canonical spelling (`fr`, `Europe/Paris`).
    pub fn checked(language: Option<&str>, time_zone: Option<&str>) -> Result<Preferences, Error> {
        fn blank(s: Option<&str>) -> Option<&str> {
            s.map(str::trim).filter(|s| !s.is_empty())
        }
        let language = match blank(language) {
            None => None,
            Some(l) => Some(locale::Lang::parse(l).ok_or_else(|| Error::UnknownLanguage(l.into()))?.code().to_owned()),
        };
        let time_zone = match blank(time_zone) {
            None => None,
            Some(z) => Some(locale::time_zone(z).ok_or_else(|| Error::UnknownTimeZone(z.into()))?.name().to_owned()),
        };
        Ok(Preferences { language, time_zone })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_is_unchosen_and_codes_are_canonical() {
        assert_eq!(Preferences::checked(Some(" "), None), Ok(Preferences::default()));
        assert_eq!(
            Preferences::checked(Some("FR-ca"), Some("Europe/Paris")),
            Ok(Preferences { language: Some("fr".into()), time_zone: Some("Europe/Paris".into()) })
        );
        assert_eq!(Preferences::checked(Some("de"), None), Err(Error::UnknownLanguage("de".into())));
        assert_eq!(Preferences::checked(None, Some("Paris")), Err(Error::UnknownTimeZone("Paris".into())));
    }
}
