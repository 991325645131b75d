//! What each user action does end to end, with no HTTP in it: validate the input, run the
//! commands, undo the earlier steps when a later stream refuses, and wait until the read
//! models show the change (read your writes). `web` calls these and renders the outcome.
//!
//! Tables that are not projections (sessions, login failures, visitors, agent connections,
//! imports, widget origins) each have one owning module here; read models are queried
//! through `projections`.

pub mod audit;
pub mod auth;
pub mod billing;
pub mod canned;
pub mod chat;
pub mod database;
mod error;
pub mod hours;
pub mod import;
pub mod invitations;
pub mod messages;
pub mod preferences;
mod settings;
pub mod sites;
pub mod users;
pub mod widget;

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use commands::accounts::Accounts;
use commands::mailer::InvitationMailer;
use commands::sites::Sites;
use deadpool_postgres::Pool;
use projections::{Checkpoints, ProjectionError, Registered};
use store::{Keyring, PgEventStore, Position};
use tokio::task::JoinSet;

pub use error::{Error, Result};
pub use settings::{Billing, Clock, Settings, WallClock};

pub struct Services {
    store: PgEventStore,
    pool: Pool,
    /// Visitors' keys: one cache for the whole process, so an erasure is seen everywhere.
    keyring: Keyring,
    checkpoints: Checkpoints,
    accounts: Accounts<PgEventStore>,
    sites: Sites<PgEventStore>,
    /// Conversations, routing and the queue.
    pub chat: chat::Chat,
    pub presence: chat::presence::Presence,
    pub settings: Settings,
    /// Where cards are saved and charged.
    pub gateway: payments::Gateway,
    /// For connections of their own (LISTEN).
    db_config: tokio_postgres::Config,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Ok,
    MigrationsPending,
    DatabaseUnavailable,
}

/// Switchboard's use cases over one database; cheap to clone.
#[derive(Clone)]
pub struct App(Arc<Services>);

impl Deref for App {
    type Target = Services;
    fn deref(&self) -> &Services {
        &self.0
    }
}

impl App {
    pub fn new(config: &tokio_postgres::Config, settings: Settings) -> App {
        let pool = store::db::pool_waiting(config, settings.db_pool, Some(settings.db_wait));
        let store = PgEventStore::new(pool.clone(), config.clone());
        let checkpoints = Checkpoints::default();
        let view = chat::view::ReadModels { pool: pool.clone(), checkpoints: checkpoints.clone(), clock: settings.clock.clone() };
        let keyring = Keyring::new(pool.clone());
        App(Arc::new(Services {
            accounts: Accounts::new(store.clone()),
            sites: Sites::new(store.clone()),
            chat: chat::Chat::new(store.clone(), keyring.clone(), view),
            keyring,
            presence: chat::presence::Presence::default(),
            gateway: payments::from_config(settings.stripe.clone(), pool.clone()),
            store,
            pool,
            checkpoints,
            settings,
            db_config: config.clone(),
        }))
    }

    pub(crate) fn pool(&self) -> &Pool {
        &self.pool
    }

    pub(crate) fn db_config(&self) -> &tokio_postgres::Config {
        &self.db_config
    }

    /// Visitors' keys, to open what the log holds of them.
    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    /// The event log, for those who follow it (the sockets' hub) or read it (the CLI).
    pub fn events(&self) -> &PgEventStore {
        &self.store
    }

