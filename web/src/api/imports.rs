//! CSV imports through the API: post the file for a preview, confirm, follow progress.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::parse_id;
use crate::auth::ApiAdmin;
use crate::error::ApiError;
use crate::Web;
use app::import;

#[derive(Serialize, ToSchema)]
pub struct RowOutcome {
    pub line: usize,
    pub email: String,
    /// `ok` (would be imported), `created`, or `error`.
    pub status: String,
    pub reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ImportView {
    pub id: Uuid,
    /// `preview`, `running`, `finished` or `failed`.
    pub status: String,
    pub total: i32,
    pub done: i32,
    pub created: i32,
    pub skipped: i32,
    pub rows: Vec<RowOutcome>,
}

impl From<import::Import> for ImportView {
    fn from(i: import::Import) -> Self {
        ImportView {
            id: i.import_id,
            status: i.status,
            total: i.total,
            done: i.done,
            created: i.created,
            skipped: i.skipped,
            rows: i.outcomes.into_iter().map(|o| RowOutcome { line: o.line, email: o.email, status: o.status, reason: o.reason }).collect(),
        }
    }
}

/// The CSV template: `lang=en` or `lang=fr` (column names and separator), else in the
/// caller's language (their setting, else `Accept-Language`, else the company's).
#[utoipa::path(get, path = "/api/v1/imports/template.csv", tag = "imports",
    params(("lang" = Option<String>, Query, description = "en or fr")),
    responses((status = 200, content_type = "text/csv", body = String), (status = 422, body = super::ErrorBody, description = "an unknown lang")))]
pub async fn template(
    query: crate::pages::Query<crate::pages::import::TemplateQuery>,
) -> Result<axum::response::Response, super::super::error::ApiError> {
    Ok(crate::pages::import::template(query).await?)
}

/// Check a CSV file (the request body) and get every row's outcome; nothing is imported yet.
#[utoipa::path(post, path = "/api/v1/imports", tag = "imports", request_body(content = String, content_type = "text/csv"),
    security(("session" = []), ("csrf" = [])),
    responses((status = 201, body = ImportView), (status = 422, body = super::ErrorBody, description = "the file as a whole is unreadable")))]
pub async fn preview(State(web): State<Web>, ApiAdmin(session): ApiAdmin, body: Bytes) -> Result<(StatusCode, axum::Json<ImportView>), ApiError> {
    let view = import::prepare(&web, &session, &body).await?;
    Ok((StatusCode::CREATED, axum::Json(view.into())))
}

/// Import the valid rows of a previewed file; follow with `GET /api/v1/imports/{id}`.
#[utoipa::path(post, path = "/api/v1/imports/{id}/confirm", tag = "imports", params(("id" = Uuid, Path)), security(("session" = []), ("csrf" = [])),
    responses((status = 202, body = ImportView), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody, description = "already confirmed")))]
pub async fn confirm(
    State(web): State<Web>,
    ApiAdmin(session): ApiAdmin,
    Path(id): Path<String>,
) -> Result<(StatusCode, axum::Json<ImportView>), ApiError> {
    let id: Uuid = parse_id(&id)?;
    let view = import::confirm(&web, &session, id).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(view.into())))
}

/// An import's progress and, once finished, every row's outcome.
#[utoipa::path(get, path = "/api/v1/imports/{id}", tag = "imports", params(("id" = Uuid, Path)), security(("session" = [])),
    responses((status = 200, body = ImportView), (status = 404, body = super::ErrorBody)))]
pub async fn status(State(web): State<Web>, ApiAdmin(session): ApiAdmin, Path(id): Path<String>) -> Result<axum::Json<ImportView>, ApiError> {
    let id: Uuid = parse_id(&id)?;
    Ok(axum::Json(import::get(&web, &session, id).await?.into()))
}
