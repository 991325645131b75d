//! `switchboard parked list` and `parked retry`: the events projections could not apply.

use clap::Subcommand;
use projections::Registered;

use crate::{with_database, DataArgs};

#[derive(Subcommand)]
pub enum ParkedCommand {
    /// List the parked events: projection, position, stream, type and why.
    List {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Apply the parked events again, each stream in log order (after an upcaster or a code
    /// fix); what still fails stays parked.
    Retry {
        /// Which projections; every one with parked events when omitted.
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(Registered::ALL.iter().map(|p| p.name())))]
        projections: Vec<String>,
        #[command(flatten)]
        data: DataArgs,
    },
}

pub async fn parked(command: ParkedCommand) -> Result<(), String> {
    match command {
        ParkedCommand::List { data } => list(data).await,
        ParkedCommand::Retry { projections, data } => retry(projections, data).await,
    }
}

async fn list(data: DataArgs) -> Result<(), String> {
    with_database(&data, |config| async move {
        let pool = store::db::pool(&config, 1);
        let client = pool.get().await.map_err(|e| e.to_string())?;
        let parked = projections::parked::list(&**client).await.map_err(|e| store::describe(&e))?;
        if parked.is_empty() {
            println!("No event is parked: every projection applied everything it read.");
            return Ok(());
        }
        println!("{:<14}  {:<14}  {:<49}  {:<22}  error", "projection", "position", "stream", "type");
        for p in &parked {
            println!("{:<14}  {:<14}  {:<49}  {:<22}  {}", p.projection, p.position.to_string(), p.stream, p.event_type, p.error);
        }
        println!("{} parked; `switchboard parked retry` applies them again once they can be read", parked.len());
        Ok(())
    })
    .await
}

async fn retry(names: Vec<String>, data: DataArgs) -> Result<(), String> {
    with_database(&data, |config| async move {
        let pool = store::db::pool(&config, 2);
        let store = store::PgEventStore::new(pool.clone(), config);
        let keyring = store::Keyring::new(pool.clone());
        let counts = {
            let client = pool.get().await.map_err(|e| e.to_string())?;
            projections::parked::counts(&**client).await.map_err(|e| store::describe(&e))?
        };
        let chosen: Vec<Registered> = Registered::ALL
            .iter()
            .copied()
            .filter(|p| if names.is_empty() { counts.iter().any(|(n, _)| n == p.name()) } else { names.iter().any(|n| n == p.name()) })
            .collect();
        let mut left = 0;
        for projection in chosen {
            let done = projection.retry_parked(&store, &pool, &keyring).await.map_err(|e| format!("cannot retry {}: {e}", projection.name()))?;
            println!("{}: {} applied, {} still parked", projection.name(), done.applied, done.still_parked);
            left += done.still_parked;
        }
        store.close();
        if left > 0 {
            return Err(format!("{left} events are still parked: `switchboard parked list` says why"));
        }
        Ok(())
    })
    .await
}
