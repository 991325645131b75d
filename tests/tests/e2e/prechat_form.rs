//! The pre-chat form, switched on per site (off by default) on its widget settings: no chat
//! starts without an address, the name and address are checked as the offline form's, reach
//! the agent as the visitor's given ones, and are an address the visitor typed in that
//! conversation (a copy may go there). Over the visitor's socket, and in a real browser.

use std::time::Duration;

use domain::site::{Priority, WidgetSettings};
use serde_json::{json, Value};
use testkit::browser::{customer_site, Browser};
use testkit::chat::{console, visitor};
use testkit::server::{hidden_field, Browserless};
use testkit::{TestDb, TestServer};

fn first(text: &str, name: &str, email: &str) -> Value {
    json!({ "type": "message", "client_id": uuid::Uuid::now_v7(), "text": text, "name": name, "email": email })
}

#[tokio::test]
async fn a_site_with_the_pre_chat_form_starts_no_chat_without_an_address_and_the_agent_sees_who_wrote() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let base = server.url("");
    let chat = server.chat_site("Acme", 5).await;
    server.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;

    // Off by default; the administrator ticks it on the site's widget settings.
    let config = || async { reqwest::get(server.url(&format!("/widget/config?site={}", chat.key))).await.unwrap().json::<Value>().await.unwrap() };
    assert_eq!(config().await["settings"]["prechat_form"], false);
    let admin = Browserless::new(&server);
    admin.login("admin@acme.test", "admin-password").await;
    let path = format!("/admin/sites/{}", chat.site);
    let page = admin.get_text(&path).await;
    assert!(page.contains(r#"<input id="prechat_form" type="checkbox" name="prechat_form">"#), "{page}");
    assert!(page.contains("Ask for a name and an e-mail address before the chat"), "{page}");
    let csrf = hidden_field(&page, "csrf").unwrap();
    let fields = [
        ("csrf", csrf.as_str()),
        ("colour", "#2457d6"),
        ("greeting", "Hello!"),
        ("position", "bottom-right"),
        ("language", "en"),
        ("offline_text", "Leave us a message."),
        ("prechat_form", "on"),
    ];
    let saved = admin.post_form(&format!("{path}/widget"), &fields).await;
    assert_eq!(saved.status(), 303);
    assert!(admin.get_text(&path).await.contains(r#"<input id="prechat_form" type="checkbox" name="prechat_form" checked>"#));
    server.settle().await;
    assert_eq!(config().await["settings"]["prechat_form"], true);

    let (mut ann, _) = console(&base, "ann@acme.test").await;
    ann.send(json!({ "type": "status", "status": "online" })).await;
    ann.until("online", |f| f["type"] == "state" && f["status"] == "online").await;
    server.settle().await;
    let (mut zoe, _) = visitor(&base, &chat.key, None, 0).await;
    // Refused as the offline form refuses: no address, a bad one, a name too long.
    assert_eq!(zoe.answer(first("Hello?", "", ""), "ack").await["code"], "invalid_email");
    assert_eq!(zoe.answer(first("Hello?", "Zoé", "zoe@"), "ack").await["code"], "invalid_email");
    assert_eq!(zoe.answer(first("Hello?", &"z".repeat(101), "zoe@example.org"), "ack").await["code"], "invalid_input");
    let client = db.client().await;
    let started: i64 = client.query_one("SELECT count(*) FROM events WHERE event_type = 'ConversationStarted'", &[]).await.unwrap().get(0);
    assert_eq!(started, 0, "a refused first message starts nothing");

    assert_eq!(zoe.answer(first("Do you ship to Lyon?", " Zoé Durand ", " Zoe@Example.org "), "ack").await["type"], "ack");
    let conversation = ann.until_type("conversation").await;
    let visitor = &conversation["visitor"];
    assert_eq!(
        (visitor["name"].as_str(), visitor["email"].as_str(), visitor["label"].as_str()),
        (Some("Zoé Durand"), Some("zoe@example.org"), Some("Zoé Durand")),
        "{conversation}"
    );
    let id = conversation["id"].as_str().unwrap().to_owned();
    // Sealed in the log like every personal detail: the address is not there in clear.
    let stored: String = client
        .query_one("SELECT payload::text FROM events WHERE stream = $1 AND event_type = 'ConversationStarted'", &[&format!("conversation-{id}")])
        .await
        .unwrap()
        .get(0);
    assert!(!stored.contains("zoe@example.org") && !stored.contains("Zoé"), "{stored}");

    // Once it ended, a copy may go to the address of the form, and to no other.
    ann.send(json!({ "type": "close", "conversation_id": id })).await;
    zoe.until_type("closed").await;
    let copy = |email: &str| json!({ "type": "send_transcript", "email": email, "request_id": uuid::Uuid::now_v7() });
    assert_eq!(zoe.answer(copy("eve@example.org"), "transcript_requested").await["code"], "email_not_given");
    assert_eq!(zoe.answer(copy("zoe@example.org"), "transcript_requested").await["type"], "transcript_requested");

    // The history and the transcript name the visitor by what they gave.
    server.settle().await;
    let transcript = admin.get_text(&format!("/history/{id}")).await;
    let about = &transcript[transcript.find("id=\"about-visitor\"").unwrap()..];
    assert!(about.contains("Zoé Durand") && about.contains("zoe@example.org"), "{transcript}");
    assert!(admin.get_text("/history?visitor=zoe%40example.org").await.contains(&format!("data-conversation-id=\"{id}\"")));

    // Rebuilt from the log, the read model is the live one.
    let (ok, stdout, stderr) = testkit::process::run(&["replay", "--verify", "conversations"], Some(&db.url()), "").await;
    assert!(ok && stdout.contains("conversations: matches the log"), "{stdout}\n{stderr}");
}

const WAIT: Duration = Duration::from_secs(15);
const ROOT: &str = "const host = document.querySelector('switchboard-chat'); const root = host && host.shadowRoot; if (!root) return null;";

async fn wait_for_widget(browser: &Browser, what: &str, script: &str) -> Value {
    let deadline = tokio::time::Instant::now() + WAIT;
    let script = format!("{ROOT} {script}");
    loop {
        let last = match browser.client.execute(&script, vec![]).await {
            Ok(Value::Null | Value::Bool(false)) => "null".to_owned(),
            Ok(value) => return value,
            Err(e) => e.to_string(),
        };
        assert!(tokio::time::Instant::now() < deadline, "{what}: not within {WAIT:?} (last answer: {last})");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_widget_asks_who_the_visitor_is_before_the_chat_and_the_question_starts_it() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let base = server.url("");
    let chat = server.chat_site("Acme", 5).await;
    let admin = server.session_of(chat.company, chat.admin).await;
    app::sites::settings(&server.app, &admin, chat.site, WidgetSettings { prechat_form: true, ..WidgetSettings::default() }).await.unwrap();
    server.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;
    let (mut ann, _) = console(&base, "ann@acme.test").await;
    ann.send(json!({ "type": "status", "status": "online" })).await;
    ann.until("online", |f| f["type"] == "state" && f["status"] == "online").await;
    server.settle().await;

    let page = customer_site(format!(
        "<!doctype html><html lang=\"en\"><head><title>Acme</title></head><body><h1>Shop</h1>\
         <script async src=\"{base}/widget.js\" data-switchboard-site=\"{}\"></script></body></html>",
        chat.key
    ))
    .await;
    let zoe = Browser::start().await;
    zoe.goto(&page).await;
    wait_for_widget(&zoe, "the bubble", "return !!root.querySelector('.bubble');").await;
    zoe.widget_element(".bubble").await.click().await.unwrap();
    let form = wait_for_widget(
        &zoe,
        "the pre-chat form",
        "const f = root.querySelector('.prechat'); return !f.hidden && { composer: root.querySelector('.composer').hidden, \
         text: f.querySelector('.prechat-text').textContent, labels: [...f.querySelectorAll('label')].map((l) => l.textContent), \
         button: f.querySelector('.go').textContent, focused: root.activeElement && root.activeElement.name };",
    )
    .await;
    assert_eq!(
        form,
        json!({ "composer": true, "text": "Before we start, tell us who you are.", "labels": ["Your name", "Your e-mail address", "Your question (optional)"],
                "button": "Start the chat", "focused": "name" })
    );

    assert_eq!(crate::ratings_and_transcripts::violations(&zoe).await, Vec::<Value>::new(), "the pre-chat form passes axe-core");

    // Without an address it says so, as the offline form does; then it starts with the question.
    zoe.widget_element(".prechat [name=name]").await.send_keys("Zoé Durand").await.unwrap();
    zoe.widget_element(".prechat .go").await.click().await.unwrap();
    let refused = wait_for_widget(
        &zoe,
        "the missing address",
        "const e = root.querySelector('.prechat [name=email]'); return e.getAttribute('aria-invalid') === 'true' && root.querySelector('.prechat .err').textContent;",
    )
    .await;
    assert_eq!(refused, "Please enter a valid e-mail address.");
    zoe.widget_element(".prechat [name=email]").await.send_keys("zoe@example.org").await.unwrap();
    zoe.widget_element(".prechat [name=question]").await.send_keys("Do you ship to Lyon?").await.unwrap();
    zoe.widget_element(".prechat .go").await.click().await.unwrap();
    let conversation = ann.until_type("conversation").await;
    assert_eq!((conversation["visitor"]["name"].as_str(), conversation["visitor"]["email"].as_str()), (Some("Zoé Durand"), Some("zoe@example.org")));
    assert_eq!(conversation["messages"][0]["text"], "Do you ship to Lyon?", "{conversation}");
    let shown = wait_for_widget(
        &zoe,
        "the question, delivered",
        "return [...root.querySelectorAll('.msg.from-visitor.delivered .text')].some((t) => t.textContent === 'Do you ship to Lyon?') \
         && { form: root.querySelector('.prechat').hidden, composer: root.querySelector('.composer').hidden };",
    )
    .await;
    assert_eq!(shown, json!({ "form": true, "composer": false }));
    zoe.close().await;
}
