//! The invitation link: the invited user chooses a password. Expired, used, replaced or
//! unknown links get a page that says so and what to do.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use domain::user::{self, User};
use domain::Decider;
use maud::{html, Markup};
use projections::Projection as _;
use serde::Deserialize;

use super::layout::page;
use super::{Form, Path};
use crate::auth::{self, password};
use crate::error::AppError;
use crate::App;

const CSRF_COOKIE: &str = "sb_invitation_csrf";

/// Whose link this is, and whether it can still be used.
async fn check(app: &App, token: &str) -> Result<Result<(domain::UserId, user::State), user::Error>, AppError> {
    let hash = auth::hash_token(token);
    let client = app.pool.get().await?;
    let mut owner = projections::users::invitation_link_owner(&**client, &hash).await?;
    if owner.is_none() {
        // The mailer sends a link the moment it is issued: the read model may not show it
        // yet. Look again once it has caught up.
        app.read_your_writes(projections::users::Users::NAME, Some(app.store.head().await.map_err(commands::Error::from)?)).await?;
        owner = projections::users::invitation_link_owner(&**client, &hash).await?;
    }
    let Some(user_id) = owner else { return Ok(Err(user::Error::InvitationUnknown)) };
    let (state, _) = commands::load::<User, _>(&app.store, &user::stream(user_id)).await?;
    let probe = user::Command::AcceptInvitation { token_hash: hash, at: chrono::Utc::now() };
    Ok(User::decide(&state, &probe).map(|_| (user_id, state)))
}

fn refused(error: &user::Error) -> Response {
    let status = if matches!(error, user::Error::InvitationUnknown) { StatusCode::NOT_FOUND } else { StatusCode::GONE };
    let title = match error {
        user::Error::InvitationExpired => "This invitation has expired",
        user::Error::InvitationAlreadyUsed => "This invitation has already been used",
        user::Error::InvitationReplaced => "This invitation was replaced",
        _ => "This invitation link is not valid",
    };
    let markup = page(
        title,
        None,
        html! {
            section.card.narrow #invitation-refused {
                h1 { (title) }
                p { (error.to_string()) }
                @if matches!(error, user::Error::InvitationAlreadyUsed) { p { a href="/login" { "Log in" } } }
            }
        },
    );
    (status, markup).into_response()
}

fn form_page(token: &str, csrf: &str, first_name: &str, error: Option<&str>) -> Markup {
    page(
        "Choose your password",
        None,
        html! {
            section.card.narrow {
                h1 { "Welcome, " (first_name) }
                p { "Choose the password for your Switchboard account." }
                @if let Some(e) = error { p.error role="alert" { (e) } }
                form method="post" action={"/invitation/" (token)} #choose-password {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="password" { "Password (at least " (password::MIN_LEN) " characters)" }
                    input #password type="password" name="password" autocomplete="new-password" required minlength=(password::MIN_LEN);
                    label for="confirm" { "The same password again" }
                    input #confirm type="password" name="confirm" autocomplete="new-password" required;
                    p { button type="submit" { "Set my password" } }
                }
            }
        },
    )
}

fn csrf_cookie(app: &App, token: String) -> Cookie<'static> {
    Cookie::build((CSRF_COOKIE, token)).http_only(true).same_site(SameSite::Strict).secure(app.settings.secure_cookies).path("/invitation").build()
}

pub async fn show(State(app): State<App>, jar: CookieJar, Path(token): Path<String>) -> Result<Response, AppError> {
    match check(&app, &token).await? {
        Err(e) => Ok(refused(&e)),
        Ok((_, state)) => {
            let csrf = auth::random_token();
            let first = state.registration.map(|r| r.profile.first_name).unwrap_or_default();
            Ok((jar.add(csrf_cookie(&app, csrf.clone())), form_page(&token, &csrf, &first, None)).into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

pub async fn accept(State(app): State<App>, jar: CookieJar, Path(token): Path<String>, Form(form): Form<PasswordForm>) -> Result<Response, AppError> {
    let (user_id, state) = match check(&app, &token).await? {
        Err(e) => return Ok(refused(&e)),
        Ok(found) => found,
    };
    let first = state.registration.map(|r| r.profile.first_name).unwrap_or_default();
    let expected = jar.get(CSRF_COOKIE).map(|c| c.value().to_owned()).unwrap_or_default();
    let problem = if expected.is_empty() || !auth::same_secret(&expected, &form.csrf) {
        Some("This form had expired. Please type your password again.".to_owned())
    } else if let Err(e) = password::check_strength(&form.password) {
        Some(format!("{}.", capitalise(&e.to_string())))
    } else if form.password != form.confirm {
        Some("The two passwords differ.".to_owned())
    } else {
        None
    };
    if let Some(problem) = problem {
        let csrf = auth::random_token();
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, jar.add(csrf_cookie(&app, csrf.clone())), form_page(&token, &csrf, &first, Some(&problem)))
            .into_response());
    }
    let hash = password::hash(form.password).await.map_err(|e| AppError::Internal(e.to_string()))?;
    match app.accounts.accept_invitation(user_id, &auth::hash_token(&token), &hash).await {
        Ok(outcome) => {
            app.read_your_writes(projections::users::Users::NAME, outcome.position).await?;
            let markup = page(
                "Password set",
                None,
                html! {
                    section.card.narrow #invitation-accepted {
                        h1 { "Your password is set" }
                        p { "You can now log in with your e-mail address and this password." }
                        p { a.button href="/login" { "Log in" } }
                    }
                },
            );
            Ok((jar.remove(Cookie::build(CSRF_COOKIE).path("/invitation")), markup).into_response())
        }
        Err(commands::Error::User(e)) => Ok(refused(&e)),
        Err(e) => Err(e.into()),
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}
