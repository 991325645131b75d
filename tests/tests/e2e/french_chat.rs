//! Live chat in French: a French site's widget gets French words and defaults from its
//! configuration (whatever the visitor's browser says), and the history, the transcript and
//! the console's script words follow `Accept-Language`, with French dates; English stays
//! exactly as it was without the header.

use chrono::{Datelike, Timelike};
use domain::company::Role;
use domain::site::{Language, Priority, WidgetSettings};
use reqwest::Method;
use serde_json::{json, Value};
use testkit::api::Api;
use testkit::chat::{console, says, visitor, ChatSite, PASSWORD};
use testkit::server::Browserless;
use testkit::{TestDb, TestServer};

const FR_MONTHS: [&str; 12] = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."];
const EN_MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

async fn get(client: &reqwest::Client, url: &str, lang: Option<&str>) -> String {
    let mut request = client.get(url);
    if let Some(lang) = lang {
        request = request.header("accept-language", lang);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    response.text().await.unwrap()
}

async fn config(server: &TestServer, key: &str, lang: Option<&str>) -> Value {
    serde_json::from_str(&get(&reqwest::Client::new(), &server.url(&format!("/widget/config?site={key}")), lang).await).unwrap()
}

async fn set_settings(server: &TestServer, chat: &ChatSite, settings: WidgetSettings) {
    let admin = server.session_of(chat.company, chat.admin).await;
    app::sites::settings(&server.app, &admin, chat.site, settings).await.unwrap();
    server.settle().await;
}

use testkit::server::assert_no_missing_words as no_missing_words;

#[tokio::test]
async fn a_french_sites_widget_gets_french_words_and_defaults_and_typed_texts_stay() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let chat = server.chat_site("Acme", 5).await;

    // An English site: the words and defaults the widget always showed.
    let english = config(&server, &chat.key, Some("fr")).await;
    assert_eq!(english["settings"]["greeting"], "Hello! How can we help you today?");
    assert_eq!(english["settings"]["offline_text"], "We are not online right now. Leave us a message and we will answer by e-mail.");
    assert_eq!(english["texts"]["open"], "Chat with us");
    assert_eq!(english["texts"]["queue"], "You are number {$position} in the queue");
    assert_eq!(english["texts"]["tooLong"], "This message is too long (4,000 characters at most).");

    // Switched to French, its texts left as they were: French defaults, whatever the browser.
    set_settings(&server, &chat, WidgetSettings { language: Language::Fr, ..WidgetSettings::default() }).await;
    let french = config(&server, &chat.key, Some("en")).await;
    no_missing_words("the widget's configuration", &french.to_string());
    assert_eq!(french["settings"]["language"], "fr");
    assert_eq!(french["settings"]["greeting"], "Bonjour\u{a0}! Comment pouvons-nous vous aider aujourd’hui\u{a0}?");
    assert_eq!(
        french["settings"]["offline_text"],
        "Nous ne sommes pas en ligne pour le moment. Laissez-nous un message et nous vous répondrons par e-mail."
    );
    for (name, text) in [
        ("open", "Discuter avec nous"),
        ("offline", "Personne n’est en ligne pour le moment"),
        ("submit", "Envoyer le message"),
        ("email", "Votre adresse e-mail"),
        ("badEmail", "Veuillez saisir une adresse e-mail valide."),
        ("queue", "Vous êtes n°\u{a0}{$position} dans la file d’attente"),
        ("typing", "{$name} est en train d’écrire…"),
    ] {
        assert_eq!(french["texts"][name], text, "{name}");
    }

    // The socket's welcome says the same, and its error messages are the site's language.
    let (mut ws, welcome) = visitor(&server.url(""), &chat.key, None, 0).await;
    assert_eq!(welcome["texts"]["send"], "Envoyer");
    assert_eq!(welcome["settings"]["greeting"], french["settings"]["greeting"]);
    ws.send(json!({ "type": "hello", "visitor_token": null, "last_seen": 0, "page_url": "" })).await;
    let refused = ws.until_type("error").await;
    assert_eq!((refused["code"].as_str(), refused["message"].as_str()), (Some("invalid_frame"), Some("hello n’est envoyé qu’une fois, au début")));

    // What an administrator wrote wins over the defaults; an empty greeting stays empty.
    let typed = WidgetSettings { language: Language::Fr, greeting: "Salut !".into(), offline_text: String::new(), ..WidgetSettings::default() };
    set_settings(&server, &chat, typed).await;
    let own = config(&server, &chat.key, None).await;
    assert_eq!((own["settings"]["greeting"].as_str(), own["settings"]["offline_text"].as_str()), (Some("Salut !"), Some("")));
    assert_eq!(own["texts"]["open"], "Discuter avec nous");
}