    /// Runs the projections, the mailers (invitations, password resets, offline messages, transcripts) and
    /// housekeeping until the returned set is dropped.
    pub fn start_background(&self) -> JoinSet<()> {
        let mut set = JoinSet::new();
        for projection in Registered::ALL {
            set.spawn(projection.run(self.store.clone(), self.pool.clone(), self.keyring.clone(), self.checkpoints.clone()));
        }
        let mailer = InvitationMailer {
            accounts: self.accounts.clone(),
            pool: self.pool.clone(),
            transport: self.settings.mail.clone(),
            public_url: self.settings.public_url.clone(),
        };
        set.spawn(mailer.run());
        let resets = commands::password_reset_mailer::PasswordResetMailer {
            accounts: self.accounts.clone(),
            pool: self.pool.clone(),
            transport: self.settings.mail.clone(),
            public_url: self.settings.public_url.clone(),
        };
        set.spawn(resets.run());
        let offline = commands::offline_mailer::OfflineMessageMailer {
            accounts: self.accounts.clone(),
            keyring: self.keyring.clone(),
            pool: self.pool.clone(),
            transport: self.settings.mail.clone(),
            public_url: self.settings.public_url.clone(),
        };
        set.spawn(offline.run());
        let transcripts = commands::transcript_mailer::TranscriptMailer {
            accounts: self.accounts.clone(),
            keyring: self.keyring.clone(),
            pool: self.pool.clone(),
            transport: self.settings.mail.clone(),
        };
        set.spawn(transcripts.run());
        let app = self.clone();
        set.spawn(async move { import::mark_interrupted(&app).await });
        set.spawn(chat::presence::Presence::heartbeat(self.clone()));
        set.spawn(chat::presence::Presence::sweep(self.clone()));
        set.spawn(chat::sweep_queues(self.clone()));
        set.spawn(chat::sweep_rings(self.clone()));
        set.spawn(billing::renewals(self.clone()));
        set
    }

    /// Waits until `projection` shows the effects of the command that returned `position`.
    pub async fn read_your_writes(&self, projection: Registered, position: Option<Position>) -> Result<(), ProjectionError> {
        match position {
            Some(p) => projections::wait_for(&self.pool, &self.checkpoints, projection.name(), p, Duration::from_secs(10)).await,
            None => Ok(()),
        }
    }

    /// Keeps one read model up to date in this process until the task is aborted, for the
    /// CLI's commands that wait for their own writes.
    pub fn run_projection(&self, projection: Registered) -> tokio::task::JoinHandle<()> {
        tokio::spawn(projection.run(self.store.clone(), self.pool.clone(), self.keyring.clone(), self.checkpoints.clone()))
    }

    /// Brings one read model up to the end of the log, for commands run while no server
    /// is (the CLI's); a running server's projections do the same work alongside.
    pub async fn catch_up(&self, projection: Registered) -> Result<(), ProjectionError> {
        let runner = self.run_projection(projection);
        let newest = self.store.newest().await;
        let result = match newest {
            Ok(p) => projections::wait_for(&self.pool, &self.checkpoints, projection.name(), p, Duration::from_secs(60)).await,
            Err(e) => Err(e.into()),
        };
        runner.abort();
        result
    }

    /// Waits until every projection has applied every event committed so far.
    pub async fn caught_up(&self) -> Result<(), ProjectionError> {
        let newest = self.store.newest().await?;
        for projection in Registered::ALL {
            projections::wait_for(&self.pool, &self.checkpoints, projection.name(), newest, Duration::from_secs(30)).await?;
        }
        Ok(())
    }

    /// Events parked by the projections, by projection (none when all is well).
    pub async fn parked(&self) -> Result<Vec<(String, i64)>> {
        Ok(projections::parked::counts(&**self.pool.get().await?).await?)
    }

    /// Whether the database answers and has every migration this build knows.
    pub async fn health(&self) -> Health {
        let Ok(Ok(client)) = tokio::time::timeout(Duration::from_secs(3), self.pool.get()).await else { return Health::DatabaseUnavailable };
        if store::db::is_migrated(&client).await {
            Health::Ok
        } else {
            Health::MigrationsPending
        }
    }

    /// Whether a company exists (if not, the server says how to create the first one). Asks
    /// the log, which knows before the read models do.
    pub async fn has_companies(&self) -> Result<bool> {
        Ok(self.store.has_event_of_type("CompanyRegistered").await?)
    }
}
