//! The payment gateway port: save a card for a company and charge it, once per idempotency
//! key. Two adapters: Stripe over its HTTP API (`stripe`), and the built-in test gateway
//! (`test_gateway`), the default when no Stripe key is set, so the embedded default works
//! offline.
//!
//! Card numbers and security codes never pass through this port: Stripe's own card field
//! turns them into a payment method in the browser; the test gateway turns its test cards
//! into a token before anything else sees them, and keeps only brand, last four digits and
//! expiry.

pub mod stripe;
pub mod test_gateway;

use std::future::Future;

use deadpool_postgres::Pool;
use domain::subscription::{Card, DeclineReason, PaymentMethod};
use domain::CompanyId;
use uuid::Uuid;

pub use stripe::{StripeConfig, StripeGateway};
pub use test_gateway::TestGateway;

/// A card saved for later charges, with what may be shown of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedCard {
    pub method: PaymentMethod,
    pub card: Card,
}

/// One charge. The same `idempotency_key` charges once, however often it is sent.
#[derive(Debug, Clone)]
pub struct Charge<'a> {
    pub idempotency_key: Uuid,
    pub company_id: CompanyId,
    pub method: &'a PaymentMethod,
    pub amount_cents: i64,
    pub currency: &'a str,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charged {
    pub payment_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    #[error("the card was refused: {}", .0.code())]
    Declined(DeclineReason),
    /// The gateway could not be reached or failed; it is unknown whether it charged, so the
    /// same idempotency key must be used to try again.
    #[error("the payment provider is unavailable: {0}")]
    Unavailable(String),
    /// What was sent is not something this gateway accepts (a payment method of another
    /// gateway, an unknown token).
    #[error("{0}")]
    Invalid(String),
}

/// What a card field on the order form must be for this gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardField {
    /// The page collects the test card's number, expiry and security code and the server
    /// turns them into a token with `TestGateway::tokenize`.
    TestCards,
    /// The page loads Stripe.js from `js_url` and mounts Stripe's card element with this
    /// publishable key; the browser sends the server a payment method id.
    Stripe { publishable_key: String, js_url: String },
}

/// The port.
pub trait PaymentGateway: Send + Sync {
    /// `test` or `stripe`: recorded with each saved card, so a card is charged by the
    /// gateway that saved it.
    fn name(&self) -> &'static str;

    fn card_field(&self) -> CardField;

    /// Saves the card behind `token` (a payment method id, or a test gateway token) for the
    /// company, reusing its customer at the gateway when it has one. A card the issuer
    /// refuses is `Declined` here already.
    fn save_card(
        &self,
        company_id: CompanyId,
        billing_email: &str,
        token: &str,
        customer: Option<&str>,
    ) -> impl Future<Output = Result<SavedCard, GatewayError>> + Send;

    fn charge(&self, charge: &Charge<'_>) -> impl Future<Output = Result<Charged, GatewayError>> + Send;
}

/// The gateway this server uses, chosen at start from the configuration.
pub enum Gateway {
    Test(TestGateway),
    Stripe(StripeGateway),
}

impl PaymentGateway for Gateway {
    fn name(&self) -> &'static str {
        match self {
            Gateway::Test(g) => g.name(),
            Gateway::Stripe(g) => g.name(),
        }
    }

    fn card_field(&self) -> CardField {
        match self {
            Gateway::Test(g) => g.card_field(),
            Gateway::Stripe(g) => g.card_field(),
        }
    }

    async fn save_card(&self, company_id: CompanyId, billing_email: &str, token: &str, customer: Option<&str>) -> Result<SavedCard, GatewayError> {
        match self {
            Gateway::Test(g) => g.save_card(company_id, billing_email, token, customer).await,
            Gateway::Stripe(g) => g.save_card(company_id, billing_email, token, customer).await,
        }
    }

    async fn charge(&self, charge: &Charge<'_>) -> Result<Charged, GatewayError> {
        match self {
            Gateway::Test(g) => g.charge(charge).await,
            Gateway::Stripe(g) => g.charge(charge).await,
        }
    }
}

impl Gateway {
    /// The test gateway, when this server uses it (for its tokenizer).
    pub fn test_gateway(&self) -> Option<&TestGateway> {
        match self {
            Gateway::Test(g) => Some(g),
            Gateway::Stripe(_) => None,
        }
    }
}

/// Stripe when its keys are configured (see `StripeConfig::from_lookup`), else the test gateway
/// on `pool`. An incomplete Stripe configuration is refused when the settings are read
/// rather than silently falling back: a server meant to charge real cards must not start
/// with test cards.
pub fn from_config(stripe: Option<StripeConfig>, pool: Pool) -> Gateway {
    match stripe {
        Some(config) => Gateway::Stripe(StripeGateway::new(config)),
        None => Gateway::Test(TestGateway::new(pool)),
    }
}
