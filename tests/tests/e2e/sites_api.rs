//! Sites through the API on a real PostgreSQL: creation and validation, widget settings and
//! key, agents and priorities, deletion, and another company trying to reach them.

use domain::company::Role;
use reqwest::Method;
use serde_json::{json, Value};
use testkit::api::{refusal, Api};
use testkit::db::company_events;
use testkit::{TestDb, TestServer};

async fn setup() -> (TestDb, TestServer, Api, domain::CompanyId) {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (company, _) = server.company("Acme", "admin@acme.test", "admin-password", 20).await;
    let api = Api::login(&server, "admin@acme.test", "admin-password").await;
    (db, server, api, company)
}

async fn new_site(api: &Api, name: &str) -> Value {
    let (status, site) =
        api.json(Method::POST, "/api/v1/sites", Some(json!({ "name": name, "urls": ["https://shop.example.com/"], "notes": "spring sale" }))).await;
    assert_eq!(status, 201, "{site}");
    site
}

#[tokio::test]
async fn a_site_is_created_with_a_key_and_a_snippet_and_validation_names_the_field() {
    let (_db, server, api, _) = setup().await;
    let site = new_site(&api, "Shop").await;
    let key = site["widget_key"].as_str().unwrap();
    assert!(key.starts_with("sbk_") && key.len() == 28);
    assert_eq!(site["urls"], json!(["https://shop.example.com"]));
    assert_eq!(site["weights"], json!({ "high": 3, "normal": 2, "low": 1 }));
    assert_eq!(site["snippet"], format!("<script async src=\"{}/widget.js\" data-switchboard-site=\"{key}\"></script>", server.url("")));

    for (body, expected) in [
        (json!({ "name": "", "urls": ["https://a.example"] }), (422, "invalid_input", Some("name"))),
        (json!({ "name": "X", "urls": [] }), (422, "invalid_input", Some("urls"))),
        (json!({ "name": "X", "urls": ["not a url"] }), (422, "invalid_input", Some("urls"))),
        (json!({ "name": "X", "urls": ["https://a.example"], "notes": "n".repeat(2001) }), (422, "invalid_input", Some("notes"))),
        (json!({ "name": "X" }), (422, "invalid_json", None)),
    ] {
        let answer = api.json(Method::POST, "/api/v1/sites", Some(body.clone())).await;
        assert_eq!(refusal(&answer), expected, "{body}");
    }
    let id = site["id"].as_str().unwrap();
    let bad = [
        (
            json!({ "settings": { "colour": "red", "greeting": "Hi", "position": "bottom-left", "language": "fr", "offline_text": "x" } }),
            Some("colour"),
        ),
        (json!({ "weights": { "high": 0, "normal": 2, "low": 1 } }), Some("weights")),
        (json!({ "accept_seconds": 5 }), Some("accept_seconds")),
    ];
    for (body, field) in bad {
        let answer = api.json(Method::PATCH, &format!("/api/v1/sites/{id}"), Some(body.clone())).await;
        assert_eq!(refusal(&answer), (422, "invalid_input", field), "{body}");
    }
    let settings =
        json!({ "colour": "#AA0000", "greeting": "Bonjour !", "position": "bottom-left", "language": "fr", "offline_text": "Laissez un message" });
    let (status, changed) = api
        .json(
            Method::PATCH,
            &format!("/api/v1/sites/{id}"),
            Some(json!({ "name": "Boutique", "settings": settings, "weights": { "high": 5, "normal": 2, "low": 1 } })),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(
        (changed["name"].as_str(), changed["settings"]["colour"].as_str(), changed["settings"]["language"].as_str()),
        (Some("Boutique"), Some("#aa0000"), Some("fr"))
    );
    assert_eq!(changed["weights"]["high"], 5);

    // Accept before it counts: off when new, set, kept when left out, turned off by null.
    assert_eq!(site["accept_seconds"], Value::Null);
    let path = format!("/api/v1/sites/{id}");
    for (body, expected) in [
        (json!({ "accept_seconds": 30 }), json!(30)),
        (json!({ "notes": "rings first" }), json!(30)),
        (json!({ "accept_seconds": null }), Value::Null),
    ] {
        let (status, changed) = api.json(Method::PATCH, &path, Some(body.clone())).await;
        assert_eq!((status, &changed["accept_seconds"]), (200, &expected), "{body}: {changed}");
    }

    let (_, rotated) = api.json(Method::POST, &format!("/api/v1/sites/{id}/key"), None).await;
    assert_ne!(rotated["widget_key"], site["widget_key"]);
    let (_, list) = api.json(Method::GET, "/api/v1/sites", None).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn only_agents_are_assigned_and_a_lost_role_keeps_the_place_but_stops_the_chats() {
    let (_db, server, api, company) = setup().await;
    let site = new_site(&api, "Shop").await;
    let id = site["id"].as_str().unwrap();
    let agent = server.user(company, "agent@acme.test", "agent-password", &[Role::Agent]).await;
    let expert = server.user(company, "expert@acme.test", "expert-password", &[Role::Expert]).await;

    let (status, advisors) = api.json(Method::PUT, &format!("/api/v1/sites/{id}/agents/{agent}"), Some(json!({ "priority": "high" }))).await;
    assert_eq!(status, 200, "{advisors}");
    let find = |list: &Value, user: &domain::UserId| list.as_array().unwrap().iter().find(|a| a["user_id"] == user.to_string()).cloned();
    assert_eq!(find(&advisors, &agent).unwrap()["priority"], "high");
    assert!(find(&advisors, &expert).is_none(), "non-agents are not even offered in the list");
    let answer = api.json(Method::PUT, &format!("/api/v1/sites/{id}/agents/{expert}"), Some(json!({ "priority": "low" }))).await;
    assert_eq!(refusal(&answer), (409, "not_an_agent", Some("user_id")));
    let answer = api.json(Method::PUT, &format!("/api/v1/sites/{id}/agents/{agent}"), Some(json!({ "priority": "urgent" }))).await;
    assert_eq!(refusal(&answer), (422, "invalid_input", Some("priority")));

    // The agent loses the role: the assignment is kept, but no chats are offered.
    api.json(Method::DELETE, &format!("/api/v1/users/{agent}/roles/Agent"), None).await;
    let (_, advisors) = api.json(Method::GET, &format!("/api/v1/sites/{id}/agents"), None).await;
    let kept = find(&advisors, &agent).unwrap();
    assert_eq!((kept["priority"].as_str(), kept["offered"].as_bool()), (Some("high"), Some(false)));
    // It can still be moved or removed; when the role comes back, chats flow again.
    let (_, advisors) = api.json(Method::PUT, &format!("/api/v1/sites/{id}/agents/{agent}"), Some(json!({ "priority": "low" }))).await;
    assert_eq!(find(&advisors, &agent).unwrap()["priority"], "low");
    api.json(Method::PUT, &format!("/api/v1/users/{agent}/roles/Agent"), None).await;
    let (_, advisors) = api.json(Method::GET, &format!("/api/v1/sites/{id}/agents"), None).await;
    assert_eq!(find(&advisors, &agent).unwrap()["offered"], true);
    // Deactivation behaves like losing the role.
    api.json(Method::POST, &format!("/api/v1/users/{agent}/deactivate"), None).await;
    let (_, advisors) = api.json(Method::GET, &format!("/api/v1/sites/{id}/agents"), None).await;
    assert_eq!(find(&advisors, &agent).unwrap()["offered"], false);

    let (_, advisors) = api.json(Method::DELETE, &format!("/api/v1/sites/{id}/agents/{agent}"), None).await;
    assert!(find(&advisors, &agent).is_none());
}

#[tokio::test]
async fn a_deleted_site_opens_no_more_chats_and_is_gone_from_the_list() {
    let (_db, server, api, _) = setup().await;
    let site = new_site(&api, "Shop").await;
    let (id, key) = (site["id"].as_str().unwrap(), site["widget_key"].as_str().unwrap());
    let config = reqwest::get(server.url(&format!("/widget/config?site={key}"))).await.unwrap();
    assert_eq!(config.status(), 200);
    assert_eq!(api.send(Method::DELETE, &format!("/api/v1/sites/{id}"), None).await.status(), 204);
    let config = reqwest::get(server.url(&format!("/widget/config?site={key}"))).await.unwrap();
    assert_eq!(config.status(), 410);
    let body: Value = config.json().await.unwrap();
    assert_eq!(body["error"]["code"], "site_deleted");
    assert_eq!(api.json(Method::GET, "/api/v1/sites", None).await.1, json!([]));
    assert_eq!(refusal(&api.json(Method::GET, &format!("/api/v1/sites/{id}"), None).await), (410, "site_deleted", None));
    assert_eq!(refusal(&api.json(Method::PATCH, &format!("/api/v1/sites/{id}"), Some(json!({ "name": "Back" }))).await), (410, "site_deleted", None));
}

#[tokio::test]
async fn no_company_sees_or_changes_another_company_s_site() {
    let (db, server, acme, company) = setup().await;
    let site = new_site(&acme, "Shop").await;
    let id = site["id"].as_str().unwrap();
    let agent = server.user(company, "agent@acme.test", "agent-password", &[Role::Agent]).await;
    // Acme's site as Acme sees it (with an agent on it), and every event of Acme, beforehand.
    let helper = server.user(company, "helper@acme.test", "helper-password", &[Role::Agent]).await;
    assert_eq!(acme.json(Method::PUT, &format!("/api/v1/sites/{id}/agents/{helper}"), Some(json!({ "priority": "low" }))).await.0, 200);
    let site_as_acme_sees_it = || async {
        (
            acme.json(Method::GET, &format!("/api/v1/sites/{id}"), None).await,
            acme.json(Method::GET, &format!("/api/v1/sites/{id}/agents"), None).await,
            reqwest::get(server.url(&format!("/widget/config?site={}", site["widget_key"].as_str().unwrap()))).await.unwrap().text().await.unwrap(),
        )
    };
    let before = site_as_acme_sees_it().await;
    assert_eq!(before.0 .1["name"], "Shop");
    let client = db.client().await;
    let acme_events = company_events(&client, company.0).await;
    server.company("Globex", "admin@globex.test", "admin-password", 5).await;
    let globex = Api::login(&server, "admin@globex.test", "admin-password").await;
    let attempts: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/api/v1/sites/{id}"), None),
        (Method::PATCH, format!("/api/v1/sites/{id}"), Some(json!({ "name": "Pwned" }))),
        (Method::POST, format!("/api/v1/sites/{id}/key"), None),
        (Method::DELETE, format!("/api/v1/sites/{id}"), None),
        (Method::GET, format!("/api/v1/sites/{id}/agents"), None),
        (Method::PUT, format!("/api/v1/sites/{id}/agents/{agent}"), Some(json!({ "priority": "high" }))),
        (Method::DELETE, format!("/api/v1/sites/{id}/agents/{agent}"), None),
    ];
    for (method, path, body) in attempts {
        let answer = globex.json(method.clone(), &path, body).await;
        assert_eq!(refusal(&answer), (404, "not_found", None), "{method} {path}");
    }
    assert_eq!(globex.json(Method::GET, "/api/v1/sites", None).await.1, json!([]));
    // Nor can a company put another company's agent on its own site.
    let own = new_site(&globex, "Globex shop").await;
    let answer =
        globex.json(Method::PUT, &format!("/api/v1/sites/{}/agents/{agent}", own["id"].as_str().unwrap()), Some(json!({ "priority": "high" }))).await;
    assert_eq!(refusal(&answer), (404, "not_found", None));
    // And the pages agree.
    let page = server.login("admin@globex.test", "admin-password").await;
    for path in ["", "/agents", "/install", "/test", "/delete", "/key"] {
        assert_eq!(page.get(&format!("/admin/sites/{id}{path}")).await.status(), 404, "{path}");
    }
    let csrf = page.csrf().await;
    assert_eq!(page.post_form(&format!("/admin/sites/{id}/delete"), &[("csrf", &csrf), ("confirm", "on")]).await.status(), 404);
    let moved = format!("priority-{helper}");
    for (path, mut fields) in [
        (format!("/admin/sites/{id}"), vec![("name", "Pwned"), ("urls", "https://evil.example")]),
        (format!("/admin/sites/{id}/key"), vec![]),
        (format!("/admin/sites/{id}/agents"), vec![(moved.as_str(), "high")]),
    ] {
        fields.push(("csrf", &csrf));
        assert_eq!(page.post_form(&path, &fields).await.status(), 404, "{path}");
    }
    // Acme's site is untouched: not one event more for Acme, and every field the same.
    assert_eq!(company_events(&client, company.0).await, acme_events, "Globex's attempts wrote to Acme");
    server.caught_up_with(projections::Registered::ALL).await;
    assert_eq!(site_as_acme_sees_it().await, before);
}

#[tokio::test]
async fn the_widget_configuration_warns_about_unlisted_origins_and_refuses_them_when_restricted() {
    let (db, server, api, _) = setup().await;
    let site = new_site(&api, "Shop").await;
    let (id, key) = (site["id"].as_str().unwrap().to_owned(), site["widget_key"].as_str().unwrap().to_owned());
    let http = reqwest::Client::new();
    let fetch = |origin: &'static str| {
        let (http, url) = (http.clone(), server.url(&format!("/widget/config?site={key}")));
        async move { http.get(url).header("origin", origin).send().await.unwrap() }
    };
    let listed = fetch("https://shop.example.com").await;
    assert_eq!(listed.headers()["access-control-allow-origin"], "https://shop.example.com");
    let body: Value = listed.json().await.unwrap();
    assert_eq!((body["unlisted_origin"].as_bool(), body["online"].as_bool(), body["site"].as_str()), (Some(false), Some(false), Some("Shop")));
    assert_eq!(body["settings"]["greeting"], "Hello! How can we help you today?");

    let unlisted: Value = fetch("https://copycat.example.net").await.json().await.unwrap();
    assert_eq!(unlisted["unlisted_origin"], true);
    let client = db.client().await;
    let seen: i64 = client.query_one("SELECT count(*) FROM widget_origins WHERE origin = 'https://copycat.example.net'", &[]).await.unwrap().get(0);
    assert_eq!(seen, 1);
    let page = server.login("admin@acme.test", "admin-password").await;
    let edit = page.get_text(&format!("/admin/sites/{id}")).await;
    assert!(edit.contains("unlisted-origins") && edit.contains("https://copycat.example.net"));

    api.json(Method::PATCH, &format!("/api/v1/sites/{id}"), Some(json!({ "restrict_to_urls": true }))).await;
    let refused = fetch("https://copycat.example.net").await;
    assert_eq!(refused.status(), 403);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "origin_not_allowed");
    assert_eq!(fetch("https://shop.example.com").await.status(), 200);

    // Settings changes reach the next page load with the same snippet.
    api.json(Method::PATCH, &format!("/api/v1/sites/{id}"), Some(json!({ "settings": { "colour": "#123456", "greeting": "New greeting", "position": "bottom-right", "language": "en", "offline_text": "Later" } }))).await;
    let body: Value = fetch("https://shop.example.com").await.json().await.unwrap();
    assert_eq!((body["settings"]["greeting"].as_str(), body["settings"]["colour"].as_str()), (Some("New greeting"), Some("#123456")));

    let unknown = reqwest::get(server.url("/widget/config?site=sbk_nope")).await.unwrap();
    assert_eq!(unknown.status(), 404);
    let script = reqwest::get(server.url("/widget.js")).await.unwrap();
    assert_eq!(script.headers()["content-type"], "text/javascript; charset=utf-8");
    assert!(script.text().await.unwrap().contains("attachShadow"));
}

