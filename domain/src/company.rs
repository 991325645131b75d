//! The company: its name, the seats (licences) it bought, its members with their roles, and
//! its subscription (offer, orders, payments, invoices; types and quote in `subscription`).
//!
//! Membership lives here rather than in each user's stream because the scarce things —
//! seats and "at least one active administrator" — are decided by this stream's version:
//! two administrators racing for the last seat append with the same expected version and
//! only one wins.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use chrono::NaiveDate;
use uuid::Uuid;

use crate::billing::{BillingDetails, Prices};
use crate::codec::EventPayload;
use crate::ids::{CompanyId, UserId};
use crate::preferences::Preferences;
use crate::subscription::{
    self, Amount, Card, DeclineReason, Invoice, Offer, Order, OrderKind, PastDue, PaymentMethod, Quote, QuoteError, Seller, Subscription,
};
use crate::Decider;

pub fn stream(id: CompanyId) -> String {
    format!("{}-{id}", Event::CATEGORY)
}

/// The id of the company whose stream this is.
pub fn id_from_stream(stream: &str) -> Result<CompanyId, crate::ids::StreamNameError> {
    crate::ids::id_in_stream(Event::CATEGORY, stream)
}

/// What a member may do. Only Agent and Supervisor matter for chat; Expert is kept for
/// other products and has no effect on chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    Agent,
    Supervisor,
    Administrator,
    Expert,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Agent, Role::Supervisor, Role::Administrator, Role::Expert];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "Agent",
            Role::Supervisor => "Supervisor",
            Role::Administrator => "Administrator",
            Role::Expert => "Expert",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown role \"{}\" (expected Agent, Supervisor, Administrator or Expert)", s.trim()))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Event {
    CompanyRegistered {
        company_id: CompanyId,
        name: String,
        seats: u32,
    },
    /// Seats set without a payment (by an operator). Schema 2 added `previous`, which schema
    /// 1 did not record: its events are read with `previous: None` (see `upcast`).
    SeatsChanged {
        seats: u32,
        // Required from schema 2 on: an absent field is a malformed event, not a silent None.
        #[serde(deserialize_with = "Option::deserialize")]
        previous: Option<u32>,
    },
    MemberAdded {
        user_id: UserId,
        roles: Vec<Role>,
    },
    RoleGranted {
        user_id: UserId,
        role: Role,
    },
    RoleRevoked {
        user_id: UserId,
        role: Role,
    },
    MemberDeactivated {
        user_id: UserId,
    },
    MemberReactivated {
        user_id: UserId,
    },
    /// An order is placed: what it charges is decided; nothing changes until it is paid.
    OrderPlaced {
        order: Box<Order>,
    },
    PaymentSucceeded {
        order_id: Uuid,
        payment_id: String,
        total_cents: i64,
        card: Card,
    },
    PaymentFailed {
        order_id: Uuid,
        reason: DeclineReason,
    },
    /// The offer in force: seats usable now and the subscription's period and renewal.
    OfferChanged {
        seats: u32,
        subscription: Subscription,
    },
    InvoiceIssued {
        invoice: Box<Invoice>,
    },
    /// A renewal could not be charged: administrators see it, it is retried, nobody loses
    /// access.
    SubscriptionPastDue {
        past_due: PastDue,
    },
    /// The language and time zone the company's users read in unless they choose their own.
    DefaultLanguageAndTimeZoneSet {
        defaults: Preferences,
    },
}

impl EventPayload for Event {
    const CATEGORY: &'static str = "company";

    fn current_schema(event_type: &str) -> u32 {
        match event_type {
            "SeatsChanged" => 2,
            _ => 1,
        }
    }

