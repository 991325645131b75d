//! Canned responses: the company's shared ones (Administration → Configuration, for
//! administrators) and an agent's own (from their account). Both pages work the same way:
//! a list, an "add" form, an edit page and a confirmed removal, each POST answered 303.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use domain::canned::Owner;
use domain::CannedResponseId;
use maud::{html, Markup};
use projections::canned::CannedRow;
use serde::Deserialize;

use super::flash::{self, Flash};
use super::layout::{error_id, field_error, page};
use super::{ConfirmForm, Form, Path};
use crate::auth::{check_csrf, Admin, User};
use crate::error::{refusal, AppError, Refusal};
use crate::Web;
use app::auth::Session;
use app::canned;
use locale::t;

/// Which list a page is about: the company's (`/admin/…`) or the agent's own (`/account/…`).
#[derive(Clone, Copy)]
enum Scope {
    Shared,
    Own,
}

impl Scope {
    fn base(self) -> &'static str {
        match self {
            Scope::Shared => "/admin/canned-responses",
            Scope::Own => "/account/canned-responses",
        }
    }

    fn title(self) -> String {
        match self {
            Scope::Shared => t!("canned-title"),
            Scope::Own => t!("canned-own-title"),
        }
    }

    fn shared(self) -> bool {
        matches!(self, Scope::Shared)
    }

    async fn list(self, web: &Web, session: &Session) -> Result<Vec<CannedRow>, app::Error> {
        match self {
            Scope::Shared => canned::shared(web, session).await,
            Scope::Own => canned::own(web, session).await,
        }
    }

    /// A response of this list; one of the other list is not found here.
    async fn load(self, web: &Web, session: &Session, id: CannedResponseId) -> Result<CannedRow, AppError> {
        let row = canned::load(web, session, id).await?;
        if (row.owner == Owner::Company) != self.shared() {
            return Err(app::Error::NotFound.into());
        }
        Ok(row)
    }
}

/// An agent's own list needs the Agent role; the extractor has checked the rest.
fn agent(session: Session) -> Result<Session, AppError> {
    canned::scope(&session, false)?;
    Ok(session)
}

#[derive(Deserialize, Default)]
pub struct CannedForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    shortcut: String,
    #[serde(default)]
    text: String,
}

/// A refusal shown beside the form that caused it.
struct Problem<'a> {
    message: &'a str,
    field: Option<&'a str>,
}

fn fields(form: &CannedForm, problem: Option<&Problem>) -> Markup {
    let (message, field) = problem.map_or((None, None), |p| (Some(p.message), p.field));
    html! {
        label for="shortcut" { (t!("canned-shortcut-label")) }
        input #shortcut name="shortcut" value=(form.shortcut) required maxlength="33" autocomplete="off" spellcheck="false"
            aria-invalid=(field == Some("shortcut")) aria-describedby={"shortcut-help" @if let Some(id) = error_id(field, "shortcut") { " " (id) }};
        p.muted.small #shortcut-help { (t!("canned-shortcut-help")) }
        (field_error(field, "shortcut", message))
        label for="text" { (t!("canned-text-label")) }
        textarea #text name="text" rows="4" required maxlength="4000"
            aria-invalid=(field == Some("text")) aria-describedby={"text-help" @if let Some(id) = error_id(field, "text") { " " (id) }} { (form.text) }
        p.muted.small #text-help { (t!("canned-text-help")) }
        (field_error(field, "text", message))
    }
}

fn list_page(session: &Session, scope: Scope, rows: &[CannedRow], flash: &Flash, form: &CannedForm, problem: Option<&Problem>) -> Markup {
    let base = scope.base();
    html! {
        @if scope.shared() { p.muted.small { (t!("canned-breadcrumb")) } } @else { p { a href="/account" { (t!("canned-back-account")) } } }
        @if let Some(n) = &flash.notice { p.notice role="status" { (n) } }
        @if let Some(e) = &flash.error { p.error role="alert" { (e) } }
        h1 { (scope.title()) }
        p.muted { @if scope.shared() { (t!("canned-intro")) } @else { (t!("canned-own-intro")) } }
        table #canned {
            thead { tr { th scope="col" { (t!("canned-col-shortcut")) } th scope="col" { (t!("canned-col-text")) } th scope="col" { span.visually-hidden { (t!("canned-col-actions")) } } } }
            tbody {
                @for r in rows {
                    tr data-response=(r.response_id) {
                        td { code { "/" (r.shortcut) } }
                        td.canned-text { (r.text) }
                        td {
                            a.pencil href={(base) "/" (r.response_id)} aria-label=(t!("canned-edit-name", shortcut = r.shortcut.as_str())) title=(t!("canned-edit")) { "✎" } " "
                            a href={(base) "/" (r.response_id) "/remove"} aria-label=(t!("canned-remove-name", shortcut = r.shortcut.as_str())) { (t!("canned-remove")) }
                        }
                    }
                }
                @if rows.is_empty() { tr { td colspan="3" .muted { (t!("canned-empty")) } } }
            }
        }
        form.card method="post" action=(base) #new-canned {
            h2 { (t!("canned-add")) }
            @if let Some(Problem { message, field: None }) = problem { p.error role="alert" { (message) } }
            input type="hidden" name="csrf" value=(session.csrf);
            (fields(form, problem))
            p { button type="submit" { (t!("canned-add-button")) } }
        }
    }
}

