//! The running server: shared state, routes, start-up and orderly shutdown.

use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use commands::accounts::Accounts;
use deadpool_postgres::Pool;
use projections::{Checkpoints, Projection, ProjectionError, RebuildReport};
use store::{PgEventStore, Position};
use tokio::task::JoinSet;

use crate::cli::DataArgs;
use crate::database::Database;
use crate::{health, pages};

#[derive(Debug, Clone)]
pub struct Settings {
    /// Mark cookies Secure (set when served over HTTPS).
    pub secure_cookies: bool,
}

impl Settings {
    pub fn from_env() -> Self {
        Settings { secure_cookies: std::env::var("SWITCHBOARD_SECURE_COOKIES").is_ok_and(|v| v == "1" || v == "true") }
    }
}

pub struct Services {
    pub store: PgEventStore,
    pub pool: Pool,
    pub accounts: Accounts<PgEventStore>,
    pub checkpoints: Checkpoints,
    pub settings: Settings,
}

/// Shared by every request handler.
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
        let pool = store::db::pool(config, 32);
        let store = PgEventStore::new(pool.clone(), config.clone());
        let accounts = Accounts::new(store.clone(), pool.clone());
        App(Arc::new(Services { store, pool, accounts, checkpoints: Checkpoints::default(), settings }))
    }

    /// Runs every projection until the returned set is dropped.
    pub fn start_projections(&self) -> JoinSet<()> {
        let mut set = JoinSet::new();
        let (store, pool, checkpoints) = (self.store.clone(), self.pool.clone(), self.checkpoints.clone());
        set.spawn(projections::run(store.clone(), pool.clone(), projections::users::Users, checkpoints.clone()));
        set.spawn(projections::run(store, pool, projections::licences::Licences, checkpoints));
        set
    }

    /// Waits until `projection` shows the effects of the command that returned `position`.
    pub async fn read_your_writes(&self, projection: &str, position: Option<Position>) -> Result<(), ProjectionError> {
        match position {
            Some(p) => projections::wait_for(&self.pool, &self.checkpoints, projection, p, Duration::from_secs(10)).await,
            None => Ok(()),
        }
    }

    /// Waits until every projection has applied every event stored so far.
    pub async fn caught_up(&self) -> Result<(), ProjectionError> {
        let head = self.store.head().await?;
        for name in projections::ALL {
            projections::wait_for(&self.pool, &self.checkpoints, name, head, Duration::from_secs(30)).await?;
        }
        Ok(())
    }

    pub fn router(&self) -> Router {
        Router::new()
            .route("/", get(pages::login::home))
            .route("/healthz", get(health::healthz))
            .route("/login", get(pages::login::show).post(pages::login::submit))
            .route("/logout", post(pages::login::logout))
            .route("/account", get(pages::login::account))
            .route("/admin/users", get(pages::users::list))
            .route("/static/app.css", get(stylesheet))
            .layer(tower_http::limit::RequestBodyLimitLayer::new(8 * 1024 * 1024))
            .layer(tower_http::trace::TraceLayer::new_for_http())
            .with_state(self.clone())
    }
}

async fn stylesheet() -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "text/css; charset=utf-8")], include_str!("../static/app.css"))
}

pub async fn rebuild_projection(store: &PgEventStore, pool: &Pool, name: &str) -> Result<RebuildReport, ProjectionError> {
    match name {
        projections::users::Users::NAME => projections::rebuild(store, pool, &projections::users::Users).await,
        projections::licences::Licences::NAME => projections::rebuild(store, pool, &projections::licences::Licences).await,
        other => unreachable!("unknown projection {other} (checked by the CLI)"),
    }
}

/// `switchboard serve`: migrate, start projections, serve HTTP until SIGINT or SIGTERM.
pub async fn serve(listen: SocketAddr, data: DataArgs) -> Result<(), String> {
    let db = Database::open(&data.data_dir).await?;
    let result = serve_with(&db, listen).await;
    db.close().await;
    result
}

async fn serve_with(db: &Database, listen: SocketAddr) -> Result<(), String> {
    let applied = store::db::migrate(&db.config).await.map_err(|e| e.to_string())?;
    for m in &applied {
        tracing::info!(migration = %m, "applied");
    }
    let app = App::new(&db.config, Settings::from_env());
    let projections = app.start_projections();
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    let companies: i64 = match app.pool.get().await {
        Ok(client) => client.query_one("SELECT count(*) FROM events WHERE event_type = 'CompanyRegistered'", &[]).await.map(|r| r.get(0)).unwrap_or(0),
        Err(_) => 0,
    };
    println!("Switchboard is running at http://{address}/ (log in at http://{address}/login)");
    if companies == 0 {
        let data_flag = if db.is_embedded() { "" } else { " (with the same DATABASE_URL)" };
        println!(
            "No company yet. Create the first one and its administrator{data_flag}:\n  \
             echo 'a-long-password' | cargo run --release -- admin create --company 'Acme' --email admin@example.com --password-stdin"
        );
    }
    let served = axum::serve(listener, app.router()).with_graceful_shutdown(shutdown_signal()).await;
    drop(projections);
    tracing::info!("stopped serving");
    served.map_err(|e| e.to_string())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}
