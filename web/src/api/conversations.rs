//! The conversation history through the API: the same search and the same rules as the
//! history pages (supervisors and administrators see the company's, agents their own).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use domain::{ConversationId, VisitorId};
use projections::chat::{ConversationRow, Message};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{parse_id, Json, Query};
use crate::auth::{ApiAdmin, ApiSession};
use crate::chat::pages::HistoryQuery;
use crate::error::ApiError;
use crate::Web;
use app::chat::history;

#[derive(Serialize, ToSchema)]
pub struct ApiConversation {
    pub id: Uuid,
    pub site_id: Uuid,
    pub site: String,
    /// The widget's visitor, the same across their conversations on a site.
    pub visitor_id: Uuid,
    pub visitor_name: Option<String>,
    pub visitor_email: Option<String>,
    /// `waiting`, `assigned`, `closed`, or `offline` (left through the offline form).
    pub state: String,
    pub agent_id: Option<Uuid>,
    pub agent_name: Option<String>,
    /// The page the visitor was on when they wrote first.
    pub page_url: String,
    pub started_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub messages: i32,
    /// The start of the first message.
    pub preview: String,
    /// The visitor's data was erased: no name, e-mail, page or message text is left.
    pub visitor_erased: bool,
    /// The visitor's rating at the end of the chat, `good` or `bad` (null: not rated).
    pub rating: Option<String>,
    /// What they wrote with it (empty if nothing).
    pub rating_comment: String,
}