async fn show_list(web: &Web, session: &Session, scope: Scope, jar: CookieJar) -> Result<Response, AppError> {
    let rows = scope.list(web, session).await?;
    let (jar, flash) = Flash::take(jar);
    let body = list_page(session, scope, &rows, &flash, &CannedForm::default(), None);
    Ok((jar, page(&scope.title(), Some(session), body)).into_response())
}

async fn add(web: &Web, session: &Session, scope: Scope, jar: CookieJar, form: CannedForm) -> Result<Response, AppError> {
    check_csrf(session, &form.csrf)?;
    match canned::add(web, session, scope.shared(), &form.shortcut, &form.text).await {
        Ok(_) => {
            // Named as stored (" /Thx " is kept as "thx"); it was accepted, so it normalises.
            let shortcut = domain::canned::normalise_shortcut(&form.shortcut).unwrap_or_default();
            Ok(flash::done(jar, scope.base(), &t!("canned-added-notice", shortcut = shortcut.as_str())))
        }
        Err(e) => {
            let Refusal { status, message, field } = refusal(e)?;
            let rows = scope.list(web, session).await?;
            let body = list_page(session, scope, &rows, &Flash::default(), &form, Some(&Problem { message: &message, field }));
            Ok((status, page(&scope.title(), Some(session), body)).into_response())
        }
    }
}

fn edit_page(session: &Session, scope: Scope, id: CannedResponseId, form: &CannedForm, problem: Option<&Problem>) -> Markup {
    let base = scope.base();
    page(
        &t!("canned-edit-title"),
        Some(session),
        html! {
            p { a href=(base) { (t!("canned-back")) } }
            h1 { (t!("canned-edit-title")) }
            @if let Some(Problem { message, field: None }) = problem { p.error role="alert" { (message) } }
            form.card method="post" action={(base) "/" (id)} #edit-canned {
                input type="hidden" name="csrf" value=(session.csrf);
                (fields(form, problem))
                p { button type="submit" { (t!("canned-save")) } " " a href=(base) { (t!("canned-cancel")) } }
            }
        },
    )
}

async fn edit(web: &Web, session: &Session, scope: Scope, id: CannedResponseId) -> Result<Markup, AppError> {
    let row = scope.load(web, session, id).await?;
    let form = CannedForm { csrf: String::new(), shortcut: row.shortcut, text: row.text };
    Ok(edit_page(session, scope, id, &form, None))
}

async fn save(web: &Web, session: &Session, scope: Scope, jar: CookieJar, id: CannedResponseId, form: CannedForm) -> Result<Response, AppError> {
    check_csrf(session, &form.csrf)?;
    scope.load(web, session, id).await?;
    match canned::change(web, session, id, &form.shortcut, &form.text).await {
        Ok(()) => Ok(flash::done(jar, scope.base(), &t!("canned-saved-notice"))),
        Err(e) => {
            let Refusal { status, message, field } = refusal(e)?;
            Ok((status, edit_page(session, scope, id, &form, Some(&Problem { message: &message, field }))).into_response())
        }
    }
}

async fn confirm_remove(web: &Web, session: &Session, scope: Scope, jar: CookieJar, id: CannedResponseId) -> Result<Response, AppError> {
    let row = scope.load(web, session, id).await?;
    let base = scope.base();
    // An unticked box comes back here, saying why.
    let (jar, flash) = Flash::take(jar);
    let body = page(
        &t!("canned-remove-title"),
        Some(session),
        html! {
            section.card {
                @if let Some(e) = &flash.error { p.error role="alert" { (e) } }
                h1 { (t!("canned-remove-heading", shortcut = row.shortcut.as_str())) }
                blockquote.canned-text { (row.text) }
                form method="post" action={(base) "/" (id) "/remove"} #confirm-remove {
                    input type="hidden" name="csrf" value=(session.csrf);
                    label.check { input type="checkbox" name="confirm" required; " " (t!("canned-remove-yes", shortcut = row.shortcut.as_str())) }
                    p { button.danger type="submit" { (t!("canned-remove-button")) } " " a href=(base) { (t!("canned-cancel")) } }
                }
            }
        },
    );
    Ok((jar, body).into_response())
}

