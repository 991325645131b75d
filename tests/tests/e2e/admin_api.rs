//! Administration through the JSON API, on a real PostgreSQL: adding users three ways,
//! validation, roles, seats (with a race for the last one), and tenant isolation.

use reqwest::Method;
use serde_json::{json, Value};
use testkit::api::{refusal, Api};
use testkit::db::{company_events, newest_event};
use testkit::{TestDb, TestServer};

async fn admin(server: &TestServer, company: &str, seats: u32) -> (Api, domain::CompanyId) {
    let email = format!("admin@{}.test", company.to_lowercase());
    let (company_id, _) = server.company(company, &email, "admin-password", seats).await;
    (Api::login(server, &email, "admin-password").await, company_id)
}

fn new_user(email: &str) -> Value {
    json!({ "email": email, "first_name": "Grace", "last_name": "Hopper", "access": "password", "password": "grace-password" })
}

#[tokio::test]
async fn users_are_added_by_invitation_with_a_password_or_with_a_generated_one() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (api, _) = admin(&server, "Acme", 10).await;

    let (status, invited) = api
        .json(
            Method::POST,
            "/api/v1/users",
            Some(json!({
                "email": "Invitee@Acme.test", "first_name": "Ada", "last_name": "Lovelace", "roles": ["Agent", "supervisor"], "max_chats": 5
            })),
        )
        .await;
    assert_eq!(status, 201, "{invited}");
    let user = &invited["user"];
    assert_eq!((user["email"].as_str(), user["status"].as_str(), user["max_chats"].as_i64()), (Some("invitee@acme.test"), Some("invited"), Some(5)));
    assert_eq!(user["roles"], json!(["Agent", "Supervisor"]));
    assert!(user["invitation_expires_at"].is_string());
    assert!(invited["generated_password"].is_null());

    let (status, set) = api.json(Method::POST, "/api/v1/users", Some(new_user("grace@acme.test"))).await;
    assert_eq!(status, 201, "{set}");
    assert_eq!(set["user"]["status"], "active");
    assert_eq!(set["user"]["roles"], json!(["Agent"]), "Agent is the default role");
    Api::login(&server, "grace@acme.test", "grace-password").await;

    let (status, generated) = api
        .json(
            Method::POST,
            "/api/v1/users",
            Some(json!({
                "email": "gen@acme.test", "first_name": "Gen", "last_name": "Erated", "access": "generate_password"
            })),
        )
        .await;
    assert_eq!(status, 201);
    let password = generated["generated_password"].as_str().unwrap();
    assert!(password.len() >= 16, "a strong password: {password}");
    Api::login(&server, "gen@acme.test", password).await;

    let (_, list) = api.json(Method::GET, "/api/v1/users?q=acme.test&per_page=2", None).await;
    assert_eq!((list["total"].as_i64(), list["users"].as_array().unwrap().len()), (Some(4), 2));
    let (_, found) = api.json(Method::GET, "/api/v1/users?q=lovelace", None).await;
    assert_eq!(found["users"][0]["email"], "invitee@acme.test");

    // Neither the passwords nor their hashes are in the event log.
    let client = db.client().await;
    let leaks: i64 = client
        .query_one("SELECT count(*) FROM events WHERE payload::text ~ ('(grace-password|argon2|' || $1 || ')')", &[&password])
        .await
        .unwrap()
        .get(0);
    assert_eq!(leaks, 0);
}

