//! Changing the offer and paying for it; renewals. Every step that charges is keyed by the
//! order's id, so a double click, a retry after a timeout or a second process charges once:
//!
//! 1. the card is saved at the gateway (a refusal is recorded against the order);
//! 2. `PlaceOrder` decides the amount from the company's state (the same order id again is
//!    the same order);
//! 3. the gateway charges the order's own payment method with the order id as idempotency
//!    key, and `RecordPayment` records the outcome: seats change only then.
//!
//! An order left unpaid by a crash or an unreachable gateway is finished by the next
//! checkout or renewal, with the same key.

use chrono::NaiveDate;
use domain::billing::BillingDetails;
use domain::company::{self, OrderOutcome, PaymentOutcome, PlaceOrder};
use domain::subscription::{Amount, Card, DeclineReason, Offer, Order, PaymentMethod, Quote};
use domain::{Actor, CompanyId, Metadata};
use payments::{CardField, Charge, GatewayError, PaymentGateway};
use projections::licences::{self, InvoiceSummary};
use projections::Registered;
use store::Position;
use uuid::Uuid;

use crate::auth::Session;
use crate::{App, Error, Result};

pub use payments::test_gateway::{TestCard, TEST_CARDS};

/// Everything the subscription page shows.
#[derive(Debug, Clone)]
pub struct Subscription {
    pub company_name: String,
    pub seats: u32,
    pub seats_in_use: u32,
    /// None while the company has never paid (its seats were set by an operator).
    pub current: Option<domain::subscription::Subscription>,
    pub card: Option<Card>,
    /// The last order's billing details, to fill the next order form.
    pub billing: Option<BillingDetails>,
    pub prices: domain::billing::Prices,
    pub card_field: CardField,
    pub invoices: Vec<InvoiceSummary>,
}

pub async fn subscription(app: &App, session: &Session) -> Result<Subscription> {
    let company_id = session.company_id();
    let state = app.accounts.company(company_id).await?;
    let invoices = invoices(app, session).await?;
    Ok(Subscription {
        company_name: state.name.clone(),
        seats: state.seats,
        seats_in_use: state.seats_in_use(),
        current: state.subscription.clone(),
        card: state.card_on_file.as_ref().map(|(card, _)| card.clone()),
        billing: state.billing.clone(),
        prices: app.settings.billing.prices.clone(),
        card_field: app.gateway.card_field(),
        invoices,
    })
}

/// One of the company's invoices, as issued.
pub async fn invoice(app: &App, session: &Session, number: u32) -> Result<domain::subscription::Invoice> {
    let client = app.pool().get().await?;
    match licences::invoice(&**client, session.company_id(), number).await? {
        Some(Ok(invoice)) => Ok(invoice),
        Some(Err(unreadable)) => Err(Error::Internal(unreadable)),
        None => Err(Error::NotFound),
    }
}

/// The company's invoices, newest first.
pub async fn invoices(app: &App, session: &Session) -> Result<Vec<InvoiceSummary>> {
    let client = app.pool().get().await?;
    Ok(licences::invoices(&**client, session.company_id()).await?)
}

/// What ordering `offer` today would charge: before VAT, or with it when the buyer is known.
pub async fn quote(app: &App, session: &Session, offer: Offer, buyer: Option<&BillingDetails>) -> Result<(Quote, Option<Amount>)> {
    let state = app.accounts.company(session.company_id()).await?;
    let prices = &app.settings.billing.prices;
    let quote = state.quote(offer, app.today(), prices).map_err(commands::Error::Company)?;
    let amount = buyer.map(|b| Amount::of(quote.net_cents, prices.vat_for(b)));
    Ok((quote, amount))
}

/// How the card reaches the server: a token from the gateway's card field (a Stripe
/// payment method), or a test card typed on the test gateway's form.
pub enum CardInput {
    Token(String),
    TestCard(TestCard),
    /// The order charges nothing (fewer seats, say).
    None,
}

