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
use super::sites::{spliced, MARKS};
use super::{Path, Query};
use crate::auth::Admin;
use crate::error::{refusal, AppError, Refusal};
use crate::Web;
use locale::t;

/// An amount as the reader writes it: €1,234.50 or 1,234.50 USD; 1 234,50 € or 1 234,50 USD.
pub fn money(cents: i64, currency: &str) -> String {
    let sign = if cents < 0 { "−" } else { "" };
    let amount = locale::reader().hundredths(cents.abs());
    let text = match currency {
        "EUR" => t!("billing-money-eur", amount = amount),
        other => t!("billing-money-other", amount = amount, currency = other),
    };
    format!("{sign}{text}")
}

/// Why a card was refused, in plain words.
pub fn decline_message(reason: &DeclineReason) -> String {
    match reason {
        DeclineReason::Declined => t!("billing-decline-declined"),
        DeclineReason::InsufficientFunds => t!("billing-decline-insufficient-funds"),
        DeclineReason::Expired => t!("billing-decline-expired"),
        DeclineReason::IncorrectSecurityCode => t!("billing-decline-security-code"),
        DeclineReason::IncorrectNumber => t!("billing-decline-number"),
        DeclineReason::AuthenticationRequired => t!("billing-decline-authentication"),
    }
}

/// "monthly", "annual", as the middle of a sentence says it.
pub(super) fn period_word(p: Period) -> String {
    match p {
        Period::Monthly => t!("billing-monthly-word"),
        Period::Annual => t!("billing-annual-word"),
    }
}

/// "29 February 2028", "29 février 2028".
pub(super) fn date(d: NaiveDate) -> String {
    locale::reader().day(d)
}

/// "1 seat", "3 seats".
pub(super) fn seats(n: u32) -> String {
    t!("billing-seats", count = n)
}

pub(super) fn line_text(l: &Line) -> String {
    let (seats, from, to) = (seats(l.seats), date(l.from), date(l.to));
    match l.description {
        LineKind::Seats => t!("billing-line-seats", seats = seats, period = period_word(l.period), from = from, to = to),
        LineKind::AddedSeats => t!("billing-line-added", seats = seats, from = from, to = to),
        LineKind::UnusedTimeCredit => t!("billing-line-credit", seats = seats, from = from, to = to),
    }
}

pub(super) fn vat_text(vat: Vat) -> String {
    match vat {
        Vat::Charged { basis_points } => {
            let rate = (basis_points as f64 / 100.0).to_string();
            let rate = if locale::lang() == locale::Lang::Fr { rate.replace('.', ",") } else { rate };
            t!("billing-vat-charged", rate = rate)
        }
        Vat::ReverseCharged => t!("billing-vat-reverse"),
        Vat::OutsideScope => t!("billing-vat-outside"),
    }
}

