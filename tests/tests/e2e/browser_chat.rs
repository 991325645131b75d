//! Live chat in two real (headless) Chromium sessions: a visitor on a customer's page, with
//! the site's snippet pasted in, and an agent in the console. They talk both ways; a hostile
//! message stays text in every page; the visitor's reload keeps the conversation; the agent
//! closes it and finds the transcript in the history. And the widget against the real
//! binary: what the visitor types while the server is down is sent once it is back.

use std::time::Duration;

use domain::company::Role;
use domain::site::Priority;
use fantoccini::key::Key;
use serde_json::{json, Value};
use testkit::browser::{customer_site, Browser};
use testkit::chat::PASSWORD;
use testkit::process::{free_port, Serve};
use testkit::{TestDb, TestServer};

/// How long anything the test waits for may take (two browsers and a server on two cores).
const WAIT: Duration = Duration::from_secs(15);

/// Runs `script` (a function body; `arguments[0]` is `arg`) until it returns something other
/// than null, undefined or false, and returns that; fails after `WAIT` with the last answer.
async fn wait_for(browser: &Browser, what: &str, script: &str, arg: Value) -> Value {
    wait_within(browser, what, WAIT, script, arg).await
}

/// `wait_for` with another deadline.
async fn wait_within(browser: &Browser, what: &str, within: Duration, script: &str, arg: Value) -> Value {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        // A page being (re)loaded may refuse scripts for a moment: that is "not yet".
        let last = match browser.client.execute(script, vec![arg.clone()]).await {
            Ok(Value::Null | Value::Bool(false)) => "null".to_owned(),
            Ok(value) => return value,
            Err(e) => e.to_string(),
        };
        if tokio::time::Instant::now() >= deadline {
            let page = browser.client.execute(DUMP_WIDGET, vec![]).await.unwrap_or_default();
            panic!("{what}: not within {within:?} (last answer: {last}); widget, if any: {page}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn run(browser: &Browser, script: &str) -> Value {
    browser.client.execute(script, vec![]).await.unwrap_or_else(|e| panic!("{script}: {e}"))
}

/// The widget's Shadow DOM, in scripts run on the customer's page.
const ROOT: &str = "const host = document.querySelector('switchboard-chat'); \
                    const root = host && host.shadowRoot; if (!root) return null;";

/// What the widget shows, for failure messages.
const DUMP_WIDGET: &str = "const host = document.querySelector('switchboard-chat'); \
    if (!host || !host.shadowRoot) return null; const root = host.shadowRoot; \
    return { status: root.querySelector('.status').textContent, typing: root.querySelector('.typing').textContent, \
             messages: [...root.querySelectorAll('.messages .msg')].map((m) => m.className + ' | ' + m.textContent) };";

/// The messages the widget shows: [class, who (or null), text].
const WIDGET_MESSAGES: &str = "const host = document.querySelector('switchboard-chat'); \
    return [...host.shadowRoot.querySelectorAll('.messages .msg')].map((m) => \
      [m.className, m.querySelector('.who') ? m.querySelector('.who').textContent : null, m.querySelector('.text').textContent]);";

/// Opens the widget's panel with a click on the bubble.
async fn open_bubble(visitor: &Browser) {
    visitor.widget_element(".bubble").await.click().await.unwrap();
    wait_for(visitor, "the panel opens", &format!("{ROOT} return !root.querySelector('.panel').hidden;"), Value::Null).await;
}

async fn widget_status(visitor: &Browser, status: &str) {
    let script = format!("{ROOT} return root.querySelector('.status').textContent === arguments[0];");
    wait_for(visitor, &format!("the widget's status reads {status:?}"), &script, json!(status)).await;
}

async fn console_shows(agent: &Browser, from: &str, text: &str) {
    let script =
        format!("return [...document.querySelectorAll('ol#transcript li.msg.from-{from} .text')].some((t) => t.textContent === arguments[0]);");
    wait_for(agent, &format!("the console shows {text:?} from the {from}"), &script, json!(text)).await;
}

/// Which parts of the console are on screen (laid out), by id (`no-chat` is the placeholder).
async fn shown_in_console(agent: &Browser) -> Value {
    run(
        agent,
        "const shown = (el) => !!el && getComputedStyle(el).display !== 'none' && el.getClientRects().length > 0; \
         return { chat: shown(document.querySelector('#chat')), 'no-chat': shown(document.querySelector('#console .no-chat')), \
                  'transfer-box': shown(document.querySelector('#transfer-box')), 'transfer-confirm': shown(document.querySelector('#transfer-confirm')) };",
    )
    .await
}

async fn no_harm_done(browser: &Browser, page: &str) {
    let pwned = run(browser, "return typeof window.__pwned;").await;
    assert_eq!(pwned, "undefined", "a visitor's text ran as HTML in the {page}");
}

#[tokio::test]
async fn a_visitor_on_a_customer_page_and_an_agent_in_the_console_talk_in_real_browsers() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let chat = server.chat_site("Acme", 5).await;
    let ann = server.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;

    // ---- The agent logs in, opens the console and goes online. ----
    let agent = Browser::start().await;
    agent.goto(&server.url("/login")).await;
    agent.fill("#email", "ann@acme.test").await;
    agent.fill("#password", PASSWORD).await;
    agent.click("button[type=submit]").await;
    agent.find("a[href='/console']").await;
    agent.goto(&server.url("/console")).await;
    agent.find("#connection[data-state=connected]").await;
    let status = agent.find("select#agent-status:not([disabled])").await;
    assert_eq!(status.prop("value").await.unwrap().as_deref(), Some("offline"), "agents start offline");
    status.select_by_value("online").await.unwrap();
    // The server took it: the site's widget configuration says somebody is online.
    let config = server.url(&format!("/widget/config?site={}", chat.key));
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let body: Value = reqwest::get(&config).await.unwrap().json().await.unwrap();
        if body["online"] == true {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the console's status change did not reach the server: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(agent.text("#queue-count").await, "0");

    // ---- A customer's page, on its own origin, with the snippet and hostile styles. ----
    let snippet = format!("<script async src=\"{}/widget.js\" data-switchboard-site=\"{}\"></script>", server.url(""), chat.key);
    let page = customer_site(format!(
        "<!doctype html><html><head><title>Acme shop</title>\
         <style>* {{ color: red !important; font-size: 40px !important; font-family: serif !important; \
         font-style: italic !important; text-shadow: 2px 2px 2px red !important; }} \
         div, p {{ background: yellow !important; }}</style></head>\
         <body><h1>Our products</h1><p id=page-text>Buy things.</p>\n{snippet}\n</body></html>"
    ))
    .await;
    let visitor = Browser::start().await;
    visitor.goto(&page).await;
    assert_eq!(
        run(&visitor, "return getComputedStyle(document.querySelector('#page-text')).color;").await,
        "rgb(255, 0, 0)",
        "the page's own style applies to the page"
    );

    // The visitor opens the bubble and is greeted.
    open_bubble(&visitor).await;
    let greeting = wait_for(
        &visitor,
        "the greeting",
        &format!("{ROOT} const g = root.querySelector('.greeting'); return !g.hidden && g.textContent;"),
        Value::Null,
    )
    .await;
    assert_eq!(greeting, "Hello! How can we help you today?");
    widget_status(&visitor, "We are online").await;

    // ---- The visitor writes, with some HTML in the text; the agent gets it. ----
    let hostile = "Do you have size 43? <img src=x onerror=\"window.__pwned=1\">";
    visitor.widget_element(".input").await.send_keys(hostile).await.unwrap();
    visitor.widget_element(".send").await.click().await.unwrap();
    let delivered =
        format!("{ROOT} return [...root.querySelectorAll('.msg.from-visitor.delivered .text')].some((t) => t.textContent === arguments[0]);");
    wait_for(&visitor, "the visitor's message is delivered", &delivered, json!(hostile)).await;
    assert_eq!(run(&visitor, &format!("{ROOT} return root.querySelector('.input').value;")).await, "", "the field empties once sent");

    let item = agent.find("ul#conversations li[data-conversation-id]").await;
    let conversation_id = item.attr("data-conversation-id").await.unwrap().unwrap();
    console_shows(&agent, "visitor", hostile).await;
    assert_eq!(shown_in_console(&agent).await, json!({ "chat": true, "no-chat": false, "transfer-box": false, "transfer-confirm": false }));
    widget_status(&visitor, "You are chatting with ann").await;

    // The visitor types (the agent sees it), then sends with Enter.
    let input = visitor.widget_element(".input").await;
    input.send_keys("Blue, if poss").await.unwrap();
    wait_for(
        &agent,
        "the console shows the visitor typing",
        "const t = document.querySelector('#visitor-typing'); return !t.hidden && t.textContent;",
        Value::Null,
    )
    .await;
    input.send_keys(&format!("ible.{}", Key::Enter)).await.unwrap();
    console_shows(&agent, "visitor", "Blue, if possible.").await;
    wait_for(&agent, "the typing line goes when the message arrives", "return document.querySelector('#visitor-typing').hidden;", Value::Null).await;

    // ---- The agent answers (the visitor sees them typing first). ----
    let answer = "Let me find a 43 in blue for you.";
    agent.find("form#reply textarea[name=text]").await.send_keys(answer).await.unwrap();
    let typing = wait_for(
        &visitor,
        "the widget shows the agent typing",
        &format!("{ROOT} const t = root.querySelector('.typing'); return !t.hidden && t.textContent;"),
        Value::Null,
    )
    .await;
    assert_eq!(typing, "ann is typing…");
    agent.click("button#send").await;
    let from_agent =
        format!("{ROOT} return [...root.querySelectorAll('.msg.from-agent')].some((m) => m.querySelector('.text').textContent === arguments[0]);");
    wait_for(&visitor, "the answer reaches the widget", &from_agent, json!(answer)).await;
    wait_for(&agent, "the console marks the answer delivered", "const m = [...document.querySelectorAll('ol#transcript li.msg.from-agent.mine')].pop(); return !!m && m.querySelector('.state').textContent === 'Delivered';", Value::Null).await;
    wait_for(&visitor, "the typing line goes when the answer arrives", &format!("{ROOT} return root.querySelector('.typing').hidden;"), Value::Null)
        .await;

    let shown = run(&visitor, WIDGET_MESSAGES).await;
    assert_eq!(
        shown,
        json!([
            ["msg from-visitor delivered", "You", hostile],
            ["msg from-visitor delivered", "You", "Blue, if possible."],
            ["msg from-agent", "ann", answer],
        ]),
        "the widget shows the conversation in order, the answer under the agent's name"
    );
    let console = run(&agent, "return [...document.querySelectorAll('ol#transcript li.msg')].map((m) => [m.classList[1], m.querySelector('.who').textContent, m.querySelector('.text').textContent]);").await;
    assert_eq!(
        console,
        json!([["from-visitor", "Visitor #1", hostile], ["from-visitor", "Visitor #1", "Blue, if possible."], ["from-agent", "ann", answer]])
    );

    // ---- The HTML stayed text, in both pages; nothing ran. ----
    assert_eq!(run(&agent, "return document.querySelectorAll('#console img').length;").await, 0);
    assert_eq!(run(&visitor, &format!("{ROOT} return root.querySelectorAll('img').length + document.querySelectorAll('img').length;")).await, 0);
    no_harm_done(&agent, "console").await;
    no_harm_done(&visitor, "customer's page").await;

    // ---- The host page's styles did not leak into the widget. ----
    let style = run(&visitor, &format!("{ROOT} const t = [...root.querySelectorAll('.msg.from-agent .text')].pop(); const s = getComputedStyle(t); return [s.color, s.fontSize, s.fontStyle, s.textShadow, s.backgroundColor];")).await;
    assert_eq!(
        style,
        json!(["rgb(29, 35, 48)", "15px", "normal", "none", "rgba(0, 0, 0, 0)"]),
        "the page's `* {{ color: red; font-size: 40px … }}` reached the widget"
    );

    // ---- The visitor reloads: same conversation, still live. ----
    visitor.client.refresh().await.unwrap();
    let token = wait_for(
        &visitor,
        "the visitor token in localStorage",
        "return localStorage.getItem(arguments[0]);",
        json!(format!("switchboard:{}:visitor", chat.key)),
    )
    .await;
    let token = token.as_str().unwrap().to_owned();
    assert!(token.len() == 64 && token.chars().all(|c| c.is_ascii_hexdigit()), "{token}");
    open_bubble(&visitor).await;
    widget_status(&visitor, "You are chatting with ann").await; // the server knew the visitor again
    agent.find("form#reply textarea[name=text]").await.send_keys(&format!("Found one.{}", Key::Enter)).await.unwrap();
    wait_for(&visitor, "an answer after the reload", &from_agent, json!("Found one.")).await;

    // Even with the shown messages forgotten, the token alone brings the conversation back.
    run(&visitor, &format!("localStorage.removeItem('switchboard:{}:chat'); return null;", chat.key)).await;
    visitor.client.refresh().await.unwrap();
    open_bubble(&visitor).await;
    wait_for(&visitor, "the whole conversation again, from the server", &from_agent, json!("Found one.")).await;
    let texts = run(&visitor, &format!("{ROOT} return [...root.querySelectorAll('.messages .msg .text')].map((t) => t.textContent);")).await;
    assert_eq!(texts, json!([hostile, "Blue, if possible.", answer, "Found one."]));
    assert_eq!(
        wait_for(&visitor, "the same token", "return localStorage.getItem(arguments[0]);", json!(format!("switchboard:{}:visitor", chat.key))).await,
        token.as_str()
    );
    no_harm_done(&visitor, "customer's page, after the replay").await;

    // ---- The agent closes the chat; the widget says it ended. ----
    agent.click("button#close-conversation").await;
    let ended =
        format!("{ROOT} const m = [...root.querySelectorAll('.messages .msg')].pop(); return !!m && m.classList.contains('ended') && m.textContent;");
    assert_eq!(wait_for(&visitor, "the widget shows the end", &ended, Value::Null).await, "The conversation has ended");
    widget_status(&visitor, "We are online").await;
    assert_eq!(run(&visitor, &format!("{ROOT} return root.querySelector('.end').hidden;")).await, true, "no “End the chat” button once ended");
    wait_for(
        &agent,
        "the conversation leaves the console",
        "return document.querySelectorAll('ul#conversations li[data-conversation-id]').length === 0;",
        Value::Null,
    )
    .await;
    assert!(agent.text("#notice").await.contains("You closed the conversation"));
    assert_eq!(
        shown_in_console(&agent).await,
        json!({ "chat": false, "no-chat": true, "transfer-box": false, "transfer-confirm": false }),
        "the closed conversation stays on screen"
    );

    // ---- The transcript is in the agent's history. ----
    agent.goto(&server.url("/history")).await;
    let row = format!("table#history tr[data-conversation-id='{conversation_id}']");
    assert_eq!(agent.text(&format!("{row} .status")).await, "closed");
    agent.click(&format!("{row} a")).await;
    agent.find("ol#transcript").await;
    assert_eq!(agent.client.current_url().await.unwrap().path(), format!("/history/{conversation_id}"));
    let transcript = run(&agent, "return [...document.querySelectorAll('ol#transcript li.msg')].map((m) => [m.className, m.querySelector('.who').textContent, m.querySelector('.text').textContent]);").await;
    assert_eq!(
        transcript,
        json!([
            ["msg from-visitor", "Visitor #1", hostile],
            ["msg from-visitor", "Visitor #1", "Blue, if possible."],
            ["msg from-agent", "ann", answer],
            ["msg from-agent", "ann", "Found one."],
        ])
    );
    assert_eq!(run(&agent, "return document.querySelectorAll('main img, #transcript img').length;").await, 0);
    no_harm_done(&agent, "history").await;

    // ---- The Agent role taken away: the open console says so and stops. ----
    agent.goto(&server.url("/console")).await;
    agent.find("#connection[data-state=connected]").await;
    let ann = ann.0;
    let admin = testkit::api::Api::login(&server, "admin@acme.test", "admin-password").await;
    assert_eq!(admin.json(reqwest::Method::DELETE, &format!("/api/v1/users/{ann}/roles/Agent"), None).await.0, 200);
    agent.find("#connection[data-state=ended]").await;
    assert_eq!(agent.text("#connection").await, "Your role no longer allows this page.");

    agent.close().await;
    visitor.close().await;
}

#[tokio::test]
async fn a_supervisor_sees_the_board_and_reads_a_transcript_in_a_real_browser() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let chat = server.chat_site("Acme", 5).await;
    let ann = server.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;
    server.user(chat.company, "sue@acme.test", PASSWORD, &[Role::Supervisor]).await;
    // Ann online in her console (over its socket), a visitor talking to her.
    let (mut console, _) = testkit::chat::console(&server.url(""), "ann@acme.test").await;
    console.send(json!({ "type": "status", "status": "online" })).await;
    console.until("online", |f| f["type"] == "state" && f["status"] == "online").await;
    server.settle().await;
    let (mut visitor, _) = testkit::chat::visitor(&server.url(""), &chat.key, None, 0).await;
    let hostile = "Where is my parcel? <img src=x onerror=\"window.__pwned=1\">";
    visitor.send(testkit::chat::says(hostile).1).await;
    let id = console.until_type("conversation").await["id"].as_str().unwrap().to_owned();

    let sue = Browser::start().await;
    sue.goto(&server.url("/login")).await;
    sue.fill("#email", "sue@acme.test").await;
    sue.fill("#password", PASSWORD).await;
    sue.click("button[type=submit]").await;
    sue.find("a[href='/supervisor']").await;
    sue.goto(&server.url("/supervisor")).await;
    let row = format!("#board-agents tr[data-user-id='{ann}']");
    let status = wait_for(&sue, "ann online with one chat on the board", &format!(
        "const r = document.querySelector(\"{row}\"); return r && r.querySelector('.load').textContent.includes('1') && r.querySelector('.status').textContent;"
    ), Value::Null).await;
    assert_eq!(status, "online");
    sue.click(&format!("#board-conversations tr[data-conversation-id='{id}'] button.watch")).await;
    let shown = wait_for(
        &sue,
        "the transcript",
        "const t = document.querySelector('#watched-transcript li.msg.from-visitor .text'); return t && t.textContent;",
        Value::Null,
    )
    .await;
    assert_eq!(shown, hostile);
    // Live: the next message appears without a reload.
    visitor.send(testkit::chat::says("It was due on Monday").1).await;
    wait_for(
        &sue,
        "the next message, live",
        "return [...document.querySelectorAll('#watched-transcript .text')].some((t) => t.textContent === 'It was due on Monday');",
        Value::Null,
    )
    .await;
    no_harm_done(&sue, "board").await;
    sue.close().await;
}

/// Loaded before the snippet on a customer's page: notes every WebSocket the page opens
/// (when, and whether it opened), so the widget's attempts to reconnect can be counted.
const SOCKET_LOG: &str = "<script>window.__sockets = []; const Native = window.WebSocket; \
    window.WebSocket = function (url, protocols) { \
      const socket = protocols === undefined ? new Native(url) : new Native(url, protocols); \
      const entry = { at: performance.now(), opened: false }; window.__sockets.push(entry); \
      socket.addEventListener('open', () => { entry.opened = true; }); return socket; }; \
    window.WebSocket.prototype = Native.prototype; \
    Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });</script>";

#[tokio::test]
async fn text_typed_in_the_widget_while_the_server_is_down_is_sent_once_when_it_is_back() {
    let db = TestDb::new().await;
    let chat = {
        let setup = TestServer::start(&db).await;
        let chat = setup.chat_site("Acme", 5).await;
        setup.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;
        chat
    };
    // The real binary, restarted later on the same address and database. Ann keeps her chat
    // across the restart: the outage is the server's, not hers.
    let data = std::env::temp_dir().join(format!("sb-outage-{}", uuid::Uuid::now_v7().simple()));
    let port = free_port();
    let serve = || Serve::new(&data).database(Some(&db.url())).port(port).env("SWITCHBOARD_AGENT_GRACE_SECONDS", "600");
    let served = serve().start().await;
    let base = served.url("");
    let (mut console, _) = testkit::chat::console(&base, "ann@acme.test").await;
    console.send(json!({ "type": "status", "status": "online" })).await;
    console.until("online", |f| f["type"] == "state" && f["status"] == "online").await;

    let snippet = format!("<script async src=\"{base}/widget.js\" data-switchboard-site=\"{}\"></script>", chat.key);
    let page = customer_site(format!(
        "<!doctype html><html><head><title>Acme shop</title>{SOCKET_LOG}</head><body><h1>Our products</h1>\n{snippet}\n</body></html>"
    ))
    .await;
    let visitor = Browser::start().await;
    visitor.goto(&page).await;
    open_bubble(&visitor).await;
    let delivered =
        format!("{ROOT} return [...root.querySelectorAll('.msg.from-visitor.delivered .text')].some((t) => t.textContent === arguments[0]);");
    visitor.widget_element(".input").await.send_keys(&format!("Before the outage{}", Key::Enter)).await.unwrap();
    wait_for(&visitor, "the first message delivered", &delivered, json!("Before the outage")).await;
    console.until_type("conversation").await;

    // ---- The server goes down; the visitor writes on. ----
    let sockets_before = run(&visitor, "return window.__sockets.length;").await;
    served.terminate().await;
    widget_status(&visitor, "Connection lost: reconnecting…").await;
    let offline = "Typed while you were away";
    visitor.widget_element(".input").await.send_keys(&format!("{offline}{}", Key::Enter)).await.unwrap();
    let pending = format!("{ROOT} return [...root.querySelectorAll('.msg.from-visitor.pending .text')].some((t) => t.textContent === arguments[0]);");
    wait_for(&visitor, "the message shown as not sent yet", &pending, json!(offline)).await;
    let outbox = format!("return JSON.parse(localStorage.getItem('switchboard:{}:outbox') || '[]').map((m) => m.text);", chat.key);
    assert_eq!(run(&visitor, &outbox).await, json!([offline]), "kept in localStorage until the server has it");
    // It keeps trying, pausing longer each time (1 s, then 2 s, then 4 s, each ±20 %).
    let attempts = wait_within(
        &visitor,
        "three failed attempts to reconnect",
        Duration::from_secs(60),
        "const s = window.__sockets.slice(arguments[0]); return s.length >= 3 && s.every((x) => !x.opened) && s.map((x) => x.at);",
        sockets_before,
    )
    .await;
    let at: Vec<f64> = attempts.as_array().unwrap().iter().map(|t| t.as_f64().unwrap()).collect();
    let pauses = [at[1] - at[0], at[2] - at[1]];
    // Timers never fire early: each pause is at least its share of the backoff (2 s and 4 s
    // less 20 %, with a margin for the clocks), whatever the machine's load.
    assert!(pauses[0] >= 1_500.0 && pauses[1] >= 3_000.0, "no backoff between attempts: pauses of {pauses:?} ms");

    // ---- The server is back, on the same address and database. ----
    let served = serve().start().await;
    wait_within(&visitor, "the message typed offline delivered", Duration::from_secs(60), &delivered, json!(offline)).await;
    assert_eq!(run(&visitor, &outbox).await, json!([]), "nothing left to send");
    widget_status(&visitor, "You are chatting with ann").await;

    // Ann, back in her console, has it once, and the conversation goes on.
    let (mut console, state) = testkit::chat::console(&served.url(""), "ann@acme.test").await;
    visitor.widget_element(".input").await.send_keys(&format!("After the outage{}", Key::Enter)).await.unwrap();
    let after = console.until("the next message", |f| f["type"] == "message" && f["text"] == "After the outage").await;
    let mut seen: Vec<Value> = state["conversations"][0]["messages"].as_array().unwrap().clone();
    seen.extend(console.seen.iter().filter(|f| f["type"] == "message").cloned());
    let from_visitor: Vec<&str> = seen.iter().filter(|m| m["from"] == "visitor").map(|m| m["text"].as_str().unwrap()).collect();
    assert_eq!(from_visitor, ["Before the outage", offline, "After the outage"], "{after}");
    let client = db.client().await;
    // Stored once each (the texts are sealed in the log; the console showed them above).
    let stored: Vec<(String, bool)> = client
        .query("SELECT payload->>'client_id', payload->'text' ? 'sealed' FROM events WHERE event_type = 'MessagePosted' ORDER BY position", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let ids: std::collections::HashSet<&str> = stored.iter().map(|(id, _)| id.as_str()).collect();
    assert!(stored.len() == 3 && ids.len() == 3 && stored.iter().all(|(_, sealed)| *sealed), "{stored:?}");
    wait_for(&visitor, "the last message delivered", &delivered, json!("After the outage")).await;
    assert_eq!(
        run(&visitor, WIDGET_MESSAGES).await,
        json!([
            ["msg from-visitor delivered", "You", "Before the outage"],
            ["msg from-visitor delivered", "You", offline],
            ["msg from-visitor delivered", "You", "After the outage"],
        ])
    );
    visitor.close().await;
    served.terminate().await;
    let _ = std::fs::remove_dir_all(data);
}