pub struct Checkout {
    /// The idempotency key: the form's, or the API's `Idempotency-Key`.
    pub order_id: Uuid,
    pub offer: Offer,
    pub billing: BillingDetails,
    pub card: CardInput,
    /// The total the administrator was shown, if any: refused when it is no longer right.
    pub expected_total_cents: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckoutOutcome {
    /// Paid; the seats are usable and the invoice exists.
    Paid { invoice: Option<u32> },
    /// Nothing was due; the change is recorded (fewer seats wait for the renewal).
    Changed,
    /// The card was refused: the offer is as it was.
    Refused(DeclineReason),
}

pub async fn checkout(app: &App, session: &Session, checkout: Checkout) -> Result<CheckoutOutcome> {
    let company_id = session.company_id();
    let metadata = session.metadata();
    let billing = checkout.billing.clone().checked().map_err(details_error)?;
    let mut state = app.accounts.company(company_id).await?;
    if state.subscription.as_ref().is_some_and(|s| s.past_due.is_none() && app.today() >= s.renews_on) {
        // The period ended and the job has not renewed it yet: renew first, then change.
        renew_one(app, company_id, app.today(), &billing_metadata(company_id)).await?;
        state = app.accounts.company(company_id).await?;
    }
    if state.orders.contains_key(&checkout.order_id) {
        // The same order again (a double click, a retry): refused if it asks for another offer.
        place(app, &metadata, &checkout, billing, None, company_id).await?;
    } else {
        let (_, amount) = quote(app, session, checkout.offer, Some(&billing)).await?;
        let card = if amount.is_some_and(|a| a.total_cents > 0) {
            match save_card(app, company_id, &billing, &checkout.card, &state).await? {
                Saved::Card(saved) => Some(saved),
                Saved::NotACard(reason) => return Ok(CheckoutOutcome::Refused(reason)),
                Saved::Refused(reason, attempted) => {
                    // Recorded, so the audit log shows the refused attempt.
                    if place(app, &metadata, &checkout, billing, Some((attempted, None)), company_id).await?.is_some() {
                        record(app, company_id, checkout.order_id, PaymentOutcome::Failed(reason.clone()), &metadata, app.today()).await?;
                    }
                    return Ok(CheckoutOutcome::Refused(reason));
                }
            }
        } else {
            None
        };
        place(app, &metadata, &checkout, billing, card.map(|s| (s.method, Some(s.card))), company_id).await?;
    }
    let position = settle(app, company_id, checkout.order_id, &metadata, app.today()).await?;
    read_your_writes(app, position).await?;
    let state = app.accounts.company(company_id).await?;
    let status = state.orders.get(&checkout.order_id).ok_or_else(|| Error::Internal("the order is not in the company's stream".into()))?;
    Ok(match &status.outcome {
        Some(OrderOutcome::Paid { .. }) => CheckoutOutcome::Paid { invoice: status.invoice },
        Some(OrderOutcome::NothingCharged) => CheckoutOutcome::Changed,
        Some(OrderOutcome::Refused(reason)) => CheckoutOutcome::Refused(reason.clone()),
        None => return Err(unavailable(locale::t!("billing-provider-unconfirmed"))),
    })
}

fn details_error(e: domain::billing::DetailsError) -> Error {
    use domain::billing::DetailsError as D;
    let field = match &e {
        D::Missing("billing name") => "billing_name",
        D::Missing("company") => "billing_company",
        D::Missing("address") => "billing_address",
        D::Missing(_) | D::Email(_) => "billing_email",
        D::Country(_) => "billing_country",
        D::VatNumber(..) => "vat_number",
    };
    Error::invalid(field, details_message(&e))
}

/// What is wrong with billing details, in the reader's language.
pub fn details_message(e: &domain::billing::DetailsError) -> String {
    use domain::billing::DetailsError as D;
    match e {
        D::Missing("billing name") => locale::t!("billing-missing-name"),
        D::Missing("company") => locale::t!("billing-missing-company"),
        D::Missing("address") => locale::t!("billing-missing-address"),
        D::Missing("e-mail for invoices") => locale::t!("billing-missing-email"),
        D::Missing(_) => e.to_string(),
        D::Country(value) => locale::t!("billing-bad-country", value = value),
        D::VatNumber(value, country, shape) => locale::t!("billing-bad-vat-number", value = value, country = country, shape = *shape),
        D::Email(value) => locale::t!("billing-bad-email", value = value),
    }
}

/// The payment provider did not answer: `message` says so, and what to do.
fn unavailable(message: String) -> Error {
    Error::Refused { code: "payment_unavailable", message }
}

enum Saved {
    Card(payments::SavedCard),
    /// Refused by the gateway: recorded with the order it was for.
    Refused(DeclineReason, PaymentMethod),
    /// The test card's number, expiry or code is wrong: caught before anything is saved, as
    /// Stripe's card field catches it in the browser.
    NotACard(DeclineReason),
}

/// Saves the card for the company at the gateway, reusing the company's customer there.
async fn save_card(app: &App, company_id: CompanyId, billing: &BillingDetails, card: &CardInput, state: &company::State) -> Result<Saved> {
    let token = match card {
        CardInput::Token(t) if !t.trim().is_empty() => t.trim().to_owned(),
        CardInput::TestCard(card) => {
            let Some(test) = app.gateway.test_gateway() else {
                return Err(Error::invalid("payment_token", locale::t!("billing-stripe-card-field")));
            };
            match test.tokenize(card, app.today()).await {
                Ok(token) => token,
                Err(GatewayError::Declined(reason)) => return Ok(Saved::NotACard(reason)),
                Err(e) => return Err(gateway_error(e)),
            }
        }
        _ => return Err(commands::Error::Company(company::Error::CardMissing).into()),
    };
    let customer = state.card_on_file.as_ref().map(|(_, m)| m).filter(|m| m.gateway == app.gateway.name()).and_then(|m| m.customer.clone());
    match app.gateway.save_card(company_id, &billing.email, &token, customer.as_deref()).await {
        Ok(saved) => Ok(Saved::Card(saved)),
        Err(GatewayError::Declined(reason)) => Ok(Saved::Refused(reason, PaymentMethod { gateway: app.gateway.name().into(), customer, id: token })),
        Err(e) => Err(gateway_error(e)),
    }
}

fn gateway_error(e: GatewayError) -> Error {
    match e {
        GatewayError::Declined(reason) => Error::Refused { code: "card_refused", message: reason.code().into() },
        GatewayError::Invalid(m) => Error::invalid("payment_token", m),
        GatewayError::Unavailable(m) => {
            tracing::warn!(error = %m, "payment gateway unavailable");
            unavailable(locale::t!("billing-provider-unreachable"))
        }
    }
}

/// Places the order (the same id again is the same order). An order another request left
/// unpaid is finished first. Returns the position when something was appended.
async fn place(
    app: &App,
    metadata: &Metadata,
    checkout: &Checkout,
    billing: BillingDetails,
    card: Option<(PaymentMethod, Option<Card>)>,
    company_id: CompanyId,
) -> Result<Option<Position>> {
    let (payment_method, card) = card.map_or((None, None), |(m, c)| (Some(m), c));
    let command = || {
        company::Command::PlaceOrder(Box::new(PlaceOrder {
            order_id: checkout.order_id,
            offer: checkout.offer,
            today: app.today(),
            prices: app.settings.billing.prices.clone(),
            billing: billing.clone(),
            payment_method: payment_method.clone(),
            card: card.clone(),
            expected_total_cents: checkout.expected_total_cents,
        }))
    };
    match app.accounts.change_membership(company_id, command(), metadata).await {
        Ok(outcome) => Ok(outcome.position),
        Err(commands::Error::Company(company::Error::OrderInProgress { order_id })) => {
            settle(app, company_id, order_id, metadata, app.today()).await?;
            Ok(app.accounts.change_membership(company_id, command(), metadata).await?.position)
        }
        Err(e) => Err(e.into()),
    }
}

/// Charges an order placed and not yet paid, and records the outcome. Nothing to do for an
/// order already settled.
async fn settle(app: &App, company_id: CompanyId, order_id: Uuid, metadata: &Metadata, today: NaiveDate) -> Result<Option<Position>> {
    let state = app.accounts.company(company_id).await?;
    let Some(status) = state.orders.get(&order_id) else { return Ok(None) };
    if status.outcome.is_some() {
        return Ok(None);
    }
    let order: &Order = &status.order;
    let Some(method) = &order.payment_method else { return Err(Error::Internal(format!("order {order_id} has nothing to charge"))) };
    let charge = Charge {
        idempotency_key: order_id,
        company_id,
        method,
        amount_cents: order.amount.total_cents,
        currency: &order.currency,
        description: format!("Switchboard: {} seats, {}", order.offer.seats, order.offer.period.as_str()),
    };
    let outcome = match app.gateway.charge(&charge).await {
        Ok(charged) => PaymentOutcome::Succeeded { payment_id: charged.payment_id },
        Err(GatewayError::Declined(reason)) => PaymentOutcome::Failed(reason),
        Err(e) => return Err(gateway_error(e)),
    };
    record(app, company_id, order_id, outcome, metadata, today).await
}

async fn record(
    app: &App,
    company_id: CompanyId,
    order_id: Uuid,
    outcome: PaymentOutcome,
    metadata: &Metadata,
    today: NaiveDate,
) -> Result<Option<Position>> {
    let seller = app.settings.billing.seller.clone();
    let command = company::Command::RecordPayment { order_id, outcome, today, seller };
    Ok(app.accounts.change_membership(company_id, command, metadata).await?.position)
}

async fn read_your_writes(app: &App, position: Option<Position>) -> Result<()> {
    // A repeated request appends nothing but must see what its twin appended.
    let position = Some(match position {
        Some(p) => p,
        None => app.events().newest().await.map_err(commands::Error::from)?,
    });
    for projection in [Registered::Licences, Registered::Audit] {
        app.read_your_writes(projection, position).await?;
    }
    Ok(())
}

/// Every company with its seats and offer, for operators.
pub async fn all_companies(app: &App) -> Result<Vec<licences::CompanyOffer>> {
    let client = app.pool().get().await?;
    Ok(licences::all_companies(&**client).await?)
}

/// Seats set by an operator, without a payment (never below the seats in use).
pub async fn set_seats(app: &App, company_id: CompanyId, seats: u32, metadata: &Metadata) -> Result<()> {
    let outcome = app.accounts.change_membership(company_id, company::Command::ChangeSeats { seats }, metadata).await?;
    app.read_your_writes(Registered::Licences, outcome.position).await?;
    Ok(())
}

/// What a renewal run did for one company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Renewed {
    Paid { company_id: CompanyId, invoice: u32 },
    Refused { company_id: CompanyId, reason: DeclineReason },
    Failed { company_id: CompanyId, error: String },
}

