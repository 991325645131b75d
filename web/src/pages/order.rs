//! Company → Subscription → Order: billing details, the card (the test gateway's fields or
//! Stripe's card element), the amounts with VAT, and Validate.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use uuid::Uuid;

use app::auth::Session;
use app::billing::{self, CardInput, Checkout, CheckoutOutcome, TestCard, TEST_CARDS};
use domain::billing::BillingDetails;
use domain::company;
use domain::subscription::{Amount, Offer};
use payments::CardField;

use super::layout::{error_id, field_error, page, strings};
use super::subscription::{current_offer, decline_message, money, offer_of, quote_box, OfferQuery};
use super::{Form, Query};
use crate::auth::{check_csrf, Admin};
use crate::error::{refusal, AppError, Refusal};
use crate::Web;
use locale::t;

/// A test card's behaviour (as `TEST_CARDS` names it in English), in the reader's words.
fn test_card_behaviour(behaviour: &str) -> String {
    match behaviour {
        "succeeds" => t!("billing-test-card-succeeds"),
        "declined" => t!("billing-test-card-declined"),
        "insufficient funds" => t!("billing-test-card-insufficient-funds"),
        "expired card" => t!("billing-test-card-expired"),
        "wrong security code" => t!("billing-test-card-security-code"),
        "accepted, later charges declined" => t!("billing-test-card-later-declined"),
        other => other.to_owned(),
    }
}

/// The order form as typed; card fields are never echoed back.
#[derive(Debug, Deserialize, Default)]
pub struct OrderForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    order_id: String,
    #[serde(default)]
    seats: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    expected_total: String,
    #[serde(default)]
    billing_name: String,
    #[serde(default)]
    billing_company: String,
    #[serde(default)]
    billing_address: String,
    #[serde(default)]
    billing_country: String,
    #[serde(default)]
    vat_number: String,
    #[serde(default)]
    billing_email: String,
    #[serde(default)]
    card_number: String,
    #[serde(default)]
    card_expiry: String,
    #[serde(default)]
    card_cvc: String,
    #[serde(default)]
    payment_token: String,
}

impl OrderForm {
    fn billing(&self) -> BillingDetails {
        BillingDetails {
            name: self.billing_name.clone(),
            company: self.billing_company.clone(),
            address: self.billing_address.clone(),
            country: self.billing_country.clone(),
            vat_number: Some(self.vat_number.clone()),
            email: self.billing_email.clone(),
        }
    }

    fn prefilled(s: &billing::Subscription, session: &Session, offer: Offer) -> OrderForm {
        let b = s.billing.clone();
        OrderForm {
            order_id: Uuid::now_v7().to_string(),
            seats: offer.seats.to_string(),
            period: offer.period.as_str().into(),
            billing_name: b.as_ref().map_or_else(|| session.user.profile.full_name(), |b| b.name.clone()),
            billing_company: b.as_ref().map_or_else(|| s.company_name.clone(), |b| b.company.clone()),
            billing_address: b.as_ref().map(|b| b.address.clone()).unwrap_or_default(),
            billing_country: b.as_ref().map_or_else(|| s.prices.seller_country.clone(), |b| b.country.clone()),
            vat_number: b.as_ref().and_then(|b| b.vat_number.clone()).unwrap_or_default(),
            billing_email: b.as_ref().map_or_else(|| session.user.email.clone(), |b| b.email.clone()),
            ..OrderForm::default()
        }
    }
}

/// "12/30", "12/2030", "1 / 30" as (12, 2030).
fn expiry(text: &str) -> Option<(u32, i32)> {
    let (m, y) = text.split_once('/')?;
    let month = m.trim().parse::<u32>().ok()?;
    let year = y.trim().parse::<i32>().ok()?;
    let year = if (0..100).contains(&year) { 2000 + year } else { year };
    Some((month, year))
}

pub async fn order_form(State(web): State<Web>, Admin(session): Admin, Query(query): Query<OfferQuery>) -> Result<Response, AppError> {
    let s = billing::subscription(&web, &session).await?;
    let Ok(offer) = offer_of(query.seats.as_deref(), query.period.as_deref(), current_offer(&s)) else {
        return Ok(Redirect::to("/admin/subscription/edit").into_response());
    };
    let form = OrderForm::prefilled(&s, &session, offer);
    render_order(&web, &session, &s, offer, &form, None).await
}

