//! The administrators' audit log page: entries across users, roles, sites and billing, the
//! filters, keyset pages, links to objects, a spreadsheet-safe CSV export, and nothing of
//! another company.

use domain::company::Role;
use reqwest::Method;
use serde_json::json;
use testkit::api::Api;
use testkit::server::Browserless;
use testkit::{TestDb, TestServer};

/// The `data-event` of every row of an audit page.
fn events_of(page: &str) -> Vec<String> {
    let re = regex_lite::Regex::new(r#"<tr data-event="([A-Za-z]+)""#).unwrap();
    re.captures_iter(page).map(|c| c[1].to_owned()).collect()
}

#[tokio::test]
async fn administrators_read_filter_page_and_export_the_audit_log_of_their_company_only() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (acme, admin_id) = server.company("Acme", "admin@acme.test", "admin-password", 5).await;
    let (globex, _) = server.company("Globex", "admin@globex.test", "admin-password", 5).await;
    server.user(globex, "secret-agent@globex.test", "agent-password", &[Role::Agent]).await;
    let api = Api::login(&server, "admin@acme.test", "admin-password").await;
    let (status, created) = api
        .json(Method::POST, "/api/v1/users", Some(json!({ "email": "ada@acme.test", "first_name": "=HYPERLINK(\"http://evil\")", "last_name": "Lovelace", "access": "password", "password": "ada-password" })))
        .await;
    assert_eq!(status, 201, "{created}");
    let ada = created["user"]["id"].as_str().unwrap().to_owned();
    for _ in 0..30 {
        assert_eq!(api.send(Method::PUT, &format!("/api/v1/users/{ada}/roles/Supervisor"), None).await.status(), 200);
        assert_eq!(api.send(Method::DELETE, &format!("/api/v1/users/{ada}/roles/Supervisor"), None).await.status(), 200);
    }
    let (status, _) = api.json(Method::POST, "/api/v1/sites", Some(json!({ "name": "Shop", "urls": ["https://shop.example.com/"] }))).await;
    assert_eq!(status, 201);
    let token = api
        .json(
            Method::POST,
            "/api/v1/subscription/test-cards",
            Some(json!({ "number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123" })),
        )
        .await
        .1;
    let body = json!({ "seats": 6, "period": "annual", "payment_token": token["token"], "billing": { "name": "Ada", "company": "Acme", "address": "Paris", "country": "FR", "email": "b@acme.test" } });
    assert_eq!(api.post_once("/api/v1/subscription/orders", uuid::Uuid::now_v7(), body).await.0, 200);

    let pages = Browserless::new(&server);
    pages.login("admin@acme.test", "admin-password").await;
    let first = pages.get_text("/admin/audit").await;
    let newest = events_of(&first);
    assert_eq!(newest.len(), 50, "a page holds fifty entries");
    assert_eq!(&newest[..3], ["InvoiceIssued", "OfferChanged", "PaymentSucceeded"], "newest first");
    assert!(first.contains("ordered 6 seats, annual payment") && first.contains("href=\"/admin/invoices/1\""), "billing entries link to the invoice");
    assert!(!first.contains("globex"), "nothing of another company");
    // The next page continues where the first stopped, with no entry twice.
    let older = regex_lite::Regex::new(r#"id="older" href="([^"]+)""#).unwrap().captures(&first).expect("an older page")[1].replace("&amp;", "&");
    let second = pages.get_text(&older).await;
    let rest = events_of(&second);
    assert!(rest.contains(&"SiteCreated".to_owned()) || newest.contains(&"SiteCreated".to_owned()));
    assert!(rest.contains(&"UserRegistered".to_owned()) && rest.contains(&"MemberAdded".to_owned()), "{rest:?}");
    assert!(second.contains(&format!("href=\"/admin/users/{ada}/history\"")), "entries about a user link to them");

    let roles = pages.get_text("/admin/audit?kind=roles").await;
    let kinds = events_of(&roles);
    assert!(!kinds.is_empty() && kinds.iter().all(|k| k == "RoleGranted" || k == "RoleRevoked"), "{kinds:?}");
    let by_admin = events_of(&pages.get_text(&format!("/admin/audit?actor=user:{}", admin_id)).await);
    assert!(by_admin.len() == 50 && !by_admin.contains(&"CompanyRegistered".to_owned()), "the CLI registered the company, not the admin");
    assert!(events_of(&pages.get_text("/admin/audit?from=2000-01-01&to=2000-12-31").await).is_empty());
    let one_user = events_of(&pages.get_text(&format!("/admin/audit?object=user-{ada}&kind=users")).await);
    assert!(one_user.contains(&"UserRegistered".to_owned()) && one_user.contains(&"MemberAdded".to_owned()), "{one_user:?}");
    assert_eq!(pages.get("/admin/audit?from=yesterday").await.status(), 422);
    assert_eq!(pages.get("/admin/audit?kind=everything").await.status(), 422);

    let csv = pages.get("/admin/audit.csv?kind=users").await;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    assert!(csv.starts_with("time,who,actor,event,what,object,details\n"));
    assert!(csv.contains("'=HYPERLINK"), "a formula becomes text: {csv}");
    assert!(!csv.lines().any(|l| l.split(',').any(|cell| cell.trim_start_matches('"').starts_with('='))), "{csv}");

    // Nobody but administrators.
    server.user(acme, "agent@acme.test", "agent-password", &[Role::Agent, Role::Supervisor]).await;
    let agent = Browserless::new(&server);
    agent.login("agent@acme.test", "agent-password").await;
    assert_eq!(agent.get("/admin/audit").await.status(), 403);
    assert_eq!(agent.get("/admin/audit.csv").await.status(), 403);
}
