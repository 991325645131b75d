//! Who is asking, as HTTP carries it: the session cookie, CSRF checks, the role gates, and
//! the client's address.

use std::net::{IpAddr, SocketAddr};

use app::auth::{sessions, Session};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::Method;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use domain::company::Role;

use crate::error::{ApiError, AppError};
use crate::Web;

pub const SESSION_COOKIE: &str = "sb_session";
pub const LOGIN_CSRF_COOKIE: &str = "sb_login_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

pub fn session_cookie(web: &Web, token: String) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(web.settings.secure_cookies)
        .path("/")
        .max_age(cookie::time::Duration::days(sessions::LIFETIME_DAYS))
        .build()
}

/// A cookie holding a form's CSRF token, for pages used before a session exists.
pub fn form_cookie(web: &Web, name: &'static str, path: &'static str, token: String) -> Cookie<'static> {
    Cookie::build((name, token)).http_only(true).same_site(SameSite::Strict).secure(web.settings.secure_cookies).path(path).build()
}

/// Refuses a form or call that does not carry the session's CSRF token.
pub fn check_csrf(session: &Session, presented: &str) -> Result<(), AppError> {
    if session.csrf_matches(presented) {
        Ok(())
    } else {
        Err(AppError::App(app::Error::Invalid { code: "csrf", message: locale::t!("err-csrf"), field: None }))
    }
}

async fn session_from(parts: &mut Parts, web: &Web) -> Result<Session, AppError> {
    if let Some(crate::reader::LookedUp(found)) = parts.extensions.get() {
        return found.clone().ok_or(AppError::Unauthenticated);
    }
    let jar = CookieJar::from_headers(&parts.headers);
    let token = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()).ok_or(AppError::Unauthenticated)?;
    sessions::find(web, &token).await?.ok_or(AppError::Unauthenticated)
}

/// A logged-in user of a page.
pub struct User(pub Session);

impl FromRequestParts<Web> for User {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, web: &Web) -> Result<Self, Self::Rejection> {
        session_from(parts, web).await.map(User)
    }
}

/// An administrator of the company; anyone else is refused.
pub struct Admin(pub Session);

impl FromRequestParts<Web> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, web: &Web) -> Result<Self, Self::Rejection> {
        let session = session_from(parts, web).await?;
        if session.has_role(Role::Administrator) {
            Ok(Admin(session))
        } else {
            Err(app::Error::Forbidden.into())
        }
    }
}

/// A logged-in user calling the JSON API. Requests that change something carry the
/// session's CSRF token in the `X-CSRF-Token` header.
pub struct ApiSession(pub Session);

async fn api_session_from(parts: &mut Parts, web: &Web) -> Result<Session, ApiError> {
    let session = session_from(parts, web).await?;
    if ![Method::GET, Method::HEAD, Method::OPTIONS].contains(&parts.method) {
        let presented = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
        check_csrf(&session, presented)?;
    }
    Ok(session)
}

impl FromRequestParts<Web> for ApiSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, web: &Web) -> Result<Self, Self::Rejection> {
        api_session_from(parts, web).await.map(ApiSession)
    }
}

/// An administrator calling the JSON API (CSRF as for `ApiSession`).
pub struct ApiAdmin(pub Session);

impl FromRequestParts<Web> for ApiAdmin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, web: &Web) -> Result<Self, Self::Rejection> {
        let session = api_session_from(parts, web).await?;
        if session.has_role(Role::Administrator) {
            Ok(ApiAdmin(session))
        } else {
            Err(ApiError(app::Error::Forbidden.into()))
        }
    }
}

/// The peer's IP address, when the server knows it.
pub struct ClientIp(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())))
    }
}