async fn remove(web: &Web, session: &Session, scope: Scope, jar: CookieJar, id: CannedResponseId, form: ConfirmForm) -> Result<Response, AppError> {
    check_csrf(session, &form.csrf)?;
    scope.load(web, session, id).await?;
    if !form.is_confirmed() {
        return Ok(flash::refused(jar, &format!("{}/{id}/remove", scope.base()), &t!("canned-remove-tick")));
    }
    canned::remove(web, session, id).await?;
    Ok(flash::done(jar, scope.base(), &t!("canned-removed-notice")))
}

/// The responses the console's picker offers, as a JSON data block (not a script the CSP
/// would have to allow).
pub fn data_block(rows: &[CannedRow]) -> Markup {
    let list: Vec<serde_json::Value> =
        rows.iter().map(|r| serde_json::json!({ "shortcut": r.shortcut, "text": r.text, "shared": r.owner == Owner::Company })).collect();
    // `</` inside the JSON would end the block early.
    let json = serde_json::Value::from(list).to_string().replace("</", "<\\/");
    html! { script type="application/json" id="sb-canned" { (maud::PreEscaped(json)) } }
}

/// The account page's way to an agent's own responses.
pub fn account_card() -> Markup {
    html! {
        section.card #canned-responses {
            h2 { (t!("canned-own-title")) }
            p.hint { (t!("canned-own-intro")) }
            p { a href="/account/canned-responses" { (t!("canned-own-manage")) } }
        }
    }
}

// ---- The routes: administrators' shared list, agents' own -----------------------------

pub async fn admin_list(State(web): State<Web>, Admin(session): Admin, jar: CookieJar) -> Result<Response, AppError> {
    show_list(&web, &session, Scope::Shared, jar).await
}

pub async fn admin_add(State(web): State<Web>, Admin(session): Admin, jar: CookieJar, Form(form): Form<CannedForm>) -> Result<Response, AppError> {
    add(&web, &session, Scope::Shared, jar, form).await
}

pub async fn admin_edit(State(web): State<Web>, Admin(session): Admin, Path(id): Path<CannedResponseId>) -> Result<Markup, AppError> {
    edit(&web, &session, Scope::Shared, id).await
}

pub async fn admin_save(
    State(web): State<Web>,
    Admin(session): Admin,
    jar: CookieJar,
    Path(id): Path<CannedResponseId>,
    Form(form): Form<CannedForm>,
) -> Result<Response, AppError> {
    save(&web, &session, Scope::Shared, jar, id, form).await
}

pub async fn admin_confirm_remove(
    State(web): State<Web>,
    Admin(session): Admin,
    jar: CookieJar,
    Path(id): Path<CannedResponseId>,
) -> Result<Response, AppError> {
    confirm_remove(&web, &session, Scope::Shared, jar, id).await
}

pub async fn admin_remove(
    State(web): State<Web>,
    Admin(session): Admin,
    jar: CookieJar,
    Path(id): Path<CannedResponseId>,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, AppError> {
    remove(&web, &session, Scope::Shared, jar, id, form).await
}

pub async fn own_list(State(web): State<Web>, User(session): User, jar: CookieJar) -> Result<Response, AppError> {
    show_list(&web, &agent(session)?, Scope::Own, jar).await
}

pub async fn own_add(State(web): State<Web>, User(session): User, jar: CookieJar, Form(form): Form<CannedForm>) -> Result<Response, AppError> {
    add(&web, &agent(session)?, Scope::Own, jar, form).await
}

pub async fn own_edit(State(web): State<Web>, User(session): User, Path(id): Path<CannedResponseId>) -> Result<Markup, AppError> {
    edit(&web, &agent(session)?, Scope::Own, id).await
}

pub async fn own_save(
    State(web): State<Web>,
    User(session): User,
    jar: CookieJar,
    Path(id): Path<CannedResponseId>,
    Form(form): Form<CannedForm>,
) -> Result<Response, AppError> {
    save(&web, &agent(session)?, Scope::Own, jar, id, form).await
}

pub async fn own_confirm_remove(
    State(web): State<Web>,
    User(session): User,
    jar: CookieJar,
    Path(id): Path<CannedResponseId>,
) -> Result<Response, AppError> {
    confirm_remove(&web, &agent(session)?, Scope::Own, jar, id).await
}

pub async fn own_remove(
    State(web): State<Web>,
    User(session): User,
    jar: CookieJar,
    Path(id): Path<CannedResponseId>,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, AppError> {
    remove(&web, &agent(session)?, Scope::Own, jar, id, form).await
}
