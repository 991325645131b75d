//! The supervisor board's socket: `GET /supervisor/ws` (see docs/chat-protocol.md).

use std::collections::HashMap;
use std::time::Duration;

use app::auth::Session;
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::company::Role;
use domain::conversation::{self, Decision};
use domain::{ConversationId, Event};

use super::agent::same_origin;
use super::hub::{Interest, Notice, Outbox, Registration};
use super::protocol::{
    parse_frame, AgentSatisfaction, Average, BoardConversation, BoardFigures, BoardQueue, DayAndMonth, ErrorFrame, FromSupervisor, HourAndDay,
    Message, Satisfaction, SiteFigures, ToSupervisor, Waiting,
};
use super::{send_all, READ_LIMIT};
use crate::auth::User;
use crate::error::AppError;
use crate::Web;

pub async fn upgrade(State(web): State<Web>, session: Result<User, AppError>, headers: HeaderMap, ws: WebSocketUpgrade) -> Response {
    let Ok(User(session)) = session else { return StatusCode::UNAUTHORIZED.into_response() };
    if !session.has_role(Role::Supervisor) {
        return StatusCode::FORBIDDEN.into_response();
    }
    if !same_origin(&headers) {
        return (StatusCode::FORBIDDEN, "cross-origin board sockets are refused").into_response();
    }
    // The socket outlives the request: its messages keep the request's reader.
    let reader = locale::reader();
    ws.max_message_size(READ_LIMIT).max_frame_size(READ_LIMIT).on_upgrade(move |socket| locale::scope(reader, run(web, session, socket)))
}

fn not_found() -> ToSupervisor {
    ToSupervisor::Error(ErrorFrame::new("not_found", locale::t!("chat-error-no-conversation")))
}

/// The board: agents with status and load, queues per site, open conversations, figures.
pub async fn board(web: &Web, session: &Session) -> ToSupervisor {
    let board = match app::chat::board(web, session).await {
        Ok(board) => board,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the board");
            return ToSupervisor::Error(ErrorFrame::new("unavailable", locale::t!("chat-error-unavailable")));
        }
    };
    let mut queues: Vec<BoardQueue> = Vec::new();
    for c in board.open.iter().filter(|c| c.state == "waiting") {
        let waiting = Waiting { conversation_id: c.conversation_id, since: c.queued_at.unwrap_or(c.started_at) };
        match queues.iter_mut().find(|q| q.site_id == c.site_id) {
            Some(queue) => queue.waiting.push(waiting),
            None => queues.push(BoardQueue { site_id: c.site_id, site: c.site.clone(), waiting: vec![waiting] }),
        }
    }
    let conversations = board
        .open
        .iter()
        .map(|c| BoardConversation {
            id: c.conversation_id,
            site: c.site.clone(),
            agent_name: c.agent_name.clone(),
            visitor: super::visitor_label(c),
            started_at: c.started_at,
            state: c.state.clone(),
        })
        .collect();
    ToSupervisor::Board { agents: board.agents, queues, conversations, figures: figures(&board.figures, locale::lang()) }
}

/// The figures with their words in `lang`.
fn figures(f: &app::chat::figures::Figures, lang: locale::Lang) -> BoardFigures {
    use app::chat::figures::{average_seconds, duration_text, percent_good, satisfaction_text};
    let average = |d: projections::figures::Durations| {
        let seconds = average_seconds(d);
        Average { count: d.count, seconds, text: seconds.map(|s| duration_text(lang, s)) }
    };
    let satisfaction =
        |r: projections::figures::Ratings| Satisfaction { good: r.good, rated: r.rated, percent: percent_good(r), text: satisfaction_text(lang, r) };
    BoardFigures {
        time_zone: f.time_zone.name().to_owned(),
        as_of: f.windows.now,
        last_hour_from: f.windows.last_hour,
        today_from: f.windows.today,
        last_30_days_from: f.windows.last_30_days,
        sites: f
            .sites
            .iter()
            .map(|s| SiteFigures {
                site_id: s.site_id,
                site: s.site.clone(),
                waiting: HourAndDay { last_hour: average(s.waiting_last_hour), today: average(s.waiting_today) },
                first_response: HourAndDay { last_hour: average(s.first_response_last_hour), today: average(s.first_response_today) },
                satisfaction: DayAndMonth { today: satisfaction(s.rated_today), last_30_days: satisfaction(s.rated_last_30_days) },
            })
            .collect(),
        agents: f
            .agents
            .iter()
            .map(|a| AgentSatisfaction {
                user_id: a.user_id,
                satisfaction: DayAndMonth { today: satisfaction(a.rated_today), last_30_days: satisfaction(a.rated_last_30_days) },
            })
            .collect(),
    }
}

/// How often the board is sent again when nothing changed, for its figures.
const FIGURES_EVERY: Duration = Duration::from_secs(15);

