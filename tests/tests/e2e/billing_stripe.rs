//! Buying seats when the server takes payments through Stripe, here a real localstripe
//! process: through the API with payment methods made as Stripe.js makes them, and in a real
//! Chromium typing the card into Stripe's card field, whose number never reaches Switchboard.

use reqwest::Method;
use serde_json::{json, Value};
use testkit::api::{refusal, Api};
use testkit::browser::Browser;
use testkit::localstripe::LocalStripe;
use testkit::{TestDb, TestServer};
use uuid::Uuid;

fn buyer() -> Value {
    json!({ "name": "Ada Lovelace", "company": "Acme", "address": "1 rue de la Paix, Paris", "country": "FR", "email": "billing@acme.test" })
}

async fn order(api: &Api, key: Uuid, seats: u32, token: &str) -> (u16, Value) {
    api.post_once("/api/v1/subscription/orders", key, json!({ "seats": seats, "period": "monthly", "billing": buyer(), "payment_token": token }))
        .await
}

/// The company's one Stripe customer, as the gateway recorded it.
async fn customer(db: &TestDb, company: domain::CompanyId) -> String {
    let events = testkit::db::company_events(&db.client().await, company.0).await;
    let placed = events.iter().rev().find(|(_, _, t, _)| t == "OrderPlaced").expect("an order");
    placed.3["order"]["payment_method"]["customer"].as_str().expect("a customer").to_owned()
}

#[tokio::test]
async fn seats_are_paid_through_stripe_once_per_order_and_a_declined_card_changes_nothing() {
    let stripe = LocalStripe::start().await;
    let db = TestDb::new().await;
    let server = TestServer::start_with_stripe(&db, stripe.config()).await;
    let (company, _) = server.company("Acme", "admin@acme.test", "admin-password", 1).await;
    let api = Api::login(&server, "admin@acme.test", "admin-password").await;
    let (_, s) = api.json(Method::GET, "/api/v1/subscription", None).await;
    assert_eq!(s["gateway"], "stripe");
    let test_card = api
        .json(
            Method::POST,
            "/api/v1/subscription/test-cards",
            Some(json!({ "number": "4242424242424242", "exp_month": 1, "exp_year": 2030, "cvc": "123" })),
        )
        .await;
    assert_eq!(refusal(&test_card), (409, "not_test_gateway", None));

    let declined = stripe.payment_method("4000000000000002", 12, 2030, "123").await;
    let (status, refused) = order(&api, Uuid::now_v7(), 3, &declined).await;
    assert_eq!(refusal(&(status, refused)), (402, "card_declined", Some("payment_token")));
    let (_, s) = api.json(Method::GET, "/api/v1/subscription", None).await;
    assert_eq!((s["seats"].as_u64(), s["card"].clone()), (Some(1), Value::Null));

    // Twice at once with one key, as a double click sends it: one PaymentIntent.
    let card = stripe.payment_method("4242424242424242", 12, 2030, "123").await;
    let key = Uuid::now_v7();
    let (a, b) = tokio::join!(order(&api, key, 3, &card), order(&api, key, 3, &card));
    assert_eq!((a.0, b.0), (200, 200), "{} / {}", a.1, b.1);
    assert_eq!((a.1["invoice"].as_u64(), a.1["subscription"]["seats"].as_u64()), (Some(1), Some(3)));
    let intents = stripe.payment_intents_of(&customer(&db, company).await).await;
    let succeeded: Vec<&Value> = intents.iter().filter(|pi| pi["status"] == "succeeded").collect();
    assert_eq!(succeeded.len(), 1, "{intents:?}");
    assert_eq!((succeeded[0]["amount"].as_i64(), succeeded[0]["currency"].as_str()), (Some(9000), Some("eur")));
    let (_, invoice) = api.json(Method::GET, "/api/v1/invoices/1", None).await;
    assert_eq!(invoice["payment_id"], succeeded[0]["id"]);
    assert_eq!(invoice["card"]["last4"], "4242");

    // The renewal charges the saved card off session, through Stripe too.
    let renews_on: chrono::NaiveDate = a.1["subscription"]["renews_on"].as_str().unwrap().parse().unwrap();
    let report = app::billing::renew_due(&server.app, renews_on).await.unwrap();
    assert_eq!(report, vec![app::billing::Renewed::Paid { company_id: company, invoice: 2 }]);
    let intents = stripe.payment_intents_of(&customer(&db, company).await).await;
    assert_eq!(intents.iter().filter(|pi| pi["status"] == "succeeded").count(), 2);
}

#[tokio::test]
async fn an_administrator_pays_in_stripes_card_field_in_a_real_browser() {
    let stripe = LocalStripe::start().await;
    let db = TestDb::new().await;
    let server = TestServer::start_with_stripe(&db, stripe.config()).await;
    let (company, _) = server.company("Acme", "admin@acme.test", "admin-password", 1).await;
    let browser = Browser::start().await;
    browser.log_in(&server.url("/login"), "admin@acme.test", "admin-password").await;
    browser.click("#seats-banner a").await;
    browser.fill("#seats", "2").await;
    browser.click("#review").await;
    browser.click("#continue").await;
    browser.fill("#billing_address", "1 rue de la Paix, Paris").await;
    assert!(browser.client.find(fantoccini::Locator::Css("#card_number")).await.is_err(), "no card number field of ours");
    // localstripe's Stripe.js draws its card element as plain inputs named by placeholder.
    for (field, value) in [("number", "4242424242424242"), ("exp_month", "12"), ("exp_year", "30"), ("cvc", "123"), ("postal_code", "75002")] {
        browser.fill(&format!("#card-element input[placeholder={field}]"), value).await;
    }
    browser.click("#validate").await;
    browser.find("#paid").await;
    assert!(browser.text("#paid").await.contains("2 seats are yours"));
    assert!(browser.client.find(fantoccini::Locator::Css("#seats-banner")).await.is_err(), "the banner is gone");
    let intents = stripe.payment_intents_of(&customer(&db, company).await).await;
    assert_eq!(intents.iter().filter(|pi| pi["status"] == "succeeded").count(), 1);
    // What the browser sent: a payment method id, never the number.
    let events = testkit::db::company_events(&db.client().await, company.0).await;
    let all = format!("{events:?}");
    assert!(all.contains("pm_") && !all.contains("4242424242424242"));
    browser.close().await;
}
