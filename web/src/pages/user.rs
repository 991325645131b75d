//! Editing one user (the pencil in the list): Profile, Settings and History tabs, and the
//! account actions (deactivate, reactivate, resend the invitation).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use domain::user::{Profile, MAX_CHATS_LIMIT};
use domain::UserId;
use locale::t;
use maud::{html, Markup};
use projections::users::{Status, UserRow};
use serde::Deserialize;

use super::flash::{self, Flash};
use super::layout::{error_id, field_error, page};
use super::users::status_name;
use super::{ConfirmForm, Form, Path};
use crate::auth::{check_csrf, Admin};
use crate::error::{refusal, AppError, Refusal};
use crate::Web;
use app::auth::Session;
use app::users as admin;

#[derive(Clone, Copy, PartialEq)]
enum Tab {
    Profile,
    Settings,
    History,
}

async fn load(web: &Web, session: &Session, user_id: UserId) -> Result<UserRow, AppError> {
    Ok(admin::get(web, session, user_id).await?)
}

fn frame(session: &Session, user: &UserRow, tab: Tab, notice: Option<&str>, error: Option<&str>, body: Markup) -> Markup {
    let base = format!("/admin/users/{}", user.user_id);
    let tab_link = |t: Tab, href: String, label: &str| {
        html! { a.tab.active[t == tab] href=(href) aria-current=[(t == tab).then_some("page")] { (label) } }
    };
    page(
        &user.profile.full_name(),
        Some(session),
        html! {
            p { a href="/admin/users" { (t!("users-back-to-list")) } }
            h1 { (user.profile.full_name()) " " span class={"status " (user.status.as_str())} { (status_name(user.status)) } }
            @if let Some(n) = notice { p.notice role="status" { (n) } }
            @if let Some(e) = error { p.error role="alert" { (e) } }
            nav.tabs {
                (tab_link(Tab::Profile, base.clone(), &t!("users-tab-profile")))
                (tab_link(Tab::Settings, format!("{base}/settings"), &t!("users-tab-settings")))
                (tab_link(Tab::History, format!("{base}/history"), &t!("users-tab-history")))
            }
            (body)
            (actions(session, user))
        },
    )
}

fn actions(session: &Session, user: &UserRow) -> Markup {
    let base = format!("/admin/users/{}", user.user_id);
    html! {
        section.card.actions {
            h2 { (t!("users-account")) }
            @if user.status == Status::Invited {
                form.inline method="post" action={(base) "/invitation"} {
                    input type="hidden" name="csrf" value=(session.csrf);
                    button.secondary type="submit" { (t!("users-resend")) }
                }
                @if let Some(expires) = user.invitation_expires_at {
                    span.muted { " " (t!("users-link-expires", when = locale::reader().date_time(expires))) }
                }
            }
            @if user.status == Status::Active {
                form.inline method="post" action={(base) "/password-reset"} #send-reset {
                    input type="hidden" name="csrf" value=(session.csrf);
                    button.secondary type="submit" { (t!("users-send-reset")) }
                }
                span.muted { " " (t!("users-send-reset-help")) }
                br;
            }
            @if user.status == Status::Deactivated {
                form.inline method="post" action={(base) "/reactivate"} {
                    input type="hidden" name="csrf" value=(session.csrf);
                    button type="submit" { (t!("users-reactivate")) }
                }
                span.muted { " " (t!("users-reactivate-help")) }
            } @else {
                a.button.danger href={(base) "/deactivate"} #deactivate { (t!("users-deactivate-button")) }
                span.muted { " " (t!("users-deactivate-help")) }
            }
        }
    }
}

pub async fn profile(State(web): State<Web>, Admin(session): Admin, jar: CookieJar, Path(user_id): Path<UserId>) -> Result<Response, AppError> {
    let user = load(&web, &session, user_id).await?;
    let form = ProfileForm::from(&user);
    let (jar, Flash { notice, error }) = Flash::take(jar);
    let body = profile_form(&session, &user, &form, None);
    Ok((jar, frame(&session, &user, Tab::Profile, notice.as_deref(), error.as_deref(), body)).into_response())
}

#[derive(Deserialize, Default)]
pub struct ProfileForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(flatten)]
    profile: Profile,
}

impl From<&UserRow> for ProfileForm {
    fn from(u: &UserRow) -> Self {
        ProfileForm { csrf: String::new(), email: u.email.clone(), profile: u.profile.clone() }
    }
}

