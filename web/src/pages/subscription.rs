//! Company → Subscription: the offer in force, changing it (seats, monthly or annual), and
//! the invoices; the words and boxes the order form (`order.rs`) shares.

use axum::extract::State;
use chrono::NaiveDate;
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

use app::billing;
use domain::billing::{Line, LineKind, Period, Prices, Vat};
use domain::subscription::{Amount, DeclineReason, Offer, Quote};

use super::layout::{field_error, page};
use super::{Path, Query};
use crate::auth::Admin;
use crate::error::{refusal, AppError, Refusal};
use crate::Web;

/// An amount as people read it: €1,234.50, or 1,234.50 USD.
pub fn money(cents: i64, currency: &str) -> String {
    let sign = if cents < 0 { "−" } else { "" };
    let c = cents.abs();
    let units = (c / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in units.chars().enumerate() {
        if i > 0 && (units.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    match currency {
        "EUR" => format!("{sign}€{grouped}.{:02}", c % 100),
        other => format!("{sign}{grouped}.{:02} {other}", c % 100),
    }
}

/// Why a card was refused, in plain words.
pub fn decline_message(reason: &DeclineReason) -> &'static str {
    match reason {
        DeclineReason::Declined => "Your card was declined. Nothing was charged: try another card, or ask your bank why.",
        DeclineReason::InsufficientFunds => "Your card was declined for insufficient funds. Nothing was charged.",
        DeclineReason::Expired => "Your card has expired. Nothing was charged: use a card that is still valid.",
        DeclineReason::IncorrectSecurityCode => {
            "The security code (the 3 digits on the back, 4 on the front for American Express) is wrong. Nothing was charged."
        }
        DeclineReason::IncorrectNumber => "The card number is not valid: check it for a typing mistake. Nothing was charged.",
        DeclineReason::AuthenticationRequired => {
            "Your bank asks to confirm this payment, which Switchboard cannot do yet: use another card. Nothing was charged."
        }
    }
}

pub(super) fn period_word(p: Period) -> &'static str {
    match p {
        Period::Monthly => "monthly",
        Period::Annual => "annual",
    }
}

pub(super) fn date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// "1 seat", "3 seats".
pub(super) fn seats(n: u32) -> String {
    super::layout::count(n, "seat", "seats")
}

pub(super) fn line_text(l: &Line) -> String {
    let seats = seats(l.seats);
    match l.description {
        LineKind::Seats => format!("{seats}, {} payment, {} to {}", period_word(l.period), date(l.from), date(l.to)),
        LineKind::AddedSeats => format!("{seats} added for the rest of the period, {} to {}", date(l.from), date(l.to)),
        LineKind::UnusedTimeCredit => format!("Credit for the unused monthly time of {seats}, {} to {}", date(l.from), date(l.to)),
    }
}

pub(super) fn vat_text(vat: Vat) -> String {
    match vat {
        Vat::Charged { basis_points } => format!("VAT {}%", basis_points as f64 / 100.0),
        Vat::ReverseCharged => "VAT reverse-charged (article 196 of Directive 2006/112/EC)".into(),
        Vat::OutsideScope => "No VAT: services to a buyer outside the EU".into(),
    }
}

fn seat_prices(prices: &Prices) -> Markup {
    let monthly_year = 12 * prices.monthly_seat_cents;
    html! {
        table.prices #prices {
            thead { tr { th { "Payment" } th { "Per seat" } th { "Per seat over a year" } } }
            tbody {
                tr { td { "Monthly" } td { (money(prices.monthly_seat_cents, &prices.currency)) " a month" } td { (money(monthly_year, &prices.currency)) } }
                tr {
                    td { "Annual" }
                    td { (money(prices.annual_seat_cents, &prices.currency)) " a year (" (money(prices.annual_seat_cents / 12, &prices.currency)) " a month)" }
                    td { (money(prices.annual_seat_cents, &prices.currency)) " " strong.saving { "save " (prices.annual_saving_percent()) "%" } }
                }
            }
        }
        p.muted.small { "Prices before VAT." }
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct ShownQuery {
    #[serde(default)]
    changed: Option<String>,
}

pub async fn show(State(web): State<Web>, Admin(session): Admin, Query(query): Query<ShownQuery>) -> Result<Markup, AppError> {
    let s = billing::subscription(&web, &session).await?;
    let currency = &s.prices.currency;
    Ok(page(
        "Subscription",
        Some(&session),
        html! {
            @if let Some(past_due) = s.current.as_ref().and_then(|c| c.past_due.as_ref()) {
                div.banner-bad role="alert" #past-due-banner {
                    span { "The renewal of " (date(past_due.since)) " could not be charged: " (decline_message(&past_due.reason)) " It is tried again every day; nobody loses access. Pay now with another card to settle it." }
                    a.button href="/admin/subscription/edit" { "Pay now" }
                }
            }
            @if query.changed.is_some() { p.notice role="status" { "The change is recorded. Nothing was charged." } }
            h1 { "Subscription" }
            section.card #offer {
                h2 { "Your offer" }
                dl.facts {
                    dt { "Seats" } dd #offer-seats { (s.seats_in_use) " in use of " (s.seats) " bought" }
                    @match &s.current {
                        Some(c) => {
                            dt { "Payment" } dd #offer-period { (period_word(c.period)) }
                            dt { "Price per seat" } dd { (money(s.prices.seat_price(c.period), currency)) @if c.period == Period::Monthly { " a month" } @else { " a year" } " before VAT" }
                            dt { "Next renewal" } dd #offer-renewal { (date(c.renews_on)) }
                            @if let Some(p) = c.pending {
                                dt { "From the renewal" } dd #offer-pending { (p.seats) " seats, " (period_word(p.period)) " payment" }
                            }
                        }
                        None => {
                            dt { "Payment" } dd #offer-period { "none yet: these seats were set up by Switchboard" }
                        }
                    }
                    dt { "Card" }
                    dd #offer-card {
                        @match &s.card {
                            Some(c) => { (c.brand) " ending in " (c.last4) ", expires " (format!("{:02}/{}", c.exp_month, c.exp_year)) }
                            None => { "none on file" }
                        }
                    }
                }
                p.actions { a.button href="/admin/subscription/edit" #change-offer { "Change the offer" } }
            }
            section.card {
                h2 { "Prices" }
                (seat_prices(&s.prices))
            }
            section.card #invoices {
                h2 { "Invoices" }
                @if s.invoices.is_empty() {
                    p.muted { "No invoices yet." }
                } @else {
                    table {
                        thead { tr { th { "Number" } th { "Date" } th { "Total" } } }
                        tbody {
                            @for i in &s.invoices {
                                tr {
                                    td { a href={"/admin/invoices/" (i.number)} { "Invoice " (i.number) } }
                                    td { (date(i.issued_on)) }
                                    td { (money(i.total_cents, &i.currency)) }
                                }
                            }
                        }
                    }
                }
            }
        },
    ))
}

