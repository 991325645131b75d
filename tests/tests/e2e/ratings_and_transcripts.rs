//! The end of a chat: the visitor rates it (good or bad, with a comment) once it has ended,
//! shown on its transcript and found in the history by rating, never by another company;
//! and asks for a copy by e-mail, mailed through a real SMTP server once per request, only
//! to an address they typed in that conversation, with its messages and never its notes.
//! Over the visitor's socket, and in a real browser with a French site's widget.

use std::time::Duration;

use domain::site::{Language, Priority, WidgetSettings};
use reqwest::Method;
use serde_json::{json, Value};
use testkit::api::Api;
use testkit::browser::{customer_site_with_policy, Browser};
use testkit::chat::{console, says, visitor};
use testkit::server::Browserless;
use testkit::smtp::{smtp_transport, wait_for, SmtpServer};
use testkit::ws::Ws;
use testkit::{TestDb, TestServer};

const SECRET: &str = "VIP: offer them 10%";

/// The error code the visitor's socket answers `frame` with.
async fn refused(v: &mut Ws, frame: Value) -> String {
    let answer = v.answer(frame, "error").await;
    answer["code"].as_str().unwrap().to_owned()
}

/// How many events of `kind` the conversation's stream holds.
async fn events_of(db: &TestDb, conversation: &str, kind: &str) -> i64 {
    let client = db.client().await;
    client
        .query_one("SELECT count(*) FROM events WHERE stream = $1 AND event_type = $2", &[&format!("conversation-{conversation}"), &kind])
        .await
        .unwrap()
        .get(0)
}

/// Whether the history at `query` lists the conversation.
async fn listed(admin: &Browserless, query: &str, conversation: &str) -> bool {
    admin.get_text(&format!("/history?{query}")).await.contains(&format!("data-conversation-id=\"{conversation}\""))
}

