//! Business hours: outside them a site's widget offers the offline form even with an agent
//! online, says when the team is back (in the site's language, the company's time zone),
//! and a visitor's message starts no chat; the status flips at the opening time by itself.
//! The server's clock is set (no real waiting for an opening time).

use chrono::{DateTime, Utc};
use domain::site::{Language, Priority, WidgetSettings};
use reqwest::Method;
use serde_json::{json, Value};
use testkit::api::{refusal, Api};
use testkit::chat::{console, says, visitor, ChatSite};
use testkit::server::assert_no_missing_words;
use testkit::ws::Ws;
use testkit::{TestDb, TestServer};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// Acme, in Paris, with an agent online on its site; the agent's console.
async fn acme_in_paris(server: &TestServer) -> (ChatSite, Ws) {
    let chat = server.chat_site("Acme", 5).await;
    let admin = server.session_of(chat.company, chat.admin).await;
    app::preferences::set_company_defaults(&server.app, &admin, "en", "Europe/Paris").await.unwrap();
    server.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;
    let (mut ann, _) = console(&server.url(""), "ann@acme.test").await;
    ann.send(json!({ "type": "status", "status": "online" })).await;
    ann.until("online", |f| f["type"] == "state" && f["status"] == "online").await;
    server.settle().await;
    (chat, ann)
}

/// Open on Mondays, 09:00 to 17:00 only.
fn mondays() -> Value {
    json!({ "enabled": true, "monday": [{ "from": "09:00", "to": "17:00" }] })
}

async fn config(server: &TestServer, key: &str) -> Value {
    reqwest::get(server.url(&format!("/widget/config?site={key}"))).await.unwrap().json().await.unwrap()
}

async fn put_hours(api: &Api, site: domain::SiteId, hours: Value) -> (u16, Value) {
    api.json(Method::PUT, &format!("/api/v1/sites/{site}/hours"), Some(hours)).await
}

#[tokio::test]
async fn outside_hours_the_widget_is_closed_with_an_agent_online_and_says_when_it_opens() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (chat, mut ann) = acme_in_paris(&server).await;
    let api = Api::login(&server, "admin@acme.test", "admin-password").await;
    // Wednesday 4 March 2026, 10:00 in Paris.
    server.app.settings.clock.set(at("2026-03-04T09:00:00Z"));
    assert_eq!(config(&server, &chat.key).await["online"], true, "always open until hours are set");

    let (status, site) = put_hours(&api, chat.site, mondays()).await;
    assert_eq!(status, 200, "{site}");
    assert_eq!((site["hours"]["monday"].clone(), site["time_zone"].clone()), (json!([{ "from": "09:00", "to": "17:00" }]), json!("Europe/Paris")));

    let closed = config(&server, &chat.key).await;
    assert_eq!((closed["online"].clone(), closed["hours"]["open"].clone()), (json!(false), json!(false)), "{closed}");
    assert_eq!(closed["hours"]["back"], "We are back on Monday at 09:00");
    assert_eq!(closed["hours"]["next_open"], "2026-03-09T08:00:00Z");
    assert_eq!(closed["hours"]["time_zone"], "Europe/Paris");

    let (mut v, welcome) = visitor(&server.url(""), &chat.key, None, 0).await;
    assert_eq!((welcome["online"].clone(), welcome["hours"]["back"].clone()), (json!(false), json!("We are back on Monday at 09:00")));
    v.send(says("Is anyone there?").1).await;
    let refused = v.until_type("error").await;
    assert_eq!(refused["code"], "closed", "{refused}");
    let told = v.until_type("status").await;
    assert_eq!((told["online"].clone(), told["hours"]["open"].clone()), (json!(false), json!(false)));
    server.settle().await;
    let seen = ann.drain(std::time::Duration::from_millis(500)).await;
    assert!(!seen.iter().any(|f| f["type"] == "conversation" || f.to_string().contains("Is anyone there?")), "{seen:?}");
    let conversations: i64 = db.client().await.query_one("SELECT count(*) FROM conversations", &[]).await.unwrap().get(0);
    assert_eq!(conversations, 0, "no chat started");

    // Within the hours (Monday 10:00 in Paris) the chat works as ever.
    server.app.settings.clock.set(at("2026-03-09T09:00:00Z"));
    let open = config(&server, &chat.key).await;
    assert_eq!((open["online"].clone(), open["hours"]["open"].clone(), open["hours"]["back"].clone()), (json!(true), json!(true), Value::Null));
    let (mut v, welcome) = visitor(&server.url(""), &chat.key, None, 0).await;
    assert_eq!(welcome["online"], true);
    v.send(says("Hello?").1).await;
    v.until_type("ack").await;
    let offered = ann.until_type("conversation").await;
    assert!(offered.to_string().contains("Hello?"), "{offered}");
}

