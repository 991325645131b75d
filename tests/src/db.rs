//! A fresh, migrated PostgreSQL database per test, so tests run in parallel without sharing
//! state. The server is `DATABASE_URL` when set, otherwise an embedded cluster under the
//! system's temporary folder (created on first use and left running for the next run).
//! Each database is cloned from a template migrated once per set of migrations.

use std::sync::atomic::{AtomicU32, Ordering};

use sha2::{Digest, Sha256};
use store::embedded::{Durability, EmbeddedPostgres};
use tokio::sync::OnceCell;
use tokio_postgres::NoTls;

struct Server {
    /// Connects to the server's `postgres` database, for creating and dropping others.
    admin: tokio_postgres::Config,
    template: String,
}

static SERVER: OnceCell<Server> = OnceCell::const_new();
static COUNTER: AtomicU32 = AtomicU32::new(0);

pub struct TestDb {
    pub name: String,
    pub config: tokio_postgres::Config,
    admin: tokio_postgres::Config,
}

impl TestDb {
    pub async fn new() -> TestDb {
        let server = SERVER.get_or_init(prepare_server).await;
        let name = format!("sb_t_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
        let admin = connect(&server.admin).await;
        admin
            .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {}", server.template))
            .await
            .unwrap_or_else(|e| panic!("creating test database {name}: {e}"));
        let mut config = server.admin.clone();
        config.dbname(&name);
        store::db::with_guardrails(&mut config);
        TestDb { name, config, admin: server.admin.clone() }
    }

    /// A database with no migrations applied, as a server meets a fresh one.
    pub async fn empty() -> TestDb {
        let server = SERVER.get_or_init(prepare_server).await;
        let name = format!("sb_t_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
        connect(&server.admin).await.batch_execute(&format!("CREATE DATABASE {name}")).await.unwrap();
        let mut config = server.admin.clone();
        config.dbname(&name);
        store::db::with_guardrails(&mut config);
        TestDb { name, config, admin: server.admin.clone() }
    }

    pub fn pool(&self, size: usize) -> deadpool_postgres::Pool {
        store::db::pool(&self.config, size)
    }

    pub fn store(&self) -> store::PgEventStore {
        store::PgEventStore::new(self.pool(16), self.config.clone())
    }

    pub async fn client(&self) -> tokio_postgres::Client {
        connect(&self.config).await
    }

    /// A `DATABASE_URL` for a child process (the server binary) to use this database.
    pub fn url(&self) -> String {
        store::db::url_of(&self.config)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        // Drop runs inside the test's runtime; a separate thread with its own runtime may block.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                if let Ok((client, conn)) = admin.connect(NoTls).await {
                    tokio::spawn(conn);
                    let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                }
            });
        })
        .join();
    }
}

pub async fn connect(config: &tokio_postgres::Config) -> tokio_postgres::Client {
    let (client, conn) = config.connect(NoTls).await.unwrap_or_else(|e| panic!("connecting to PostgreSQL: {}", store::describe(&e)));
    tokio::spawn(async move {
        let _ = conn.await;
    });
    client
}

fn migrations_digest() -> String {
    hex::encode(&Sha256::digest(store::db::migrations_fingerprint().as_bytes())[..6])
}

async fn prepare_server() -> Server {
    let mut admin = match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => store::db::config_from_url(&url).expect("DATABASE_URL"),
        _ => {
            let dir = std::env::temp_dir().join(format!("switchboard-test-pg-{}", nix::unistd::geteuid()));
            let cluster = EmbeddedPostgres::start(&dir, Durability::Fast).await.unwrap_or_else(|e| panic!("embedded PostgreSQL for tests: {e}"));
            let config = cluster.config();
            // Kept for the life of the test process; the cluster outlives it for the next run.
            std::mem::forget(cluster);
            config
        }
    };
    admin.dbname("postgres");
    let client = connect(&admin).await;
    const LOCK: i64 = 0x5357_5445_5354; // "SWTEST"
    client.execute("SELECT pg_advisory_lock($1)", &[&LOCK]).await.unwrap();
    sweep_leftovers(&client).await;
    let template = format!("sb_tpl_{}", migrations_digest());
    let exists = client.query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&template]).await.unwrap().is_some();
    if !exists {
        let building = format!("{template}_building");
        client.batch_execute(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)")).await.unwrap();
        client.batch_execute(&format!("CREATE DATABASE {building}")).await.unwrap();
        let mut config = admin.clone();
        config.dbname(&building);
        store::db::migrate(&config).await.unwrap_or_else(|e| panic!("migrating the test template: {e}"));
        client.batch_execute(&format!("ALTER DATABASE {building} RENAME TO {template}")).await.unwrap();
    }
    client.execute("SELECT pg_advisory_unlock($1)", &[&LOCK]).await.unwrap();
    Server { admin, template }
}

/// Databases and templates left behind by test processes that are gone.
async fn sweep_leftovers(client: &tokio_postgres::Client) {
    let rows = client.query("SELECT datname FROM pg_database WHERE datname LIKE 'sb\\_t\\_%' OR datname LIKE 'sb\\_tpl\\_%'", &[]).await.unwrap();
    let current_template = format!("sb_tpl_{}", migrations_digest());
    for row in rows {
        let name: String = row.get(0);
        let stale = if let Some(rest) = name.strip_prefix("sb_t_") {
            let pid: i32 = rest.split('_').next().and_then(|p| p.parse().ok()).unwrap_or(0);
            nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_err()
        } else {
            name != current_template
        };
        if stale {
            let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
        }
    }
}

/// Every event of `stream` as (version, type, payload), in order: read before and after a
/// refused request to show it wrote nothing there.
pub async fn stream_events(client: &tokio_postgres::Client, stream: &str) -> Vec<(i64, String, serde_json::Value)> {
    let rows = client.query("SELECT version, event_type, payload FROM events WHERE stream = $1 ORDER BY version", &[&stream]).await.unwrap();
    rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect()
}

/// The id of the newest event in the whole log: unchanged means nothing at all was written.
pub async fn newest_event(client: &tokio_postgres::Client) -> Option<uuid::Uuid> {
    client.query_opt("SELECT event_id FROM events ORDER BY position DESC LIMIT 1", &[]).await.unwrap().map(|r| r.get(0))
}

/// Every event written for `company` as (stream, version, type, payload), in log order.
pub async fn company_events(client: &tokio_postgres::Client, company: uuid::Uuid) -> Vec<(String, i64, String, serde_json::Value)> {
    let rows =
        client.query("SELECT stream, version, event_type, payload FROM events WHERE company_id = $1 ORDER BY position", &[&company]).await.unwrap();
    rows.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))).collect()
}

/// Waits until the users read model lets `email` log in with a password (a server's
/// projections catching up with an account the CLI created, say).
pub async fn until_login_possible(client: &tokio_postgres::Client, email: &str) {
    crate::wait::until(&format!("{email} able to log in, in the users read model"), crate::wait::DEADLINE, || async {
        let sql = "SELECT count(*) FROM users WHERE email = $1 AND member AND active AND has_password";
        let found: i64 = client.query_one(sql, &[&email]).await.unwrap().get(0);
        crate::wait::check(found == 1, found)
    })
    .await;
}
