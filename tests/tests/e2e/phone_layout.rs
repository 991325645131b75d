//! The administration on a 390 px-wide phone, in a real browser: no page is wider than the
//! screen (wide tables scroll inside their own box), form fields are styled, and a
//! dangerous action looks dangerous.

use domain::site::Priority;
use serde_json::{json, Value};
use testkit::browser::Browser;
use testkit::chat::{says, visitor};
use testkit::{TestDb, TestServer};

async fn run(browser: &Browser, script: &str) -> Value {
    browser.client.execute(script, vec![]).await.unwrap_or_else(|e| panic!("{script}: {e}"))
}

/// The outermost elements that stick out past the right edge of the screen, for the message.
const WIDER_THAN_THE_SCREEN: &str = "const w = window.innerWidth; \
    return [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > w + 1 \
      && !(e.parentElement && e.parentElement.getBoundingClientRect().right > w + 1)) \
      .slice(0, 5).map((e) => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right) + ' in ' + e.parentElement.tagName + ' ' + getComputedStyle(e.parentElement).display + ' ' + getComputedStyle(e.parentElement).overflowX);";

#[tokio::test]
async fn every_admin_page_fits_a_390_px_phone_and_looks_like_what_it_does() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let chat = server.chat_site("Acme", 5).await;
    server.agent(&chat, "ann@acme.test", 3, Priority::High).await;
    let (mut console, _) = testkit::chat::console(&server.url(""), "ann@acme.test").await;
    console.send(json!({ "type": "status", "status": "online" })).await;
    console.until("online", |f| f["type"] == "state" && f["status"] == "online").await;
    let (mut v, _) = visitor(&server.url(""), &chat.key, None, 0).await;
    v.send(says("Do you have this in blue?").1).await;
    let conversation = console.until_type("conversation").await["id"].as_str().unwrap().to_owned();
    // An offline message on a site nobody answers, with its answer box.
    let (_, blog_key) = server.site(&chat, "Blog", vec!["https://blog.acme.test".into()], false).await;
    let (mut offline, _) = visitor(&server.url(""), &blog_key, None, 0).await;
    let left =
        json!({ "type": "offline_message", "client_id": uuid::Uuid::new_v4(), "email": "zoe@example.org", "message": "Call me back, please." });
    offline.send(left).await;
    offline.until_type("offline_received").await;
    server.settle().await;
    let client = db.client().await;
    let offline: uuid::Uuid = client.query_one("SELECT conversation_id FROM conversations WHERE state = 'offline'", &[]).await.unwrap().get(0);

    let browser = Browser::start().await;
    browser.client.set_window_size(390, 844).await.unwrap();
    browser.log_in(&server.url("/login"), "admin@acme.test", "admin-password").await;
    browser.find("a[href='/admin/users']").await;
    let width = run(&browser, "return window.innerWidth;").await.as_i64().unwrap();
    assert!(width <= 400, "the window is {width} px wide, not a phone's");
    let site = chat.site.0;
    for path in [
        "/admin/users".to_owned(),
        "/admin/users/new".into(),
        "/admin/users/import".into(),
        format!("/admin/users/{}", chat.admin.0),
        format!("/admin/users/{}/settings", chat.admin.0),
        "/admin/sites".into(),
        "/admin/sites/new".into(),
        format!("/admin/sites/{site}"),
        format!("/admin/sites/{site}/install"),
        format!("/admin/sites/{site}/agents"),
        "/admin/subscription".into(),
        "/admin/audit".into(),
        "/history".into(),
        format!("/history/{conversation}"),
        format!("/history/{offline}"),
    ] {
        browser.goto(&server.url(&path)).await;
        browser.find("main").await;
        let wide = run(&browser, "return document.documentElement.scrollWidth;").await.as_i64().unwrap();
        if wide > width {
            let culprits = run(&browser, WIDER_THAN_THE_SCREEN).await;
            panic!("{path} is {wide} px wide on a {width} px screen; sticking out: {culprits}");
        }
    }

    // Every role switch of every user is on the screen, not scrolled away in a wide table.
    browser.goto(&server.url("/admin/users")).await;
    let off_screen = run(
        &browser,
        "return [...document.querySelectorAll('#users button.toggle')].filter((b) => b.getBoundingClientRect().right > window.innerWidth).length;",
    )
    .await;
    let toggles = run(&browser, "return document.querySelectorAll('#users button.toggle').length;").await;
    assert_eq!((toggles, off_screen), (json!(4 * 2), json!(0)), "role switches off a phone's screen");

    // The new site's Name field is a full-width styled box; deleting a site is red, not blue.
    browser.goto(&server.url("/admin/sites/new")).await;
    let name = run(&browser, "const s = getComputedStyle(document.querySelector('#name')); return [s.paddingLeft, s.borderRadius];").await;
    assert_eq!(name, json!(["9.6px", "6px"]), "the Name field is styled like the others");
    browser.goto(&server.url(&format!("/admin/sites/{site}"))).await;
    let delete = run(&browser, "return getComputedStyle(document.querySelector('a.button.danger')).backgroundColor;").await;
    assert_eq!(delete, "rgb(179, 38, 30)", "deleting a site looks dangerous");
    browser.close().await;
}