#[tokio::test]
async fn the_widget_opens_at_the_opening_time_by_itself() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (chat, mut ann) = acme_in_paris(&server).await;
    let api = Api::login(&server, "admin@acme.test", "admin-password").await;
    assert_eq!(put_hours(&api, chat.site, mondays()).await.0, 200);
    // Monday 9 March 2026, 08:59:58 in Paris: two seconds to the opening.
    server.app.settings.clock.set(at("2026-03-09T07:59:58Z"));
    let (mut v, welcome) = visitor(&server.url(""), &chat.key, None, 0).await;
    assert_eq!((welcome["online"].clone(), welcome["hours"]["back"].clone()), (json!(false), json!("We are back today at 09:00")));
    let opened = v.until("the opening", |f| f["type"] == "status" && f["online"] == true).await;
    assert_eq!(opened["hours"]["open"], true);
    v.send(says("Just opened?").1).await;
    v.until_type("ack").await;
    assert!(ann.until_type("conversation").await.to_string().contains("Just opened?"));
}

#[tokio::test]
async fn bad_hours_are_refused_naming_the_field_and_another_company_cannot_see_or_change_them() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let chat = server.chat_site("Acme", 5).await;
    let api = Api::login(&server, "admin@acme.test", "admin-password").await;
    assert_eq!(put_hours(&api, chat.site, mondays()).await.0, 200);
    for (hours, field) in [
        (json!({ "enabled": true, "monday": [{ "from": "17:00", "to": "09:00" }] }), "monday_to"),
        (json!({ "enabled": true, "friday": [{ "from": "25:00", "to": "26:00" }] }), "friday_from"),
        (json!({ "enabled": true, "sunday": [{ "from": "09:00", "to": "12:00" }, { "from": "11:00", "to": "13:00" }] }), "sunday_from"),
    ] {
        let answer = put_hours(&api, chat.site, hours).await;
        assert_eq!(refusal(&answer), (422, "invalid_input", Some(field)), "{answer:?}");
    }
    let (_, patched) = api
        .json(Method::PATCH, &format!("/api/v1/sites/{}", chat.site), Some(json!({ "hours": { "monday": [{ "from": "9", "to": "10:00" }] } })))
        .await;
    assert_eq!(patched["error"]["field"], "monday_from", "{patched}");
    let (_, site) = api.json(Method::GET, &format!("/api/v1/sites/{}", chat.site), None).await;
    assert_eq!(site["hours"]["enabled"], true);
    assert_eq!(site["hours"]["monday"], json!([{ "from": "09:00", "to": "17:00" }]), "nothing refused was stored");

    server.company("Globex", "admin@globex.test", "admin-password", 5).await;
    let other = Api::login(&server, "admin@globex.test", "admin-password").await;
    assert_eq!(other.json(Method::GET, &format!("/api/v1/sites/{}", chat.site), None).await.0, 404);
    assert_eq!(put_hours(&other, chat.site, json!({ "enabled": false })).await.0, 404);
    let form = testkit::server::Browserless::new(&server);
    form.login("admin@globex.test", "admin-password").await;
    let csrf = form.csrf().await;
    assert_eq!(form.post_form(&format!("/admin/sites/{}/hours", chat.site), &[("csrf", &csrf)]).await.status(), 404);
    let (_, site) = api.json(Method::GET, &format!("/api/v1/sites/{}", chat.site), None).await;
    assert_eq!(site["hours"]["enabled"], true, "untouched by another company");
}

