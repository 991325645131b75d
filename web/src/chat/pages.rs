//! The chat pages: the agent console and the supervisor board (live, in JavaScript over
//! their sockets), and the conversation history (server-rendered).

use std::collections::HashMap;

use app::chat::history;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use domain::company::Role;
use domain::ConversationId;
use maud::{html, Markup};
use projections::chat::ConversationRow;
use serde::Deserialize;

use super::visitor_label;
use crate::auth::{check_csrf, User};
use crate::error::{refusal, AppError, Refusal};
use crate::pages::flash::{self, Flash};
use crate::pages::layout::{field_error, page_with_head, strings, urlencode};
use crate::pages::{Form, Path, Query};
use crate::Web;
use app::auth::Session;
use locale::{reader, t};

fn live_head() -> Markup {
    html! { link rel="stylesheet" href="/static/console.css"; }
}

pub async fn console(State(web): State<Web>, User(session): User) -> Result<Markup, AppError> {
    if !session.has_role(Role::Agent) {
        return Err(app::Error::Forbidden.into());
    }
    let name = session.signature();
    let canned = app::canned::usable(&web, &session).await?;
    Ok(page_with_head(
        &t!("console-title"),
        Some(&session),
        live_head(),
        html! {
            (strings(&[LIVE_STRINGS, CONSOLE_STRINGS].concat()))
            (crate::pages::canned::data_block(&canned))
            div #console data-ws="/console/ws" data-user-id=(session.user.user_id) data-user-name=(name)
                data-sound=(session.user.notifications.sound) data-desktop=(session.user.notifications.desktop) {}
            script type="module" src="/static/console.js" {}
        },
    ))
}

pub async fn board(User(session): User) -> Result<Markup, AppError> {
    if !session.has_role(Role::Supervisor) {
        return Err(app::Error::Forbidden.into());
    }
    Ok(page_with_head(
        &t!("board-title"),
        Some(&session),
        live_head(),
        html! {
            h1 { (t!("board-title")) }
            (strings(&[LIVE_STRINGS, BOARD_STRINGS].concat()))
            div #board data-ws="/supervisor/ws" {}
            script type="module" src="/static/supervisor.js" {}
        },
    ))
}

/// What the history page and `GET /api/v1/conversations` search by.
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Part of the visitor's name or e-mail, or of a message they wrote; or their visitor id.
    #[serde(default)]
    pub visitor: String,
    /// An agent's user id (an agent without another role always sees only their own).
    #[serde(default)]
    pub agent: String,
    /// A site's id.
    #[serde(default)]
    pub site: String,
    /// Started on or after this day (UTC), as YYYY-MM-DD.
    #[serde(default)]
    pub from: String,
    /// Started on or before this day (UTC), as YYYY-MM-DD.
    #[serde(default)]
    pub until: String,
    /// The visitor's rating: `good`, `bad` or `unrated` (chats not rated; offline messages never are).
    #[serde(default)]
    pub rating: String,
    /// From 1.
    #[serde(default)]
    pub page: Option<i64>,
}

impl HistoryQuery {
    pub fn search(&self) -> history::Search {
        history::Search {
            visitor: self.visitor.clone(),
            agent: self.agent.clone(),
            site: self.site.clone(),
            from: self.from.clone(),
            until: self.until.clone(),
            rating: self.rating.clone(),
        }
    }
}

const PAGE: i64 = 50;

