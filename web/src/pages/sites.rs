//! Administration → Configuration → Sites & Hotlines: the list, adding and editing a site,
//! its widget settings and key, the installation page, "Test my module", and deletion.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use domain::site::{Language, Position, Weights, WidgetSettings};
use domain::SiteId;
use maud::{html, Markup, PreEscaped};
use projections::sites::SiteRow;
use serde::Deserialize;

use super::flash::{self, Flash};
use super::layout::{error_id, field_error, page, strings};
use super::{ConfirmForm, Form, Path};
use crate::auth::{check_csrf, Admin};
use crate::error::{refusal, AppError, Refusal};
use crate::Web;
use app::auth::Session;
use app::sites::{self as site_admin, split_urls};
use locale::t;

/// Where a message has something of the page's own (a name in bold, a piece of code): the
/// message is asked for with `MARKS[i]` as the value of that place, then `spliced` puts
/// `parts[i]` there, so a language may order the places as it needs.
pub(super) const MARKS: [&str; 4] = ["\u{E000}", "\u{E001}", "\u{E002}", "\u{E003}"];

pub(super) fn spliced(text: &str, parts: &[Markup]) -> Markup {
    let mut pieces: Vec<Markup> = Vec::new();
    let mut rest = text;
    while let Some((at, i)) = MARKS.iter().enumerate().take(parts.len()).filter_map(|(i, m)| rest.find(m).map(|at| (at, i))).min() {
        pieces.push(html! { (rest[..at]) });
        pieces.push(html! { (parts[i]) });
        rest = &rest[at + MARKS[i].len()..];
    }
    pieces.push(html! { (rest) });
    html! { @for p in pieces { (p) } }
}

/// A refused form comes back with the message; a server fault stays an error.
fn refused(e: app::Error, render: impl FnOnce(&str, Option<&'static str>) -> Markup) -> Result<Response, AppError> {
    let Refusal { status, message, field } = refusal(e)?;
    Ok((status, render(&message, field)).into_response())
}

pub async fn list(State(web): State<Web>, Admin(session): Admin, jar: CookieJar) -> Result<Response, AppError> {
    let sites = site_admin::list(&web, &session).await?;
    let (jar, flash) = Flash::take(jar);
    let markup = page(
        &t!("sites-title"),
        Some(&session),
        html! {
            p.muted.small { (t!("sites-breadcrumb")) }
            @if let Some(n) = &flash.notice { p.notice role="status" { (n) } }
            h1 { (t!("sites-title")) }
            div.toolbar { a.button href="/admin/sites/new" { (t!("sites-add")) } }
            table #sites {
                thead {
                    tr {
                        th { (t!("sites-col-site")) } th { (t!("sites-col-urls")) } th { (t!("sites-high")) } th { (t!("sites-normal")) }
                        th { (t!("sites-low")) } th { (t!("sites-col-online")) } th { "" }
                    }
                }
                tbody {
                    @for s in &sites {
                        tr data-site=(s.site.site_id) {
                            td { a href={"/admin/sites/" (s.site.site_id)} { (s.site.name) } }
                            td { @for url in &s.site.urls { div { (url) } } }
                            td.count { (s.high) } td.count { (s.normal) } td.count { (s.low) }
                            td.online {
                                @if s.online > 0 { span.status.active { (t!("sites-online", count = s.online)) } } @else { span.status.deactivated { (t!("sites-nobody")) } }
                            }
                            td {
                                a.pencil href={"/admin/sites/" (s.site.site_id)} aria-label=(t!("sites-edit-name", name = &s.site.name)) title=(t!("sites-edit")) { "✎" } " "
                                a href={"/admin/sites/" (s.site.site_id) "/install"} { (t!("sites-install")) } " · "
                                a href={"/admin/sites/" (s.site.site_id) "/test"} target="_blank" { (t!("sites-test")) }
                            }
                        }
                    }
                    @if sites.is_empty() { tr { td colspan="7" .muted { (t!("sites-empty")) } } }
                }
            }
        },
    );
    Ok((jar, markup).into_response())
}

#[derive(Deserialize, Default)]
pub struct SiteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    urls: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    restrict_to_urls: Option<String>,
}

