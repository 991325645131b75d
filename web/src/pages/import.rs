//! Company → Users → Import from CSV: upload, preview every row's outcome, confirm, and
//! watch the import's progress.

use axum::extract::{Multipart, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use locale::{t, Lang};
use maud::{html, Markup};
use serde::Deserialize;
use uuid::Uuid;

use super::layout::page;
use super::{Form, Path, Query};
use crate::auth::{check_csrf, Admin};
use crate::error::{refusal, AppError, Refusal};
use crate::Web;
use app::auth::Session;
use app::import::csv::{template as template_file, TemplateLanguage, MAX_ROWS};
use app::import::{self, Import};

#[derive(Deserialize)]
pub struct TemplateQuery {
    lang: Option<String>,
}

/// The template: `?lang=fr` or `?lang=en`, else in the reader's language (their setting,
/// else the browser's, as the request's reader has it).
pub async fn template(Query(q): Query<TemplateQuery>) -> Result<Response, AppError> {
    let language = match q.lang.as_deref().map(str::trim) {
        Some("fr") => TemplateLanguage::French,
        Some("en") => TemplateLanguage::English,
        Some("") | None => match locale::lang() {
            Lang::Fr => TemplateLanguage::French,
            Lang::En => TemplateLanguage::English,
        },
        Some(other) => return Err(AppError::invalid("lang", t!("import-template-language", lang = other))),
    };
    let name = match language {
        TemplateLanguage::French => "switchboard-utilisateurs.csv",
        TemplateLanguage::English => "switchboard-users.csv",
    };
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)], template_file(language))
        .into_response())
}

pub async fn upload_form(Admin(session): Admin) -> Markup {
    upload_page(&session, None)
}

fn upload_page(session: &Session, error: Option<&str>) -> Markup {
    page(
        &t!("import-title"),
        Some(session),
        html! {
            p { a href="/admin/users" { (t!("import-back")) } }
            h1 { (t!("import-upload-heading")) }
            @if let Some(e) = error { p.error role="alert" #file-error { (e) } }
            form.card method="post" action="/admin/users/import" enctype="multipart/form-data" #import {
                input type="hidden" name="csrf" value=(session.csrf);
                label for="file" { (t!("import-file-label", max = MAX_ROWS)) }
                input #file type="file" name="file" accept=".csv,text/csv" required
                    aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| "file-error")];
                p { button type="submit" { (t!("import-check")) } " " span.muted { (t!("import-nothing-before-confirm")) } }
            }
            section.card {
                h2 { (t!("import-format")) }
                p { (t!("import-format-help")) " "
                    (t!("import-download-template")) " " a href="/admin/users/import/template.csv?lang=en" download #template-en { (t!("import-template-en")) } ", "
                    a href="/admin/users/import/template.csv?lang=fr" download #template-fr { (t!("import-template-fr")) } "." }
                table {
                    thead { tr { th { (t!("import-col-column")) } th { (t!("import-col-required")) } th { (t!("import-col-meaning")) } } }
                    tbody {
                        @let (yes, no) = (t!("import-yes"), t!("import-no"));
                        tr { td { code { "email" } " (" code { "courriel" } ")" } td { (yes) } td { (t!("import-meaning-email")) } }
                        tr { td { code { "first_name" } " (" code { "prénom" } ")" } td { (yes) } td { "" } }
                        tr { td { code { "last_name" } " (" code { "nom" } ")" } td { (yes) } td { "" } }
                        tr { td { code { "roles" } " (" code { "rôles" } ")" } td { (no) } td { (t!("import-meaning-roles")) " " code { (t!("import-none")) } " " (t!("import-meaning-roles-none")) } }
                        tr { td { code { "max_chats" } " (" code { "chats_max" } ")" } td { (no) } td { (t!("import-meaning-max-chats")) } }
                        tr { td { code { "send_invitation" } " (" code { "envoyer_invitation" } ")" } td { (no) } td { (t!("import-meaning-send-invitation")) } }
                        tr { td { code { "display_name" } " (" code { "nom_affiché" } "), " code { "phone" } " (" code { "téléphone" } "), " code { "job_title" } " (" code { "fonction" } ")" } td { (no) } td { (t!("import-meaning-profile")) } }
                    }
                }
                p.muted.small { (t!("import-same-file-again")) }
            }
        },
    )
}

