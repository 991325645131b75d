//! Destructive actions ask first, on a page of their own that works without JavaScript
//! (deactivate a user, rotate a widget key, take an agent off a site; deleting a site has its
//! own), and every admin form's POST ends in a 303 to a page, never on `/roles` or the like.

use domain::company::Role;
use testkit::{TestDb, TestServer};

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn rotating_a_key_and_taking_an_agent_off_a_site_are_confirmed_first_and_end_in_a_redirect() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (company, admin_id) = server.company("Acme", "admin@acme.test", "admin-password", 5).await;
    let ada = server.user(company, "ada@acme.test", "ada-password", &[Role::Agent]).await;
    let admin = server.session_of(company, admin_id).await;
    let site = app::sites::create(&server.app, &admin, "Shop", vec!["shop.example.com".into()], "", false).await.unwrap();
    app::sites::place(&server.app, &admin, site, ada, Some(domain::site::Priority::High)).await.unwrap();
    let page = server.login("admin@acme.test", "admin-password").await;
    let csrf = page.csrf().await;
    let base = format!("/admin/sites/{site}");

    // The bare host was stored as an address.
    assert!(page.get_text("/admin/sites").await.contains("https://shop.example.com"));

    // Rotating the key: a link to a page that says what breaks, then the POST.
    let edit = page.get_text(&base).await;
    let old_key = edit.split("id=\"widget-key\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    assert!(edit.contains(&format!("href=\"{base}/key\"")), "{edit}");
    let confirm = page.get_text(&format!("{base}/key")).await;
    assert!(confirm.contains("stops showing the widget") && confirm.contains(&old_key) && confirm.contains("Cancel"), "{confirm}");
    let unconfirmed = page.post_form(&format!("{base}/key"), &[("csrf", &csrf)]).await;
    assert_eq!(location(&unconfirmed), format!("{base}/key"), "not confirmed: asked first");
    assert!(page.get_text(&base).await.contains(&old_key), "nothing rotated without the confirmation");
    let rotated = page.post_form(&format!("{base}/key"), &[("csrf", &csrf), ("confirm", "yes")]).await;
    assert_eq!((rotated.status().as_u16(), location(&rotated)), (303, base.clone()));
    let edit = page.get_text(&base).await;
    assert!(edit.contains("The widget key changed") && !edit.contains(&old_key), "{edit}");

    // Saving a panel of the site: 303 back to the page, which says "Saved." once.
    let saved = page.post_form(&format!("{base}/weights"), &[("csrf", &csrf), ("high", "5"), ("normal", "2"), ("low", "1")]).await;
    assert_eq!((saved.status().as_u16(), location(&saved)), (303, base.clone()));
    assert!(page.get_text(&base).await.contains("Saved."));

    // Taking Ada off the site with the form: a page names her and what it does first.
    let agents = format!("{base}/agents");
    let field = format!("priority-{ada}");
    let asked = page.post_form(&agents, &[("csrf", &csrf), (&field, "none")]).await;
    assert_eq!(asked.status(), 200);
    let asked = asked.text().await.unwrap();
    assert!(asked.contains("Remove from Shop?") && asked.contains("ada@acme.test") && asked.contains("no longer be offered"), "{asked}");
    assert!(page.get_text(&agents).await.contains(&format!("name=\"{field}\"")));
    let advisors = app::sites::advisors(&server.app, &admin, site).await.unwrap();
    assert_eq!(advisors.iter().find(|a| a.user_id == ada).unwrap().priority, Some(domain::site::Priority::High), "nothing changed yet");
    let removed = page.post_form(&agents, &[("csrf", &csrf), (&field, "none"), ("confirm", "yes")]).await;
    assert_eq!((removed.status().as_u16(), location(&removed)), (303, agents.clone()));
    assert!(page.get_text(&agents).await.contains("Saved."));
    let advisors = app::sites::advisors(&server.app, &admin, site).await.unwrap();
    assert_eq!(advisors.iter().find(|a| a.user_id == ada).unwrap().priority, None);
    // Putting her back needs no confirmation.
    let placed = page.post_form(&agents, &[("csrf", &csrf), (&field, "low")]).await;
    assert_eq!(placed.status(), 303);

    // A bad address is refused, naming what to type.
    let refused = page.post_form(&base, &[("csrf", &csrf), ("name", "Shop"), ("urls", "not a site")]).await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("give a host such as www.example.fr"));
    let accepted = page.post_form(&base, &[("csrf", &csrf), ("name", "Shop"), ("urls", "WWW.Example.fr/boutique/\nexample.fr")]).await;
    assert_eq!(accepted.status(), 303);
    let edit = page.get_text(&base).await;
    assert!(edit.contains("https://www.example.fr/boutique\nhttps://example.fr"), "{edit}");
}
