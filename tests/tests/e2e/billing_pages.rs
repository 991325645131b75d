//! Buying seats in the administration pages: in a real Chromium, from the red banner to a
//! paid annual offer and the user added; a declined card; and, on the real binary, no trace
//! of the card number in the database or the server's log.

use std::time::Duration;

use testkit::browser::Browser;
use testkit::process::{self, Serve};
use testkit::server::{hidden_field, Browserless};
use testkit::{TestDb, TestServer};

async fn pay_with(browser: &Browser, number: &str) {
    browser.fill("#card_number", number).await;
    browser.fill("#card_expiry", "12/30").await;
    browser.fill("#card_cvc", "123").await;
    browser.click("#validate").await;
}

#[tokio::test]
async fn from_the_seat_banner_to_an_annual_offer_paid_by_card_and_the_user_added() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    server.company("Acme", "admin@acme.test", "admin-password", 1).await;
    let browser = Browser::start().await;
    browser.log_in(&server.url("/login"), "admin@acme.test", "admin-password").await;
    browser.find("table#users").await;

    browser.click("#seats-banner a").await;
    assert!(browser.text("#seats-help").await.contains("1 seat in use now"));
    let prices = browser.text("#prices").await;
    assert!(prices.contains("€25.00 a month") && prices.contains("€255.00 a year") && prices.contains("save 15%"), "{prices}");
    browser.fill("#seats", "3").await;
    browser.click("input[name=period][value=annual]").await;
    browser.click("#review").await;
    let quote = browser.text("#quote").await;
    assert!(quote.contains("3 seats, annual payment") && quote.contains("€765.00"), "{quote}");
    browser.click("#continue").await;

    // The order form: billing details prefilled where known, the amount with VAT, the card.
    assert_eq!(browser.find("#billing_company").await.prop("value").await.unwrap().as_deref(), Some("Acme"));
    assert!(browser.text("#charged-now").await.contains("€918.00"), "€765 + 20 % VAT");
    assert!(browser.text("#test-gateway").await.contains("no real card is charged"));
    browser.fill("#billing_address", "1 rue de la Paix, Paris").await;
    // A declined card first: said plainly, the offer unchanged.
    pay_with(&browser, "4000 0000 0000 0002").await;
    assert!(browser.text("#order-error").await.contains("Your card was declined"));
    assert_eq!(browser.find("#card_number").await.prop("value").await.unwrap().as_deref(), Some(""), "the number is not sent back");
    assert_eq!(browser.find("#billing_address").await.prop("value").await.unwrap().as_deref(), Some("1 rue de la Paix, Paris"));
    pay_with(&browser, "4242 4242 4242 4242").await;

    // Back on the users page: paid, the banner gone, a user can be added at once.
    browser.find("#paid").await;
    assert!(browser.text("#paid").await.contains("3 seats are yours"));
    assert!(browser.client.find(fantoccini::Locator::Css("#seats-banner")).await.is_err(), "the banner is gone");
    assert!(browser.text("#seats").await.contains("1 of 3 seats in use"));
    browser.click("a[href='/admin/users/new']").await;
    for (field, value) in [("#email", "grace@acme.test"), ("#first_name", "Grace"), ("#last_name", "Hopper")] {
        browser.fill(field, value).await;
    }
    browser.click("input[name=access][value=password]").await;
    browser.fill("#password", "grace-password").await;
    browser.click("button[name=action][value=add]").await;
    browser.find("tr[data-email='grace@acme.test']").await;

    // The subscription and its invoice.
    browser.goto(&server.url("/admin/subscription")).await;
    assert!(browser.text("#offer-period").await.contains("annual"));
    assert!(browser.text("#offer-card").await.contains("Visa ending in 4242"));
    browser.click("#invoices a").await;
    let invoice = browser.text("#invoice").await;
    assert!(invoice.contains("Invoice 1") && invoice.contains("Switchboard SAS") && invoice.contains("1 rue de la Paix"), "{invoice}");
    assert_eq!(browser.text("#invoice-total").await, "€918.00");
    browser.close().await;
}

