//! The subscription through the API: the offer, quotes, orders (idempotent by the
//! `Idempotency-Key` header), the test gateway's card tokens, and invoices.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use domain::billing::{BillingDetails, Period};
use domain::subscription::{Amount, Invoice, Offer, Quote};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{ErrorBody, ErrorDetail, Json};
use crate::auth::ApiAdmin;
use crate::error::{ApiError, AppError};
use crate::pages::subscription::decline_message;
use crate::Web;
use app::billing::{self, CardInput, Checkout, CheckoutOutcome, TestCard};

#[derive(Serialize, ToSchema)]
pub struct ApiSubscription {
    pub seats: u32,
    pub seats_in_use: u32,
    /// `monthly` or `annual`; absent while the company has never paid.
    pub period: Option<String>,
    pub renews_on: Option<NaiveDate>,
    /// The offer from the next renewal, when it differs.
    pub pending_seats: Option<u32>,
    pub pending_period: Option<String>,
    /// Set while a renewal could not be charged.
    pub past_due_since: Option<NaiveDate>,
    pub currency: String,
    pub monthly_seat_cents: i64,
    pub annual_seat_cents: i64,
    /// Brand and last four digits of the card on file.
    pub card: Option<String>,
    /// `test` or `stripe`.
    pub gateway: String,
}

