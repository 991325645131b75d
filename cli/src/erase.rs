//! `switchboard erase visitor ID`: an operator carries out a visitor's erasure request.

use clap::Subcommand;
use domain::{Actor, Metadata, VisitorId};
use projections::Registered;

use crate::{operators, with_database, DataArgs};

#[derive(Subcommand)]
pub enum EraseCommand {
    /// Erase a visitor's personal data (name, e-mail, pages, every message of their
    /// conversations): their keys are destroyed, the read models blanked, the log left as
    /// it is but unreadable for them. Cannot be undone.
    Visitor {
        /// The visitor's id (the history and `switchboard events --actor visitor:ID` show it).
        id: uuid::Uuid,
        #[command(flatten)]
        data: DataArgs,
    },
}

pub async fn erase(command: EraseCommand) -> Result<(), String> {
    let EraseCommand::Visitor { id, data } = command;
    let visitor = VisitorId(id);
    with_database(&data.clone(), |config| async move {
        let app = operators::app(&config, &data).await?;
        let company = app::chat::visitors::company_of(&app, visitor)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("no visitor {id}: no conversation, message or key of theirs is known"))?;
        // The erasure waits for the history to be blank: its projection runs here meanwhile
        // (alongside a running server's, which is fine).
        let runner = app.run_projection(Registered::Conversations);
        let metadata = Metadata::new(Some(company), Actor::System("cli".into()));
        let erased = app::chat::visitors::erase(&app, company, visitor, &metadata).await;
        runner.abort();
        let erased = erased.map_err(|e| e.to_string())?;
        println!("Erased visitor {id} of company {}: {} key(s) destroyed, {} conversation(s) blanked.", company.0, erased.keys, erased.conversations);
        Ok(())
    })
    .await
}