#[tokio::test]
async fn an_order_form_with_mistakes_says_which_field_and_charges_nothing() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    server.company("Acme", "admin@acme.test", "admin-password", 1).await;
    let admin = Browserless::new(&server);
    admin.login("admin@acme.test", "admin-password").await;
    let form = admin.get_text("/admin/subscription/order?seats=2&period=monthly").await;
    let field = |name: &str| hidden_field(&form, name).unwrap_or_else(|| panic!("{name} in the form"));
    let (csrf, order_id, expected) = (field("csrf"), field("order_id"), field("expected_total"));
    assert_eq!(expected, "6000", "2 × €25 + 20 % VAT");
    let admin = &admin;
    let post = |fields: Vec<(&'static str, String)>| {
        let mut all = vec![("csrf", csrf.clone()), ("order_id", order_id.clone()), ("seats", "2".into()), ("period", "monthly".into())];
        all.extend(fields);
        async move { admin.http.post(admin.url("/admin/subscription/order")).form(&all).send().await.unwrap() }
    };
    let details = |country: &str, vat: &str| {
        vec![
            ("billing_name", "Ada".to_owned()),
            ("billing_company", "Acme GmbH".to_owned()),
            ("billing_address", "Unter den Linden 1".to_owned()),
            ("billing_country", country.to_owned()),
            ("vat_number", vat.to_owned()),
            ("billing_email", "billing@acme.test".to_owned()),
            ("card_number", "4242424242424242".to_owned()),
            ("card_expiry", "12/30".to_owned()),
            ("card_cvc", "123".to_owned()),
        ]
    };
    let page = post([details("DE", "DE12345"), vec![("expected_total", "6000".into())]].concat()).await;
    assert_eq!(page.status(), 422);
    let text = page.text().await.unwrap();
    assert!(text.contains("id=\"vat_number-error\"") && text.contains("is not a VAT number of DE"), "{text}");
    assert!(!text.contains("4242424242424242"), "the card number is not echoed");
    // A German business with a VAT number pays no French VAT: the total changes, and is shown
    // again before anything is charged.
    let page = post([details("DE", "DE123456789"), vec![("expected_total", "6000".into())]].concat()).await;
    let text = page.text().await.unwrap();
    assert!(text.contains("The total is now €50.00 instead of the €60.00 shown"), "{text}");
    assert!(text.contains("reverse-charged") && text.contains("name=\"expected_total\" value=\"5000\""), "{text}");
    let no_charge: i64 = db.client().await.query_one("SELECT count(*) FROM test_gateway_charges", &[]).await.unwrap().get(0);
    assert_eq!(no_charge, 0);
    let paid = post([details("DE", "DE123456789"), vec![("expected_total", "5000".into())]].concat()).await;
    assert_eq!((paid.status().as_u16(), paid.headers()["location"].to_str().unwrap()), (303, "/admin/users?paid=1"));
}

#[tokio::test]
async fn no_card_number_reaches_the_database_or_the_servers_log() {
    let db = TestDb::new().await;
    let url = db.url();
    let (ok, _, err) = process::run(
        &["admin", "create", "--company", "Acme", "--email", "admin@acme.test", "--password-stdin", "--seats", "1"],
        Some(&url),
        "admin-password\n",
    )
    .await;
    assert!(ok, "{err}");
    let data = std::env::temp_dir().join(format!("sb-billing-{}", uuid::Uuid::now_v7().simple()));
    let served = Serve::new(&data).database(Some(&url)).env("SWITCHBOARD_LOG", "debug").start().await;
    let http = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let login = http.get(served.url("/login")).send().await.unwrap().text().await.unwrap();
    let csrf = hidden_field(&login, "csrf").unwrap();
    let logged = http
        .post(served.url("/login"))
        .form(&[("csrf", csrf.as_str()), ("email", "admin@acme.test"), ("password", "admin-password")])
        .send()
        .await
        .unwrap();
    assert_eq!(logged.status(), 303);
    let form = http.get(served.url("/admin/subscription/order?seats=4&period=monthly")).send().await.unwrap().text().await.unwrap();
    let field = |name: &str| hidden_field(&form, name).unwrap();
    let fields = [
        ("csrf", field("csrf")),
        ("order_id", field("order_id")),
        ("seats", "4".into()),
        ("period", "monthly".into()),
        ("expected_total", field("expected_total")),
        ("billing_name", "Ada Lovelace".into()),
        ("billing_company", "Acme".into()),
        ("billing_address", "1 rue de la Paix".into()),
        ("billing_country", "FR".into()),
        ("billing_email", "billing@acme.test".into()),
        ("card_number", "4242 4242 4242 4242".into()),
        ("card_expiry", "12/30".into()),
        ("card_cvc", "987".into()),
    ];
    let paid = http.post(served.url("/admin/subscription/order")).form(&fields).send().await.unwrap();
    assert_eq!((paid.status().as_u16(), paid.headers()["location"].to_str().unwrap()), (303, "/admin/users?paid=1"));
    // A declined one too: refusals travel other paths.
    let form = http.get(served.url("/admin/subscription/order?seats=5&period=monthly")).send().await.unwrap().text().await.unwrap();
    let mut declined = fields.clone();
    declined[1].1 = hidden_field(&form, "order_id").unwrap();
    declined[2].1 = "5".into();
    declined[4].1 = hidden_field(&form, "expected_total").unwrap();
    declined[10].1 = "4000 0000 0000 9995".into();
    let page = http.post(served.url("/admin/subscription/order")).form(&declined).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("insufficient funds"), "{page}");
    tokio::time::sleep(Duration::from_millis(200)).await;

    let dump = tokio::process::Command::new(pg_dump()).arg("--dbname").arg(&url).output().await.unwrap();
    assert!(dump.status.success(), "{}", String::from_utf8_lossy(&dump.stderr));
    let dump = String::from_utf8_lossy(&dump.stdout);
    let log = served.terminate().await.join("\n");
    assert!(log.contains("DEBUG") || log.contains("debug"), "the log was at debug level");
    assert!(dump.contains(r#""last4": "4242""#), "the dump holds the payment (what may be kept of the card)");
    for (what, text) in [("database", dump.as_ref()), ("log", log.as_str())] {
        for secret in ["4242424242424242", "4242 4242 4242 4242", "4000000000009995", "4000 0000 0000 9995", "\"987\"", "cvc=987"] {
            assert!(!text.contains(secret), "{secret} found in the {what}");
        }
    }
}

fn pg_dump() -> std::path::PathBuf {
    let bin = store::embedded::find_programs(&store::embedded::SearchPlaces::system()).expect("PostgreSQL's programs");
    bin.join("pg_dump")
}
