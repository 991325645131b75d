//! Company → Users → Import from CSV: upload, preview every row's outcome, confirm, and
//! watch the import's progress.

use axum::extract::{Multipart, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use uuid::Uuid;

use super::layout::{count, page};
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

/// The template: `?lang=fr` or `?lang=en`, else French when the browser prefers French
/// (the admin's own language setting is to come), else English.
pub async fn template(headers: axum::http::HeaderMap, Query(q): Query<TemplateQuery>) -> Result<Response, AppError> {
    let language = match q.lang.as_deref().map(str::trim) {
        Some("fr") => TemplateLanguage::French,
        Some("en") => TemplateLanguage::English,
        Some("") | None => {
            let accepted = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
            if preferred_language(accepted) == Some("fr") {
                TemplateLanguage::French
            } else {
                TemplateLanguage::English
            }
        }
        Some(other) => return Err(AppError::invalid("lang", format!("The template exists in English (en) and French (fr), not \"{other}\"."))),
    };
    let name = match language {
        TemplateLanguage::French => "switchboard-utilisateurs.csv",
        TemplateLanguage::English => "switchboard-users.csv",
    };
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)], template_file(language))
        .into_response())
}

/// The primary language subtag an `Accept-Language` header ranks first (highest `q`, the
/// first listed among equals), lower-cased; none for `*` or an empty header.
fn preferred_language(header: &str) -> Option<&'static str> {
    let mut best: Option<(f32, &str)> = None;
    for item in header.split(',') {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or("").trim();
        let q = parts.find_map(|p| p.trim().strip_prefix("q=")).map_or(Some(1.0), |q| q.trim().parse::<f32>().ok()).unwrap_or(0.0);
        if tag.is_empty() || tag == "*" || q <= 0.0 {
            continue;
        }
        if best.is_none_or(|(b, _)| q > b) {
            best = Some((q, tag));
        }
    }
    let primary = best?.1.split('-').next()?.to_ascii_lowercase();
    match primary.as_str() {
        "fr" => Some("fr"),
        "en" => Some("en"),
        _ => None,
    }
}

pub async fn upload_form(Admin(session): Admin) -> Markup {
    upload_page(&session, None)
}

fn upload_page(session: &Session, error: Option<&str>) -> Markup {
    page(
        "Import users",
        Some(session),
        html! {
            p { a href="/admin/users" { "← Users" } }
            h1 { "Import users from a CSV file" }
            @if let Some(e) = error { p.error role="alert" { (e) } }
            form.card method="post" action="/admin/users/import" enctype="multipart/form-data" #import {
                input type="hidden" name="csrf" value=(session.csrf);
                label for="file" { "CSV file (up to " (MAX_ROWS) " rows; commas or semicolons, UTF-8 or Windows-1252 as Excel saves it)" }
                input #file type="file" name="file" accept=".csv,text/csv" required;
                p { button type="submit" { "Check the file" } " " span.muted { "Nothing is imported before you confirm." } }
            }
            section.card {
                h2 { "Format" }
                p { "The first line names the columns, in any order, in English or in French (the name in brackets; case and accents do not matter). "
                    "Download the template: " a href="/admin/users/import/template.csv?lang=en" download #template-en { "English" } ", "
                    a href="/admin/users/import/template.csv?lang=fr" download #template-fr { "French" } "." }
                table {
                    thead { tr { th { "Column" } th { "Required" } th { "Meaning" } } }
                    tbody {
                        tr { td { code { "email" } " (" code { "courriel" } ")" } td { "yes" } td { "The user's address; one account per address, across all companies." } }
                        tr { td { code { "first_name" } " (" code { "prénom" } ")" } td { "yes" } td { "" } }
                        tr { td { code { "last_name" } " (" code { "nom" } ")" } td { "yes" } td { "" } }
                        tr { td { code { "roles" } " (" code { "rôles" } ")" } td { "no" } td { "Agent, Supervisor, Administrator, Expert (or Superviseur, Administrateur), separated by ; or | — empty means Agent, " code { "none" } " means no role." } }
                        tr { td { code { "max_chats" } " (" code { "chats_max" } ")" } td { "no" } td { "Simultaneous chats, 1 to 20; empty means 3." } }
                        tr { td { code { "send_invitation" } " (" code { "envoyer_invitation" } ")" } td { "no" } td { "yes or no; empty means yes. With no, the invitation is created but mailed only when you resend it." } }
                        tr { td { code { "display_name" } " (" code { "nom_affiché" } "), " code { "phone" } " (" code { "téléphone" } "), " code { "job_title" } " (" code { "fonction" } ")" } td { "no" } td { "Profile details." } }
                    }
                }
                p.muted.small { "Uploading the same file again creates no duplicates: rows whose address already has an account are skipped." }
            }
        },
    )
}