async fn render_order(
    web: &Web,
    session: &Session,
    s: &billing::Subscription,
    offer: Offer,
    form: &OrderForm,
    error: Option<(String, Option<&'static str>)>,
) -> Result<Response, AppError> {
    let buyer = form.billing().checked().ok();
    let (quote, amount) = match billing::quote(web, session, offer, buyer.as_ref()).await {
        Ok(q) => q,
        Err(e) => {
            // The offer cannot be ordered (any more): say why on the edit page.
            let Refusal { message, .. } = refusal(e)?;
            return Ok((
                axum::http::StatusCode::CONFLICT,
                page(
                    &t!("billing-change-offer"),
                    Some(session),
                    html! {
                        h1 { (t!("billing-change-offer")) }
                        p.error role="alert" { (message) }
                        p { a href="/admin/subscription/edit" { (t!("billing-back-to-offer")) } }
                    },
                ),
            )
                .into_response());
        }
    };
    // Without details yet, the amount shown is for a buyer in the seller's country.
    let shown = amount.unwrap_or_else(|| {
        Amount::of(
            quote.net_cents,
            s.prices.vat_for(&BillingDetails { country: s.prices.seller_country.clone(), vat_number: None, ..form.billing() }),
        )
    });
    let (message, field) = error.as_ref().map_or((None, None), |(m, f)| (Some(m.as_str()), *f));
    let currency = &s.prices.currency;
    let text = |name: &'static str, label: String, value: &str, required: bool, kind: &str, autocomplete: &str| {
        html! {
            label for=(name) { (label) @if required { " *" } }
            input id=(name) name=(name) type=(kind) value=(value) required[required] autocomplete=(autocomplete) aria-invalid=(field == Some(name)) aria-describedby=[error_id(field, name)];
            (field_error(field, name, message))
        }
    };
    let status = if error.is_some() { axum::http::StatusCode::UNPROCESSABLE_ENTITY } else { axum::http::StatusCode::OK };
    let stripe = match &s.card_field {
        CardField::Stripe { publishable_key, js_url } => Some((publishable_key.clone(), js_url.clone())),
        CardField::TestCards => None,
    };
    let body = html! {
        h1 { (t!("billing-order")) }
        // The card has no field of ours to stand under (Stripe draws its own).
        @if let (Some(m), None | Some("payment_token")) = (message, field) { p.error role="alert" #order-error { (m) } }
        section.card { (quote_box(&quote, Some(&shown), currency)) }
        form.card method="post" action="/admin/subscription/order" #order-form {
            input type="hidden" name="csrf" value=(session.csrf);
            input type="hidden" name="order_id" value=(form.order_id);
            input type="hidden" name="seats" value=(offer.seats);
            input type="hidden" name="period" value=(offer.period.as_str());
            input type="hidden" name="expected_total" value=(shown.total_cents);
            h2 { (t!("billing-details")) }
            (text("billing_name", t!("billing-field-name"), &form.billing_name, true, "text", "name"))
            (text("billing_company", t!("billing-field-company"), &form.billing_company, true, "text", "organization"))
            (text("billing_address", t!("billing-field-address"), &form.billing_address, true, "text", "street-address"))
            (text("billing_country", t!("billing-field-country"), &form.billing_country, true, "text", "country"))
            (text("vat_number", t!("billing-field-vat"), &form.vat_number, false, "text", "off"))
            (text("billing_email", t!("billing-field-email"), &form.billing_email, true, "email", "email"))
            p.muted.small { (t!("billing-vat-explain", country = &s.prices.seller_country)) }
            @if shown.total_cents > 0 {
                h2 { (t!("billing-card")) }
                @match &stripe {
                    Some((key, js)) => {
                        div #card-element data-publishable-key=(key) data-js-url=(js) {}
                        p #card-errors role="alert" {}
                        input type="hidden" name="payment_token" value="";
                    }
                    None => {
                        p.notice #test-gateway {
                            (t!("billing-test-gateway")) " "
                            @for (i, (number, behaviour)) in TEST_CARDS.iter().enumerate() {
                                @if i > 0 { ", " }
                                code { (number) } " (" (test_card_behaviour(behaviour)) ")"
                            }
                            (t!("billing-test-gateway-end"))
                        }
                        (text("card_number", t!("billing-card-number"), "", true, "text", "cc-number"))
                        (text("card_expiry", t!("billing-card-expiry"), "", true, "text", "cc-exp"))
                        (text("card_cvc", t!("billing-card-security-code"), "", true, "text", "cc-csc"))
                    }
                }
            }
            p.actions {
                button type="submit" #validate {
                    @if shown.total_cents > 0 { (t!("billing-validate-and-pay", amount = money(shown.total_cents, currency))) } @else { (t!("billing-validate")) }
                }
                " " a href={"/admin/subscription/edit?seats=" (offer.seats) "&period=" (offer.period.as_str())} { (t!("billing-back")) }
            }
        }
        @if stripe.is_some() {
            (strings(&["billing-js-card-not-loaded", "billing-js-card-not-checked"]))
            script type="module" src="/static/stripe-checkout.js" {}
        }
    };
    Ok((status, page(&t!("billing-order"), Some(session), body)).into_response())
}

