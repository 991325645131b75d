//! What the widget and the browser say about a visitor when their conversation starts: the
//! page they came from, their browser and system, their language and time zone. Agents see
//! it beside the conversation. None of it is trusted: it is cut to size and what cannot be
//! right (a zone that does not exist, a language tag with spaces) is dropped.

use serde::{Deserialize, Serialize};

use crate::personal::Personal;

const NAME_MAX_LEN: usize = 60;
const LANGUAGE_MAX_LEN: usize = 35;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VisitorDetails {
    /// The page before the site's (a search engine, another site): personal, sealed like the
    /// page they are on.
    #[serde(default)]
    pub referrer: Personal,
    /// `Firefox 133`, `Safari 18`; empty when the browser did not say.
    #[serde(default)]
    pub browser: String,
    /// `Windows`, `Android 14`, `iOS 18`.
    #[serde(default)]
    pub system: String,
    /// The browser's language tag (`fr-FR`).
    #[serde(default)]
    pub language: String,
    /// IANA name (`Europe/Paris`), for the visitor's local time.
    #[serde(default)]
    pub time_zone: String,
    /// What they typed in the site's pre-chat form; none without one. Boxed: most chats
    /// have none, and every conversation event is as large as the largest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given: Option<Box<Given>>,
}

/// A pre-chat form's name and address: personal, sealed. The conversation's decider checks
/// them as the offline form's.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Given {
    #[serde(default)]
    pub name: Personal,
    #[serde(default)]
    pub email: Personal,
}

impl VisitorDetails {
    /// The details as stored: each field trimmed and cut to its size, impossible values
    /// dropped.
    pub fn checked(&self) -> VisitorDetails {
        let cut = |s: &str, max: usize| s.trim().chars().filter(|c| !c.is_control()).take(max).collect::<String>();
        let language = self.language.trim();
        let language =
            if language.len() <= LANGUAGE_MAX_LEN && !language.is_empty() && language.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                language.to_owned()
            } else {
                String::new()
            };
        let time_zone = locale::time_zone(self.time_zone.trim()).map(|z| z.name().to_owned()).unwrap_or_default();
        VisitorDetails {
            referrer: Personal::plain(cut(self.referrer.text_or_empty(), crate::conversation::URL_MAX_LEN)),
            browser: cut(&self.browser, NAME_MAX_LEN),
            system: cut(&self.system, NAME_MAX_LEN),
            language,
            time_zone,
            given: self.given.as_ref().map(|g| {
                let trim = |p: &Personal| Personal::plain(p.text_or_empty().trim().to_owned());
                Box::new(Given { name: trim(&g.name), email: trim(&g.email) })
            }),
        }
    }

    /// The name given in a pre-chat form ("" without one, or once erased).
    pub fn given_name(&self) -> &str {
        self.given.as_ref().map_or("", |g| g.name.text_or_empty())
    }

    /// The address given in a pre-chat form ("" without one, or once erased).
    pub fn given_email(&self) -> &str {
        self.given.as_ref().map_or("", |g| g.email.text_or_empty())
    }

    /// What is personal in them, to seal and open.
    pub fn personal_mut(&mut self) -> Vec<&mut Personal> {
        let mut all = vec![&mut self.referrer];
        if let Some(given) = self.given.as_deref_mut() {
            all.extend([&mut given.name, &mut given.email]);
        }
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_cannot_be_right_is_dropped_and_the_rest_cut_to_size() {
        let sent = VisitorDetails {
            referrer: Personal::plain(format!(" https://www.google.fr/{} ", "x".repeat(3000))),
            browser: "Firefox 133\u{7}".into(),
            system: "W".repeat(100),
            language: "fr-FR".into(),
            time_zone: "Europe/Paris".into(),
            given: Some(Box::new(Given { name: " Zoé ".into(), email: "".into() })),
        };
        let kept = sent.checked();
        assert_eq!(kept.referrer.text_or_empty().chars().count(), crate::conversation::URL_MAX_LEN);
        assert!(kept.referrer.text_or_empty().starts_with("https://www.google.fr/"));
        assert_eq!((kept.browser.as_str(), kept.system.len()), ("Firefox 133", 60));
        assert_eq!((kept.language.as_str(), kept.time_zone.as_str()), ("fr-FR", "Europe/Paris"));
        assert_eq!((kept.given_name(), kept.given_email()), ("Zoé", ""));
        let odd = VisitorDetails { language: "fr FR<script>".into(), time_zone: "Mars/Olympus".into(), ..VisitorDetails::default() }.checked();
        assert_eq!((odd.language.as_str(), odd.time_zone.as_str()), ("", ""));
    }

    #[test]
    fn events_written_before_details_existed_read_as_none() {
        let details: VisitorDetails = serde_json::from_str("{}").unwrap();
        assert_eq!(details, VisitorDetails::default());
    }
}
