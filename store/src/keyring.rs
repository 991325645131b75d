//! Visitors' keys, kept beside the log and never in it (the `visitor_keys` table), and the
//! sealing and opening of the personal data events carry with them.
//!
//! Each visitor has one live key (a new one once an erasure destroyed the last); a sealed
//! value names its key, so it is opened without knowing whose it is. Erasing a visitor sets
//! their keys' material to NULL: every copy of their data in the log turns to noise at once,
//! and no event is rewritten. XChaCha20-Poly1305: random 192-bit nonces never repeat in
//! practice, and a tampered value fails to open instead of reading as something else.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::STANDARD_NO_PAD as BASE64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use deadpool_postgres::Pool;
use domain::{CompanyId, Personal, VisitorId};
use rand::RngCore;
use thiserror::Error;
use uuid::Uuid;

const NONCE_LEN: usize = 24;

#[derive(Debug, Error)]
pub enum KeyringError {
    #[error("the visitor keys could not be read or written: {0}")]
    Database(String),
}

impl From<tokio_postgres::Error> for KeyringError {
    fn from(e: tokio_postgres::Error) -> Self {
        KeyringError::Database(crate::describe(&e))
    }
}

impl From<deadpool_postgres::PoolError> for KeyringError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        KeyringError::Database(e.to_string())
    }
}

/// A key as read: its owner, and its material while it lives.
#[derive(Clone)]
struct Entry {
    visitor: VisitorId,
    cipher: Option<Arc<XChaCha20Poly1305>>,
}

#[derive(Default)]
struct Cache {
    keys: HashMap<Uuid, Entry>,
    live: HashMap<VisitorId, Uuid>,
}

/// Keys remembered at most; past that the cache starts again (keys are read back as needed).
const CACHED_KEYS: usize = 100_000;

impl Cache {
    fn remember(&mut self, key: Uuid, entry: Entry) {
        if self.keys.len() >= CACHED_KEYS {
            self.keys.clear();
            self.live.clear();
        }
        self.keys.insert(key, entry);
    }
}

/// Where the keys are kept: PostgreSQL, or (for unit tests) only in the cache.
enum Backend {
    Postgres(Pool),
    #[cfg(any(test, feature = "memory"))]
    Memory,
}

/// Shared by everything in a process that seals or opens (one cache, so an erasure made
/// here is seen at once by the hub, the projections and the command handlers).
#[derive(Clone)]
pub struct Keyring {
    backend: Arc<Backend>,
    cache: Arc<Mutex<Cache>>,
}

impl Keyring {
    pub fn new(pool: Pool) -> Self {
        Keyring { backend: Arc::new(Backend::Postgres(pool)), cache: Arc::default() }
    }

    #[cfg(any(test, feature = "memory"))]
    pub fn in_memory() -> Self {
        Keyring { backend: Arc::new(Backend::Memory), cache: Arc::default() }
    }

    /// What seals the visitor's data: their live key, created on first use.
    pub async fn sealer(&self, company: CompanyId, visitor: VisitorId) -> Result<Sealer, KeyringError> {
        let (key, cipher) = self.live_key(company, visitor).await?;
        Ok(Sealer { key, cipher })
    }

