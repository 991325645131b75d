//! Logging in and out through the API.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::users::ApiUser;
use super::Json;
use crate::auth::{self, ApiSession, ClientIp, SESSION_COOKIE};
use crate::error::{ApiError, AppError};
use crate::Web;

#[derive(Deserialize, ToSchema)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct SessionInfo {
    pub user: ApiUser,
    /// Send as `X-CSRF-Token` with every request that changes something.
    pub csrf_token: String,
}

/// Log in: sets the `sb_session` cookie.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = Credentials,
    responses((status = 200, body = SessionInfo), (status = 401, body = super::ErrorBody), (status = 429, body = super::ErrorBody)))]
pub async fn login(
    State(web): State<Web>,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    Json(credentials): Json<Credentials>,
) -> Result<Response, ApiError> {
    let Some(user) = app::auth::authenticate(&web, &credentials.email, &credentials.password, ip).await? else {
        return Err(ApiError(AppError::InvalidCredentials));
    };
    let (token, csrf) = app::auth::sessions::start(&web, &user).await?;
    let body = SessionInfo { user: ApiUser::from(user), csrf_token: csrf };
    Ok((jar.add(auth::session_cookie(&web, token)), axum::Json(body)).into_response())
}

/// Log out.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", security(("session" = []), ("csrf" = [])),
    responses((status = 204), (status = 401, body = super::ErrorBody)))]
pub async fn logout(State(web): State<Web>, ApiSession(session): ApiSession, jar: CookieJar) -> Result<Response, ApiError> {
    app::auth::sessions::end(&web, &session.token_hash).await?;
    Ok((StatusCode::NO_CONTENT, jar.remove(Cookie::build(SESSION_COOKIE).path("/"))).into_response())
}
