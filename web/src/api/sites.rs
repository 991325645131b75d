//! Sites, their widget and their agents through the API.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::business_hours::BusinessHours;
use domain::site::{Weights, WidgetSettings};
use domain::{SiteId, UserId};
use projections::sites::SiteRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{parse_id, Json};
use crate::auth::ApiAdmin;
use crate::error::ApiError;
use crate::Web;
use app::auth::Session;
use app::sites as site_admin;

#[derive(Serialize, ToSchema)]
pub struct ApiSite {
    pub id: Uuid,
    pub name: String,
    pub urls: Vec<String>,
    pub notes: String,
    /// Public; part of the snippet.
    pub widget_key: String,
    /// The widget refuses to open on other origins.
    pub restrict_to_urls: bool,
    #[schema(value_type = Object)]
    pub settings: WidgetSettings,
    pub weights: ApiWeights,
    /// enabled (false: always open), and monday … sunday: each a list of openings
    /// `{"from": "09:00", "to": "17:30"}` in the company's time zone (`to` may be "24:00").
    #[schema(value_type = Object)]
    pub hours: BusinessHours,
    /// The company's time zone, which the hours are in.
    pub time_zone: String,
    /// Accept before it counts: a new chat rings the chosen agent for this many seconds
    /// (10 to 120) before it is theirs; null: off, chats are assigned at once.
    pub accept_seconds: Option<u16>,
    /// The lines to paste before `</body>`.
    pub snippet: String,
}

#[derive(Serialize, Deserialize, ToSchema, Clone, Copy)]
pub struct ApiWeights {
    pub high: u8,
    pub normal: u8,
    pub low: u8,
}

fn to_api(web: &Web, session: &Session, site: SiteRow) -> ApiSite {
    let snippet = site_admin::snippet(web, &site);
    let time_zone = session.company_time_zone().unwrap_or(locale::Tz::UTC).name().to_owned();
    ApiSite {
        id: site.site_id.0,
        name: site.name,
        urls: site.urls,
        notes: site.notes,
        widget_key: site.widget_key,
        restrict_to_urls: site.restrict_to_urls,
        settings: site.settings,
        weights: ApiWeights { high: site.weights.high, normal: site.weights.normal, low: site.weights.low },
        hours: site.hours,
        time_zone,
        accept_seconds: site.accept_seconds,
        snippet,
    }
}

async fn fetch(web: &Web, session: &Session, id: SiteId) -> Result<ApiSite, ApiError> {
    Ok(to_api(web, session, site_admin::load_live(web, session, id).await?))
}

/// The company's sites.
#[utoipa::path(get, path = "/api/v1/sites", tag = "sites", security(("session" = [])), responses((status = 200, body = [ApiSite])))]
pub async fn list(State(web): State<Web>, ApiAdmin(session): ApiAdmin) -> Result<axum::Json<Vec<ApiSite>>, ApiError> {
    let sites = site_admin::list(&web, &session).await?;
    Ok(axum::Json(sites.into_iter().map(|s| to_api(&web, &session, s.site)).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct NewSite {
    pub name: String,
    pub urls: Vec<String>,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub restrict_to_urls: bool,
}

/// Add a site; its widget key is made at once.
#[utoipa::path(post, path = "/api/v1/sites", tag = "sites", request_body = NewSite, security(("session" = []), ("csrf" = [])),
    responses((status = 201, body = ApiSite), (status = 422, body = super::ErrorBody, description = "field: name, urls or notes")))]
pub async fn create(
    State(web): State<Web>,
    ApiAdmin(session): ApiAdmin,
    Json(body): Json<NewSite>,
) -> Result<(StatusCode, axum::Json<ApiSite>), ApiError> {
    let id = site_admin::create(&web, &session, &body.name, body.urls, &body.notes, body.restrict_to_urls).await?;
    Ok((StatusCode::CREATED, axum::Json(fetch(&web, &session, id).await?)))
}

/// One site.
#[utoipa::path(get, path = "/api/v1/sites/{id}", tag = "sites", params(("id" = Uuid, Path)), security(("session" = [])),
    responses((status = 200, body = ApiSite), (status = 404, body = super::ErrorBody), (status = 410, body = super::ErrorBody)))]
