//! A whole chat, as issue 14 tells it, in two real browsers: a visitor fills the site's
//! pre-chat form, the agent (online in her console) answers with a shared canned response,
//! adds a note the visitor never sees, closes; the visitor rates the chat and asks for a
//! copy, which a real SMTP server receives at the pre-chat address, without the note; the
//! transcript page shows the rating and its comment.

use domain::site::{Priority, WidgetSettings};
use fantoccini::key::Key;
use serde_json::{json, Value};
use testkit::browser::{customer_site, Browser};
use testkit::chat::PASSWORD;
use testkit::smtp::{smtp_transport, wait_for, SmtpServer};
use testkit::{wait, TestDb, TestServer};

use crate::every_page::CANNED_TEXT;

const NAME: &str = "Zoé Durand";
const EMAIL: &str = "zoe@example.org";
const QUESTION: &str = "Do you ship to Lyon?";
const NOTE: &str = "VIP: offer them the code GIFT-7731";
/// Words of the note, none of which the visitor may ever read.
const NOTE_WORDS: [&str; 3] = ["VIP", "offer them", "GIFT-7731"];
const LATER: &str = "Anything else I can do?";
const COMMENT: &str = "Quick and kind";

/// The widget's Shadow DOM, in scripts run on the customer's page.
const ROOT: &str = "const host = document.querySelector('switchboard-chat'); const root = host && host.shadowRoot; if (!root) return null;";

/// Runs `script` (a function body; `arguments[0]` is `arg`) until it returns something other
/// than null or false; that value. A page still loading answers "not yet".
async fn until_shown(browser: &Browser, what: &str, script: &str, arg: Value) -> Value {
    wait::until(what, wait::DEADLINE, || async {
        match browser.client.execute(script, vec![arg.clone()]).await {
            Ok(Value::Null | Value::Bool(false)) => Err("null".to_owned()),
            Ok(value) => Ok(value),
            Err(e) => Err(e.to_string()),
        }
    })
    .await
}

/// `until_shown` for a script about the widget (run after `ROOT`).
async fn in_widget(browser: &Browser, what: &str, script: &str, arg: Value) -> Value {
    until_shown(browser, what, &format!("{ROOT} {script}"), arg).await
}

async fn run(browser: &Browser, script: &str) -> Value {
    browser.client.execute(script, vec![]).await.unwrap_or_else(|e| panic!("{script}: {e}"))
}

/// The messages the widget shows: [class, who (or null), text].
const WIDGET_MESSAGES: &str = "const host = document.querySelector('switchboard-chat'); \
    return [...host.shadowRoot.querySelectorAll('.messages .msg')].map((m) => \
      [m.className, m.querySelector('.who') ? m.querySelector('.who').textContent : null, m.querySelector('.text') ? m.querySelector('.text').textContent : m.textContent]);";

/// Every word the widget holds (its text and its markup, hidden parts included), and what
/// it keeps in the page's storage.
const WIDGET_EVERYTHING: &str = "const host = document.querySelector('switchboard-chat'); \
    const stored = Object.keys(localStorage).map((k) => k + '=' + localStorage.getItem(k)).join('\\n'); \
    return host.shadowRoot.textContent + '\\n' + host.shadowRoot.innerHTML + '\\n' + stored;";

/// The note's words found in the widget, if any.
async fn note_in_widget(visitor: &Browser) -> Vec<&'static str> {
    let everything = run(visitor, WIDGET_EVERYTHING).await;
    let everything = everything.as_str().expect("the widget's text");
    NOTE_WORDS.into_iter().filter(|w| everything.contains(w)).collect()
}