/// Charges every subscription whose period ended by `today` (or whose failed renewal is due
/// again). One company's failure does not stop the others.
pub async fn renew_due(app: &App, today: NaiveDate) -> Result<Vec<Renewed>> {
    let due = {
        let client = app.pool().get().await?;
        licences::renewals_due(&**client, today).await?
    };
    let mut report = Vec::new();
    for renewal in due {
        let company_id = renewal.company_id;
        let metadata = billing_metadata(company_id);
        let result = match renew_one(app, company_id, today, &metadata).await {
            Ok(order_id) => app.accounts.company(company_id).await.map(|state| (order_id, state)).map_err(Error::from),
            Err(e) => Err(e),
        };
        report.push(match result {
            Err(e) => {
                tracing::warn!(company_id = %company_id.0, error = %e, "renewal failed");
                Renewed::Failed { company_id, error: e.to_string() }
            }
            Ok((order_id, state)) => match state.orders.get(&order_id).map(|o| (&o.outcome, o.invoice)) {
                Some((Some(OrderOutcome::Refused(reason)), _)) => Renewed::Refused { company_id, reason: reason.clone() },
                Some((_, Some(invoice))) => Renewed::Paid { company_id, invoice },
                _ => Renewed::Failed { company_id, error: "the renewal was not charged".into() },
            },
        });
    }
    Ok(report)
}

