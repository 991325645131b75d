//! The Stripe adapter, over Stripe's HTTP API (form-encoded requests, JSON answers).
//!
//! Saving a card: the browser's Stripe.js turns the card into a payment method (`pm_…`);
//! here the company's customer is created when it has none and the payment method is
//! attached to it, which is when Stripe asks the issuer and may refuse the card. Charging:
//! one PaymentIntent, created and confirmed off session in one request. Every request that
//! creates something carries an `Idempotency-Key`, so a retry after a timeout charges once.
//!
//! Request bodies are never logged: they hold nothing secret today, but a log line of a body
//! is how card data ends up in logs the day someone adds a field.

use std::time::Duration;

use domain::subscription::{Card, DeclineReason, PaymentMethod};
use domain::CompanyId;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::{CardField, Charge, Charged, GatewayError, PaymentGateway, SavedCard};

pub const NAME: &str = "stripe";

pub const DEFAULT_API_BASE: &str = "https://api.stripe.com";
pub const DEFAULT_JS_URL: &str = "https://js.stripe.com/v3/";

#[derive(Clone, PartialEq, Eq)]
pub struct StripeConfig {
    pub secret_key: String,
    pub publishable_key: String,
    /// Without a trailing slash; another base (localstripe) in tests.
    pub api_base: String,
    pub js_url: String,
}

// The secret key stays out of logs and panics.
impl std::fmt::Debug for StripeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeConfig")
            .field("secret_key", &"…")
            .field("publishable_key", &self.publishable_key)
            .field("api_base", &self.api_base)
            .field("js_url", &self.js_url)
            .finish()
    }
}

impl StripeConfig {
    pub fn new(secret_key: impl Into<String>, publishable_key: impl Into<String>) -> StripeConfig {
        StripeConfig {
            secret_key: secret_key.into(),
            publishable_key: publishable_key.into(),
            api_base: DEFAULT_API_BASE.into(),
            js_url: DEFAULT_JS_URL.into(),
        }
    }

    /// From `SWITCHBOARD_STRIPE_SECRET_KEY`, `SWITCHBOARD_STRIPE_PUBLISHABLE_KEY`,
    /// `SWITCHBOARD_STRIPE_API_BASE` and `SWITCHBOARD_STRIPE_JS_URL`, read through `lookup`
    /// (the environment, or a test's table); `None` when no secret key is set (the server then
    /// uses the test gateway). Empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Option<StripeConfig>, String> {
        let get = |name: &str| lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let secret = get("SWITCHBOARD_STRIPE_SECRET_KEY");
        let publishable = get("SWITCHBOARD_STRIPE_PUBLISHABLE_KEY");
        let (secret_key, publishable_key) = match (secret, publishable) {
            (None, None) => return Ok(None),
            (Some(s), Some(p)) => (s, p),
            (Some(_), None) => return Err(
                "SWITCHBOARD_STRIPE_SECRET_KEY is set but SWITCHBOARD_STRIPE_PUBLISHABLE_KEY is not: the card field needs the publishable key (pk_…)"
                    .into(),
            ),
            (None, Some(_)) => return Err(
                "SWITCHBOARD_STRIPE_PUBLISHABLE_KEY is set but SWITCHBOARD_STRIPE_SECRET_KEY is not: charging needs the secret key (sk_… or rk_…)"
                    .into(),
            ),
        };
        if publishable_key.starts_with("sk_") || publishable_key.starts_with("rk_") {
            // The publishable key is sent to every browser.
            return Err("SWITCHBOARD_STRIPE_PUBLISHABLE_KEY holds a secret key: it must be the publishable key (pk_…)".into());
        }
        let api_base = get("SWITCHBOARD_STRIPE_API_BASE").unwrap_or_else(|| DEFAULT_API_BASE.into()).trim_end_matches('/').to_owned();
        if !(api_base.starts_with("https://") || api_base.starts_with("http://")) {
            return Err(format!("SWITCHBOARD_STRIPE_API_BASE must be an http(s) URL, not `{api_base}`"));
        }
        let js_url = get("SWITCHBOARD_STRIPE_JS_URL").unwrap_or_else(|| DEFAULT_JS_URL.into());
        Ok(Some(StripeConfig { secret_key, publishable_key, api_base, js_url }))
    }
}

pub struct StripeGateway {
    config: StripeConfig,
    http: reqwest::Client,
}