fn site_fields(form: &SiteForm, message: Option<&str>, field: Option<&str>) -> Markup {
    html! {
        label for="name" { (t!("sites-name-label")) }
        input #name name="name" value=(form.name) required aria-invalid=(field == Some("name")) aria-describedby=[error_id(field, "name")];
        (field_error(field, "name", message))
        label for="urls" { (t!("sites-urls-label")) }
        textarea #urls name="urls" rows="3" placeholder=(t!("sites-urls-placeholder")) aria-invalid=(field == Some("urls")) aria-describedby=[error_id(field, "urls")] { (form.urls) }
        (field_error(field, "urls", message))
        p.muted.small { (t!("sites-urls-help")) }
        label.check { input type="checkbox" name="restrict_to_urls" checked[form.restrict_to_urls.is_some()]; " " (t!("sites-restrict")) }
        label for="notes" { (t!("sites-notes-label")) }
        textarea #notes name="notes" rows="3" aria-invalid=(field == Some("notes")) aria-describedby=[error_id(field, "notes")] { (form.notes) }
        (field_error(field, "notes", message))
    }
}

pub async fn new_form(Admin(session): Admin) -> Markup {
    new_page(&session, &SiteForm::default(), None, None)
}

fn new_page(session: &Session, form: &SiteForm, message: Option<&str>, field: Option<&str>) -> Markup {
    page(
        &t!("sites-add"),
        Some(session),
        html! {
            p { a href="/admin/sites" { (t!("sites-back")) } }
            h1 { (t!("sites-add")) }
            @if let (Some(m), None) = (message, field) { p.error role="alert" { (m) } }
            form.card method="post" action="/admin/sites/new" #new-site {
                input type="hidden" name="csrf" value=(session.csrf);
                (site_fields(form, message, field))
                p { button type="submit" { (t!("sites-create")) } }
            }
        },
    )
}

pub async fn create(State(web): State<Web>, Admin(session): Admin, Form(form): Form<SiteForm>) -> Result<Response, AppError> {
    check_csrf(&session, &form.csrf)?;
    match site_admin::create(&web, &session, &form.name, split_urls(&form.urls), &form.notes, form.restrict_to_urls.is_some()).await {
        Ok(id) => Ok(Redirect::to(&format!("/admin/sites/{id}/install")).into_response()),
        Err(e) => refused(e, |m, f| new_page(&session, &form, Some(m), f)),
    }
}

// ---- Editing -------------------------------------------------------------------------

fn site_form(site: &SiteRow) -> SiteForm {
    SiteForm {
        csrf: String::new(),
        name: site.name.clone(),
        urls: site.urls.join("\n"),
        notes: site.notes.clone(),
        restrict_to_urls: site.restrict_to_urls.then(|| "on".into()),
    }
}

/// Which panel an error or a notice is about.
#[derive(Default)]
struct Feedback<'a> {
    notice: Option<&'a str>,
    message: Option<&'a str>,
    field: Option<&'a str>,
    general: Option<&'a SiteForm>,
    widget: Option<&'a SettingsForm>,
    hours: Option<&'a super::hours::HoursForm>,
    /// What was typed in the accept card: switched on, and the seconds.
    accept: Option<(bool, &'a str)>,
}

