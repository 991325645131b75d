//! The payment gateway port's contract, the same tests for each adapter: the test gateway on
//! a fresh PostgreSQL database, and the Stripe adapter against a real localstripe process.
//! Cards are Stripe's test cards, which both know.

use domain::subscription::{Card, DeclineReason, PaymentMethod};
use domain::CompanyId;
use payments::test_gateway::TestCard;
use payments::{Charge, GatewayError, PaymentGateway, StripeGateway, TestGateway};
use testkit::localstripe::LocalStripe;
use testkit::TestDb;
use uuid::Uuid;

const EXP: (u32, i32) = (12, 2030);

/// An adapter under test, with what the contract needs to see behind the port.
trait Harness: Sized {
    type Gateway: PaymentGateway;

    async fn fresh() -> Self;

    fn gateway(&self) -> &Self::Gateway;

    /// What the browser's card field turns this test card into.
    async fn token(&self, number: &str) -> String;

    /// Charges the gateway made on this saved card, counted at the gateway.
    async fn charges(&self, method: &PaymentMethod) -> usize;

    /// The reason this adapter can give for a card Stripe refuses with `reason`.
    fn reason(&self, reason: DeclineReason) -> DeclineReason {
        reason
    }

    /// A card saved by the other gateway.
    fn foreign(&self) -> (PaymentMethod, String);
}

struct OnTestGateway {
    db: TestDb,
    gateway: TestGateway,
}

impl Harness for OnTestGateway {
    type Gateway = TestGateway;

    async fn fresh() -> Self {
        let db = TestDb::new().await;
        let gateway = TestGateway::new(db.pool(4));
        OnTestGateway { db, gateway }
    }

    fn gateway(&self) -> &TestGateway {
        &self.gateway
    }

    async fn token(&self, number: &str) -> String {
        let card = TestCard { number: number.into(), exp_month: EXP.0, exp_year: EXP.1, cvc: "123".into() };
        self.gateway.tokenize(&card, chrono::Utc::now().date_naive()).await.unwrap()
    }

    async fn charges(&self, method: &PaymentMethod) -> usize {
        let client = self.db.client().await;
        let n: i64 = client.query_one("SELECT count(*) FROM test_gateway_charges WHERE token = $1", &[&method.id]).await.unwrap().get(0);
        n as usize
    }

    fn foreign(&self) -> (PaymentMethod, String) {
        (PaymentMethod { gateway: "stripe".into(), customer: Some("cus_Abc123".into()), id: "pm_Abc123".into() }, "pm_Abc123".into())
    }
}

struct OnLocalStripe {
    stripe: LocalStripe,
    gateway: StripeGateway,
}

impl Harness for OnLocalStripe {
    type Gateway = StripeGateway;

    async fn fresh() -> Self {
        let stripe = LocalStripe::start().await;
        let gateway = StripeGateway::new(stripe.config());
        OnLocalStripe { stripe, gateway }
    }

    fn gateway(&self) -> &StripeGateway {
        &self.gateway
    }

    async fn token(&self, number: &str) -> String {
        self.stripe.payment_method(number, EXP.0, EXP.1, "123").await
    }

    async fn charges(&self, method: &PaymentMethod) -> usize {
        let intents = self.stripe.payment_intents_of(method.customer.as_deref().unwrap()).await;
        intents.iter().filter(|pi| pi["payment_method"] == method.id.as_str()).count()
    }

    /// localstripe refuses every refused test card with `card_declined` and no
    /// `decline_code`, so the Stripe adapter can only say `Declined` there; Stripe itself
    /// sends the decline code, whose mapping the adapter's unit tests cover.
    fn reason(&self, _reason: DeclineReason) -> DeclineReason {
        DeclineReason::Declined
    }

    fn foreign(&self) -> (PaymentMethod, String) {
        let token = "tok_test_0123456789abcdef01234567".to_owned();
        (PaymentMethod { gateway: "test".into(), customer: Some("cus_test_0123".into()), id: token.clone() }, token)
    }
}

fn charge<'a>(company: CompanyId, method: &'a PaymentMethod, key: Uuid) -> Charge<'a> {
    Charge {
        idempotency_key: key,
        company_id: company,
        method,
        amount_cents: 4_800,
        currency: "EUR",
        description: "Switchboard: 2 seats, monthly".into(),
    }
}