#[tokio::test]
async fn invalid_input_is_refused_with_a_code_and_the_field_it_is_about() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (api, _) = admin(&server, "Acme", 10).await;
    let cases = [
        (json!({ "email": "a@acme.test", "first_name": " ", "last_name": "L", "access": "invite" }), (422, "invalid_input", Some("first_name"))),
        (json!({ "email": "a@acme.test", "first_name": "A", "last_name": "", "access": "invite" }), (422, "invalid_input", Some("last_name"))),
        (json!({ "email": "not an address", "first_name": "A", "last_name": "L" }), (422, "invalid_email", Some("email"))),
        (json!({ "email": "a@acme.test", "first_name": "A", "last_name": "L", "max_chats": 21 }), (422, "invalid_input", Some("max_chats"))),
        (json!({ "email": "a@acme.test", "first_name": "A", "last_name": "L", "max_chats": 0 }), (422, "invalid_input", Some("max_chats"))),
        (json!({ "email": "a@acme.test", "first_name": "A", "last_name": "L", "roles": ["Owner"] }), (422, "unknown_role", Some("roles"))),
        (
            json!({ "email": "a@acme.test", "first_name": "A", "last_name": "L", "access": "password", "password": "short" }),
            (422, "invalid_input", Some("password")),
        ),
        (json!({ "email": "a@acme.test", "first_name": "A", "last_name": "L", "access": "telepathy" }), (422, "invalid_input", Some("access"))),
        (json!({ "email": "a@acme.test", "first_name": 7 }), (422, "invalid_json", None)),
    ];
    for (body, expected) in cases {
        let answer = api.json(Method::POST, "/api/v1/users", Some(body.clone())).await;
        assert_eq!(refusal(&answer), expected, "{body}: {}", answer.1);
        assert!(!answer.1["error"]["message"].as_str().unwrap().is_empty());
    }
    // Nothing was created by the refused requests.
    let (_, list) = api.json(Method::GET, "/api/v1/users", None).await;
    assert_eq!(list["total"], 1);
    // Not JSON at all.
    let response = api
        .http
        .post(server.url("/api/v1/users"))
        .header("x-csrf-token", &api.csrf)
        .header("content-type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_json");
}

#[tokio::test]
async fn one_account_per_address_across_companies() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (acme, _) = admin(&server, "Acme", 10).await;
    let (globex, _) = admin(&server, "Globex", 10).await;
    assert_eq!(acme.json(Method::POST, "/api/v1/users", Some(new_user("shared@example.test"))).await.0, 201);
    let answer = globex.json(Method::POST, "/api/v1/users", Some(new_user("SHARED@example.test"))).await;
    assert_eq!(refusal(&answer), (409, "email_taken", Some("email")));
    // Changing an e-mail to a taken address is refused too, and changes nothing.
    let (_, created) = globex.json(Method::POST, "/api/v1/users", Some(new_user("mine@globex.test"))).await;
    let id = created["user"]["id"].as_str().unwrap();
    let answer = globex.json(Method::PATCH, &format!("/api/v1/users/{id}"), Some(json!({ "email": "shared@example.test" }))).await;
    assert_eq!(refusal(&answer), (409, "email_taken", Some("email")));
    let (_, moved) = globex
        .json(Method::PATCH, &format!("/api/v1/users/{id}"), Some(json!({ "email": "new@globex.test", "first_name": "Greta", "max_chats": 7 })))
        .await;
    assert_eq!(
        (moved["email"].as_str(), moved["first_name"].as_str(), moved["max_chats"].as_i64()),
        (Some("new@globex.test"), Some("Greta"), Some(7))
    );
    // The old address is free again.
    assert_eq!(acme.json(Method::POST, "/api/v1/users", Some(new_user("mine@globex.test"))).await.0, 201);
}

#[tokio::test]
async fn roles_switch_on_and_off_but_the_last_active_administrator_stays() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (api, _) = admin(&server, "Acme", 10).await;
    let (_, me) = api.json(Method::GET, "/api/v1/users", None).await;
    let me = me["users"][0]["id"].as_str().unwrap().to_owned();
    let (_, other) = api.json(Method::POST, "/api/v1/users", Some(new_user("grace@acme.test"))).await;
    let other = other["user"]["id"].as_str().unwrap().to_owned();

    let (status, user) = api.json(Method::PUT, &format!("/api/v1/users/{other}/roles/Supervisor"), None).await;
    assert_eq!((status, user["roles"].clone()), (200, json!(["Agent", "Supervisor"])));
    let (_, user) = api.json(Method::DELETE, &format!("/api/v1/users/{other}/roles/agent"), None).await;
    assert_eq!(user["roles"], json!(["Supervisor"]));
    assert_eq!(refusal(&api.json(Method::PUT, &format!("/api/v1/users/{other}/roles/Owner"), None).await), (422, "unknown_role", Some("role")));

    assert_eq!(refusal(&api.json(Method::DELETE, &format!("/api/v1/users/{me}/roles/Administrator"), None).await), (409, "last_administrator", None));
    assert_eq!(refusal(&api.json(Method::POST, &format!("/api/v1/users/{me}/deactivate"), None).await), (409, "last_administrator", None));
    // With a second administrator, the first may step down.
    api.json(Method::PUT, &format!("/api/v1/users/{other}/roles/Administrator"), None).await;
    let (status, stepped) = api.json(Method::DELETE, &format!("/api/v1/users/{me}/roles/Administrator"), None).await;
    assert_eq!(status, 200);
    assert!(!stepped["roles"].as_array().unwrap().contains(&json!("Administrator")));
    // …and is no longer an administrator for the API.
    assert_eq!(refusal(&api.json(Method::GET, "/api/v1/users", None).await), (403, "forbidden", None));

    let other_admin = Api::login(&server, "grace@acme.test", "grace-password").await;
    let (_, history) = other_admin.json(Method::GET, &format!("/api/v1/users/{other}/history"), None).await;
    let lines: Vec<String> =
        history.as_array().unwrap().iter().map(|h| format!("{}: {}", h["who"].as_str().unwrap(), h["what"].as_str().unwrap())).collect();
    assert!(lines.contains(&"admin Tester: created the account for grace@acme.test".to_owned()), "{lines:?}");
    assert!(lines.contains(&"admin Tester: switched the Supervisor role on".to_owned()), "{lines:?}");
    assert!(lines.contains(&"admin Tester: switched the Agent role off".to_owned()), "{lines:?}");
}