/// How often a request whose idempotency key is held by a concurrent request (Stripe's
/// 409 `idempotency_key_in_use`) is sent again before giving up as unavailable.
const KEY_IN_USE_RETRIES: u32 = 20;

impl StripeGateway {
    pub fn new(config: StripeConfig) -> StripeGateway {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            // Stripe answers within seconds; beyond this the outcome is unknown, and the
            // caller retries with the same idempotency key.
            .timeout(Duration::from_secs(60))
            .user_agent(concat!("switchboard/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("an HTTP client with rustls");
        StripeGateway { config, http }
    }

    pub fn config(&self) -> &StripeConfig {
        &self.config
    }

    /// `POST {api_base}{path}` with a form body; `Ok` with the JSON of a 2xx answer, else the
    /// gateway error the answer means.
    async fn post<T: for<'de> Deserialize<'de>>(
        &self,
        path: &str,
        form: &[(String, String)],
        idempotency_key: Option<&str>,
    ) -> Result<T, GatewayError> {
        let body = form_encode(form);
        let mut attempt = 0;
        loop {
            let mut request = self
                .http
                .post(format!("{}{path}", self.config.api_base))
                .bearer_auth(&self.config.secret_key)
                .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body.clone());
            if let Some(key) = idempotency_key {
                request = request.header("Idempotency-Key", key);
            }
            match self.answer(path, request).await {
                Err(Answer::KeyInUse) if attempt < KEY_IN_USE_RETRIES => {
                    // The first request with this key is still running; its result will be
                    // replayed to this one once it is done.
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(50 * attempt as u64)).await;
                }
                Err(Answer::KeyInUse) => return Err(GatewayError::Unavailable(format!("Stripe: {path}: the idempotency key stayed in use"))),
                Err(Answer::Failed(e)) => return Err(e),
                Ok(value) => {
                    return serde_json::from_value(value).map_err(|e| GatewayError::Unavailable(format!("Stripe: {path}: unexpected answer: {e}")))
                }
            }
        }
    }

    async fn answer(&self, path: &str, request: reqwest::RequestBuilder) -> Result<serde_json::Value, Answer> {
        let response = request.send().await.map_err(|e| Answer::Failed(GatewayError::Unavailable(format!("Stripe: {path}: {}", without_url(e)))))?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(|e| Answer::Failed(GatewayError::Unavailable(format!("Stripe: {path}: {}", without_url(e)))))?;
        if (200..300).contains(&status) {
            return serde_json::from_str(&text)
                .map_err(|e| Answer::Failed(GatewayError::Unavailable(format!("Stripe: {path}: unexpected answer: {e}"))));
        }
        let error = serde_json::from_str::<ErrorBody>(&text).map(|b| b.error).unwrap_or_default();
        if status == 409 && error.code.as_deref() == Some("idempotency_key_in_use") {
            return Err(Answer::KeyInUse);
        }
        let mapped = error_of(status, &error);
        tracing::info!(
            path,
            status,
            code = error.code.as_deref().unwrap_or(""),
            decline_code = error.decline_code.as_deref().unwrap_or(""),
            "Stripe refused a request"
        );
        Err(Answer::Failed(mapped))
    }

    async fn create_customer(&self, company_id: CompanyId, billing_email: &str) -> Result<String, GatewayError> {
        let form = vec![("email".to_owned(), billing_email.to_owned()), ("metadata[company_id]".to_owned(), company_id.0.to_string())];
        let customer: Object = self.post("/v1/customers", &form, Some(&customer_idempotency_key(company_id, billing_email))).await?;
        Ok(customer.id)
    }
}

enum Answer {
    KeyInUse,
    Failed(GatewayError),
}

/// reqwest's errors name the URL; ours is always the API base, which the message already
/// implies, and keeping URLs out keeps any query out.
fn without_url(e: reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let source = std::error::Error::source(&e).map(|s| format!(": {s}")).unwrap_or_default();
    format!("{kind}{source}")
}

/// One key per company and billing address: a retry of a failed first save reuses the
/// customer Stripe created, and a save with another address (which Stripe would refuse
/// under the same key, since the parameters differ) gets its own. Stripe forgets keys after
/// 24 hours, after which a retry creates another customer; harmless, as the saved card
/// names the customer it was attached to.
pub fn customer_idempotency_key(company_id: CompanyId, billing_email: &str) -> String {
    let digest = Sha256::digest(billing_email.trim().to_lowercase().as_bytes());
    format!("switchboard-customer-{}-{}", company_id.0.simple(), hex::encode(&digest[..8]))
}