#[tokio::test]
async fn the_site_pages_create_install_and_delete_with_confirmation() {
    let (_db, server, _api, _) = setup().await;
    let page = server.login("admin@acme.test", "admin-password").await;
    let csrf = page.csrf().await;
    let response = page.post_form("/admin/sites/new", &[("csrf", &csrf), ("name", "Shop"), ("urls", "not-a-url")]).await;
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    assert!(body.contains("id=\"urls-error\"") && body.contains("&quot;not-a-url&quot; is not a web address"));

    let response = page
        .post_form(
            "/admin/sites/new",
            &[("csrf", &csrf), ("name", "Shop"), ("urls", "https://shop.example.com\nhttps://www.shop.example.com"), ("notes", "main shop")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let install = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(install.ends_with("/install"));
    let install_page = page.get_text(&install).await;
    assert!(install_page.contains("data-switchboard-site=") && install_page.contains("WordPress") && install_page.contains("Shopify"));
    let base = install.trim_end_matches("/install");
    let list = page.get_text("/admin/sites").await;
    assert!(list.contains("Shop") && list.contains("https://www.shop.example.com") && list.contains("nobody"));
    let test_page = page.get_text(&format!("{base}/test")).await;
    assert!(test_page.contains("<script async src=") && test_page.contains("check-script"));

    let response = page.post_form(&format!("{base}/delete"), &[("csrf", &csrf)]).await;
    assert_eq!(response.status(), 422, "deleting needs the confirmation box");
    let response = page.post_form(&format!("{base}/delete"), &[("csrf", &csrf), ("confirm", "on")]).await;
    assert_eq!(response.status(), 303);
    assert!(!page.get_text("/admin/sites").await.contains("main shop"));
    assert_eq!(page.get(base).await.status(), 410);
}