/// The multipart upload: the CSRF field and the file.
async fn read_upload(mut multipart: Multipart) -> Result<(String, Vec<u8>), AppError> {
    let (mut csrf, mut file) = (String::new(), None);
    while let Some(field) =
        multipart.next_field().await.map_err(|e| AppError::invalid("file", t!("import-upload-unreadable", error = e.to_string())))?
    {
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("file") => {
                file = Some(field.bytes().await.map_err(|e| AppError::invalid("file", t!("import-file-unreadable", error = e.to_string())))?.to_vec())
            }
            _ => {}
        }
    }
    Ok((csrf, file.ok_or_else(|| AppError::invalid("file", t!("import-choose-file")))?))
}

pub async fn upload(State(web): State<Web>, Admin(session): Admin, multipart: Multipart) -> Result<Response, AppError> {
    let upload = read_upload(multipart).await;
    let result = match upload {
        Ok((csrf, bytes)) => match check_csrf(&session, &csrf) {
            Ok(()) => import::prepare(&web, &session, &bytes).await.map(|i| i.import_id).map_err(AppError::from),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/admin/users/import/{id}")).into_response()),
        Err(e) => {
            let Refusal { status, message, .. } = refusal(e)?;
            Ok((status, upload_page(&session, Some(&message))).into_response())
        }
    }
}

pub async fn show(State(web): State<Web>, Admin(session): Admin, Path(id): Path<Uuid>) -> Result<Markup, AppError> {
    let import = import::get(&web, &session, id).await?;
    Ok(import_page(&session, &import))
}

fn import_page(session: &Session, import: &Import) -> Markup {
    let running = import.status == "running";
    let problems = import.outcomes.iter().filter(|o| o.status == "error").count();
    page(
        &t!("import-title"),
        Some(session),
        html! {
            @if running { meta http-equiv="refresh" content="1"; }
            p { a href="/admin/users" { (t!("import-back")) } }
            h1 { (t!("import-title")) }
            @match import.status.as_str() {
                "preview" => {
                    p { (t!("import-preview-rows", count = import.total)) " " strong #importable { (import.importable()) } " " (t!("import-preview-importable", count = import.importable())) " " strong { (problems) } " " (t!("import-preview-problems", count = problems)) }
                    @if import.importable() > 0 {
                        form.inline method="post" action={"/admin/users/import/" (import.import_id) "/confirm"} {
                            input type="hidden" name="csrf" value=(session.csrf);
                            button type="submit" #confirm { (t!("import-confirm", count = import.importable())) }
                        }
                        " "
                    }
                    a href="/admin/users/import" { (t!("import-another-file")) }
                }
                "running" => {
                    p role="status" { (t!("import-progress", done = import.done, total = import.total)) }
                    progress max=(import.total) value=(import.done) {}
                }
                "finished" => {
                    p.notice role="status" #import-done { (t!("import-done", created = import.created, skipped = import.skipped)) }
                    p { a href="/admin/users" { (t!("import-see-users")) } }
                }
                _ => { p.error role="alert" { (t!("import-interrupted")) } }
            }
            @if !running {
                table #outcomes {
                    thead { tr { th { (t!("import-col-line")) } th { (t!("import-col-email")) } th { (t!("import-col-outcome")) } } }
                    tbody {
                        @for o in &import.outcomes {
                            tr class=(o.status) {
                                td { (o.line) }
                                td { (o.email) }
                                td { @match (o.status.as_str(), &o.reason) {
                                    ("ok", _) => (t!("import-outcome-ok")),
                                    ("created", _) => (t!("import-outcome-created")),
                                    (_, Some(reason)) => (reason.as_str()),
                                    (other, None) => (other),
                                } }
                            }
                        }
                    }
                }
            }
        },
    )
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    csrf: String,
}

pub async fn confirm(
    State(web): State<Web>,
    Admin(session): Admin,
    Path(id): Path<Uuid>,
    Form(form): Form<ConfirmForm>,
) -> Result<Redirect, AppError> {
    check_csrf(&session, &form.csrf)?;
    match import::confirm(&web, &session, id).await {
        // Confirmed twice (a double click): the import's page shows how it goes.
        Ok(_) | Err(app::Error::Refused { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!("/admin/users/import/{id}")))
}
