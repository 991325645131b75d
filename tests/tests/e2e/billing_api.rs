//! The subscription through the JSON API on a real PostgreSQL, paid through the built-in
//! test gateway: orders and their proration, refused cards, double submissions, fewer
//! seats, renewals that fail and recover, roles and tenants.

use app::{Billing, Clock};
use chrono::NaiveDate;
use domain::company::Role;
use reqwest::Method;
use serde_json::{json, Value};
use testkit::api::{refusal, Api};
use testkit::db::company_events;
use testkit::{TestDb, TestServer};
use uuid::Uuid;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

async fn admin(server: &TestServer, company: &str, seats: u32) -> (Api, domain::CompanyId) {
    let email = format!("admin@{}.test", company.to_lowercase());
    let (company_id, _) = server.company(company, &email, "admin-password", seats).await;
    (Api::login(server, &email, "admin-password").await, company_id)
}

fn buyer() -> Value {
    json!({ "name": "Ada Lovelace", "company": "Acme", "address": "1 rue de la Paix, Paris", "country": "FR", "email": "billing@acme.test" })
}

/// A test gateway token for this card number (expiry December 2030, code 123).
async fn token(api: &Api, number: &str) -> Result<String, (u16, Value)> {
    let answer = api
        .json(Method::POST, "/api/v1/subscription/test-cards", Some(json!({ "number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123" })))
        .await;
    match answer.0 {
        201 => Ok(answer.1["token"].as_str().unwrap().to_owned()),
        _ => Err(answer),
    }
}

async fn order(api: &Api, key: Uuid, seats: u32, period: &str, token: Option<&str>) -> (u16, Value) {
    api.post_once("/api/v1/subscription/orders", key, json!({ "seats": seats, "period": period, "billing": buyer(), "payment_token": token })).await
}

async fn charges(db: &TestDb) -> i64 {
    db.client().await.query_one("SELECT count(*) FROM test_gateway_charges", &[]).await.unwrap().get(0)
}

#[tokio::test]
async fn an_administrator_buys_seats_by_card_and_can_add_a_user_at_once() {
    let db = TestDb::new().await;
    let server = TestServer::start_with_billing(&db, Billing { clock: Clock::Fixed(day(2028, 1, 31)), ..Default::default() }).await;
    let (api, _) = admin(&server, "Acme", 1).await;
    let (_, before) = api.json(Method::GET, "/api/v1/subscription", None).await;
    assert_eq!(
        (before["seats"].as_u64(), before["seats_in_use"].as_u64(), before["period"].clone(), before["gateway"].as_str()),
        (Some(1), Some(1), Value::Null, Some("test"))
    );
    let (status, _) =
        api.json(Method::POST, "/api/v1/users", Some(json!({ "email": "grace@acme.test", "first_name": "Grace", "last_name": "Hopper" }))).await;
    assert_eq!(status, 409, "no seat is free yet");

    let (status, quote) =
        api.json(Method::POST, "/api/v1/subscription/quote", Some(json!({ "seats": 3, "period": "monthly", "billing": buyer() }))).await;
    assert_eq!(status, 200, "{quote}");
    // A month from 31 January 2028 ends on 29 February (a leap year); 3 × €25 + 20 % VAT.
    assert_eq!((quote["net_cents"].as_i64(), quote["vat_cents"].as_i64(), quote["total_cents"].as_i64()), (Some(7500), Some(1500), Some(9000)));
    assert_eq!(quote["renews_on"], "2028-02-29");

    let card = token(&api, "4242 4242 4242 4242").await.unwrap();
    let (status, paid) = order(&api, Uuid::now_v7(), 3, "monthly", Some(&card)).await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!((paid["outcome"].as_str(), paid["invoice"].as_u64(), paid["subscription"]["seats"].as_u64()), (Some("paid"), Some(1), Some(3)));
    assert_eq!(paid["subscription"]["card"], "Visa 4242");
    // Read your writes: the licence and the users endpoint see the seats at once.
    let (_, licence) = api.json(Method::GET, "/api/v1/licence", None).await;
    assert_eq!((licence["seats"].as_i64(), licence["exhausted"].as_bool()), (Some(3), Some(false)));
    let (status, _) =
        api.json(Method::POST, "/api/v1/users", Some(json!({ "email": "grace@acme.test", "first_name": "Grace", "last_name": "Hopper" }))).await;
    assert_eq!(status, 201);

    let (_, invoices) = api.json(Method::GET, "/api/v1/invoices", None).await;
    assert_eq!(invoices, json!([{ "number": 1, "issued_on": "2028-01-31", "total_cents": 9000, "currency": "EUR" }]));
    let (_, invoice) = api.json(Method::GET, "/api/v1/invoices/1", None).await;
    assert_eq!(invoice["buyer"]["company"], "Acme");
    assert_eq!(invoice["seller"]["name"], "Switchboard SAS");
    assert_eq!((invoice["card"]["brand"].as_str(), invoice["card"]["last4"].as_str()), (Some("Visa"), Some("4242")));
    assert_eq!(invoice["amount"]["total_cents"], 9000);
    assert_eq!(charges(&db).await, 1);
}