#[tokio::test]
async fn the_history_and_a_transcript_read_in_french_with_french_dates() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let chat = server.chat_site("Acme", 5).await;
    server.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;
    let (mut ann, _) = console(&server.url(""), "ann@acme.test").await;
    ann.send(json!({ "type": "status", "status": "online" })).await;
    ann.until("online", |f| f["type"] == "state" && f["status"] == "online").await;
    server.settle().await;
    let (mut v, _) = visitor(&server.url(""), &chat.key, None, 0).await;
    v.send(says("Avez-vous du 44 ?").1).await;
    let id = ann.until_type("conversation").await["id"].as_str().unwrap().to_owned();
    ann.send(json!({ "type": "message", "conversation_id": id, "client_id": uuid::Uuid::new_v4(), "text": "Oui." })).await;
    ann.until_type("ack").await;
    ann.send(json!({ "type": "close", "conversation_id": id })).await;
    ann.until_type("closed").await;
    server.settle().await;

    let admin = Browserless::new(&server);
    admin.login("admin@acme.test", "admin-password").await;
    let now = chrono::Utc::now();
    let month = now.month0() as usize;

    let list = get(&admin.http, &admin.url("/history"), Some("fr-FR,fr;q=0.9")).await;
    no_missing_words("the French history", &list);
    for text in ["<html lang=\"fr\"", "Tous les sites", "Début (UTC)", "Premier message", "Rechercher", "terminée", "1 conversation<"] {
        assert!(list.contains(text), "{text} missing from {list}");
    }
    let french_date = format!("{} {} {} à ", now.day(), FR_MONTHS[month], now.year());
    assert!(list.contains(&french_date), "{french_date} missing from {list}");

    let english = admin.get_text("/history").await;
    for text in ["Any site", "Started (UTC)", "First message", "Search", "closed"] {
        assert!(english.contains(text), "{text} missing from {english}");
    }
    let english_date = format!("{} {} {}, ", now.day(), EN_MONTHS[month], now.year());
    assert!(english.contains(&english_date) && !english.contains("Tous les sites"), "{english_date} missing from {english}");

    let transcript = get(&admin.http, &admin.url(&format!("/history/{id}")), Some("fr")).await;
    no_missing_words("the French transcript", &transcript);
    for text in
        ["← Conversations", "Commencée le", "Pourquoi ce conseiller", "Choisi par le routeur", "Priorité", "normale", "Visiteur", &french_date]
    {
        assert!(transcript.contains(text), "{text} missing from {transcript}");
    }
    let english = admin.get_text(&format!("/history/{id}")).await;
    for text in ["Started ", "Why this agent", "Chosen by the router", "Priority", "normal", &english_date] {
        assert!(english.contains(text), "{text} missing from {english}");
    }

    // The API's refusals are worded for the reader too; their codes stay.
    let api = Api::login(&server, "admin@acme.test", "admin-password").await;
    let refused = api.http.request(Method::GET, server.url("/api/v1/conversations?from=hier")).header("accept-language", "fr").send().await.unwrap();
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_input", "{body}");
    assert_eq!(body["error"]["message"], "«\u{a0}from\u{a0}» doit être une date comme 2026-11-25", "{body}");
}

/// The words a page hands its script.
fn strings_block(page: &str) -> Value {
    let start = page.find(r#"<script type="application/json" id="sb-strings">"#).unwrap_or_else(|| panic!("no strings block in {page}"));
    let json = &page[start..];
    let json = &json[json.find('>').unwrap() + 1..json.find("</script>").unwrap()];
    serde_json::from_str(json).unwrap()
}

#[tokio::test]
async fn the_console_and_the_board_hand_their_scripts_french_words() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let chat = server.chat_site("Acme", 5).await;
    server.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;
    server.user(chat.company, "sue@acme.test", PASSWORD, &[Role::Supervisor]).await;

    let ann = Browserless::new(&server);
    ann.login("ann@acme.test", PASSWORD).await;
    let page = get(&ann.http, &ann.url("/console"), Some("fr")).await;
    no_missing_words("the French console", &page);
    let words = strings_block(&page);
    assert!(page.contains("<html lang=\"fr\""), "{page}");
    for (key, text) in [
        ("console-send", "Envoyer"),
        ("console-no-conversation", "Aucune conversation ouverte."),
        ("console-typing", "{$name} est en train d’écrire…"),
        ("chat-connecting", "Connexion…"),
        ("chat-role-removed", "Votre rôle ne vous permet plus d’accéder à cette page."),
    ] {
        assert_eq!(words[key], text, "{key}");
    }
    let english = strings_block(&ann.get_text("/console").await);
    assert_eq!((english["console-send"].as_str(), english["console-typing"].as_str()), (Some("Send"), Some("{$name} is typing…")));
    assert_eq!(english["console-too-long"], "This message is too long ({$count} characters): {$max} at most.");

    let sue = Browserless::new(&server);
    sue.login("sue@acme.test", PASSWORD).await;
    let board = get(&sue.http, &sue.url("/supervisor"), Some("fr")).await;
    no_missing_words("the French board", &board);
    let words = strings_block(&board);
    assert_eq!((words["board-reassign"].as_str(), words["chat-state-waiting"].as_str()), (Some("Réattribuer"), Some("en attente")));
    assert!(board.contains("<h1>Supervision</h1>"), "{board}");
}