fn profile_form(session: &Session, user: &UserRow, form: &ProfileForm, error: Option<(&str, Option<&str>)>) -> Markup {
    let (message, field) = error.map_or((None, None), |(m, f)| (Some(m), f));
    let text = |name: &'static str, label: &str, value: &str, required: bool, kind: &str| {
        html! {
            label for=(name) { (label) @if required { " *" } }
            input id=(name) name=(name) type=(kind) value=(value) required[required] aria-invalid=(field == Some(name)) aria-describedby=[error_id(field, name)];
            (field_error(field, name, message))
        }
    };
    html! {
        form.card method="post" action={"/admin/users/" (user.user_id)} #profile {
            input type="hidden" name="csrf" value=(session.csrf);
            @if let (Some(m), None) = (message, field) { p.error role="alert" { (m) } }
            (text("first_name", &t!("users-field-first-name"), &form.profile.first_name, true, "text"))
            (text("last_name", &t!("users-field-last-name"), &form.profile.last_name, true, "text"))
            (text("email", &t!("users-field-email"), &form.email, true, "email"))
            (text("display_name", &t!("users-field-display-name"), &form.profile.display_name, false, "text"))
            (text("phone", &t!("users-field-phone"), &form.profile.phone, false, "text"))
            (text("job_title", &t!("users-field-job-title"), &form.profile.job_title, false, "text"))
            p { button type="submit" { (t!("users-save")) } }
        }
    }
}

pub async fn save_profile(
    State(web): State<Web>,
    Admin(session): Admin,
    jar: CookieJar,
    Path(user_id): Path<UserId>,
    Form(form): Form<ProfileForm>,
) -> Result<Response, AppError> {
    check_csrf(&session, &form.csrf)?;
    let user = load(&web, &session, user_id).await?;
    let profile = form.profile.clone();
    match admin::update_profile(&web, &session, user_id, profile, &form.email).await {
        Ok(()) => Ok(flash::done(jar, &format!("/admin/users/{user_id}"), &t!("users-saved"))),
        Err(e) => {
            let Refusal { status, message, field } = refusal(e)?;
            Ok((status, frame(&session, &user, Tab::Profile, None, None, profile_form(&session, &user, &form, Some((&message, field)))))
                .into_response())
        }
    }
}

pub async fn settings(State(web): State<Web>, Admin(session): Admin, jar: CookieJar, Path(user_id): Path<UserId>) -> Result<Response, AppError> {
    let user = load(&web, &session, user_id).await?;
    let (jar, Flash { notice, error }) = Flash::take(jar);
    let body = settings_form(&session, &user, &user.max_chats.to_string(), None);
    Ok((jar, frame(&session, &user, Tab::Settings, notice.as_deref(), error.as_deref(), body)).into_response())
}

fn settings_form(session: &Session, user: &UserRow, value: &str, error: Option<&str>) -> Markup {
    html! {
        form.card method="post" action={"/admin/users/" (user.user_id) "/settings"} #settings {
            input type="hidden" name="csrf" value=(session.csrf);
            label for="max_chats" { (t!("users-max-chats-settings-label", limit = MAX_CHATS_LIMIT)) }
            input #max_chats type="number" name="max_chats" min="1" max=(MAX_CHATS_LIMIT) value=(value) aria-invalid=(error.is_some()) aria-describedby=[error.map(|_| "max_chats-error")];
            (field_error(error.map(|_| "max_chats"), "max_chats", error))
            p.muted.small { (t!("users-max-chats-help")) }
            p { button type="submit" { (t!("users-save")) } }
        }
    }
}

#[derive(Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    max_chats: String,
}

pub async fn save_settings(
    State(web): State<Web>,
    Admin(session): Admin,
    jar: CookieJar,
    Path(user_id): Path<UserId>,
    Form(form): Form<SettingsForm>,
) -> Result<Response, AppError> {
    check_csrf(&session, &form.csrf)?;
    let user = load(&web, &session, user_id).await?;
    let result = match form.max_chats.trim().parse::<i64>() {
        Ok(n) => admin::set_max_chats(&web, &session, user_id, n).await,
        Err(_) => Err(app::Error::invalid("max_chats", t!("users-max-chats-whole"))),
    };
    match result {
        Ok(()) => Ok(flash::done(jar, &format!("/admin/users/{user_id}/settings"), &t!("users-saved"))),
        Err(e) => {
            let Refusal { status, message, .. } = refusal(e)?;
            Ok((status, frame(&session, &user, Tab::Settings, None, None, settings_form(&session, &user, &form.max_chats, Some(&message))))
                .into_response())
        }
    }
}