#[tokio::test]
async fn seats_added_mid_period_are_prorated_and_fewer_seats_wait_for_the_renewal() {
    let db = TestDb::new().await;
    // Two servers on one database, standing on different days.
    let first = TestServer::start_with_billing(&db, Billing { clock: Clock::Fixed(day(2028, 1, 31)), ..Default::default() }).await;
    let (api, company) = admin(&first, "Acme", 1).await;
    let card = token(&api, "4242424242424242").await.unwrap();
    assert_eq!(order(&api, Uuid::now_v7(), 3, "monthly", Some(&card)).await.0, 200);

    let later = TestServer::start_with_billing(&db, Billing { clock: Clock::Fixed(day(2028, 2, 15)), ..Default::default() }).await;
    let api = Api::login(&later, "admin@acme.test", "admin-password").await;
    let (_, quote) = api.json(Method::POST, "/api/v1/subscription/quote", Some(json!({ "seats": 5, "period": "monthly" }))).await;
    // 2 seats × €25 × 14 of February 2028's 29 days = €24.1379… → €24.14.
    assert_eq!(
        (quote["lines"][0]["kind"].as_str(), quote["lines"][0]["seats"].as_u64(), quote["net_cents"].as_i64()),
        (Some("added_seats"), Some(2), Some(2414))
    );
    assert_eq!((quote["renews_on"].as_str(), quote["next_renewal_net_cents"].as_i64()), (Some("2028-02-29"), Some(12500)));
    let (status, paid) = order(&api, Uuid::now_v7(), 5, "monthly", Some(&card)).await;
    assert_eq!((status, paid["subscription"]["seats"].as_u64()), (200, Some(5)), "{paid}");
    assert_eq!(api.json(Method::GET, "/api/v1/invoices/2", None).await.1["amount"]["total_cents"], 2414 + 483);

    first.user(company, "grace@acme.test", "grace-password", &[Role::Agent]).await;
    first.user(company, "alan@acme.test", "alan-password", &[Role::Agent]).await;
    let below = order(&api, Uuid::now_v7(), 2, "monthly", None).await;
    assert_eq!(refusal(&below), (409, "seats_below_usage", Some("seats")));
    let message = below.1["error"]["message"].as_str().unwrap();
    assert!(message.contains("3 seats are in use") && message.contains("the 2 asked for") && message.contains("deactivate"), "{message}");

    // Fewer seats: no card, nothing charged, the five stay until the renewal.
    let (status, fewer) = order(&api, Uuid::now_v7(), 4, "monthly", None).await;
    assert_eq!(
        (status, fewer["outcome"].as_str(), fewer["subscription"]["seats"].as_u64(), fewer["subscription"]["pending_seats"].as_u64()),
        (200, Some("changed"), Some(5), Some(4))
    );
    assert_eq!(refusal(&order(&api, Uuid::now_v7(), 4, "monthly", None).await), (409, "nothing_to_change", None));
    let without_key =
        api.json(Method::POST, "/api/v1/subscription/orders", Some(json!({ "seats": 6, "period": "monthly", "billing": buyer() }))).await;
    assert_eq!(refusal(&without_key), (422, "idempotency_key", Some("Idempotency-Key")));
    assert_eq!(charges(&db).await, 2);

    let report = app::billing::renew_due(&later.app, day(2028, 2, 29)).await.unwrap();
    assert_eq!(report, vec![app::billing::Renewed::Paid { company_id: company, invoice: 3 }]);
    let (_, s) = api.json(Method::GET, "/api/v1/subscription", None).await;
    assert_eq!((s["seats"].as_u64(), s["pending_seats"].clone(), s["renews_on"].as_str()), (Some(4), Value::Null, Some("2028-03-29")));
}

