//! What a visitor's browser loads from a customer's page: the widget script and its
//! configuration. Public, keyed by the site's widget key; CORS-enabled.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::error::ApiError;
use crate::Web;

pub async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            // Short, so a new version reaches pages soon; the snippet never changes.
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        include_str!("../static/widget.js"),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct ConfigQuery {
    #[serde(default)]
    site: String,
}

fn cors(origin: Option<&HeaderValue>, mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.cloned().unwrap_or(HeaderValue::from_static("*")));
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    response
}

/// The site's widget configuration, for the page at `Origin`.
pub async fn config(State(web): State<Web>, headers: HeaderMap, Query(q): Query<ConfigQuery>) -> Response {
    let origin = headers.get(header::ORIGIN);
    let answer = app::widget::config(&web, &q.site, origin.and_then(|o| o.to_str().ok())).await;
    cors(
        origin,
        match answer {
            Ok(config) => axum::Json(config).into_response(),
            Err(e) => ApiError::from(e).into_response(),
        },
    )
}

pub async fn preflight(headers: HeaderMap) -> Response {
    let mut response = cors(headers.get(header::ORIGIN), StatusCode::NO_CONTENT.into_response());
    response.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST, OPTIONS"));
    response.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("content-type"));
    response
}
