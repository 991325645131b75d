//! The widget on a customer's page whose Content-Security-Policy allows scripts, styles and
//! connections only from the page itself and Switchboard (no 'unsafe-inline'): it loads,
//! is styled, chats both ways, and the browser reports no violation.

use std::time::Duration;

use domain::site::Priority;
use fantoccini::key::Key;
use fantoccini::Locator;
use serde_json::{json, Value};
use testkit::browser::{customer_site_with_policy, Browser};
use testkit::{TestDb, TestServer};

const WAIT: Duration = Duration::from_secs(15);

/// Runs `script` until it returns something other than null or false; that value.
async fn wait_for(browser: &Browser, what: &str, script: &str) -> Value {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        match browser.client.execute(script, vec![]).await {
            Ok(Value::Null | Value::Bool(false)) | Err(_) if tokio::time::Instant::now() < deadline => {}
            Ok(Value::Null | Value::Bool(false)) => panic!("{what}: not within {WAIT:?}"),
            Ok(value) => return value,
            Err(e) => panic!("{what}: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn run(browser: &Browser, script: &str) -> Value {
    browser.client.execute(script, vec![]).await.unwrap_or_else(|e| panic!("{script}: {e}"))
}

const ROOT: &str = "const host = document.querySelector('switchboard-chat'); const root = host && host.shadowRoot; if (!root) return null;";

#[tokio::test]
async fn the_widget_works_under_a_strict_content_security_policy_without_a_violation() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let chat = server.chat_site("Acme", 5).await;
    server.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;
    let base = server.url("");
    let (mut console, _) = testkit::chat::console(&base, "ann@acme.test").await;
    console.send(json!({ "type": "status", "status": "online" })).await;
    console.until("online", |f| f["type"] == "state" && f["status"] == "online").await;

    let sockets = base.replacen("http://", "ws://", 1);
    let policy = format!(
        "default-src 'none'; script-src 'self' {base}; style-src 'self' {base}; connect-src 'self' {base} {sockets}; img-src 'self' {base}; font-src 'self' {base}"
    );
    let page = customer_site_with_policy(
        format!(
            "<!doctype html><html><head><title>Acme shop</title><script src=\"/watch.js\"></script></head>\
             <body><h1>Our products</h1>\n<script async src=\"{base}/widget.js\" data-switchboard-site=\"{}\"></script>\n</body></html>",
            chat.key
        ),
        Some(policy),
    )
    .await;
    let visitor = Browser::start().await;
    visitor.goto(&page).await;
    wait_for(&visitor, "the widget's bubble", &format!("{ROOT} return !!root.querySelector('.bubble');")).await;

    // Styled by its constructed sheet alone: the bubble is fixed to a corner, in the site's colour.
    let styled = run(
        &visitor,
        &format!(
            "{ROOT} const b = getComputedStyle(root.querySelector('.wrap')); \
             return {{ position: b.position, sheets: root.adoptedStyleSheets.length, inline: root.querySelectorAll('style').length }};"
        ),
    )
    .await;
    assert_eq!(styled, json!({ "position": "fixed", "sheets": 1, "inline": 0 }), "the widget is styled without an inline <style>");

    // It chats both ways under the policy.
    let host = visitor.find("switchboard-chat").await;
    let root = host.shadow_root().await.unwrap();
    root.find(Locator::Css(".bubble")).await.unwrap().click().await.unwrap();
    wait_for(&visitor, "the panel opens", &format!("{ROOT} return !root.querySelector('.panel').hidden;")).await;
    root.find(Locator::Css(".input")).await.unwrap().send_keys(&format!("Do you ship to Lyon?{}", Key::Enter)).await.unwrap();
    let offered = console.until_type("conversation").await;
    let id = offered["id"].as_str().unwrap().to_owned();
    console.send(json!({ "type": "message", "conversation_id": id, "client_id": uuid::Uuid::new_v4(), "text": "Yes, in two days." })).await;
    wait_for(
        &visitor,
        "the agent's answer in the widget",
        &format!("{ROOT} return [...root.querySelectorAll('.msg.from-agent .text')].some((t) => t.textContent === 'Yes, in two days.');"),
    )
    .await;

    assert_eq!(run(&visitor, "return window.__violations;").await, json!([]), "the browser reported Content-Security-Policy violations");
    // The watch works and the policy is enforced: an inline style is refused and reported.
    run(&visitor, "const s = document.createElement('style'); s.textContent = 'h1 { color: red; }'; document.head.append(s); return true;").await;
    let reported = wait_for(&visitor, "the control violation reported", "return window.__violations.length > 0 && window.__violations;").await;
    assert!(reported[0].as_str().unwrap().starts_with("style-src"), "{reported}");
    visitor.close().await;
}
