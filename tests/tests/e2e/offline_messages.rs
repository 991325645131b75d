//! Offline messages reach someone: the site's agents and the company's administrators are
//! told by e-mail (each in their language, through a real SMTP server, once even after a
//! replay), an agent of the site reads it in their history and answers by e-mail, and the
//! visitor receives the answer with the agent's address to reply to.

use domain::company::Role;
use domain::site::Priority;
use serde_json::json;
use testkit::chat::{visitor, PASSWORD};
use testkit::server::hidden_field;
use testkit::smtp::{read_mail, smtp_transport, wait_for, SmtpServer};
use testkit::{TestDb, TestServer};

/// The mails sent to `to` so far, read: subject, text and the raw headers.
fn mails_to(smtp: &SmtpServer, to: &str) -> Vec<(String, String, String)> {
    smtp.messages_to(to)
        .into_iter()
        .map(|m| {
            let (subject, text) = read_mail(&m);
            (subject, text, m.replace("\r\n", "\n").split("\n\n").next().unwrap_or_default().to_owned())
        })
        .collect()
}

#[tokio::test]
async fn an_offline_message_is_mailed_to_the_team_and_answered_by_e_mail_from_the_history() {
    let db = TestDb::new().await;
    let port = testkit::process::free_port();
    let smtp = SmtpServer::start(port).await;
    let server = TestServer::start_with(&db, smtp_transport(port)).await;
    let chat = server.chat_site("Acme", 10).await;
    let ann = server.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;
    let session = server.session_of(chat.company, ann).await;
    app::preferences::choose_language_and_time_zone(&server.app, &session, "fr", "Europe/Paris").await.unwrap();
    // Bob answers another site only; Carol supervises: neither is told.
    let (blog, _) = server.site(&chat, "Blog", vec!["https://blog.acme.test".into()], false).await;
    let bob = server.user(chat.company, "bob@acme.test", PASSWORD, &[Role::Agent]).await;
    let admin = server.session_of(chat.company, chat.admin).await;
    app::sites::place(&server.app, &admin, blog, bob, Some(Priority::Normal)).await.unwrap();
    server.user(chat.company, "carol@acme.test", PASSWORD, &[Role::Supervisor]).await;

    let (mut v, _) = visitor(&server.url(""), &chat.key, None, 0).await;
    let message = "Bonjour,\nmy order 1234 never came.";
    v.send(
        json!({ "type": "offline_message", "client_id": uuid::Uuid::new_v4(), "name": "Zoé Durand", "email": "zoe@example.org", "message": message }),
    )
    .await;
    v.until_type("offline_received").await;

    assert_eq!(wait_for(|| smtp.messages().len(), 2).await, 2);
    let to_admin = mails_to(&smtp, "admin@acme.test");
    let (subject, text, _) = &to_admin[0];
    assert_eq!(subject, "Shop: a message from Zoé Durand <zoe@example.org>");
    assert!(text.contains("\n\nZoé Durand <zoe@example.org> left a message on Shop on "), "{text}");
    assert!(text.contains("> Bonjour,\n> my order 1234 never came."), "{text}");
    let link_start = text.find("/history/").expect("a link to the conversation");
    let conversation: String = text[link_start + "/history/".len()..].chars().take_while(|c| c.is_ascii_hexdigit() || *c == '-').collect();
    let to_ann = mails_to(&smtp, "ann@acme.test");
    let (subject, text, _) = &to_ann[0];
    assert_eq!(subject, "Shop : un message de Zoé Durand <zoe@example.org>");
    assert!(text.starts_with("Bonjour ann,\n\nZoé Durand <zoe@example.org> a laissé un message sur Shop le "), "{text}");
    assert!(text.contains(&format!("/history/{conversation}")) && !text.contains('⟦'), "{text}");

    // Ann finds it in her history (she never held it: it was left on her site) and answers.
    let ann_browser = server.login_speaking(Some("en"), "ann@acme.test", PASSWORD).await;
    let history = ann_browser.get_text("/history").await;
    assert!(history.contains(&format!("/history/{conversation}")), "{history}");
    let path = format!("/history/{conversation}");
    let page = ann_browser.get_text(&path).await;
    assert!(page.contains("Répondre par e-mail") && page.contains("Votre réponse, envoyée à zoe@example.org"), "{page}");
    let (csrf, answer_id) = (hidden_field(&page, "csrf").unwrap(), hidden_field(&page, "answer_id").unwrap());
    let answer_path = format!("{path}/answer");
    let empty = ann_browser.post_form(&answer_path, &[("csrf", &csrf), ("answer_id", &answer_id), ("text", "   ")]).await;
    assert_eq!(empty.status(), 422);
    let refused = empty.text().await.unwrap();
    assert!(refused.contains(r#"aria-invalid="true""#) && refused.contains(r#"id="text-error""#), "{refused}");
    let answer = "Sorry, Zoé!\nIt leaves today.";
    for _ in 0..2 {
        // The same form sent twice (a double click) stores one answer.
        let sent = ann_browser.post_form(&answer_path, &[("csrf", &csrf), ("answer_id", &answer_id), ("text", answer)]).await;
        assert_eq!((sent.status().as_u16(), sent.headers()["location"].to_str().unwrap()), (303, path.as_str()));
    }
    let page = ann_browser.get_text(&path).await;
    assert!(page.contains("La réponse part vers le visiteur.") && page.contains("envoyé par e-mail"), "{page}");
    assert_eq!(page.matches("It leaves today.").count(), 1, "{page}");
    let api = testkit::api::Api::login(&server, "admin@acme.test", "admin-password").await;
    let (status, transcript) = api.json(reqwest::Method::GET, &format!("/api/v1/conversations/{conversation}"), None).await;
    assert_eq!(status, 200, "{transcript}");
    let by_email: Vec<(&str, bool)> =
        transcript["messages"].as_array().unwrap().iter().map(|m| (m["from"].as_str().unwrap(), m["by_email"] == true)).collect();
    assert_eq!(by_email, [("visitor", false), ("agent", true)], "{transcript}");

    assert_eq!(wait_for(|| mails_to(&smtp, "zoe@example.org").len(), 1).await, 1);
    let (subject, text, head) = &mails_to(&smtp, "zoe@example.org")[0];
    assert_eq!(subject, "Your message to Shop");
    assert!(head.lines().any(|l| l.eq_ignore_ascii_case("Reply-To: ann@acme.test")), "{head}");
    assert!(text.starts_with("Sorry, Zoé!\nIt leaves today.\n\nann, Shop\n\nOn "), "{text}");
    assert!(text.contains("you wrote:\n> Bonjour,\n> my order 1234 never came."), "{text}");

    // Bob, an agent of another site, neither reads nor answers it.
    let bob_browser = server.login("bob@acme.test", PASSWORD).await;
    assert_eq!(bob_browser.get(&path).await.status(), 404);
    let bob_page = bob_browser.get_text("/history").await;
    let bob_csrf = hidden_field(&bob_page, "csrf").unwrap_or_default();
    let forged = bob_browser.post_form(&answer_path, &[("csrf", &bob_csrf), ("answer_id", &uuid::Uuid::now_v7().to_string()), ("text", "hi")]).await;
    assert_eq!(forged.status(), 404);
    assert!(!bob_browser.get_text("/history").await.contains(&conversation));

    // Rebuilt from the log, the messages (the answer marked as e-mailed) are the live ones.
    server.settle().await;
    let (ok, stdout, stderr) = testkit::process::run(&["replay", "--verify", "conversations"], Some(&db.url()), "").await;
    assert!(ok && stdout.contains("conversations: matches the log") && stdout.contains("table messages: same"), "{stdout}\n{stderr}");

    // A restart replays every event into the outbox: nothing is mailed again.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let mailed = smtp.messages().len();
    assert_eq!(mailed, 3, "the admin, Ann, then Zoé");
    drop(server);
    let client = db.client().await;
    client.execute("UPDATE projection_checkpoints SET tx = 0, pos = 0 WHERE name = 'offline-message-outbox'", &[]).await.unwrap();
    let restarted = TestServer::start_with(&db, smtp_transport(port)).await;
    restarted.caught_up_with(&[projections::Registered::OfflineMessageOutbox]).await;
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert_eq!(smtp.messages().len(), mailed, "no second mail after a replay");
    let statuses: Vec<String> = client
        .query("SELECT status FROM offline_message_mails UNION ALL SELECT status FROM offline_answer_mails", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(statuses, ["sent"; 4], "the team row, two notices and the answer");
    smtp.stop().await;
}
