//! Given events / when command / then events, for the offer: orders, payments, renewals.

use chrono::NaiveDate;
use uuid::Uuid;

use super::*;
use crate::billing::{BillingDetails, LineKind, Period, Prices, Vat};
use crate::company::{Command, Company, Error, Event, OrderOutcome, PaymentOutcome, PlaceOrder};
use crate::testing::given;
use crate::{CompanyId, Decider, UserId};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn buyer(country: &str) -> BillingDetails {
    BillingDetails {
        name: "Ada Lovelace".into(),
        company: "Acme".into(),
        address: "1 rue de la Paix".into(),
        country: country.into(),
        vat_number: None,
        email: "billing@acme.test".into(),
    }
}

fn method() -> PaymentMethod {
    PaymentMethod { gateway: "test".into(), customer: Some("cus_1".into()), id: "tok_1".into() }
}

fn card() -> Card {
    Card { brand: "Visa".into(), last4: "4242".into(), exp_month: 12, exp_year: 2030 }
}

/// A company with `members` active members and `seats` seats set by an operator.
fn company(seats: u32, members: u32) -> Vec<Event> {
    let mut events = vec![Event::CompanyRegistered { company_id: CompanyId::new(), name: "Acme".into(), seats }];
    events.extend((0..members).map(|_| Event::MemberAdded { user_id: UserId::new(), roles: vec![] }));
    events
}

fn place(order_id: Uuid, seats: u32, period: Period, today: NaiveDate) -> Command {
    Command::PlaceOrder(Box::new(PlaceOrder {
        order_id,
        offer: Offer { seats, period },
        today,
        prices: Prices::default(),
        billing: buyer("FR"),
        payment_method: Some(method()),
        card: Some(card()),
        expected_total_cents: None,
    }))
}

fn paid(order_id: Uuid, today: NaiveDate) -> Command {
    Command::RecordPayment { order_id, outcome: PaymentOutcome::Succeeded { payment_id: "pay_1".into() }, today, seller: Seller::default() }
}

/// Folds `history`, runs `command`, and returns the events with the history extended.
fn run(history: &mut Vec<Event>, command: Command) -> Vec<Event> {
    let state = Company::fold(history.iter());
    let events = Company::decide(&state, &command).unwrap_or_else(|e| panic!("{command:?} refused: {e}"));
    history.extend(events.iter().cloned());
    events
}

fn placed_order(events: &[Event]) -> &Order {
    events.iter().find_map(|e| if let Event::OrderPlaced { order } = e { Some(&**order) } else { None }).expect("an order is placed")
}

/// A company paying monthly for `seats` seats since `start`.
fn subscribed(seats: u32, members: u32, period: Period, start: NaiveDate) -> Vec<Event> {
    let mut history = company(1, members);
    let id = Uuid::new_v4();
    run(&mut history, place(id, seats, period, start));
    run(&mut history, paid(id, start));
    history
}

#[test]
fn a_first_order_charges_a_whole_period_and_changes_seats_only_once_paid() {
    let mut history = company(2, 2);
    let id = Uuid::new_v4();
    let events = run(&mut history, place(id, 5, Period::Monthly, d(2027, 1, 31)));
    assert_eq!(events.len(), 1, "only the order, no seats yet: {events:?}");
    let order = placed_order(&events);
    assert_eq!(order.quote.lines[0].cents, 5 * 2500);
    assert_eq!((order.quote.lines[0].from, order.quote.lines[0].to), (d(2027, 1, 31), d(2027, 2, 28)));
    // French buyer, French seller: 20 % VAT.
    assert_eq!(order.amount, Amount { net_cents: 12500, vat: Vat::Charged { basis_points: 2000 }, vat_cents: 2500, total_cents: 15000 });
    assert_eq!(Company::fold(history.iter()).seats, 2);

    let events = run(&mut history, paid(id, d(2027, 1, 31)));
    let subscription = Subscription { period: Period::Monthly, started_on: d(2027, 1, 31), renews_on: d(2027, 2, 28), pending: None, past_due: None };
    assert_eq!(events[1], Event::OfferChanged { seats: 5, subscription });
    let Event::InvoiceIssued { invoice } = &events[2] else { panic!("{events:?}") };
    assert_eq!((invoice.number, invoice.amount.total_cents, invoice.card.last4.as_str()), (1, 15000, "4242"));
    let state = Company::fold(history.iter());
    assert_eq!(state.seats, 5);
    assert_eq!(state.card_on_file, Some((card(), method())));
    assert_eq!(state.orders[&id].outcome, Some(OrderOutcome::Paid { payment_id: "pay_1".into() }));
    assert_eq!(state.orders[&id].invoice, Some(1));
}

