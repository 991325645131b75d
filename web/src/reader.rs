//! Who reads each response: the language and time zone every page, e-mail link, error
//! message and date of a request is written for.
//!
//! The language is the user's own choice, else the browser's `Accept-Language`, else the
//! company's default, else English; the time zone the user's, else the company's, else UTC.

use app::auth::{sessions, Session};
use axum::extract::{Request, State};
use axum::http::header::ACCEPT_LANGUAGE;
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use locale::{Lang, Reader, Tz};

use crate::auth::SESSION_COOKIE;
use crate::Web;

/// The session a request's cookie names, looked up once by the middleware for the
/// extractors (`None`: no valid session). Absent when the lookup failed: the extractor
/// tries again and reports why.
#[derive(Clone)]
pub struct LookedUp(pub Option<Session>);

/// Paths that render no words: no session lookup for them.
fn wordless(path: &str) -> bool {
    path.starts_with("/static/") || path == "/app.css" || path == "/widget.js" || path.starts_with("/health")
}

pub async fn for_each_request(State(web): State<Web>, mut request: Request, next: Next) -> Response {
    if wordless(request.uri().path()) {
        return next.run(request).await;
    }
    let browser = browser_language(request.headers());
    let token = CookieJar::from_headers(request.headers()).get(SESSION_COOKIE).map(|c| c.value().to_owned());
    let session = match token {
        None => Some(None),
        Some(token) => sessions::find(&web, &token).await.ok(),
    };
    let reader = reader_for(session.as_ref().and_then(Option::as_ref), browser);
    if let Some(session) = session {
        request.extensions_mut().insert(LookedUp(session));
    }
    locale::scope(reader, next.run(request)).await
}

/// The language the browser asks for, if this product speaks it.
pub fn browser_language(headers: &axum::http::HeaderMap) -> Option<Lang> {
    headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::from_accept_language)
}

pub fn reader_for(session: Option<&Session>, browser: Option<Lang>) -> Reader {
    let Some(s) = session else {
        return Reader::new(browser.unwrap_or_default(), Tz::UTC);
    };
    let lang = s.user.language.as_deref().and_then(Lang::parse).or(browser).or(s.company_language()).unwrap_or_default();
    let tz = s.user.time_zone.as_deref().and_then(locale::time_zone).or(s.company_time_zone()).unwrap_or(Tz::UTC);
    Reader::new(lang, tz)
}
