//! Seats bought and in use per company, the offer it pays for and its invoices: feeds the
//! "all seats in use" and "payment failed" banners, the renewal job and the invoice list.

use chrono::NaiveDate;
use domain::subscription::Invoice;
use domain::{company, CompanyId, Event};
use serde::Serialize;
use store::RecordedEvent;

use crate::{params, Projection, ProjectionError, Writes};

pub struct Licences;

impl Projection for Licences {
    const NAME: &'static str = "licences";
    const TABLES: &'static [&'static str] = &["companies", "invoices"];

    fn apply(&self, event: &RecordedEvent, decoded: &Event, writes: &mut Writes) -> Result<(), ProjectionError> {
        let Event::Company(e) = decoded else { return Ok(()) };
        let company_id = company::id_from_stream(&event.stream)?.0;
        match e {
            company::Event::CompanyRegistered { company_id, name, seats } => writes.push(
                "INSERT INTO companies (company_id, name, seats, registered_at) VALUES ($1, $2, $3, $4)",
                params![company_id.0, name.clone(), *seats as i32, event.occurred_at],
            ),
            company::Event::SeatsChanged { seats, .. } => {
                writes.push("UPDATE companies SET seats = $2 WHERE company_id = $1", params![company_id, *seats as i32])
            }
            company::Event::MemberAdded { .. } | company::Event::MemberReactivated { .. } => {
                writes.push("UPDATE companies SET seats_in_use = seats_in_use + 1 WHERE company_id = $1", params![company_id])
            }
            company::Event::MemberDeactivated { .. } => {
                writes.push("UPDATE companies SET seats_in_use = seats_in_use - 1 WHERE company_id = $1", params![company_id])
            }
            company::Event::OfferChanged { seats, subscription: s } => writes.push(
                "UPDATE companies SET seats = $2, billing_period = $3, renews_on = $4, past_due_since = NULL, next_attempt_on = NULL
                 WHERE company_id = $1",
                params![company_id, *seats as i32, s.period.as_str(), s.renews_on],
            ),
            company::Event::SubscriptionPastDue { past_due } => writes.push(
                "UPDATE companies SET past_due_since = $2, next_attempt_on = $3 WHERE company_id = $1",
                params![company_id, past_due.since, past_due.next_attempt_on],
            ),
            company::Event::InvoiceIssued { invoice } => writes.push(
                "INSERT INTO invoices (company_id, number, issued_on, total_cents, currency, invoice) VALUES ($1, $2, $3, $4, $5, $6)",
                params![
                    company_id,
                    invoice.number as i32,
                    invoice.issued_on,
                    invoice.amount.total_cents,
                    invoice.currency.clone(),
                    // The invoice as the log holds it, decoded again when shown.
                    event.payload.get("invoice").cloned().unwrap_or_default()
                ],
            ),
            company::Event::DefaultLanguageAndTimeZoneSet { defaults: d } => writes.push(
                "UPDATE companies SET language = $2, time_zone = $3 WHERE company_id = $1",
                params![company_id, d.language.clone(), d.time_zone.clone()],
            ),
            company::Event::RoleGranted { .. }
            | company::Event::RoleRevoked { .. }
            | company::Event::OrderPlaced { .. }
            | company::Event::PaymentSucceeded { .. }
            | company::Event::PaymentFailed { .. } => {}
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
    /// Since when a renewal has failed, if one has.
    pub past_due_since: Option<NaiveDate>,
}

impl Licence {
    pub fn exhausted(&self) -> bool {
        self.seats_in_use >= self.seats
    }
}

pub async fn get(client: &impl tokio_postgres::GenericClient, company_id: CompanyId) -> Result<Option<Licence>, tokio_postgres::Error> {
    let row = client.query_opt("SELECT name, seats, seats_in_use, past_due_since FROM companies WHERE company_id = $1", &[&company_id.0]).await?;
    Ok(row.map(|r| Licence { company_id, name: r.get(0), seats: r.get(1), seats_in_use: r.get(2), past_due_since: r.get(3) }))
}

/// A company whose subscription is due to be charged (or charged again after a failure).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueRenewal {
    pub company_id: CompanyId,
    pub renews_on: NaiveDate,
}

/// Companies whose renewal (or its next attempt) is due on `today`, oldest first.
pub async fn renewals_due(client: &impl tokio_postgres::GenericClient, today: NaiveDate) -> Result<Vec<DueRenewal>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT company_id, renews_on FROM companies
             WHERE renews_on IS NOT NULL AND coalesce(next_attempt_on, renews_on) <= $1
             ORDER BY coalesce(next_attempt_on, renews_on), company_id",
            &[&today],
        )
        .await?;
    Ok(rows.iter().map(|r| DueRenewal { company_id: CompanyId(r.get(0)), renews_on: r.get(1) }).collect())
}

/// A company as operators see it: seats, use and offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompanyOffer {
    pub licence: Licence,
    pub billing_period: Option<String>,
    pub renews_on: Option<NaiveDate>,
}

/// Every company, by name: what `switchboard admin companies` lists.
pub async fn all_companies(client: &impl tokio_postgres::GenericClient) -> Result<Vec<CompanyOffer>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT company_id, name, seats, seats_in_use, billing_period, renews_on, past_due_since FROM companies ORDER BY lower(name), company_id",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| CompanyOffer {
            licence: Licence { company_id: CompanyId(r.get(0)), name: r.get(1), seats: r.get(2), seats_in_use: r.get(3), past_due_since: r.get(6) },
            billing_period: r.get(4),
            renews_on: r.get(5),
        })
        .collect())
}

/// A summary row of the invoice list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvoiceSummary {
    pub number: u32,
    pub issued_on: NaiveDate,
    pub total_cents: i64,
    pub currency: String,
}

/// The company's invoices, newest first.
pub async fn invoices(client: &impl tokio_postgres::GenericClient, company_id: CompanyId) -> Result<Vec<InvoiceSummary>, tokio_postgres::Error> {
    let rows = client
        .query("SELECT number, issued_on, total_cents, currency FROM invoices WHERE company_id = $1 ORDER BY number DESC", &[&company_id.0])
        .await?;
    Ok(rows
        .iter()
        .map(|r| InvoiceSummary { number: r.get::<_, i32>(0) as u32, issued_on: r.get(1), total_cents: r.get(2), currency: r.get(3) })
        .collect())
}

/// One of the company's invoices; another company's number finds nothing. A stored invoice
/// that no longer decodes is reported, not hidden.
pub async fn invoice(
    client: &impl tokio_postgres::GenericClient,
    company_id: CompanyId,
    number: u32,
) -> Result<Option<Result<Invoice, String>>, tokio_postgres::Error> {
    let row = client.query_opt("SELECT invoice FROM invoices WHERE company_id = $1 AND number = $2", &[&company_id.0, &(number as i32)]).await?;
    Ok(row.map(|r| serde_json::from_value(r.get(0)).map_err(|e| format!("invoice {number} is unreadable: {e}"))))
}