#[tokio::test]
async fn a_visitor_rates_an_ended_chat_and_gets_a_copy_without_the_notes_at_an_address_they_typed() {
    let db = TestDb::new().await;
    let port = testkit::process::free_port();
    let smtp = SmtpServer::start(port).await;
    let server = TestServer::start_with(&db, smtp_transport(port)).await;
    let base = server.url("");
    let chat = server.chat_site("Acme", 5).await;
    server.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;
    let (mut ann, _) = console(&base, "ann@acme.test").await;
    ann.send(json!({ "type": "status", "status": "online" })).await;
    ann.until("online", |f| f["type"] == "state" && f["status"] == "online").await;
    server.settle().await;

    let (mut zoe, welcome) = visitor(&base, &chat.key, None, 0).await;
    zoe.send(says("Do you have size 43?").1).await;
    let id = ann.until_type("conversation").await["id"].as_str().unwrap().to_owned();
    // Not before the end.
    assert_eq!(refused(&mut zoe, json!({ "type": "rate", "rating": "good", "comment": "" })).await, "not_ended");
    ann.send(json!({ "type": "message", "conversation_id": id, "client_id": uuid::Uuid::now_v7(), "text": "Yes, in blue." })).await;
    zoe.until("the answer", |f| f["type"] == "message" && f["text"] == "Yes, in blue.").await;
    ann.send(json!({ "type": "note", "conversation_id": id, "client_id": uuid::Uuid::now_v7(), "text": SECRET })).await;
    ann.until("the note's ack", |f| f["type"] == "ack").await;
    ann.send(json!({ "type": "close", "conversation_id": id })).await;
    zoe.until_type("closed").await;

    // Rated once ended; a comment over 1,000 characters and an unknown rating are refused.
    assert_eq!(refused(&mut zoe, json!({ "type": "rate", "rating": "good", "comment": "é".repeat(1001) })).await, "comment_too_long");
    assert_eq!(refused(&mut zoe, json!({ "type": "rate", "rating": "meh" })).await, "invalid_frame");
    let rated = zoe.answer(json!({ "type": "rate", "rating": "good", "comment": "  Quick and kind  " }), "rated").await;
    assert_eq!(rated, json!({ "type": "rated", "rating": "good" }));
    assert_eq!(events_of(&db, &id, "ConversationRated").await, 1);

    // A copy only to an address the visitor typed in this conversation.
    let copy = |email: &str, request_id: uuid::Uuid| json!({ "type": "send_transcript", "email": email, "request_id": request_id });
    assert_eq!(refused(&mut zoe, copy("zoe@example.org", uuid::Uuid::now_v7())).await, "email_not_given");
    assert_eq!(refused(&mut zoe, json!({ "type": "email", "email": "zoe@" })).await, "invalid_email");
    let noted = zoe.answer(json!({ "type": "email", "email": " zoe@example.org " }), "email_noted").await;
    assert_eq!(noted["email"], "zoe@example.org", "{noted}");
    assert_eq!(refused(&mut zoe, copy("eve@example.org", uuid::Uuid::now_v7())).await, "email_not_given");
    let request_id = uuid::Uuid::now_v7();
    for _ in 0..2 {
        // Sent twice (a reconnection, a double click): one request, one mail.
        let requested = zoe.answer(copy("Zoe@Example.org", request_id), "transcript_requested").await;
        assert_eq!(requested["request_id"], json!(request_id), "{requested}");
    }
    assert_eq!(events_of(&db, &id, "TranscriptRequested").await, 1);
    assert_eq!(wait_for(|| smtp.mails_to("zoe@example.org").len(), 1).await, 1);
    let (subject, text) = &smtp.mails_to("zoe@example.org")[0];
    assert_eq!(subject, "Your chat with Shop");
    assert!(text.starts_with("Here is a copy of your chat with Shop of "), "{text}");
    assert!(text.contains("] You: Do you have size 43?\n") && text.contains("] ann: Yes, in blue.\n"), "{text}");
    assert!(!text.contains("VIP") && !text.contains("10%"), "a note reached the visitor's copy: {text}");
    let client = db.client().await;
    testkit::wait::until("the copy is marked sent", testkit::wait::DEADLINE, || async {
        let statuses: Vec<String> = client.query("SELECT status FROM transcript_mails", &[]).await.unwrap().iter().map(|r| r.get(0)).collect();
        testkit::wait::check(statuses == ["sent"], statuses)
    })
    .await;
    assert_eq!(smtp.mails_to("zoe@example.org").len(), 1, "one mail for a request sent twice");

    // The rating on the transcript page and in the history, found by rating.
    server.settle().await;
    let admin = Browserless::new(&server);
    admin.login("admin@acme.test", "admin-password").await;
    let page = admin.get_text(&format!("/history/{id}")).await;
    let rating = &page[page.find("id=\"rating\"").expect("a rating section")..];
    assert!(rating.contains("The visitor's rating") && rating.contains("Good") && rating.contains("Quick and kind"), "{page}");
    assert!(page.contains(SECRET), "staff still read the note on the transcript");
    assert!(listed(&admin, "rating=good", &id).await && listed(&admin, "", &id).await);
    assert!(!listed(&admin, "rating=bad", &id).await && !listed(&admin, "rating=unrated", &id).await);
    let form = admin.get_text("/history?rating=good").await;
    assert!(form.contains(r#"<option value="good" selected>Rated good</option>"#), "{form}");
    let api = Api::login(&server, "admin@acme.test", "admin-password").await;
    let (status, list) = api.json(Method::GET, "/api/v1/conversations?rating=good", None).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!((list["total"].as_i64(), list["conversations"][0]["rating"].as_str()), (Some(1), Some("good")), "{list}");
    assert_eq!(list["conversations"][0]["rating_comment"], "Quick and kind");
    assert_eq!(api.json(Method::GET, "/api/v1/conversations?rating=bad", None).await.1["total"], 0);
    let (status, wrong) = api.json(Method::GET, "/api/v1/conversations?rating=meh", None).await;
    assert_eq!((status, wrong["error"]["code"].as_str()), (422, Some("invalid_input")), "{wrong}");

    // Back after a reload (the socket no longer follows it), the visitor changes their mind:
    // the latest rating counts.
    let token = welcome["visitor_token"].as_str().unwrap();
    let (mut back, again) = visitor(&base, &chat.key, Some(token), 0).await;
    assert!(again["conversation"].is_null(), "{again}");
    assert_eq!(back.answer(json!({ "type": "rate", "rating": "bad", "comment": "" }), "rated").await["type"], "rated");
    server.settle().await;
    assert!(listed(&admin, "rating=bad", &id).await && !listed(&admin, "rating=good", &id).await);
    assert!(admin.get_text(&format!("/history/{id}")).await.contains("Bad"));

    // Another company's administrator sees neither the conversation nor its rating.
    server.chat_site("Globex", 2).await;
    let globex = Api::login(&server, "admin@globex.test", "admin-password").await;
    assert_eq!(globex.json(Method::GET, &format!("/api/v1/conversations/{id}"), None).await.0, 404);
    let (_, theirs) = globex.json(Method::GET, "/api/v1/conversations?rating=bad", None).await;
    assert_eq!(theirs["total"], 0, "{theirs}");
    let outsider = Browserless::new(&server);
    outsider.login("admin@globex.test", "admin-password").await;
    assert_eq!(outsider.get(&format!("/history/{id}")).await.status(), 404);
    assert!(!listed(&outsider, "rating=bad", &id).await);

    // A visitor who never chatted has nothing to rate.
    let (mut stranger, _) = visitor(&base, &chat.key, None, 0).await;
    assert_eq!(refused(&mut stranger, json!({ "type": "rate", "rating": "good" })).await, "not_found");
    zoe.drain(Duration::from_millis(200)).await;
    assert!(!zoe.seen.iter().any(|f| f.to_string().contains("VIP")), "the visitor's socket got a note");

    // Rebuilt from the log, the ratings are the live ones.
    server.settle().await;
    let (ok, stdout, stderr) = testkit::process::run(&["replay", "--verify", "conversations"], Some(&db.url()), "").await;
    assert!(ok && stdout.contains("conversations: matches the log"), "{stdout}\n{stderr}");

    // A restart replays the request into the outbox again: it finds it sent, mails nothing.
    drop((zoe, back, stranger, ann));
    drop(server);
    client.execute("UPDATE projection_checkpoints SET tx = 0, pos = 0 WHERE name = 'transcript-outbox'", &[]).await.unwrap();
    let restarted = TestServer::start_with(&db, smtp_transport(port)).await;
    restarted.caught_up_with(&[projections::Registered::TranscriptOutbox]).await;
    let rows: Vec<String> = client.query("SELECT status FROM transcript_mails", &[]).await.unwrap().iter().map(|r| r.get(0)).collect();
    assert_eq!(rows, ["sent"], "the replayed request is not pending again");
    assert_eq!(smtp.mails_to("zoe@example.org").len(), 1);
    smtp.stop().await;
}

// ---- In the browser ----------------------------------------------------------------------

const WAIT: Duration = Duration::from_secs(15);

const ROOT: &str = "const host = document.querySelector('switchboard-chat'); const root = host && host.shadowRoot; if (!root) return null;";

/// Runs `script` (after ROOT; `arguments[0]` is `arg`) until it returns something other than
/// null or false; that value.
async fn wait_for_widget(browser: &Browser, what: &str, script: &str, arg: Value) -> Value {
    let deadline = tokio::time::Instant::now() + WAIT;
    let script = format!("{ROOT} {script}");
    loop {
        let last = match browser.client.execute(&script, vec![arg.clone()]).await {
            Ok(Value::Null | Value::Bool(false)) => "null".to_owned(),
            Ok(value) => return value,
            Err(e) => e.to_string(),
        };
        assert!(tokio::time::Instant::now() < deadline, "{what}: not within {WAIT:?} (last answer: {last})");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The critical and serious WCAG 2.1 A/AA violations axe-core finds on the page the browser
/// shows (the widget's Shadow DOM included).
pub(crate) async fn violations(browser: &Browser) -> Vec<Value> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("axe/node_modules/axe-core/axe.min.js");
    let axe = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("axe-core is needed at {}: run ./dev test ({e})", path.display()));
    browser.client.execute(&axe, vec![]).await.unwrap();
    let check = "return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, \
                 resultTypes: ['violations'] }).then((r) => r.violations.filter((v) => v.impact === 'critical' || v.impact === 'serious') \
                 .map((v) => v.id + ': ' + v.nodes.map((n) => JSON.stringify(n.target)).join(' ')));";
    match browser.client.execute(check, vec![]).await.unwrap() {
        Value::Array(found) => found,
        other => panic!("axe-core answered {other}"),
    }
}

#[tokio::test]
async fn a_french_widget_asks_for_a_rating_when_the_agent_closes_and_mails_the_copy() {
    let db = TestDb::new().await;
    let port = testkit::process::free_port();
    let smtp = SmtpServer::start(port).await;
    let server = TestServer::start_with(&db, smtp_transport(port)).await;
    let base = server.url("");
    let chat = server.chat_site("Acme", 5).await;
    let admin = server.session_of(chat.company, chat.admin).await;
    app::sites::settings(&server.app, &admin, chat.site, WidgetSettings { language: Language::Fr, ..WidgetSettings::default() }).await.unwrap();
    server.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;
    let (mut ann, _) = console(&base, "ann@acme.test").await;
    ann.send(json!({ "type": "status", "status": "online" })).await;
    ann.until("online", |f| f["type"] == "state" && f["status"] == "online").await;
    server.settle().await;

    // Under the strict policy of a customer's page: nothing inline, scripts and styles from
    // the page and Switchboard only.
    let sockets = base.replacen("http://", "ws://", 1);
    let policy = format!("default-src 'none'; script-src 'self' {base}; style-src 'self' {base}; connect-src 'self' {base} {sockets}");
    let page = customer_site_with_policy(
        format!(
            "<!doctype html><html lang=\"fr\"><head><title>Acme</title><script src=\"/watch.js\"></script></head><body><h1>Boutique</h1>\
             <script async src=\"{base}/widget.js\" data-switchboard-site=\"{}\"></script></body></html>",
            chat.key
        ),
        Some(policy),
    )
    .await;
    let zoe = Browser::start().await;
    zoe.goto(&page).await;
    wait_for_widget(&zoe, "the bubble", "return !!root.querySelector('.bubble');", Value::Null).await;
    zoe.widget_element(".bubble").await.click().await.unwrap();
    zoe.widget_element(".input").await.send_keys("Avez-vous du 43 ?").await.unwrap();
    zoe.widget_element(".send").await.click().await.unwrap();
    let id = ann.until_type("conversation").await["id"].as_str().unwrap().to_owned();
    ann.send(json!({ "type": "message", "conversation_id": id, "client_id": uuid::Uuid::now_v7(), "text": "Oui, en bleu." })).await;
    ann.send(json!({ "type": "note", "conversation_id": id, "client_id": uuid::Uuid::now_v7(), "text": SECRET })).await;
    wait_for_widget(
        &zoe,
        "the answer",
        "return [...root.querySelectorAll('.msg .text')].some((t) => t.textContent === arguments[0]);",
        json!("Oui, en bleu."),
    )
    .await;
    let rating_shown = "return !root.querySelector('.after').hidden;";
    assert_eq!(zoe.client.execute(&format!("{ROOT} {rating_shown}"), vec![]).await.unwrap(), json!(false), "no rating while it is open");

    // The agent closes: the widget asks, in French, with named buttons.
    ann.send(json!({ "type": "close", "conversation_id": id })).await;
    wait_for_widget(&zoe, "the rating screen", rating_shown, Value::Null).await;
    let screen = zoe
        .client
        .execute(
            &format!(
                "{ROOT} const thumbs = [...root.querySelectorAll('.thumb')]; \
                 return {{ ask: root.querySelector('.ask').textContent, \
                   group: root.querySelector('.thumbs').getAttribute('role') + ' ' + root.querySelector('.thumbs').getAttribute('aria-labelledby'), \
                   names: thumbs.map((b) => b.querySelector('.word').textContent), \
                   hidden_icons: thumbs.every((b) => b.querySelector('[aria-hidden=true]')), \
                   pressed: thumbs.map((b) => b.getAttribute('aria-pressed')), \
                   comment: root.querySelector('.rate label').textContent, send: root.querySelector('.rate .go').textContent, \
                   copy: root.querySelector('.copy .go').textContent, ended: root.querySelector('.msg.ended').textContent }};"
            ),
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        screen,
        json!({
            "ask": "Comment s’est passée cette discussion\u{a0}?", "group": "group sb-ask", "names": ["Bien", "Mal"], "hidden_icons": true,
            "pressed": ["false", "false"], "comment": "Un commentaire (facultatif)", "send": "Envoyer ma note",
            "copy": "M’envoyer une copie de cette discussion par e-mail", "ended": "La conversation est terminée"
        })
    );

    assert_eq!(violations(&zoe).await, Vec::<Value>::new(), "the end-of-chat screen passes axe-core");

    // Sending without a choice says what is missing; then good, a comment, and it is sent.
    zoe.widget_element(".rate .go").await.click().await.unwrap();
    wait_for_widget(&zoe, "the missing choice", "return root.querySelector('.rate .err').textContent;", Value::Null).await;
    zoe.widget_element(".thumb[data-rating=good]").await.click().await.unwrap();
    zoe.widget_element(".rate textarea").await.send_keys("Rapide et aimable").await.unwrap();
    zoe.widget_element(".rate .go").await.click().await.unwrap();
    let thanks = wait_for_widget(&zoe, "the thanks", "const r = root.querySelector('.rated'); return !r.hidden && r.textContent;", Value::Null).await;
    assert_eq!(thanks, "Merci pour votre note\u{a0}!");
    let pressed =
        zoe.client.execute(&format!("{ROOT} return root.querySelector('.thumb[data-rating=good]').getAttribute('aria-pressed');"), vec![]).await;
    assert_eq!(pressed.unwrap(), json!("true"));

    // A copy: a bad address is refused in the widget, a good one is mailed.
    zoe.widget_element(".copy input").await.send_keys("zoe@").await.unwrap();
    zoe.widget_element(".copy .go").await.click().await.unwrap();
    let bad = wait_for_widget(&zoe, "the bad address", "return root.querySelector('.copy .err').textContent;", Value::Null).await;
    assert_eq!(bad, "Veuillez saisir une adresse e-mail valide.");
    zoe.widget_element(".copy input").await.send_keys("example.org").await.unwrap();
    zoe.widget_element(".copy .go").await.click().await.unwrap();
    let sent =
        wait_for_widget(&zoe, "the copy's confirmation", "const c = root.querySelector('.copied'); return !c.hidden && c.textContent;", Value::Null)
            .await;
    assert_eq!(sent, "Une copie de cette discussion part vers zoe@example.org.");
    assert_eq!(wait_for(|| smtp.mails_to("zoe@example.org").len(), 1).await, 1);
    let (subject, text) = &smtp.mails_to("zoe@example.org")[0];
    assert_eq!(subject, "Votre discussion avec Shop");
    assert!(text.contains("] Vous\u{a0}: Avez-vous du 43 ?\n") && text.contains("] ann\u{a0}: Oui, en bleu.\n"), "{text}");
    assert!(!text.contains("VIP"), "{text}");

    // The rating is the conversation's, with its comment.
    server.settle().await;
    let row = db
        .client()
        .await
        .query_one("SELECT rating, rating_comment FROM conversations WHERE conversation_id = $1", &[&id.parse::<uuid::Uuid>().unwrap()])
        .await
        .unwrap();
    assert_eq!((row.get::<_, Option<String>>(0).as_deref(), row.get::<_, String>(1).as_str()), (Some("good"), "Rapide et aimable"));

    let violations = zoe.client.execute("return window.__violations;", vec![]).await.unwrap();
    assert_eq!(violations, json!([]), "the browser reported Content-Security-Policy violations");

    // After a reload the screen is still there, the address prefilled.
    zoe.goto(&page).await;
    wait_for_widget(&zoe, "the bubble again", "return !!root.querySelector('.bubble');", Value::Null).await;
    zoe.widget_element(".bubble").await.click().await.unwrap();
    let prefilled = wait_for_widget(
        &zoe,
        "the prefilled address",
        "return !root.querySelector('.after').hidden && root.querySelector('.copy input').value;",
        Value::Null,
    )
    .await;
    assert_eq!(prefilled, "zoe@example.org");
    zoe.close().await;
    smtp.stop().await;
}
