//! "Forgot your password?": the form asking for an address, the answer (the same whether
//! an account uses it or not), and the link's page where the new password is chosen.

use app::auth::{password, password_reset};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use domain::user;
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
    page(
        "Forgot your password?",
        None,
        html! {
            section.card.narrow {
                h1 { "Forgot your password?" }
                p { "Give the e-mail address of your account: we send you a link to choose a new password. The link works once, for one hour." }
                @if let Some(e) = error { p.error role="alert" { (e) } }
                form method="post" action="/password-reset" #request-reset {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="email" { "E-mail" }
                    input #email type="email" name="email" value=(email) autocomplete="username" required autofocus;
                    p { button type="submit" { "Send me a link" } " " a href="/login" { "Back to log in" } }
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
        return Ok(retry(StatusCode::BAD_REQUEST, "This form had expired. Please try again.", jar));
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
    page(
        "Check your mailbox",
        None,
        html! {
            section.card.narrow #reset-sent {
                h1 { "Check your mailbox" }
                p { "If an account uses this address, we have sent it a link to choose a new password. The link works once, for one hour." }
                p.muted { "Nothing after a few minutes? Look in the spam folder, check the address, or ask an administrator of your company to send you a link." }
                p { a href="/login" { "Back to log in" } }
            }
        },
    )
}

fn refused(error: &user::Error) -> Response {
    let status = if matches!(error, user::Error::ResetLinkUnknown) { StatusCode::NOT_FOUND } else { StatusCode::GONE };
    let title = match error {
        user::Error::ResetLinkExpired => "This link has expired",
        user::Error::ResetLinkUsed => "This link has already been used",
        user::Error::ResetLinkReplaced => "This link was replaced",
        _ => "This link is not valid",
    };
    let markup = page(
        title,
        None,
        html! {
            section.card.narrow #reset-refused {
                h1 { (title) }
                p { (sentence(&error.to_string())) "." }
                p { a.button href="/password-reset" { "Ask for a new link" } " " a href="/login" { "Log in" } }
            }
        },
    );
    (status, markup).into_response()
}

fn choose_page(token: &str, csrf: &str, first_name: &str, error: Option<&str>) -> Markup {
    page(
        "Choose a new password",
        None,
        html! {
            section.card.narrow {
                h1 { "Choose a new password" }
                p { "Hello " (first_name) ", choose the new password of your Switchboard account. You will be logged out everywhere else." }
                @if let Some(e) = error { p.error role="alert" id="password-error" { (e) } }
                form method="post" action={"/password-reset/" (token)} #choose-password {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="password" { "New password (at least " (password::MIN_LEN) " characters)" }
                    input #password type="password" name="password" autocomplete="new-password" required minlength=(password::MIN_LEN)
                        aria-describedby=[error.map(|_| "password-error")];
                    label for="confirm" { "The same password again" }
                    input #confirm type="password" name="confirm" autocomplete="new-password" required;
                    p { button type="submit" { "Set my new password" } }
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
    let problem = form.problem(&expected, "This form had expired. Please type your new password again.");
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
