//! Users, roles and the licence through the API.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use domain::company::Role;
use domain::user::Profile;
use domain::UserId;
use projections::users::UserRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{parse_id, Json, Query};
use crate::admin::{self, AccessInput, UserInput};
use crate::auth::{ApiAdmin, Session};
use crate::error::{ApiError, AppError};
use crate::App;

#[derive(Serialize, ToSchema)]
pub struct ApiUser {
    pub id: Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub display_name: String,
    pub phone: String,
    pub job_title: String,
    /// Agent, Supervisor, Administrator, Expert.
    pub roles: Vec<String>,
    /// `invited`, `active` or `deactivated`.
    pub status: String,
    pub max_chats: i32,
    pub invitation_expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<UserRow> for ApiUser {
    fn from(u: UserRow) -> Self {
        ApiUser {
            id: u.user_id.0,
            email: u.email,
            first_name: u.first_name,
            last_name: u.last_name,
            display_name: u.display_name,
            phone: u.phone,
            job_title: u.job_title,
            roles: u.roles,
            status: u.status.as_str().to_owned(),
            max_chats: u.max_chats,
            invitation_expires_at: u.invitation_expires_at,
            created_at: u.created_at,
        }
    }
}

async fn fetch(app: &App, session: &Session, user_id: UserId) -> Result<ApiUser, ApiError> {
    let client = app.pool.get().await?;
    let user = projections::users::get(&**client, session.company_id(), user_id).await?.ok_or(AppError::NotFound)?;
    Ok(user.into())
}

#[derive(Deserialize, IntoParams)]
pub struct ListParams {
    /// Part of a name or an e-mail address.
    #[serde(default)]
    q: String,
    /// From 1.
    page: Option<i64>,
    /// 1 to 200, default 50.
    per_page: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct UserList {
    pub users: Vec<ApiUser>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// The company's users, by last name.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(ListParams), security(("session" = [])),
    responses((status = 200, body = UserList), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn list(State(app): State<App>, ApiAdmin(session): ApiAdmin, Query(params): Query<ListParams>) -> Result<axum::Json<UserList>, ApiError> {
    let per_page = params.per_page.unwrap_or(50).clamp(1, 200);
    let page = params.page.unwrap_or(1).max(1);
    let client = app.pool.get().await?;
    let (users, total) = projections::users::list(&**client, session.company_id(), &params.q, (page - 1) * per_page, per_page).await?;
    Ok(axum::Json(UserList { users: users.into_iter().map(ApiUser::from).collect(), total, page, per_page }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewUser {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub job_title: String,
    /// Default: `["Agent"]`.
    #[serde(default)]
    pub roles: Option<Vec<String>>,
    /// 1 to 20, default 3.
    pub max_chats: Option<i64>,
    /// `invite` (mail a link, the default), `invite_later` (create the invitation, mail it
    /// when resent), `password` (set `password`), or `generate_password` (returned once).
    #[serde(default)]
    pub access: Option<String>,
    pub password: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedUser {
    pub user: ApiUser,
    /// Only with `access: generate_password`; shown this once.
    pub generated_password: Option<String>,
}

/// Add a user: invited by e-mail, or with a password set or generated.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUser, security(("session" = []), ("csrf" = [])),
    responses((status = 201, body = CreatedUser), (status = 409, body = super::ErrorBody, description = "email_taken, seats_exhausted"),
        (status = 422, body = super::ErrorBody, description = "a field is invalid")))]
pub async fn create(
    State(app): State<App>,
    ApiAdmin(session): ApiAdmin,
    Json(body): Json<NewUser>,
) -> Result<(StatusCode, axum::Json<CreatedUser>), ApiError> {
    let access = match body.access.as_deref().unwrap_or("invite") {
        "invite" => AccessInput::Invite,
        "invite_later" => AccessInput::InviteLater,
        "generate_password" => AccessInput::GeneratePassword,
        "password" => AccessInput::Password(
            body.password.clone().ok_or_else(|| AppError::invalid("password", "A password is required with access `password`."))?,
        ),
        other => {
            return Err(AppError::invalid("access", format!("access `{other}` should be invite, invite_later, password or generate_password")).into())
        }
    };
    let roles = match &body.roles {
        Some(names) => admin::parse_roles(names.iter().map(String::as_str))?,
        None => [Role::Agent].into(),
    };
    let input = UserInput {
        email: body.email,
        profile: Profile {
            first_name: body.first_name,
            last_name: body.last_name,
            display_name: body.display_name,
            phone: body.phone,
            job_title: body.job_title,
        },
        roles,
        max_chats: body.max_chats,
        access,
    };
    let created = admin::create_user(&app, &session, input).await?;
    let user = fetch(&app, &session, created.user_id).await?;
    Ok((StatusCode::CREATED, axum::Json(CreatedUser { user, generated_password: created.generated_password })))
}

/// One user of the company.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = Uuid, Path)), security(("session" = [])),
    responses((status = 200, body = ApiUser), (status = 404, body = super::ErrorBody)))]
pub async fn get_one(State(app): State<App>, ApiAdmin(session): ApiAdmin, Path(id): Path<String>) -> Result<axum::Json<ApiUser>, ApiError> {
    Ok(axum::Json(fetch(&app, &session, parse_id(&id)?).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct UserPatch {
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub display_name: Option<String>,
    pub phone: Option<String>,
    pub job_title: Option<String>,
    pub max_chats: Option<i64>,
}

/// Change profile fields, the e-mail address or the maximum of simultaneous chats.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = Uuid, Path)), request_body = UserPatch,
    security(("session" = []), ("csrf" = [])),
    responses((status = 200, body = ApiUser), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn update(
    State(app): State<App>,
    ApiAdmin(session): ApiAdmin,
    Path(id): Path<String>,
    Json(patch): Json<UserPatch>,
) -> Result<axum::Json<ApiUser>, ApiError> {
    let user_id: UserId = parse_id(&id)?;
    let current = fetch(&app, &session, user_id).await?;
    if let Some(n) = patch.max_chats {
        admin::set_max_chats(&app, &session, user_id, n).await?;
    }
    let profile = Profile {
        first_name: patch.first_name.unwrap_or(current.first_name),
        last_name: patch.last_name.unwrap_or(current.last_name),
        display_name: patch.display_name.unwrap_or(current.display_name),
        phone: patch.phone.unwrap_or(current.phone),
        job_title: patch.job_title.unwrap_or(current.job_title),
    };
    admin::update_profile(&app, &session, user_id, profile, patch.email.as_deref().unwrap_or(&current.email)).await?;
    Ok(axum::Json(fetch(&app, &session, user_id).await?))
}

async fn role_change(app: &App, session: &Session, id: &str, role: &str, on: bool) -> Result<axum::Json<ApiUser>, ApiError> {
    let user_id: UserId = parse_id(id)?;
    let role = role.parse::<Role>().map_err(|e| AppError::Invalid { code: "unknown_role", message: e, field: Some("role") })?;
    admin::set_role(app, session, user_id, role, on).await?;
    Ok(axum::Json(fetch(app, session, user_id).await?))
}

/// Switch a role on.
#[utoipa::path(put, path = "/api/v1/users/{id}/roles/{role}", tag = "users", params(("id" = Uuid, Path), ("role" = String, Path)),
    security(("session" = []), ("csrf" = [])), responses((status = 200, body = ApiUser), (status = 404, body = super::ErrorBody)))]
pub async fn grant_role(
    State(app): State<App>,
    ApiAdmin(session): ApiAdmin,
    Path((id, role)): Path<(String, String)>,
) -> Result<axum::Json<ApiUser>, ApiError> {
    role_change(&app, &session, &id, &role, true).await
}

/// Switch a role off; the last active Administrator keeps theirs.
#[utoipa::path(delete, path = "/api/v1/users/{id}/roles/{role}", tag = "users", params(("id" = Uuid, Path), ("role" = String, Path)),
    security(("session" = []), ("csrf" = [])),
    responses((status = 200, body = ApiUser), (status = 409, body = super::ErrorBody, description = "last_administrator")))]
pub async fn revoke_role(
    State(app): State<App>,
    ApiAdmin(session): ApiAdmin,
    Path((id, role)): Path<(String, String)>,
) -> Result<axum::Json<ApiUser>, ApiError> {
    role_change(&app, &session, &id, &role, false).await
}

/// Deactivate: the user cannot log in and frees a seat.
#[utoipa::path(post, path = "/api/v1/users/{id}/deactivate", tag = "users", params(("id" = Uuid, Path)), security(("session" = []), ("csrf" = [])),
    responses((status = 200, body = ApiUser), (status = 409, body = super::ErrorBody, description = "last_administrator")))]
pub async fn deactivate(State(app): State<App>, ApiAdmin(session): ApiAdmin, Path(id): Path<String>) -> Result<axum::Json<ApiUser>, ApiError> {
    let user_id = parse_id(&id)?;
    admin::set_active(&app, &session, user_id, false).await?;
    Ok(axum::Json(fetch(&app, &session, user_id).await?))
}

/// Reactivate: takes a seat again.
#[utoipa::path(post, path = "/api/v1/users/{id}/reactivate", tag = "users", params(("id" = Uuid, Path)), security(("session" = []), ("csrf" = [])),
    responses((status = 200, body = ApiUser), (status = 409, body = super::ErrorBody, description = "seats_exhausted")))]