/// The offer in force, the prices and the card on file.
#[utoipa::path(get, path = "/api/v1/subscription", tag = "billing", security(("session" = [])), responses((status = 200, body = ApiSubscription)))]
pub async fn show(State(web): State<Web>, ApiAdmin(session): ApiAdmin) -> Result<axum::Json<ApiSubscription>, ApiError> {
    let s = billing::subscription(&web, &session).await?;
    let pending = s.current.as_ref().and_then(|c| c.pending);
    Ok(axum::Json(ApiSubscription {
        seats: s.seats,
        seats_in_use: s.seats_in_use,
        period: s.current.as_ref().map(|c| c.period.as_str().to_owned()),
        renews_on: s.current.as_ref().map(|c| c.renews_on),
        pending_seats: pending.map(|p| p.seats),
        pending_period: pending.map(|p| p.period.as_str().to_owned()),
        past_due_since: s.current.as_ref().and_then(|c| c.past_due.as_ref()).map(|p| p.since),
        currency: s.prices.currency.clone(),
        monthly_seat_cents: s.prices.monthly_seat_cents,
        annual_seat_cents: s.prices.annual_seat_cents,
        card: s.card.map(|c| format!("{} {}", c.brand, c.last4)),
        gateway: payments::PaymentGateway::name(&web.gateway).to_owned(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct OfferRequest {
    pub seats: u32,
    /// `monthly` or `annual`.
    pub period: String,
    /// With the buyer, the quote includes VAT.
    pub billing: Option<ApiBilling>,
}

#[derive(Deserialize, Serialize, ToSchema, Clone)]
pub struct ApiBilling {
    pub name: String,
    pub company: String,
    pub address: String,
    /// ISO 3166 alpha-2, such as FR.
    pub country: String,
    pub vat_number: Option<String>,
    pub email: String,
}

impl From<ApiBilling> for BillingDetails {
    fn from(b: ApiBilling) -> Self {
        BillingDetails { name: b.name, company: b.company, address: b.address, country: b.country, vat_number: b.vat_number, email: b.email }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ApiQuote {
    /// What is charged now, line by line (a credit is negative), in cents.
    pub lines: Vec<ApiLine>,
    pub net_cents: i64,
    /// With the buyer known.
    pub vat_cents: Option<i64>,
    pub total_cents: Option<i64>,
    pub seats_now: u32,
    pub renews_on: NaiveDate,
    pub next_renewal_seats: u32,
    pub next_renewal_period: String,
    pub next_renewal_net_cents: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ApiLine {
    /// `seats`, `added_seats` or `unused_time_credit`.
    pub kind: String,
    pub seats: u32,
    pub period: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub cents: i64,
}

fn api_quote(q: &Quote, amount: Option<Amount>) -> ApiQuote {
    use domain::billing::LineKind;
    ApiQuote {
        lines: q
            .lines
            .iter()
            .map(|l| ApiLine {
                kind: match l.description {
                    LineKind::Seats => "seats",
                    LineKind::AddedSeats => "added_seats",
                    LineKind::UnusedTimeCredit => "unused_time_credit",
                }
                .into(),
                seats: l.seats,
                period: l.period.as_str().into(),
                from: l.from,
                to: l.to,
                cents: l.cents,
            })
            .collect(),
        net_cents: q.net_cents,
        vat_cents: amount.map(|a| a.vat_cents),
        total_cents: amount.map(|a| a.total_cents),
        seats_now: q.seats_now,
        renews_on: q.next_renewal.on,
        next_renewal_seats: q.next_renewal.offer.seats,
        next_renewal_period: q.next_renewal.offer.period.as_str().into(),
        next_renewal_net_cents: q.next_renewal.net_cents,
    }
}

fn offer(seats: u32, period: &str) -> Result<Offer, AppError> {
    let period = period.parse::<Period>().map_err(|_| AppError::invalid("period", locale::t!("err-bad-period", value = period)))?;
    Ok(Offer { seats, period })
}

/// What an offer would cost today, before anything is charged.
#[utoipa::path(post, path = "/api/v1/subscription/quote", tag = "billing", request_body = OfferRequest, security(("session" = []), ("csrf" = [])),
    responses((status = 200, body = ApiQuote), (status = 409, body = ErrorBody, description = "seats_below_usage, nothing_to_change, renewal_due")))]
pub async fn quote(State(web): State<Web>, ApiAdmin(session): ApiAdmin, Json(req): Json<OfferRequest>) -> Result<axum::Json<ApiQuote>, ApiError> {
    let offer = offer(req.seats, &req.period)?;
    let buyer = match req.billing {
        Some(b) => Some(BillingDetails::from(b).checked().map_err(|e| AppError::invalid("billing", app::billing::details_message(&e)))?),
        None => None,
    };
    let (q, amount) = billing::quote(&web, &session, offer, buyer.as_ref()).await?;
    Ok(axum::Json(api_quote(&q, amount)))
}

#[derive(Deserialize, ToSchema)]
pub struct OrderRequest {
    pub seats: u32,
    pub period: String,
    pub billing: ApiBilling,
    /// A Stripe payment method (`pm_…`, from Stripe.js) or a test gateway token
    /// (`tok_test_…`, from `POST /api/v1/subscription/test-cards`). Not needed when nothing
    /// is charged.
    pub payment_token: Option<String>,
    /// The total the buyer agreed to: the order is refused (`amount_changed`) if it differs.
    pub expected_total_cents: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct OrderResult {
    /// `paid` or `changed` (nothing was charged).
    pub outcome: String,
    pub invoice: Option<u32>,
    pub subscription: ApiSubscription,
}

/// Orders an offer and pays for it. Send an `Idempotency-Key` header (a UUID) per order: the
/// same key again, even concurrently, charges once and answers the same. A refused card is
/// a 402 whose code says why (`card_declined`, `insufficient_funds`, `expired_card`,
/// `incorrect_cvc`, `incorrect_number`, `authentication_required`).
#[utoipa::path(post, path = "/api/v1/subscription/orders", tag = "billing", request_body = OrderRequest,
    params(("Idempotency-Key" = Uuid, Header, description = "one per order")), security(("session" = []), ("csrf" = [])),
    responses((status = 200, body = OrderResult), (status = 402, body = ErrorBody, description = "the card was refused"),
        (status = 409, body = ErrorBody, description = "seats_below_usage, amount_changed, order_id_reused, nothing_to_change")))]
pub async fn order(
    State(web): State<Web>,
    ApiAdmin(session): ApiAdmin,
    headers: HeaderMap,
    Json(req): Json<OrderRequest>,
) -> Result<Response, ApiError> {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::trim).unwrap_or_default();
    let order_id = Uuid::parse_str(key).map_err(|_| {
        AppError::App(app::Error::Invalid {
            code: "idempotency_key",
            message: locale::t!("billing-api-idempotency-key"),
            field: Some("Idempotency-Key"),
        })
    })?;
    let checkout = Checkout {
        order_id,
        offer: offer(req.seats, &req.period)?,
        billing: req.billing.into(),
        card: req.payment_token.map_or(CardInput::None, CardInput::Token),
        expected_total_cents: req.expected_total_cents,
    };
    let (outcome, invoice) = match billing::checkout(&web, &session, checkout).await? {
        CheckoutOutcome::Paid { invoice } => ("paid", invoice),
        CheckoutOutcome::Changed => ("changed", None),
        CheckoutOutcome::Refused(reason) => {
            let error = ErrorDetail { code: reason.code().into(), message: decline_message(&reason), field: Some("payment_token".into()) };
            return Ok((StatusCode::PAYMENT_REQUIRED, axum::Json(ErrorBody { error })).into_response());
        }
    };
    let axum::Json(subscription) = show(State(web), ApiAdmin(session)).await?;
    Ok(axum::Json(OrderResult { outcome: outcome.into(), invoice, subscription }).into_response())
}

#[derive(ToSchema)]
#[allow(dead_code)] // documents the body; it is read field by field so no error repeats a card number
pub struct ApiTestCard {
    /// One of the test gateway's test cards, such as 4242 4242 4242 4242.
    number: String,
    exp_month: u32,
    exp_year: i32,
    cvc: String,
}

#[derive(Serialize, ToSchema)]
pub struct CardToken {
    /// Pass as `payment_token` to an order.
    pub token: String,
}

/// Only on the test gateway: turns a test card into a token, as Stripe.js does for a real
/// card. A wrong number, expiry or code is a 402 saying which.
#[utoipa::path(post, path = "/api/v1/subscription/test-cards", tag = "billing", request_body = ApiTestCard, security(("session" = []), ("csrf" = [])),
    responses((status = 201, body = CardToken), (status = 402, body = ErrorBody), (status = 409, body = ErrorBody, description = "not_test_gateway")))]
pub async fn test_card(State(web): State<Web>, ApiAdmin(_session): ApiAdmin, body: axum::body::Bytes) -> Result<Response, ApiError> {
    let Some(gateway) = web.gateway.test_gateway() else {
        return Err(AppError::App(app::Error::Refused { code: "not_test_gateway", message: locale::t!("billing-api-stripe-only") }).into());
    };
    // Read by hand: a serde error would quote the value it could not read.
    let value: Value = serde_json::from_slice(&body).map_err(|_| invalid_json())?;
    let text = |name: &'static str| {
        value
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| AppError::invalid(name, locale::t!("billing-api-not-a-string", name = name)))
    };
    let int = |name: &'static str| {
        value.get(name).and_then(Value::as_i64).ok_or_else(|| AppError::invalid(name, locale::t!("billing-api-not-a-whole-number", name = name)))
    };
    let card = TestCard {
        number: text("number")?,
        exp_month: int("exp_month")?.clamp(0, 99) as u32,
        exp_year: int("exp_year")?.clamp(0, 9999) as i32,
        cvc: text("cvc")?,
    };
    match gateway.tokenize(&card, web.today()).await {
        Ok(token) => Ok((StatusCode::CREATED, axum::Json(CardToken { token })).into_response()),
        Err(payments::GatewayError::Declined(reason)) => {
            let error = ErrorDetail { code: reason.code().into(), message: decline_message(&reason), field: Some("number".into()) };
            Ok((StatusCode::PAYMENT_REQUIRED, axum::Json(ErrorBody { error })).into_response())
        }
        Err(e) => Err(AppError::App(app::Error::Refused { code: "payment_unavailable", message: e.to_string() }).into()),
    }
}