/// `application/x-www-form-urlencoded`, as Stripe reads it: nested fields are written
/// `metadata[key]`, brackets included, and percent-encoded like everything else.
pub fn form_encode(pairs: &[(String, String)]) -> String {
    fn encode(s: &str, out: &mut String) {
        for b in s.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => out.push(b as char),
                b' ' => out.push('+'),
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
    }
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode(k, &mut out);
        out.push('=');
        encode(v, &mut out);
    }
    out
}

#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    error: StripeError,
}

/// The `error` object of a Stripe answer (only what is mapped).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct StripeError {
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub decline_code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

/// What a Stripe error answer means for the port. A refused card is `Declined` with the
/// most precise reason Stripe gives (its `decline_code` first, then its `code`); Stripe being
/// down, rate limiting us or rejecting our key is `Unavailable` (try again later with the
/// same idempotency key); anything else is a request it will never accept: `Invalid`.
pub fn error_of(status: u16, error: &StripeError) -> GatewayError {
    let message = error.message.clone().unwrap_or_else(|| format!("HTTP {status}"));
    if status >= 500 || status == 429 || status == 401 || status == 403 {
        return GatewayError::Unavailable(format!("Stripe: {message}"));
    }
    let reason = |code: &str| -> Option<DeclineReason> {
        Some(match code {
            "insufficient_funds" => DeclineReason::InsufficientFunds,
            "expired_card" => DeclineReason::Expired,
            "incorrect_cvc" | "invalid_cvc" => DeclineReason::IncorrectSecurityCode,
            "incorrect_number" | "invalid_number" => DeclineReason::IncorrectNumber,
            "authentication_required" | "payment_intent_authentication_failure" => DeclineReason::AuthenticationRequired,
            _ => return None,
        })
    };
    if let Some(r) = error.decline_code.as_deref().and_then(reason).or_else(|| error.code.as_deref().and_then(reason)) {
        return GatewayError::Declined(r);
    }
    match error.code.as_deref() {
        // Stripe's own trouble with the card network: nothing was charged, try again.
        Some("processing_error") => return GatewayError::Unavailable(format!("Stripe: {message}")),
        Some("card_declined") => return GatewayError::Declined(DeclineReason::Declined),
        _ => {}
    }
    if status == 402 || error.kind.as_deref() == Some("card_error") {
        // A refusal whose reason we do not word specially.
        return GatewayError::Declined(DeclineReason::Declined);
    }
    GatewayError::Invalid(format!("Stripe: {message}"))
}

#[derive(Debug, Deserialize)]
struct Object {
    id: String,
}

#[derive(Debug, Deserialize)]
struct StripePaymentMethod {
    id: String,
    #[serde(default)]
    card: Option<StripeCard>,
}

#[derive(Debug, Deserialize)]
struct StripeCard {
    brand: String,
    last4: String,
    exp_month: u32,
    exp_year: i32,
}

#[derive(Debug, Deserialize)]
struct PaymentIntent {
    id: String,
    status: String,
    #[serde(default)]
    last_payment_error: Option<StripeError>,
}

/// Stripe's brand codes, as the test gateway words them.
fn brand_name(brand: &str) -> String {
    match brand {
        "visa" => "Visa".into(),
        "mastercard" => "Mastercard".into(),
        "amex" => "American Express".into(),
        "discover" => "Discover".into(),
        "diners" => "Diners Club".into(),
        "jcb" => "JCB".into(),
        "unionpay" => "UnionPay".into(),
        "cartes_bancaires" => "Cartes Bancaires".into(),
        _ => "Card".into(),
    }
}

/// What a PaymentIntent's status after confirmation means.
fn outcome_of(intent: PaymentIntent) -> Result<Charged, GatewayError> {
    match intent.status.as_str() {
        "succeeded" => Ok(Charged { payment_id: intent.id }),
        // Off session nobody can pass 3-D Secure: the administrator must pay on the page.
        "requires_action" | "requires_confirmation" => Err(GatewayError::Declined(DeclineReason::AuthenticationRequired)),
        "requires_payment_method" | "canceled" => {
            Err(intent.last_payment_error.map(|e| error_of(402, &e)).unwrap_or(GatewayError::Declined(DeclineReason::Declined)))
        }
        // `processing` (rare for cards) and anything newer: not known to be paid.
        other => Err(GatewayError::Unavailable(format!("Stripe: payment {} is {other}", intent.id))),
    }
}