pub async fn reactivate(State(app): State<App>, ApiAdmin(session): ApiAdmin, Path(id): Path<String>) -> Result<axum::Json<ApiUser>, ApiError> {
    let user_id = parse_id(&id)?;
    admin::set_active(&app, &session, user_id, true).await?;
    Ok(axum::Json(fetch(&app, &session, user_id).await?))
}

/// Mail a new invitation link; the previous one stops working.
#[utoipa::path(post, path = "/api/v1/users/{id}/invitation", tag = "users", params(("id" = Uuid, Path)), security(("session" = []), ("csrf" = [])),
    responses((status = 202, body = ApiUser), (status = 409, body = super::ErrorBody, description = "not_invited")))]
pub async fn resend_invitation(
    State(app): State<App>,
    ApiAdmin(session): ApiAdmin,
    Path(id): Path<String>,
) -> Result<(StatusCode, axum::Json<ApiUser>), ApiError> {
    let user_id = parse_id(&id)?;
    admin::resend_invitation(&app, &session, user_id).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(fetch(&app, &session, user_id).await?)))
}

#[derive(Serialize, ToSchema)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    /// Who did it, in words.
    pub who: String,
    /// `user:<id>`, `system:<process>` …
    pub actor: String,
    /// The stored event type, e.g. `RoleGranted`.
    pub event: String,
    /// What happened, in words.
    pub what: String,
}