    /// Opens every sealed value: its plain text, or `Erased` when its key was destroyed (or
    /// the value does not open: it was damaged, and is reported).
    pub async fn open<'a>(&self, values: impl IntoIterator<Item = &'a mut Personal>) -> Result<(), KeyringError> {
        let mut values: Vec<&mut Personal> = values.into_iter().filter(|v| matches!(v, Personal::Sealed { .. })).collect();
        if values.is_empty() {
            return Ok(());
        }
        let wanted: Vec<Uuid> = values.iter().filter_map(|v| if let Personal::Sealed { key, .. } = &**v { Some(*key) } else { None }).collect();
        let keys = self.keys(wanted).await?;
        for value in values.iter_mut() {
            let Personal::Sealed { key, data } = &**value else { continue };
            let cipher = keys.get(key).cloned().flatten();
            **value = match cipher.map(|c| open_text(&c, data)) {
                Some(Some(text)) => Personal::Plain(text),
                Some(None) => {
                    tracing::warn!(%key, "a sealed value does not open with its key: shown as erased");
                    Personal::Erased
                }
                None => Personal::Erased,
            };
        }
        Ok(())
    }

    /// Opens the personal data of a batch of events read from the log. An erasure among
    /// them is taken in first: its keys were destroyed before it was recorded, so an event
    /// sealed with them, even one recorded after it, reads as erased here as in any replay.
    pub async fn open_events<'a>(&self, events: impl IntoIterator<Item = &'a mut domain::Event>) -> Result<(), KeyringError> {
        let mut events: Vec<&mut domain::Event> = events.into_iter().collect();
        for event in &events {
            if let domain::Event::Visitor(domain::visitor::Event::VisitorErased { visitor_id, .. }) = &**event {
                self.forget_visitor(*visitor_id);
            }
        }
        self.open(events.iter_mut().flat_map(|e| e.personal_mut())).await
    }

    /// Destroys every key of the visitor in the company; how many there were.
    pub async fn erase_visitor(&self, company: CompanyId, visitor: VisitorId) -> Result<u32, KeyringError> {
        let destroyed = match &*self.backend {
            Backend::Postgres(pool) => {
                let client = pool.get().await?;
                client
                    .execute(
                        "UPDATE visitor_keys SET key = NULL, erased_at = now() WHERE company_id = $1 AND visitor_id = $2 AND key IS NOT NULL",
                        &[&company.0, &visitor.0],
                    )
                    .await? as u32
            }
            #[cfg(any(test, feature = "memory"))]
            Backend::Memory => {
                let mut cache = self.cache.lock().unwrap();
                let mut n = 0;
                for entry in cache.keys.values_mut().filter(|e| e.visitor == visitor && e.cipher.is_some()) {
                    entry.cipher = None;
                    n += 1;
                }
                n
            }
        };
        self.forget_visitor(visitor);
        Ok(destroyed)
    }

    /// Drops what this process remembers of the visitor's keys, after another process
    /// erased them (it reads them again, destroyed, when it next needs them).
    pub fn forget_visitor(&self, visitor: VisitorId) {
        let mut cache = self.cache.lock().unwrap();
        cache.live.remove(&visitor);
        // In memory the cache is all there is: its destroyed keys stay, as rows would.
        if matches!(&*self.backend, Backend::Postgres(_)) {
            cache.keys.retain(|_, e| e.visitor != visitor);
        }
    }

    /// The database the keys are in; none in memory.
    fn pool(&self) -> Option<&Pool> {
        match &*self.backend {
            Backend::Postgres(pool) => Some(pool),
            #[cfg(any(test, feature = "memory"))]
            Backend::Memory => None,
        }
    }

    async fn live_key(&self, company: CompanyId, visitor: VisitorId) -> Result<(Uuid, Arc<XChaCha20Poly1305>), KeyringError> {
        {
            let cache = self.cache.lock().unwrap();
            if let Some(key) = cache.live.get(&visitor) {
                if let Some(cipher) = cache.keys.get(key).and_then(|e| e.cipher.clone()) {
                    return Ok((*key, cipher));
                }
            }
        }
        let mut material = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut material);
        let (key, material) = match &*self.backend {
            Backend::Postgres(pool) => {
                let client = pool.get().await?;
                // One live key per visitor (a partial unique index): a racing writer's key wins
                // and this one is read back.
                client
                    .execute(
                        "INSERT INTO visitor_keys (key_id, company_id, visitor_id, key) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                        &[&Uuid::now_v7(), &company.0, &visitor.0, &material.as_slice()],
                    )
                    .await?;
                let row = client.query_one("SELECT key_id, key FROM visitor_keys WHERE visitor_id = $1 AND key IS NOT NULL", &[&visitor.0]).await?;
                (row.get::<_, Uuid>(0), row.get::<_, Vec<u8>>(1))
            }
            #[cfg(any(test, feature = "memory"))]
            Backend::Memory => (Uuid::now_v7(), material.to_vec()),
        };
        let cipher = Arc::new(cipher_of(&material).ok_or_else(|| KeyringError::Database(format!("key {key} is not 32 bytes")))?);
        let mut cache = self.cache.lock().unwrap();
        cache.remember(key, Entry { visitor, cipher: Some(cipher.clone()) });
        cache.live.insert(visitor, key);
        Ok((key, cipher))
    }

    /// The ciphers of `wanted` (None for a destroyed or unknown key): those in the cache,
    /// and the others read in one query. Held here, not looked up in the cache again, which
    /// may have started afresh meanwhile.
    async fn keys(&self, mut wanted: Vec<Uuid>) -> Result<HashMap<Uuid, Option<Arc<XChaCha20Poly1305>>>, KeyringError> {
        wanted.sort();
        wanted.dedup();
        let mut found = HashMap::with_capacity(wanted.len());
        let missing: Vec<Uuid> = {
            let cache = self.cache.lock().unwrap();
            wanted
                .into_iter()
                .filter(|k| match cache.keys.get(k) {
                    Some(entry) => {
                        found.insert(*k, entry.cipher.clone());
                        false
                    }
                    None => true,
                })
                .collect()
        };
        let Some(pool) = self.pool().filter(|_| !missing.is_empty()) else { return Ok(found) };
        let client = pool.get().await?;
        let rows = client.query("SELECT key_id, visitor_id, key FROM visitor_keys WHERE key_id = ANY($1)", &[&missing]).await?;
        let mut cache = self.cache.lock().unwrap();
        for row in rows {
            let material: Option<Vec<u8>> = row.get(2);
            let entry = Entry { visitor: VisitorId(row.get(1)), cipher: material.as_deref().and_then(cipher_of).map(Arc::new) };
            found.insert(row.get(0), entry.cipher.clone());
            cache.remember(row.get(0), entry);
        }
        Ok(found)
    }
}

