//! Post/redirect/get: an admin form's POST answers 303 See Other to the page it came from,
//! and what it did (a notice) or why it was refused (an error) travels in a short-lived
//! cookie that the next page shows once. The address bar never keeps `/roles`,
//! `/deactivate` and the like, and reloading the page posts nothing again.

use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

const COOKIE: &str = "sb_flash";

/// What the page shows once, above its content.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Flash {
    pub notice: Option<String>,
    pub error: Option<String>,
}

impl Flash {
    /// Reads the message left by the last POST and removes it.
    pub fn take(jar: CookieJar) -> (CookieJar, Flash) {
        let Some(cookie) = jar.get(COOKIE) else { return (jar, Flash::default()) };
        let value = percent_decode(cookie.value());
        let flash = match value.split_once(':') {
            Some(("n", text)) => Flash { notice: Some(text.to_owned()), error: None },
            Some(("e", text)) => Flash { notice: None, error: Some(text.to_owned()) },
            _ => Flash::default(),
        };
        (jar.remove(Cookie::build(COOKIE).path("/")), flash)
    }
}

fn cookie(kind: char, text: &str) -> Cookie<'static> {
    let value: String = form_urlencoded::byte_serialize(format!("{kind}:{text}").as_bytes()).collect();
    Cookie::build((COOKIE, value)).http_only(true).same_site(SameSite::Strict).path("/").max_age(cookie::time::Duration::minutes(5)).build()
}

fn percent_decode(value: &str) -> String {
    form_urlencoded::parse(format!("v={value}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
}

/// 303 to `to`, which then says `notice`.
pub fn done(jar: CookieJar, to: &str, notice: &str) -> Response {
    (jar.add(cookie('n', notice)), Redirect::to(to)).into_response()
}

/// 303 to `to`, which then says why the action was refused.
pub fn refused(jar: CookieJar, to: &str, error: &str) -> Response {
    (jar.add(cookie('e', error)), Redirect::to(to)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_survives_the_round_trip_once() {
        let jar = CookieJar::new().add(cookie('e', "The company must keep an administrator; 3 of 3 seats: “ok” & done."));
        let (jar, flash) = Flash::take(jar);
        assert_eq!(flash.error.as_deref(), Some("The company must keep an administrator; 3 of 3 seats: “ok” & done."));
        let (_, again) = Flash::take(jar);
        assert_eq!(again, Flash::default());
    }
}