/// The multipart upload: the CSRF field and the file.
async fn read_upload(mut multipart: Multipart) -> Result<(String, Vec<u8>), AppError> {
    let (mut csrf, mut file) = (String::new(), None);
    while let Some(field) = multipart.next_field().await.map_err(|e| AppError::invalid("file", format!("The upload could not be read: {e}")))? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("file") => {
                file = Some(field.bytes().await.map_err(|e| AppError::invalid("file", format!("The file could not be read: {e}")))?.to_vec())
            }
            _ => {}
        }
    }
    Ok((csrf, file.ok_or_else(|| AppError::invalid("file", "Choose a CSV file to upload."))?))
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
        "Import users",
        Some(session),
        html! {
            @if running { meta http-equiv="refresh" content="1"; }
            p { a href="/admin/users" { "← Users" } }
            h1 { "Import users" }
            @match import.status.as_str() {
                "preview" => {
                    p { (import.total) " rows: " strong #importable { (import.importable()) } " can be imported, " strong { (problems) } " cannot (see below)." }
                    @if import.importable() > 0 {
                        form.inline method="post" action={"/admin/users/import/" (import.import_id) "/confirm"} {
                            input type="hidden" name="csrf" value=(session.csrf);
                            button type="submit" #confirm { "Import " (count(import.importable() as i64, "user", "users")) }
                        }
                        " "
                    }
                    a href="/admin/users/import" { "Upload another file" }
                }
                "running" => {
                    p role="status" { "Importing… " (import.done) " of " (import.total) " rows done." }
                    progress max=(import.total) value=(import.done) {}
                }
                "finished" => {
                    p.notice role="status" #import-done { "Done: " (count(import.created as i64, "user", "users")) " created, " (count(import.skipped as i64, "row", "rows")) " skipped." }
                    p { a href="/admin/users" { "See the users" } }
                }
                _ => { p.error role="alert" { "The import stopped before the end (the server stopped). Upload the file again: rows already imported will be skipped." } }
            }
            @if !running {
                table #outcomes {
                    thead { tr { th { "Line" } th { "E-mail" } th { "Outcome" } } }
                    tbody {
                        @for o in &import.outcomes {
                            tr class=(o.status) {
                                td { (o.line) }
                                td { (o.email) }
                                td { @match (o.status.as_str(), &o.reason) {
                                    ("ok", _) => "ok",
                                    ("created", _) => "created",
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

#[cfg(test)]
mod tests {
    use super::preferred_language;

    #[test]
    fn the_first_ranked_language_wins() {
        assert_eq!(preferred_language("fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7"), Some("fr"));
        assert_eq!(preferred_language("en-GB,fr;q=0.5"), Some("en"));
        assert_eq!(preferred_language("de;q=0.3, FR-ca;q=0.8"), Some("fr"));
        assert_eq!(preferred_language("fr;q=0, en;q=0.1"), Some("en"));
        assert_eq!(preferred_language("*"), None);
        assert_eq!(preferred_language(""), None);
    }
}
