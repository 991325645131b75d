//! Canned responses as the console, the account page and the admin page read them: the
//! company's shared ones and each agent's own.

use chrono::{DateTime, Utc};
use domain::canned::{self, Owner};
use domain::{CannedResponseId, CompanyId, Event, UserId};
use serde::Serialize;
use store::RecordedEvent;
use tokio_postgres::GenericClient;

use crate::{params, Projection, ProjectionError, Writes};

pub struct CannedResponses;

impl Projection for CannedResponses {
    const NAME: &'static str = "canned-responses";
    const TABLES: &'static [&'static str] = &["canned_responses"];

    fn apply(&self, event: &RecordedEvent, decoded: &Event, writes: &mut Writes) -> Result<(), ProjectionError> {
        let Event::Canned(e) = decoded else { return Ok(()) };
        let company = canned::company_from_stream(&event.stream)?.0;
        let at = event.occurred_at;
        match e {
            canned::Event::CannedResponseAdded { response_id, owner, shortcut, text } => writes.push(
                "INSERT INTO canned_responses (response_id, company_id, agent_id, shortcut, text, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6)",
                params![response_id.0, company, owner.agent().map(|a| a.0), shortcut.clone(), text.clone(), at],
            ),
            canned::Event::CannedResponseChanged { response_id, shortcut, text, .. } => writes.push(
                "UPDATE canned_responses SET shortcut = $2, text = $3, updated_at = $4 WHERE response_id = $1",
                params![response_id.0, shortcut.clone(), text.clone(), at],
            ),
            canned::Event::CannedResponseRemoved { response_id, .. } => {
                writes.push("DELETE FROM canned_responses WHERE response_id = $1", params![response_id.0])
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CannedRow {
    pub response_id: CannedResponseId,
    pub owner: Owner,
    pub shortcut: String,
    pub text: String,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "response_id, agent_id, shortcut, text, updated_at";

fn to_row(r: &tokio_postgres::Row) -> CannedRow {
    let owner = match r.get::<_, Option<uuid::Uuid>>(1) {
        Some(agent) => Owner::Agent(UserId(agent)),
        None => Owner::Company,
    };
    CannedRow { response_id: CannedResponseId(r.get(0)), owner, shortcut: r.get(2), text: r.get(3), updated_at: r.get(4) }
}

/// The company's shared responses, by shortcut.
pub async fn shared(client: &impl GenericClient, company: CompanyId) -> Result<Vec<CannedRow>, tokio_postgres::Error> {
    let rows = client
        .query(
            &format!("SELECT {COLUMNS} FROM canned_responses WHERE company_id = $1 AND agent_id IS NULL ORDER BY shortcut, response_id"),
            &[&company.0],
        )
        .await?;
    Ok(rows.iter().map(to_row).collect())
}

/// One agent's own responses, by shortcut.
pub async fn own(client: &impl GenericClient, company: CompanyId, agent: UserId) -> Result<Vec<CannedRow>, tokio_postgres::Error> {
    let rows = client
        .query(
            &format!("SELECT {COLUMNS} FROM canned_responses WHERE company_id = $1 AND agent_id = $2 ORDER BY shortcut, response_id"),
            &[&company.0, &agent.0],
        )
        .await?;
    Ok(rows.iter().map(to_row).collect())
}

/// What an agent may insert: their own first, then the company's, each by shortcut.
pub async fn for_agent(client: &impl GenericClient, company: CompanyId, agent: UserId) -> Result<Vec<CannedRow>, tokio_postgres::Error> {
    let rows = client
        .query(
            &format!(
                "SELECT {COLUMNS} FROM canned_responses WHERE company_id = $1 AND (agent_id IS NULL OR agent_id = $2)
                 ORDER BY agent_id IS NULL, shortcut, response_id"
            ),
            &[&company.0, &agent.0],
        )
        .await?;
    Ok(rows.iter().map(to_row).collect())
}

/// One response of the company, whoever owns it.
pub async fn get(client: &impl GenericClient, company: CompanyId, id: CannedResponseId) -> Result<Option<CannedRow>, tokio_postgres::Error> {
    let row =
        client.query_opt(&format!("SELECT {COLUMNS} FROM canned_responses WHERE company_id = $1 AND response_id = $2"), &[&company.0, &id.0]).await?;
    Ok(row.as_ref().map(to_row))
}
