//! The chat hub of one server process: which local sockets care about what, and the fan-out
//! of events to them. Events come from one subscription to the event store, so a message
//! appended by any process reaches sockets on every process; the process that appends a
//! message also hands it to its own sockets at once (sockets drop what they have seen, by
//! sequence number). Typing indicators are not events: they travel on a NOTIFY channel.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use domain::{conversation, CompanyId, ConversationId, Event, SiteId, UserId};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use store::{EventStore, PgEventStore, Position, RecordedEvent};
use tokio::sync::mpsc;
use tokio_postgres::{AsyncMessage, NoTls};

use super::site_status::SiteWatch;

/// What a socket listens to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Interest {
    Conversation(ConversationId),
    /// An agent's own sockets (assignments, status).
    Agent(UserId),
    /// Visitors and agents of a site (queue and online status).
    Site(SiteId),
    /// Supervisors' boards.
    Company(CompanyId),
}

/// What the hub hands to sockets.
#[derive(Debug, Clone)]
pub enum Notice {
    Event(Arc<RecordedEvent>, Arc<Event>),
    /// A message just stored by this process (the same one arrives later as an event).
    Message {
        conversation_id: ConversationId,
        seq: u64,
        event: Arc<conversation::Event>,
        at: chrono::DateTime<chrono::Utc>,
    },
    Typing(Typing),
    /// The site's queue or online agents changed: its new status.
    SiteChanged(SiteId, Arc<super::site_status::SiteStatus>),
    /// Something on the company's board changed.
    BoardChanged,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Typing {
    #[serde(rename = "c")]
    pub conversation_id: ConversationId,
    /// `visitor` or `agent`.
    #[serde(rename = "f")]
    pub from: String,
    #[serde(rename = "t")]
    pub typing: bool,
}

/// A socket's side of the hub. Notices go in without waiting; when the socket is too slow
/// and one is dropped, `lost` says so, and the socket reads the log to catch up.
#[derive(Clone)]
pub struct Outbox {
    tx: mpsc::Sender<Notice>,
    lost: Arc<AtomicBool>,
}

impl Outbox {
    pub fn new() -> (Outbox, mpsc::Receiver<Notice>) {
        let (tx, rx) = mpsc::channel(OUTBOX_SIZE);
        (Outbox { tx, lost: Arc::default() }, rx)
    }

    /// Whether a notice was dropped since the last time this was asked.
    pub fn lost_any(&self) -> bool {
        self.lost.swap(false, Ordering::Relaxed)
    }
}

#[derive(Default)]
struct Registry {
    next: AtomicU64,
    by_interest: Mutex<HashMap<Interest, Vec<(u64, Outbox)>>>,
}

#[derive(Clone, Default)]
pub struct Hub {
    registry: Arc<Registry>,
}

/// Keeps a socket registered for an interest; unregisters when dropped.
pub struct Registration {
    registry: Arc<Registry>,
    interest: Interest,
    id: u64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut map = self.registry.by_interest.lock().unwrap();
        if let Some(list) = map.get_mut(&self.interest) {
            list.retain(|(id, _)| *id != self.id);
            if list.is_empty() {
                map.remove(&self.interest);
            }
        }
    }
}

pub const OUTBOX_SIZE: usize = 256;

impl Hub {
    pub fn register(&self, interest: Interest, outbox: Outbox) -> Registration {
        let id = self.registry.next.fetch_add(1, Ordering::Relaxed);
        self.registry.by_interest.lock().unwrap().entry(interest).or_default().push((id, outbox));
        Registration { registry: self.registry.clone(), interest, id }
    }

    /// Hands `notice` to every socket interested. A socket too slow to keep up loses the
    /// notice, and its outbox remembers that it did.
    pub fn publish(&self, interest: Interest, notice: Notice) {
        let targets: Vec<Outbox> = match self.registry.by_interest.lock().unwrap().get(&interest) {
            Some(list) => list.iter().map(|(_, o)| o.clone()).collect(),
            None => return,
        };
        for outbox in targets {
            if outbox.tx.try_send(notice.clone()).is_err() {
                outbox.lost.store(true, Ordering::Relaxed);
            }
        }
    }

    /// Whether any socket of this process is registered for `interest`.
    pub fn has(&self, interest: Interest) -> bool {
        self.registry.by_interest.lock().unwrap().contains_key(&interest)
    }

    /// How many sockets are registered (for the benchmark and the board).
    pub fn registrations(&self) -> usize {
        self.registry.by_interest.lock().unwrap().values().map(Vec::len).sum()
    }
}

pub const TYPING_CHANNEL: &str = "switchboard_typing";

/// Tells every process that someone is typing. The payload holds only ids and a flag.
pub async fn send_typing(pool: &deadpool_postgres::Pool, typing: &Typing) {
    let payload = serde_json::to_string(typing).expect("serialisable").replace('\'', "''");
    if let Ok(client) = pool.get().await {
        // Not durable: no need to wait for the disk.
        let _ = client
            .batch_execute(&format!("BEGIN; SET LOCAL synchronous_commit = off; SELECT pg_notify('{TYPING_CHANNEL}', '{payload}'); COMMIT;"))
            .await;
    }
}

