//! Logging in and out.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use domain::company::Role;
use locale::t;
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
    /// `done` after a password reset.
    reset: Option<String>,
}

/// Only same-site paths: a login link must not send the user elsewhere.
fn safe_next(next: Option<&str>) -> Option<String> {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\')).map(str::to_owned)
}

fn login_form(csrf: &str, email: &str, next: Option<&str>, error: Option<&str>, notice: Option<&str>) -> Markup {
    page(
        &t!("auth-login-title"),
        None,
        html! {
            section.card.narrow {
                h1 { (t!("auth-login-heading")) }
                @if let Some(n) = notice { p.notice role="status" #login-notice { (n) } }
                @if let Some(e) = error { p.error role="alert" { (e) } }
                form method="post" action="/login" {
                    input type="hidden" name="csrf" value=(csrf);
                    @if let Some(n) = next { input type="hidden" name="next" value=(n); }
                    label for="email" { (t!("auth-email")) }
                    input #email type="email" name="email" value=(email) autocomplete="username" required autofocus;
                    label for="password" { (t!("auth-password")) }
                    input #password type="password" name="password" autocomplete="current-password" required;
                    p { button type="submit" { (t!("auth-login-button")) } " " a href="/password-reset" #forgot { (t!("auth-forgot-link")) } }
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
    let notice = (q.reset.as_deref() == Some("done")).then(|| t!("auth-login-reset-done"));
    let markup = login_form(&token, "", next.as_deref(), None, notice.as_deref());
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
        let markup = login_form(&token, &form.email, next.as_deref(), Some(message), None);
        (status, jar.add(login_csrf_cookie(&web, token)), markup).into_response()
    };
    if expected.is_empty() || !app::auth::same_secret(&expected, &form.csrf) {
        return Ok(retry(StatusCode::BAD_REQUEST, &t!("auth-login-expired"), jar));
    }
    let user = match app::auth::authenticate(&web, &form.email, &form.password, ip).await {
        Ok(Some(user)) => user,
        Ok(None) => return Ok(retry(StatusCode::UNAUTHORIZED, &t!("auth-login-wrong"), jar)),
        Err(app::Error::TooManyRequests(message)) => return Ok(retry(StatusCode::TOO_MANY_REQUESTS, &message, jar)),
        Err(e) => return Err(e.into()),
    };
    let (token, _) = app::auth::sessions::start(&web, &user).await?;
    let landing = next.unwrap_or_else(|| first_page(&user.roles).into());
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

/// Where someone with these roles starts: administrators on Users, supervisors on the
/// board, agents on the console (the first that applies); someone with no role on their
/// account page, which says so.
pub fn first_page(roles: &[String]) -> &'static str {
    let has = |role: Role| roles.iter().any(|r| r == role.as_str());
    if has(Role::Administrator) {
        "/admin/users"
    } else if has(Role::Supervisor) {
        "/supervisor"
    } else if has(Role::Agent) {
        "/console"
    } else {
        "/account"
    }
}

/// The front door: each user to their first page, everyone else to log in.
pub async fn home(session: Result<User, AppError>) -> Redirect {
    match session {
        Ok(User(s)) => Redirect::to(first_page(&s.user.roles)),
        Err(_) => Redirect::to("/login"),
    }
}

#[cfg(test)]
mod tests {
    use super::first_page;

    #[test]
    fn each_role_lands_on_its_own_page_administrator_first() {
        let roles = |r: &[&str]| r.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(first_page(&roles(&["Agent"])), "/console");
        assert_eq!(first_page(&roles(&["Supervisor"])), "/supervisor");
        assert_eq!(first_page(&roles(&["Administrator"])), "/admin/users");
        assert_eq!(first_page(&roles(&["Agent", "Supervisor"])), "/supervisor");
        assert_eq!(first_page(&roles(&["Agent", "Supervisor", "Administrator"])), "/admin/users");
        assert_eq!(first_page(&roles(&["Expert"])), "/account");
        assert_eq!(first_page(&roles(&[])), "/account");
    }
}