#[test]
fn more_seats_mid_period_are_prorated_to_the_day_and_usable_once_paid() {
    // Monthly from 31 January 2028 (a leap year): the period ends 29 February, 29 days.
    let mut history = subscribed(3, 3, Period::Monthly, d(2028, 1, 31));
    let id = Uuid::new_v4();
    let events = run(&mut history, place(id, 5, Period::Monthly, d(2028, 2, 15)));
    let order = placed_order(&events);
    // 2 seats × EUR 25 × 14 days left of 29 = 2413.79… → 2414 cents.
    assert_eq!(order.quote.lines.len(), 1);
    assert_eq!(order.quote.lines[0].description, LineKind::AddedSeats);
    assert_eq!((order.quote.lines[0].seats, order.quote.lines[0].cents), (2, 2414));
    assert_eq!(order.quote.next_renewal, Renewal { on: d(2028, 2, 29), offer: Offer { seats: 5, period: Period::Monthly }, net_cents: 12500 });
    assert_eq!(Company::fold(history.iter()).seats, 3, "not before the payment");
    run(&mut history, paid(id, d(2028, 2, 15)));
    let state = Company::fold(history.iter());
    assert_eq!(state.seats, 5);
    assert_eq!(state.subscription.as_ref().map(|s| (s.started_on, s.renews_on)), Some((d(2028, 1, 31), d(2028, 2, 29))));
    assert_eq!(state.invoices_issued, 2);
}

#[test]
fn fewer_seats_wait_for_the_renewal_cost_nothing_and_never_go_below_the_seats_in_use() {
    let mut history = subscribed(5, 3, Period::Monthly, d(2027, 3, 1));
    given::<Company>(history.clone())
        .when(place(Uuid::new_v4(), 2, Period::Monthly, d(2027, 3, 10)))
        .then_error(Error::SeatsBelowUsage { seats: 2, in_use: 3 });
    let events = run(&mut history, place(Uuid::new_v4(), 3, Period::Monthly, d(2027, 3, 10)));
    let pending = Subscription {
        period: Period::Monthly,
        started_on: d(2027, 3, 1),
        renews_on: d(2027, 4, 1),
        pending: Some(Offer { seats: 3, period: Period::Monthly }),
        past_due: None,
    };
    assert_eq!(placed_order(&events).amount.total_cents, 0);
    assert_eq!(events[1], Event::OfferChanged { seats: 5, subscription: pending }, "the seats stay until the renewal");
    let state = Company::fold(history.iter());
    assert_eq!(state.order_in_progress(), None, "nothing to pay, nothing waits");
    // Asking for the same again changes nothing.
    given::<Company>(history).when(place(Uuid::new_v4(), 3, Period::Monthly, d(2027, 3, 11))).then_error(Error::NothingToChange);
}

#[test]
fn monthly_to_annual_starts_a_year_today_less_the_unused_month() {
    let mut history = subscribed(4, 4, Period::Monthly, d(2027, 2, 1));
    let events = run(&mut history, place(Uuid::new_v4(), 4, Period::Annual, d(2027, 2, 15)));
    let order = placed_order(&events);
    assert_eq!(order.quote.lines[0].cents, 4 * 25500);
    assert_eq!((order.quote.lines[0].from, order.quote.lines[0].to), (d(2027, 2, 15), d(2028, 2, 15)));
    // 4 seats × EUR 25 × 14 of February's 28 days unused.
    assert_eq!(order.quote.lines[1].description, LineKind::UnusedTimeCredit);
    assert_eq!(order.quote.lines[1].cents, -5000);
    assert_eq!(order.quote.net_cents, 102000 - 5000);
    assert_eq!(order.quote.subscription.renews_on, d(2028, 2, 15));
}

