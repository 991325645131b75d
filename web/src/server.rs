//! The running server: shared state, routes, start-up and orderly shutdown.

use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use commands::accounts::Accounts;
use commands::chat::Chat;
use commands::mailer::{InvitationMailer, Transport};
use commands::sites::Sites;
use deadpool_postgres::Pool;
use projections::{Checkpoints, Projection, ProjectionError, RebuildReport};
use store::{PgEventStore, Position};
use tokio::task::JoinSet;

use crate::chat::hub::Hub;
use crate::chat::presence::Presence;
use crate::chat::view::ReadModels;
use crate::cli::DataArgs;
use crate::database::Database;
use crate::{chat, health, pages};

pub struct Settings {
    /// Mark cookies Secure (set when served over HTTPS).
    pub secure_cookies: bool,
    /// Where users reach this server, for links in e-mails.
    pub public_url: String,
    pub mail: Arc<Transport>,
    /// How long a disconnected agent keeps their conversations before they are requeued.
    pub agent_grace: Duration,
}

impl Settings {
    /// From the environment: SWITCHBOARD_SECURE_COOKIES, SWITCHBOARD_PUBLIC_URL (default:
    /// the listening address), SWITCHBOARD_SMTP_URL and SWITCHBOARD_MAIL_FROM.
    pub fn from_env(listen: SocketAddr, data_dir: &std::path::Path) -> Result<Self, String> {
        let public_url = std::env::var("SWITCHBOARD_PUBLIC_URL").ok().filter(|u| !u.trim().is_empty()).unwrap_or_else(|| format!("http://{listen}"));
        Ok(Settings {
            secure_cookies: std::env::var("SWITCHBOARD_SECURE_COOKIES").is_ok_and(|v| v == "1" || v == "true"),
            public_url,
            mail: Arc::new(Transport::from_env(data_dir).map_err(|e| e.to_string())?),
            agent_grace: Duration::from_secs(std::env::var("SWITCHBOARD_AGENT_GRACE_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(60)),
        })
    }
}

pub struct Services {
    pub store: PgEventStore,
    pub pool: Pool,
    pub accounts: Accounts<PgEventStore>,
    pub sites: Sites<PgEventStore>,
    pub chat: Chat<PgEventStore, ReadModels>,
    pub hub: Hub,
    pub presence: Presence,
    pub checkpoints: Checkpoints,
    pub settings: Settings,
    /// For connections of their own (LISTEN).
    pub db_config: tokio_postgres::Config,
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
        let sites = Sites::new(store.clone());
        let checkpoints = Checkpoints::default();
        let chat = Chat::new(store.clone(), ReadModels { pool: pool.clone(), checkpoints: checkpoints.clone() });
        App(Arc::new(Services {
            store,
            pool,
            accounts,
            sites,
            chat,
            hub: Hub::default(),
            presence: Presence::default(),
            checkpoints,
            settings,
            db_config: config.clone(),
        }))
    }

    /// Runs the projections, the invitation mailer and housekeeping until the returned
    /// set is dropped.
    pub fn start_background(&self) -> JoinSet<()> {
        let mut set = JoinSet::new();
        let (store, pool, checkpoints) = (self.store.clone(), self.pool.clone(), self.checkpoints.clone());
        set.spawn(projections::run(store.clone(), pool.clone(), projections::users::Users, checkpoints.clone()));
        set.spawn(projections::run(store.clone(), pool.clone(), projections::licences::Licences, checkpoints.clone()));
        set.spawn(projections::run(store.clone(), pool.clone(), projections::audit::Audit, checkpoints.clone()));
        set.spawn(projections::run(store.clone(), pool.clone(), projections::sites::Sites, checkpoints.clone()));
        set.spawn(projections::run(store.clone(), pool.clone(), projections::chat::AgentLoad, checkpoints.clone()));
        set.spawn(projections::run(store.clone(), pool.clone(), projections::chat::Conversations, checkpoints.clone()));
        set.spawn(projections::run(store, pool.clone(), projections::outbox::InvitationOutbox, checkpoints));
        let mailer = InvitationMailer {
            accounts: self.accounts.clone(),
            pool,
            transport: self.settings.mail.clone(),
            public_url: self.settings.public_url.clone(),
        };
        set.spawn(mailer.run());
        let app = self.clone();
        set.spawn(async move { crate::import::mark_interrupted(&app).await });
        set.spawn(chat::hub::listen_typing(self.db_config.clone(), self.hub.clone()));
        set.spawn(Presence::heartbeat(self.clone()));
        set.spawn(Presence::sweep(self.clone()));
        set.spawn(chat::sweep_queues(self.clone()));
        let sites = chat::site_status::SiteWatch::default();
        set.spawn(sites.clone().run(self.pool.clone(), self.hub.clone()));
        let app = self.clone();
        set.spawn(async move {
            // Live only: sockets catch up on what they missed from the log themselves.
            let head = loop {
                match app.store.head().await {
                    Ok(head) => break head,
                    Err(_) => tokio::time::sleep(Duration::from_secs(1)).await,
                }
            };
            let settled = app.clone();
            let settle = move |position| {
                let app = settled.clone();
                async move {
                    for name in ["conversations", "agent-load"] {
                        let _ = app.read_your_writes(name, Some(position)).await;
                    }
                }
            };
            chat::hub::dispatch(app.store.clone(), app.pool.clone(), app.hub.clone(), sites, head, settle).await;
        });
        set
    }

    /// Serves the router on `listener` until `shutdown` completes.
    pub async fn serve(
        &self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        use axum::serve::ListenerExt;
        let service = self.router().into_make_service_with_connect_info::<SocketAddr>();
        // Chat frames are small: Nagle's algorithm would hold a frame written just after
        // another (an ack, then the message) until the client's delayed ACK, up to 40 ms.
        let listener = listener.tap_io(|stream| {
            if let Err(e) = stream.set_nodelay(true) {
                tracing::debug!(error = %e, "cannot set TCP_NODELAY");
            }
        });
        axum::serve(listener, service).with_graceful_shutdown(shutdown).await
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
        use pages::{advisors, import, invitation, login, sites, user, users};
        Router::new()
            .route("/", get(login::home))
            .route("/healthz", get(health::healthz))
            .route("/login", get(login::show).post(login::submit))
            .route("/logout", post(login::logout))
            .route("/account", get(login::account))
            .route("/invitation/{token}", get(invitation::show).post(invitation::accept))
            .route("/admin/users", get(users::list))
            .route("/admin/users/new", get(users::new_form).post(users::create))
            .route("/admin/users/import", get(import::upload_form).post(import::upload))
            .route("/admin/users/import/template.csv", get(import::template))
            .route("/admin/users/import/{id}", get(import::show))
            .route("/admin/users/import/{id}/confirm", post(import::confirm))
            .route("/admin/users/{id}", get(user::profile).post(user::save_profile))
            .route("/admin/users/{id}/settings", get(user::settings).post(user::save_settings))
            .route("/admin/users/{id}/history", get(user::history))
            .route("/admin/users/{id}/roles", post(users::toggle_role))
            .route("/admin/users/{id}/deactivate", post(user::deactivate))
            .route("/admin/users/{id}/reactivate", post(user::reactivate))
            .route("/admin/users/{id}/invitation", post(user::resend))
            .route("/admin/subscription", get(users::subscription))
            .route("/admin/sites", get(sites::list))
            .route("/admin/sites/new", get(sites::new_form).post(sites::create))
            .route("/admin/sites/{id}", get(sites::edit).post(sites::save_general))
            .route("/admin/sites/{id}/widget", post(sites::save_widget))
            .route("/admin/sites/{id}/weights", post(sites::save_weights))
            .route("/admin/sites/{id}/key", post(sites::rotate_key))
            .route("/admin/sites/{id}/delete", get(sites::delete_form).post(sites::delete))
            .route("/admin/sites/{id}/install", get(sites::install))
            .route("/admin/sites/{id}/test", get(sites::test_page))
            .route("/admin/sites/{id}/agents", get(advisors::show).post(advisors::save))
            .route("/console", get(chat::pages::console))
            .route("/console/ws", get(chat::agent::upgrade))
            .route("/supervisor", get(chat::pages::board))
            .route("/supervisor/ws", get(chat::supervisor::upgrade))
            .route("/history", get(chat::pages::history))
            .route("/history/{id}", get(chat::pages::transcript))
            .route("/widget/ws", get(chat::visitor::upgrade))
            .route("/widget.js", get(crate::widget::script))
            .route("/widget/config", get(crate::widget::config).options(crate::widget::preflight))
            .route("/static/app.css", get(stylesheet))
            .route("/static/{file}", get(static_file))
            .nest("/api/v1", crate::api::router())
            .layer(axum::extract::DefaultBodyLimit::max(8 * 1024 * 1024))
            .layer(tower_http::limit::RequestBodyLimitLayer::new(8 * 1024 * 1024))
            .layer(tower_http::trace::TraceLayer::new_for_http())
            .with_state(self.clone())
    }
}

async fn stylesheet() -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "text/css; charset=utf-8")], include_str!("../static/app.css"))
}