impl PaymentGateway for StripeGateway {
    fn name(&self) -> &'static str {
        NAME
    }

    fn card_field(&self) -> CardField {
        CardField::Stripe { publishable_key: self.config.publishable_key.clone(), js_url: self.config.js_url.clone() }
    }

    async fn save_card(&self, company_id: CompanyId, billing_email: &str, token: &str, customer: Option<&str>) -> Result<SavedCard, GatewayError> {
        if !token.starts_with("pm_") || !token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(GatewayError::Invalid("the card was not given as a Stripe payment method (pm_…)".into()));
        }
        let customer = match customer {
            Some(c) => c.to_owned(),
            None => self.create_customer(company_id, billing_email).await?,
        };
        // Attaching is idempotent at Stripe (the same method to the same customer), so no key.
        let method: StripePaymentMethod =
            self.post(&format!("/v1/payment_methods/{token}/attach"), &[("customer".to_owned(), customer.clone())], None).await?;
        let Some(card) = method.card else {
            return Err(GatewayError::Invalid("the Stripe payment method is not a card".into()));
        };
        Ok(SavedCard {
            method: PaymentMethod { gateway: NAME.into(), customer: Some(customer), id: method.id },
            card: Card { brand: brand_name(&card.brand), last4: card.last4, exp_month: card.exp_month, exp_year: card.exp_year },
        })
    }

    async fn charge(&self, charge: &Charge<'_>) -> Result<Charged, GatewayError> {
        if charge.method.gateway != NAME {
            return Err(GatewayError::Invalid(format!("a card saved by the {} gateway cannot be charged by Stripe", charge.method.gateway)));
        }
        let Some(customer) = &charge.method.customer else {
            return Err(GatewayError::Invalid("a Stripe card is charged through its customer, and this one has none".into()));
        };
        let form = charge_form(charge, customer);
        let intent: PaymentIntent = self.post("/v1/payment_intents", &form, Some(&charge.idempotency_key.to_string())).await?;
        outcome_of(intent)
    }
}