/// What the billing process itself does to a company (renewals).
fn billing_metadata(company_id: CompanyId) -> Metadata {
    Metadata::new(Some(company_id), Actor::System("billing".into()))
}

/// The renewal job: every few minutes, charges what is due today. Several processes may run
/// it; the company stream's version and the order's idempotency key keep it to one charge.
pub async fn renewals(app: App) {
    loop {
        if let Err(e) = renew_due(&app, app.today()).await {
            tracing::warn!(error = %e, "renewal run failed; trying again later");
        }
        tokio::time::sleep(std::time::Duration::from_secs(300)).await;
    }
}

async fn renew_one(app: &App, company_id: CompanyId, today: NaiveDate, metadata: &Metadata) -> Result<Uuid> {
    let order_id = Uuid::now_v7();
    let prices = app.settings.billing.prices.clone();
    let command = || company::Command::RenewSubscription { order_id, today, prices: prices.clone() };
    let outcome = match app.accounts.change_membership(company_id, command(), metadata).await {
        Err(commands::Error::Company(company::Error::OrderInProgress { order_id: stuck })) => {
            settle(app, company_id, stuck, metadata, today).await?;
            app.accounts.change_membership(company_id, command(), metadata).await?
        }
        other => other?,
    };
    let position = settle(app, company_id, order_id, metadata, today).await?.or(outcome.position);
    app.read_your_writes(Registered::Licences, position).await?;
    Ok(order_id)
}

impl App {
    /// Billing's today.
    pub fn today(&self) -> NaiveDate {
        self.settings.billing.clock.today()
    }
}
