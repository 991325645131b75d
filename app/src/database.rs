//! Which PostgreSQL to use: DATABASE_URL when set, otherwise the embedded cluster.

use std::path::Path;

use store::embedded::{Durability, EmbeddedPostgres};

pub struct Database {
    pub config: tokio_postgres::Config,
    embedded: Option<EmbeddedPostgres>,
}

impl Database {
    pub async fn open(data_dir: &Path) -> Result<Database, String> {
        match std::env::var("DATABASE_URL") {
            Ok(url) if !url.trim().is_empty() => {
                let config = store::db::config_from_url(url.trim()).map_err(|e| e.to_string())?;
                Ok(Database { config, embedded: None })
            }
            _ => {
                let cluster = EmbeddedPostgres::start(data_dir, Durability::Safe).await.map_err(|e| e.to_string())?;
                let mut config = cluster.config();
                store::db::with_guardrails(&mut config);
                tracing::info!(cluster = %cluster.cluster_dir().display(), "using the embedded PostgreSQL cluster");
                Ok(Database { config, embedded: Some(cluster) })
            }
        }
    }

    pub fn is_embedded(&self) -> bool {
        self.embedded.is_some()
    }

    /// Stops the embedded cluster unless another process still uses it.
    pub async fn close(self) {
        if let Some(cluster) = self.embedded {
            match tokio::task::spawn_blocking(move || cluster.stop()).await {
                Ok(Ok(true)) => tracing::info!("embedded PostgreSQL stopped"),
                Ok(Ok(false)) => tracing::info!("embedded PostgreSQL left running for another switchboard process"),
                Ok(Err(e)) => tracing::error!(error = %e, "could not stop the embedded PostgreSQL"),
                Err(e) => tracing::error!(error = %e, "could not stop the embedded PostgreSQL"),
            }
        }
    }
}
