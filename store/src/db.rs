//! Connecting to PostgreSQL and keeping its schema current.

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use thiserror::Error;
use tokio_postgres::NoTls;

mod embedded_migrations {
    refinery::embed_migrations!("../migrations");
}

#[derive(Debug, Error)]
pub enum DbError {
    #[error("DATABASE_URL is not a valid PostgreSQL connection string: {0}")]
    BadUrl(String),
    #[error("cannot connect to PostgreSQL: {0}")]
    Connect(#[source] tokio_postgres::Error),
    #[error("migration failed: {0}")]
    Migration(String),
}

/// The connection settings given by `url`, with the guardrails every Switchboard
/// connection carries: a transaction left idle or a statement left running must not hold
/// back every subscriber (they wait behind the oldest running transaction).
pub fn config_from_url(url: &str) -> Result<tokio_postgres::Config, DbError> {
    let mut config: tokio_postgres::Config = url.parse().map_err(|e: tokio_postgres::Error| DbError::BadUrl(e.to_string()))?;
    with_guardrails(&mut config);
    Ok(config)
}

/// The `postgres://` URL of a configuration's first host (a Unix socket folder
/// percent-encoded), for handing to another process as DATABASE_URL.
pub fn url_of(config: &tokio_postgres::Config) -> String {
    use tokio_postgres::config::Host;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        Some(Host::Unix(p)) => p.to_string_lossy().replace('/', "%2F"),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or("postgres");
    format!("postgres://{user}@{host}:{port}/{}", config.get_dbname().unwrap_or("postgres"))
}

pub fn with_guardrails(config: &mut tokio_postgres::Config) {
    if config.get_application_name().is_none() {
        config.application_name("switchboard");
    }
    let existing = config.get_options().unwrap_or_default().to_owned();
    config.options(format!("{existing} -c idle_in_transaction_session_timeout=15000 -c statement_timeout=60000"));
}

pub fn pool(config: &tokio_postgres::Config, max_size: usize) -> Pool {
    pool_waiting(config, max_size, None)
}

/// A pool whose callers wait at most `wait` for a connection (a free one, or a new one
/// PostgreSQL accepts), then get an error to answer with, instead of waiting for ever.
pub fn pool_waiting(config: &tokio_postgres::Config, max_size: usize, wait: Option<std::time::Duration>) -> Pool {
    let manager = Manager::from_config(config.clone(), NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
    let builder = Pool::builder(manager).max_size(max_size);
    let builder = match wait {
        Some(wait) => builder.wait_timeout(Some(wait)).create_timeout(Some(wait)).runtime(deadpool_postgres::Runtime::Tokio1),
        None => builder,
    };
    builder.build().expect("a pool with the Tokio runtime for its timeouts always builds")
}

/// Applies every migration not yet applied. Safe to run from several processes at once:
/// they take turns on an advisory lock.
pub async fn migrate(config: &tokio_postgres::Config) -> Result<Vec<String>, DbError> {
    let (mut client, connection) = config.connect(NoTls).await.map_err(DbError::Connect)?;
    let driver = tokio::spawn(connection);
    const LOCK: i64 = 0x5357_4D49_4752; // "SWMIGR"
    client.execute("SELECT pg_advisory_lock($1)", &[&LOCK]).await.map_err(DbError::Connect)?;
    let report = embedded_migrations::migrations::runner().run_async(&mut client).await;
    let _ = client.execute("SELECT pg_advisory_unlock($1)", &[&LOCK]).await;
    drop(client);
    let _ = driver.await;
    let report = report.map_err(|e| DbError::Migration(e.to_string()))?;
    Ok(report.applied_migrations().iter().map(|m| m.to_string()).collect())
}

/// The highest migration version this build knows.
pub fn latest_migration() -> i32 {
    embedded_migrations::migrations::runner().get_migrations().iter().map(|m| m.version()).max().unwrap_or(0)
}

/// Identifies the set of migrations compiled into this build (names and checksums).
pub fn migrations_fingerprint() -> String {
    let mut parts: Vec<String> =
        embedded_migrations::migrations::runner().get_migrations().iter().map(|m| format!("{}:{}:{}", m.version(), m.name(), m.checksum())).collect();
    parts.sort();
    parts.join(",")
}

/// True when the database has every migration this build knows.
pub async fn is_migrated(client: &tokio_postgres::Client) -> bool {
    match client.query_one("SELECT coalesce(max(version), 0) FROM refinery_schema_history", &[]).await {
        Ok(row) => row.get::<_, i32>(0) >= latest_migration(),
        Err(_) => false,
    }
}