fn charge_form(charge: &Charge<'_>, customer: &str) -> Vec<(String, String)> {
    [
        ("amount", charge.amount_cents.to_string()),
        ("currency", charge.currency.to_lowercase()),
        ("customer", customer.to_owned()),
        ("payment_method", charge.method.id.clone()),
        ("confirm", "true".into()),
        ("off_session", "true".into()),
        ("description", charge.description.clone()),
        ("metadata[company_id]", charge.company_id.0.to_string()),
        ("metadata[idempotency_key]", charge.idempotency_key.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use uuid::Uuid;

    fn err(status: u16, kind: &str, code: Option<&str>, decline_code: Option<&str>) -> GatewayError {
        let e = StripeError {
            kind: Some(kind.into()),
            code: code.map(Into::into),
            decline_code: decline_code.map(Into::into),
            message: Some("m".into()),
        };
        error_of(status, &e)
    }

    #[test]
    fn stripe_errors_map_to_the_port_s_reasons() {
        use DeclineReason::*;
        let declined = |r| GatewayError::Declined(r);
        assert_eq!(err(402, "card_error", Some("card_declined"), Some("generic_decline")), declined(Declined));
        assert_eq!(err(402, "card_error", Some("card_declined"), None), declined(Declined), "localstripe says no more than this");
        assert_eq!(err(402, "card_error", Some("card_declined"), Some("insufficient_funds")), declined(InsufficientFunds));
        assert_eq!(err(402, "card_error", Some("card_declined"), Some("expired_card")), declined(Expired));
        assert_eq!(err(402, "card_error", Some("card_declined"), Some("incorrect_cvc")), declined(IncorrectSecurityCode));
        assert_eq!(err(402, "card_error", Some("card_declined"), Some("authentication_required")), declined(AuthenticationRequired));
        assert_eq!(err(402, "card_error", Some("expired_card"), None), declined(Expired));
        assert_eq!(err(402, "card_error", Some("incorrect_cvc"), None), declined(IncorrectSecurityCode));
        assert_eq!(err(402, "card_error", Some("invalid_cvc"), None), declined(IncorrectSecurityCode));
        assert_eq!(err(402, "card_error", Some("incorrect_number"), None), declined(IncorrectNumber));
        assert_eq!(err(402, "card_error", Some("invalid_number"), None), declined(IncorrectNumber));
        assert_eq!(err(402, "card_error", Some("authentication_required"), None), declined(AuthenticationRequired));
        assert_eq!(err(402, "card_error", Some("something_new"), None), declined(Declined));
        assert!(matches!(err(402, "card_error", Some("processing_error"), None), GatewayError::Unavailable(_)));
        assert!(matches!(err(500, "api_error", None, None), GatewayError::Unavailable(_)));
        assert!(matches!(err(503, "api_error", None, None), GatewayError::Unavailable(_)));
        assert!(matches!(err(429, "invalid_request_error", Some("rate_limit"), None), GatewayError::Unavailable(_)));
        assert!(matches!(err(401, "invalid_request_error", None, None), GatewayError::Unavailable(_)));
        assert!(matches!(err(404, "invalid_request_error", Some("resource_missing"), None), GatewayError::Invalid(_)));
        assert!(matches!(err(400, "idempotency_error", None, None), GatewayError::Invalid(_)));
        assert!(matches!(error_of(400, &StripeError::default()), GatewayError::Invalid(m) if m == "Stripe: HTTP 400"));
    }

    #[test]
    fn a_payment_intent_s_status_says_whether_it_was_paid() {
        let intent = |status: &str, error: Option<StripeError>| PaymentIntent { id: "pi_1".into(), status: status.into(), last_payment_error: error };
        assert_eq!(outcome_of(intent("succeeded", None)), Ok(Charged { payment_id: "pi_1".into() }));
        assert_eq!(outcome_of(intent("requires_action", None)), Err(GatewayError::Declined(DeclineReason::AuthenticationRequired)));
        let funds = StripeError { code: Some("card_declined".into()), decline_code: Some("insufficient_funds".into()), ..Default::default() };
        assert_eq!(outcome_of(intent("requires_payment_method", Some(funds))), Err(GatewayError::Declined(DeclineReason::InsufficientFunds)));
        assert_eq!(outcome_of(intent("requires_payment_method", None)), Err(GatewayError::Declined(DeclineReason::Declined)));
        assert!(matches!(outcome_of(intent("processing", None)), Err(GatewayError::Unavailable(_))));
    }

    #[test]
    fn forms_are_encoded_as_stripe_reads_them() {
        let pairs = |p: &[(&str, &str)]| p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
        assert_eq!(
            form_encode(&pairs(&[("email", "a+b@x.test"), ("metadata[company_id]", "42")])),
            "email=a%2Bb%40x.test&metadata%5Bcompany_id%5D=42"
        );
        assert_eq!(
            form_encode(&pairs(&[("description", "5 seats, 1 month & VAT: 20%"), ("x", "é")])),
            "description=5+seats%2C+1+month+%26+VAT%3A+20%25&x=%C3%A9"
        );
        assert_eq!(form_encode(&[]), "");
    }

    #[test]
    fn a_charge_is_one_confirmed_off_session_payment_intent() {
        let method = PaymentMethod { gateway: NAME.into(), customer: Some("cus_1".into()), id: "pm_1".into() };
        let key = Uuid::now_v7();
        let company = CompanyId(Uuid::now_v7());
        let charge =
            Charge { idempotency_key: key, company_id: company, method: &method, amount_cents: 1234, currency: "EUR", description: "Order".into() };
        let form: HashMap<String, String> = charge_form(&charge, "cus_1").into_iter().collect();
        assert_eq!(form["amount"], "1234");
        assert_eq!(form["currency"], "eur");
        assert_eq!(form["customer"], "cus_1");
        assert_eq!(form["payment_method"], "pm_1");
        assert_eq!(form["confirm"], "true");
        assert_eq!(form["off_session"], "true");
        assert_eq!(form["metadata[company_id]"], company.0.to_string());
        assert_eq!(form["metadata[idempotency_key]"], key.to_string());
    }

    #[test]
    fn the_customer_key_is_stable_per_company_and_address() {
        let a = CompanyId(Uuid::now_v7());
        let b = CompanyId(Uuid::now_v7());
        assert_eq!(customer_idempotency_key(a, "Boss@acme.test"), customer_idempotency_key(a, "boss@acme.test "));
        assert_ne!(customer_idempotency_key(a, "boss@acme.test"), customer_idempotency_key(b, "boss@acme.test"));
        assert_ne!(customer_idempotency_key(a, "boss@acme.test"), customer_idempotency_key(a, "billing@acme.test"));
        assert!(customer_idempotency_key(a, "x").len() <= 255, "Stripe's limit on keys");
    }

    fn config(vars: &[(&str, &str)]) -> Result<Option<StripeConfig>, String> {
        let vars: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        StripeConfig::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn the_configuration_is_read_from_the_environment() {
        assert_eq!(config(&[]), Ok(None));
        assert_eq!(config(&[("SWITCHBOARD_STRIPE_SECRET_KEY", " ")]), Ok(None), "empty is unset");
        let both = config(&[("SWITCHBOARD_STRIPE_SECRET_KEY", "sk_test_1"), ("SWITCHBOARD_STRIPE_PUBLISHABLE_KEY", "pk_test_1")]).unwrap().unwrap();
        assert_eq!(both, StripeConfig::new("sk_test_1", "pk_test_1"));
        assert_eq!(both.api_base, "https://api.stripe.com");
        assert_eq!(both.js_url, "https://js.stripe.com/v3/");
        let local = config(&[
            ("SWITCHBOARD_STRIPE_SECRET_KEY", "sk_test_1"),
            ("SWITCHBOARD_STRIPE_PUBLISHABLE_KEY", "pk_test_1"),
            ("SWITCHBOARD_STRIPE_API_BASE", "http://127.0.0.1:8420/"),
            ("SWITCHBOARD_STRIPE_JS_URL", "http://127.0.0.1:8420/js.stripe.com/v3/"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(local.api_base, "http://127.0.0.1:8420", "without its trailing slash");
        assert_eq!(local.js_url, "http://127.0.0.1:8420/js.stripe.com/v3/");
        let only_secret = config(&[("SWITCHBOARD_STRIPE_SECRET_KEY", "sk_test_1")]).unwrap_err();
        assert!(only_secret.contains("SWITCHBOARD_STRIPE_PUBLISHABLE_KEY"), "{only_secret}");
        let only_publishable = config(&[("SWITCHBOARD_STRIPE_PUBLISHABLE_KEY", "pk_test_1")]).unwrap_err();
        assert!(only_publishable.contains("SWITCHBOARD_STRIPE_SECRET_KEY"), "{only_publishable}");
        let swapped = config(&[("SWITCHBOARD_STRIPE_SECRET_KEY", "pk_test_1"), ("SWITCHBOARD_STRIPE_PUBLISHABLE_KEY", "sk_test_1")]).unwrap_err();
        assert!(swapped.contains("publishable key"), "{swapped}");
        assert!(config(&[
            ("SWITCHBOARD_STRIPE_SECRET_KEY", "sk_1"),
            ("SWITCHBOARD_STRIPE_PUBLISHABLE_KEY", "pk_1"),
            ("SWITCHBOARD_STRIPE_API_BASE", "api.stripe.com")
        ])
        .is_err());
    }

    #[test]
    fn the_secret_key_is_not_shown_when_debugged() {
        assert!(!format!("{:?}", StripeConfig::new("sk_test_secret", "pk_test_1")).contains("sk_test_secret"));
    }

    #[tokio::test]
    async fn a_token_that_is_not_a_stripe_payment_method_is_invalid_before_any_request() {
        // Nothing listens on this base: reaching it would be Unavailable, not Invalid.
        let gateway = StripeGateway::new(StripeConfig { api_base: "http://127.0.0.1:9".into(), ..StripeConfig::new("sk_test_1", "pk_test_1") });
        let company = CompanyId(Uuid::now_v7());
        for token in ["tok_test_abc", "pm_x/../../v1/customers", ""] {
            assert!(matches!(gateway.save_card(company, "a@b.test", token, None).await, Err(GatewayError::Invalid(_))), "{token}");
        }
        let foreign = PaymentMethod { gateway: "test".into(), customer: None, id: "tok_test_abc".into() };
        let charge = Charge {
            idempotency_key: Uuid::now_v7(),
            company_id: company,
            method: &foreign,
            amount_cents: 100,
            currency: "EUR",
            description: "x".into(),
        };
        assert!(matches!(gateway.charge(&charge).await, Err(GatewayError::Invalid(_))));
        let ours = PaymentMethod { gateway: NAME.into(), customer: Some("cus_1".into()), id: "pm_1".into() };
        let charge = Charge { method: &ours, ..charge };
        assert!(matches!(gateway.charge(&charge).await, Err(GatewayError::Unavailable(_))), "a network error is Unavailable");
    }
}
