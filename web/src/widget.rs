//! What a visitor's browser loads from a customer's page: the widget script and its
//! configuration. Public, keyed by the site's widget key; CORS-enabled.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::site::{self, WidgetSettings};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, AppError};
use crate::App;

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

#[derive(Serialize)]
pub struct WidgetConfig {
    pub site: String,
    pub settings: WidgetSettings,
    /// Any agent of the site online now (or, with live chat, whether to offer the offline form).
    pub online: bool,
    /// The origin is not among the site's URLs (the widget still opens unless restricted).
    pub unlisted_origin: bool,
}

fn cors(origin: Option<&HeaderValue>, mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.cloned().unwrap_or(HeaderValue::from_static("*")));
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    response
}

/// The site's widget configuration, for the page at `Origin`.
pub async fn config(State(app): State<App>, headers: HeaderMap, Query(q): Query<ConfigQuery>) -> Response {
    let origin = headers.get(header::ORIGIN);
    let result = answer(&app, origin.and_then(|o| o.to_str().ok()), &q.site).await;
    cors(
        origin,
        match result {
            Ok(config) => axum::Json(config).into_response(),
            Err(e) => e.into_response(),
        },
    )
}

async fn answer(app: &App, origin: Option<&str>, key: &str) -> Result<WidgetConfig, ApiError> {
    let client = app.pool.get().await?;
    let site = projections::sites::by_widget_key(&**client, key.trim()).await?.ok_or(AppError::NotFound)?;
    if site.deleted {
        return Err(ApiError(AppError::Command(commands::Error::Site(site::Error::Deleted))));
    }
    let listed: Vec<String> = site.urls.iter().map(|u| site::origin_of(u)).collect();
    // Switchboard's own "Test my module" page is always allowed.
    let own = site::origin_of(&app.settings.public_url);
    let unlisted = origin.is_some_and(|o| !listed.iter().any(|l| l.eq_ignore_ascii_case(o)) && !o.eq_ignore_ascii_case(&own));
    if let Some(origin) = origin.filter(|_| unlisted) {
        // Remember it for the site's page; at most one write a minute per origin.
        let _ = client
            .execute(
                "INSERT INTO widget_origins (site_id, origin) VALUES ($1, left($2, 200))
                 ON CONFLICT (site_id, origin) DO UPDATE SET last_seen = now() WHERE widget_origins.last_seen < now() - interval '1 minute'",
                &[&site.site_id.0, &origin],
            )
            .await;
        if site.restrict_to_urls {
            let message = format!("The widget of {} may not be used on {origin}.", site.name);
            return Err(ApiError(AppError::Denied { code: "origin_not_allowed", message }));
        }
    }
    let online: i64 = client
        .query_one(
            "SELECT count(*) FROM site_agents a JOIN users u ON u.user_id = a.user_id JOIN agent_load l ON l.user_id = a.user_id
             WHERE a.site_id = $1 AND u.active AND 'Agent' = ANY(u.roles) AND l.status = 'online'",
            &[&site.site_id.0],
        )
        .await?
        .get(0);
    Ok(WidgetConfig { site: site.name, settings: site.settings, online: online > 0, unlisted_origin: unlisted })
}

pub async fn preflight(headers: HeaderMap) -> Response {
    let mut response = cors(headers.get(header::ORIGIN), StatusCode::NO_CONTENT.into_response());
    response.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST, OPTIONS"));
    response.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("content-type"));
    response
}