#[tokio::test]
async fn seats_limit_creation_and_reactivation_and_deactivation_frees_one() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (api, _) = admin(&server, "Acme", 3).await;
    let (_, a) = api.json(Method::POST, "/api/v1/users", Some(new_user("a@acme.test"))).await;
    api.json(Method::POST, "/api/v1/users", Some(json!({ "email": "b@acme.test", "first_name": "B", "last_name": "B" }))).await;
    let (_, licence) = api.json(Method::GET, "/api/v1/licence", None).await;
    assert_eq!(licence, json!({ "seats": 3, "seats_in_use": 3, "exhausted": true }), "invited users hold a seat too");

    assert_eq!(refusal(&api.json(Method::POST, "/api/v1/users", Some(new_user("c@acme.test"))).await), (409, "seats_exhausted", None));
    let a = a["user"]["id"].as_str().unwrap();
    let (_, deactivated) = api.json(Method::POST, &format!("/api/v1/users/{a}/deactivate"), None).await;
    assert_eq!(deactivated["status"], "deactivated");
    assert_eq!(api.json(Method::GET, "/api/v1/licence", None).await.1["seats_in_use"], 2);
    // A deactivated user cannot log in.
    let refused =
        Api::anonymous(&server).json(Method::POST, "/api/v1/session", Some(json!({ "email": "a@acme.test", "password": "grace-password" }))).await;
    assert_eq!(refusal(&refused), (401, "invalid_credentials", None));

    assert_eq!(api.json(Method::POST, "/api/v1/users", Some(new_user("c@acme.test"))).await.0, 201);
    assert_eq!(refusal(&api.json(Method::POST, &format!("/api/v1/users/{a}/reactivate"), None).await), (409, "seats_exhausted", None));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn administrators_racing_for_the_last_seat_cannot_both_win() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (api, _) = admin(&server, "Acme", 2).await;
    let api = std::sync::Arc::new(api);
    let racers: Vec<_> = (0..12)
        .map(|i| {
            let api = api.clone();
            tokio::spawn(async move { api.json(Method::POST, "/api/v1/users", Some(new_user(&format!("racer{i}@acme.test")))).await })
        })
        .collect();
    let mut won = 0;
    for r in racers {
        let answer = r.await.unwrap();
        match answer.0 {
            201 => won += 1,
            _ => assert_eq!(refusal(&answer), (409, "seats_exhausted", None), "{}", answer.1),
        }
    }
    assert_eq!(won, 1);
    assert_eq!(api.json(Method::GET, "/api/v1/licence", None).await.1, json!({ "seats": 2, "seats_in_use": 2, "exhausted": true }));
    let (_, list) = api.json(Method::GET, "/api/v1/users", None).await;
    assert_eq!(list["total"], 2, "refused users are not listed");
    // Losers' addresses were released: they may be used later.
    let client = db.client().await;
    let claimed: i64 = client
        .query_one(
            "SELECT count(*) FROM (SELECT stream, (array_agg(event_type ORDER BY version DESC))[1] AS last FROM events
             WHERE stream LIKE 'email-racer%' GROUP BY stream) s WHERE last = 'EmailClaimed'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(claimed, 1);
}