async fn a_good_card_is_saved_with_what_may_be_shown<H: Harness>() {
    let h = H::fresh().await;
    let company = CompanyId::new();
    let token = h.token("4242424242424242").await;
    let saved = h.gateway().save_card(company, "billing@acme.test", &token, None).await.unwrap();
    assert_eq!(saved.card, Card { brand: "Visa".into(), last4: "4242".into(), exp_month: EXP.0, exp_year: EXP.1 });
    assert_eq!(saved.method.gateway, h.gateway().name());
    let customer = saved.method.customer.clone().expect("a customer at the gateway");

    // A second card of the same company goes to the same customer.
    let token = h.token("4242424242424242").await;
    let again = h.gateway().save_card(company, "billing@acme.test", &token, Some(&customer)).await.unwrap();
    assert_eq!(again.method.customer.as_deref(), Some(customer.as_str()));
    assert_ne!(again.method.id, saved.method.id);
}

async fn each_refused_card_is_declined_with_its_reason<H: Harness>() {
    let h = H::fresh().await;
    let cases = [
        ("4000000000000002", DeclineReason::Declined),
        ("4000000000009995", DeclineReason::InsufficientFunds),
        ("4000000000000069", DeclineReason::Expired),
        ("4000000000000127", DeclineReason::IncorrectSecurityCode),
    ];
    for (number, reason) in cases {
        let token = h.token(number).await;
        let refused = h.gateway().save_card(CompanyId::new(), "billing@acme.test", &token, None).await;
        assert_eq!(refused, Err(GatewayError::Declined(h.reason(reason))), "card {number}");
    }
}

async fn one_idempotency_key_charges_once_however_often_and_concurrently_sent<H: Harness>() {
    let h = H::fresh().await;
    let company = CompanyId::new();
    let token = h.token("4242424242424242").await;
    let saved = h.gateway().save_card(company, "billing@acme.test", &token, None).await.unwrap();

    let key = Uuid::now_v7();
    let first = h.gateway().charge(&charge(company, &saved.method, key)).await.unwrap();
    let retried = h.gateway().charge(&charge(company, &saved.method, key)).await.unwrap();
    assert_eq!(retried, first, "a retry returns the first payment");
    assert_eq!(h.charges(&saved.method).await, 1);

    // Two requests racing with one key (a double click, a retry while the first still runs).
    let key = Uuid::now_v7();
    let (one, other) = (charge(company, &saved.method, key), charge(company, &saved.method, key));
    let (a, b) = tokio::join!(h.gateway().charge(&one), h.gateway().charge(&other));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a, b);
    assert_ne!(a, first, "another key is another payment");
    assert_eq!(h.charges(&saved.method).await, 2, "one charge per key");
}

async fn a_card_whose_charges_are_declined_saves_and_then_fails_to_charge<H: Harness>() {
    let h = H::fresh().await;
    let company = CompanyId::new();
    let token = h.token("4000000000000341").await;
    let saved = h.gateway().save_card(company, "billing@acme.test", &token, None).await.unwrap();
    assert_eq!(saved.card.last4, "0341");
    let refused = h.gateway().charge(&charge(company, &saved.method, Uuid::now_v7())).await;
    assert_eq!(refused, Err(GatewayError::Declined(DeclineReason::Declined)));
}

async fn a_card_of_the_other_gateway_is_invalid<H: Harness>() {
    let h = H::fresh().await;
    let company = CompanyId::new();
    let (method, token) = h.foreign();
    let charged = h.gateway().charge(&charge(company, &method, Uuid::now_v7())).await;
    assert!(matches!(charged, Err(GatewayError::Invalid(_))), "{charged:?}");
    let saved = h.gateway().save_card(company, "billing@acme.test", &token, None).await;
    assert!(matches!(saved, Err(GatewayError::Invalid(_))), "{saved:?}");
}

