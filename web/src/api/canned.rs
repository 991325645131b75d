//! Canned responses through the API: what the session may insert, and changes to the
//! company's shared ones (administrators) or the caller's own (agents).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::canned::Owner;
use domain::company::Role;
use projections::canned::CannedRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{parse_id, Json};
use crate::auth::ApiSession;
use crate::error::ApiError;
use crate::Web;
use app::canned;

#[derive(Serialize, ToSchema)]
pub struct ApiCanned {
    pub id: Uuid,
    /// Typed after `/` in the console: 1–32 of a-z, 0-9, - and _.
    pub shortcut: String,
    /// May hold `{visitor_name}` and `{agent_name}` (or `{nom_visiteur}`, `{nom_agent}`),
    /// filled in when inserted.
    pub text: String,
    /// The company's (managed by administrators) rather than the caller's own.
    pub shared: bool,
}

fn to_api(row: CannedRow) -> ApiCanned {
    ApiCanned { id: row.response_id.0, shortcut: row.shortcut, text: row.text, shared: row.owner == Owner::Company }
}

/// The responses the caller may insert: an agent's own, then the company's.
#[utoipa::path(get, path = "/api/v1/canned-responses", tag = "canned-responses", security(("session" = [])),
    responses((status = 200, body = [ApiCanned]), (status = 403, body = super::ErrorBody, description = "forbidden: neither an agent nor an administrator")))]
pub async fn list(State(web): State<Web>, ApiSession(session): ApiSession) -> Result<axum::Json<Vec<ApiCanned>>, ApiError> {
    Ok(axum::Json(canned::usable(&web, &session).await?.into_iter().map(to_api).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct NewCanned {
    pub shortcut: String,
    pub text: String,
    /// The company's (administrators only) or the caller's own; by default the company's for
    /// an administrator, else the caller's own.
    pub shared: Option<bool>,
}

/// Add a canned response.
#[utoipa::path(post, path = "/api/v1/canned-responses", tag = "canned-responses", request_body = NewCanned, security(("session" = []), ("csrf" = [])),
    responses((status = 201, body = ApiCanned),
        (status = 422, body = super::ErrorBody, description = "invalid_input, field: shortcut or text"),
        (status = 409, body = super::ErrorBody, description = "shortcut_taken (field: shortcut), too_many_canned_responses"),
        (status = 403, body = super::ErrorBody, description = "forbidden: a shared one needs an administrator, an own one an agent")))]
pub async fn create(
    State(web): State<Web>,
    ApiSession(session): ApiSession,
    Json(body): Json<NewCanned>,
) -> Result<(StatusCode, axum::Json<ApiCanned>), ApiError> {
    let shared = body.shared.unwrap_or_else(|| session.has_role(Role::Administrator));
    let id = canned::add(&web, &session, shared, &body.shortcut, &body.text).await?;
    Ok((StatusCode::CREATED, axum::Json(to_api(canned::load(&web, &session, id).await?))))
}

#[derive(Deserialize, ToSchema)]
pub struct CannedPatch {
    pub shortcut: Option<String>,
    pub text: Option<String>,
}

/// Change a response's shortcut or text.
#[utoipa::path(patch, path = "/api/v1/canned-responses/{id}", tag = "canned-responses", params(("id" = Uuid, Path)), request_body = CannedPatch,
    security(("session" = []), ("csrf" = [])),
    responses((status = 200, body = ApiCanned), (status = 404, body = super::ErrorBody), (status = 403, body = super::ErrorBody),
        (status = 422, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn update(
    State(web): State<Web>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    Json(body): Json<CannedPatch>,
) -> Result<axum::Json<ApiCanned>, ApiError> {
    let id = parse_id(&id)?;
    let current = canned::load(&web, &session, id).await?;
    let shortcut = body.shortcut.unwrap_or(current.shortcut);
    let text = body.text.unwrap_or(current.text);
    canned::change(&web, &session, id, &shortcut, &text).await?;
    Ok(axum::Json(to_api(canned::load(&web, &session, id).await?)))
}

/// Remove a response.
#[utoipa::path(delete, path = "/api/v1/canned-responses/{id}", tag = "canned-responses", params(("id" = Uuid, Path)), security(("session" = []), ("csrf" = [])),
    responses((status = 204), (status = 404, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn delete(State(web): State<Web>, ApiSession(session): ApiSession, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    canned::remove(&web, &session, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
