//! Seats bought and in use per company: feeds the "all seats in use" banner.

use domain::{company, CompanyId, Event};
use serde::Serialize;
use store::RecordedEvent;

use crate::{params, Projection, ProjectionError, Writes};

pub struct Licences;

impl Projection for Licences {
    const NAME: &'static str = "licences";
    const TABLES: &'static [&'static str] = &["companies"];

    fn apply(&self, event: &RecordedEvent, decoded: &Event, writes: &mut Writes) -> Result<(), ProjectionError> {
        let Event::Company(e) = decoded else { return Ok(()) };
        let company_id = company::id_from_stream(&event.stream)?.0;
        match e {
            company::Event::CompanyRegistered { company_id, name, seats } => writes.push(
                "INSERT INTO companies (company_id, name, seats, registered_at) VALUES ($1, $2, $3, $4)",
                params![company_id.0, name.clone(), *seats as i32, event.occurred_at],
            ),
            company::Event::SeatsChanged { seats } => {
                writes.push("UPDATE companies SET seats = $2 WHERE company_id = $1", params![company_id, *seats as i32])
            }
            company::Event::MemberAdded { .. } | company::Event::MemberReactivated { .. } => {
                writes.push("UPDATE companies SET seats_in_use = seats_in_use + 1 WHERE company_id = $1", params![company_id])
            }
            company::Event::MemberDeactivated { .. } => {
                writes.push("UPDATE companies SET seats_in_use = seats_in_use - 1 WHERE company_id = $1", params![company_id])
            }
            company::Event::RoleGranted { .. } | company::Event::RoleRevoked { .. } => {}
        }
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
    let row = client.query_opt("SELECT name, seats, seats_in_use FROM companies WHERE company_id = $1", &[&company_id.0]).await?;
    Ok(row.map(|r| Licence { company_id, name: r.get(0), seats: r.get(1), seats_in_use: r.get(2) }))
}
