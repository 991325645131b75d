//! An administrator in a real (headless) Chromium: log in, add users, switch a role, and
//! see the seat banner when every seat is taken.

use testkit::browser::Browser;
use testkit::{TestDb, TestServer};

#[tokio::test]
async fn an_administrator_adds_users_toggles_a_role_and_sees_the_seat_banner() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    server.company("Acme", "admin@acme.test", "admin-password", 3).await;
    let browser = Browser::start().await;

    browser.goto(&server.url("/login")).await;
    browser.fill("#email", "admin@acme.test").await;
    browser.fill("#password", "admin-password").await;
    browser.click("button[type=submit]").await;
    browser.find("table#users").await;
    assert!(browser.text("#seats").await.contains("1 of 3 seats in use"));

    // Add a user with a password.
    browser.click("a[href='/admin/users/new']").await;
    browser.fill("#email", "grace@acme.test").await;
    browser.fill("#first_name", "Grace").await;
    browser.fill("#last_name", "Hopper").await;
    browser.click("input[name=access][value=password]").await;
    browser.fill("#password", "grace-password").await;
    browser.click("button[name=action][value=add]").await;
    browser.find("p.notice").await;
    let row = "tr[data-email='grace@acme.test']";
    browser.find(row).await;
    assert_eq!(browser.text(&format!("{row} button[data-role=Supervisor]")).await, "OFF");

    // Switch the Supervisor role on.
    browser.click(&format!("{row} button[data-role=Supervisor]")).await;
    let toggled = browser.find(&format!("{row} button[data-role=Supervisor].on")).await;
    assert_eq!(toggled.text().await.unwrap(), "ON");
    // The focus is still on that switch, not back at the top of the page.
    let focused = browser
        .client
        .execute("const f = document.activeElement; return [f.dataset.role || f.tagName, f.closest('tr') && f.closest('tr').dataset.email];", vec![])
        .await
        .unwrap();
    assert_eq!(focused, serde_json::json!(["Supervisor", "grace@acme.test"]));
    assert!(browser.page().await.contains("only Agent and Supervisor matter for chat"));

    // A mistake is explained next to its field, and nothing is added.
    browser.click("a[href='/admin/users/new']").await;
    browser.fill("#email", "not-an-address@").await;
    browser.fill("#first_name", "X").await;
    browser.fill("#last_name", "Y").await;
    browser.client.execute("document.querySelector('#email').type = 'text'", vec![]).await.unwrap(); // let the server judge
    browser.click("button[name=action][value=add]").await;
    assert!(browser.text("#email-error").await.contains("is not a valid e-mail address"));

    // The last seat, with a generated password shown once.
    browser.fill("#email", "linus@acme.test").await;
    browser.click("button[name=action][value=generate]").await;
    let password = browser.text("#generated-password").await;
    assert!(password.len() >= 16);
    browser.goto(&server.url("/admin/users")).await;
    let banner = browser.text("#seats-banner").await;
    assert!(banner.contains("All 3 seats are in use"), "{banner}");
    let add = browser.find("#seats-banner a").await;
    assert_eq!(add.attr("href").await.unwrap().as_deref(), Some("/admin/subscription/edit"));
    add.click().await.unwrap();
    assert!(browser.text("#seats-help").await.contains("3 seats in use now"));

    // The generated password works.
    let client = server.login("linus@acme.test", &password).await;
    assert!(client.get_text("/account").await.contains("linus@acme.test"));
    browser.close().await;
}