#[tokio::test]
async fn each_refused_card_says_why_and_leaves_the_offer_as_it_was() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (api, company) = admin(&server, "Acme", 2).await;
    for (number, code) in [
        ("4000000000000002", "card_declined"),
        ("4000000000009995", "insufficient_funds"),
        ("4000000000000069", "expired_card"),
        ("4000000000000127", "incorrect_cvc"),
        ("4000000000000341", "card_declined"),
    ] {
        let card = token(&api, number).await.unwrap();
        let (status, refused) = order(&api, Uuid::now_v7(), 5, "annual", Some(&card)).await;
        assert_eq!(refusal(&(status, refused.clone())), (402, code, Some("payment_token")), "{number}");
        assert!(refused["error"]["message"].as_str().unwrap().contains("Nothing was charged"), "{refused}");
    }
    // Mistakes a card form catches are refused before anything is saved.
    let wrong = token(&api, "4242 4242 4242 4241").await.unwrap_err();
    assert_eq!(refusal(&wrong), (402, "incorrect_number", Some("number")));
    let (status, _) = api
        .json(
            Method::POST,
            "/api/v1/subscription/test-cards",
            Some(json!({ "number": 4242424242424242_u64, "exp_month": 1, "exp_year": 2030, "cvc": "1" })),
        )
        .await;
    assert_eq!(status, 422);

    let (_, s) = api.json(Method::GET, "/api/v1/subscription", None).await;
    assert_eq!((s["seats"].as_u64(), s["period"].clone(), s["card"].clone()), (Some(2), Value::Null, Value::Null));
    let (_, invoices) = api.json(Method::GET, "/api/v1/invoices", None).await;
    assert_eq!(invoices, json!([]));
    assert_eq!(charges(&db).await, 0);
    // The refusals are on record.
    let client = db.client().await;
    let failed = company_events(&client, company.0).await.into_iter().filter(|(_, _, t, _)| t == "PaymentFailed").count();
    assert_eq!(failed, 5);
}

#[tokio::test]
async fn the_same_order_submitted_twice_at_once_is_charged_once() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (api, company) = admin(&server, "Acme", 1).await;
    let (first_card, second_card) = (token(&api, "4242424242424242").await.unwrap(), token(&api, "5555555555554444").await.unwrap());
    let key = Uuid::now_v7();
    let (a, b) = tokio::join!(order(&api, key, 4, "monthly", Some(&first_card)), order(&api, key, 4, "monthly", Some(&second_card)));
    assert_eq!((a.0, b.0), (200, 200), "{} / {}", a.1, b.1);
    assert_eq!(a.1["invoice"], b.1["invoice"], "the same answer");
    // And once more after it was paid, as a retry after a timeout would.
    let again = order(&api, key, 4, "monthly", Some(&first_card)).await;
    assert_eq!((again.0, again.1["invoice"].clone()), (200, a.1["invoice"].clone()));
    assert_eq!(charges(&db).await, 1);
    let client = db.client().await;
    let events = company_events(&client, company.0).await;
    let count = |kind: &str| events.iter().filter(|(_, _, t, _)| t == kind).count();
    assert_eq!((count("OrderPlaced"), count("PaymentSucceeded"), count("InvoiceIssued")), (1, 1, 1));
    // The same key for another offer is refused, not charged.
    let other = order(&api, key, 9, "monthly", Some(&first_card)).await;
    assert_eq!(refusal(&other), (409, "order_id_reused", None));
}