/// Listens for typing notifications on a dedicated connection, for as long as it runs.
pub async fn listen_typing(config: tokio_postgres::Config, hub: Hub) {
    loop {
        if let Ok((client, mut connection)) = config.connect(NoTls).await {
            let (tx, mut rx) = mpsc::unbounded_channel();
            let driver = tokio::spawn(async move {
                let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
                while let Some(Ok(message)) = messages.next().await {
                    if let AsyncMessage::Notification(n) = message {
                        let _ = tx.send(n.payload().to_owned());
                    }
                }
            });
            if client.batch_execute(&format!("LISTEN {TYPING_CHANNEL}")).await.is_ok() {
                while let Some(payload) = rx.recv().await {
                    if let Ok(typing) = serde_json::from_str::<Typing>(&payload) {
                        hub.publish(Interest::Conversation(typing.conversation_id), Notice::Typing(typing));
                    }
                }
            }
            driver.abort();
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Follows the event store from `from` and hands every chat event to the sockets that care.
/// After each batch, once the read models have caught up (`settle`), the sites it touched
/// go to `sites` to have their status worked out, and the companies' boards are told.
pub async fn dispatch<F, Fut>(store: PgEventStore, pool: deadpool_postgres::Pool, hub: Hub, sites: SiteWatch, from: Position, settle: F)
where
    F: Fn(Position) -> Fut + Send + Sync,
    Fut: std::future::Future<Output = ()> + Send,
{
    let mut subscription = store.subscribe(from);
    let mut batch = Vec::with_capacity(256);
    let mut site_of: HashMap<ConversationId, SiteId> = HashMap::new();
    loop {
        batch.clear();
        if subscription.next_batch(&mut batch, 256).await == 0 {
            return;
        }
        let (mut conversations, mut agents, mut companies) = (Vec::new(), Vec::new(), Vec::new());
        let mut last = None;
        for item in batch.drain(..) {
            let Ok(recorded) = item else { continue };
            let Ok(decoded) = recorded.decode() else { continue };
            let (recorded, decoded) = (Arc::new(recorded), Arc::new(decoded));
            match &*decoded {
                Event::Conversation(e) => {
                    let id: ConversationId = recorded.stream.strip_prefix("conversation-").and_then(|s| s.parse().ok()).unwrap_or_default();
                    if let conversation::Event::ConversationStarted { site_id, .. } | conversation::Event::OfflineMessageLeft { site_id, .. } = e {
                        site_of.insert(id, *site_id);
                    }
                    hub.publish(Interest::Conversation(id), Notice::Event(recorded.clone(), decoded.clone()));
                    if let conversation::Event::ConversationAssigned { agent_id, .. } = e {
                        hub.publish(Interest::Agent(*agent_id), Notice::Event(recorded.clone(), decoded.clone()));
                    }
                    if !matches!(e, conversation::Event::MessagePosted { .. }) {
                        conversations.push(id);
                        companies.extend(recorded.company_id());
                    }
                }
                Event::Agent(_) => {
                    let id: UserId = recorded.stream.strip_prefix("agent-").and_then(|s| s.parse().ok()).unwrap_or_default();
                    hub.publish(Interest::Agent(id), Notice::Event(recorded.clone(), decoded.clone()));
                    agents.push(id);
                    companies.extend(recorded.company_id());
                }
                _ => continue,
            }
            last = Some(recorded.position);
        }
        let Some(position) = last else { continue };
        if conversations.is_empty() && agents.is_empty() {
            continue;
        }
        settle(position).await;
        sites.touch(touched_sites(&pool, &mut site_of, conversations, agents).await);
        companies.sort();
        companies.dedup();
        for company in companies {
            hub.publish(Interest::Company(company), Notice::BoardChanged);
        }
        if site_of.len() > 100_000 {
            site_of.clear();
        }
    }
}

/// The sites of these conversations and of these agents.
async fn touched_sites(
    pool: &deadpool_postgres::Pool,
    site_of: &mut HashMap<ConversationId, SiteId>,
    conversations: Vec<ConversationId>,
    agents: Vec<UserId>,
) -> Vec<SiteId> {
    let Ok(client) = pool.get().await else { return Vec::new() };
    let mut sites: Vec<SiteId> = Vec::new();
    let unknown: Vec<uuid::Uuid> = conversations.iter().filter(|c| !site_of.contains_key(c)).map(|c| c.0).collect();
    if !unknown.is_empty() {
        if let Ok(rows) = client.query("SELECT conversation_id, site_id FROM conversations WHERE conversation_id = ANY($1)", &[&unknown]).await {
            for r in rows {
                site_of.insert(ConversationId(r.get(0)), SiteId(r.get(1)));
            }
        }
    }
    sites.extend(conversations.iter().filter_map(|c| site_of.get(c).copied()));
    if !agents.is_empty() {
        let ids: Vec<uuid::Uuid> = agents.iter().map(|a| a.0).collect();
        if let Ok(rows) = client.query("SELECT DISTINCT site_id FROM site_agents WHERE user_id = ANY($1)", &[&ids]).await {
            sites.extend(rows.iter().map(|r| SiteId(r.get(0))));
        }
    }
    sites.sort();
    sites.dedup();
    sites
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_socket_that_cannot_keep_up_learns_that_it_lost_notices_once() {
        let hub = Hub::default();
        let (outbox, mut inbox) = Outbox::new();
        let site = SiteId::new();
        let _registration = hub.register(Interest::Site(site), outbox.clone());
        for _ in 0..OUTBOX_SIZE {
            hub.publish(Interest::Site(site), Notice::BoardChanged);
        }
        assert!(!outbox.lost_any(), "a full outbox has lost nothing yet");
        hub.publish(Interest::Site(site), Notice::BoardChanged);
        assert!(outbox.lost_any());
        assert!(!outbox.lost_any(), "told once");
        assert!(inbox.try_recv().is_ok());
        assert!(hub.has(Interest::Site(site)) && !hub.has(Interest::Site(SiteId::new())));
    }
}