#[tokio::test]
async fn no_company_sees_or_changes_another_company_s_users() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (acme, acme_id) = admin(&server, "Acme", 10).await;
    let (globex, _) = admin(&server, "Globex", 10).await;
    let (_, victim) = acme.json(Method::POST, "/api/v1/users", Some(new_user("victim@acme.test"))).await;
    let id = victim["user"]["id"].as_str().unwrap();
    // What Acme's administrator sees of the victim, and every event of Acme, before the attempts.
    let client = db.client().await;
    let victim_as_acme_sees_it = || async {
        (
            acme.json(Method::GET, &format!("/api/v1/users/{id}"), None).await,
            acme.json(Method::GET, &format!("/api/v1/users/{id}/history"), None).await,
            acme.json(Method::GET, "/api/v1/licence", None).await,
        )
    };
    let before = victim_as_acme_sees_it().await;
    assert_eq!(before.0 .1["email"], "victim@acme.test", "{:?}", before.0);
    let acme_events = company_events(&client, acme_id.0).await;

    let attempts: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/api/v1/users/{id}"), None),
        (Method::PATCH, format!("/api/v1/users/{id}"), Some(json!({ "first_name": "Pwned" }))),
        (Method::PUT, format!("/api/v1/users/{id}/roles/Administrator"), None),
        (Method::DELETE, format!("/api/v1/users/{id}/roles/Agent"), None),
        (Method::POST, format!("/api/v1/users/{id}/deactivate"), None),
        (Method::POST, format!("/api/v1/users/{id}/reactivate"), None),
        (Method::POST, format!("/api/v1/users/{id}/invitation"), None),
        (Method::GET, format!("/api/v1/users/{id}/history"), None),
    ];
    for (method, path, body) in attempts {
        let answer = globex.json(method.clone(), &path, body).await;
        assert_eq!(refusal(&answer), (404, "not_found", None), "{method} {path}: {}", answer.1);
    }
    let (_, list) = globex.json(Method::GET, "/api/v1/users?q=victim", None).await;
    assert_eq!(list["total"], 0);
    // The victim is untouched: not one event more for Acme, and every field the same.
    assert_eq!(company_events(&client, acme_id.0).await, acme_events, "Globex's attempts wrote to Acme");
    server.caught_up_with(projections::Registered::ALL).await;
    assert_eq!(victim_as_acme_sees_it().await, before);

    // Another company's import cannot be read or confirmed either.
    let response = acme
        .http
        .post(server.url("/api/v1/imports"))
        .header("x-csrf-token", &acme.csrf)
        .body("email,first_name,last_name\nx@acme.test,X,Y\n")
        .send()
        .await
        .unwrap();
    let import: Value = response.json().await.unwrap();
    let import_id = import["id"].as_str().unwrap();
    let import_before = acme.json(Method::GET, &format!("/api/v1/imports/{import_id}"), None).await;
    assert_eq!(import_before.1["status"], "preview");
    assert_eq!(refusal(&globex.json(Method::GET, &format!("/api/v1/imports/{import_id}"), None).await), (404, "not_found", None));
    assert_eq!(refusal(&globex.json(Method::POST, &format!("/api/v1/imports/{import_id}/confirm"), None).await), (404, "not_found", None));
    assert_eq!(acme.json(Method::GET, &format!("/api/v1/imports/{import_id}"), None).await, import_before, "the import is still Acme's to confirm");

    // The same through the pages.
    let page_client = server.login("admin@globex.test", "admin-password").await;
    for path in [
        format!("/admin/users/{id}"),
        format!("/admin/users/{id}/settings"),
        format!("/admin/users/{id}/history"),
        format!("/admin/users/import/{import_id}"),
        format!("/admin/users/{id}/deactivate"),
    ] {
        assert_eq!(page_client.get(&path).await.status(), 404, "{path}");
    }
    let csrf = page_client.csrf().await;
    for path in [
        format!("/admin/users/{id}/deactivate"),
        format!("/admin/users/{id}/invitation"),
        format!("/admin/users/{id}/password-reset"),
        format!("/admin/users/{id}/reactivate"),
    ] {
        assert_eq!(page_client.post_form(&path, &[("csrf", &csrf)]).await.status(), 404, "{path}");
        assert_eq!(page_client.post_form(&path, &[("csrf", &csrf), ("confirm", "yes")]).await.status(), 404, "{path}");
    }
    let response = page_client.post_form(&format!("/admin/users/{id}/roles"), &[("csrf", &csrf), ("role", "Agent"), ("on", "false")]).await;
    assert_eq!(response.status(), 404);
    let response = page_client
        .post_form(&format!("/admin/users/{id}"), &[("csrf", &csrf), ("email", "victim@acme.test"), ("first_name", "X"), ("last_name", "Y")])
        .await;
    assert_eq!(response.status(), 404);
    assert!(!page_client.get_text("/admin/users").await.contains("victim@acme.test"));
    // Nor through the pages: Acme's log and its view of the victim are as they were.
    assert_eq!(company_events(&client, acme_id.0).await, acme_events, "Globex's pages wrote to Acme");
    server.caught_up_with(projections::Registered::ALL).await;
    assert_eq!(victim_as_acme_sees_it().await, before);
}

