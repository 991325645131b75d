//! Logging in and out through the API.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::users::ApiUser;
use super::Json;
use crate::auth::{self, ApiSession, SESSION_COOKIE};
use crate::error::{ApiError, AppError};
use crate::ratelimit::{self, ClientIp};
use crate::App;

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
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    Json(credentials): Json<Credentials>,
) -> Result<Response, ApiError> {
    ratelimit::check(&app, &credentials.email, ip).await?;
    let Some(user) = auth::authenticate(&app, &credentials.email, &credentials.password, ip).await? else {
        return Err(ApiError(AppError::InvalidCredentials));
    };
    let token = auth::start_session(&app, &user).await?;
    let client = app.pool.get().await?;
    let csrf: String = client.query_one("SELECT csrf_token FROM sessions WHERE token_hash = $1", &[&auth::hash_token(&token)]).await?.get(0);
    let body = SessionInfo { user: ApiUser::from(user), csrf_token: csrf };
    Ok((jar.add(auth::session_cookie(&app, token)), axum::Json(body)).into_response())
}

/// Log out.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", security(("session" = []), ("csrf" = [])),
    responses((status = 204), (status = 401, body = super::ErrorBody)))]
pub async fn logout(State(app): State<App>, ApiSession(session): ApiSession, jar: CookieJar) -> Result<Response, ApiError> {
    auth::end_session(&app, &session.token_hash).await?;
    Ok((StatusCode::NO_CONTENT, jar.remove(Cookie::build(SESSION_COOKIE).path("/"))).into_response())
}