    fn upcast(event_type: &str, schema: u32, mut payload: serde_json::Value) -> Result<serde_json::Value, crate::DecodeError> {
        match (event_type, schema, payload.as_object_mut()) {
            // Schema 1 did not say how many seats there were before: unknown, not zero.
            ("SeatsChanged", 1, Some(fields)) => {
                fields.entry("previous").or_insert(serde_json::Value::Null);
                Ok(payload)
            }
            _ => Err(crate::DecodeError::UnsupportedSchema { event_type: event_type.to_owned(), schema }),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    RegisterCompany {
        company_id: CompanyId,
        name: String,
        seats: u32,
    },
    ChangeSeats {
        seats: u32,
    },
    AddMember {
        user_id: UserId,
        roles: BTreeSet<Role>,
    },
    GrantRole {
        user_id: UserId,
        role: Role,
    },
    RevokeRole {
        user_id: UserId,
        role: Role,
    },
    DeactivateMember {
        user_id: UserId,
    },
    ReactivateMember {
        user_id: UserId,
    },
    /// `order_id` is the idempotency key: placing the same order again changes nothing.
    PlaceOrder(Box<PlaceOrder>),
    RecordPayment {
        order_id: Uuid,
        outcome: PaymentOutcome,
        today: NaiveDate,
        seller: Seller,
    },
    RenewSubscription {
        order_id: Uuid,
        today: NaiveDate,
        prices: Prices,
    },
    SetDefaultLanguageAndTimeZone {
        defaults: Preferences,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlaceOrder {
    pub order_id: Uuid,
    pub offer: Offer,
    pub today: NaiveDate,
    pub prices: Prices,
    /// Already checked (`BillingDetails::checked`).
    pub billing: BillingDetails,
    pub payment_method: Option<PaymentMethod>,
    pub card: Option<Card>,
    /// The total the administrator saw; the order is refused if it is no longer the price.
    pub expected_total_cents: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PaymentOutcome {
    Succeeded { payment_id: String },
    Failed(DeclineReason),
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    #[error("the company does not exist")]
    NotRegistered,
    #[error("the company already exists")]
    AlreadyRegistered,
    #[error("the company name must not be empty")]
    NameMissing,
    #[error("a company needs at least one seat")]
    NoSeats,
    #[error("all {seats} seats are in use: deactivate a user or buy more seats")]
    SeatsExhausted { seats: u32 },
    #[error("{in_use} seats are in use, more than the {seats} asked for: deactivate users first")]
    SeatsBelowUsage { seats: u32, in_use: u32 },
    #[error("this user is not a member of the company")]
    NotAMember,
    #[error("this user is already a member of the company")]
    AlreadyAMember,
    #[error("the company must keep at least one active administrator")]
    LastAdministrator,
    #[error("this order changes nothing: it is the offer in force")]
    NothingToChange,
    #[error("the subscription is being renewed: try again in a minute")]
    RenewalDue,
    #[error("another order is being paid: wait for it to finish")]
    OrderInProgress { order_id: Uuid },
    #[error("this order number was already used for another order")]
    OrderIdReused,
    #[error("the amount is now {actual} cents, not the {expected} shown: check the new amount and validate again")]
    AmountChanged { expected: i64, actual: i64 },
    #[error("a card is needed to pay this order")]
    CardMissing,
    #[error("there is no such order")]
    UnknownOrder,
    #[error("no card is on file to renew the subscription")]
    NoCardOnFile,
}

impl From<QuoteError> for Error {
    fn from(e: QuoteError) -> Self {
        match e {
            QuoteError::NoSeats => Error::NoSeats,
            QuoteError::BelowUsage { seats, in_use } => Error::SeatsBelowUsage { seats, in_use },
            QuoteError::NothingToChange => Error::NothingToChange,
            QuoteError::RenewalDue => Error::RenewalDue,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub roles: BTreeSet<Role>,
    pub active: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub company_id: Option<CompanyId>,
    pub name: String,
    pub seats: u32,
    pub members: HashMap<UserId, Member>,
    /// None until the company first pays: its seats were set by an operator.
    pub subscription: Option<Subscription>,
    pub billing: Option<BillingDetails>,
    pub card_on_file: Option<(Card, PaymentMethod)>,
    pub orders: HashMap<Uuid, OrderStatus>,
    pub invoices_issued: u32,
    pub defaults: Preferences,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderStatus {
    pub order: Order,
    /// None while the order waits for its payment.
    pub outcome: Option<OrderOutcome>,
    pub invoice: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderOutcome {
    Paid {
        payment_id: String,
    },
    Refused(DeclineReason),
    /// Nothing was due (fewer seats, say): the change is made without a payment.
    NothingCharged,
}

impl State {
    /// Every active or invited member holds a seat; a deactivated one frees it.
    pub fn seats_in_use(&self) -> u32 {
        self.members.values().filter(|m| m.active).count() as u32
    }

    fn active_administrators(&self) -> usize {
        self.members.values().filter(|m| m.active && m.roles.contains(&Role::Administrator)).count()
    }

    fn is_last_active_administrator(&self, user_id: UserId) -> bool {
        let is_admin = self.members.get(&user_id).is_some_and(|m| m.active && m.roles.contains(&Role::Administrator));
        is_admin && self.active_administrators() == 1
    }

    fn member(&self, user_id: UserId) -> Result<&Member, Error> {
        self.members.get(&user_id).ok_or(Error::NotAMember)
    }

    /// What ordering `offer` today costs, before VAT.
    pub fn quote(&self, offer: Offer, today: NaiveDate, prices: &Prices) -> Result<Quote, Error> {
        Ok(subscription::quote(self.subscription.as_ref(), self.seats, self.seats_in_use(), offer, today, prices)?)
    }

    /// The order placed and not yet paid or refused, if any.
    pub fn order_in_progress(&self) -> Option<&Order> {
        self.orders.values().find(|o| o.outcome.is_none()).map(|o| &o.order)
    }

    fn seat_free(&self) -> Result<(), Error> {
        if self.seats_in_use() >= self.seats {
            Err(Error::SeatsExhausted { seats: self.seats })
        } else {
            Ok(())
        }
    }
}

pub struct Company;

impl Decider for Company {
    type State = State;
    type Command = Command;
    type Event = Event;
    type Error = Error;

    fn decide(state: &State, command: &Command) -> Result<Vec<Event>, Error> {
        if !matches!(command, Command::RegisterCompany { .. }) && state.company_id.is_none() {
            return Err(Error::NotRegistered);
        }
        match command {
            Command::RegisterCompany { company_id, name, seats } => {
                if state.company_id.is_some() {
                    return Err(Error::AlreadyRegistered);
                }
                let name = name.trim();
                if name.is_empty() {
                    return Err(Error::NameMissing);
                }
                if *seats == 0 {
                    return Err(Error::NoSeats);
                }
                Ok(vec![Event::CompanyRegistered { company_id: *company_id, name: name.to_owned(), seats: *seats }])
            }
            Command::ChangeSeats { seats } => {
                let in_use = state.seats_in_use();
                if *seats == 0 {
                    Err(Error::NoSeats)
                } else if *seats < in_use {
                    Err(Error::SeatsBelowUsage { seats: *seats, in_use })
                } else if *seats == state.seats {
                    Ok(vec![])
                } else {
                    Ok(vec![Event::SeatsChanged { seats: *seats, previous: Some(state.seats) }])
                }
            }
            Command::AddMember { user_id, roles } => {
                if state.members.contains_key(user_id) {
                    return Err(Error::AlreadyAMember);
                }
                state.seat_free()?;
                Ok(vec![Event::MemberAdded { user_id: *user_id, roles: roles.iter().copied().collect() }])
            }
            Command::GrantRole { user_id, role } => {
                let member = state.member(*user_id)?;
                Ok(if member.roles.contains(role) { vec![] } else { vec![Event::RoleGranted { user_id: *user_id, role: *role }] })
            }
            Command::RevokeRole { user_id, role } => {
                let member = state.member(*user_id)?;
                if !member.roles.contains(role) {
                    return Ok(vec![]);
                }
                if *role == Role::Administrator && state.is_last_active_administrator(*user_id) {
                    return Err(Error::LastAdministrator);
                }
                Ok(vec![Event::RoleRevoked { user_id: *user_id, role: *role }])
            }
            Command::DeactivateMember { user_id } => {
                let member = state.member(*user_id)?;
                if !member.active {
                    return Ok(vec![]);
                }
                if state.is_last_active_administrator(*user_id) {
                    return Err(Error::LastAdministrator);
                }
                Ok(vec![Event::MemberDeactivated { user_id: *user_id }])
            }
            Command::ReactivateMember { user_id } => {
                if state.member(*user_id)?.active {
                    return Ok(vec![]);
                }
                state.seat_free()?;
                Ok(vec![Event::MemberReactivated { user_id: *user_id }])
            }
            Command::PlaceOrder(order) => place_order(state, order),
            Command::RecordPayment { order_id, outcome, today, seller } => record_payment(state, *order_id, outcome, *today, seller),
            Command::RenewSubscription { order_id, today, prices } => renew(state, *order_id, *today, prices),
            Command::SetDefaultLanguageAndTimeZone { defaults } => {
                Ok(if *defaults == state.defaults { vec![] } else { vec![Event::DefaultLanguageAndTimeZoneSet { defaults: defaults.clone() }] })
            }
        }
    }

    fn evolve(mut state: State, event: &Event) -> State {
        match event {
            Event::CompanyRegistered { company_id, name, seats } => {
                state.company_id = Some(*company_id);
                state.name = name.clone();
                state.seats = *seats;
            }
            Event::SeatsChanged { seats, .. } => state.seats = *seats,
            Event::MemberAdded { user_id, roles } => {
                state.members.insert(*user_id, Member { roles: roles.iter().copied().collect(), active: true });
            }
            Event::RoleGranted { user_id, role } => {
                if let Some(m) = state.members.get_mut(user_id) {
                    m.roles.insert(*role);
                }
            }
            Event::RoleRevoked { user_id, role } => {
                if let Some(m) = state.members.get_mut(user_id) {
                    m.roles.remove(role);
                }
            }
            Event::MemberDeactivated { user_id } | Event::MemberReactivated { user_id } => {
                if let Some(m) = state.members.get_mut(user_id) {
                    m.active = matches!(event, Event::MemberReactivated { .. });
                }
            }
            Event::OrderPlaced { order } => {
                state.billing = Some(order.billing.clone());
                state.orders.insert(order.order_id, OrderStatus { order: (**order).clone(), outcome: None, invoice: None });
            }
            Event::PaymentSucceeded { order_id, card, payment_id, .. } => {
                if let Some(status) = state.orders.get_mut(order_id) {
                    status.outcome = Some(OrderOutcome::Paid { payment_id: payment_id.clone() });
                    if let Some(method) = &status.order.payment_method {
                        state.card_on_file = Some((card.clone(), method.clone()));
                    }
                }
            }
            Event::InvoiceIssued { invoice } => {
                state.invoices_issued = state.invoices_issued.max(invoice.number);
                if let Some(status) = state.orders.get_mut(&invoice.order_id) {
                    status.invoice = Some(invoice.number);
                }
            }
            Event::PaymentFailed { order_id, reason } => {
                if let Some(status) = state.orders.get_mut(order_id) {
                    status.outcome = Some(OrderOutcome::Refused(reason.clone()));
                }
            }
            Event::OfferChanged { seats, subscription } => {
                state.seats = *seats;
                state.subscription = Some(subscription.clone());
                // An order with nothing to charge is settled by the change itself.
                for status in state.orders.values_mut().filter(|o| o.outcome.is_none() && o.order.amount.total_cents == 0) {
                    status.outcome = Some(OrderOutcome::NothingCharged);
                }
            }
            Event::SubscriptionPastDue { past_due } => {
                if let Some(s) = state.subscription.as_mut() {
                    s.past_due = Some(past_due.clone());
                }
            }
            Event::DefaultLanguageAndTimeZoneSet { defaults } => state.defaults = defaults.clone(),
        }
        state
    }
}

fn place_order(state: &State, cmd: &PlaceOrder) -> Result<Vec<Event>, Error> {
    if let Some(existing) = state.orders.get(&cmd.order_id) {
        let same = existing.order.offer == cmd.offer && existing.order.kind == OrderKind::Change;
        return if same { Ok(vec![]) } else { Err(Error::OrderIdReused) };
    }
    if let Some(other) = state.order_in_progress() {
        return Err(Error::OrderInProgress { order_id: other.order_id });
    }
    let quote = state.quote(cmd.offer, cmd.today, &cmd.prices)?;
    let amount = Amount::of(quote.net_cents, cmd.prices.vat_for(&cmd.billing));
    if let Some(expected) = cmd.expected_total_cents {
        if expected != amount.total_cents {
            return Err(Error::AmountChanged { expected, actual: amount.total_cents });
        }
    }
    if amount.total_cents > 0 && cmd.payment_method.is_none() {
        return Err(Error::CardMissing);
    }
    let (seats, subscription) = (quote.seats_now, quote.subscription.clone());
    let order = Order {
        order_id: cmd.order_id,
        kind: OrderKind::Change,
        placed_on: cmd.today,
        offer: cmd.offer,
        quote,
        currency: cmd.prices.currency.clone(),
        amount,
        billing: cmd.billing.clone(),
        payment_method: cmd.payment_method.clone(),
        card: cmd.card.clone(),
    };
    let mut events = vec![Event::OrderPlaced { order: Box::new(order) }];
    if amount.total_cents == 0 {
        events.push(Event::OfferChanged { seats, subscription });
    }
    Ok(events)
}

fn record_payment(state: &State, order_id: Uuid, outcome: &PaymentOutcome, today: NaiveDate, seller: &Seller) -> Result<Vec<Event>, Error> {
    let status = state.orders.get(&order_id).ok_or(Error::UnknownOrder)?;
    if status.outcome.is_some() {
        return Ok(vec![]);
    }
    let order = &status.order;
    match outcome {
        PaymentOutcome::Succeeded { payment_id } => {
            // A renewal's card is the one on file; a change's is the one it was placed with.
            let card = order.card.clone().or_else(|| state.card_on_file.as_ref().map(|(c, _)| c.clone())).ok_or(Error::CardMissing)?;
            let invoice = Invoice {
                number: state.invoices_issued + 1,
                order_id,
                issued_on: today,
                seller: seller.clone(),
                buyer: order.billing.clone(),
                lines: order.quote.lines.clone(),
                currency: order.currency.clone(),
                amount: order.amount,
                payment_id: payment_id.clone(),
                card: card.clone(),
            };
            Ok(vec![
                Event::PaymentSucceeded { order_id, payment_id: payment_id.clone(), total_cents: order.amount.total_cents, card: card.clone() },
                Event::OfferChanged { seats: order.quote.seats_now, subscription: order.quote.subscription.clone() },
                Event::InvoiceIssued { invoice: Box::new(invoice) },
            ])
        }
        PaymentOutcome::Failed(reason) => {
            let mut events = vec![Event::PaymentFailed { order_id, reason: reason.clone() }];
            if order.kind == OrderKind::Renewal {
                let previous = state.subscription.as_ref().and_then(|s| s.past_due.as_ref());
                events.push(Event::SubscriptionPastDue {
                    past_due: PastDue {
                        since: previous.map_or(today, |p| p.since),
                        reason: reason.clone(),
                        attempts: previous.map_or(0, |p| p.attempts) + 1,
                        next_attempt_on: subscription::next_attempt(today),
                    },
                });
            }
            Ok(events)
        }
    }
}

fn renew(state: &State, order_id: Uuid, today: NaiveDate, prices: &Prices) -> Result<Vec<Event>, Error> {
    let Some(current) = &state.subscription else { return Ok(vec![]) };
    let due = match &current.past_due {
        Some(p) => today >= p.next_attempt_on,
        None => today >= current.renews_on,
    };
    if !due {
        return Ok(vec![]);
    }
    if let Some(other) = state.order_in_progress() {
        return Err(Error::OrderInProgress { order_id: other.order_id });
    }
    let (Some((card, method)), Some(billing)) = (&state.card_on_file, &state.billing) else { return Err(Error::NoCardOnFile) };
    let quote = subscription::renewal_quote(current, state.seats, state.seats_in_use(), prices);
    let amount = Amount::of(quote.net_cents, prices.vat_for(billing));
    let order = Order {
        order_id,
        kind: OrderKind::Renewal,
        placed_on: today,
        offer: quote.next_renewal.offer,
        quote,
        currency: prices.currency.clone(),
        amount,
        billing: billing.clone(),
        payment_method: Some(method.clone()),
        card: Some(card.clone()),
    };
    Ok(vec![Event::OrderPlaced { order: Box::new(order) }])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::given;

    fn registered(seats: u32) -> (CompanyId, Event) {
        let id = CompanyId::new();
        (id, Event::CompanyRegistered { company_id: id, name: "Acme".into(), seats })
    }

    fn roles(r: &[Role]) -> BTreeSet<Role> {
        r.iter().copied().collect()
    }

    #[test]
    fn a_company_sets_its_default_language_and_time_zone() {
        let (_, registered) = registered(3);
        let defaults = Preferences { language: Some("fr".into()), time_zone: Some("Europe/Paris".into()) };
        given::<Company>([registered.clone()])
            .when(Command::SetDefaultLanguageAndTimeZone { defaults: defaults.clone() })
            .then([Event::DefaultLanguageAndTimeZoneSet { defaults: defaults.clone() }]);
        given::<Company>([registered, Event::DefaultLanguageAndTimeZoneSet { defaults: defaults.clone() }])
            .when(Command::SetDefaultLanguageAndTimeZone { defaults })
            .then([]);
    }

    #[test]
    fn registering_a_company_records_its_name_and_seats() {
        let id = CompanyId::new();
        given::<Company>([]).when(Command::RegisterCompany { company_id: id, name: "  Acme  ".into(), seats: 5 }).then([Event::CompanyRegistered {
            company_id: id,
            name: "Acme".into(),
            seats: 5,
        }]);
    }

    #[test]
    fn a_company_needs_a_name_and_a_seat_and_registers_once() {
        let id = CompanyId::new();
        given::<Company>([]).when(Command::RegisterCompany { company_id: id, name: " ".into(), seats: 5 }).then_error(Error::NameMissing);
        given::<Company>([]).when(Command::RegisterCompany { company_id: id, name: "Acme".into(), seats: 0 }).then_error(Error::NoSeats);
        let (id, reg) = registered(2);
        given::<Company>([reg]).when(Command::RegisterCompany { company_id: id, name: "Acme".into(), seats: 2 }).then_error(Error::AlreadyRegistered);
    }

    #[test]
    fn nothing_happens_to_an_unregistered_company() {
        given::<Company>([]).when(Command::AddMember { user_id: UserId::new(), roles: roles(&[Role::Agent]) }).then_error(Error::NotRegistered);
    }

    #[test]
    fn adding_a_member_takes_a_seat_until_none_are_left() {
        let (_, reg) = registered(2);
        let (a, b, c) = (UserId::new(), UserId::new(), UserId::new());
        given::<Company>([reg.clone(), Event::MemberAdded { user_id: a, roles: vec![Role::Administrator] }])
            .when(Command::AddMember { user_id: b, roles: roles(&[Role::Agent]) })
            .then([Event::MemberAdded { user_id: b, roles: vec![Role::Agent] }]);

        given::<Company>([
            reg,
            Event::MemberAdded { user_id: a, roles: vec![Role::Administrator] },
            Event::MemberAdded { user_id: b, roles: vec![Role::Agent] },
        ])
        .when(Command::AddMember { user_id: c, roles: roles(&[Role::Agent]) })
        .then_error(Error::SeatsExhausted { seats: 2 });
    }

    #[test]
    fn a_deactivated_member_frees_a_seat_and_reactivation_needs_one() {
        let (_, reg) = registered(2);
        let (a, b, c) = (UserId::new(), UserId::new(), UserId::new());
        let history = [
            reg,
            Event::MemberAdded { user_id: a, roles: vec![Role::Administrator] },
            Event::MemberAdded { user_id: b, roles: vec![Role::Agent] },
            Event::MemberDeactivated { user_id: b },
        ];
        given::<Company>(history.clone())
            .when(Command::AddMember { user_id: c, roles: roles(&[]) })
            .then([Event::MemberAdded { user_id: c, roles: vec![] }]);

        let mut full = history.to_vec();
        full.push(Event::MemberAdded { user_id: c, roles: vec![] });
        given::<Company>(full).when(Command::ReactivateMember { user_id: b }).then_error(Error::SeatsExhausted { seats: 2 });
        given::<Company>(history).when(Command::ReactivateMember { user_id: b }).then([Event::MemberReactivated { user_id: b }]);
    }

    #[test]
    fn the_last_active_administrator_cannot_be_removed_or_deactivated() {
        let (_, reg) = registered(5);
        let (a, b) = (UserId::new(), UserId::new());
        let history = [
            reg,
            Event::MemberAdded { user_id: a, roles: vec![Role::Administrator] },
            Event::MemberAdded { user_id: b, roles: vec![Role::Administrator, Role::Agent] },
            Event::MemberDeactivated { user_id: b },
        ];
        given::<Company>(history.clone()).when(Command::RevokeRole { user_id: a, role: Role::Administrator }).then_error(Error::LastAdministrator);
        given::<Company>(history.clone()).when(Command::DeactivateMember { user_id: a }).then_error(Error::LastAdministrator);
        // A deactivated administrator does not count, but losing its role is fine.
        given::<Company>(history)
            .when(Command::RevokeRole { user_id: b, role: Role::Administrator })
            .then([Event::RoleRevoked { user_id: b, role: Role::Administrator }]);
    }

    #[test]
    fn with_two_administrators_one_may_step_down() {
        let (_, reg) = registered(5);
        let (a, b) = (UserId::new(), UserId::new());
        given::<Company>([
            reg,
            Event::MemberAdded { user_id: a, roles: vec![Role::Administrator] },
            Event::MemberAdded { user_id: b, roles: vec![Role::Administrator] },
        ])
        .when(Command::RevokeRole { user_id: a, role: Role::Administrator })
        .then([Event::RoleRevoked { user_id: a, role: Role::Administrator }]);
    }

    #[test]
    fn granting_a_held_role_or_revoking_a_missing_one_changes_nothing() {
        let (_, reg) = registered(5);
        let a = UserId::new();
        let history = [reg, Event::MemberAdded { user_id: a, roles: vec![Role::Administrator, Role::Agent] }];
        given::<Company>(history.clone()).when(Command::GrantRole { user_id: a, role: Role::Agent }).then([]);
        given::<Company>(history.clone()).when(Command::RevokeRole { user_id: a, role: Role::Expert }).then([]);
        given::<Company>(history).when(Command::GrantRole { user_id: UserId::new(), role: Role::Agent }).then_error(Error::NotAMember);
    }

    #[test]
    fn seats_cannot_drop_below_those_in_use() {
        let (_, reg) = registered(5);
        let (a, b) = (UserId::new(), UserId::new());
        let history = [reg, Event::MemberAdded { user_id: a, roles: vec![Role::Administrator] }, Event::MemberAdded { user_id: b, roles: vec![] }];
        given::<Company>(history.clone()).when(Command::ChangeSeats { seats: 1 }).then_error(Error::SeatsBelowUsage { seats: 1, in_use: 2 });
        given::<Company>(history).when(Command::ChangeSeats { seats: 2 }).then([Event::SeatsChanged { seats: 2, previous: Some(5) }]);
    }

    #[test]
    fn a_seats_change_of_schema_1_is_read_through_its_upcaster_and_never_rewritten() {
        use crate::codec::EventPayload;
        let stored = serde_json::json!({ "type": "SeatsChanged", "seats": 7 });
        assert_eq!(Event::decode("SeatsChanged", 1, &stored), Ok(Event::SeatsChanged { seats: 7, previous: None }));
        // The same payload claiming today's schema lacks a field: malformed, not guessed.
        assert!(matches!(Event::decode("SeatsChanged", 2, &stored), Err(crate::DecodeError::Malformed { .. })));
        let written = Event::SeatsChanged { seats: 7, previous: Some(5) }.encode();
        assert_eq!(
            (written.schema, Event::decode("SeatsChanged", 2, &written.payload)),
            (2, Ok(Event::SeatsChanged { seats: 7, previous: Some(5) }))
        );
        assert!(matches!(Event::decode("SeatsChanged", 3, &stored), Err(crate::DecodeError::UnsupportedSchema { schema: 3, .. })));
        assert_eq!(Event::current_schema("MemberAdded"), 1);
    }

    #[test]
    fn roles_parse_by_name_whatever_the_case() {
        assert_eq!(" agent ".parse::<Role>(), Ok(Role::Agent));
        assert_eq!("ADMINISTRATOR".parse::<Role>(), Ok(Role::Administrator));
        assert!("Owner".parse::<Role>().unwrap_err().contains("unknown role \"Owner\""));
    }
}