/// The options the console's `/` picker offers (their shortcuts), or why none.
async fn picker(agent: &Browser) -> Result<Vec<String>, String> {
    let found = agent
        .client
        .execute(
            "const p = document.getElementById('canned-picker'); if (!p || p.hidden) return null; \
             return [...p.querySelectorAll('li[role=option]')].map((li) => li.dataset.shortcut);",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    serde_json::from_value(found.clone()).map_err(|_| format!("the picker is closed: {found}"))
}

#[tokio::test]
async fn a_visitor_fills_the_pre_chat_form_gets_a_canned_answer_never_the_note_rates_and_receives_the_copy() {
    let db = TestDb::new().await;
    let port = testkit::process::free_port();
    let smtp = SmtpServer::start(port).await;
    let server = TestServer::start_with(&db, smtp_transport(port)).await;
    let base = server.url("");

    // A company whose site asks who the visitor is, with a shared `/thx` using both names.
    let chat = server.chat_site("Acme", 5).await;
    let admin = server.session_of(chat.company, chat.admin).await;
    app::sites::settings(&server.app, &admin, chat.site, WidgetSettings { prechat_form: true, ..WidgetSettings::default() }).await.unwrap();
    server.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;
    app::canned::add(&server.app, &admin, true, "thx", CANNED_TEXT).await.unwrap();
    server.settle().await;

    // ---- Ann logs in, opens the console and goes online. ----
    let agent = Browser::start().await;
    agent.log_in(&server.url("/login"), "ann@acme.test", PASSWORD).await;
    agent.find("a[href='/console']").await;
    agent.goto(&server.url("/console")).await;
    agent.find("#connection[data-state=connected]").await;
    agent.find("select#agent-status:not([disabled])").await.select_by_value("online").await.unwrap();
    let config = server.url(&format!("/widget/config?site={}", chat.key));
    wait::until("the widget's configuration says somebody is online", wait::DEADLINE, || async {
        let body: Value = reqwest::get(&config).await.map_err(|e| e.to_string())?.json().await.map_err(|e| e.to_string())?;
        wait::check(body["online"] == true && body["settings"]["prechat_form"] == true, body)
    })
    .await;

    // ---- The visitor, on the customer's page, fills the pre-chat form. ----
    let page = customer_site(format!(
        "<!doctype html><html lang=\"en\"><head><title>Acme</title></head><body><h1>Shop</h1>\
         <script async src=\"{base}/widget.js\" data-switchboard-site=\"{}\"></script></body></html>",
        chat.key
    ))
    .await;
    let visitor = Browser::start().await;
    visitor.goto(&page).await;
    in_widget(&visitor, "the bubble", "return !!root.querySelector('.bubble');", Value::Null).await;
    visitor.widget_element(".bubble").await.click().await.unwrap();
    in_widget(
        &visitor,
        "the pre-chat form, the composer hidden",
        "return !root.querySelector('.prechat').hidden && root.querySelector('.composer').hidden;",
        Value::Null,
    )
    .await;
    visitor.widget_element(".prechat [name=name]").await.send_keys(NAME).await.unwrap();
    visitor.widget_element(".prechat [name=email]").await.send_keys(EMAIL).await.unwrap();
    visitor.widget_element(".prechat [name=question]").await.send_keys(QUESTION).await.unwrap();
    visitor.widget_element(".prechat .go").await.click().await.unwrap();
    in_widget(
        &visitor,
        "the question, delivered",
        "return [...root.querySelectorAll('.msg.from-visitor.delivered .text')].some((t) => t.textContent === arguments[0]);",
        json!(QUESTION),
    )
    .await;

    // ---- Ann sees who wrote: the name and address the visitor gave. ----
    let id = until_shown(
        &agent,
        "the visitor's conversation in the console, under the given name",
        "const li = document.querySelector('#conversations li[data-conversation-id]'); \
         return !!li && li.querySelector('.visitor').textContent === arguments[0] && li.dataset.conversationId;",
        json!(NAME),
    )
    .await;
    let id = id.as_str().unwrap().to_owned();
    agent.click(&format!("#conversations li[data-conversation-id='{id}']")).await;
    agent.find(&format!("#conversations li[data-conversation-id='{id}'].selected")).await;
    let seen = until_shown(
        &agent,
        "the question and the visitor's details in the console",
        "const q = [...document.querySelectorAll('ol#transcript li.msg.from-visitor')].find((m) => m.querySelector('.text').textContent === arguments[0]); \
         const fact = (n) => { const d = document.querySelector(`#visitor-panel dd[data-fact=${n}]`); return d && d.textContent; }; \
         return !!q && { who: q.querySelector('.who').textContent, name: fact('name'), email: fact('email'), \
                         title: document.querySelector('#conversation-title').textContent };",
        json!(QUESTION),
    )
    .await;
    assert_eq!(seen, json!({ "who": NAME, "name": NAME, "email": EMAIL, "title": format!("{NAME} · Shop") }));

    // ---- She answers with `/thx`: Enter inserts it, names filled in; Enter sends it. ----
    let expected = CANNED_TEXT.replace("{visitor_name}", NAME).replace("{agent_name}", "ann");
    assert_eq!(expected, "Thanks for waiting, Zoé Durand! ann here.");
    let input = agent.find("form#reply textarea[name=text]").await;
    input.send_keys("/thx").await.unwrap();
    wait::until("the picker offering /thx", wait::DEADLINE, || async {
        let shown = picker(&agent).await?;
        wait::check(shown == ["thx"], shown)
    })
    .await;
    input.send_keys(&Key::Enter.to_string()).await.unwrap();
    wait::until("the filled-in text in the answer box", wait::DEADLINE, || async {
        let value = input.prop("value").await.map_err(|e| e.to_string())?.unwrap_or_default();
        wait::check(value == expected, value)
    })
    .await;
    input.send_keys(&Key::Enter.to_string()).await.unwrap();
    in_widget(
        &visitor,
        "the canned answer in the widget",
        "return [...root.querySelectorAll('.msg.from-agent .text')].some((t) => t.textContent === arguments[0]);",
        json!(expected),
    )
    .await;
    assert_eq!(
        run(&visitor, WIDGET_MESSAGES).await,
        json!([["msg from-visitor delivered", "You", QUESTION], ["msg from-agent", "ann", expected]]),
        "the visitor reads exactly the filled-in text, under the agent's name"
    );

    // ---- A note: Ann sees it as hers; then a message, after which the note cannot come. ----
    agent.click("#note-mode").await;
    assert_eq!(agent.text("#send").await, "Add note");
    input.send_keys(&format!("{NOTE}{}", Key::Enter)).await.unwrap();
    let note = until_shown(
        &agent,
        "the note in the console, delivered",
        "const m = [...document.querySelectorAll('ol#transcript li.msg.from-note')].find((m) => m.querySelector('.text').textContent === arguments[0]); \
         return !!m && !!m.querySelector('.state') && m.querySelector('.state').textContent === 'Delivered' && m.querySelector('.who').textContent;",
        json!(NOTE),
    )
    .await;
    assert_eq!(note, "Note by ann");
    agent.click("#note-mode").await;
    assert_eq!(agent.text("#send").await, "Send");
    input.send_keys(&format!("{LATER}{}", Key::Enter)).await.unwrap();
    in_widget(
        &visitor,
        "the message written after the note",
        "return [...root.querySelectorAll('.msg.from-agent .text')].some((t) => t.textContent === arguments[0]);",
        json!(LATER),
    )
    .await;
    assert_eq!(
        run(&visitor, WIDGET_MESSAGES).await,
        json!([["msg from-visitor delivered", "You", QUESTION], ["msg from-agent", "ann", expected], ["msg from-agent", "ann", LATER]]),
        "the widget shows the chat without the note"
    );
    assert_eq!(note_in_widget(&visitor).await, Vec::<&str>::new(), "the note reached the visitor's widget");

    // ---- Ann closes; the widget asks for a rating. ----
    agent.click("button#close-conversation").await;
    wait::until("the conversation leaves the console", wait::DEADLINE, || async {
        let left = run(&agent, "return document.querySelectorAll('ul#conversations li[data-conversation-id]').length;").await;
        wait::check(left == 0, left)
    })
    .await;
    let ended = in_widget(
        &visitor,
        "the end of the chat and the rating screen",
        "const m = [...root.querySelectorAll('.messages .msg')].pop(); \
         return !!m && m.classList.contains('ended') && !root.querySelector('.after').hidden && \
           { ended: m.textContent, ask: root.querySelector('.ask').textContent, copy: root.querySelector('.copy .go').textContent };",
        Value::Null,
    )
    .await;
    assert_eq!(ended, json!({ "ended": "The conversation has ended", "ask": "How was this chat?", "copy": "E-mail me a copy of this chat" }));

    // Good, with a comment, sent: thanked.
    visitor.widget_element(".thumb[data-rating=good]").await.click().await.unwrap();
    visitor.widget_element(".rate textarea").await.send_keys(COMMENT).await.unwrap();
    visitor.widget_element(".rate .go").await.click().await.unwrap();
    let thanks =
        in_widget(&visitor, "the thanks for the rating", "const r = root.querySelector('.rated'); return !r.hidden && r.textContent;", Value::Null)
            .await;
    assert_eq!(thanks, "Thank you for your rating!");
    assert_eq!(run(&visitor, &format!("{ROOT} return root.querySelector('.thumb[data-rating=good]').getAttribute('aria-pressed');")).await, "true");

    // A copy, to the address of the pre-chat form, already filled in.
    let prefilled = run(&visitor, &format!("{ROOT} return root.querySelector('.copy input').value;")).await;
    assert_eq!(prefilled, EMAIL, "the copy's address is the one the visitor gave before the chat");
    visitor.widget_element(".copy .go").await.click().await.unwrap();
    let sent =
        in_widget(&visitor, "the copy's confirmation", "const c = root.querySelector('.copied'); return !c.hidden && c.textContent;", Value::Null)
            .await;
    assert_eq!(sent, format!("A copy of this chat is on its way to {EMAIL}."));

    // ---- The mail, at the real SMTP server: the chat, not the note. ----
    assert_eq!(wait_for(|| smtp.mails_to(EMAIL).len(), 1).await, 1, "one copy reaches {EMAIL}");
    let (subject, text) = &smtp.mails_to(EMAIL)[0];
    assert_eq!(subject, "Your chat with Shop");
    assert!(text.contains(&format!("] You: {QUESTION}\n")), "the question is in the copy: {text}");
    assert!(text.contains(&format!("] ann: {expected}\n")), "the canned answer is in the copy: {text}");
    assert!(text.contains(&format!("] ann: {LATER}\n")), "{text}");
    for word in NOTE_WORDS {
        assert!(!text.contains(word), "the note's {word:?} reached the visitor's copy: {text}");
    }
    assert_eq!(smtp.messages().len(), 1, "the server received the copy, and nothing else");

    // Nothing of the note in the widget, at the very end either.
    assert_eq!(note_in_widget(&visitor).await, Vec::<&str>::new(), "the note reached the visitor's widget");

    // ---- The transcript page: the rating and its comment (and, for staff, the note). ----
    server.settle().await;
    agent.goto(&server.url(&format!("/history/{id}"))).await;
    let rating = until_shown(
        &agent,
        "the rating on the transcript page",
        "const r = document.querySelector('section#rating'); \
         return !!r && { title: r.querySelector('h2').textContent, rating: r.querySelector('.rating').className, \
                         word: r.querySelector('.rating').textContent, comment: r.querySelector('.rating-comment') && r.querySelector('.rating-comment').textContent };",
        Value::Null,
    )
    .await;
    assert_eq!(rating, json!({ "title": "The visitor's rating", "rating": "rating good", "word": "👍 Good", "comment": COMMENT }));
    let transcript =
        run(&agent, "return [...document.querySelectorAll('ol#transcript li.msg')].map((m) => [m.className, m.querySelector('.text').textContent]);")
            .await;
    let texts: Vec<&str> = transcript.as_array().unwrap().iter().filter_map(|m| m[1].as_str()).collect();
    assert!(
        [QUESTION, expected.as_str(), NOTE, LATER].iter().all(|t| texts.contains(t)),
        "the transcript holds the chat and the note for staff: {transcript}"
    );

    // Every read model, rebuilt from this chat's log, is the live one.
    let (ok, stdout, stderr) = testkit::process::run(&["replay", "--verify"], Some(&db.url()), "").await;
    assert!(ok, "{stdout}\n{stderr}");
    for name in projections::Registered::rebuildable_ones().map(|p| p.name()) {
        assert!(stdout.contains(&format!("{name}: matches the log")), "{name}: {stdout}");
    }

    visitor.close().await;
    agent.close().await;
    smtp.stop().await;
}
