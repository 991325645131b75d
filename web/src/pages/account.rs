//! Each user's own account page (who they are, the language and time zone they read in),
//! and the company's defaults an administrator sets.

use app::auth::Session;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use domain::company::Role;
use locale::{t, Lang};
use maud::{html, Markup};
use serde::Deserialize;

use super::flash::{self, Flash};
use super::layout::{field_error, page, role_name};
use super::login::first_page;
use super::Form;
use crate::auth::{check_csrf, Admin, User};
use crate::error::{refusal, AppError};
use crate::reader::{browser_language, reader_for};
use crate::Web;

#[derive(Deserialize)]
pub struct PreferencesForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    time_zone: String,
}

/// A language menu: `unset` names the first choice, when blank is allowed.
fn language_select(chosen: Option<&str>, unset: Option<String>, error: Option<&str>) -> Markup {
    html! {
        select #language name="language" aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| "language-error")] {
            @if let Some(u) = unset { option value="" selected[chosen.is_none()] { (u) } }
            @for l in Lang::ALL {
                option value=(l.code()) lang=(l.code()) selected[chosen == Some(l.code())] { (l.autonym()) }
            }
        }
    }
}

fn time_zone_select(chosen: Option<&str>, unset: Option<String>, error: Option<&str>) -> Markup {
    let chosen = chosen.or(if unset.is_none() { Some("UTC") } else { None });
    html! {
        select #time_zone name="time_zone" aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| "time_zone-error")] {
            @if let Some(u) = unset { option value="" selected[chosen.is_none()] { (u) } }
            @for z in locale::time_zone_names() {
                option value=(z) selected[chosen == Some(z)] { (z) }
            }
        }
    }
}

pub async fn show(User(session): User, jar: CookieJar) -> (CookieJar, Markup) {
    let (jar, flash) = Flash::take(jar);
    let roles = &session.user.roles;
    let company_zone = session.company_time_zone().unwrap_or(locale::Tz::UTC);
    let error_field = flash.error.as_ref().map(|_| "preferences");
    let markup = page(
        &t!("account-title"),
        Some(&session),
        html! {
            section.card #account {
                h1 { (t!("account-title")) }
                p { (t!("account-logged-in-as", name = session.user.profile.full_name(), email = session.user.email.as_str())) }
                @if roles.is_empty() {
                    p #no-role { (t!("account-no-role")) }
                } @else {
                    p { (t!("account-roles", roles = roles.iter().map(|r| role_name(r)).collect::<Vec<_>>().join(", "))) }
                    @if first_page(roles) == "/account" {
                        p #no-role { (t!("account-no-page")) }
                    } @else {
                        p { a.button href=(first_page(roles)) { (t!("account-continue")) } }
                    }
                }
            }
            section.card #preferences {
                h2 { (t!("account-preferences")) }
                @if let Some(n) = &flash.notice { p.notice role="status" { (n) } }
                @if let Some(e) = &flash.error { p.error role="alert" id="preferences-error" { (e) } }
                form method="post" action="/account/preferences" aria-describedby=[error_field.map(|_| "preferences-error")] {
                    input type="hidden" name="csrf" value=(session.csrf);
                    label for="language" { (t!("account-language")) }
                    (language_select(session.user.language.as_deref(), Some(t!("account-language-automatic")), None))
                    p.hint { (t!("account-language-hint")) }
                    label for="time_zone" { (t!("account-time-zone")) }
                    (time_zone_select(session.user.time_zone.as_deref(), Some(t!("account-time-zone-company", zone = company_zone.name())), None))
                    p { button type="submit" { (t!("account-save")) } }
                }
            }
            @if roles.iter().any(|r| r == Role::Agent.as_str()) { (notifications_form(&session)) (super::canned::account_card()) }
        },
    );
    (jar, markup)
}

/// An agent's console notifications: each on unless switched off here.
fn notifications_form(session: &Session) -> Markup {
    let chosen = session.user.notifications;
    html! {
        section.card #notifications {
            h2 { (t!("account-notifications")) }
            form method="post" action="/account/notifications" {
                input type="hidden" name="csrf" value=(session.csrf);
                label.check { input type="checkbox" name="sound" value="on" checked[chosen.sound]; " " (t!("account-notify-sound")) }
                label.check { input type="checkbox" name="desktop" value="on" checked[chosen.desktop]; " " (t!("account-notify-desktop")) }
                p.hint { (t!("account-notify-hint")) }
                p { button type="submit" { (t!("account-save")) } }
            }
        }
    }
}