async fn edit_page(web: &Web, session: &Session, site: &SiteRow, fb: Feedback<'_>) -> Result<Markup, AppError> {
    let origins = app::widget::unlisted_origins(web, site).await?;
    let advisors = site_admin::advisors(web, session, site.site_id).await?;
    let general = fb.general.cloned_or(site_form(site));
    let widget = fb.widget.cloned_or(SettingsForm::from(&site.settings));
    let hours = fb.hours.cloned_or(super::hours::HoursForm::from(&site.hours));
    let hours_now = app::hours::for_reader(web, site.site_id).await?;
    let (message, field) = (fb.message, fb.field);
    let count = |p| advisors.iter().filter(|a| a.priority == Some(p)).count();
    let base = format!("/admin/sites/{}", site.site_id);
    Ok(page(
        &site.name,
        Some(session),
        html! {
            p { a href="/admin/sites" { (t!("sites-back")) } }
            h1 { (site.name) }
            @if let Some(n) = fb.notice { p.notice role="status" { (n) } }
            @if let (Some(m), None) = (message, field) { p.error role="alert" { (m) } }
            @if !origins.is_empty() {
                div.warning role="alert" #unlisted-origins {
                    strong { (t!("sites-unlisted-heading")) }
                    ul { @for (origin, seen) in &origins { li { (t!("sites-unlisted-seen", origin = origin, seen = locale::reader().date_time(*seen))) } } }
                    @if site.restrict_to_urls { p { (t!("sites-unlisted-refused")) } }
                    @else { p { (t!("sites-unlisted-advice")) } }
                }
            }
            section.card #advisors-panel {
                h2 { (t!("sites-advisors")) }
                p {
                    (t!("sites-advisors-high")) " " strong { (count(domain::site::Priority::High)) }
                    " · " (t!("sites-advisors-normal")) " " strong { (count(domain::site::Priority::Normal)) }
                    " · " (t!("sites-advisors-low")) " " strong { (count(domain::site::Priority::Low)) }
                }
                a.button href={(base) "/agents"} { (t!("sites-configure")) }
            }
            form.card method="post" action=(base) #site-general {
                h2 { (t!("sites-general")) }
                input type="hidden" name="csrf" value=(session.csrf);
                (site_fields(&general, message, field))
                p { button type="submit" { (t!("sites-save")) } }
            }
            form.card method="post" action={(base) "/widget"} #site-widget {
                h2 { (t!("sites-widget")) }
                input type="hidden" name="csrf" value=(session.csrf);
                (settings_fields(&widget, message, field))
                p.muted.small { (t!("sites-widget-help")) }
                p { button type="submit" { (t!("sites-save")) } }
            }
            (super::hours::card(session, site.site_id, &hours, &hours_now, message, field))
            form.card method="post" action={(base) "/weights"} #site-weights {
                h2 { (t!("sites-weights")) }
                p.muted.small { (t!("sites-weights-help")) }
                input type="hidden" name="csrf" value=(session.csrf);
                div.weights {
                    @for (name, label, value) in [("high", t!("sites-high"), site.weights.high), ("normal", t!("sites-normal"), site.weights.normal), ("low", t!("sites-low"), site.weights.low)] {
                        // A weight out of range is that field's error; a rule broken by the three together, all three's.
                        @let invalid = field == Some(name) || field == Some("weights");
                        label { (label) " " input type="number" name=(name) min="1" max="100" value=(value) aria-invalid=(invalid)
                            aria-describedby=[invalid.then_some("weights-error")]; }
                    }
                }
                @if matches!(field, Some("high" | "normal" | "low" | "weights")) { p.field-error role="alert" #weights-error { (message.unwrap_or_default()) } }
                p { button type="submit" { (t!("sites-save")) } }
            }
            (accept_card(session, &base, fb.accept.unwrap_or((site.accept_seconds.is_some(), "")), site.accept_seconds, message, field))
            section.card #site-key {
                h2 { (t!("sites-key")) }
                p { code #widget-key { (site.widget_key) } }
                p.muted.small { (t!("sites-key-help")) }
                a.button.secondary href={(base) "/key"} #rotate-key { (t!("sites-rotate-link")) }
                " " a href={(base) "/install"} { (t!("sites-installation")) } " · " a href={(base) "/test"} target="_blank" { (t!("sites-test-my-module")) }
            }
            section.card {
                h2 { (t!("sites-delete")) }
                a.button.danger href={(base) "/delete"} { (t!("sites-delete-link")) }
            }
        },
    ))
}

trait ClonedOr<T> {
    fn cloned_or(self, default: T) -> T;
}

impl<T: Clone> ClonedOr<T> for Option<&T> {
    fn cloned_or(self, default: T) -> T {
        self.cloned().unwrap_or(default)
    }
}

pub async fn edit(State(web): State<Web>, Admin(session): Admin, jar: CookieJar, Path(id): Path<SiteId>) -> Result<Response, AppError> {
    let site = site_admin::load(&web, &session, id).await?;
    if site.deleted {
        return Ok((StatusCode::GONE, deleted_page(&session, &site)).into_response());
    }
    let (jar, flash) = Flash::take(jar);
    let feedback = Feedback { notice: flash.notice.as_deref(), message: flash.error.as_deref(), ..Default::default() };
    Ok((jar, edit_page(&web, &session, &site, feedback).await?).into_response())
}

fn deleted_page(session: &Session, site: &SiteRow) -> Markup {
    page(
        &site.name,
        Some(session),
        html! { section.card { h1 { (site.name) } p { (t!("sites-deleted")) } p { a href="/admin/sites" { (t!("sites-back-to-sites")) } } } },
    )
}

