//! `switchboard replay` and `replay --verify` through the real binary: a failed replay
//! leaves nothing behind, and verify finds a tampered read model by table and key.

use domain::company::Role;
use testkit::process;
use testkit::{TestDb, TestServer};

/// A company with an administrator and an agent, every read model caught up, and no server
/// left running (so nothing but the commands under test touches the read models).
async fn acme(db: &TestDb) -> uuid::Uuid {
    let server = TestServer::start(db).await;
    let (company, _) = server.company("Acme", "boss@acme.test", "a-long-password", 10).await;
    let agent = server.user(company, "agent@acme.test", "a-long-password", &[Role::Agent]).await;
    server.settle().await;
    drop(server);
    agent.0
}

async fn scratch_schemas(client: &tokio_postgres::Client) -> i64 {
    client.query_one("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'rebuild\\_%' OR nspname LIKE 'verify\\_%'", &[]).await.unwrap().get(0)
}

/// The users table and the users checkpoint, as one comparable text.
async fn users_state(client: &tokio_postgres::Client) -> String {
    let sql = "SELECT coalesce((SELECT string_agg(u::text, E'\\n' ORDER BY user_id) FROM users u), '') \
               || (SELECT format(' at %s/%s', tx, pos) FROM projection_checkpoints WHERE name = 'users')";
    client.query_one(sql, &[]).await.unwrap().get(0)
}

#[tokio::test]
async fn verify_names_the_table_and_key_of_a_tampered_row_and_replay_repairs_it() {
    let db = TestDb::new().await;
    let url = db.url();
    let agent = acme(&db).await;
    let client = db.client().await;

    let (ok, stdout, stderr) = process::run(&["replay", "--verify"], Some(&url), "").await;
    assert!(ok, "{stdout}\n{stderr}");
    assert!(stdout.contains("Every read model checked matches the log."), "{stdout}");
    assert!(stdout.contains("users: matches the log") && stdout.contains("table invitation_links: same"), "{stdout}");
    // Not a terminal: plain progress lines on stderr.
    assert!(stderr.contains("verify agent-load: ") && stderr.contains(" events in "), "{stderr}");
    assert_eq!(scratch_schemas(&client).await, 0);

    // Someone edits a read model by hand, and loses an audit entry.
    client.execute("UPDATE users SET email = 'mallory@evil.test' WHERE user_id = $1", &[&agent]).await.unwrap();
    let lost: uuid::Uuid = client
        .query_one("DELETE FROM audit_log WHERE event_id = (SELECT event_id FROM audit_log ORDER BY event_id LIMIT 1) RETURNING event_id", &[])
        .await
        .unwrap()
        .get(0);
    let (ok, stdout, stderr) = process::run(&["replay", "--verify"], Some(&url), "").await;
    assert!(!ok, "{stdout}");
    assert!(stdout.contains("users: DIFFERS from the log"), "{stdout}");
    assert!(stdout.contains(&format!("users user_id={agent}: changed: email")), "{stdout}");
    assert!(stdout.contains(&format!("audit_log event_id={lost}: missing from the live table")), "{stdout}");
    assert!(stdout.contains("licences: matches the log"), "{stdout}");
    assert!(stderr.contains("read models differ from the log: users, audit; `switchboard replay users audit` rebuilds them"), "{stderr}");
    assert_eq!(scratch_schemas(&client).await, 0, "verify swaps nothing and drops its scratch tables");
    let email: String = client.query_one("SELECT email FROM users WHERE user_id = $1", &[&agent]).await.unwrap().get(0);
    assert_eq!(email, "mallory@evil.test");

    // Verify one projection only.
    let (ok, stdout, _) = process::run(&["replay", "--verify", "sites"], Some(&url), "").await;
    assert!(ok && stdout.contains("sites: matches the log") && !stdout.contains("users"), "{stdout}");

    let (ok, stdout, stderr) = process::run(&["replay", "users", "audit"], Some(&url), "").await;
    assert!(ok, "{stderr}");
    assert!(stdout.contains("rebuilt users: ") && stdout.contains("rebuilt audit: ") && !stdout.contains("rebuilt sites"), "{stdout}");
    assert!(stderr.contains("replay users: "), "{stderr}");
    let (ok, stdout, stderr) = process::run(&["replay", "--verify"], Some(&url), "").await;
    assert!(ok, "{stdout}\n{stderr}");
    assert!(stdout.contains("Every read model checked matches the log."), "{stdout}");
    let email: String = client.query_one("SELECT email FROM users WHERE user_id = $1", &[&agent]).await.unwrap().get(0);
    assert_eq!(email, "agent@acme.test");
}