pub async fn get_one(State(web): State<Web>, ApiAdmin(session): ApiAdmin, Path(id): Path<String>) -> Result<axum::Json<ApiSite>, ApiError> {
    Ok(axum::Json(fetch(&web, &session, parse_id(&id)?).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct SitePatch {
    pub name: Option<String>,
    pub urls: Option<Vec<String>>,
    pub notes: Option<String>,
    pub restrict_to_urls: Option<bool>,
    /// colour (#rrggbb), greeting, position (bottom-right | bottom-left), language (en | fr), offline_text,
    /// prechat_form (bool, false when left out: the widget asks for a name and an e-mail address first).
    #[schema(value_type = Option<Object>)]
    pub settings: Option<WidgetSettings>,
    pub weights: Option<ApiWeights>,
    /// As `hours` in a site; the whole schedule is replaced.
    #[schema(value_type = Option<Object>)]
    pub hours: Option<BusinessHours>,
    /// As `accept_seconds` in a site (10 to 120); null turns it off, leaving it out keeps it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<u16>, minimum = 10, maximum = 120)]
    pub accept_seconds: Option<Option<u16>>,
}

/// A field that is present, null included (`Some(None)`), as opposed to left out (`None`).
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Change a site, its widget settings, its priority weights, its business hours or its accept time.
#[utoipa::path(patch, path = "/api/v1/sites/{id}", tag = "sites", params(("id" = Uuid, Path)), request_body = SitePatch,
    security(("session" = []), ("csrf" = [])), responses((status = 200, body = ApiSite), (status = 422, body = super::ErrorBody)))]
pub async fn update(
    State(web): State<Web>,
    ApiAdmin(session): ApiAdmin,
    Path(id): Path<String>,
    Json(patch): Json<SitePatch>,
) -> Result<axum::Json<ApiSite>, ApiError> {
    let id: SiteId = parse_id(&id)?;
    let current = site_admin::load_live(&web, &session, id).await?;
    if patch.name.is_some() || patch.urls.is_some() || patch.notes.is_some() || patch.restrict_to_urls.is_some() {
        site_admin::change(
            &web,
            &session,
            id,
            patch.name.as_deref().unwrap_or(&current.name),
            patch.urls.unwrap_or(current.urls),
            patch.notes.as_deref().unwrap_or(&current.notes),
            patch.restrict_to_urls.unwrap_or(current.restrict_to_urls),
        )
        .await?;
    }
    if let Some(settings) = patch.settings {
        site_admin::settings(&web, &session, id, settings).await?;
    }
    if let Some(w) = patch.weights {
        site_admin::weights(&web, &session, id, Weights { high: w.high, normal: w.normal, low: w.low }).await?;
    }
    if let Some(hours) = patch.hours {
        app::hours::set(&web, &session, id, hours).await?;
    }
    if let Some(seconds) = patch.accept_seconds {
        site_admin::accept_timeout(&web, &session, id, seconds).await?;
    }
    Ok(axum::Json(fetch(&web, &session, id).await?))
}

/// Set the site's business hours (outside them its widget offers the offline form).
#[utoipa::path(put, path = "/api/v1/sites/{id}/hours", tag = "sites", params(("id" = Uuid, Path)), request_body(content = Object, description = "as `hours` in a site"),
    security(("session" = []), ("csrf" = [])),
    responses((status = 200, body = ApiSite), (status = 422, body = super::ErrorBody, description = "field: monday_from, monday_to … sunday_to")))]
pub async fn set_hours(
    State(web): State<Web>,
    ApiAdmin(session): ApiAdmin,
    Path(id): Path<String>,
    Json(hours): Json<BusinessHours>,
) -> Result<axum::Json<ApiSite>, ApiError> {
    let id: SiteId = parse_id(&id)?;
    site_admin::load_live(&web, &session, id).await?;
    app::hours::set(&web, &session, id, hours).await?;
    Ok(axum::Json(fetch(&web, &session, id).await?))
}

