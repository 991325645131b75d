//! One event a projection cannot read stops nobody: it is parked (with the stream behind
//! it), every other company goes on, `/healthz` says degraded, `switchboard parked list`
//! says why, and `parked retry` applies them once they can be read.

use chrono::Utc;
use domain::company::Role;
use domain::{Actor, Metadata};
use reqwest::Method;
use serde_json::json;
use store::{EventStore, ExpectedVersion, NewEvent};
use testkit::api::Api;
use testkit::process;
use testkit::{TestDb, TestServer};

#[tokio::test]
async fn an_unreadable_event_is_parked_with_its_stream_and_retried_once_it_reads() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (acme, _) = server.company("Acme", "boss@acme.test", "a-long-password", 10).await;
    let (globex, _) = server.company("Globex", "boss@globex.test", "a-long-password", 10).await;
    let ada = server.user(acme, "ada@acme.test", "a-long-password", &[Role::Agent]).await;
    server.settle().await;

    // A RoleGranted with a role this code does not know, on Acme's stream, and a readable
    // one after it (as a newer version of Switchboard might have written them).
    let stream = format!("company-{}", acme.0);
    let bad = uuid::Uuid::now_v7();
    let raw = |id: uuid::Uuid, role: &str| NewEvent {
        event_id: id,
        event_type: "RoleGranted".into(),
        schema: 1,
        payload: json!({ "type": "RoleGranted", "user_id": ada.0, "role": role }),
        occurred_at: Utc::now(),
    };
    let meta = Metadata::new(Some(acme), Actor::System("test".into()));
    db.store().append(&stream, ExpectedVersion::Any, vec![raw(bad, "Wizard")], &meta).await.unwrap();
    db.store().append(&stream, ExpectedVersion::Any, vec![raw(uuid::Uuid::now_v7(), "Supervisor")], &meta).await.unwrap();
    server.settle().await;

    // Acme's read model waits at the event before it; a command on that stream says why it
    // cannot be decided; Globex is served as ever.
    let boss = Api::login(&server, "boss@acme.test", "a-long-password").await;
    let (_, user) = boss.json(Method::GET, &format!("/api/v1/users/{}", ada.0), None).await;
    assert_eq!(user["roles"], json!(["Agent"]), "held behind the parked event: {user}");
    let (status, body) = boss.json(Method::PUT, &format!("/api/v1/users/{}/roles/Expert", ada.0), None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (503, Some("stream_unreadable")), "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("Wizard"), "{body}");
    let other = Api::login(&server, "boss@globex.test", "a-long-password").await;
    let (status, body) = other
        .json(
            Method::POST,
            "/api/v1/users",
            Some(json!({ "email": "eve@globex.test", "first_name": "Eve", "last_name": "L", "password": "eve-password-1" })),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (_, listed) = other.json(Method::GET, "/api/v1/users", None).await;
    assert!(listed.to_string().contains("eve@globex.test"), "{listed}");
    let _ = globex;

    let health: serde_json::Value = reqwest::get(server.url("/healthz")).await.unwrap().json().await.unwrap();
    assert_eq!(health["status"], "degraded", "{health}");
    assert!(health["parked_events"]["users"].as_i64().unwrap() >= 2, "the bad event and the one behind it: {health}");

    let url = db.url();
    let (ok, out, err) = process::run(&["parked", "list"], Some(&url), "").await;
    assert!(ok, "{err}");
    assert!(out.contains(&stream) && out.contains("RoleGranted") && out.contains("Wizard") && out.contains("held behind"), "{out}");
    assert!(!out.contains("unknown event type"), "the codec names the real problem: {out}");
    // Nothing reads it yet: retrying leaves it parked, and says so.
    let (ok, out, err) = process::run(&["parked", "retry", "users"], Some(&url), "").await;
    assert!(!ok && out.contains("users: 0 applied") && err.contains("still parked"), "{out}{err}");

    // The fix (here by hand, as an upcaster would read it): the role becomes one we know.
    let client = db.client().await;
    client
        .batch_execute(&format!(
            "ALTER TABLE events DISABLE TRIGGER events_append_only;
             UPDATE events SET payload = jsonb_set(payload, '{{role}}', '\"Expert\"') WHERE event_id = '{bad}';
             ALTER TABLE events ENABLE TRIGGER events_append_only;"
        ))
        .await
        .unwrap();
    let (ok, out, err) = process::run(&["parked", "retry"], Some(&url), "").await;
    assert!(ok, "{out}{err}");
    assert!(out.contains("users: 2 applied, 0 still parked"), "{out}");
    let (_, user) = boss.json(Method::GET, &format!("/api/v1/users/{}", ada.0), None).await;
    assert_eq!(user["roles"], json!(["Agent", "Expert", "Supervisor"]), "both applied, in order: {user}");
    let health: serde_json::Value = reqwest::get(server.url("/healthz")).await.unwrap().json().await.unwrap();
    assert_eq!(health["status"], "ok", "{health}");
    let (ok, out, _) = process::run(&["parked", "list"], Some(&url), "").await;
    assert!(ok && out.contains("No event is parked"), "{out}");
}