/// The small scripts of the administration pages, built into the binary.
async fn static_file(axum::extract::Path(file): axum::extract::Path<String>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let body = match file.as_str() {
        "copy.js" => include_str!("../static/copy.js"),
        "advisors.js" => include_str!("../static/advisors.js"),
        "test-module.js" => include_str!("../static/test-module.js"),
        "live.js" => include_str!("../static/live.js"),
        "console.js" => include_str!("../static/console.js"),
        "supervisor.js" => include_str!("../static/supervisor.js"),
        "console.css" => {
            return ([(axum::http::header::CONTENT_TYPE, "text/css; charset=utf-8")], include_str!("../static/console.css")).into_response()
        }
        _ => return crate::error::AppError::NotFound.into_response(),
    };
    ([(axum::http::header::CONTENT_TYPE, "text/javascript; charset=utf-8")], body).into_response()
}

pub async fn rebuild_projection(store: &PgEventStore, pool: &Pool, name: &str) -> Result<RebuildReport, ProjectionError> {
    match name {
        projections::users::Users::NAME => projections::rebuild(store, pool, &projections::users::Users).await,
        projections::licences::Licences::NAME => projections::rebuild(store, pool, &projections::licences::Licences).await,
        projections::audit::Audit::NAME => projections::rebuild(store, pool, &projections::audit::Audit).await,
        projections::sites::Sites::NAME => projections::rebuild(store, pool, &projections::sites::Sites).await,
        projections::chat::AgentLoad::NAME => projections::rebuild(store, pool, &projections::chat::AgentLoad).await,
        projections::chat::Conversations::NAME => projections::rebuild(store, pool, &projections::chat::Conversations).await,
        other => unreachable!("unknown projection {other} (checked by the CLI)"),
    }
}