impl Clone for SiteForm {
    fn clone(&self) -> Self {
        SiteForm {
            csrf: String::new(),
            name: self.name.clone(),
            urls: self.urls.clone(),
            notes: self.notes.clone(),
            restrict_to_urls: self.restrict_to_urls.clone(),
        }
    }
}

pub async fn save_general(
    State(web): State<Web>,
    Admin(session): Admin,
    jar: CookieJar,
    Path(id): Path<SiteId>,
    Form(form): Form<SiteForm>,
) -> Result<Response, AppError> {
    check_csrf(&session, &form.csrf)?;
    let site = site_admin::load_live(&web, &session, id).await?;
    let result = site_admin::change(&web, &session, id, &form.name, split_urls(&form.urls), &form.notes, form.restrict_to_urls.is_some()).await;
    respond(&web, &session, jar, &site, result, Some(&form), None).await
}

/// After a save: back to the edit page (303) saying "Saved.", or the refusal shown in the
/// panel whose form (`general` or `widget`) was sent, with what was typed (422).
async fn respond(
    web: &Web,
    session: &Session,
    jar: CookieJar,
    site: &SiteRow,
    result: Result<(), app::Error>,
    general: Option<&SiteForm>,
    widget: Option<&SettingsForm>,
) -> Result<Response, AppError> {
    match result {
        Ok(()) => Ok(flash::done(jar, &format!("/admin/sites/{}", site.site_id), &t!("sites-saved"))),
        Err(e) => {
            let Refusal { status, message, field } = refusal(e)?;
            let feedback = Feedback { message: Some(&message), field, general, widget, ..Default::default() };
            Ok((status, edit_page(web, session, site, feedback).await?).into_response())
        }
    }
}

/// After saving business hours: as `respond`, the refusal shown in the hours card.
pub(super) async fn respond_hours(
    web: &Web,
    session: &Session,
    jar: CookieJar,
    site: &SiteRow,
    result: Result<(), app::Error>,
    form: &super::hours::HoursForm,
) -> Result<Response, AppError> {
    match result {
        Ok(()) => Ok(flash::done(jar, &format!("/admin/sites/{}", site.site_id), &t!("sites-saved"))),
        Err(e) => {
            let Refusal { status, message, field } = refusal(e)?;
            let feedback = Feedback { message: Some(&message), field, hours: Some(form), ..Default::default() };
            Ok((status, edit_page(web, session, site, feedback).await?).into_response())
        }
    }
}

#[derive(Deserialize, Clone)]
pub struct SettingsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    colour: String,
    #[serde(default)]
    greeting: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    offline_text: String,
    /// A checkbox: present when ticked.
    #[serde(default)]
    prechat_form: Option<String>,
}

impl From<&WidgetSettings> for SettingsForm {
    /// The texts as the widget shows them: a default reads in the site's language.
    fn from(s: &WidgetSettings) -> Self {
        let s = &crate::widget::for_visitors(s);
        SettingsForm {
            csrf: String::new(),
            colour: s.colour.clone(),
            greeting: s.greeting.clone(),
            position: match s.position {
                Position::BottomRight => "bottom-right".into(),
                Position::BottomLeft => "bottom-left".into(),
            },
            language: match s.language {
                Language::En => "en".into(),
                Language::Fr => "fr".into(),
            },
            offline_text: s.offline_text.clone(),
            prechat_form: s.prechat_form.then(|| "on".into()),
        }
    }
}

impl SettingsForm {
    fn settings(&self) -> Result<WidgetSettings, app::Error> {
        Ok(WidgetSettings {
            colour: self.colour.clone(),
            greeting: self.greeting.clone(),
            position: site_admin::parse_position(&self.position)?,
            language: site_admin::parse_language(&self.language)?,
            offline_text: self.offline_text.clone(),
            prechat_form: self.prechat_form.is_some(),
        })
    }
}