#[tokio::test]
async fn a_replay_that_fails_midway_drops_its_scratch_schema_and_leaves_the_live_tables_alone() {
    let db = TestDb::new().await;
    let url = db.url();
    acme(&db).await;
    let client = db.client().await;
    let before = users_state(&client).await;

    // Over a thousand harmless events (passwords set for users nobody registered), so the
    // replay commits whole batches into its scratch tables first; then one whose write the
    // database refuses, as a bad hand-made import could leave: a second registration of a
    // user (an event that cannot even be read is parked instead, see `parked.rs`).
    client
        .execute(
            "INSERT INTO events (event_id, stream, version, event_type, schema_version, payload, company_id, actor, correlation_id, causation_id, occurred_at) \
             SELECT gen_random_uuid(), 'user-' || gen_random_uuid(), 0, e.event_type, e.schema_version, e.payload, e.company_id, e.actor, e.correlation_id, e.causation_id, e.occurred_at \
             FROM (SELECT * FROM events WHERE event_type = 'PasswordSet' LIMIT 1) e, generate_series(1, 2500)",
            &[],
        )
        .await
        .unwrap();
    client
        .execute(
            "INSERT INTO events (event_id, stream, version, event_type, schema_version, payload, company_id, actor, correlation_id, causation_id, occurred_at) \
             SELECT gen_random_uuid(), stream, version + 1000, event_type, schema_version, payload, company_id, actor, correlation_id, causation_id, occurred_at \
             FROM events WHERE stream LIKE 'user-%' AND event_type = 'UserRegistered' ORDER BY position LIMIT 1",
            &[],
        )
        .await
        .unwrap();

    let (ok, stdout, stderr) = process::run(&["replay", "users"], Some(&url), "").await;
    assert!(!ok, "{stdout}");
    assert!(stderr.contains("cannot rebuild users (its live tables are unchanged): read model: ") && stderr.contains("duplicate key"), "{stderr}");
    assert_eq!(stderr.lines().filter(|l| l.starts_with("switchboard: ")).count(), 1, "one line: {stderr}");
    assert_eq!(scratch_schemas(&client).await, 0, "the failed replay left its scratch schema");
    assert_eq!(users_state(&client).await, before, "the live users table or its checkpoint changed");

    // Verify compares at the live checkpoint, which never reached the bad event: the live
    // tables still match the log up to there, and verify leaves nothing behind either.
    let (ok, stdout, stderr) = process::run(&["replay", "--verify", "users"], Some(&url), "").await;
    assert!(ok && stdout.contains("users: matches the log"), "{stdout}\n{stderr}");
    assert_eq!(scratch_schemas(&client).await, 0);
    assert_eq!(users_state(&client).await, before);
}

/// A table's rows as one comparable text, in a stable order.
async fn rows_of(client: &tokio_postgres::Client, table: &str) -> String {
    let sql = format!("SELECT coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '') FROM {table} t");
    client.query_one(&sql, &[]).await.unwrap().get(0)
}

/// Every event with what import must keep (not its position or transaction), in reading order.
async fn log_of(client: &tokio_postgres::Client) -> String {
    let sql = "SELECT string_agg(concat_ws(' ', event_id, stream, version, event_type, schema_version, payload, company_id, actor, \
                                          correlation_id, causation_id, occurred_at, recorded_at), E'\\n' ORDER BY tx_id, position) FROM events";
    client.query_one(sql, &[]).await.unwrap().get(0)
}