fn seat_prices(prices: &Prices) -> Markup {
    let monthly_year = 12 * prices.monthly_seat_cents;
    html! {
        table.prices #prices {
            thead { tr { th { (t!("billing-col-payment")) } th { (t!("billing-col-per-seat")) } th { (t!("billing-col-per-seat-year")) } } }
            tbody {
                tr {
                    td { (t!("billing-monthly")) }
                    td { (t!("billing-a-month", amount = money(prices.monthly_seat_cents, &prices.currency))) }
                    td { (money(monthly_year, &prices.currency)) }
                }
                tr {
                    td { (t!("billing-annual")) }
                    td {
                        (t!("billing-a-year-monthly", amount = money(prices.annual_seat_cents, &prices.currency), monthly = money(prices.annual_seat_cents / 12, &prices.currency)))
                    }
                    td { (money(prices.annual_seat_cents, &prices.currency)) " " strong.saving { (t!("billing-save", percent = prices.annual_saving_percent())) } }
                }
            }
        }
        p.muted.small { (t!("billing-before-vat-note")) }
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
        &t!("billing-title"),
        Some(&session),
        html! {
            @if let Some(past_due) = s.current.as_ref().and_then(|c| c.past_due.as_ref()) {
                div.banner-bad role="alert" #past-due-banner {
                    span { (t!("billing-past-due", date = date(past_due.since), reason = decline_message(&past_due.reason))) }
                    a.button href="/admin/subscription/edit" { (t!("billing-pay-now")) }
                }
            }
            @if query.changed.is_some() { p.notice role="status" { (t!("billing-changed")) } }
            h1 { (t!("billing-title")) }
            section.card #offer {
                h2 { (t!("billing-your-offer")) }
                dl.facts {
                    dt { (t!("billing-seats-label")) } dd #offer-seats { (t!("billing-seats-bought", in_use = s.seats_in_use, seats = s.seats)) }
                    @match &s.current {
                        Some(c) => {
                            dt { (t!("billing-payment")) } dd #offer-period { (period_word(c.period)) }
                            dt { (t!("billing-price-per-seat")) }
                            dd {
                                @let price = money(s.prices.seat_price(c.period), currency);
                                @if c.period == Period::Monthly { (t!("billing-price-month", amount = price)) } @else { (t!("billing-price-year", amount = price)) }
                            }
                            dt { (t!("billing-next-renewal")) } dd #offer-renewal { (date(c.renews_on)) }
                            @if let Some(p) = c.pending {
                                dt { (t!("billing-from-renewal")) } dd #offer-pending { (t!("billing-pending", seats = p.seats, period = period_word(p.period))) }
                            }
                        }
                        None => {
                            dt { (t!("billing-payment")) } dd #offer-period { (t!("billing-no-payment")) }
                        }
                    }
                    dt { (t!("billing-card")) }
                    dd #offer-card {
                        @match &s.card {
                            Some(c) => {
                                (t!("billing-card-on-file", brand = &c.brand, last4 = &c.last4, expiry = format!("{:02}/{}", c.exp_month, c.exp_year)))
                            }
                            None => { (t!("billing-no-card")) }
                        }
                    }
                }
                p.actions { a.button href="/admin/subscription/edit" #change-offer { (t!("billing-change-offer")) } }
            }
            section.card {
                h2 { (t!("billing-prices")) }
                (seat_prices(&s.prices))
            }
            section.card #invoices {
                h2 { (t!("billing-invoices")) }
                @if s.invoices.is_empty() {
                    p.muted { (t!("billing-no-invoices")) }
                } @else {
                    table {
                        thead { tr { th { (t!("billing-col-number")) } th { (t!("billing-col-date")) } th { (t!("billing-col-total")) } } }
                        tbody {
                            @for i in &s.invoices {
                                tr {
                                    td { a href={"/admin/invoices/" (i.number)} { (t!("billing-invoice-number", number = i.number)) } }
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
        Some(s) => s.parse::<u32>().ok().filter(|n| (1..=100_000).contains(n)).ok_or_else(|| (t!("billing-bad-seats", value = s), "seats"))?,
    };
    let period = match period.map(str::trim).filter(|s| !s.is_empty()) {
        None => fallback.period,
        Some(p) => p.parse::<Period>().map_err(|_| (t!("err-bad-period", value = p), "period"))?,
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
            h2 { (t!("billing-what-you-pay")) }
            @if quote.lines.is_empty() {
                p #charged-now { (t!("billing-nothing-now")) }
            } @else {
                table {
                    tbody {
                        @for l in &quote.lines { tr { td { (line_text(l)) } td.amount { (money(l.cents, currency)) } } }
                    }
                    tfoot {
                        @match amount {
                            Some(a) => {
                                tr { td { (t!("billing-total-before-vat")) } td.amount { (money(a.net_cents, currency)) } }
                                tr { td { (vat_text(a.vat)) } td.amount { (money(a.vat_cents, currency)) } }
                                tr.total { td { (t!("billing-charged-now")) } td.amount #charged-now { (money(a.total_cents, currency)) } }
                            }
                            None => {
                                tr.total { td { (t!("billing-charged-now-before-vat")) } td.amount #charged-now { (money(quote.net_cents, currency)) } }
                            }
                        }
                    }
                }
            }
            @let r = &quote.next_renewal;
            p #next-renewal {
                (spliced(
                    &t!(
                        "billing-next-renewal-on",
                        mark = MARKS[0],
                        seats = seats(r.offer.seats),
                        period = period_word(r.offer.period),
                        amount = money(r.net_cents, currency)
                    ),
                    &[html! { strong { (date(r.on)) } }],
                ))
            }
            @if quote.seats_now > 0 { p.muted.small { (t!("billing-seats-usable", count = quote.seats_now)) } }
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
        &t!("billing-change-offer"),
        Some(&session),
        html! {
            h1 { (t!("billing-change-offer")) }
            @if let (Some(m), None) = (message, field) { p.error role="alert" { (m) } }
            section.card {
                (seat_prices(&s.prices))
                form method="get" action="/admin/subscription/edit" #edit-offer {
                    label for="seats" { (t!("billing-seats-field")) }
                    input #seats type="number" name="seats" min="1" max="100000" value=(offer.seats) required aria-invalid=(field == Some("seats"))
                        aria-describedby={"seats-help" @if field == Some("seats") { " seats-error" }};
                    p.muted.small #seats-help { (t!("billing-seats-help", count = s.seats_in_use)) }
                    (field_error(field, "seats", message))
                    fieldset {
                        legend { (t!("billing-payment")) }
                        @for p in Period::ALL {
                            label.check {
                                input type="radio" name="period" value=(p.as_str()) checked[offer.period == p];
                                " "
                                @if p == Period::Monthly { (t!("billing-option-monthly", amount = money(s.prices.monthly_seat_cents, currency))) }
                                @else {
                                    (t!("billing-option-annual", amount = money(s.prices.annual_seat_cents, currency), percent = s.prices.annual_saving_percent()))
                                }
                            }
                        }
                        (field_error(field, "period", message))
                    }
                    p.actions { button.secondary type="submit" #review { (t!("billing-show-price")) } " " a href="/admin/subscription" { (t!("billing-cancel")) } }
                }
            }
            @if let Some(q) = &quote {
                section.card {
                    (quote_box(q, None, currency))
                    p.actions {
                        a.button #continue href={"/admin/subscription/order?seats=" (offer.seats) "&period=" (offer.period.as_str())} { (t!("billing-continue")) }
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
        &t!("billing-invoice-number", number = invoice.number),
        Some(&session),
        html! {
            article.invoice #invoice {
                header.invoice-head {
                    h1 { (t!("billing-invoice-number", number = invoice.number)) }
                    p { (t!("billing-invoice-date", date = date(invoice.issued_on))) }
                    p.muted.small { (t!("billing-invoice-refs", order = invoice.order_id.to_string(), payment = &invoice.payment_id)) }
                }
                div.parties {
                    section {
                        h2 { (t!("billing-seller")) }
                        p {
                            strong { (invoice.seller.name) } br; (invoice.seller.address) br; (invoice.seller.country) br;
                            (t!("billing-vat-number", number = &invoice.seller.vat_number))
                        }
                    }
                    section {
                        h2 { (t!("billing-buyer")) }
                        p {
                            strong { (invoice.buyer.company) } br; (invoice.buyer.name) br; (invoice.buyer.address) br; (invoice.buyer.country)
                            @if let Some(v) = &invoice.buyer.vat_number { br; (t!("billing-vat-number", number = v)) }
                            br; (invoice.buyer.email)
                        }
                    }
                }
                table.lines {
                    thead { tr { th { (t!("billing-col-description")) } th.amount { (t!("billing-col-amount")) } } }
                    tbody { @for l in &invoice.lines { tr { td { (line_text(l)) } td.amount { (money(l.cents, c)) } } } }
                    tfoot {
                        tr { td { (t!("billing-total-before-vat")) } td.amount { (money(invoice.amount.net_cents, c)) } }
                        tr { td { (vat_text(invoice.amount.vat)) } td.amount { (money(invoice.amount.vat_cents, c)) } }
                        tr.total { td { (t!("billing-total-paid")) } td.amount #invoice-total { (money(invoice.amount.total_cents, c)) } }
                    }
                }
                p { (t!("billing-paid-by", brand = &invoice.card.brand, last4 = &invoice.card.last4, date = date(invoice.issued_on))) }
                p.no-print {
                    button.secondary type="button" data-print="" { (t!("billing-print")) } " " a href="/admin/subscription" { (t!("billing-back-to-subscription")) }
                }
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