async fn run(web: Web, session: Session, mut socket: WebSocket) {
    let (outbox, mut inbox) = Outbox::new();
    let _board = web.hub().register(Interest::Company(session.company_id()), outbox.clone());
    let mut watched: HashMap<ConversationId, (Registration, u64)> = HashMap::new();
    let mut ping = tokio::time::interval(Duration::from_secs(25));
    // Board refreshes are coalesced: at most two a second.
    let mut refresh = tokio::time::interval(Duration::from_millis(500));
    let mut recheck = tokio::time::interval(super::RECHECK);
    // The figures' windows slide with time, and a message (a first answer) refreshes no
    // board: the board is sent again this often anyway.
    let mut figures_due = tokio::time::interval_at(tokio::time::Instant::now() + FIGURES_EVERY, FIGURES_EVERY);
    let mut stale = false;
    loop {
        let frames: Vec<ToSupervisor> = tokio::select! {
            text = super::next_text(&mut socket) => {
                let Some(text) = text else { return };
                match parse_frame::<FromSupervisor>(&text) {
                    Ok(FromSupervisor::Hello {}) => vec![board(&web, &session).await],
                    Ok(FromSupervisor::Watch { conversation_id }) => match transcript(&web, &session, conversation_id).await {
                        Some((frame, last)) => {
                            watched.insert(conversation_id, (web.hub().register(Interest::Conversation(conversation_id), outbox.clone()), last));
                            vec![frame]
                        }
                        None => vec![not_found()],
                    },
                    Ok(FromSupervisor::Unwatch { conversation_id }) => {
                        watched.remove(&conversation_id);
                        vec![]
                    }
                    Ok(FromSupervisor::Reassign { conversation_id, to }) => match web.chat.streams().conversation(conversation_id).await {
                        Ok(c) if c.company_id == Some(session.company_id()) => {
                            let decision = Decision::Reassigned { supervisor: session.user.user_id, from: c.agent };
                            match web.chat.hand_over(conversation_id, to, decision, &session.metadata()).await {
                                Ok(()) => vec![],
                                Err(e) => vec![ToSupervisor::Error(ErrorFrame::refused(e))],
                            }
                        }
                        _ => vec![not_found()],
                    },
                    Ok(FromSupervisor::Note { conversation_id, client_id, text }) => note(&web, &session, conversation_id, client_id, &text).await,
                    Err(refused) => vec![ToSupervisor::Error(refused)],
                }
            }
            notice = inbox.recv() => {
                let Some(notice) = notice else { return };
                match notice {
                    Notice::BoardChanged => { stale = true; vec![] }
                    Notice::Message { conversation_id, seq, event, at } => watched_message(&web, &mut watched, conversation_id, seq, &event, at).await,
                    Notice::Event(recorded, decoded) => match (&*decoded, conversation::id_from_stream(&recorded.stream)) {
                        (Event::Conversation(e @ (conversation::Event::MessagePosted { .. } | conversation::Event::NoteAdded { .. })), Ok(id)) => {
                            watched_message(&web, &mut watched, id, recorded.version, e, recorded.occurred_at).await
                        }
                        _ => vec![],
                    },
                    _ => vec![],
                }
            }
            _ = recheck.tick() => {
                if let Some((code, reason)) = super::revoked(&web, &session, Role::Supervisor).await {
                    super::close_socket(&mut socket, code, reason).await;
                    return;
                }
                vec![]
            }
            _ = figures_due.tick() => {
                stale = true;
                vec![]
            }
            _ = refresh.tick() => {
                if stale || outbox.lost_any() { stale = false; vec![board(&web, &session).await] } else { vec![] }
            }
            _ = ping.tick() => {
                if socket.send(WsMessage::Ping(Vec::new().into())).await.is_err() { return }
                vec![]
            }
        };
        if send_all(&mut socket, &frames).await.is_err() {
            return;
        }
    }
}

/// A supervisor's note on a conversation of their company (any: watched or not); it comes
/// back to whoever watches it as a message.
async fn note(web: &Web, session: &Session, id: ConversationId, note_id: uuid::Uuid, text: &str) -> Vec<ToSupervisor> {
    match app::chat::history::add_note(web, session, id, note_id, text).await {
        Ok(posted) => {
            web.publish_new(id, posted);
            vec![]
        }
        Err(e) => vec![ToSupervisor::Error(ErrorFrame::refused(e))],
    }
}

async fn watched_message(
    web: &Web,
    watched: &mut HashMap<ConversationId, (Registration, u64)>,
    id: ConversationId,
    seq: u64,
    event: &conversation::Event,
    at: chrono::DateTime<chrono::Utc>,
) -> Vec<ToSupervisor> {
    match watched.get_mut(&id) {
        Some((_, sent)) => web.message_frames(id, true, sent, seq, event, at).await.into_iter().map(ToSupervisor::Message).collect(),
        None => vec![],
    }
}

/// A conversation of the supervisor's company, with its messages so far.
async fn transcript(web: &Web, session: &Session, id: ConversationId) -> Option<(ToSupervisor, u64)> {
    let state = web.chat.streams().conversation(id).await.ok()?;
    if state.company_id != Some(session.company_id()) {
        return None;
    }
    let mut last = 0;
    let messages: Vec<Message> = app::chat::conversation_events(web, id)
        .await
        .into_iter()
        .filter_map(|(version, at, e)| {
            let frame = Message::of(Some(id), version, &e, at)?;
            last = version;
            Some(frame)
        })
        .collect();
    Some((ToSupervisor::Transcript { conversation_id: id, messages }, last))
}
