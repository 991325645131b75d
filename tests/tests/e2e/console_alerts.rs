//! Nothing missed in the console, in a real browser: a new conversation and a visitor's line
//! in a conversation the agent is not looking at ring (a tone, a desktop notification); the
//! agent switches either off on their account page.

use serde_json::{json, Value};
use testkit::browser::Browser;
use testkit::chat::{says, visitor};
use testkit::{wait, TestDb, TestServer};

use crate::every_page::{a_company_with_everything, AGENT};

/// Records, on the page, each tone played and each notification shown, by wrapping the
/// browser's own AudioContext and Notification (which still play and show).
const LISTEN: &str = "window.__rings = []; \
    const N = window.Notification; window.Notification = class extends N { constructor(t, o) { super(t, o); window.__rings.push(['notification', t, o.body]); } }; \
    const A = window.AudioContext; window.AudioContext = class extends A { createOscillator() { window.__rings.push(['tone']); return super.createOscillator(); } }; \
    return Notification.permission;";

async fn rings(browser: &Browser) -> Value {
    browser.client.execute("return window.__rings;", vec![]).await.unwrap()
}

async fn until_rings(browser: &Browser, what: &str, count: usize) -> Value {
    wait::until(what, wait::DEADLINE, || async {
        let now = rings(browser).await;
        if now.as_array().map_or(0, Vec::len) >= count {
            Ok(now)
        } else {
            Err(now.to_string())
        }
    })
    .await
}

#[tokio::test]
async fn a_new_conversation_and_an_unseen_line_ring_unless_the_agent_switched_it_off() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let everything = a_company_with_everything(&db, &server).await;
    let browser = Browser::start().await;
    browser.log_in(&server.url("/login"), AGENT.0, AGENT.1).await;
    browser.find(&format!("#conversations li[data-conversation-id='{}'].selected", everything.live)).await;
    assert_eq!(browser.client.execute(LISTEN, vec![]).await.unwrap(), "granted");
    assert!(!browser.find("#allow-notifications").await.is_displayed().await.unwrap(), "nothing to ask once allowed");

    // Another visitor arrives while Ann reads the first conversation.
    let (mut bea, _) = visitor(&server.url(""), &everything.chat.key, None, 0).await;
    bea.send(says("Hello, is anyone there?").1).await;
    let arrived = until_rings(&browser, "a tone and a notification for the new conversation", 2).await;
    assert_eq!(arrived[0], json!(["tone"]));
    assert!(arrived[1][0] == "notification" && arrived[1][1].as_str().unwrap().starts_with("New conversation: Visitor #"), "{arrived}");
    // She writes again in it: Ann is still on the first one, so it rings again, with the line.
    bea.send(says("I need help with my order").1).await;
    let again = until_rings(&browser, "the unseen line", 4).await;
    assert_eq!(again[3][2], "I need help with my order", "{again}");
    assert!(again[3][1].as_str().unwrap().starts_with("Visitor #"), "{again}");
    // A line in the conversation on the screen, in a visible tab, rings nothing.
    browser.client.execute("window.__rings = [];", vec![]).await.unwrap();

    // Both switched off on the account page: the console stays quiet.
    browser.goto(&server.url("/account")).await;
    for name in ["sound", "desktop"] {
        browser.click(&format!("#notifications input[name={name}]")).await;
    }
    browser.click("#notifications button[type=submit]").await;
    browser.find("#notifications").await;
    browser.goto(&server.url("/console")).await;
    browser.find("#console[data-sound=false][data-desktop=false]").await;
    browser.client.execute(LISTEN, vec![]).await.unwrap();
    // On the first conversation again, so that Bea's next line is one Ann does not see.
    browser.find(&format!("#conversations li[data-conversation-id='{}']", everything.live)).await.click().await.unwrap();
    let unread = "const n = [...document.querySelectorAll('#conversations li:not(.selected) .unread-count')].map((e) => +e.textContent); return n.length ? Math.max(...n) : 0;";
    let before = browser.client.execute(unread, vec![]).await.unwrap().as_i64().unwrap();
    bea.send(says("Still there?").1).await;
    wait::until("the line reaches the console, unread", wait::DEADLINE, || async {
        let now = browser.client.execute(unread, vec![]).await.map_err(|e| e.to_string())?.as_i64().unwrap_or(0);
        wait::check(now > before, now)
    })
    .await;
    assert_eq!(rings(&browser).await, json!([]), "switched off, the console rang");
    browser.close().await;
}