pub async fn place_order(State(web): State<Web>, Admin(session): Admin, Form(form): Form<OrderForm>) -> Result<Response, AppError> {
    check_csrf(&session, &form.csrf)?;
    let s = billing::subscription(&web, &session).await?;
    let offer = match offer_of(Some(&form.seats), Some(&form.period), current_offer(&s)) {
        Ok(o) => o,
        Err((message, field)) => return render_order(&web, &session, &s, current_offer(&s), &form, Some((message, Some(field)))).await,
    };
    let Ok(order_id) = Uuid::parse_str(form.order_id.trim()) else {
        return render_order(
            &web,
            &session,
            &s,
            offer,
            &OrderForm { order_id: Uuid::now_v7().to_string(), ..form },
            Some((t!("billing-order-incomplete"), None)),
        )
        .await;
    };
    let card = if !form.payment_token.trim().is_empty() {
        CardInput::Token(form.payment_token.trim().to_owned())
    } else if !form.card_number.trim().is_empty() {
        let Some((exp_month, exp_year)) = expiry(&form.card_expiry) else {
            let form = OrderForm { card_number: String::new(), card_cvc: String::new(), ..form };
            return render_order(&web, &session, &s, offer, &form, Some((t!("billing-bad-expiry"), Some("card_expiry")))).await;
        };
        CardInput::TestCard(TestCard { number: form.card_number.clone(), exp_month, exp_year, cvc: form.card_cvc.trim().to_owned() })
    } else {
        CardInput::None
    };
    let expected_total_cents = form.expected_total.trim().parse::<i64>().ok();
    let checkout = Checkout { order_id, offer, billing: form.billing(), card, expected_total_cents };
    // The card's digits go no further than the checkout.
    let form = OrderForm { card_number: String::new(), card_cvc: String::new(), card_expiry: String::new(), payment_token: String::new(), ..form };
    match billing::checkout(&web, &session, checkout).await {
        // 0: paid, no invoice number to link to.
        Ok(CheckoutOutcome::Paid { invoice }) => Ok(Redirect::to(&format!("/admin/users?paid={}", invoice.unwrap_or(0))).into_response()),
        Ok(CheckoutOutcome::Changed) => Ok(Redirect::to("/admin/subscription?changed=1").into_response()),
        Ok(CheckoutOutcome::Refused(reason)) => {
            // A new order for the next attempt: this one is recorded as refused.
            let form = OrderForm { order_id: Uuid::now_v7().to_string(), ..form };
            render_order(&web, &session, &s, offer, &form, Some((decline_message(&reason), None))).await
        }
        Err(app::Error::Command(commands::Error::Company(company::Error::AmountChanged { expected, actual }))) => {
            let currency = &s.prices.currency;
            let message = t!("billing-amount-changed", actual = money(actual, currency), expected = money(expected, currency));
            render_order(&web, &session, &s, offer, &form, Some((message, None))).await
        }
        Err(e) => {
            let Refusal { message, field, .. } = refusal(e)?;
            render_order(&web, &session, &s, offer, &form, Some((message, field))).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_dates_read_in_the_usual_ways() {
        assert_eq!(expiry("12/30"), Some((12, 2030)));
        assert_eq!(expiry(" 1 / 2031 "), Some((1, 2031)));
        assert_eq!(expiry("1230"), None);
        assert_eq!(expiry("ab/cd"), None);
    }
}