#[test]
fn annual_to_monthly_waits_for_the_end_of_the_year_and_added_seats_are_prorated_on_the_year() {
    let mut history = subscribed(2, 2, Period::Annual, d(2028, 2, 29));
    let events = run(&mut history, place(Uuid::new_v4(), 3, Period::Monthly, d(2028, 8, 29)));
    let order = placed_order(&events);
    // A year from 29 February 2028 ends 28 February 2029: 365 days, 183 left.
    assert_eq!(order.quote.lines[0].cents, (25500 * 183 + 365 / 2) / 365);
    assert_eq!(order.quote.seats_now, 3);
    assert_eq!(order.quote.subscription.period, Period::Annual);
    assert_eq!(order.quote.subscription.pending, Some(Offer { seats: 3, period: Period::Monthly }));
    assert_eq!(order.quote.next_renewal, Renewal { on: d(2029, 2, 28), offer: Offer { seats: 3, period: Period::Monthly }, net_cents: 7500 });
}

#[test]
fn the_same_order_twice_is_one_order_and_its_payment_is_recorded_once() {
    let mut history = company(1, 1);
    let id = Uuid::new_v4();
    run(&mut history, place(id, 2, Period::Monthly, d(2027, 5, 5)));
    given::<Company>(history.clone()).when(place(id, 2, Period::Monthly, d(2027, 5, 5))).then([]);
    given::<Company>(history.clone()).when(place(id, 3, Period::Monthly, d(2027, 5, 5))).then_error(Error::OrderIdReused);
    given::<Company>(history.clone())
        .when(place(Uuid::new_v4(), 3, Period::Monthly, d(2027, 5, 5)))
        .then_error(Error::OrderInProgress { order_id: id });
    run(&mut history, paid(id, d(2027, 5, 5)));
    given::<Company>(history.clone()).when(paid(id, d(2027, 5, 5))).then([]);
    given::<Company>(history).when(paid(Uuid::new_v4(), d(2027, 5, 5))).then_error(Error::UnknownOrder);
}

#[test]
fn a_declined_card_leaves_the_offer_as_it_was() {
    let mut history = company(2, 2);
    let id = Uuid::new_v4();
    run(&mut history, place(id, 4, Period::Monthly, d(2027, 5, 5)));
    let refused = Command::RecordPayment {
        order_id: id,
        outcome: PaymentOutcome::Failed(DeclineReason::InsufficientFunds),
        today: d(2027, 5, 5),
        seller: Seller::default(),
    };
    given::<Company>(history.clone()).when(refused.clone()).then([Event::PaymentFailed { order_id: id, reason: DeclineReason::InsufficientFunds }]);
    run(&mut history, refused);
    let state = Company::fold(history.iter());
    assert_eq!((state.seats, state.subscription.clone(), state.invoices_issued, state.card_on_file.clone()), (2, None, 0, None));
    assert_eq!(state.order_in_progress(), None, "another order may be placed");
}

#[test]
fn an_order_is_refused_when_the_amount_shown_is_no_longer_the_price_or_no_card_is_given() {
    let history = company(1, 1);
    let mut cmd = PlaceOrder {
        order_id: Uuid::new_v4(),
        offer: Offer { seats: 2, period: Period::Monthly },
        today: d(2027, 5, 5),
        prices: Prices::default(),
        billing: buyer("FR"),
        payment_method: Some(method()),
        card: Some(card()),
        expected_total_cents: Some(5000),
    };
    given::<Company>(history.clone())
        .when(Command::PlaceOrder(Box::new(cmd.clone())))
        .then_error(Error::AmountChanged { expected: 5000, actual: 6000 });
    cmd.expected_total_cents = None;
    cmd.payment_method = None;
    given::<Company>(history).when(Command::PlaceOrder(Box::new(cmd))).then_error(Error::CardMissing);
}