fn settings_fields(form: &SettingsForm, message: Option<&str>, field: Option<&str>) -> Markup {
    html! {
        label for="colour" { (t!("sites-colour")) }
        input #colour type="color" name="colour" value=(form.colour) aria-invalid=(field == Some("colour")) aria-describedby=[error_id(field, "colour")];
        (field_error(field, "colour", message))
        label for="greeting" { (t!("sites-greeting")) }
        textarea #greeting name="greeting" rows="2" aria-invalid=(field == Some("greeting")) aria-describedby=[error_id(field, "greeting")] { (form.greeting) }
        (field_error(field, "greeting", message))
        label for="position" { (t!("sites-position")) }
        select #position name="position" {
            option value="bottom-right" selected[form.position == "bottom-right"] { (t!("sites-bottom-right")) }
            option value="bottom-left" selected[form.position == "bottom-left"] { (t!("sites-bottom-left")) }
        }
        label for="language" { (t!("sites-language")) }
        select #language name="language" {
            option value="en" selected[form.language == "en"] { "English" }
            option value="fr" selected[form.language == "fr"] { "Français" }
        }
        label for="offline_text" { (t!("sites-offline-text")) }
        textarea #offline_text name="offline_text" rows="2" aria-invalid=(field == Some("offline_text")) aria-describedby=[error_id(field, "offline_text")] { (form.offline_text) }
        (field_error(field, "offline_text", message))
        label.check { input #prechat_form type="checkbox" name="prechat_form" checked[form.prechat_form.is_some()]; " " (t!("sites-prechat-form")) }
        p.muted.small { (t!("sites-prechat-form-help")) }
    }
}

pub async fn save_widget(
    State(web): State<Web>,
    Admin(session): Admin,
    jar: CookieJar,
    Path(id): Path<SiteId>,
    Form(form): Form<SettingsForm>,
) -> Result<Response, AppError> {
    check_csrf(&session, &form.csrf)?;
    let site = site_admin::load_live(&web, &session, id).await?;
    let result = match form.settings() {
        Ok(settings) => site_admin::settings(&web, &session, id, settings).await,
        Err(e) => Err(e),
    };
    respond(&web, &session, jar, &site, result, None, Some(&form)).await
}

#[derive(Deserialize)]
pub struct WeightsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    high: String,
    #[serde(default)]
    normal: String,
    #[serde(default)]
    low: String,
}

pub async fn save_weights(
    State(web): State<Web>,
    Admin(session): Admin,
    jar: CookieJar,
    Path(id): Path<SiteId>,
    Form(form): Form<WeightsForm>,
) -> Result<Response, AppError> {
    check_csrf(&session, &form.csrf)?;
    let site = site_admin::load_live(&web, &session, id).await?;
    let parsed = (|| {
        Ok::<_, app::Error>(Weights {
            high: site_admin::parse_weight("high", &form.high)?,
            normal: site_admin::parse_weight("normal", &form.normal)?,
            low: site_admin::parse_weight("low", &form.low)?,
        })
    })();
    let result = match parsed {
        Ok(w) => site_admin::weights(&web, &session, id, w).await,
        Err(e) => Err(e),
    };
    respond(&web, &session, jar, &site, result, None, None).await
}

/// Accept before it counts: off by default; on, a new chat rings the chosen agent for the
/// given seconds before it goes to the next.
fn accept_card(session: &Session, base: &str, (on, typed): (bool, &str), seconds: Option<u16>, message: Option<&str>, field: Option<&str>) -> Markup {
    let invalid = field == Some("accept_seconds");
    let range = domain::site::ACCEPT_SECONDS;
    let value = if typed.is_empty() { seconds.unwrap_or(30).to_string() } else { typed.to_owned() };
    html! {
        form.card method="post" action={(base) "/accept"} #site-accept {
            h2 { (t!("sites-accept")) }
            p.muted.small { (t!("sites-accept-help")) }
            input type="hidden" name="csrf" value=(session.csrf);
            p { label { input type="checkbox" name="enabled" value="on" checked[on]; " " (t!("sites-accept-enabled")) } }
            p {
                label for="accept-seconds" { (t!("sites-accept-seconds", min = *range.start(), max = *range.end())) } " "
                input #accept-seconds type="number" name="seconds" min=(range.start()) max=(range.end()) value=(value)
                    aria-invalid=(invalid) aria-describedby=[invalid.then_some("accept-error")];
            }
            @if invalid { p.field-error role="alert" #accept-error { (message.unwrap_or_default()) } }
            p { button type="submit" { (t!("sites-save")) } }
        }
    }
}