/// A folder for export files, removed at the end.
struct Folder(std::path::PathBuf);

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn an_export_imported_into_a_fresh_database_verifies_and_has_the_same_read_models() {
    let source = TestDb::new().await;
    acme(&source).await;
    let server = TestServer::start(&source).await;
    let (globex, _) = server.company("Globex", "boss@globex.test", "a-long-password", 5).await;
    server.user(globex, "agent@globex.test", "a-long-password", &[Role::Agent]).await;
    server.settle().await;
    drop(server);
    let folder = Folder(std::env::temp_dir().join(format!("sb-export-{}", uuid::Uuid::now_v7().simple())));
    std::fs::create_dir_all(&folder.0).unwrap();
    let file = folder.0.join("log.ndjson.gz");
    let path = file.to_str().unwrap();

    let (ok, stdout, stderr) = process::run(&["export", path], Some(&source.url()), "").await;
    assert!(ok, "{stderr}");
    let sums = std::fs::read_to_string(format!("{path}.sha256")).unwrap();
    assert!(sums.ends_with("  log.ndjson.gz\n") && stdout.contains(&sums[..64]), "{sums} / {stdout}");
    assert!(!std::path::Path::new(&format!("{path}.partial")).exists());
    let (ok, _, stderr) = process::run(&["export", path], Some(&source.url()), "").await;
    assert!(!ok && stderr.contains("already exists"), "{stderr}");

    let target = TestDb::empty().await;
    let (ok, stdout, stderr) = process::run(&["import", path], Some(&target.url()), "").await;
    assert!(ok, "{stdout}\n{stderr}");
    assert!(stdout.contains("imported ") && stdout.contains("rebuilt conversations: "), "{stdout}");
    let (ok, stdout, stderr) = process::run(&["replay", "--verify"], Some(&target.url()), "").await;
    assert!(ok && stdout.contains("Every read model checked matches the log."), "{stdout}\n{stderr}");
    let (from, to) = (source.client().await, target.client().await);
    assert_eq!(log_of(&to).await, log_of(&from).await);
    for table in ["users", "invitation_links", "companies", "invoices", "sites", "site_agents", "agent_load", "conversations", "messages"] {
        assert_eq!(rows_of(&to, table).await, rows_of(&from, table).await, "{table} differs after import");
    }
    // The audit log keeps each event's position, which the receiving log assigns anew: the
    // same entries, in the same order.
    let audit = "(SELECT event_id, company_id, subject_user_id, actor, event_type, details, occurred_at FROM audit_log)";
    assert_eq!(rows_of(&to, audit).await, rows_of(&from, audit).await);
    let order = "SELECT string_agg(event_id::text, ' ' ORDER BY tx, seq) FROM audit_log";
    assert_eq!(to.query_one(order, &[]).await.unwrap().get::<_, String>(0), from.query_one(order, &[]).await.unwrap().get::<_, String>(0));
    // The mailer does not send again what the source database sent.
    let outbox: i64 = to.query_one("SELECT pos FROM projection_checkpoints WHERE name = 'invitation-outbox'", &[]).await.unwrap().get(0);
    assert!(outbox > 0);

    // Only into an empty database.
    let (ok, _, stderr) = process::run(&["import", path], Some(&target.url()), "").await;
    assert!(!ok && stderr.contains("already holds") && stderr.lines().count() <= 8, "{stderr}");

    // A damaged file is refused before anything is written.
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    let damaged = folder.0.join("damaged.ndjson.gz");
    std::fs::write(&damaged, &bytes).unwrap();
    std::fs::copy(format!("{path}.sha256"), folder.0.join("damaged.ndjson.gz.sha256")).unwrap();
    let fresh = TestDb::empty().await;
    let (ok, _, stderr) = process::run(&["import", damaged.to_str().unwrap()], Some(&fresh.url()), "").await;
    assert!(!ok && stderr.contains("does not match its checksum"), "{stderr}");

    // One company's streams, whole.
    let globex_file = folder.0.join("globex.ndjson.gz");
    let (ok, _, stderr) = process::run(&["export", globex_file.to_str().unwrap(), "--company", &globex.to_string()], Some(&source.url()), "").await;
    assert!(ok, "{stderr}");
    let (ok, stdout, stderr) = process::run(&["import", globex_file.to_str().unwrap()], Some(&fresh.url()), "").await;
    assert!(ok, "{stdout}\n{stderr}");
    let fresh_client = fresh.client().await;
    let emails: Vec<String> = fresh_client.query("SELECT email FROM users ORDER BY email", &[]).await.unwrap().iter().map(|r| r.get(0)).collect();
    assert_eq!(emails, ["agent@globex.test", "boss@globex.test"]);
    let foreign: i64 = fresh_client.query_one("SELECT count(*) FROM events WHERE company_id IS DISTINCT FROM $1", &[&globex.0]).await.unwrap().get(0);
    let streams_start_at_zero: bool = fresh_client
        .query_one("SELECT bool_and(first = 0) FROM (SELECT min(version) AS first FROM events GROUP BY stream) s", &[])
        .await
        .unwrap()
        .get(0);
    assert!(streams_start_at_zero, "{foreign} events of other companies");
    let (ok, stdout, _) = process::run(&["replay", "--verify"], Some(&fresh.url()), "").await;
    assert!(ok, "{stdout}");

    // A company without events is a mistake, not an empty file.
    let nobody = folder.0.join("nobody.ndjson.gz");
    let (ok, _, stderr) =
        process::run(&["export", nobody.to_str().unwrap(), "--company", &uuid::Uuid::now_v7().to_string()], Some(&source.url()), "").await;
    assert!(!ok && stderr.contains("no event is in the streams of company"), "{stderr}");
    assert_eq!(std::fs::read_dir(&folder.0).unwrap().filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with("nobody")).count(), 0);
}