#[derive(Debug, Deserialize, Default)]
pub struct OfferQuery {
    #[serde(default)]
    pub(super) seats: Option<String>,
    #[serde(default)]
    pub(super) period: Option<String>,
}

/// The offer in a query or form: unreadable values are errors naming the field.
pub(super) fn offer_of(seats: Option<&str>, period: Option<&str>, fallback: Offer) -> Result<Offer, (String, &'static str)> {
    let seats = match seats.map(str::trim).filter(|s| !s.is_empty()) {
        None => fallback.seats,
        Some(s) => s
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=100_000).contains(n))
            .ok_or_else(|| (format!("\"{s}\" is not a number of seats (1 to 100,000)"), "seats"))?,
    };
    let period = match period.map(str::trim).filter(|s| !s.is_empty()) {
        None => fallback.period,
        Some(p) => p.parse::<Period>().map_err(|e| (e, "period"))?,
    };
    Ok(Offer { seats, period })
}

pub(super) fn current_offer(s: &billing::Subscription) -> Offer {
    Offer { seats: s.seats, period: s.current.as_ref().map_or(Period::Monthly, |c| c.period) }
}

/// What the order charges now and what follows: the same words on the edit and the order page.
pub(super) fn quote_box(quote: &Quote, amount: Option<&Amount>, currency: &str) -> Markup {
    html! {
        div.quote #quote {
            h2 { "What you will pay" }
            @if quote.lines.is_empty() {
                p #charged-now { "Nothing is charged now." }
            } @else {
                table {
                    tbody {
                        @for l in &quote.lines { tr { td { (line_text(l)) } td.amount { (money(l.cents, currency)) } } }
                    }
                    tfoot {
                        @match amount {
                            Some(a) => {
                                tr { td { "Total before VAT" } td.amount { (money(a.net_cents, currency)) } }
                                tr { td { (vat_text(a.vat)) } td.amount { (money(a.vat_cents, currency)) } }
                                tr.total { td { "Charged now" } td.amount #charged-now { (money(a.total_cents, currency)) } }
                            }
                            None => {
                                tr.total { td { "Charged now, before VAT" } td.amount #charged-now { (money(quote.net_cents, currency)) } }
                            }
                        }
                    }
                }
            }
            @let r = &quote.next_renewal;
            p #next-renewal {
                "Next renewal on " strong { (date(r.on)) } ": " (seats(r.offer.seats)) ", " (period_word(r.offer.period)) " payment, "
                (money(r.net_cents, currency)) " before VAT."
            }
            @if quote.seats_now > 0 { p.muted.small { "Seats usable once paid: " (quote.seats_now) "." } }
        }
    }
}

