//! The company's subscription: the offer it pays for (seats and billing period), its orders,
//! payments and invoices. It lives in the company's stream (see `company`), because seats
//! bought are decided together with seats in use; this module holds its types and the
//! quote, which both the decider and the pages use so what is shown is what is charged.
//!
//! Rules, in the administrator's words:
//! - more seats mid-period: the prorated price of the added seats for the rest of the
//!   period is charged now, and the seats are usable at once;
//! - fewer seats: never below the seats in use; takes effect at the next renewal, no charge;
//! - monthly → annual: a new annual period starts today, less a credit for the unused part
//!   of the monthly period; annual → monthly: at the end of the annual period;
//! - a company that never paid (its seats were set by an operator) or whose renewal failed
//!   starts a period with the order, charged in full (from the day the failed renewal was
//!   due, so no paid-for time is skipped).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::billing::{prorated, BillingDetails, Line, LineKind, Period, Prices, Vat};

/// Seats and billing period: what an administrator orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    pub seats: u32,
    pub period: Period,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    pub period: Period,
    pub started_on: NaiveDate,
    pub renews_on: NaiveDate,
    /// The offer from the next renewal, when the administrator asked for fewer seats or
    /// for monthly payment during an annual period.
    pub pending: Option<Offer>,
    pub past_due: Option<PastDue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastDue {
    pub since: NaiveDate,
    pub reason: DeclineReason,
    pub attempts: u32,
    pub next_attempt_on: NaiveDate,
}

/// Why a card was refused, in terms a page can word plainly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", content = "detail", rename_all = "snake_case")]
pub enum DeclineReason {
    Declined,
    InsufficientFunds,
    Expired,
    IncorrectSecurityCode,
    IncorrectNumber,
    AuthenticationRequired,
}

impl DeclineReason {
    pub fn code(&self) -> &'static str {
        match self {
            DeclineReason::Declined => "card_declined",
            DeclineReason::InsufficientFunds => "insufficient_funds",
            DeclineReason::Expired => "expired_card",
            DeclineReason::IncorrectSecurityCode => "incorrect_cvc",
            DeclineReason::IncorrectNumber => "incorrect_number",
            DeclineReason::AuthenticationRequired => "authentication_required",
        }
    }
}

/// The card a payment was made with: never more than its brand, last four digits and expiry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    pub brand: String,
    pub last4: String,
    pub exp_month: u32,
    pub exp_year: i32,
}

/// The gateway's handle on a saved card (a Stripe payment method and customer, or the test
/// gateway's token): what a renewal charges. Not card data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentMethod {
    pub gateway: String,
    pub customer: Option<String>,
    pub id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderKind {
    /// An administrator changed the offer.
    Change,
    /// The period ended and the next one is charged.
    Renewal,
}

/// What the seller prints on invoices, frozen into each one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seller {
    pub name: String,
    pub address: String,
    pub country: String,
    pub vat_number: String,
}

impl Default for Seller {
    fn default() -> Self {
        Seller {
            name: "Switchboard SAS".into(),
            address: "10 rue de la Paix, 75002 Paris".into(),
            country: "FR".into(),
            vat_number: "FR40303265045".into(),
        }
    }
}

/// What an order charges now and what follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub lines: Vec<Line>,
    /// The sum of the lines, never below zero (a credit larger than the new period is lost,
    /// which the default prices never produce).
    pub net_cents: i64,
    /// Seats usable once the order is paid.
    pub seats_now: u32,
    /// The subscription once the order is paid.
    pub subscription: Subscription,
    /// What the next renewal will charge, before VAT.
    pub next_renewal: Renewal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Renewal {
    pub on: NaiveDate,
    pub offer: Offer,
    pub net_cents: i64,
}

/// An amount with its VAT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amount {
    pub net_cents: i64,
    pub vat: Vat,
    pub vat_cents: i64,
    pub total_cents: i64,
}

impl Amount {
    pub fn of(net_cents: i64, vat: Vat) -> Amount {
        let vat_cents = vat.amount_on(net_cents);
        Amount { net_cents, vat, vat_cents, total_cents: net_cents + vat_cents }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub order_id: Uuid,
    pub kind: OrderKind,
    pub placed_on: NaiveDate,
    pub offer: Offer,
    pub quote: Quote,
    pub currency: String,
    pub amount: Amount,
    pub billing: BillingDetails,
    pub payment_method: Option<PaymentMethod>,
    /// What may be shown of the card behind `payment_method`.
    pub card: Option<Card>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    /// 1, 2, 3… per company, without gaps.
    pub number: u32,
    pub order_id: Uuid,
    pub issued_on: NaiveDate,
    pub seller: Seller,
    pub buyer: BillingDetails,
    pub lines: Vec<Line>,
    pub currency: String,
    pub amount: Amount,
    pub payment_id: String,
    pub card: Card,
}

/// Why an offer cannot be ordered as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuoteError {
    NoSeats,
    BelowUsage { seats: u32, in_use: u32 },
    NothingToChange,
    RenewalDue,
}

