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
use crate::auth::ApiAdmin;
use crate::error::{ApiError, AppError};
use crate::Web;
use app::auth::Session;
use app::users::{self as admin, AccessInput, UserInput};

/// The profile fields, as the API reads and writes them.
#[derive(ToSchema)]
#[allow(dead_code)] // describes `Profile` in the OpenAPI document; serde uses `Profile` itself
struct ProfileFields {
    /// Mandatory.
    first_name: String,
    /// Mandatory.
    last_name: String,
    /// The name visitors see; the first name when empty.
    #[schema(default = "")]
    display_name: String,
    #[schema(default = "")]
    phone: String,
    #[schema(default = "")]
    job_title: String,
}

#[derive(Serialize, ToSchema)]
pub struct ApiUser {
    pub id: Uuid,
    pub email: String,
    #[serde(flatten)]
    #[schema(inline, value_type = ProfileFields)]
    pub profile: Profile,
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
            profile: u.profile,
            roles: u.roles,
            status: u.status.as_str().to_owned(),
            max_chats: u.max_chats,
            invitation_expires_at: u.invitation_expires_at,
            created_at: u.created_at,
        }
    }
}

async fn fetch(web: &Web, session: &Session, user_id: UserId) -> Result<ApiUser, ApiError> {
    Ok(admin::get(web, session, user_id).await?.into())
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
pub async fn list(State(web): State<Web>, ApiAdmin(session): ApiAdmin, Query(params): Query<ListParams>) -> Result<axum::Json<UserList>, ApiError> {
    let per_page = params.per_page.unwrap_or(50).clamp(1, 200);
    let page = params.page.unwrap_or(1).max(1);
    let (users, total) = admin::list(&web, &session, &params.q, (page - 1) * per_page, per_page).await?;
    Ok(axum::Json(UserList { users: users.into_iter().map(ApiUser::from).collect(), total, page, per_page }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewUser {
    pub email: String,
    #[serde(flatten)]
    #[schema(inline, value_type = ProfileFields)]
    pub profile: Profile,
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
    State(web): State<Web>,
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
    let input = UserInput { email: body.email, profile: body.profile, roles, max_chats: body.max_chats, access };
    let created = admin::create_user(&web, &session, input).await?;
    let user = fetch(&web, &session, created.user_id).await?;
    Ok((StatusCode::CREATED, axum::Json(CreatedUser { user, generated_password: created.generated_password })))
}

/// One user of the company.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = Uuid, Path)), security(("session" = [])),
    responses((status = 200, body = ApiUser), (status = 404, body = super::ErrorBody)))]
pub async fn get_one(State(web): State<Web>, ApiAdmin(session): ApiAdmin, Path(id): Path<String>) -> Result<axum::Json<ApiUser>, ApiError> {
    Ok(axum::Json(fetch(&web, &session, parse_id(&id)?).await?))
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
    State(web): State<Web>,
    ApiAdmin(session): ApiAdmin,
    Path(id): Path<String>,
    Json(patch): Json<UserPatch>,
) -> Result<axum::Json<ApiUser>, ApiError> {
    let user_id: UserId = parse_id(&id)?;
    let current = fetch(&web, &session, user_id).await?;
    if let Some(n) = patch.max_chats {
        admin::set_max_chats(&web, &session, user_id, n).await?;
    }
    let current_profile = current.profile;
    let profile = Profile {
        first_name: patch.first_name.unwrap_or(current_profile.first_name),
        last_name: patch.last_name.unwrap_or(current_profile.last_name),
        display_name: patch.display_name.unwrap_or(current_profile.display_name),
        phone: patch.phone.unwrap_or(current_profile.phone),
        job_title: patch.job_title.unwrap_or(current_profile.job_title),
    };
    admin::update_profile(&web, &session, user_id, profile, patch.email.as_deref().unwrap_or(&current.email)).await?;
    Ok(axum::Json(fetch(&web, &session, user_id).await?))
}

async fn role_change(web: &Web, session: &Session, id: &str, role: &str, on: bool) -> Result<axum::Json<ApiUser>, ApiError> {
    let user_id: UserId = parse_id(id)?;
    let role = admin::parse_role(role).map_err(|e| match e {
        app::Error::Invalid { code, message, .. } => app::Error::Invalid { code, message, field: Some("role") },
        other => other,
    })?;
    admin::set_role(web, session, user_id, role, on).await?;
    Ok(axum::Json(fetch(web, session, user_id).await?))
}

/// Switch a role on.
#[utoipa::path(put, path = "/api/v1/users/{id}/roles/{role}", tag = "users", params(("id" = Uuid, Path), ("role" = String, Path)),
    security(("session" = []), ("csrf" = [])), responses((status = 200, body = ApiUser), (status = 404, body = super::ErrorBody)))]