pub async fn history(State(web): State<Web>, User(session): User, Query(q): Query<HistoryQuery>) -> Result<Markup, AppError> {
    let page = q.page.unwrap_or(1).max(1);
    let (rows, total) = history::search(&web, &session, &q.search(), (page - 1) * PAGE, PAGE).await?;
    let (sites, agents) = history::choices(&web, &session).await?;
    let query = format!(
        "visitor={}&agent={}&site={}&from={}&until={}&rating={}",
        urlencode(&q.visitor),
        urlencode(&q.agent),
        urlencode(&q.site),
        urlencode(&q.from),
        urlencode(&q.until),
        urlencode(&q.rating)
    );
    Ok(page_with_head(
        &t!("history-title"),
        Some(&session),
        html! {},
        html! {
            h1 { (t!("history-title")) }
            form.toolbar method="get" action="/history" #history-search {
                input type="search" name="visitor" value=(q.visitor) placeholder=(t!("history-search-placeholder")) aria-label=(t!("chat-visitor"));
                @if history::scope(&session)?.is_none() {
                    select name="agent" aria-label=(t!("chat-agent")) {
                        option value="" { (t!("history-any-agent")) }
                        @for a in &agents { option value=(a.user_id) selected[q.agent == a.user_id.to_string()] { (a.name) } }
                    }
                }
                select name="site" aria-label=(t!("chat-site")) {
                    option value="" { (t!("history-any-site")) }
                    @for s in &sites { option value=(s.site.site_id) selected[q.site == s.site.site_id.to_string()] { (s.site.name) } }
                }
                label { (t!("history-from")) " " input type="date" name="from" value=(q.from); }
                label { (t!("history-until")) " " input type="date" name="until" value=(q.until); }
                select name="rating" aria-label=(t!("history-rating")) {
                    option value="" { (t!("history-any-rating")) }
                    @for (value, name) in [("good", t!("history-rated-good")), ("bad", t!("history-rated-bad")), ("unrated", t!("history-unrated"))] {
                        option value=(value) selected[q.rating == value] { (name) }
                    }
                }
                button.secondary type="submit" { (t!("history-search")) }
            }
            table #history {
                thead { tr { th { (t!("history-started", zone = reader().tz.name())) } th { (t!("chat-site")) } th { (t!("chat-visitor")) } th { (t!("chat-agent")) } th { (t!("history-state")) } th { (t!("history-first-message")) } } }
                tbody {
                    @for c in &rows { (row(c)) }
                    @if rows.is_empty() { tr { td colspan="6" .muted { (t!("history-none")) } } }
                }
            }
            div.pager {
                @if page > 1 { a href={"/history?" (query) "&page=" (page - 1)} { (t!("history-previous")) } }
                span.muted { (t!("history-count", count = total)) }
                @if page * PAGE < total { a href={"/history?" (query) "&page=" (page + 1)} { (t!("history-next")) } }
            }
        },
    ))
}

fn row(c: &ConversationRow) -> Markup {
    html! {
        tr data-conversation-id=(c.conversation_id) {
            td { a href={"/history/" (c.conversation_id)} { (reader().date_time(c.started_at)) } }
            td { (c.site) }
            td { (visitor_label(c)) @if c.given_name().is_some() { @if let Some(e) = c.given_email() { br; span.muted.small { (e) } } } }
            td { (c.agent_name.clone().unwrap_or_default()) }
            td { span class={"status " (c.state)} { (state_name(&c.state)) } @if let Some(r) = &c.rating { " " (rating_mark(r)) } }
            td.preview { (c.preview) }
        }
    }
}

pub async fn transcript(State(web): State<Web>, User(session): User, jar: CookieJar, Path(id): Path<ConversationId>) -> Result<Response, AppError> {
    let (jar, flash) = Flash::take(jar);
    let feedback = Answer { notice: flash.notice, ..Default::default() };
    Ok((jar, transcript_page(&web, &session, id, feedback).await?).into_response())
}

#[derive(Debug, Deserialize)]
pub struct NoteForm {
    csrf: String,
    note_id: String,
    text: String,
}

/// An internal note from the transcript page: back to it (303), or the page again with the
/// refusal under the note box and what was typed.
pub async fn note(
    State(web): State<Web>,
    User(session): User,
    jar: CookieJar,
    Path(id): Path<ConversationId>,
    Form(form): Form<NoteForm>,
) -> Result<Response, AppError> {
    check_csrf(&session, &form.csrf)?;
    let note_id = form_id("note_id", &form.note_id)?;
    match history::add_note(&web, &session, id, note_id, &form.text).await {
        Ok(posted) => {
            web.publish_new(id, posted);
            Ok(flash::done(jar, &format!("/history/{id}#transcript"), &t!("transcript-note-added")))
        }
        Err(e) => sent_back(&web, &session, id, e, Answer { note: true, text: form.text, answer_id: Some(note_id), ..Default::default() }).await,
    }
}

