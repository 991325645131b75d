//! The invitation link: the invited user chooses a password. Expired, used, replaced or
//! unknown links get a page that says so and what to do.

use app::auth::password;
use app::invitations;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use domain::user;
use locale::t;
use maud::{html, Markup};

use super::layout::page;
use super::new_password::PasswordForm;
use super::{Form, Path};
use crate::auth;
use crate::error::AppError;
use crate::Web;

const CSRF_COOKIE: &str = "sb_invitation_csrf";

fn refused(error: &user::Error) -> Response {
    let status = if matches!(error, user::Error::InvitationUnknown) { StatusCode::NOT_FOUND } else { StatusCode::GONE };
    let (title, why) = match error {
        user::Error::InvitationExpired => (t!("users-invitation-expired-title"), t!("users-invitation-expired")),
        user::Error::InvitationAlreadyUsed => (t!("users-invitation-used-title"), t!("users-invitation-used")),
        user::Error::InvitationReplaced => (t!("users-invitation-replaced-title"), t!("users-invitation-replaced")),
        user::Error::InvitationUnknown => (t!("users-invitation-unknown-title"), t!("users-invitation-unknown")),
        other => (t!("users-invitation-unknown-title"), other.to_string()),
    };
    let markup = page(
        &title,
        None,
        html! {
            section.card.narrow #invitation-refused {
                h1 { (title) }
                p { (why) }
                @if matches!(error, user::Error::InvitationAlreadyUsed) { p { a href="/login" { (t!("users-invitation-log-in")) } } }
            }
        },
    );
    (status, markup).into_response()
}

fn form_page(token: &str, csrf: &str, first_name: &str, error: Option<&str>) -> Markup {
    page(
        &t!("users-invitation-title"),
        None,
        html! {
            section.card.narrow {
                h1 { (t!("users-invitation-welcome", first_name = first_name)) }
                p { (t!("users-invitation-intro")) }
                @if let Some(e) = error { p.error role="alert" #password-error { (e) } }
                form method="post" action={"/invitation/" (token)} #choose-password {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="password" { (t!("users-invitation-password", min = password::MIN_LEN)) }
                    input #password type="password" name="password" autocomplete="new-password" required minlength=(password::MIN_LEN)
                        aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| "password-error")];
                    label for="confirm" { (t!("users-invitation-confirm")) }
                    input #confirm type="password" name="confirm" autocomplete="new-password" required;
                    p { button type="submit" { (t!("users-invitation-submit")) } }
                }
            }
        },
    )
}

fn csrf_cookie(web: &Web, token: String) -> Cookie<'static> {
    auth::form_cookie(web, CSRF_COOKIE, "/invitation", token)
}

pub async fn show(State(web): State<Web>, jar: CookieJar, Path(token): Path<String>) -> Result<Response, AppError> {
    match invitations::check(&web, &token).await? {
        Err(e) => Ok(refused(&e)),
        Ok(usable) => {
            let csrf = app::auth::random_token();
            Ok((jar.add(csrf_cookie(&web, csrf.clone())), form_page(&token, &csrf, &usable.first_name, None)).into_response())
        }
    }
}

pub async fn accept(State(web): State<Web>, jar: CookieJar, Path(token): Path<String>, Form(form): Form<PasswordForm>) -> Result<Response, AppError> {
    let usable = match invitations::check(&web, &token).await? {
        Err(e) => return Ok(refused(&e)),
        Ok(usable) => usable,
    };
    let expected = jar.get(CSRF_COOKIE).map(|c| c.value().to_owned()).unwrap_or_default();
    let problem = form.problem(&expected, &t!("users-invitation-form-expired"));
    if let Some(problem) = problem {
        let csrf = app::auth::random_token();
        let page = form_page(&token, &csrf, &usable.first_name, Some(&problem));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, jar.add(csrf_cookie(&web, csrf.clone())), page).into_response());
    }
    match invitations::accept(&web, usable.user_id, &token, form.password).await {
        Ok(()) => {
            let markup = page(
                &t!("users-invitation-set-title"),
                None,
                html! {
                    section.card.narrow #invitation-accepted {
                        h1 { (t!("users-invitation-set")) }
                        p { (t!("users-invitation-set-help")) }
                        p { a.button href="/login" { (t!("users-invitation-log-in")) } }
                    }
                },
            );
            Ok((jar.remove(Cookie::build(CSRF_COOKIE).path("/invitation")), markup).into_response())
        }
        Err(app::Error::Command(commands::Error::User(e))) => Ok(refused(&e)),
        Err(e) => Err(e.into()),
    }
}
