//! The "choose a password" form an invitation link and a password reset link both lead to.

use serde::Deserialize;

use crate::error::sentence;

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub confirm: String,
}

impl PasswordForm {
    /// What is wrong with the form, in a sentence: an expired form (its CSRF token is not
    /// the cookie's, `expired` says what to do), a weak password, two that differ.
    pub fn problem(&self, expected_csrf: &str, expired: &str) -> Option<String> {
        if expected_csrf.is_empty() || !app::auth::same_secret(expected_csrf, &self.csrf) {
            Some(expired.to_owned())
        } else if let Err(e) = app::auth::password::check_strength(&self.password) {
            Some(format!("{}.", sentence(&e.to_string())))
        } else if self.password != self.confirm {
            Some(locale::t!("auth-passwords-differ"))
        } else {
            None
        }
    }
}