impl From<ConversationRow> for ApiConversation {
    fn from(c: ConversationRow) -> Self {
        ApiConversation {
            id: c.conversation_id.0,
            site_id: c.site_id.0,
            site: c.site,
            visitor_id: c.visitor_id,
            visitor_name: c.visitor_name,
            visitor_email: c.visitor_email,
            state: c.state,
            agent_id: c.agent_id.map(|a| a.0),
            agent_name: c.agent_name,
            page_url: c.page_url,
            started_at: c.started_at,
            closed_at: c.closed_at,
            messages: c.messages,
            preview: c.preview,
            visitor_erased: c.visitor_erased,
            rating: c.rating,
            rating_comment: c.rating_comment,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ConversationList {
    pub conversations: Vec<ApiConversation>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PerPage {
    /// 1 to 200, default 50.
    per_page: Option<i64>,
}

/// Conversations, newest first, found by visitor, agent, site, day and rating.
#[utoipa::path(get, path = "/api/v1/conversations", tag = "conversations", params(HistoryQuery, PerPage), security(("session" = [])),
    responses((status = 200, body = ConversationList), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn list(
    State(web): State<Web>,
    ApiSession(session): ApiSession,
    Query(query): Query<HistoryQuery>,
    Query(PerPage { per_page }): Query<PerPage>,
) -> Result<axum::Json<ConversationList>, ApiError> {
    let per_page = per_page.unwrap_or(50).clamp(1, 200);
    let page = query.page.unwrap_or(1).max(1);
    let (rows, total) = history::search(&web, &session, &query.search(), (page - 1) * per_page, per_page).await?;
    Ok(axum::Json(ConversationList { conversations: rows.into_iter().map(ApiConversation::from).collect(), total, page, per_page }))
}

#[derive(Serialize, ToSchema)]
pub struct ApiMessage {
    pub seq: i64,
    /// `visitor`, `agent`, `system`, or `note` (an internal note, which the visitor never
    /// sees; `agent_id` and `agent_name` are its author's).
    pub from: String,
    pub agent_id: Option<Uuid>,
    pub agent_name: Option<String>,
    /// Plain text, as typed; empty when `erased`.
    pub text: String,
    /// The visitor was erased: who wrote the message and when is all that is left.
    pub erased: bool,
    /// An agent's answer to an offline message, sent to the visitor by e-mail.
    pub by_email: bool,
    pub at: DateTime<Utc>,
}

impl From<Message> for ApiMessage {
    fn from(m: Message) -> Self {
        ApiMessage {
            seq: m.seq,
            from: m.from,
            agent_id: m.agent_id,
            agent_name: m.agent_name,
            text: m.text,
            erased: m.erased,
            by_email: m.by_email,
            at: m.at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Transcript {
    pub conversation: ApiConversation,
    pub messages: Vec<ApiMessage>,
}

/// One conversation with every message, in order.
#[utoipa::path(get, path = "/api/v1/conversations/{id}", tag = "conversations", params(("id" = Uuid, Path)), security(("session" = [])),
    responses((status = 200, body = Transcript), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn transcript(State(web): State<Web>, ApiSession(session): ApiSession, Path(id): Path<String>) -> Result<axum::Json<Transcript>, ApiError> {
    let id: ConversationId = parse_id(&id)?;
    let (conversation, messages) = history::transcript(&web, &session, id).await?;
    Ok(axum::Json(Transcript { conversation: conversation.into(), messages: messages.into_iter().map(ApiMessage::from).collect() }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewNote {
    /// Chosen by the client (a UUID): the same note sent again is stored once.
    pub note_id: Option<Uuid>,
    pub text: String,
}

/// Add an internal note to a conversation: seen by the agents and supervisors, never by the
/// visitor. Supervisors and administrators note any conversation of the company, an agent
/// the ones they hold.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/notes", tag = "conversations", params(("id" = Uuid, Path)), request_body = NewNote,
    security(("session" = []), ("csrf" = [])),
    responses((status = 201, body = ApiMessage), (status = 403, body = super::ErrorBody, description = "not_assigned"),
        (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody, description = "empty_message, message_too_long")))]
pub async fn add_note(
    State(web): State<Web>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    Json(body): Json<NewNote>,
) -> Result<(StatusCode, axum::Json<ApiMessage>), ApiError> {
    let id: ConversationId = parse_id(&id)?;
    let posted = history::add_note(&web, &session, id, body.note_id.unwrap_or_else(Uuid::now_v7), &body.text).await?;
    let note = crate::chat::protocol::Message::of(Some(id), posted.seq, &posted.event, posted.at);
    let status = if posted.duplicate { StatusCode::OK } else { StatusCode::CREATED };
    web.publish_new(id, posted);
    let note = note.ok_or(app::Error::NotFound)?;
    let message = ApiMessage {
        seq: note.seq as i64,
        from: note.from.to_owned(),
        agent_id: note.staff.and_then(|s| s.agent_id).map(|a| a.0),
        agent_name: note.agent_name,
        text: note.text,
        erased: note.erased,
        by_email: false,
        at: note.at,
    };
    Ok((status, axum::Json(message)))
}

#[derive(Serialize, ToSchema)]
pub struct ApiErasure {
    pub visitor_id: Uuid,
    /// Keys destroyed: 0 when an earlier erasure took them all.
    pub keys: u32,
    /// The visitor's conversations, now without their data.
    pub conversations: i64,
}

/// Erase a visitor's personal data (a GDPR request): names, e-mail addresses, pages and
/// every message of their conversations become unreadable in the log and blank in the
/// history; who answered them, and when, stays. Administrators only; cannot be undone.
#[utoipa::path(post, path = "/api/v1/visitors/{id}/erasure", tag = "conversations", params(("id" = Uuid, Path)), security(("session" = []), ("csrf" = [])),
    responses((status = 200, body = ApiErasure), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn erase_visitor(State(web): State<Web>, ApiAdmin(session): ApiAdmin, Path(id): Path<String>) -> Result<axum::Json<ApiErasure>, ApiError> {
    let visitor: VisitorId = parse_id(&id)?;
    let erasure = app::chat::visitors::erase(&web, session.company_id(), visitor, &session.metadata()).await?;
    Ok(axum::Json(ApiErasure { visitor_id: erasure.visitor_id.0, keys: erasure.keys, conversations: erasure.conversations }))
}
