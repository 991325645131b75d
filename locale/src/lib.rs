//! Switchboard speaks English and French. The words live in Fluent catalogues
//! (`ftl/en/*.ftl`, `ftl/fr/*.ftl`, one file per area of the product), never in the code:
//! code names a message by its key (`t!("users-title")`) and this crate finds it in the
//! reader's language. A key missing from a catalogue renders as `⟦key⟧`, which the tests
//! look for on every page in both languages.

mod catalogue;
mod format;
#[cfg(feature = "scope")]
mod scope;

pub use catalogue::{has, keys, template, text, Arg, MISSING};
#[cfg(feature = "scope")]
pub use scope::{lang, reader, scope, sync_scope};

pub use chrono_tz::Tz;

/// A language of the product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Fr,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Fr];

    /// The code stored and sent: `en`, `fr`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    /// The language's own name for itself, as a language menu shows it.
    pub fn autonym(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Fr => "Français",
        }
    }

    /// `en`, `fr`, or a tag with a region (`fr-CA`, `en_GB`), in any case.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "fr" => Some(Lang::Fr),
            _ => None,
        }
    }

    /// The first language of an `Accept-Language` header this product speaks, by the
    /// weights the browser gave (`fr-CH, fr;q=0.9, en;q=0.8`); `None` when it speaks none.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut offers: Vec<(f32, usize, Lang)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut pieces = part.split(';');
                let lang = Lang::parse(pieces.next()?)?;
                let q = pieces.find_map(|p| p.trim().strip_prefix("q=")).map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
                (q > 0.0).then_some((q, i, lang))
            })
            .collect();
        // Highest weight first; among equals, the order the browser wrote them.
        offers.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        offers.first().map(|o| o.2)
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// Who reads a page or an e-mail: their language and time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reader {
    pub lang: Lang,
    pub tz: Tz,
}

impl Default for Reader {
    fn default() -> Self {
        Reader { lang: Lang::En, tz: Tz::UTC }
    }
}

impl Reader {
    pub fn new(lang: Lang, tz: Tz) -> Self {
        Reader { lang, tz }
    }
}

/// An IANA time zone by its name (`Europe/Paris`), or `None`.
pub fn time_zone(name: &str) -> Option<Tz> {
    name.trim().parse::<Tz>().ok()
}

/// Every time zone's name, for a menu, in alphabetical order.
pub fn time_zone_names() -> impl Iterator<Item = &'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_takes_the_heaviest_language_spoken_here() {
        assert_eq!(Lang::from_accept_language("fr-CH, fr;q=0.9, en;q=0.8"), Some(Lang::Fr));
        assert_eq!(Lang::from_accept_language("de-DE, en;q=0.5, fr;q=0.7"), Some(Lang::Fr));
        assert_eq!(Lang::from_accept_language("en-GB,en;q=0.9"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("fr;q=0, en;q=0.1"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("de, es"), None);
        assert_eq!(Lang::from_accept_language(""), None);
        assert_eq!(Lang::from_accept_language("fr;q=banana, en"), Some(Lang::En));
    }

    #[test]
    fn tags_read_by_their_primary_subtag() {
        assert_eq!(Lang::parse("FR_ca"), Some(Lang::Fr));
        assert_eq!(Lang::parse(" en "), Some(Lang::En));
        assert_eq!(Lang::parse("fra"), None);
        assert_eq!(Lang::parse(""), None);
    }

    #[test]
    fn time_zones_by_their_iana_names() {
        assert_eq!(time_zone("Europe/Paris"), Some(Tz::Europe__Paris));
        assert_eq!(time_zone("Mars/Olympus"), None);
        assert!(time_zone_names().any(|n| n == "America/Montreal" || n == "America/Toronto"));
    }
}