pub async fn edit(State(web): State<Web>, Admin(session): Admin, Query(query): Query<OfferQuery>) -> Result<Markup, AppError> {
    let s = billing::subscription(&web, &session).await?;
    let asked = query.seats.is_some() || query.period.is_some();
    let offer = offer_of(query.seats.as_deref(), query.period.as_deref(), current_offer(&s));
    let (offer, mut error) = match offer {
        Ok(o) => (o, None),
        Err((message, field)) => (current_offer(&s), Some((message, Some(field)))),
    };
    let mut quote = None;
    if asked && error.is_none() {
        match billing::quote(&web, &session, offer, None).await {
            Ok((q, _)) => quote = Some(q),
            Err(e) => {
                let Refusal { message, field, .. } = refusal(e)?;
                error = Some((message, field));
            }
        }
    }
    let (message, field) = error.as_ref().map_or((None, None), |(m, f)| (Some(m.as_str()), *f));
    let currency = &s.prices.currency;
    Ok(page(
        "Change the offer",
        Some(&session),
        html! {
            h1 { "Change the offer" }
            @if let (Some(m), None) = (message, field) { p.error role="alert" { (m) } }
            section.card {
                (seat_prices(&s.prices))
                form method="get" action="/admin/subscription/edit" #edit-offer {
                    label for="seats" { "Number of users (seats)" }
                    input #seats type="number" name="seats" min="1" max="100000" value=(offer.seats) required aria-invalid=(field == Some("seats"))
                        aria-describedby="seats-help";
                    p.muted.small #seats-help { (seats(s.seats_in_use)) " in use now: you cannot go below that without deactivating users first. Fewer seats take effect at the next renewal." }
                    (field_error(field, "seats", message))
                    fieldset {
                        legend { "Payment" }
                        @for p in Period::ALL {
                            label.check {
                                input type="radio" name="period" value=(p.as_str()) checked[offer.period == p];
                                " " @if p == Period::Monthly { "Monthly, " (money(s.prices.monthly_seat_cents, currency)) " per seat a month" }
                                @else { "Annual, " (money(s.prices.annual_seat_cents, currency)) " per seat a year (save " (s.prices.annual_saving_percent()) "%)" }
                            }
                        }
                        (field_error(field, "period", message))
                    }
                    p.actions { button.secondary type="submit" #review { "Show the price" } " " a href="/admin/subscription" { "Cancel" } }
                }
            }
            @if let Some(q) = &quote {
                section.card {
                    (quote_box(q, None, currency))
                    p.actions {
                        a.button #continue href={"/admin/subscription/order?seats=" (offer.seats) "&period=" (offer.period.as_str())} { "Continue to the order" }
                    }
                }
            }
        },
    ))
}