#[tokio::test]
async fn only_administrators_use_the_api_and_changes_need_the_csrf_token() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (api, company) = admin(&server, "Acme", 10).await;
    server.user(company, "agent@acme.test", "agent-password", &[domain::company::Role::Agent]).await;

    let stranger = Api::anonymous(&server);
    assert_eq!(refusal(&stranger.json(Method::GET, "/api/v1/users", None).await), (401, "unauthenticated", None));
    let agent = Api::login(&server, "agent@acme.test", "agent-password").await;
    assert_eq!(refusal(&agent.json(Method::GET, "/api/v1/users", None).await), (403, "forbidden", None));
    assert_eq!(refusal(&agent.json(Method::POST, "/api/v1/users", Some(new_user("x@acme.test"))).await), (403, "forbidden", None));

    let mut forged = Api::login(&server, "admin@acme.test", "admin-password").await;
    forged.csrf = "not-the-token".into();
    let client = db.client().await;
    let newest = newest_event(&client).await;
    let (_, me) = api.json(Method::GET, "/api/v1/users?q=admin", None).await;
    let me = me["users"][0]["id"].as_str().unwrap().to_owned();
    let before = api.json(Method::GET, &format!("/api/v1/users/{me}"), None).await;
    for (method, path, body) in [
        (Method::POST, "/api/v1/users".to_owned(), Some(new_user("x@acme.test"))),
        (Method::PATCH, format!("/api/v1/users/{me}"), Some(json!({ "first_name": "Forged" }))),
        (Method::PUT, format!("/api/v1/users/{me}/roles/Agent"), None),
        (Method::DELETE, "/api/v1/session".to_owned(), None),
    ] {
        assert_eq!(refusal(&forged.json(method.clone(), &path, body).await), (422, "csrf", None), "{method} {path}");
    }
    // Refused before anything was written: the log ends where it did, the administrator is
    // the same in every field, and the forged session still works.
    assert_eq!(newest_event(&client).await, newest, "a request with a forged CSRF token wrote an event");
    server.caught_up_with(projections::Registered::ALL).await;
    assert_eq!(api.json(Method::GET, &format!("/api/v1/users/{me}"), None).await, before);
    assert_eq!(forged.json(Method::GET, "/api/v1/licence", None).await.0, 200, "the forged logout ended the session");
    assert_eq!(api.json(Method::POST, "/api/v1/users", Some(new_user("x@acme.test"))).await.0, 201);

    assert_eq!(refusal(&api.json(Method::GET, "/api/v1/nothing-here", None).await), (404, "not_found", None));
    assert_eq!(refusal(&api.json(Method::GET, "/api/v1/users/not-a-uuid", None).await), (404, "not_found", None));

    // Logging out ends the session.
    assert_eq!(api.send(Method::DELETE, "/api/v1/session", None).await.status(), 204);
    assert_eq!(refusal(&api.json(Method::GET, "/api/v1/users", None).await), (401, "unauthenticated", None));
}

#[tokio::test]
async fn repeated_failed_logins_are_slowed_down() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    admin(&server, "Acme", 10).await;
    let guesser = Api::anonymous(&server);
    for _ in 0..10 {
        let answer = guesser.json(Method::POST, "/api/v1/session", Some(json!({ "email": "admin@acme.test", "password": "guess" }))).await;
        assert_eq!(refusal(&answer), (401, "invalid_credentials", None));
    }
    // Even the right password is refused for a while now.
    let answer = guesser.json(Method::POST, "/api/v1/session", Some(json!({ "email": "admin@acme.test", "password": "admin-password" }))).await;
    assert_eq!(refusal(&answer), (429, "too_many_requests", None));
    let page = testkit::Browserless::new(&server);
    let response = page.login("admin@acme.test", "admin-password").await;
    assert_eq!(response.status(), 429);
    assert!(response.text().await.unwrap().contains("Too many failed logins"));
}

