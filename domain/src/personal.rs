//! A visitor's personal data inside an event (a message, a name, an address, a page).
//!
//! Deciders work on the plain text; before the event is stored it is sealed with a key of
//! the visitor's that lives outside the log, so destroying the key erases the data without
//! rewriting a single event (crypto-shredding). Readers open what they read with the key,
//! or find it erased. The sealing itself is done beside the log (the `store` crate's
//! keyring): nothing here encrypts.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Personal {
    /// As typed (and as events stored before sealing existed hold it).
    Plain(String),
    /// As stored: `data` is the ciphertext (base64) under the key `key`.
    Sealed { key: Uuid, data: String },
    /// Its key was destroyed: the visitor was erased.
    Erased,
}

impl Personal {
    pub fn plain(text: impl Into<String>) -> Self {
        Personal::Plain(text.into())
    }

    /// The text, when it is readable.
    pub fn text(&self) -> Option<&str> {
        match self {
            Personal::Plain(text) => Some(text),
            Personal::Sealed { .. } | Personal::Erased => None,
        }
    }

    /// The text, or nothing (empty) when it was erased or is still sealed.
    pub fn text_or_empty(&self) -> &str {
        self.text().unwrap_or_default()
    }

    pub fn is_erased(&self) -> bool {
        matches!(self, Personal::Erased)
    }
}

impl Default for Personal {
    fn default() -> Self {
        Personal::Plain(String::new())
    }
}

impl From<&str> for Personal {
    fn from(text: &str) -> Self {
        Personal::Plain(text.to_owned())
    }
}

impl From<String> for Personal {
    fn from(text: String) -> Self {
        Personal::Plain(text)
    }
}

/// The stored forms: a plain string, `{"key": …, "sealed": …}`, or `{"erased": true}`
/// (never stored: what a reader hands on once the key is gone).
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum Stored {
    Plain(String),
    Sealed { key: Uuid, sealed: String },
    Erased { erased: bool },
}

impl Serialize for Personal {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Personal::Plain(text) => serializer.serialize_str(text),
            Personal::Sealed { key, data } => Stored::Sealed { key: *key, sealed: data.clone() }.serialize(serializer),
            Personal::Erased => Stored::Erased { erased: true }.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Personal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Stored::deserialize(deserializer)? {
            Stored::Plain(text) => Personal::Plain(text),
            Stored::Sealed { key, sealed } => Personal::Sealed { key, data: sealed },
            Stored::Erased { .. } => Personal::Erased,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_form_round_trips_and_plain_text_stays_a_string() {
        let key = Uuid::now_v7();
        for (value, stored) in [
            (Personal::plain("Bonjour"), json!("Bonjour")),
            (Personal::Sealed { key, data: "c2VjcmV0".into() }, json!({ "key": key, "sealed": "c2VjcmV0" })),
            (Personal::Erased, json!({ "erased": true })),
        ] {
            assert_eq!(serde_json::to_value(&value).unwrap(), stored);
            assert_eq!(serde_json::from_value::<Personal>(stored).unwrap(), value);
        }
        assert!(serde_json::from_value::<Personal>(json!(7)).is_err());
        assert!(serde_json::from_value::<Personal>(json!({ "sealed": "x" })).is_err(), "a sealed value names its key");
    }
}