#[tokio::test]
async fn verify_agrees_with_live_read_models_while_users_are_added() {
    let db = TestDb::new().await;
    let url = db.url();
    let server = TestServer::start(&db).await;
    let (company, _) = server.company("Acme", "boss@acme.test", "a-long-password", 100).await;
    // Live traffic during the whole verify: the live tables move on meanwhile, and verify
    // still compares both sides at one checkpoint.
    let verifying = process::run(&["replay", "--verify", "users", "licences", "audit"], Some(&url), "");
    let adding = async {
        for i in 0..15 {
            server.user(company, &format!("u{i}@acme.test"), "a-long-password", &[Role::Agent]).await;
        }
    };
    let ((ok, stdout, stderr), ()) = tokio::join!(verifying, adding);
    assert!(ok, "{stdout}\n{stderr}");
    server.settle().await;
    let (ok, stdout, stderr) = process::run(&["replay", "--verify"], Some(&url), "").await;
    assert!(ok && stdout.contains("Every read model checked matches the log."), "{stdout}\n{stderr}");
}

/// Every projection, replayed over a log with chat (conversations, messages, agent load),
/// sites, users and billing, equals the live read models.
#[tokio::test]
async fn every_projection_rebuilt_over_chat_sites_and_billing_equals_the_live_one() {
    use serde_json::json;
    use testkit::chat::{console, says, visitor};
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let chat = server.chat_site("Acme", 20).await;
    server.agent(&chat, "ann@acme.test", 3, domain::site::Priority::Normal).await;
    let (mut agent, _) = console(&server.url(""), "ann@acme.test").await;
    agent.send(json!({ "type": "status", "status": "online" })).await;
    agent.until("online", |f| f["type"] == "state" && f["status"] == "online").await;
    server.settle().await;
    let (mut widget, _) = visitor(&server.url(""), &chat.key, None, 0).await;
    widget.send(says("My order has not arrived").1).await;
    let offered = agent.until_type("conversation").await;
    let id = offered["id"].as_str().unwrap().to_owned();
    agent.send(json!({ "type": "message", "conversation_id": id, "client_id": uuid::Uuid::new_v4(), "text": "Let me look." })).await;
    widget.until("the answer", |f| f["type"] == "message" && f["from"] == "agent").await;
    agent.send(json!({ "type": "close", "conversation_id": id })).await;
    widget.until_type("closed").await;
    let api = testkit::api::Api::login(&server, "admin@acme.test", "admin-password").await;
    let card = api
        .json(
            reqwest::Method::POST,
            "/api/v1/subscription/test-cards",
            Some(json!({ "number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123" })),
        )
        .await
        .1;
    let body = json!({ "seats": 25, "period": "monthly", "payment_token": card["token"], "billing": { "name": "Ada", "company": "Acme", "address": "Paris", "country": "FR", "email": "b@acme.test" } });
    assert_eq!(api.post_once("/api/v1/subscription/orders", uuid::Uuid::now_v7(), body).await.0, 200);
    server.settle().await;
    drop((agent, widget));
    drop(server);

    let url = db.url();
    let (ok, out, err) = process::run(&["replay", "--verify"], Some(&url), "").await;
    assert!(ok, "{out}{err}");
    let client = db.client().await;
    let counted = |table: &'static str| {
        let client = &client;
        async move { client.query_one(&format!("SELECT count(*) FROM {table}"), &[]).await.unwrap().get::<_, i64>(0) }
    };
    assert!(counted("messages").await >= 2 && counted("conversations").await == 1 && counted("invoices").await == 1, "the log has chat and billing");
    let (ok, out, err) = process::run(&["replay"], Some(&url), "").await;
    assert!(ok, "{out}{err}");
    for name in ["users", "licences", "audit", "sites", "agent-load", "conversations"] {
        assert!(out.contains(&format!("rebuilt {name}")), "{name} in {out}");
    }
    let (ok, out, err) = process::run(&["replay", "--verify"], Some(&url), "").await;
    assert!(ok, "after the replay: {out}{err}");
}