/// Make a new widget key; pages with the old snippet stop showing the widget.
#[utoipa::path(post, path = "/api/v1/sites/{id}/key", tag = "sites", params(("id" = Uuid, Path)), security(("session" = []), ("csrf" = [])),
    responses((status = 200, body = ApiSite)))]
pub async fn rotate_key(State(web): State<Web>, ApiAdmin(session): ApiAdmin, Path(id): Path<String>) -> Result<axum::Json<ApiSite>, ApiError> {
    let id: SiteId = parse_id(&id)?;
    site_admin::rotate_key(&web, &session, id).await?;
    Ok(axum::Json(fetch(&web, &session, id).await?))
}

/// Delete a site: its widget opens no new chats; conversations stay in the history.
#[utoipa::path(delete, path = "/api/v1/sites/{id}", tag = "sites", params(("id" = Uuid, Path)), security(("session" = []), ("csrf" = [])),
    responses((status = 204), (status = 404, body = super::ErrorBody)))]
pub async fn delete(State(web): State<Web>, ApiAdmin(session): ApiAdmin, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    let id: SiteId = parse_id(&id)?;
    site_admin::delete(&web, &session, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct ApiAdvisor {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    /// high, normal, low; null when not assigned.
    pub priority: Option<String>,
    /// Holds the Agent role and is active: routing may offer chats.
    pub offered: bool,
}

/// Every agent of the company and every user assigned to the site, with their priority.
#[utoipa::path(get, path = "/api/v1/sites/{id}/agents", tag = "sites", params(("id" = Uuid, Path)), security(("session" = [])),
    responses((status = 200, body = [ApiAdvisor])))]
pub async fn agents(State(web): State<Web>, ApiAdmin(session): ApiAdmin, Path(id): Path<String>) -> Result<axum::Json<Vec<ApiAdvisor>>, ApiError> {
    let id: SiteId = parse_id(&id)?;
    let advisors = site_admin::advisors(&web, &session, id).await?;
    Ok(axum::Json(
        advisors
            .into_iter()
            .map(|a| ApiAdvisor {
                user_id: a.user_id.0,
                name: a.name,
                email: a.email,
                priority: a.priority.map(|p| p.as_str().to_owned()),
                offered: a.offered,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct Placement {
    /// high, normal or low.
    pub priority: String,
}

/// Assign an agent to the site at a priority, or move them.
#[utoipa::path(put, path = "/api/v1/sites/{id}/agents/{user_id}", tag = "sites", params(("id" = Uuid, Path), ("user_id" = Uuid, Path)),
    request_body = Placement, security(("session" = []), ("csrf" = [])),
    responses((status = 200, body = [ApiAdvisor]), (status = 409, body = super::ErrorBody, description = "not_an_agent")))]
pub async fn assign(
    State(web): State<Web>,
    ApiAdmin(session): ApiAdmin,
    Path((id, user_id)): Path<(String, String)>,
    Json(body): Json<Placement>,
) -> Result<axum::Json<Vec<ApiAdvisor>>, ApiError> {
    let (site_id, user): (SiteId, UserId) = (parse_id(&id)?, parse_id(&user_id)?);
    let priority = site_admin::parse_priority(&body.priority)?;
    site_admin::place(&web, &session, site_id, user, Some(priority)).await?;
    agents(State(web), ApiAdmin(session), Path(id)).await
}

/// Take an agent off the site.
#[utoipa::path(delete, path = "/api/v1/sites/{id}/agents/{user_id}", tag = "sites", params(("id" = Uuid, Path), ("user_id" = Uuid, Path)),
    security(("session" = []), ("csrf" = [])), responses((status = 200, body = [ApiAdvisor])))]
pub async fn unassign(
    State(web): State<Web>,
    ApiAdmin(session): ApiAdmin,
    Path((id, user_id)): Path<(String, String)>,
) -> Result<axum::Json<Vec<ApiAdvisor>>, ApiError> {
    let (site_id, user): (SiteId, UserId) = (parse_id(&id)?, parse_id(&user_id)?);
    site_admin::place(&web, &session, site_id, user, None).await?;
    agents(State(web), ApiAdmin(session), Path(id)).await
}