fn invalid_json() -> ApiError {
    AppError::App(app::Error::Invalid { code: "invalid_json", message: locale::t!("billing-api-not-an-object"), field: None }).into()
}

#[derive(Serialize, ToSchema)]
pub struct ApiInvoiceSummary {
    pub number: u32,
    pub issued_on: NaiveDate,
    pub total_cents: i64,
    pub currency: String,
}

/// The company's invoices, newest first.
#[utoipa::path(get, path = "/api/v1/invoices", tag = "billing", security(("session" = [])), responses((status = 200, body = [ApiInvoiceSummary])))]
pub async fn invoices(State(web): State<Web>, ApiAdmin(session): ApiAdmin) -> Result<axum::Json<Vec<ApiInvoiceSummary>>, ApiError> {
    let list = billing::invoices(&web, &session).await?;
    Ok(axum::Json(
        list.into_iter()
            .map(|i| ApiInvoiceSummary { number: i.number, issued_on: i.issued_on, total_cents: i.total_cents, currency: i.currency })
            .collect(),
    ))
}

/// One invoice as issued: number, date, seller and buyer, lines, VAT, total, card.
#[utoipa::path(get, path = "/api/v1/invoices/{number}", tag = "billing", params(("number" = u32, Path)), security(("session" = [])),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn invoice(
    State(web): State<Web>,
    ApiAdmin(session): ApiAdmin,
    axum::extract::Path(number): axum::extract::Path<String>,
) -> Result<axum::Json<Invoice>, ApiError> {
    let number = number.parse::<u32>().map_err(|_| AppError::App(app::Error::NotFound))?;
    Ok(axum::Json(billing::invoice(&web, &session, number).await?))
}