pub async fn history(State(web): State<Web>, Admin(session): Admin, Path(user_id): Path<UserId>) -> Result<Markup, AppError> {
    let user = load(&web, &session, user_id).await?;
    let entries = admin::history(&web, &session, user_id).await?;
    Ok(frame(
        &session,
        &user,
        Tab::History,
        None,
        None,
        html! {
            table.card #history {
                thead { tr { th { (t!("users-history-when", zone = locale::reader().tz.name())) } th { (t!("users-history-who")) } th { (t!("users-history-what")) } } }
                tbody {
                    @for e in &entries {
                        tr { td { time datetime=(e.occurred_at.to_rfc3339()) { (locale::reader().date_time(e.occurred_at)) } } td { (e.who()) } td { (e.describe()) } }
                    }
                }
            }
        },
    ))
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// Deactivate, reactivate, resend, send a reset link: back to the profile page (303), which
/// says what was done or why it was refused.
fn act(jar: CookieJar, user_id: UserId, done: &str, result: Result<(), app::Error>) -> Result<Response, AppError> {
    let to = format!("/admin/users/{user_id}");
    match result {
        Ok(()) => Ok(flash::done(jar, &to, done)),
        Err(e) => {
            let e = AppError::from(e);
            if e.parts().0 == StatusCode::NOT_FOUND {
                // Nobody (of this company) to go back to.
                return Err(e);
            }
            let Refusal { message, .. } = refusal(e)?;
            Ok(flash::refused(jar, &to, &message))
        }
    }
}

/// "Are you sure?" before deactivating, with what it does; works without JavaScript.
pub async fn confirm_deactivate(State(web): State<Web>, Admin(session): Admin, Path(user_id): Path<UserId>) -> Result<Markup, AppError> {
    let user = load(&web, &session, user_id).await?;
    let name = user.profile.full_name();
    Ok(page(
        &t!("users-deactivate-title"),
        Some(&session),
        html! {
            section.card.narrow #confirm-deactivate {
                h1 { (t!("users-deactivate-question", name = name.as_str())) }
                ul {
                    li { (t!("users-deactivate-logged-out", name = name.as_str(), email = user.email.as_str())) }
                    li { (t!("users-deactivate-no-chats")) }
                    li { (t!("users-deactivate-seat")) }
                }
                form method="post" action={"/admin/users/" (user_id) "/deactivate"} {
                    input type="hidden" name="csrf" value=(session.csrf);
                    input type="hidden" name="confirm" value="yes";
                    p { button.danger type="submit" { (t!("users-deactivate-confirm", name = name.as_str())) } " " a href={"/admin/users/" (user_id)} { (t!("users-cancel")) } }
                }
            }
        },
    ))
}

pub async fn deactivate(
    State(web): State<Web>,
    Admin(session): Admin,
    jar: CookieJar,
    Path(user_id): Path<UserId>,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, AppError> {
    check_csrf(&session, &form.csrf)?;
    load(&web, &session, user_id).await?;
    if !form.is_confirmed() {
        // Not confirmed (an old form): ask first.
        return Ok(Redirect::to(&format!("/admin/users/{user_id}/deactivate")).into_response());
    }
    let result = admin::set_active(&web, &session, user_id, false).await;
    act(jar, user_id, &t!("users-deactivated"), result)
}

pub async fn reactivate(
    State(web): State<Web>,
    Admin(session): Admin,
    jar: CookieJar,
    Path(user_id): Path<UserId>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    check_csrf(&session, &form.csrf)?;
    let result = admin::set_active(&web, &session, user_id, true).await;
    act(jar, user_id, &t!("users-reactivated"), result)
}

pub async fn resend(
    State(web): State<Web>,
    Admin(session): Admin,
    jar: CookieJar,
    Path(user_id): Path<UserId>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    check_csrf(&session, &form.csrf)?;
    let result = admin::resend_invitation(&web, &session, user_id).await;
    act(jar, user_id, &t!("users-invitation-resent"), result)
}

pub async fn send_password_reset(
    State(web): State<Web>,
    Admin(session): Admin,
    jar: CookieJar,
    Path(user_id): Path<UserId>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    check_csrf(&session, &form.csrf)?;
    let result = app::auth::password_reset::send_to(&web, &session, user_id).await;
    act(jar, user_id, &t!("users-reset-sent"), result)
}

/// Old links to a user page, kept working.
pub async fn redirect_to_profile(Path(user_id): Path<UserId>) -> Redirect {
    Redirect::to(&format!("/admin/users/{user_id}"))
}
