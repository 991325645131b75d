//! `SWITCHBOARD_LOG_FORMAT=json`: one JSON object a line, each line of a request carrying
//! its id and route, and no password or link token in any line, even at debug level.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use testkit::api::Api;
use testkit::process::{self, Serve};
use testkit::TestDb;

#[tokio::test]
async fn json_logs_name_each_request_and_hold_no_password_or_token() {
    let db = TestDb::new().await;
    let url = db.url();
    let (ok, _, err) = process::run(
        &["admin", "create", "--company", "Acme", "--email", "admin@acme.test", "--password-stdin"],
        Some(&url),
        "secret-admin-password\n",
    )
    .await;
    assert!(ok, "{err}");
    let data = std::env::temp_dir().join(format!("sb-logs-{}", uuid::Uuid::now_v7().simple()));
    let served = Serve::new(&data).database(Some(&url)).env("SWITCHBOARD_LOG_FORMAT", "json").env("SWITCHBOARD_LOG", "debug").start().await;
    let base = served.url("");
    let api = Api::login_at(base.trim_end_matches('/'), "admin@acme.test", "secret-admin-password").await;
    let wrong = Api::anonymous_at(base.trim_end_matches('/'));
    wrong.json(Method::POST, "/api/v1/session", Some(json!({ "email": "admin@acme.test", "password": "wrong-guess-password" }))).await;
    let (status, body) =
        api.json(Method::POST, "/api/v1/users", Some(json!({ "email": "ada@acme.test", "first_name": "Ada", "last_name": "L" }))).await;
    assert_eq!(status, 201, "{body}");
    // A link's token is in its path: the log names the route, not the path.
    let token = commands::secrets::random_token();
    reqwest::get(served.url(&format!("/invitation/{token}"))).await.unwrap();
    reqwest::get(served.url(&format!("/password-reset/{token}"))).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let lines = served.terminate().await;
    let _ = std::fs::remove_dir_all(&data);

    let records: Vec<Value> =
        lines.iter().filter(|l| l.starts_with('{')).map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))).collect();
    assert!(records.len() > 5, "{lines:#?}");
    assert!(records.iter().any(|r| r["span"]["route"] == "/invitation/{token}"), "the link's request is logged by its route");
    let login = records.iter().find(|r| r["message"] == "logged in").expect("the login is logged");
    assert_eq!(login["span"]["route"], "/api/v1/session", "{login}");
    assert!(login["span"]["request_id"].as_str().is_some_and(|id| id.len() >= 32), "{login}");
    let all = lines.join("\n");
    for secret in ["secret-admin-password", "wrong-guess-password", token.as_str()] {
        assert!(!all.contains(secret), "`{secret}` is in the log");
    }
}