#[derive(Deserialize)]
pub struct NotificationsForm {
    #[serde(default)]
    csrf: String,
    /// A checkbox: present ("on") when ticked, absent otherwise.
    #[serde(default)]
    sound: Option<String>,
    #[serde(default)]
    desktop: Option<String>,
}

pub async fn choose_notifications(
    State(web): State<Web>,
    User(session): User,
    jar: CookieJar,
    Form(form): Form<NotificationsForm>,
) -> Result<Response, AppError> {
    check_csrf(&session, &form.csrf)?;
    let notifications = domain::user::Notifications { sound: form.sound.is_some(), desktop: form.desktop.is_some() };
    match app::preferences::choose_notifications(&web, &session, notifications).await {
        Ok(()) => Ok(flash::done(jar, "/account#notifications", &t!("account-notify-saved"))),
        Err(e) => Ok(flash::refused(jar, "/account#notifications", &refusal(e)?.message)),
    }
}

/// The reader a changed session has from now on: the notice of the change is written for them.
fn reader_after(session: &Session, headers: &HeaderMap) -> Lang {
    reader_for(Some(session), browser_language(headers)).lang
}

pub async fn choose(
    State(web): State<Web>,
    User(session): User,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<PreferencesForm>,
) -> Result<Response, AppError> {
    check_csrf(&session, &form.csrf)?;
    match app::preferences::choose_language_and_time_zone(&web, &session, &form.language, &form.time_zone).await {
        Ok(preferences) => {
            let mut after = session.clone();
            (after.user.language, after.user.time_zone) = (preferences.language, preferences.time_zone);
            Ok(flash::done(jar, "/account", &locale::tl!(reader_after(&after, &headers), "account-saved")))
        }
        Err(e) => Ok(flash::refused(jar, "/account", &refusal(e)?.message)),
    }
}

fn company_page(session: &Session, error: Option<(&str, String)>, notice: Option<String>) -> Markup {
    let d = &session.company_defaults;
    let field = error.as_ref().map(|(f, _)| *f);
    let message = error.as_ref().map(|(_, m)| m.as_str());
    page(
        &t!("company-title"),
        Some(session),
        html! {
            section.card #company-defaults {
                h1 { (t!("company-title")) }
                p { (t!("company-intro")) }
                @if let Some(n) = notice { p.notice role="status" { (n) } }
                form method="post" action="/admin/company" {
                    input type="hidden" name="csrf" value=(session.csrf);
                    label for="language" { (t!("company-language")) }
                    (language_select(Some(d.language.as_deref().unwrap_or("en")), None, (field == Some("language")).then_some("")))
                    (field_error(field, "language", message))
                    label for="time_zone" { (t!("company-time-zone")) }
                    (time_zone_select(d.time_zone.as_deref(), None, (field == Some("time_zone")).then_some("")))
                    (field_error(field, "time_zone", message))
                    p { button type="submit" { (t!("account-save")) } }
                }
            }
        },
    )
}

pub async fn company(Admin(session): Admin, jar: CookieJar) -> (CookieJar, Markup) {
    let (jar, flash) = Flash::take(jar);
    (jar, company_page(&session, None, flash.notice))
}

pub async fn set_company_defaults(
    State(web): State<Web>,
    Admin(session): Admin,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<PreferencesForm>,
) -> Result<Response, AppError> {
    use axum::response::IntoResponse;
    check_csrf(&session, &form.csrf)?;
    match app::preferences::set_company_defaults(&web, &session, &form.language, &form.time_zone).await {
        Ok(defaults) => {
            let mut after = session.clone();
            after.company_defaults = defaults;
            Ok(flash::done(jar, "/admin/company", &locale::tl!(reader_after(&after, &headers), "company-saved")))
        }
        Err(e) => {
            let r = refusal(e)?;
            Ok((r.status, company_page(&session, Some((r.field.unwrap_or("language"), r.message)), None)).into_response())
        }
    }
}