/// Who did what to this user, oldest first.
#[utoipa::path(get, path = "/api/v1/users/{id}/history", tag = "users", params(("id" = Uuid, Path)), security(("session" = [])),
    responses((status = 200, body = [HistoryEntry]), (status = 404, body = super::ErrorBody)))]
pub async fn history(State(app): State<App>, ApiAdmin(session): ApiAdmin, Path(id): Path<String>) -> Result<axum::Json<Vec<HistoryEntry>>, ApiError> {
    let user_id: UserId = parse_id(&id)?;
    fetch(&app, &session, user_id).await?;
    let client = app.pool.get().await?;
    let entries = projections::audit::history(&**client, session.company_id(), user_id).await?;
    Ok(axum::Json(
        entries
            .into_iter()
            .map(|e| HistoryEntry { at: e.occurred_at, who: e.who(), what: e.describe(), actor: e.actor, event: e.event_type })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct Licence {
    pub seats: i32,
    pub seats_in_use: i32,
    /// True when no seat is free.
    pub exhausted: bool,
}

/// Seats bought and in use.
#[utoipa::path(get, path = "/api/v1/licence", tag = "users", security(("session" = [])), responses((status = 200, body = Licence)))]
pub async fn licence(State(app): State<App>, ApiAdmin(session): ApiAdmin) -> Result<axum::Json<Licence>, ApiError> {
    let client = app.pool.get().await?;
    let l = projections::licences::get(&**client, session.company_id()).await?.ok_or(AppError::NotFound)?;
    Ok(axum::Json(Licence { seats: l.seats, seats_in_use: l.seats_in_use, exhausted: l.exhausted() }))
}
