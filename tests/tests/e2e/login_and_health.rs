//! The thin slice over HTTP: health, logging in, the Users page and its role gate.

use domain::company::Role;
use testkit::server::hidden_field;
use testkit::{Browserless, TestDb, TestServer};

#[tokio::test]
async fn healthz_answers_200_on_a_migrated_database_and_503_otherwise() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let response = reqwest::get(server.url("/healthz")).await.unwrap();
    assert_eq!(response.status(), 200);

    let bare = TestDb::empty().await;
    let unmigrated = TestServer::start(&bare).await;
    let response = reqwest::get(unmigrated.url("/healthz")).await.unwrap();
    assert_eq!(response.status(), 503);
    assert!(response.text().await.unwrap().contains("migrations pending"));

    // Once migrated, the same server turns healthy.
    store::db::migrate(&bare.config).await.unwrap();
    assert_eq!(reqwest::get(unmigrated.url("/healthz")).await.unwrap().status(), 200);
}

#[tokio::test]
async fn an_administrator_logs_in_and_sees_the_users_page() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    server.company("Acme", "admin@acme.test", "s3cret-password", 3).await;

    let client = Browserless::new(&server);
    let response = client.login("ADMIN@acme.test ", "s3cret-password").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/admin/users");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("sb_session="))
        .expect("a session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");

    let page = client.get_text("/admin/users").await;
    assert!(page.contains("admin@acme.test") && page.contains("Administrator") && page.contains("1 of 3 seats in use"), "{page}");

    // The session token is stored only as a hash, and no password hash sits in the log.
    let conn = db.client().await;
    let token = cookie.trim_start_matches("sb_session=").split(';').next().unwrap();
    let stored: i64 = conn.query_one("SELECT count(*) FROM sessions WHERE token_hash = $1", &[&token]).await.unwrap().get(0);
    assert_eq!(stored, 0, "the raw token must not be stored");
    let leaked: i64 = conn.query_one("SELECT count(*) FROM events WHERE payload::text LIKE '%argon2%'", &[]).await.unwrap().get(0);
    assert_eq!(leaked, 0);

    // Logging out ends the session server-side.
    let csrf = client.csrf().await;
    assert_eq!(client.post_form("/logout", &[("csrf", &csrf)]).await.status(), 303);
    assert_eq!(client.get("/admin/users").await.headers()["location"], "/login");
}

#[tokio::test]
async fn wrong_passwords_unknown_addresses_and_forged_forms_are_refused_plainly() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    server.company("Acme", "admin@acme.test", "s3cret-password", 3).await;
    let client = Browserless::new(&server);

    for (email, password) in [("admin@acme.test", "wrong-password"), ("nobody@acme.test", "s3cret-password"), ("", "")] {
        let response = client.login(email, password).await;
        assert_eq!(response.status(), 401, "{email}");
        assert!(response.text().await.unwrap().contains("Wrong e-mail or password."));
    }
    // A login form posted without the CSRF cookie's twin is refused, and logs nobody in.
    let conn = db.client().await;
    let sessions = || async { conn.query_one("SELECT count(*) FROM sessions", &[]).await.unwrap().get::<_, i64>(0) };
    let before = sessions().await;
    let response = client.post_form("/login", &[("csrf", "forged"), ("email", "admin@acme.test"), ("password", "s3cret-password")]).await;
    assert_eq!(response.status(), 400);
    assert!(response.headers().get_all("set-cookie").iter().all(|c| !c.to_str().unwrap().starts_with("sb_session=")));
    assert_eq!(sessions().await, before, "a forged login form opened a session");
    assert_eq!(client.get("/admin/users").await.headers()["location"], "/login");
    // A malformed body gets a page naming the problem, not a crash.
    let response =
        client.http.post(client.url("/login")).header("content-type", "application/x-www-form-urlencoded").body("%zz=%").send().await.unwrap();
    assert!(response.status().is_client_error());
}

#[tokio::test]
async fn only_administrators_reach_the_users_page_and_strangers_are_sent_to_log_in() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (company, _) = server.company("Acme", "admin@acme.test", "s3cret-password", 5).await;
    server.user(company, "agent@acme.test", "agent-password", &[Role::Agent]).await;

    let stranger = Browserless::new(&server);
    let response = stranger.get("/admin/users").await;
    assert_eq!((response.status().as_u16(), response.headers()["location"].to_str().unwrap()), (303, "/login"));

    let agent = server.login("agent@acme.test", "agent-password").await;
    assert_eq!(agent.get("/admin/users").await.status(), 403);
    let account = agent.get_text("/account").await;
    assert!(account.contains("agent@acme.test"));
    assert!(hidden_field(&account, "csrf").is_some());
}

#[tokio::test]
async fn each_user_lands_on_the_page_of_their_first_role_and_nobody_on_a_dead_end() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (company, _) = server.company("Acme", "admin@acme.test", "s3cret-password", 9).await;
    for (email, roles, landing) in [
        ("agent@acme.test", &[Role::Agent][..], "/console"),
        ("super@acme.test", &[Role::Supervisor][..], "/supervisor"),
        ("both@acme.test", &[Role::Agent, Role::Supervisor][..], "/supervisor"),
        ("all@acme.test", &[Role::Agent, Role::Supervisor, Role::Administrator][..], "/admin/users"),
        ("expert@acme.test", &[Role::Expert][..], "/account"),
    ] {
        server.user(company, email, "user-password", roles).await;
        let client = Browserless::new(&server);
        let response = client.login(email, "user-password").await;
        assert_eq!((response.status().as_u16(), response.headers()["location"].to_str().unwrap()), (303, landing), "{email}");
        // The front door sends them to the same page, and that page opens.
        assert_eq!(client.get("/").await.headers()["location"].to_str().unwrap(), landing, "{email}");
        let page = client.get(landing).await;
        assert_eq!(page.status(), 200, "{email} on {landing}");
        let text = page.text().await.unwrap();
        assert!(!text.contains("Hello, "), "{email} landed on the old dead-end greeting");
        if landing == "/account" {
            assert!(text.contains("Ask an administrator"), "{text}");
        }
    }
}