#[tokio::test]
async fn a_failed_renewal_makes_the_subscription_past_due_is_retried_and_deactivates_nobody() {
    let db = TestDb::new().await;
    let server = TestServer::start_with_billing(&db, Billing { clock: Clock::Fixed(day(2027, 1, 31)), ..Default::default() }).await;
    let (api, company) = admin(&server, "Acme", 1).await;
    let card = token(&api, "4242424242424242").await.unwrap();
    assert_eq!(order(&api, Uuid::now_v7(), 2, "monthly", Some(&card)).await.0, 200);
    server.user(company, "grace@acme.test", "grace-password", &[Role::Agent]).await;
    use app::billing::{renew_due, Renewed};
    assert_eq!(renew_due(&server.app, day(2027, 2, 27)).await.unwrap(), vec![], "not due before 28 February");

    // The bank stops the card: the renewal on 28 February fails.
    db.client().await.execute("UPDATE test_gateway_cards SET behaviour = 'charges_declined'", &[]).await.unwrap();
    let report = renew_due(&server.app, day(2027, 2, 28)).await.unwrap();
    assert_eq!(report, vec![Renewed::Refused { company_id: company, reason: domain::subscription::DeclineReason::Declined }]);
    let (_, s) = api.json(Method::GET, "/api/v1/subscription", None).await;
    assert_eq!((s["past_due_since"].as_str(), s["seats"].as_u64(), s["seats_in_use"].as_u64()), (Some("2027-02-28"), Some(2), Some(2)));
    Api::login(&server, "grace@acme.test", "grace-password").await;
    let pages = testkit::Browserless::new(&server);
    pages.login("admin@acme.test", "admin-password").await;
    let users = pages.get_text("/admin/users").await;
    assert!(users.contains("id=\"past-due-banner\"") && users.contains("could not be charged since 28 February 2027"), "{users}");
    assert!(pages.get_text("/admin/subscription").await.contains("Pay now"));
    assert_eq!(renew_due(&server.app, day(2027, 2, 28)).await.unwrap(), vec![], "retried tomorrow, not again today");
    let report = renew_due(&server.app, day(2027, 3, 1)).await.unwrap();
    assert!(matches!(report[..], [Renewed::Refused { .. }]), "{report:?}");

    // The card works again: the next attempt pays from the day the renewal was due.
    db.client().await.execute("UPDATE test_gateway_cards SET behaviour = 'succeeds'", &[]).await.unwrap();
    let report = renew_due(&server.app, day(2027, 3, 2)).await.unwrap();
    assert_eq!(report, vec![Renewed::Paid { company_id: company, invoice: 2 }]);
    let (_, s) = api.json(Method::GET, "/api/v1/subscription", None).await;
    assert_eq!((s["past_due_since"].clone(), s["renews_on"].as_str()), (Value::Null, Some("2027-03-28")));
    assert!(!pages.get_text("/admin/users").await.contains("past-due-banner"), "the banner follows at once");
    let (_, invoice) = api.json(Method::GET, "/api/v1/invoices/2", None).await;
    assert_eq!((invoice["lines"][0]["from"].as_str(), invoice["lines"][0]["seats"].as_u64()), (Some("2027-02-28"), Some(2)));
    assert_eq!(charges(&db).await, 2);
}

#[tokio::test]
async fn only_administrators_see_the_subscription_and_never_another_companys() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (acme, acme_id) = admin(&server, "Acme", 1).await;
    let (globex, _) = admin(&server, "Globex", 1).await;
    let card = token(&acme, "4242424242424242").await.unwrap();
    assert_eq!(order(&acme, Uuid::now_v7(), 3, "annual", Some(&card)).await.0, 200);
    server.user(acme_id, "agent@acme.test", "agent-password", &[Role::Agent, Role::Supervisor]).await;
    let agent = Api::login(&server, "agent@acme.test", "agent-password").await;
    for path in ["/api/v1/subscription", "/api/v1/invoices", "/api/v1/invoices/1"] {
        assert_eq!(agent.json(Method::GET, path, None).await.0, 403, "{path}");
    }
    assert_eq!(order(&agent, Uuid::now_v7(), 9, "monthly", Some(&card)).await.0, 403);
    assert_eq!(agent.json(Method::POST, "/api/v1/subscription/quote", Some(json!({ "seats": 9, "period": "monthly" }))).await.0, 403);

    let acme_before = acme.json(Method::GET, "/api/v1/subscription", None).await;
    // Globex reads only its own, and Acme's card token charges nothing for Globex.
    assert_eq!(globex.json(Method::GET, "/api/v1/invoices/1", None).await.0, 404);
    assert_eq!(globex.json(Method::GET, "/api/v1/invoices", None).await.1, json!([]));
    let (_, theirs) = globex.json(Method::GET, "/api/v1/subscription", None).await;
    assert_eq!((theirs["seats"].as_u64(), theirs["card"].clone()), (Some(1), Value::Null));
    let (status, _) = order(&globex, Uuid::now_v7(), 9, "monthly", Some(&card)).await;
    assert_eq!(status, 200, "a token is a card, whoever holds it (as with Stripe)");
    let acme_after = acme.json(Method::GET, "/api/v1/subscription", None).await;
    assert_eq!(acme_before, acme_after, "Acme's subscription is untouched in every field");
    let (_, acme_invoices) = acme.json(Method::GET, "/api/v1/invoices", None).await;
    assert_eq!(acme_invoices.as_array().map(Vec::len), Some(1));
    assert_eq!(acme.json(Method::GET, "/api/v1/invoices/1", None).await.1["buyer"]["company"], "Acme");
}

