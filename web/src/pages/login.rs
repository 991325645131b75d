//! Logging in and out.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use domain::company::Role;
use maud::{html, Markup};
use serde::Deserialize;

use super::layout::page;
use super::{Form, Query};
use crate::auth::{self, Session, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use crate::error::AppError;
use crate::ratelimit::{self, ClientIp};
use crate::App;

#[derive(Deserialize, Default)]
pub struct Next {
    next: Option<String>,
}

/// Only same-site paths: a login link must not send the user elsewhere.
fn safe_next(next: Option<&str>) -> Option<String> {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\')).map(str::to_owned)
}

fn login_form(csrf: &str, email: &str, next: Option<&str>, error: Option<&str>) -> Markup {
    page(
        "Log in",
        None,
        html! {
            section.card.narrow {
                h1 { "Log in to Switchboard" }
                @if let Some(e) = error { p.error role="alert" { (e) } }
                form method="post" action="/login" {
                    input type="hidden" name="csrf" value=(csrf);
                    @if let Some(n) = next { input type="hidden" name="next" value=(n); }
                    label for="email" { "E-mail" }
                    input #email type="email" name="email" value=(email) autocomplete="username" required autofocus;
                    label for="password" { "Password" }
                    input #password type="password" name="password" autocomplete="current-password" required;
                    p { button type="submit" { "Log in" } }
                }
            }
        },
    )
}

fn login_csrf_cookie(app: &App, token: String) -> Cookie<'static> {
    Cookie::build((LOGIN_CSRF_COOKIE, token)).http_only(true).same_site(SameSite::Strict).secure(app.settings.secure_cookies).path("/login").build()
}

pub async fn show(State(app): State<App>, jar: CookieJar, Query(q): Query<Next>) -> (CookieJar, Markup) {
    let token = auth::random_token();
    let next = safe_next(q.next.as_deref());
    let markup = login_form(&token, "", next.as_deref(), None);
    (jar.add(login_csrf_cookie(&app, token)), markup)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub async fn submit(State(app): State<App>, ClientIp(ip): ClientIp, jar: CookieJar, Form(form): Form<LoginForm>) -> Result<Response, AppError> {
    let expected = jar.get(LOGIN_CSRF_COOKIE).map(|c| c.value().to_owned()).unwrap_or_default();
    let next = safe_next(form.next.as_deref());
    let retry = |status: StatusCode, message: &str, jar: CookieJar| {
        let token = auth::random_token();
        let markup = login_form(&token, &form.email, next.as_deref(), Some(message));
        (status, jar.add(login_csrf_cookie(&app, token)), markup).into_response()
    };
    if expected.is_empty() || !auth::same_secret(&expected, &form.csrf) {
        return Ok(retry(StatusCode::BAD_REQUEST, "This form had expired. Please log in again.", jar));
    }
    match ratelimit::check(&app, &form.email, ip).await {
        Err(AppError::TooManyRequests(message)) => return Ok(retry(StatusCode::TOO_MANY_REQUESTS, &message, jar)),
        other => other?,
    }
    let Some(user) = auth::authenticate(&app, &form.email, &form.password, ip).await? else {
        return Ok(retry(StatusCode::UNAUTHORIZED, "Wrong e-mail or password.", jar));
    };
    let token = auth::start_session(&app, &user).await?;
    let landing =
        next.unwrap_or_else(|| if user.roles.iter().any(|r| r == Role::Administrator.as_str()) { "/admin/users".into() } else { "/".into() });
    let jar = jar.remove(Cookie::build(LOGIN_CSRF_COOKIE).path("/login")).add(auth::session_cookie(&app, token));
    Ok((jar, Redirect::to(&landing)).into_response())
}

#[derive(Deserialize)]
pub struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(State(app): State<App>, session: Session, jar: CookieJar, Form(form): Form<LogoutForm>) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    auth::end_session(&app, &session.token_hash).await?;
    Ok((jar.remove(Cookie::build(SESSION_COOKIE).path("/")), Redirect::to("/login")).into_response())
}

/// The front door: administrators to their users, everyone else to log in (the agent
/// console arrives with live chat).
pub async fn home(session: Result<Session, AppError>) -> Redirect {
    match session {
        Ok(s) if s.has_role(Role::Administrator) => Redirect::to("/admin/users"),
        Ok(_) => Redirect::to("/account"),
        Err(_) => Redirect::to("/login"),
    }
}

pub async fn account(session: Session) -> Markup {
    page(
        "Your account",
        Some(&session),
        html! {
            section.card {
                h1 { "Hello, " (session.user.first_name) }
                p { "You are logged in as " (session.user.email) "." }
                p.muted { "Roles: " (session.user.roles.join(", ")) }
            }
        },
    )
}
