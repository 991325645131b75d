//! Logging in and out.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use domain::company::Role;
use maud::{html, Markup};
use serde::Deserialize;

use super::layout::page;
use super::{Form, Query};
use crate::auth::{self, check_csrf, ClientIp, User, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use crate::error::AppError;
use crate::Web;

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

fn login_csrf_cookie(web: &Web, token: String) -> Cookie<'static> {
    auth::form_cookie(web, LOGIN_CSRF_COOKIE, "/login", token)
}

pub async fn show(State(web): State<Web>, jar: CookieJar, Query(q): Query<Next>) -> (CookieJar, Markup) {
    let token = app::auth::random_token();
    let next = safe_next(q.next.as_deref());
    let markup = login_form(&token, "", next.as_deref(), None);
    (jar.add(login_csrf_cookie(&web, token)), markup)
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

pub async fn submit(State(web): State<Web>, ClientIp(ip): ClientIp, jar: CookieJar, Form(form): Form<LoginForm>) -> Result<Response, AppError> {
    let expected = jar.get(LOGIN_CSRF_COOKIE).map(|c| c.value().to_owned()).unwrap_or_default();
    let next = safe_next(form.next.as_deref());
    let retry = |status: StatusCode, message: &str, jar: CookieJar| {
        let token = app::auth::random_token();
        let markup = login_form(&token, &form.email, next.as_deref(), Some(message));
        (status, jar.add(login_csrf_cookie(&web, token)), markup).into_response()
    };
    if expected.is_empty() || !app::auth::same_secret(&expected, &form.csrf) {
        return Ok(retry(StatusCode::BAD_REQUEST, "This form had expired. Please log in again.", jar));
    }
    let user = match app::auth::authenticate(&web, &form.email, &form.password, ip).await {
        Ok(Some(user)) => user,
        Ok(None) => return Ok(retry(StatusCode::UNAUTHORIZED, "Wrong e-mail or password.", jar)),
        Err(app::Error::TooManyRequests(message)) => return Ok(retry(StatusCode::TOO_MANY_REQUESTS, &message, jar)),
        Err(e) => return Err(e.into()),
    };
    let (token, _) = app::auth::sessions::start(&web, &user).await?;
    let landing =
        next.unwrap_or_else(|| if user.roles.iter().any(|r| r == Role::Administrator.as_str()) { "/admin/users".into() } else { "/".into() });
    let jar = jar.remove(Cookie::build(LOGIN_CSRF_COOKIE).path("/login")).add(auth::session_cookie(&web, token));
    Ok((jar, Redirect::to(&landing)).into_response())
}

#[derive(Deserialize)]
pub struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(State(web): State<Web>, User(session): User, jar: CookieJar, Form(form): Form<LogoutForm>) -> Result<Response, AppError> {
    check_csrf(&session, &form.csrf)?;
    app::auth::sessions::end(&web, &session.token_hash).await?;
    Ok((jar.remove(Cookie::build(SESSION_COOKIE).path("/")), Redirect::to("/login")).into_response())
}

/// The front door: administrators to their users, everyone else to log in (the agent
/// console arrives with live chat).
pub async fn home(session: Result<User, AppError>) -> Redirect {
    match session {
        Ok(User(s)) if s.has_role(Role::Administrator) => Redirect::to("/admin/users"),
        Ok(_) => Redirect::to("/account"),
        Err(_) => Redirect::to("/login"),
    }
}

pub async fn account(User(session): User) -> Markup {
    page(
        "Your account",
        Some(&session),
        html! {
            section.card {
                h1 { "Hello, " (session.user.profile.first_name) }
                p { "You are logged in as " (session.user.email) "." }
                p.muted { "Roles: " (session.user.roles.join(", ")) }
            }
        },
    )
}
