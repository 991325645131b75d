//! "Forgot your password?": the form asking for an address, the answer (the same whether
//! an account uses it or not), and the link's page where the new password is chosen.

use app::auth::{password, password_reset};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use domain::user;
use locale::t;
use maud::{html, Markup};
use serde::Deserialize;

use super::layout::page;
use super::new_password::PasswordForm;
use super::{Form, Path};
use crate::auth::{self, ClientIp};
use crate::error::{refusal, sentence, AppError, Refusal};
use crate::Web;

const CSRF_COOKIE: &str = "sb_reset_csrf";

fn csrf_cookie(web: &Web, token: String) -> Cookie<'static> {
    auth::form_cookie(web, CSRF_COOKIE, "/password-reset", token)
}

fn csrf_of(jar: &CookieJar) -> String {
    jar.get(CSRF_COOKIE).map(|c| c.value().to_owned()).unwrap_or_default()
}

fn request_page(csrf: &str, email: &str, error: Option<&str>) -> Markup {
    let title = t!("auth-reset-title");
    page(
        &title,
        None,
        html! {
            section.card.narrow {
                h1 { (title) }
                p { (t!("auth-reset-intro")) }
                @if let Some(e) = error { p.error role="alert" { (e) } }
                form method="post" action="/password-reset" #request-reset {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="email" { (t!("auth-email")) }
                    input #email type="email" name="email" value=(email) autocomplete="username" required autofocus;
                    p { button type="submit" { (t!("auth-reset-send")) } " " a href="/login" { (t!("auth-back-to-login")) } }
                }
            }
        },
    )
}

pub async fn request_form(State(web): State<Web>, jar: CookieJar) -> (CookieJar, Markup) {
    let csrf = app::auth::random_token();
    (jar.add(csrf_cookie(&web, csrf.clone())), request_page(&csrf, "", None))
}

#[derive(Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
}

pub async fn request(State(web): State<Web>, ClientIp(ip): ClientIp, jar: CookieJar, Form(form): Form<RequestForm>) -> Result<Response, AppError> {
    let expected = csrf_of(&jar);
    let retry = |status: StatusCode, message: &str, jar: CookieJar| {
        let csrf = app::auth::random_token();
        (status, jar.add(csrf_cookie(&web, csrf.clone())), request_page(&csrf, &form.email, Some(message))).into_response()
    };
    if expected.is_empty() || !app::auth::same_secret(&expected, &form.csrf) {
        return Ok(retry(StatusCode::BAD_REQUEST, &t!("auth-reset-expired-form"), jar));
    }
    match password_reset::request(&web, &form.email, ip).await {
        // Known or unknown address: the same page.
        Ok(()) => Ok(Redirect::to("/password-reset/sent").into_response()),
        Err(e) => {
            let Refusal { status, message, .. } = refusal(e)?;
            Ok(retry(status, &message, jar))
        }
    }
}

pub async fn sent() -> Markup {
    let title = t!("auth-reset-sent-title");
    page(
        &title,
        None,
        html! {
            section.card.narrow #reset-sent {
                h1 { (title) }
                p { (t!("auth-reset-sent")) }
                p.muted { (t!("auth-reset-sent-nothing")) }
                p { a href="/login" { (t!("auth-back-to-login")) } }
            }
        },
    )
}

fn refused(error: &user::Error) -> Response {
    let status = if matches!(error, user::Error::ResetLinkUnknown) { StatusCode::NOT_FOUND } else { StatusCode::GONE };
    let (title, why) = match error {
        user::Error::ResetLinkExpired => (t!("auth-link-expired-title"), t!("auth-link-expired")),
        user::Error::ResetLinkUsed => (t!("auth-link-used-title"), t!("auth-link-used")),
        user::Error::ResetLinkReplaced => (t!("auth-link-replaced-title"), t!("auth-link-replaced")),
        user::Error::ResetLinkUnknown => (t!("auth-link-invalid-title"), t!("auth-link-invalid")),
        user::Error::NoPasswordReset => (t!("auth-link-invalid-title"), t!("auth-link-no-reset")),
        other => (t!("auth-link-invalid-title"), format!("{}.", sentence(&other.to_string()))),
    };
    let markup = page(
        &title,
        None,
        html! {
            section.card.narrow #reset-refused {
                h1 { (title) }
                p { (why) }
                p { a.button href="/password-reset" { (t!("auth-link-ask-again")) } " " a href="/login" { (t!("auth-login-button")) } }
            }
        },
    );
    (status, markup).into_response()
}

fn choose_page(token: &str, csrf: &str, first_name: &str, error: Option<&str>) -> Markup {
    let title = t!("auth-choose-title");
    page(
        &title,
        None,
        html! {
            section.card.narrow {
                h1 { (title) }
                p { (t!("auth-choose-hello", first_name = first_name)) }
                @if let Some(e) = error { p.error role="alert" id="password-error" { (e) } }
                form method="post" action={"/password-reset/" (token)} #choose-password {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="password" { (t!("auth-choose-password", min = password::MIN_LEN)) }
                    input #password type="password" name="password" autocomplete="new-password" required minlength=(password::MIN_LEN)
                        aria-describedby=[error.map(|_| "password-error")];
                    label for="confirm" { (t!("auth-choose-confirm")) }
                    input #confirm type="password" name="confirm" autocomplete="new-password" required;
                    p { button type="submit" { (t!("auth-choose-submit")) } }
                }
            }
        },
    )
}

pub async fn show(State(web): State<Web>, jar: CookieJar, Path(token): Path<String>) -> Result<Response, AppError> {
    match password_reset::check(&web, &token).await? {
        Err(e) => Ok(refused(&e)),
        Ok(usable) => {
            let csrf = app::auth::random_token();
            Ok((jar.add(csrf_cookie(&web, csrf.clone())), choose_page(&token, &csrf, &usable.first_name, None)).into_response())
        }
    }
}

pub async fn reset(State(web): State<Web>, jar: CookieJar, Path(token): Path<String>, Form(form): Form<PasswordForm>) -> Result<Response, AppError> {
    let usable = match password_reset::check(&web, &token).await? {
        Err(e) => return Ok(refused(&e)),
        Ok(usable) => usable,
    };
    let expected = csrf_of(&jar);
    let problem = form.problem(&expected, &t!("auth-choose-expired"));
    if let Some(problem) = problem {
        let csrf = app::auth::random_token();
        let page = choose_page(&token, &csrf, &usable.first_name, Some(&problem));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, jar.add(csrf_cookie(&web, csrf.clone())), page).into_response());
    }
    match password_reset::reset(&web, usable.user_id, &token, form.password).await {
        Ok(()) => {
            let jar = jar.remove(Cookie::build(CSRF_COOKIE).path("/password-reset")).remove(Cookie::build(auth::SESSION_COOKIE).path("/"));
            Ok((jar, Redirect::to("/login?reset=done")).into_response())
        }
        Err(app::Error::Command(commands::Error::User(e))) => Ok(refused(&e)),
        Err(e) => Err(e.into()),
    }
}