/// One visitor's live key, to seal with (without waiting: sealing is a command's last step).
#[derive(Clone)]
pub struct Sealer {
    key: Uuid,
    cipher: Arc<XChaCha20Poly1305>,
}

impl Sealer {
    pub fn seal<'a>(&self, values: impl IntoIterator<Item = &'a mut Personal>) {
        for value in values {
            if let Personal::Plain(text) = value {
                *value = Personal::Sealed { key: self.key, data: seal_text(&self.cipher, text) };
            }
        }
    }
}

fn cipher_of(material: &[u8]) -> Option<XChaCha20Poly1305> {
    XChaCha20Poly1305::new_from_slice(material).ok()
}

fn seal_text(cipher: &XChaCha20Poly1305, text: &str) -> String {
    let mut nonce = [0u8; NONCE_LEN];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let sealed = cipher.encrypt(XNonce::from_slice(&nonce), text.as_bytes()).expect("XChaCha20-Poly1305 seals any length we store");
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    BASE64.encode(out)
}

fn open_text(cipher: &XChaCha20Poly1305, data: &str) -> Option<String> {
    let bytes = BASE64.decode(data).ok()?;
    if bytes.len() < NONCE_LEN {
        return None;
    }
    let (nonce, sealed) = bytes.split_at(NONCE_LEN);
    String::from_utf8(cipher.decrypt(XNonce::from_slice(nonce), sealed).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sealed_values_open_until_the_visitor_is_erased() {
        let keyring = Keyring::in_memory();
        let (company, visitor, other) = (CompanyId::new(), VisitorId::new(), VisitorId::new());
        let mut mine = [Personal::plain("Je m'appelle Zoé"), Personal::plain("zoe@example.fr")];
        let mut theirs = Personal::plain("Hello");
        keyring.sealer(company, visitor).await.unwrap().seal(mine.iter_mut());
        keyring.sealer(company, other).await.unwrap().seal([&mut theirs]);
        let Personal::Sealed { data, .. } = &mine[0] else { panic!("not sealed: {:?}", mine[0]) };
        assert!(!data.contains("Zo") && BASE64.decode(data).unwrap().len() > NONCE_LEN);
        assert_ne!(mine[0], mine[1]);

        let (mut read, mut read_theirs) = (mine.clone(), theirs.clone());
        keyring.open(read.iter_mut()).await.unwrap();
        assert_eq!(read, [Personal::plain("Je m'appelle Zoé"), Personal::plain("zoe@example.fr")]);

        assert_eq!(keyring.erase_visitor(company, visitor).await.unwrap(), 1);
        let mut read = mine.clone();
        keyring.open(read.iter_mut().chain([&mut read_theirs])).await.unwrap();
        assert_eq!(read, [Personal::Erased, Personal::Erased]);
        assert_eq!(read_theirs, Personal::plain("Hello"), "another visitor's data stays readable");

        // A visitor who comes back after the erasure gets a new key.
        let mut again = Personal::plain("Me revoilà");
        keyring.sealer(company, visitor).await.unwrap().seal([&mut again]);
        let Personal::Sealed { key, .. } = &again else { panic!() };
        assert!(!matches!(&mine[0], Personal::Sealed { key: old, .. } if old == key));
        keyring.open([&mut again]).await.unwrap();
        assert_eq!(again, Personal::plain("Me revoilà"));
    }

    #[test]
    fn a_damaged_or_foreign_value_does_not_open() {
        let (a, b) = (cipher_of(&[1; 32]).unwrap(), cipher_of(&[2; 32]).unwrap());
        let sealed = seal_text(&a, "secret");
        assert_eq!(open_text(&a, &sealed).as_deref(), Some("secret"));
        assert_eq!(open_text(&b, &sealed), None);
        let mut bytes = BASE64.decode(&sealed).unwrap();
        *bytes.last_mut().unwrap() ^= 1;
        assert_eq!(open_text(&a, &BASE64.encode(bytes)), None);
        assert_eq!(open_text(&a, "not base64!"), None);
        assert_eq!(open_text(&a, "AAAA"), None);
        assert!(cipher_of(&[0; 16]).is_none());
    }
}
