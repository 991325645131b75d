//! The JSON API, `/api/v1`: the same operations as the administration pages, for
//! integrators. Errors are `{"error": {"code", "message", "field"?}}` with a stable code.
//! Authentication: `POST /api/v1/session` sets the session cookie and returns a CSRF token
//! to send as `X-CSRF-Token` with every request that changes something.

mod billing;
mod canned;
mod conversations;
mod imports;
mod session;
mod sites;
mod users;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::routing::{get, post, put};
use axum::Router;
use serde::de::DeserializeOwned;
use utoipa::OpenApi;

use crate::error::ApiError;
use crate::Web;

#[derive(OpenApi)]
#[openapi(
    info(title = "Switchboard API", version = "1", description = "Administration of a company's users, roles, licences and sites, and its conversation history."),
    paths(
        session::login, session::logout,
        users::list, users::create, users::get_one, users::update, users::grant_role, users::revoke_role,
        users::deactivate, users::reactivate, users::resend_invitation, users::send_password_reset, users::history, users::licence,
        imports::template, imports::preview, imports::confirm, imports::status,
        sites::list, sites::create, sites::get_one, sites::update, sites::set_hours, sites::rotate_key, sites::delete, sites::agents, sites::assign, sites::unassign,
        canned::list, canned::create, canned::update, canned::delete,
        conversations::list, conversations::transcript, conversations::add_note, conversations::erase_visitor,
        billing::show, billing::quote, billing::order, billing::test_card, billing::invoices, billing::invoice,
    ),
    components(schemas(
        ErrorBody, ErrorDetail,
        session::Credentials, session::SessionInfo,
        users::ApiUser, users::UserList, users::NewUser, users::CreatedUser, users::UserPatch, users::HistoryEntry, users::Licence,
        imports::ImportView, imports::RowOutcome,
        sites::ApiSite, sites::ApiWeights, sites::NewSite, sites::SitePatch, sites::ApiAdvisor, sites::Placement,
        canned::ApiCanned, canned::NewCanned, canned::CannedPatch,
        conversations::ApiConversation, conversations::ConversationList, conversations::ApiMessage, conversations::Transcript, conversations::NewNote, conversations::ApiErasure,
        billing::ApiSubscription, billing::OfferRequest, billing::ApiBilling, billing::ApiQuote, billing::ApiLine, billing::OrderRequest,
        billing::OrderResult, billing::ApiTestCard, billing::CardToken, billing::ApiInvoiceSummary,
    )),
    modifiers(&CsrfHeader),
)]
pub struct ApiDoc;

struct CsrfHeader;

impl utoipa::Modify for CsrfHeader {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("session", SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("sb_session"))));
        components.add_security_scheme("csrf", SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-CSRF-Token"))));
    }
}

/// How every API error looks.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable and machine-readable: `invalid_input`, `invalid_email`, `email_taken`,
    /// `seats_exhausted`, `last_administrator`, `not_found`, `forbidden`, `unauthenticated`,
    /// `csrf`, `too_many_requests`, `conflict`, `invalid_json`; for canned responses
    /// `shortcut_taken`, `too_many_canned_responses`; for orders `seats_below_usage`,
    /// `nothing_to_change`, `amount_changed`, `order_in_progress`, `idempotency_key`, and the
    /// card refusals `card_declined`, `insufficient_funds`, `expired_card`, `incorrect_cvc` …
    pub code: String,
    pub message: String,
    /// The input field the error is about, when there is one.
    pub field: Option<String>,
}

pub fn router() -> Router<Web> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/session", post(session::login).delete(session::logout))
        .route("/users", get(users::list).post(users::create))
        .route("/users/{id}", get(users::get_one).patch(users::update))
        .route("/users/{id}/roles/{role}", put(users::grant_role).delete(users::revoke_role))
        .route("/users/{id}/deactivate", post(users::deactivate))
        .route("/users/{id}/reactivate", post(users::reactivate))
        .route("/users/{id}/invitation", post(users::resend_invitation))
        .route("/users/{id}/password-reset", post(users::send_password_reset))
        .route("/users/{id}/history", get(users::history))
        .route("/licence", get(users::licence))
        .route("/imports/template.csv", get(imports::template))
        .route("/imports", post(imports::preview))
        .route("/imports/{id}", get(imports::status))
        .route("/imports/{id}/confirm", post(imports::confirm))
        .route("/sites", get(sites::list).post(sites::create))
        .route("/sites/{id}", get(sites::get_one).patch(sites::update).delete(sites::delete))
        .route("/sites/{id}/key", post(sites::rotate_key))
        .route("/sites/{id}/hours", put(sites::set_hours))
        .route("/sites/{id}/agents", get(sites::agents))
        .route("/sites/{id}/agents/{user_id}", put(sites::assign).delete(sites::unassign))
        .route("/canned-responses", get(canned::list).post(canned::create))
        .route("/canned-responses/{id}", axum::routing::patch(canned::update).delete(canned::delete))
        .route("/conversations", get(conversations::list))
        .route("/conversations/{id}", get(conversations::transcript))
        .route("/conversations/{id}/notes", post(conversations::add_note))
        .route("/visitors/{id}/erasure", post(conversations::erase_visitor))
        .route("/subscription", get(billing::show))
        .route("/subscription/quote", post(billing::quote))
        .route("/subscription/orders", post(billing::order))
        .route("/subscription/test-cards", post(billing::test_card))
        .route("/invoices", get(billing::invoices))
        .route("/invoices/{number}", get(billing::invoice))
        .fallback(|| async { ApiError(app::Error::NotFound.into()) })
}

async fn openapi() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}

/// A JSON body; a malformed one is a 422 whose message says what and where.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Json(value)),
            Err(rejection) => Err(ApiError(
                app::Error::Invalid { code: "invalid_json", message: locale::t!("err-json-unreadable", detail = rejection.body_text()), field: None }
                    .into(),
            )),
        }
    }
}

/// Query parameters; ones that cannot be read are a 422 saying which and why.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let crate::pages::Query(value) = crate::pages::Query::from_request_parts(parts, state).await?;
        Ok(Query(value))
    }
}

/// A path parameter that must be an id; anything else is simply not found.
pub fn parse_id<T: std::str::FromStr>(raw: &str) -> Result<T, ApiError> {
    raw.parse().map_err(|_| ApiError(app::Error::NotFound.into()))
}