macro_rules! contract {
    ($module:ident, $harness:ty) => {
        mod $module {
            use super::*;

            #[tokio::test]
            async fn a_good_card_is_saved_with_what_may_be_shown() {
                super::a_good_card_is_saved_with_what_may_be_shown::<$harness>().await;
            }

            #[tokio::test]
            async fn each_refused_card_is_declined_with_its_reason() {
                super::each_refused_card_is_declined_with_its_reason::<$harness>().await;
            }

            #[tokio::test]
            async fn one_idempotency_key_charges_once_however_often_and_concurrently_sent() {
                super::one_idempotency_key_charges_once_however_often_and_concurrently_sent::<$harness>().await;
            }

            #[tokio::test]
            async fn a_card_whose_charges_are_declined_saves_and_then_fails_to_charge() {
                super::a_card_whose_charges_are_declined_saves_and_then_fails_to_charge::<$harness>().await;
            }

            #[tokio::test]
            async fn a_card_of_the_other_gateway_is_invalid() {
                super::a_card_of_the_other_gateway_is_invalid::<$harness>().await;
            }
        }
    };
}

contract!(test_gateway, OnTestGateway);
contract!(stripe_on_localstripe, OnLocalStripe);

/// What only Stripe does, or only its requests show.
mod stripe_only {
    use super::*;

    /// 4000 0025 0000 3155 needs 3-D Secure, which nobody can pass off session (the test
    /// gateway does not know this card).
    #[tokio::test]
    async fn a_card_that_needs_authentication_is_refused_off_session() {
        let h = OnLocalStripe::fresh().await;
        let company = CompanyId::new();
        let token = h.token("4000002500003155").await;
        let saved = h.gateway.save_card(company, "billing@acme.test", &token, None).await.unwrap();
        let refused = h.gateway.charge(&charge(company, &saved.method, Uuid::now_v7())).await;
        assert_eq!(refused, Err(GatewayError::Declined(DeclineReason::AuthenticationRequired)));
    }

    #[tokio::test]
    async fn the_customer_and_the_payment_carry_what_stripe_s_dashboard_shows() {
        let h = OnLocalStripe::fresh().await;
        let company = CompanyId::new();
        let token = h.token("4242424242424242").await;
        let saved = h.gateway.save_card(company, "billing+eu@acme.test", &token, None).await.unwrap();
        let customer = h.stripe.get(&format!("/v1/customers/{}", saved.method.customer.as_deref().unwrap())).await;
        assert_eq!(customer["email"], "billing+eu@acme.test");
        assert_eq!(customer["metadata"]["company_id"], company.0.to_string());

        let key = Uuid::now_v7();
        let charged = h.gateway.charge(&charge(company, &saved.method, key)).await.unwrap();
        let intent = h.stripe.get(&format!("/v1/payment_intents/{}", charged.payment_id)).await;
        assert_eq!(intent["status"], "succeeded");
        assert_eq!(intent["amount"], 4_800);
        assert_eq!(intent["currency"], "eur");
        assert_eq!(intent["description"], "Switchboard: 2 seats, monthly");
        assert_eq!(intent["metadata"]["company_id"], company.0.to_string());
        assert_eq!(intent["metadata"]["idempotency_key"], key.to_string());
    }

    /// A company's first save creates its customer under a key derived from the company:
    /// a retry after a refused card reuses the customer instead of making another.
    #[tokio::test]
    async fn a_retried_first_save_reuses_the_customer() {
        let h = OnLocalStripe::fresh().await;
        let company = CompanyId::new();
        let refused = h.token("4000000000000002").await;
        assert!(h.gateway.save_card(company, "billing@acme.test", &refused, None).await.is_err());
        let good = h.token("4242424242424242").await;
        let saved = h.gateway.save_card(company, "billing@acme.test", &good, None).await.unwrap();
        let customers = h.stripe.get("/v1/customers?limit=100").await;
        assert_eq!(customers["data"].as_array().unwrap().len(), 1, "{customers}");
        assert_eq!(customers["data"][0]["id"], saved.method.customer.unwrap().as_str());
    }

    #[tokio::test]
    async fn stripe_down_is_unavailable() {
        let port = testkit::process::free_port();
        let config = payments::StripeConfig { api_base: format!("http://127.0.0.1:{port}"), ..payments::StripeConfig::new("sk_test_1", "pk_test_1") };
        let gateway = StripeGateway::new(config);
        let saved = gateway.save_card(CompanyId::new(), "billing@acme.test", "pm_Abc123", None).await;
        assert!(matches!(saved, Err(GatewayError::Unavailable(_))), "{saved:?}");
    }
}