/// The id a form carries so that sending it twice stores it once.
fn form_id(field: &'static str, value: &str) -> Result<uuid::Uuid, app::Error> {
    value.parse().map_err(|_| app::Error::invalid(field, t!("history-not-an-id", field = field)))
}

/// The transcript again, with the refusal under the box that was sent and what was typed.
async fn sent_back(web: &Web, session: &Session, id: ConversationId, e: app::Error, typed: Answer) -> Result<Response, AppError> {
    let Refusal { status, message, .. } = refusal(e)?;
    let feedback = Answer { error: Some(message), ..typed };
    Ok((status, transcript_page(web, session, id, feedback).await?).into_response())
}

#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    csrf: String,
    answer_id: String,
    text: String,
}

/// An answer to an offline message, sent by e-mail: back to the transcript (303) saying
/// so, or the transcript again with the refusal under the answer box and what was typed.
pub async fn answer(
    State(web): State<Web>,
    User(session): User,
    jar: CookieJar,
    Path(id): Path<ConversationId>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, AppError> {
    check_csrf(&session, &form.csrf)?;
    let answer_id = form_id("answer_id", &form.answer_id)?;
    match history::answer_by_email(&web, &session, id, answer_id, &form.text).await {
        Ok(()) => Ok(flash::done(jar, &format!("/history/{id}"), &t!("transcript-answer-sent"))),
        Err(e) => sent_back(&web, &session, id, e, Answer { text: form.text, answer_id: Some(answer_id), ..Default::default() }).await,
    }
}

/// What the answer box (or, with `note`, the note box) shows: the notice after sending, or
/// the refusal and what was typed.
#[derive(Default)]
struct Answer {
    note: bool,
    notice: Option<String>,
    text: String,
    error: Option<String>,
    /// Kept when the same answer is tried again, so it is still stored once.
    answer_id: Option<uuid::Uuid>,
}

async fn transcript_page(web: &Web, session: &Session, id: ConversationId, answer: Answer) -> Result<Markup, AppError> {
    let (c, messages) = history::transcript(web, session, id).await?;
    let earlier = history::others_of_visitor(web, &c).await?;
    let names = match &c.decision {
        Some(decision) => history::decision_names(web, session, decision).await?,
        None => Default::default(),
    };
    // The box that was not submitted shows empty.
    let untouched = Answer::default();
    Ok(page_with_head(
        &t!("transcript-title"),
        Some(session),
        html! {},
        html! {
            @if let Some(n) = &answer.notice { p.notice role="status" { (n) } }
            p { a href="/history" { (t!("transcript-back")) } }
            h1 { (c.site) ": " (visitor_label(&c)) }
            p.muted { (t!("transcript-started", date = reader().date_time(c.started_at))) @if !c.page_url.is_empty() { " " (t!("transcript-on", url = &c.page_url)) } " · " (state_name(&c.state)) }
            @if c.visitor_erased {
                p.notice #erased { (t!("transcript-erased")) }
            }
            (about_visitor(&c, &earlier))
            @if let Some(r) = &c.rating { (rating_card(r, &c.rating_comment)) }
            @let visitor = visitor_label(&c);
            ol.transcript #transcript {
                @for m in &messages {
                    li class={"msg from-" (m.from)} {
                        span.who { @match m.from.as_str() {
                            "agent" => (m.agent_name.clone().unwrap_or_default()),
                            "note" => (t!("chat-note", name = m.agent_name.clone().unwrap_or_default())),
                            "system" => (t!("chat-switchboard")),
                            _ => (visitor),
                        } }
                        " " span.when { (reader().time(m.at)) }
                        @if m.by_email { " " span.muted.small.by-email { (t!("transcript-by-email")) } }
                        @if m.erased { p.text.erased { em { (t!("chat-message-erased")) } } } @else { p.text { (m.text) } }
                    }
                }
            }
            @if let (true, false, Some(email)) = (c.state == "offline", c.visitor_erased, c.given_email()) {
                (answer_form(session, &c, email, if answer.note { &untouched } else { &answer }))
            }
            @if !c.visitor_erased && (history::supervising(session) || c.agent_id == Some(session.user.user_id)) {
                (note_form(session, &c, if answer.note { &answer } else { &untouched }))
            }
            @if session.has_role(Role::Administrator) && !c.visitor_erased {
                p { a.button.secondary #erase-visitor href={"/history/" (c.conversation_id) "/erase"} { (t!("transcript-erase")) } }
            }
            @if let Some(decision) = &c.decision { (why(decision, &names)) }
        },
    ))
}

/// The note box: for colleagues, never sent to the visitor.
fn note_form(session: &Session, c: &ConversationRow, note: &Answer) -> Markup {
    let note_id = note.answer_id.unwrap_or_else(uuid::Uuid::now_v7);
    let error = note.error.as_deref();
    html! {
        section.card #add-note {
            h2 { (t!("transcript-note-title")) }
            form method="post" action={"/history/" (c.conversation_id) "/notes"} {
                input type="hidden" name="csrf" value=(session.csrf);
                input type="hidden" name="note_id" value=(note_id);
                label for="note-text" { (t!("console-note-mode")) }
                textarea #note-text name="text" rows="3" required maxlength=(domain::conversation::MESSAGE_MAX_LEN)
                    aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| "note-text-error")] { (note.text) }
                (field_error(error.map(|_| "note-text"), "note-text", error))
                button.secondary type="submit" { (t!("console-add-note")) }
            }
        }
    }
}