#[tokio::test]
async fn the_site_page_form_round_trips_and_refuses_with_the_field_marked() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let chat = server.chat_site("Acme", 5).await;
    let admin = server.login("admin@acme.test", "admin-password").await;
    let path = format!("/admin/sites/{}", chat.site);
    let page = admin.get_text(&path).await;
    for text in [
        "Business hours",
        "Times are in the company's time zone: UTC",
        r#"<label class="visually-hidden" for="monday_from">Monday: opening time</label>"#,
    ] {
        assert!(page.contains(text), "{text} missing from the site page");
    }
    let csrf = admin.csrf().await;
    let typed = [
        ("csrf", csrf.as_str()),
        ("enabled", "on"),
        ("monday_open", "on"),
        ("monday_from", "09:00"),
        ("monday_to", "17:00"),
        ("tuesday_open", "on"),
        ("tuesday_from", "14:00"),
        ("tuesday_to", "00:00"),
        ("wednesday_from", "09:00"),
        ("wednesday_to", "17:00"),
    ];
    let saved = admin.post_form(&format!("{path}/hours"), &typed).await;
    assert_eq!(saved.status(), 303);
    let api = Api::login(&server, "admin@acme.test", "admin-password").await;
    let (_, site) = api.json(Method::GET, &format!("/api/v1/sites/{}", chat.site), None).await;
    assert_eq!(
        site["hours"],
        json!({ "enabled": true, "monday": [{ "from": "09:00", "to": "17:00" }], "tuesday": [{ "from": "14:00", "to": "24:00" }],
                "wednesday": [], "thursday": [], "friday": [], "saturday": [], "sunday": [] })
    );
    let page = admin.get_text(&path).await;
    assert!(page.contains(r#"id="tuesday_open" name="tuesday_open" checked"#), "Tuesday shows open");
    assert!(page.contains(r#"id="tuesday_to" name="tuesday_to" value="00:00""#), "midnight shows as 00:00");
    assert!(!page.contains(r#"id="wednesday_open" name="wednesday_open" checked"#), "Wednesday shows closed");

    let mut backwards = typed;
    backwards[4] = ("monday_to", "08:00");
    let refused = admin.post_form(&format!("{path}/hours"), &backwards).await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(page.contains(r#"id="monday_to" name="monday_to" value="08:00" aria-invalid="true" aria-describedby="monday_to-error""#), "{page}");
    assert!(page.contains(r#"id="monday_to-error">An opening must end after it starts"#), "the message is linked to the field");
    let (_, site) = api.json(Method::GET, &format!("/api/v1/sites/{}", chat.site), None).await;
    assert_eq!(site["hours"]["monday"], json!([{ "from": "09:00", "to": "17:00" }]), "nothing refused was stored");
}

#[tokio::test]
async fn a_french_site_says_when_it_is_back_in_french_and_its_page_too() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let chat = server.chat_site("Acme", 5).await;
    let session = server.session_of(chat.company, chat.admin).await;
    app::preferences::set_company_defaults(&server.app, &session, "fr", "Europe/Paris").await.unwrap();
    app::sites::settings(&server.app, &session, chat.site, WidgetSettings { language: Language::Fr, ..WidgetSettings::default() }).await.unwrap();
    let api = Api::login(&server, "admin@acme.test", "admin-password").await;
    assert_eq!(put_hours(&api, chat.site, mondays()).await.0, 200);
    // Sunday 8 March 2026, 20:00 in Paris.
    server.app.settings.clock.set(at("2026-03-08T19:00:00Z"));
    let closed = config(&server, &chat.key).await;
    assert_no_missing_words("the widget's configuration", &closed.to_string());
    assert_eq!(closed["hours"]["back"], "Nous serons de retour demain à 09:00");
    assert_eq!(closed["texts"]["closed"], "Nous sommes fermés pour le moment");
    server.app.settings.clock.set(at("2026-03-04T09:00:00Z"));
    assert_eq!(config(&server, &chat.key).await["hours"]["back"], "Nous serons de retour lundi à 09:00");

    let admin = server.login_speaking(Some("fr"), "admin@acme.test", "admin-password").await;
    let page = admin.get_text(&format!("/admin/sites/{}", chat.site)).await;
    assert_no_missing_words("the French site page", &page);
    for text in [
        "Horaires d’ouverture",
        "fuseau horaire de l’entreprise\u{a0}: Europe/Paris",
        ">Lundi<",
        "Fermé en ce moment. Nous serons de retour lundi à 09:00.",
    ] {
        assert!(page.contains(text), "{text} missing from the French site page");
    }
}

#[tokio::test]
async fn a_replay_rebuilds_the_hours() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let chat = server.chat_site("Acme", 5).await;
    let api = Api::login(&server, "admin@acme.test", "admin-password").await;
    assert_eq!(put_hours(&api, chat.site, mondays()).await.0, 200);
    server.settle().await;
    let (ok, stdout, stderr) = testkit::process::run(&["replay", "--verify", "sites"], Some(&db.url()), "").await;
    assert!(ok && stdout.contains("sites: matches the log"), "{stdout}\n{stderr}");
}