#[test]
fn a_renewal_charges_the_next_period_with_the_pending_change_applied() {
    let mut history = subscribed(5, 3, Period::Monthly, d(2027, 1, 31));
    run(&mut history, place(Uuid::new_v4(), 4, Period::Monthly, d(2027, 2, 10)));
    let renew = |today| Command::RenewSubscription { order_id: Uuid::new_v4(), today, prices: Prices::default() };
    given::<Company>(history.clone()).when(renew(d(2027, 2, 27))).then([]);
    let events = run(&mut history, renew(d(2027, 2, 28)));
    let order = placed_order(&events).clone();
    assert_eq!(order.kind, OrderKind::Renewal);
    assert_eq!((order.quote.lines[0].seats, order.quote.lines[0].from, order.quote.lines[0].to), (4, d(2027, 2, 28), d(2027, 3, 28)));
    assert_eq!(order.payment_method, Some(method()));
    run(&mut history, paid(order.order_id, d(2027, 2, 28)));
    let state = Company::fold(history.iter());
    assert_eq!(state.seats, 4);
    assert_eq!(state.subscription.as_ref().map(|s| (s.renews_on, s.pending)), Some((d(2027, 3, 28), None)));
    assert_eq!(state.invoices_issued, 2, "invoices 1 and 2, no gap for the free change between them");
}

#[test]
fn a_failed_renewal_marks_the_subscription_past_due_is_retried_daily_and_deactivates_nobody() {
    let mut history = subscribed(3, 3, Period::Monthly, d(2027, 1, 1));
    let renew = |today| Command::RenewSubscription { order_id: Uuid::new_v4(), today, prices: Prices::default() };
    let fail = |order_id, today| Command::RecordPayment {
        order_id,
        outcome: PaymentOutcome::Failed(DeclineReason::Expired),
        today,
        seller: Seller::default(),
    };
    let first = placed_order(&run(&mut history, renew(d(2027, 2, 1)))).order_id;
    let events = run(&mut history, fail(first, d(2027, 2, 1)));
    let past_due = PastDue { since: d(2027, 2, 1), reason: DeclineReason::Expired, attempts: 1, next_attempt_on: d(2027, 2, 2) };
    assert_eq!(events[1], Event::SubscriptionPastDue { past_due });
    given::<Company>(history.clone()).when(renew(d(2027, 2, 1))).then([]);
    let second = placed_order(&run(&mut history, renew(d(2027, 2, 2)))).order_id;
    let events = run(&mut history, fail(second, d(2027, 2, 2)));
    assert!(matches!(&events[1], Event::SubscriptionPastDue { past_due } if past_due.attempts == 2 && past_due.since == d(2027, 2, 1)));
    let state = Company::fold(history.iter());
    assert_eq!((state.seats, state.seats_in_use()), (3, 3), "nobody loses a seat");
    // Paid on the third day: the period still starts when it was due.
    let third = placed_order(&run(&mut history, renew(d(2027, 2, 3)))).clone();
    assert_eq!(third.quote.lines[0].from, d(2027, 2, 1));
    run(&mut history, paid(third.order_id, d(2027, 2, 3)));
    let s = Company::fold(history.iter()).subscription.unwrap();
    assert_eq!((s.renews_on, s.past_due), (d(2027, 3, 1), None));
}

#[test]
fn nothing_is_renewed_for_a_company_that_never_paid() {
    given::<Company>(company(3, 1))
        .when(Command::RenewSubscription { order_id: Uuid::new_v4(), today: d(2030, 1, 1), prices: Prices::default() })
        .then([]);
}

#[test]
fn an_order_while_the_renewal_is_due_waits_for_it() {
    let history = subscribed(3, 1, Period::Monthly, d(2027, 1, 1));
    given::<Company>(history).when(place(Uuid::new_v4(), 5, Period::Monthly, d(2027, 2, 1))).then_error(Error::RenewalDue);
}