/// The answer box under an offline message: the text goes to the visitor's address.
fn answer_form(session: &Session, c: &ConversationRow, email: &str, answer: &Answer) -> Markup {
    let answer_id = answer.answer_id.unwrap_or_else(uuid::Uuid::now_v7);
    let error = answer.error.as_deref();
    html! {
        section.card #answer-by-email {
            h2 { (t!("transcript-answer-title")) }
            form method="post" action={"/history/" (c.conversation_id) "/answer"} {
                input type="hidden" name="csrf" value=(session.csrf);
                input type="hidden" name="answer_id" value=(answer_id);
                label for="answer-text" { (t!("transcript-answer-label", email = email)) }
                textarea #answer-text name="text" rows="6" required maxlength=(domain::conversation::MESSAGE_MAX_LEN)
                    aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| "text-error")] { (answer.text) }
                (field_error(error.map(|_| "text"), "text", error))
                p.muted.small { (t!("transcript-answer-help")) }
                button type="submit" { (t!("transcript-answer-send")) }
            }
        }
    }
}

/// "Why did this agent get this chat?": the last routing decision, as recorded, naming the
/// people in it ("a former user" for an id the users list does not hold).
fn why(decision: &serde_json::Value, names: &HashMap<uuid::Uuid, String>) -> Markup {
    let candidates = decision.get("candidates").and_then(|c| c.as_array()).cloned().unwrap_or_default();
    let name = |v: &serde_json::Value| {
        v.as_str().and_then(|s| s.parse::<uuid::Uuid>().ok()).and_then(|id| names.get(&id).cloned()).unwrap_or_else(|| t!("transcript-former-user"))
    };
    html! {
        section.card #routing-decision {
            h2 { (t!("transcript-why")) }
            @match decision.get("by").and_then(|b| b.as_str()) {
                Some(by @ ("routed" | "accepted")) => {
                    p { (t!("transcript-routed", roll = decision.get("roll").and_then(|r| r.as_f64()).map(|r| format!("{r:.3}")).unwrap_or_default())) }
                    div.scroll { table {
                        thead { tr { th scope="col" { (t!("chat-agent")) } th scope="col" { (t!("transcript-priority")) } th scope="col" { (t!("transcript-weight")) } th scope="col" { (t!("transcript-load")) } } }
                        tbody { @for c in &candidates { tr {
                            th scope="row" { (name(&c["user_id"])) }
                            td { (priority_name(c["priority"].as_str().unwrap_or_default())) }
                            td { (c["weight"]) }
                            td { (c["load"]) " / " (c["max_chats"]) }
                        } } }
                    } }
                    // Accept before it counts: who let it ring before the agent who accepted.
                    @if by == "accepted" {
                        p { (t!("transcript-accepted")) }
                        @let passed = decision.get("passed").and_then(|p| p.as_array()).cloned().unwrap_or_default();
                        @if !passed.is_empty() {
                            ul #let-it-ring { @for p in &passed {
                                li { @if p["outcome"] == "declined" { (t!("transcript-passed-declined", name = name(&p["agent_id"]))) }
                                     @else { (t!("transcript-passed-timed-out", name = name(&p["agent_id"]))) } }
                            } }
                        }
                    }
                }
                Some("transferred") => p { (t!("transcript-transferred", name = name(&decision["from"]))) },
                Some("reassigned") => p {
                    @if decision.get("from").is_some_and(|f| !f.is_null()) {
                        (t!("transcript-reassigned-from", name = name(&decision["supervisor"]), from = name(&decision["from"])))
                    } @else {
                        (t!("transcript-reassigned", name = name(&decision["supervisor"])))
                    }
                },
                _ => p { "" },
            }
        }
    }
}