/// In Chromium, on a customer's page: a French site with nobody online offers its offline
/// form in French, its default text in French (it was English before).
#[tokio::test]
async fn a_french_widget_in_a_browser_offers_the_offline_form_in_french() {
    use testkit::browser::{customer_site, Browser};
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let chat = server.chat_site("Acme", 5).await;
    set_settings(&server, &chat, WidgetSettings { language: Language::Fr, ..WidgetSettings::default() }).await;
    let snippet = format!("<script async src=\"{}/widget.js\" data-switchboard-site=\"{}\"></script>", server.url(""), chat.key);
    let page =
        customer_site(format!("<!doctype html><html lang=en><head><title>Shop</title></head><body><p>Hi.</p>\n{snippet}\n</body></html>")).await;
    let visitor = Browser::start().await;
    visitor.goto(&page).await;
    let script = "const host = document.querySelector('switchboard-chat'); const root = host && host.shadowRoot; if (!root) return null; \
        const bubble = root.querySelector('.bubble'); if (root.querySelector('.panel').hidden) bubble.click(); \
        const box = root.querySelector('.offline-box'); if (box.hidden) return null; \
        return { bubble: bubble.getAttribute('aria-label'), status: root.querySelector('.status').textContent, \
                 text: root.querySelector('.offline-text').textContent, greeting: root.querySelector('.greeting').textContent, \
                 labels: [...root.querySelectorAll('.offline label span')].map((s) => s.textContent), \
                 submit: root.querySelector('.offline button').textContent };";
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    let shown = loop {
        match visitor.client.execute(script, vec![]).await {
            Ok(v) if !v.is_null() => break v,
            answer => assert!(tokio::time::Instant::now() < deadline, "the offline form did not show: {answer:?}"),
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(
        shown,
        json!({
            "bubble": "Fermer",
            "status": "Personne n’est en ligne pour le moment",
            "text": "Nous ne sommes pas en ligne pour le moment. Laissez-nous un message et nous vous répondrons par e-mail.",
            "greeting": "Bonjour\u{a0}! Comment pouvons-nous vous aider aujourd’hui\u{a0}?",
            "labels": ["Votre nom", "Votre adresse e-mail", "Votre message"],
            "submit": "Envoyer le message",
        })
    );
}

/// In Chromium: an agent and a supervisor who chose French (and Paris time) get a French
/// console and board, live, with times in their zone.
#[tokio::test]
async fn the_console_and_the_board_run_in_french_in_a_browser() {
    use testkit::browser::Browser;
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let chat = server.chat_site("Acme", 5).await;
    let ann = server.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;
    let sue = server.user(chat.company, "sue@acme.test", PASSWORD, &[Role::Supervisor]).await;
    for user in [ann, sue] {
        let session = server.session_of(chat.company, user).await;
        app::preferences::choose_language_and_time_zone(&server.app, &session, "fr", "Europe/Paris").await.unwrap();
    }
    server.settle().await;

    let agent = Browser::start().await;
    agent.log_in(&server.url("/login"), "ann@acme.test", PASSWORD).await;
    agent.find("a[href='/console']").await;
    agent.goto(&server.url("/console")).await;
    agent.find("#connection[data-state=connected]").await;
    assert_eq!(agent.text("#connection").await, "Connecté");
    agent.find("select#agent-status:not([disabled])").await.select_by_value("online").await.unwrap();
    server.settle().await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    while config(&server, &chat.key, None).await["online"] != true {
        assert!(tokio::time::Instant::now() < deadline, "ann did not come online");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (mut v, _) = visitor(&server.url(""), &chat.key, None, 0).await;
    v.send(says("Bonjour").1).await;
    v.until_type("assigned").await;
    agent.find("ol#transcript li.msg.from-visitor").await;
    assert_eq!(agent.text("#send").await, "Envoyer");
    let when = agent.text("ol#transcript li.msg.from-visitor time").await;
    // Paris is one or two hours ahead of UTC, and writes 24-hour times.
    let hour = chrono::Utc::now().hour();
    let paris: Vec<String> = [1, 2].iter().map(|ahead| format!("{:02}:", (hour + ahead) % 24)).collect();
    assert!(paris.iter().any(|p| when.starts_with(p.as_str())) && when.len() == 5, "a 24-hour Paris time, not {when:?}");
    assert!(agent.page().await.contains("Votre réponse (Entrée pour envoyer"), "the answer field is French");

    let board = Browser::start().await;
    board.log_in(&server.url("/login"), "sue@acme.test", PASSWORD).await;
    board.find("a[href='/supervisor']").await;
    board.goto(&server.url("/supervisor")).await;
    board.find("#connection[data-state=connected]").await;
    let row = board.find("#board-conversations tr[data-conversation-id] button.watch").await;
    assert_eq!(row.text().await.unwrap(), "Lire");
    assert_eq!(board.text("#board-conversations td.state").await, "attribuée");
    assert_eq!(board.text(&format!("#board-agents tr[data-user-id='{ann}'] td.status")).await, "en ligne");
    let heads = board.text("#board-queues thead").await;
    assert!(heads.to_lowercase().contains("attente la plus longue"), "{heads}");
}