#[tokio::test]
async fn operators_list_companies_set_seats_without_payment_and_run_the_renewals() {
    use testkit::process;
    let db = TestDb::new().await;
    let url = db.url();
    let server = TestServer::start_with_billing(&db, Billing { clock: Clock::Fixed(day(2027, 6, 10)), ..Default::default() }).await;
    let (api, acme) = admin(&server, "Acme", 2).await;
    let (_, globex) = admin(&server, "Globex", 4).await;
    let card = token(&api, "4242424242424242").await.unwrap();
    assert_eq!(order(&api, Uuid::now_v7(), 3, "monthly", Some(&card)).await.0, 200);

    let (ok, listed, err) = process::run(&["admin", "companies"], Some(&url), "").await;
    assert!(ok, "{err}");
    let line =
        |id: domain::CompanyId| listed.lines().find(|l| l.starts_with(&id.0.to_string())).unwrap_or_else(|| panic!("{id:?} in {listed}")).to_owned();
    let acme_line = line(acme);
    assert!(
        acme_line.contains("Acme") && acme_line.contains("monthly") && acme_line.contains("2027-07-10") && acme_line.contains(" ok"),
        "{acme_line}"
    );
    assert!(line(globex).contains("none"), "Globex never paid");

    let id = globex.0.to_string();
    let (ok, out, err) = process::run(&["admin", "seats", "--company", &id, "--seats", "7"], Some(&url), "").await;
    assert!(ok && out.contains("now has 7 seats"), "{out}{err}");
    let (ok, _, err) = process::run(&["admin", "seats", "--company", &id, "--seats", "0"], Some(&url), "").await;
    assert!(!ok && err.contains("at least one seat"), "{err}");
    let (ok, _, err) = process::run(&["admin", "seats", "--company", &Uuid::now_v7().to_string(), "--seats", "3"], Some(&url), "").await;
    assert!(!ok && err.contains("there is no company"), "{err}");
    assert_eq!(Api::login(&server, "admin@globex.test", "admin-password").await.json(Method::GET, "/api/v1/licence", None).await.1["seats"], 7);

    let (ok, out, err) = process::run(&["billing", "renew", "--today", "2027-07-09"], Some(&url), "").await;
    assert!(ok && out.contains("0 renewals due on 2027-07-09"), "{out}{err}");
    let (ok, out, err) = process::run(&["billing", "renew", "--today", "2027-07-10"], Some(&url), "").await;
    assert!(ok && out.contains(&format!("{}: renewed, invoice 2", acme.0)), "{out}{err}");
    assert_eq!(charges(&db).await, 2);
}

#[tokio::test]
async fn an_order_after_the_period_ended_renews_first_then_charges_the_change_in_the_new_period() {
    let db = TestDb::new().await;
    let first = TestServer::start_with_billing(&db, Billing { clock: Clock::Fixed(day(2028, 1, 31)), ..Default::default() }).await;
    let (api, _) = admin(&first, "Acme", 1).await;
    let card = token(&api, "4242424242424242").await.unwrap();
    assert_eq!(order(&api, Uuid::now_v7(), 3, "monthly", Some(&card)).await.0, 200);
    drop(first);
    // Five days after the period ended; this server's renewal job may or may not be first.
    let later = TestServer::start_with_billing(&db, Billing { clock: Clock::Fixed(day(2028, 3, 5)), ..Default::default() }).await;
    let api = Api::login(&later, "admin@acme.test", "admin-password").await;
    let (status, paid) = order(&api, Uuid::now_v7(), 5, "monthly", Some(&card)).await;
    assert_eq!((status, paid["invoice"].as_u64()), (200, Some(3)), "{paid}");
    let (_, renewal) = api.json(Method::GET, "/api/v1/invoices/2", None).await;
    assert_eq!((renewal["lines"][0]["from"].as_str(), renewal["lines"][0]["seats"].as_u64()), (Some("2028-02-29"), Some(3)));
    let (_, added) = api.json(Method::GET, "/api/v1/invoices/3", None).await;
    // 2 seats × €25 × 24 of the 29 days from 29 February to 29 March.
    assert_eq!((added["lines"][0]["description"].as_str(), added["amount"]["net_cents"].as_i64()), (Some("AddedSeats"), Some(4138)));
    assert_eq!(charges(&db).await, 3);
}