pub async fn invoice(State(web): State<Web>, Admin(session): Admin, Path(number): Path<u32>) -> Result<Markup, AppError> {
    let invoice = billing::invoice(&web, &session, number).await?;
    let c = &invoice.currency;
    Ok(page(
        &format!("Invoice {}", invoice.number),
        Some(&session),
        html! {
            article.invoice #invoice {
                header.invoice-head {
                    h1 { "Invoice " (invoice.number) }
                    p { "Date: " (date(invoice.issued_on)) }
                    p.muted.small { "Order " (invoice.order_id) " · payment " (invoice.payment_id) }
                }
                div.parties {
                    section {
                        h2 { "Seller" }
                        p { strong { (invoice.seller.name) } br; (invoice.seller.address) br; (invoice.seller.country) br; "VAT number " (invoice.seller.vat_number) }
                    }
                    section {
                        h2 { "Buyer" }
                        p {
                            strong { (invoice.buyer.company) } br; (invoice.buyer.name) br; (invoice.buyer.address) br; (invoice.buyer.country)
                            @if let Some(v) = &invoice.buyer.vat_number { br; "VAT number " (v) }
                            br; (invoice.buyer.email)
                        }
                    }
                }
                table.lines {
                    thead { tr { th { "Description" } th.amount { "Amount" } } }
                    tbody { @for l in &invoice.lines { tr { td { (line_text(l)) } td.amount { (money(l.cents, c)) } } } }
                    tfoot {
                        tr { td { "Total before VAT" } td.amount { (money(invoice.amount.net_cents, c)) } }
                        tr { td { (vat_text(invoice.amount.vat)) } td.amount { (money(invoice.amount.vat_cents, c)) } }
                        tr.total { td { "Total paid" } td.amount #invoice-total { (money(invoice.amount.total_cents, c)) } }
                    }
                }
                p { "Paid by " (invoice.card.brand) " ending in " (invoice.card.last4) " on " (date(invoice.issued_on)) "." }
                p.no-print { button.secondary type="button" data-print="" { "Print" } " " a href="/admin/subscription" { "Back to the subscription" } }
            }
            script type="module" { (PreEscaped("document.querySelector('[data-print]')?.addEventListener('click', () => print());")) }
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_as_people_write_them() {
        assert_eq!(money(123450, "EUR"), "€1,234.50");
        assert_eq!(money(-5000, "EUR"), "−€50.00");
        assert_eq!(money(7, "USD"), "0.07 USD");
        assert_eq!(money(100_000_000, "EUR"), "€1,000,000.00");
    }

    #[test]
    fn dates_are_written_out() {
        assert_eq!(date(NaiveDate::from_ymd_opt(2028, 2, 29).unwrap()), "29 February 2028");
    }

    #[test]
    fn an_offer_from_a_query_names_the_bad_field() {
        let fallback = Offer { seats: 3, period: Period::Monthly };
        assert_eq!(offer_of(Some("5"), Some("annual"), fallback), Ok(Offer { seats: 5, period: Period::Annual }));
        assert_eq!(offer_of(None, None, fallback), Ok(fallback));
        assert_eq!(offer_of(Some("0"), None, fallback).unwrap_err().1, "seats");
        assert_eq!(offer_of(Some("lots"), None, fallback).unwrap_err().1, "seats");
        assert_eq!(offer_of(None, Some("weekly"), fallback).unwrap_err().1, "period");
    }
}
