//! Seats bought and in use per company: feeds the "all seats in use" banner.

use deadpool_postgres::Transaction;
use domain::{company, CompanyId, Event};
use serde::Serialize;
use store::RecordedEvent;

use crate::{Projection, ProjectionError};

pub struct Licences;

impl Projection for Licences {
    const NAME: &'static str = "licences";
    const TABLES: &'static [&'static str] = &["companies"];

    async fn apply(&self, tx: &Transaction<'_>, event: &RecordedEvent, decoded: &Event) -> Result<(), ProjectionError> {
        let Event::Company(e) = decoded else { return Ok(()) };
        let company_id = event.company_id().map(|c| c.0).unwrap_or_default();
        let (sql, seats): (&str, Option<i32>) = match e {
            company::Event::CompanyRegistered { company_id, name, seats } => {
                tx.execute(
                    "INSERT INTO companies (company_id, name, seats, registered_at) VALUES ($1, $2, $3, $4)",
                    &[&company_id.0, name, &(*seats as i32), &event.occurred_at],
                )
                .await?;
                return Ok(());
            }
            company::Event::SeatsChanged { seats } => ("UPDATE companies SET seats = $2 WHERE company_id = $1", Some(*seats as i32)),
            company::Event::MemberAdded { .. } | company::Event::MemberReactivated { .. } => {
                ("UPDATE companies SET seats_in_use = seats_in_use + 1 WHERE company_id = $1", None)
            }
            company::Event::MemberDeactivated { .. } => ("UPDATE companies SET seats_in_use = seats_in_use - 1 WHERE company_id = $1", None),
            company::Event::RoleGranted { .. } | company::Event::RoleRevoked { .. } => return Ok(()),
        };
        match seats {
            Some(seats) => tx.execute(sql, &[&company_id, &seats]).await?,
            None => tx.execute(sql, &[&company_id]).await?,
        };
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Licence {
    pub company_id: CompanyId,
    pub name: String,
    pub seats: i32,
    pub seats_in_use: i32,
}

impl Licence {
    pub fn exhausted(&self) -> bool {
        self.seats_in_use >= self.seats
    }
}

pub async fn get(client: &impl tokio_postgres::GenericClient, company_id: CompanyId) -> Result<Option<Licence>, tokio_postgres::Error> {
    let row = client
        .query_opt("SELECT name, seats, seats_in_use FROM companies WHERE company_id = $1", &[&company_id.0])
        .await?;
    Ok(row.map(|r| Licence { company_id, name: r.get(0), seats: r.get(1), seats_in_use: r.get(2) }))
}
