//! Every page in English and in French: none names a message a catalogue lacks, each says
//! which language it is in, and the French one is not the English one. Then the language a
//! reader gets: their own choice, else their browser's, else their company's default.

use crate::every_page::{a_company_with_everything, ADMIN, AGENT, AGENT_PAGES, SUPERVISOR, SUPERVISOR_PAGES};
use domain::site::Priority;
use testkit::server::{assert_no_missing_words, hidden_field, Browserless};
use testkit::{TestDb, TestServer};

use testkit::chat::PASSWORD;

/// The page at `path`, checked: its status, its language, no missing message.
async fn page(browser: &Browserless, path: &str, lang: &str) -> String {
    let response = browser.get(path).await;
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let expected = if path.starts_with("/nowhere") || path.ends_with("/unknown-token") { 404 } else { 200 };
    assert_eq!(status, expected, "{path} in {lang}: {text}");
    assert!(text.contains(&format!("<html lang=\"{lang}\"")), "{path} does not say it is in {lang}");
    assert_no_missing_words(&format!("{path} in {lang}"), &text);
    text
}

#[tokio::test]
async fn every_page_renders_in_both_languages_with_every_message() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let everything = a_company_with_everything(&db, &server).await;
    let mut admin_pages = everything.admin_pages();
    admin_pages.push("/nowhere".into());
    let mut public_pages = everything.public_pages();
    public_pages.extend(["/password-reset/unknown-token".into(), "/invitation/unknown-token".into()]);
    let mut checked = 0;
    for (header, lang) in [(None, "en"), (Some("fr-FR,fr;q=0.9"), "fr")] {
        let admin = server.login_speaking(header, ADMIN.0, ADMIN.1).await;
        let agent = server.login_speaking(header, AGENT.0, AGENT.1).await;
        let supervisor = server.login_speaking(header, SUPERVISOR.0, SUPERVISOR.1).await;
        let anonymous = Browserless::speaking(&server, header);
        let mut all: Vec<(&Browserless, String)> = admin_pages.iter().map(|p| (&admin, p.clone())).collect();
        all.extend(public_pages.iter().map(|p| (&anonymous, p.clone())));
        all.extend(AGENT_PAGES.iter().map(|p| (&agent, p.to_string())));
        all.extend(SUPERVISOR_PAGES.iter().map(|p| (&supervisor, p.to_string())));
        for (browser, path) in all {
            let text = page(browser, &path, lang).await;
            if lang == "fr" {
                // Not the English page with a French attribute: the frame at least is French.
                let english = page(&Browserless::speaking(&server, None), "/login", "en").await;
                assert_ne!(text, english);
                assert!(!text.contains(">Log out<") && !text.contains(">Log in<"), "{path} still says English words in French");
            }
            checked += 1;
        }
    }
    assert!(checked >= 2 * 39, "only {checked} pages checked");
}

#[tokio::test]
async fn the_language_is_the_users_choice_else_the_browsers_else_the_companys() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let chat = server.chat_site("Acme", 5).await;
    server.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;

    // A German browser: nothing this product speaks, so the company's default decides.
    let german = Some("de-DE,de;q=0.9");
    let ann = server.login_speaking(german, "ann@acme.test", PASSWORD).await;
    assert!(ann.get_text("/account").await.contains("<html lang=\"en\" data-tz=\"UTC\""));

    let admin = server.login_speaking(None, "admin@acme.test", "admin-password").await;
    let csrf = admin.csrf().await;
    let refused = admin.post_form("/admin/company", &[("csrf", &csrf), ("language", "fr"), ("time_zone", "Mars/Olympus")]).await;
    assert_eq!(refused.status(), 422);
    let text = refused.text().await.unwrap();
    assert!(text.contains("&quot;Mars/Olympus&quot; is not a time zone") && text.contains("id=\"time_zone-error\""), "{text}");
    let saved = admin.post_form("/admin/company", &[("csrf", &csrf), ("language", "fr"), ("time_zone", "Europe/Paris")]).await;
    assert_eq!(saved.status(), 303);
    // The administrator's own browser sent no language: the company's default is theirs too.
    assert!(admin.get_text("/admin/company").await.contains("La langue et le fuseau horaire de la société sont enregistrés."));

    let account = ann.get_text("/account").await;
    assert!(account.contains("<html lang=\"fr\" data-tz=\"Europe/Paris\"") && account.contains("Votre compte"), "{account}");
    // An English browser wins over the company's default…
    let english = server.login_speaking(Some("en-GB"), "ann@acme.test", PASSWORD).await;
    assert!(english.get_text("/account").await.contains("<html lang=\"en\" data-tz=\"Europe/Paris\""));
    // …and the user's own choice over both, remembered on every device.
    let csrf = english.csrf().await;
    let chose = english.post_form("/account/preferences", &[("csrf", &csrf), ("language", "fr"), ("time_zone", "America/Toronto")]).await;
    assert_eq!(chose.status(), 303);
    let page = english.get_text("/account").await;
    assert!(
        page.contains("<html lang=\"fr\" data-tz=\"America/Toronto\"") && page.contains("Votre langue et votre fuseau horaire sont enregistrés.")
    );
    assert!(page.contains(r#"<option value="fr" lang="fr" selected>Français</option>"#), "the choice shows as chosen");
    let elsewhere = server.login_speaking(Some("en-US"), "ann@acme.test", PASSWORD).await;
    assert!(elsewhere.get_text("/account").await.contains("<html lang=\"fr\" data-tz=\"America/Toronto\""));
    assert_eq!(hidden_field(&page, "csrf").as_deref(), Some(csrf.as_str()));

    // Back to automatic: the browser's language again, the company's zone.
    let csrf = elsewhere.csrf().await;
    let chose = elsewhere.post_form("/account/preferences", &[("csrf", &csrf), ("language", ""), ("time_zone", "")]).await;
    assert_eq!(chose.status(), 303);
    assert!(elsewhere.get_text("/account").await.contains("<html lang=\"en\" data-tz=\"Europe/Paris\""));
    // A bad choice is refused with a reason, and nothing changes.
    let bad = elsewhere.post_form("/account/preferences", &[("csrf", &csrf), ("language", "klingon"), ("time_zone", "")]).await;
    assert_eq!(bad.status(), 303);
    let after = elsewhere.get_text("/account").await;
    assert!(
        after.contains("the language &quot;klingon&quot; is not one Switchboard speaks") || after.contains("The language &quot;klingon&quot;"),
        "{after}"
    );
    assert!(after.contains("<html lang=\"en\""));

    // The JSON API's messages follow the reader too; its codes do not.
    let api = Browserless::speaking(&server, Some("fr"));
    let answer = api.http.get(api.url("/api/v1/users")).send().await.unwrap();
    assert_eq!(answer.status(), 401);
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthenticated");
    assert_eq!(body["error"]["message"], "Veuillez vous connecter.");
}