/// `switchboard serve`: migrate, start projections, serve HTTP until SIGINT or SIGTERM.
pub async fn serve(listen: SocketAddr, data: DataArgs) -> Result<(), String> {
    let settings = Settings::from_env(listen, &data.data_dir)?;
    let db = Database::open(&data.data_dir).await?;
    let result = serve_with(&db, listen, settings, &data.data_dir).await;
    db.close().await;
    result
}

async fn serve_with(db: &Database, listen: SocketAddr, settings: Settings, data_dir: &std::path::Path) -> Result<(), String> {
    let applied = store::db::migrate(&db.config).await.map_err(|e| e.to_string())?;
    for m in &applied {
        tracing::info!(migration = %m, "applied");
    }
    tracing::info!(mail = %settings.mail.describe(), public_url = %settings.public_url, "settings");
    let app = App::new(&db.config, settings);
    let background = app.start_background();
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    let companies: i64 = match app.pool.get().await {
        Ok(client) => {
            client.query_one("SELECT count(*) FROM events WHERE event_type = 'CompanyRegistered'", &[]).await.map(|r| r.get(0)).unwrap_or(0)
        }
        Err(_) => 0,
    };
    println!("Switchboard is running at http://{address}/ (log in at http://{address}/login)");
    if companies == 0 {
        // The command must reach this server's database: the same data folder, or the same URL.
        let (note, data_flag) = match (db.is_embedded(), data_dir == std::path::Path::new(crate::cli::DEFAULT_DATA_DIR)) {
            (false, _) => (" (with the same DATABASE_URL)", String::new()),
            (true, true) => ("", String::new()),
            (true, false) => ("", format!(" --data-dir '{}'", data_dir.display())),
        };
        println!(
            "No company yet. Create the first one and its administrator{note}:\n  \
             echo 'a-long-password' | cargo run --release -- admin create{data_flag} --company 'Acme' --email admin@example.com --password-stdin"
        );
    }
    let served = app.serve(listener, shutdown_signal()).await;
    drop(background);
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
