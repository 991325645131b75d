//! The chat hub of one server process: which local sockets care about what, and the fan-out
//! of events to them. Events come from one subscription to the event store, so a message
//! appended by any process reaches sockets on every process; the process that appends a
//! message also hands it to its own sockets at once (sockets drop what they have seen, by
//! sequence number). Typing indicators are not events: they travel on a NOTIFY channel.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use app::chat::typing::Typing;
use app::chat::SiteStatus;
use domain::{conversation, CompanyId, ConversationId, Event, SiteId, UserId};
use store::{EventStore, Position, RecordedEvent};
use tokio::sync::mpsc;

use super::site_status::SiteWatch;
use crate::Web;

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
    SiteChanged(SiteId, Arc<SiteStatus>),
    /// Something on the company's board changed.
    BoardChanged,
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

    /// Hands a typing notice (from any process) to the conversation's sockets.
    pub fn typing(&self, typing: Typing) {
        self.publish(Interest::Conversation(typing.conversation_id), Notice::Typing(typing));
    }

    /// How many sockets are registered (for the benchmark and the board).
    pub fn registrations(&self) -> usize {
        self.registry.by_interest.lock().unwrap().values().map(Vec::len).sum()
    }
}

/// Follows the event store from `from` and hands every chat event to the sockets that care.
/// After each batch, once the chat read models have caught up, the sites it touched go to
/// `sites` to have their status worked out, and the companies' boards are told.
pub async fn dispatch(web: Web, sites: SiteWatch, from: Position) {
    let hub = web.hub().clone();
    let mut subscription = web.events().subscribe(from);
    let mut batch = Vec::with_capacity(256);
    let mut site_of: HashMap<ConversationId, SiteId> = HashMap::new();
    loop {
        batch.clear();
        if subscription.next_batch(&mut batch, 256).await == 0 {
            return;
        }
        let (mut conversations, mut agents, mut companies, mut hours_set) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut last = None;
        // Decoded, with the visitors' data opened, in one read of their keys per batch.
        let mut events: Vec<(RecordedEvent, Event)> =
            batch.drain(..).filter_map(|item| item.ok()).filter_map(|r| r.decode().ok().map(|d| (r, d))).collect();
        if let Err(e) = web.keyring().open_events(events.iter_mut().map(|(_, d)| d)).await {
            tracing::warn!(error = %e, "cannot read visitors' keys: their messages go out unreadable");
        }
        for (recorded, decoded) in events {
            let (recorded, decoded) = (Arc::new(recorded), Arc::new(decoded));
            match &*decoded {
                Event::Conversation(e) => {
                    let Ok(id) = conversation::id_from_stream(&recorded.stream) else { continue };
                    if let conversation::Event::ConversationStarted { site_id, .. } | conversation::Event::OfflineMessageLeft { site_id, .. } = e {
                        site_of.insert(id, *site_id);
                    }
                    hub.publish(Interest::Conversation(id), Notice::Event(recorded.clone(), decoded.clone()));
                    if let conversation::Event::ConversationAssigned { agent_id, .. }
                    | conversation::Event::ConversationOffered { offer: conversation::Offer { agent_id, .. } }
                    | conversation::Event::OfferEnded { agent_id, .. } = e
                    {
                        hub.publish(Interest::Agent(*agent_id), Notice::Event(recorded.clone(), decoded.clone()));
                    }
                    if !matches!(e, conversation::Event::MessagePosted { .. } | conversation::Event::NoteAdded { .. }) {
                        conversations.push(id);
                        companies.extend(recorded.company_id());
                    }
                }
                Event::Agent(_) => {
                    let Ok(id) = domain::agent::id_from_stream(&recorded.stream) else { continue };
                    hub.publish(Interest::Agent(id), Notice::Event(recorded.clone(), decoded.clone()));
                    agents.push(id);
                    companies.extend(recorded.company_id());
                }
                Event::Site(domain::site::Event::BusinessHoursSet { .. }) => {
                    let Ok(id) = domain::site::id_from_stream(&recorded.stream) else { continue };
                    hours_set.push(id);
                }
                _ => continue,
            }
            last = Some(recorded.position);
        }
        let Some(position) = last else { continue };
        if !hours_set.is_empty() {
            // Open widgets learn new hours once the sites read model has them.
            if let Err(e) = web.read_your_writes(projections::Registered::Sites, Some(position)).await {
                tracing::warn!(error = %e, "the sites read model is late: widgets learn new hours at the next change");
            }
            sites.touch(hours_set);
        }
        if conversations.is_empty() && agents.is_empty() {
            continue;
        }
        web.settle_chat(position).await;
        sites.touch(touched_sites(&web, &mut site_of, conversations, agents).await);
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
    web: &Web,
    site_of: &mut HashMap<ConversationId, SiteId>,
    conversations: Vec<ConversationId>,
    agents: Vec<UserId>,
) -> Vec<SiteId> {
    let unknown: Vec<ConversationId> = conversations.iter().filter(|c| !site_of.contains_key(c)).copied().collect();
    if !unknown.is_empty() {
        site_of.extend(app::chat::sites_of_conversations(web, &unknown).await.unwrap_or_default());
    }
    let mut sites: Vec<SiteId> = conversations.iter().filter_map(|c| site_of.get(c).copied()).collect();
    if !agents.is_empty() {
        sites.extend(app::chat::sites_of_agents(web, &agents).await.unwrap_or_default());
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