#[tokio::test]
async fn two_hundred_simultaneous_guesses_get_no_more_tries_than_the_limit() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    admin(&server, "Acme", 10).await;
    let guesses =
        (0..200).map(|n| {
            let guesser = Api::anonymous(&server);
            async move {
                guesser.json(Method::POST, "/api/v1/session", Some(json!({ "email": "admin@acme.test", "password": format!("guess-{n}") }))).await.0
            }
        });
    let statuses = futures_util::future::join_all(guesses).await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((checked, refused), (10, 190), "{statuses:?}");
}

#[tokio::test]
async fn the_api_is_described_by_an_openapi_document() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let doc: Value = reqwest::get(server.url("/api/v1/openapi.json")).await.unwrap().json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/users",
        "/api/v1/users/{id}",
        "/api/v1/users/{id}/roles/{role}",
        "/api/v1/session",
        "/api/v1/imports",
        "/api/v1/licence",
        "/api/v1/sites",
        "/api/v1/conversations",
        "/api/v1/conversations/{id}",
        "/api/v1/subscription",
        "/api/v1/subscription/quote",
        "/api/v1/subscription/orders",
        "/api/v1/subscription/test-cards",
        "/api/v1/invoices",
        "/api/v1/invoices/{number}",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
    let searched: Vec<&str> =
        doc["paths"]["/api/v1/conversations"]["get"]["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(searched, ["visitor", "agent", "site", "from", "until", "rating", "page", "per_page"]);
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    let order = &doc["paths"]["/api/v1/subscription/orders"]["post"];
    assert!(order["parameters"].as_array().unwrap().iter().any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header"), "{order}");
}

#[tokio::test]
async fn a_request_refused_before_its_body_is_read_closes_its_connection_cleanly() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let address = server.url("").trim_start_matches("http://").to_owned();
    let body = format!("{{\"email\": \"x@acme.test\", \"first_name\": \"{}\"}}", "x".repeat(100_000));
    // Not logged in: 401 before the body is read; the next request must not be read from
    // the middle of that body, so the answer says the connection closes, and it does.
    let mut socket = tokio::net::TcpStream::connect(&address).await.unwrap();
    let request = format!(
        "POST /api/v1/users HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}GET /healthz HTTP/1.1\r\nHost: {address}\r\n\r\n",
        body.len()
    );
    let _ = socket.write_all(request.as_bytes()).await;
    let mut answer = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(10), socket.read_to_end(&mut answer)).await.expect("the server closes the connection").ok();
    let answer = String::from_utf8_lossy(&answer).to_lowercase();
    assert!(answer.starts_with("http/1.1 401") && answer.contains("connection: close"), "{answer}");
    assert_eq!(answer.matches("http/1.1 ").count(), 1, "nothing read from the middle of the body: {answer}");
    // A request without a body keeps its connection.
    let plain = reqwest::get(server.url("/api/v1/users")).await.unwrap();
    assert_eq!(plain.status(), 401);
    assert!(plain.headers().get("connection").is_none_or(|c| c != "close"));
}

#[tokio::test]
async fn a_command_stored_while_its_read_model_lags_answers_accepted_not_a_failure() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (api, _) = admin(&server, "Acme", 10).await;
    server.settle().await;
    // Hold the projections back, as a slow disk would: their runners wait to lock their
    // checkpoints. (A table lock, not a row lock: a row lock gives the transaction an id,
    // which would hold back every event reader on this PostgreSQL server, other tests'.)
    let mut holder = db.client().await;
    let hold = holder.transaction().await.unwrap();
    hold.batch_execute("LOCK TABLE projection_checkpoints IN EXCLUSIVE MODE").await.unwrap();
    let (status, body) = api.json(Method::POST, "/api/v1/users", Some(new_user("late@acme.test"))).await;
    assert_eq!((status, body["status"].as_str()), (202, Some("accepted")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("catching up"), "{body}");
    hold.rollback().await.unwrap();
    // It happened: a retry would be refused as a second account for the address.
    server.settle().await;
    let (_, listed) = api.json(Method::GET, "/api/v1/users", None).await;
    assert!(listed.to_string().contains("late@acme.test"), "{listed}");
    let (status, body) = api.json(Method::POST, "/api/v1/users", Some(new_user("late@acme.test"))).await;
    assert_eq!(status, 409, "{body}");
}