/// The visitor's rating beside a conversation's state: a thumb and its word (the class
/// keeps the stored word).
fn rating_mark(rating: &str) -> Markup {
    let (thumb, word) = match rating {
        "good" => ("👍", t!("rating-good")),
        _ => ("👎", t!("rating-bad")),
    };
    html! { span class={"rating " (rating)} { span aria-hidden="true" { (thumb) } " " (word) } }
}

/// How the visitor rated the chat at its end, and what they wrote.
fn rating_card(rating: &str, comment: &str) -> Markup {
    html! {
        section.card #rating {
            h2 { (t!("transcript-rating-title")) }
            p { (rating_mark(rating)) }
            @if !comment.is_empty() { blockquote.rating-comment { p { (comment) } } }
        }
    }
}

/// What the visitor's browser said and their other conversations, as the console shows them.
fn about_visitor(c: &ConversationRow, earlier: &[ConversationRow]) -> Markup {
    let browser = match (c.browser.as_str(), c.system.as_str()) {
        ("", system) => system.to_owned(),
        (browser, "") => browser.to_owned(),
        (browser, system) => t!("visitor-browser-on", browser = browser, system = system),
    };
    let facts: Vec<(String, Markup)> = [
        c.visitor_number.map(|n| (t!("visitor-facts-number"), html! { (t!("visitor-number-short", number = n.to_string())) })),
        c.given_name().map(|n| (t!("visitor-facts-name"), html! { (n) })),
        c.given_email().map(|e| (t!("visitor-facts-email"), html! { (e) })),
        (!c.referrer.is_empty()).then(|| (t!("visitor-facts-referrer"), html! { (c.referrer) })),
        (!browser.is_empty()).then(|| (t!("visitor-facts-browser"), html! { (browser) })),
        (!c.visitor_language.is_empty()).then(|| (t!("visitor-facts-language"), html! { (c.visitor_language) })),
        (!c.visitor_time_zone.is_empty()).then(|| (t!("visitor-facts-time-zone"), html! { (c.visitor_time_zone) })),
    ]
    .into_iter()
    .flatten()
    .collect();
    html! {
        section.card #about-visitor {
            h2 { (t!("visitor-about")) }
            dl.facts {
                @for (name, value) in &facts { dt { (name) } dd { (value) } }
                dt { (t!("visitor-facts-earlier")) }
                dd {
                    @if earlier.is_empty() { (t!("visitor-first-conversation")) }
                    @else {
                        ul.earlier {
                            @for e in earlier {
                                li { a href={"/history/" (e.conversation_id)} { (reader().date_time(e.started_at)) } " · " (state_name(&e.state)) @if !e.preview.is_empty() { span.muted { " · " (e.preview) } } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A conversation's state as the reader says it (the class keeps the stored word).
fn state_name(state: &str) -> String {
    match state {
        "waiting" => t!("chat-state-waiting"),
        "assigned" => t!("chat-state-assigned"),
        "closed" => t!("chat-state-closed"),
        "offline" => t!("chat-state-offline"),
        other => other.to_owned(),
    }
}

fn priority_name(priority: &str) -> String {
    match priority {
        "high" => t!("chat-priority-high"),
        "normal" => t!("chat-priority-normal"),
        "low" => t!("chat-priority-low"),
        other => other.to_owned(),
    }
}

/// The words live.js and both live pages show.
const LIVE_STRINGS: &[&str] = &[
    "chat-visitor",
    "chat-switchboard",
    "chat-message-erased",
    "chat-connecting",
    "chat-connected",
    "chat-reconnecting",
    "chat-role-removed",
    "chat-dismiss",
    "chat-something-wrong",
    "chat-state-waiting",
    "chat-state-assigned",
    "chat-state-closed",
    "chat-state-offline",
    "chat-note",
];

/// The words console.js shows.
const CONSOLE_STRINGS: &[&str] = &[
    "canned-picker-label",
    "canned-picker-none",
    "canned-picker-help",
    "canned-picker-count",
    "console-my-status",
    "console-status",
    "console-online",
    "console-away",
    "console-offline",
    "console-max-chats",
    "console-waiting",
    "console-conversations",
    "console-no-conversation",
    "console-unread",
    "console-transfer-button",
    "console-close",
    "console-transfer-to",
    "console-transfer",
    "console-transfer-looking",
    "console-transfer-none",
    "console-cancel",
    "console-agent-option",
    "console-visitor-typing",
    "console-typing",
    "console-answer",
    "console-answer-placeholder",
    "console-send",
    "console-note-mode",
    "console-note-placeholder",
    "console-add-note",
    "console-allow-notifications",
    "console-on",
    "console-unknown-page",
    "visitor-about",
    "visitor-number-short",
    "visitor-facts-number",
    "visitor-facts-name",
    "visitor-facts-email",
    "visitor-facts-page",
    "visitor-facts-referrer",
    "visitor-facts-browser",
    "visitor-browser-on",
    "visitor-facts-language",
    "visitor-facts-local-time",
    "visitor-facts-earlier",
    "visitor-first-conversation",
    "console-select",
    "console-sending",
    "console-delivered",
    "console-gone-some",
    "console-gone-some-dropped",
    "console-gone",
    "console-gone-dropped",
    "console-new-conversation",
    "console-a-site",
    "console-closed-by-you",
    "console-closed-by-visitor",
    "console-closed",
    "console-transferred",
    "console-reassigned",
    "console-requeued",
    "console-status-not-changed",
    "console-too-long",
    "console-not-closed",
    "console-try-again",
    "console-not-transferred",
    "console-ringing",
    "console-ring-left",
    "console-accept",
    "console-accept-label",
    "console-decline",
    "console-ring-new",
    "console-ring-missed",
];

/// The words supervisor.js shows.
const BOARD_STRINGS: &[&str] = &[
    "chat-agent",
    "chat-site",
    "chat-status-online",
    "chat-status-away",
    "chat-status-offline",
    "board-status",
    "board-load",
    "board-sites",
    "board-waiting",
    "board-longest-wait",
    "board-started",
    "board-state",
    "board-stop-reading",
    "board-reading",
    "board-agents",
    "board-queues",
    "board-open-conversations",
    "board-no-agent",
    "board-nobody-waiting",
    "board-no-conversation",
    "board-read",
    "board-reassign-to",
    "board-reassign",
    "board-ended",
    "board-nobody-online",
    "board-not-reassigned",
    "board-seconds",
    "board-minutes",
    "board-hours",
    "board-figures",
    "board-figures-note",
    "board-waiting-time",
    "board-first-response",
    "board-satisfaction",
    "board-last-hour",
    "board-today",
    "board-last-30-days",
    "board-no-figure",
    "board-no-site",
    "board-satisfaction-today",
    "board-satisfaction-30-days",
    "console-note-mode",
    "console-note-placeholder",
    "console-add-note",
    "console-try-again",
];