/// What ordering `offer` on `today` costs, given the current subscription (none when the
/// company never paid), its seats and the seats in use.
pub fn quote(current: Option<&Subscription>, seats: u32, in_use: u32, offer: Offer, today: NaiveDate, prices: &Prices) -> Result<Quote, QuoteError> {
    if offer.seats == 0 {
        return Err(QuoteError::NoSeats);
    }
    if offer.seats < in_use {
        return Err(QuoteError::BelowUsage { seats: offer.seats, in_use });
    }
    let s = match current {
        None => return Ok(whole_period(offer, today, prices)),
        Some(s) if s.past_due.is_some() => return Ok(whole_period(offer, s.renews_on, prices)),
        Some(s) if today >= s.renews_on => return Err(QuoteError::RenewalDue),
        Some(s) => s,
    };
    if s.period == Period::Monthly && offer.period == Period::Annual {
        let new = whole_period(offer, today, prices);
        let credit = prorated(seats as i64 * prices.seat_price(Period::Monthly), s.started_on, s.renews_on, today);
        let mut lines = new.lines;
        if credit > 0 {
            lines.push(Line {
                description: LineKind::UnusedTimeCredit,
                seats,
                period: Period::Monthly,
                from: today,
                to: s.renews_on,
                cents: -credit,
            });
        }
        return Ok(completed(lines, offer.seats, new.subscription, prices));
    }
    // Same period, or annual → monthly (which waits for the end of the year): seats added
    // now are prorated on the current period; anything else waits.
    let mut lines = Vec::new();
    if offer.seats > seats {
        let added = offer.seats - seats;
        let cents = prorated(added as i64 * prices.seat_price(s.period), s.started_on, s.renews_on, today);
        lines.push(Line { description: LineKind::AddedSeats, seats: added, period: s.period, from: today, to: s.renews_on, cents });
    }
    let seats_now = offer.seats.max(seats);
    let pending = (offer != Offer { seats: seats_now, period: s.period }).then_some(offer);
    if seats_now == seats && pending == s.pending {
        return Err(QuoteError::NothingToChange);
    }
    Ok(completed(lines, seats_now, Subscription { pending, ..s.clone() }, prices))
}

/// The renewal of a period that has ended: the offer in force from `renews_on`, the pending
/// one applied (never fewer seats than are in use then).
pub fn renewal_quote(current: &Subscription, seats: u32, in_use: u32, prices: &Prices) -> Quote {
    let mut offer = current.pending.unwrap_or(Offer { seats, period: current.period });
    offer.seats = offer.seats.max(in_use).max(1);
    whole_period(offer, current.renews_on, prices)
}

/// `offer` for a whole period from `start`, charged in full.
fn whole_period(offer: Offer, start: NaiveDate, prices: &Prices) -> Quote {
    let end = offer.period.end_of(start);
    let cents = offer.seats as i64 * prices.seat_price(offer.period);
    let line = Line { description: LineKind::Seats, seats: offer.seats, period: offer.period, from: start, to: end, cents };
    let subscription = Subscription { period: offer.period, started_on: start, renews_on: end, pending: None, past_due: None };
    completed(vec![line], offer.seats, subscription, prices)
}

/// The quote of these lines: their sum, and what the next renewal charges.
fn completed(lines: Vec<Line>, seats_now: u32, subscription: Subscription, prices: &Prices) -> Quote {
    let next = subscription.pending.unwrap_or(Offer { seats: seats_now, period: subscription.period });
    let net_cents = lines.iter().map(|l| l.cents).sum::<i64>().max(0);
    Quote {
        lines,
        net_cents,
        seats_now,
        next_renewal: Renewal { on: subscription.renews_on, offer: next, net_cents: next.seats as i64 * prices.seat_price(next.period) },
        subscription,
    }
}

/// A renewal is retried daily after a failure, for as long as it fails; users are never
/// deactivated for it.
pub fn next_attempt(today: NaiveDate) -> NaiveDate {
    today.succ_opt().unwrap_or(today)
}

#[cfg(test)]
#[path = "subscription_tests.rs"]
mod tests;
