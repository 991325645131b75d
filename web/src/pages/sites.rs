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
use super::layout::{field_error, page};
use super::{ConfirmForm, Form, Path};
use crate::auth::{check_csrf, Admin};
use crate::error::{refusal, AppError, Refusal};
use crate::Web;
use app::auth::Session;
use app::sites::{self as site_admin, split_urls};

/// A refused form comes back with the message; a server fault stays an error.
fn refused(e: app::Error, render: impl FnOnce(&str, Option<&'static str>) -> Markup) -> Result<Response, AppError> {
    let Refusal { status, message, field } = refusal(e)?;
    Ok((status, render(&message, field)).into_response())
}

pub async fn list(State(web): State<Web>, Admin(session): Admin, jar: CookieJar) -> Result<Response, AppError> {
    let sites = site_admin::list(&web, &session).await?;
    let (jar, flash) = Flash::take(jar);
    let markup = page(
        "Sites & Hotlines",
        Some(&session),
        html! {
            p.muted.small { "Administration → Configuration → Sites & Hotlines" }
            @if let Some(n) = &flash.notice { p.notice role="status" { (n) } }
            h1 { "Sites & Hotlines" }
            div.toolbar { a.button href="/admin/sites/new" { "Add a site" } }
            table #sites {
                thead { tr { th { "Site" } th { "URLs" } th { "High" } th { "Normal" } th { "Low" } th { "Online now" } th { "" } } }
                tbody {
                    @for s in &sites {
                        tr data-site=(s.site.site_id) {
                            td { a href={"/admin/sites/" (s.site.site_id)} { (s.site.name) } }
                            td { @for url in &s.site.urls { div { (url) } } }
                            td.count { (s.high) } td.count { (s.normal) } td.count { (s.low) }
                            td.online {
                                @if s.online > 0 { span.status.active { (s.online) " online" } } @else { span.status.deactivated { "nobody" } }
                            }
                            td {
                                a.pencil href={"/admin/sites/" (s.site.site_id)} aria-label={"Edit " (s.site.name)} title="Edit" { "✎" } " "
                                a href={"/admin/sites/" (s.site.site_id) "/install"} { "Install" } " · "
                                a href={"/admin/sites/" (s.site.site_id) "/test"} target="_blank" { "Test" }
                            }
                        }
                    }
                    @if sites.is_empty() { tr { td colspan="7" .muted { "No site yet. Add one to put chat on your website." } } }
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
        label for="name" { "Name *" }
        input #name name="name" value=(form.name) required aria-invalid=(field == Some("name"));
        (field_error(field, "name", message))
        label for="urls" { "URLs of the site * (one per line)" }
        textarea #urls name="urls" rows="3" placeholder="www.example.com or https://www.example.com/shop" aria-invalid=(field == Some("urls")) { (form.urls) }
        (field_error(field, "urls", message))
        p.muted.small { "The URLs need not be exact: when the widget loads elsewhere you get a warning here. Tick the box below to allow these URLs only." }
        label.check { input type="checkbox" name="restrict_to_urls" checked[form.restrict_to_urls.is_some()]; " Only on these URLs (the widget refuses to open anywhere else)" }
        label for="notes" { "Notes (what this site is for)" }
        textarea #notes name="notes" rows="3" aria-invalid=(field == Some("notes")) { (form.notes) }
        (field_error(field, "notes", message))
    }
}

pub async fn new_form(Admin(session): Admin) -> Markup {
    new_page(&session, &SiteForm::default(), None, None)
}

fn new_page(session: &Session, form: &SiteForm, message: Option<&str>, field: Option<&str>) -> Markup {
    page(
        "Add a site",
        Some(session),
        html! {
            p { a href="/admin/sites" { "← Sites & Hotlines" } }
            h1 { "Add a site" }
            @if let (Some(m), None) = (message, field) { p.error role="alert" { (m) } }
            form.card method="post" action="/admin/sites/new" #new-site {
                input type="hidden" name="csrf" value=(session.csrf);
                (site_fields(form, message, field))
                p { button type="submit" { "Create the site" } }
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
}

async fn edit_page(web: &Web, session: &Session, site: &SiteRow, fb: Feedback<'_>) -> Result<Markup, AppError> {
    let origins = app::widget::unlisted_origins(web, site).await?;
    let advisors = site_admin::advisors(web, session, site.site_id).await?;
    let general = fb.general.cloned_or(site_form(site));
    let widget = fb.widget.cloned_or(SettingsForm::from(&site.settings));
    let (message, field) = (fb.message, fb.field);
    let count = |p| advisors.iter().filter(|a| a.priority == Some(p)).count();
    let base = format!("/admin/sites/{}", site.site_id);
    Ok(page(
        &site.name,
        Some(session),
        html! {
            p { a href="/admin/sites" { "← Sites & Hotlines" } }
            h1 { (site.name) }
            @if let Some(n) = fb.notice { p.notice role="status" { (n) } }
            @if let (Some(m), None) = (message, field) { p.error role="alert" { (m) } }
            @if !origins.is_empty() {
                div.warning role="alert" #unlisted-origins {
                    strong { "The widget was loaded from addresses this site does not list:" }
                    ul { @for (origin, seen) in &origins { li { (origin) " (last " (seen.format("%Y-%m-%d %H:%M UTC")) ")" } } }
                    @if site.restrict_to_urls { p { "It refused to open there, because the site is restricted to its URLs." } }
                    @else { p { "Add them to the URLs if they are yours; otherwise someone copied your snippet." } }
                }
            }
            section.card #advisors-panel {
                h2 { "Advisors" }
                p { "High: " strong { (count(domain::site::Priority::High)) } " · Normal: " strong { (count(domain::site::Priority::Normal)) } " · Low: " strong { (count(domain::site::Priority::Low)) } }
                a.button href={(base) "/agents"} { "Configure" }
            }
            form.card method="post" action=(base) #site-general {
                h2 { "General" }
                input type="hidden" name="csrf" value=(session.csrf);
                (site_fields(&general, message, field))
                p { button type="submit" { "Save" } }
            }
            form.card method="post" action={(base) "/widget"} #site-widget {
                h2 { "Widget" }
                input type="hidden" name="csrf" value=(session.csrf);
                (settings_fields(&widget, message, field))
                p.muted.small { "Changes apply to the next page loads; the snippet stays the same." }
                p { button type="submit" { "Save" } }
            }
            form.card method="post" action={(base) "/weights"} #site-weights {
                h2 { "Priority weights" }
                p.muted.small {
                    "Among the agents with a free slot, each is offered new chats in proportion to its priority's weight: with the defaults (High 3, Normal 2, Low 1), a High agent gets three chats for every one a Low agent gets. Lower priorities still get some; ties go to the least busy."
                }
                input type="hidden" name="csrf" value=(session.csrf);
                div.weights {
                    @for (name, label, value) in [("high", "High", site.weights.high), ("normal", "Normal", site.weights.normal), ("low", "Low", site.weights.low)] {
                        label { (label) " " input type="number" name=(name) min="1" max="100" value=(value) aria-invalid=(field == Some(name)); }
                    }
                }
                @if matches!(field, Some("high" | "normal" | "low" | "weights")) { p.field-error role="alert" { (message.unwrap_or_default()) } }
                p { button type="submit" { "Save" } }
            }
            section.card #site-key {
                h2 { "Widget key" }
                p { code #widget-key { (site.widget_key) } }
                p.muted.small { "Public: it appears in your pages. Rotating it makes every page with the old snippet stop showing the widget." }
                a.button.secondary href={(base) "/key"} #rotate-key { "Rotate the key…" }
                " " a href={(base) "/install"} { "Installation" } " · " a href={(base) "/test"} target="_blank" { "Test my module" }
            }
            section.card {
                h2 { "Delete" }
                a.button.danger href={(base) "/delete"} { "Delete this site…" }
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
        html! { section.card { h1 { (site.name) } p { "This site was deleted: its widget no longer opens chats. Its conversations stay in the history." } p { a href="/admin/sites" { "Back to sites" } } } },
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
        Ok(()) => Ok(flash::done(jar, &format!("/admin/sites/{}", site.site_id), "Saved.")),
        Err(e) => {
            let Refusal { status, message, field } = refusal(e)?;
            let feedback = Feedback { message: Some(&message), field, general, widget, ..Default::default() };
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
}

impl From<&WidgetSettings> for SettingsForm {
    fn from(s: &WidgetSettings) -> Self {
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
        })
    }
}

fn settings_fields(form: &SettingsForm, message: Option<&str>, field: Option<&str>) -> Markup {
    html! {
        label for="colour" { "Colour" }
        input #colour type="color" name="colour" value=(form.colour) aria-invalid=(field == Some("colour"));
        (field_error(field, "colour", message))
        label for="greeting" { "Greeting" }
        textarea #greeting name="greeting" rows="2" aria-invalid=(field == Some("greeting")) { (form.greeting) }
        (field_error(field, "greeting", message))
        label for="position" { "Position" }
        select #position name="position" {
            option value="bottom-right" selected[form.position == "bottom-right"] { "Bottom right" }
            option value="bottom-left" selected[form.position == "bottom-left"] { "Bottom left" }
        }
        label for="language" { "Language" }
        select #language name="language" {
            option value="en" selected[form.language == "en"] { "English" }
            option value="fr" selected[form.language == "fr"] { "Français" }
        }
        label for="offline_text" { "Text of the offline form (shown when no agent is online)" }
        textarea #offline_text name="offline_text" rows="2" aria-invalid=(field == Some("offline_text")) { (form.offline_text) }
        (field_error(field, "offline_text", message))
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

/// "Are you sure?" before rotating the widget key, with what it breaks; works without JavaScript.
pub async fn confirm_rotate_key(State(web): State<Web>, Admin(session): Admin, Path(id): Path<SiteId>) -> Result<Markup, AppError> {
    let site = site_admin::load_live(&web, &session, id).await?;
    Ok(page(
        "Rotate the widget key",
        Some(&session),
        html! {
            section.card.narrow #confirm-rotate-key {
                h1 { "Rotate the widget key of " (site.name) "?" }
                ul {
                    li { "Every page that carries the current snippet (key " code { (site.widget_key) } ") stops showing the widget at once." }
                    li { "You then paste the new snippet (on the installation page) into your site, or the new key into the WordPress plugin." }
                    li { "Conversations already held stay in the history." }
                }
                form method="post" action={"/admin/sites/" (site.site_id) "/key"} {
                    input type="hidden" name="csrf" value=(session.csrf);
                    input type="hidden" name="confirm" value="yes";
                    p { button.danger type="submit" { "Rotate the key" } " " a href={"/admin/sites/" (site.site_id)} { "Cancel" } }
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
    let notice = "The widget key changed: update the snippet on your pages (the installation page shows the new one).";
    Ok(flash::done(jar, &format!("/admin/sites/{}", site.site_id), notice))
}

// ---- Deleting ------------------------------------------------------------------------

pub async fn delete_form(State(web): State<Web>, Admin(session): Admin, Path(id): Path<SiteId>) -> Result<Markup, AppError> {
    let site = site_admin::load_live(&web, &session, id).await?;
    Ok(page(
        "Delete a site",
        Some(&session),
        html! {
            section.card {
                h1 { "Delete " (site.name) "?" }
                p { "The widget stops opening new chats on this site at once. Conversations already held stay in the history. This cannot be undone." }
                form method="post" action={"/admin/sites/" (site.site_id) "/delete"} #confirm-delete {
                    input type="hidden" name="csrf" value=(session.csrf);
                    label.check { input type="checkbox" name="confirm" required; " Yes, delete " (site.name) }
                    p { button.danger type="submit" { "Delete the site" } " " a href={"/admin/sites/" (site.site_id)} { "Cancel" } }
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
    form.confirmed("Tick the box to confirm the deletion.")?;
    site_admin::delete(&web, &session, id).await?;
    Ok(flash::done(jar, "/admin/sites", "The site was deleted."))
}

// ---- Installing and testing -------------------------------------------------------------

pub async fn install(State(web): State<Web>, Admin(session): Admin, Path(id): Path<SiteId>) -> Result<Markup, AppError> {
    let site = site_admin::load_live(&web, &session, id).await?;
    let snippet = site_admin::snippet(&web, &site);
    Ok(page(
        "Manual installation",
        Some(&session),
        html! {
            p { a href={"/admin/sites/" (site.site_id)} { "← " (site.name) } }
            h1 { "Manual installation" }
            section.card {
                p { "Paste these lines into every page of " strong { (site.name) } ", just before " code { "</body>" } ":" }
                pre.snippet { code #snippet { (snippet) } }
                p {
                    button type="button" data-copy="#snippet" { "Copy" } " "
                    a.button.secondary href={"/admin/sites/" (site.site_id) "/test"} target="_blank" { "Test my module" }
                }
                p.muted.small { "The script loads asynchronously: it never slows your page down. Changing the widget's colour or texts later needs no new snippet." }
            }
            section.card #cms {
                h2 { "Common platforms" }
                dl.platforms {
                    dt { "WordPress" }
                    dd { "Install the " strong { "Switchboard Chat" } " plugin (folder " code { "integrations/wordpress/switchboard-chat" } " of the Switchboard distribution: zip it and upload it under Plugins → Add New → Upload), activate it, then under Settings → Switchboard Chat paste the address " code { (web.settings.public_url) } " and the site key " code { (site.widget_key) } "." }
                    dt { "Shopify" }
                    dd { "Online Store → Themes → ⋯ → Edit code → " code { "layout/theme.liquid" } ": paste the lines just before " code { "</body>" } " and save." }
                    dt { "Wix" }
                    dd { "Settings → Custom code → Add custom code: paste the lines, apply to all pages, place in Body – end." }
                    dt { "Squarespace" }
                    dd { "Settings → Advanced → Code injection → Footer: paste the lines." }
                    dt { "Google Tag Manager" }
                    dd { "A Custom HTML tag with the lines, fired on All Pages." }
                    dt { "Joomla, Drupal, others" }
                    dd { "Put the lines in the theme's main template, before " code { "</body>" } ", or in a footer custom-HTML block shown on every page." }
                }
            }
            script type="module" src="/static/copy.js" {}
        },
    ))
}

/// A page of Switchboard's own that loads the widget exactly as a customer's site would.
pub async fn test_page(State(web): State<Web>, Admin(session): Admin, Path(id): Path<SiteId>) -> Result<Markup, AppError> {
    let site = site_admin::load_live(&web, &session, id).await?;
    let snippet = site_admin::snippet(&web, &site);
    Ok(html! {
        (maud::DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Test my module · " (site.name) }
                link rel="stylesheet" href="/static/app.css";
            }
            body {
                main {
                    section.card {
                        h1 { "Test my module: " (site.name) }
                        p { "This page loads the widget exactly as your site does, with the snippet below." }
                        ul #checks {
                            li #check-script { "Widget script: " span.pending { "loading…" } }
                            li #check-agents { "Agents online: " span.pending { "asking…" } }
                        }
                        pre.snippet { code { (snippet) } }
                        p.muted.small { "Once an agent of this site is online, open the chat bubble to try a conversation." }
                    }
                }
                script type="module" src="/static/test-module.js" {}
                (PreEscaped(snippet))
            }
        }
    })
}