pub async fn grant_role(
    State(web): State<Web>,
    ApiAdmin(session): ApiAdmin,
    Path((id, role)): Path<(String, String)>,
) -> Result<axum::Json<ApiUser>, ApiError> {
    role_change(&web, &session, &id, &role, true).await
}

/// Switch a role off; the last active Administrator keeps theirs.
#[utoipa::path(delete, path = "/api/v1/users/{id}/roles/{role}", tag = "users", params(("id" = Uuid, Path), ("role" = String, Path)),
    security(("session" = []), ("csrf" = [])),
    responses((status = 200, body = ApiUser), (status = 409, body = super::ErrorBody, description = "last_administrator")))]
pub async fn revoke_role(
    State(web): State<Web>,
    ApiAdmin(session): ApiAdmin,
    Path((id, role)): Path<(String, String)>,
) -> Result<axum::Json<ApiUser>, ApiError> {
    role_change(&web, &session, &id, &role, false).await
}

/// Deactivate: the user cannot log in and frees a seat.
#[utoipa::path(post, path = "/api/v1/users/{id}/deactivate", tag = "users", params(("id" = Uuid, Path)), security(("session" = []), ("csrf" = [])),
    responses((status = 200, body = ApiUser), (status = 409, body = super::ErrorBody, description = "last_administrator")))]
pub async fn deactivate(State(web): State<Web>, ApiAdmin(session): ApiAdmin, Path(id): Path<String>) -> Result<axum::Json<ApiUser>, ApiError> {
    let user_id = parse_id(&id)?;
    admin::set_active(&web, &session, user_id, false).await?;
    Ok(axum::Json(fetch(&web, &session, user_id).await?))
}

/// Reactivate: takes a seat again.
#[utoipa::path(post, path = "/api/v1/users/{id}/reactivate", tag = "users", params(("id" = Uuid, Path)), security(("session" = []), ("csrf" = [])),
    responses((status = 200, body = ApiUser), (status = 409, body = super::ErrorBody, description = "seats_exhausted")))]
pub async fn reactivate(State(web): State<Web>, ApiAdmin(session): ApiAdmin, Path(id): Path<String>) -> Result<axum::Json<ApiUser>, ApiError> {
    let user_id = parse_id(&id)?;
    admin::set_active(&web, &session, user_id, true).await?;
    Ok(axum::Json(fetch(&web, &session, user_id).await?))
}

/// Mail a new invitation link; the previous one stops working.
#[utoipa::path(post, path = "/api/v1/users/{id}/invitation", tag = "users", params(("id" = Uuid, Path)), security(("session" = []), ("csrf" = [])),
    responses((status = 202, body = ApiUser), (status = 409, body = super::ErrorBody, description = "not_invited")))]
pub async fn resend_invitation(
    State(web): State<Web>,
    ApiAdmin(session): ApiAdmin,
    Path(id): Path<String>,
) -> Result<(StatusCode, axum::Json<ApiUser>), ApiError> {
    let user_id = parse_id(&id)?;
    admin::resend_invitation(&web, &session, user_id).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(fetch(&web, &session, user_id).await?)))
}

/// Mail the user a password reset link, valid one hour; an earlier link stops working.
#[utoipa::path(post, path = "/api/v1/users/{id}/password-reset", tag = "users", params(("id" = Uuid, Path)), security(("session" = []), ("csrf" = [])),
    responses((status = 202, body = ApiUser), (status = 409, body = super::ErrorBody, description = "no_password_yet (invited: resend the invitation) or deactivated")))]
pub async fn send_password_reset(
    State(web): State<Web>,
    ApiAdmin(session): ApiAdmin,
    Path(id): Path<String>,
) -> Result<(StatusCode, axum::Json<ApiUser>), ApiError> {
    let user_id = parse_id(&id)?;
    app::auth::password_reset::send_to(&web, &session, user_id).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(fetch(&web, &session, user_id).await?)))
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
pub async fn history(State(web): State<Web>, ApiAdmin(session): ApiAdmin, Path(id): Path<String>) -> Result<axum::Json<Vec<HistoryEntry>>, ApiError> {
    let entries = admin::history(&web, &session, parse_id(&id)?).await?;
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
pub async fn licence(State(web): State<Web>, ApiAdmin(session): ApiAdmin) -> Result<axum::Json<Licence>, ApiError> {
    let l = admin::licence(&web, &session).await?;
    Ok(axum::Json(Licence { seats: l.seats, seats_in_use: l.seats_in_use, exhausted: l.exhausted() }))
}
