//! `switchboard serve`: migrate, start the background work, serve HTTP until SIGINT or SIGTERM.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;

use app::database::Database;

use crate::{DataArgs, DEFAULT_DATA_DIR};

pub const DEFAULT_LISTEN: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 8080);

pub async fn serve(listen: SocketAddr, data: DataArgs) -> Result<(), String> {
    let settings = app::Settings::from_env(listen, &data.data_dir)?;
    let db = Database::open(&data.data_dir).await?;
    let result = serve_with(&db, listen, settings, &data.data_dir).await;
    db.close().await;
    result
}

async fn serve_with(db: &Database, listen: SocketAddr, settings: app::Settings, data_dir: &Path) -> Result<(), String> {
    let applied = store::db::migrate(&db.config).await.map_err(|e| e.to_string())?;
    for m in &applied {
        tracing::info!(migration = %m, "applied");
    }
    tracing::info!(mail = %settings.mail.describe(), public_url = %settings.public_url, "settings");
    let web = web::Web::new(app::App::new(&db.config, settings));
    let background = web.start_background();
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    println!("Switchboard is running at http://{address}/ (log in at http://{address}/login)");
    // `admin create` and others read it to say where to log in.
    let _serving = crate::address::Serving::record(data_dir, &format!("http://{address}"));
    if !web.has_companies().await.unwrap_or(true) {
        // The command must reach this server's database: the same data folder, or the same URL.
        let (note, data_flag) = match (db.is_embedded(), data_dir == Path::new(DEFAULT_DATA_DIR)) {
            (false, _) => (" (with the same DATABASE_URL)", String::new()),
            (true, true) => ("", String::new()),
            (true, false) => ("", format!(" --data-dir '{}'", data_dir.display())),
        };
        println!(
            "No company yet. Create the first one and its administrator{note}:\n  \
             echo 'a-long-password' | cargo run --release -- admin create{data_flag} --company 'Acme' --email admin@example.com --password-stdin"
        );
    }
    let served = web.serve(listener, shutdown_signal()).await;
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