#[derive(Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    csrf: String,
    enabled: Option<String>,
    #[serde(default)]
    seconds: String,
}

pub async fn save_accept(
    State(web): State<Web>,
    Admin(session): Admin,
    jar: CookieJar,
    Path(id): Path<SiteId>,
    Form(form): Form<AcceptForm>,
) -> Result<Response, AppError> {
    check_csrf(&session, &form.csrf)?;
    let site = site_admin::load_live(&web, &session, id).await?;
    let result = match (form.enabled.is_some(), form.seconds.trim().parse::<u16>()) {
        (false, _) => site_admin::accept_timeout(&web, &session, id, None).await,
        (true, Ok(seconds)) => site_admin::accept_timeout(&web, &session, id, Some(seconds)).await,
        (true, Err(_)) => Err(commands::Error::from(domain::site::Error::BadAcceptTimeout).into()),
    };
    match result {
        Ok(()) => Ok(flash::done(jar, &format!("/admin/sites/{}", site.site_id), &t!("sites-saved"))),
        Err(e) => {
            // Refused: the card shows what was typed, with the reason beside the field.
            let Refusal { status, message, field } = refusal(e)?;
            let accept = Some((form.enabled.is_some(), form.seconds.as_str()));
            let feedback = Feedback { message: Some(&message), field, accept, ..Default::default() };
            Ok((status, edit_page(&web, &session, &site, feedback).await?).into_response())
        }
    }
}

/// "Are you sure?" before rotating the widget key, with what it breaks; works without JavaScript.
pub async fn confirm_rotate_key(State(web): State<Web>, Admin(session): Admin, Path(id): Path<SiteId>) -> Result<Markup, AppError> {
    let site = site_admin::load_live(&web, &session, id).await?;
    Ok(page(
        &t!("sites-rotate-title"),
        Some(&session),
        html! {
            section.card.narrow #confirm-rotate-key {
                h1 { (t!("sites-rotate-heading", name = &site.name)) }
                ul {
                    li { (spliced(&t!("sites-rotate-stops", mark = MARKS[0]), &[html! { code { (site.widget_key) } }])) }
                    li { (t!("sites-rotate-paste")) }
                    li { (t!("sites-history-stays")) }
                }
                form method="post" action={"/admin/sites/" (site.site_id) "/key"} {
                    input type="hidden" name="csrf" value=(session.csrf);
                    input type="hidden" name="confirm" value="yes";
                    p { button.danger type="submit" { (t!("sites-rotate-button")) } " " a href={"/admin/sites/" (site.site_id)} { (t!("sites-cancel")) } }
                }
            }
        },
    ))
}

pub async fn rotate_key(
    State(web): State<Web>,
    Admin(session): Admin,
    jar: CookieJar,
    Path(id): Path<SiteId>,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, AppError> {
    check_csrf(&session, &form.csrf)?;
    let site = site_admin::load_live(&web, &session, id).await?;
    if !form.is_confirmed() {
        return Ok(Redirect::to(&format!("/admin/sites/{}/key", site.site_id)).into_response());
    }
    site_admin::rotate_key(&web, &session, id).await?;
    Ok(flash::done(jar, &format!("/admin/sites/{}", site.site_id), &t!("sites-rotated")))
}

// ---- Deleting ------------------------------------------------------------------------

pub async fn delete_form(State(web): State<Web>, Admin(session): Admin, Path(id): Path<SiteId>) -> Result<Markup, AppError> {
    let site = site_admin::load_live(&web, &session, id).await?;
    Ok(page(
        &t!("sites-delete-title"),
        Some(&session),
        html! {
            section.card {
                h1 { (t!("sites-delete-heading", name = &site.name)) }
                p { (t!("sites-delete-explain")) }
                form method="post" action={"/admin/sites/" (site.site_id) "/delete"} #confirm-delete {
                    input type="hidden" name="csrf" value=(session.csrf);
                    label.check { input type="checkbox" name="confirm" required; " " (t!("sites-delete-yes", name = &site.name)) }
                    p { button.danger type="submit" { (t!("sites-delete-button")) } " " a href={"/admin/sites/" (site.site_id)} { (t!("sites-cancel")) } }
                }
            }
        },
    ))
}

pub async fn delete(
    State(web): State<Web>,
    Admin(session): Admin,
    jar: CookieJar,
    Path(id): Path<SiteId>,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, AppError> {
    check_csrf(&session, &form.csrf)?;
    site_admin::load_live(&web, &session, id).await?;
    form.confirmed(&t!("sites-delete-tick"))?;
    site_admin::delete(&web, &session, id).await?;
    Ok(flash::done(jar, "/admin/sites", &t!("sites-deleted-notice")))
}

// ---- Installing and testing -------------------------------------------------------------

pub async fn install(State(web): State<Web>, Admin(session): Admin, Path(id): Path<SiteId>) -> Result<Markup, AppError> {
    let site = site_admin::load_live(&web, &session, id).await?;
    let snippet = site_admin::snippet(&web, &site);
    Ok(page(
        &t!("sites-install-title"),
        Some(&session),
        html! {
            p { a href={"/admin/sites/" (site.site_id)} { "← " (site.name) } }
            h1 { (t!("sites-install-title")) }
            section.card {
                p { (spliced(&t!("sites-install-paste", site = MARKS[0], body = MARKS[1]), &[html! { strong { (site.name) } }, body_tag()])) }
                pre.snippet { code #snippet { (snippet) } }
                p {
                    button type="button" data-copy="#snippet" { (t!("sites-copy")) } " "
                    a.button.secondary href={"/admin/sites/" (site.site_id) "/test"} target="_blank" { (t!("sites-test-my-module")) }
                }
                p.muted.small { (t!("sites-install-async")) }
            }
            section.card #cms {
                h2 { (t!("sites-platforms")) }
                dl.platforms {
                    dt { "WordPress" }
                    dd #wordpress {
                        (spliced(
                            &t!("sites-install-wordpress", download = MARKS[0], plugin = MARKS[1], address = MARKS[2], key = MARKS[3]),
                            &[
                                html! { a href="/integrations/wordpress/switchboard-chat.zip" download { (t!("sites-install-wordpress-download")) } },
                                html! { strong { "Switchboard Chat" } },
                                html! { code { (web.settings.public_url) } },
                                html! { code { (site.widget_key) } },
                            ],
                        ))
                    }
                    dt { "Shopify" }
                    dd { (spliced(&t!("sites-install-shopify", file = MARKS[0], body = MARKS[1]), &[html! { code { "layout/theme.liquid" } }, body_tag()])) }
                    dt { "Wix" }
                    dd { (t!("sites-install-wix")) }
                    dt { "Squarespace" }
                    dd { (t!("sites-install-squarespace")) }
                    dt { "Google Tag Manager" }
                    dd { (t!("sites-install-gtm")) }
                    dt { (t!("sites-platform-others")) }
                    dd { (spliced(&t!("sites-install-others", body = MARKS[0]), &[body_tag()])) }
                }
            }
            (strings(&["copy-done", "copy-manual"]))
            script type="module" src="/static/copy.js" {}
        },
    ))
}

fn body_tag() -> Markup {
    html! { code { "</body>" } }
}

/// A page of Switchboard's own that loads the widget exactly as a customer's site would.
pub async fn test_page(State(web): State<Web>, Admin(session): Admin, Path(id): Path<SiteId>) -> Result<Markup, AppError> {
    let site = site_admin::load_live(&web, &session, id).await?;
    let snippet = site_admin::snippet(&web, &site);
    Ok(html! {
        (maud::DOCTYPE)
        html lang=(locale::lang().code()) data-tz=(locale::reader().tz.name()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (t!("sites-test-title", name = &site.name)) }
                link rel="stylesheet" href="/static/app.css";
            }
            body {
                main {
                    section.card {
                        h1 { (t!("sites-test-heading", name = &site.name)) }
                        p { (t!("sites-test-intro")) }
                        ul #checks {
                            li #check-script { (t!("sites-test-script")) " " span.pending { (t!("sites-test-loading")) } }
                            li #check-agents { (t!("sites-test-agents")) " " span.pending { (t!("sites-test-asking")) } }
                        }
                        pre.snippet { code { (snippet) } }
                        p.muted.small { (t!("sites-test-hint")) }
                    }
                }
                (strings(&["sites-test-inactive", "sites-test-unknown", "sites-test-running", "sites-test-online", "sites-test-nobody", "sites-test-not-loaded"]))
                script type="module" src="/static/test-module.js" {}
                (PreEscaped(snippet))
            }
        }
    })
}
