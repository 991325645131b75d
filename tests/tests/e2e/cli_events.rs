//! `switchboard events` and `switchboard state`, the real binary on a real log: each filter
//! narrows to exactly what it names, pages join up, `--follow` prints what is appended
//! later, a company folds back to the roles it had, and bad input is one clear line.

use std::process::Stdio;
use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::company::Role;
use domain::{CompanyId, UserId};
use serde_json::Value;
use testkit::process;
use testkit::{TestDb, TestServer};
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::ChildStdout;

/// Two companies; in the first, an agent made supervisor by the administrator, then
/// stripped of the agent role (two role changes, in that order).
struct World {
    db: TestDb,
    server: TestServer,
    acme: CompanyId,
    admin: UserId,
    agent: UserId,
    other: CompanyId,
}

impl World {
    async fn new() -> World {
        let db = TestDb::new().await;
        let server = TestServer::start(&db).await;
        let (acme, admin) = server.company("Acme", "admin@acme.test", "admin-password", 5).await;
        let agent = server.user(acme, "ada@acme.test", "agent-password", &[Role::Agent]).await;
        let (other, _) = server.company("Other", "admin@other.test", "admin-password", 5).await;
        let world = World { db, server, acme, admin, agent, other };
        world.set_role(Role::Supervisor, true).await;
        world.set_role(Role::Agent, false).await;
        world
    }

    async fn set_role(&self, role: Role, on: bool) {
        let session = self.server.session_of(self.acme, self.admin).await;
        app::users::set_role(&self.server.app, &session, self.agent, role, on).await.unwrap();
    }

    async fn run<S: AsRef<str>>(&self, args: &[S]) -> (bool, String, String) {
        let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
        process::run(&args, Some(&self.db.url()), "").await
    }

    /// The events printed as NDJSON for `args`.
    async fn ndjson<S: AsRef<str>>(&self, args: &[S]) -> Vec<Value> {
        let mut all = vec!["events", "--format", "ndjson", "--limit", "100000"];
        all.extend(args.iter().map(AsRef::as_ref));
        let (ok, stdout, stderr) = self.run(&all).await;
        assert!(ok, "{all:?}: {stderr}");
        stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))).collect()
    }

    /// What `state args` prints.
    async fn state<S: AsRef<str>>(&self, args: &[S]) -> Value {
        let mut all = vec!["state"];
        all.extend(args.iter().map(AsRef::as_ref));
        let (ok, stdout, stderr) = self.run(&all).await;
        assert!(ok, "{all:?}: {stderr}");
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
    }
}

fn ids(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["event_id"].as_str().unwrap()).collect()
}

fn time(event: &Value) -> DateTime<Utc> {
    event["recorded_at"].as_str().unwrap().parse().unwrap()
}

fn str_of<'a>(event: &'a Value, field: &str) -> &'a str {
    event[field].as_str().unwrap_or_default()
}

#[tokio::test]
async fn each_filter_narrows_to_exactly_the_events_it_names() {
    let w = World::new().await;
    let all = w.ndjson::<&str>(&[]).await;
    // Everything later filters is bounded by this log's end, whatever the server adds meanwhile.
    let last = str_of(all.last().unwrap(), "position").to_owned();
    let bounded = |args: &[&str]| {
        let mut a = args.to_vec();
        a.extend(["--to-position", &last]);
        a.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let check = |name: &str, got: &[Value], keep: &dyn Fn(&Value) -> bool| {
        let expected: Vec<Value> = all.iter().filter(|e| keep(e)).cloned().collect();
        assert!(!expected.is_empty() && expected.len() < all.len(), "{name}: a test that narrows nothing proves nothing");
        assert_eq!(ids(got), ids(&expected), "{name}");
    };

    let acme = w.acme.to_string();
    check("company", &w.ndjson(&bounded(&["--company", &acme])).await, &|e| str_of(e, "company_id") == acme);
    let stream = format!("company-{}", w.other);
    check("stream", &w.ndjson(&bounded(&["--stream", &stream])).await, &|e| str_of(e, "stream") == stream);
    check("category", &w.ndjson(&bounded(&["--category", "user"])).await, &|e| str_of(e, "stream").starts_with("user-"));
    let types = |e: &Value| ["RoleGranted", "RoleRevoked"].contains(&str_of(e, "type"));
    check("types", &w.ndjson(&bounded(&["--type", "RoleGranted", "--type", "RoleRevoked"])).await, &types);
    let actor = format!("user:{}", w.admin);
    check("actor", &w.ndjson(&bounded(&["--actor", &actor])).await, &|e| str_of(e, "actor") == actor);

    let (since, until) = (time(&all[2]), time(&all[all.len() - 3]));
    let (since_text, until_text) = (str_of(&all[2], "recorded_at"), str_of(&all[all.len() - 3], "recorded_at"));
    check("time range", &w.ndjson(&bounded(&["--since", since_text, "--until", until_text])).await, &|e| time(e) >= since && time(e) <= until);
    // A bare day is that whole day: everything here was recorded today.
    let today = Utc::now().date_naive().to_string();
    assert_eq!(ids(&w.ndjson(&bounded(&["--since", &today, "--until", &today])).await), ids(&all));

    let (from, to) = (str_of(&all[1], "position"), str_of(&all[4], "position"));
    assert_eq!(ids(&w.ndjson(&["--from-position", from, "--to-position", to]).await), ids(&all[1..=4]), "position range");
    // Filters combine.
    let granted = w.ndjson(&bounded(&["--company", &acme, "--type", "RoleGranted", "--actor", &actor])).await;
    assert_eq!(granted.len(), 1, "{granted:?}");
}

#[tokio::test]
async fn ndjson_carries_every_field_and_pages_join_up_without_repeats() {
    let w = World::new().await;
    let all = w.ndjson::<&str>(&[]).await;
    let granted = all.iter().find(|e| e["type"] == "RoleGranted").expect("a RoleGranted event");
    assert_eq!(granted["payload"]["role"], "Supervisor");
    assert_eq!(granted["payload"]["user_id"], w.agent.to_string());
    assert_eq!(granted["stream"], format!("company-{}", w.acme));
    assert_eq!(granted["company_id"], w.acme.to_string());
    for field in ["position", "event_id", "version", "schema", "correlation_id", "causation_id", "occurred_at"] {
        assert!(!granted[field].is_null(), "{field} missing: {granted}");
    }

    // Pages of three, each continuing where the last one said, give the log once over.
    let last = str_of(all.last().unwrap(), "position").to_owned();
    let mut paged = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..all.len() {
        let mut args = vec!["events", "--format", "ndjson", "--limit", "3", "--to-position", &last];
        if let Some(a) = &after {
            args.extend(["--after", a]);
        }
        let (ok, stdout, stderr) = w.run(&args).await;
        assert!(ok, "{stderr}");
        let page: Vec<Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert!(page.len() <= 3);
        paged.extend(page);
        match stderr.lines().find_map(|l| l.strip_prefix("more events: continue with --after ")) {
            Some(position) => after = Some(position.trim().to_owned()),
            None => break,
        }
    }
    assert_eq!(ids(&paged), ids(&all));

    // The table: a header, then one readable line an event.
    let (ok, table, stderr) = w.run(&["events", "--company", &w.acme.to_string(), "--type", "RoleGranted"]).await;
    assert!(ok, "{stderr}");
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 2, "{table}");
    assert!(lines[0].starts_with("position") && lines[0].contains("stream") && lines[0].contains("actor"), "{table}");
    assert!(lines[1].contains("RoleGranted") && lines[1].contains("role=Supervisor") && lines[1].contains(&format!("user:{}", w.admin)), "{table}");
}

#[tokio::test]
async fn follow_prints_the_backlog_then_events_appended_later() {
    let w = World::new().await;
    let acme = w.acme.to_string();
    let args = ["events", "--follow", "--format", "ndjson", "--company", &acme, "--type", "RoleGranted"];
    let mut child = process::command(&args, Some(&w.db.url())).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert_eq!(next_json(&mut lines).await["payload"]["role"], "Supervisor", "the backlog first");
    w.set_role(Role::Expert, true).await;
    let live = next_json(&mut lines).await;
    assert_eq!((live["type"].as_str(), live["payload"]["role"].as_str()), (Some("RoleGranted"), Some("Expert")));
    // Ctrl-C ends it, cleanly.
    let pid = nix::unistd::Pid::from_raw(child.id().unwrap() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait()).await.expect("exits after Ctrl-C").unwrap();
    assert!(status.success(), "{status}");

    // With --until, following ends by itself once the log has gone past it.
    let until = chrono::Utc::now().to_rfc3339();
    let args = ["events", "--follow", "--format", "ndjson", "--company", &acme, "--until", &until];
    let mut child = process::command(&args, Some(&w.db.url())).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    // (A change made before it reached the live part is in its backlog, not past the end:
    // change again until one arrives live.)
    let mut exited = None;
    for attempt in 0..6 {
        w.set_role(Role::Expert, attempt % 2 == 1).await;
        if let Ok(status) = tokio::time::timeout(Duration::from_secs(3), child.wait()).await {
            exited = Some(status.unwrap());
            break;
        }
    }
    let status = exited.expect("following stops once the log is past --until");
    assert!(status.success(), "{status}");
}

/// The next line the child prints, as JSON, within a deadline.
async fn next_json(lines: &mut Lines<BufReader<ChildStdout>>) -> Value {
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line()).await.expect("a line within 30 s");
    serde_json::from_str(&line.unwrap().expect("still running")).unwrap()
}

/// The roles of the agent in `state company` output.
fn agent_roles(state: &Value, agent: UserId) -> Vec<String> {
    let members = state["members"].as_array().expect("members");
    let member = members.iter().find(|m| m["user_id"] == agent.to_string()).expect("the agent is a member");
    assert_eq!(member["email"], "ada@acme.test");
    member["roles"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn state_folds_a_company_back_to_a_time_or_a_version() {
    let w = World::new().await;
    let stream = format!("company-{}", w.acme);
    let history = w.ndjson(&["--stream", &stream]).await;
    let granted = history.iter().find(|e| e["type"] == "RoleGranted").unwrap();
    let acme = w.acme.to_string();

    // Between the two role changes: supervisor and still agent.
    let then = w.state(&["company", &acme, "--at", str_of(granted, "recorded_at")]).await;
    assert_eq!(agent_roles(&then, w.agent), ["Agent", "Supervisor"]);
    assert_eq!(then["state"]["seats"], 5);
    assert_eq!(then["seats_in_use"], 2);
    // The same by version: its first events up to and with the grant.
    let first = (granted["version"].as_u64().unwrap() + 1).to_string();
    let by_version = w.state(&[&stream, "--version", &first]).await;
    assert_eq!(by_version["state"], then["state"]);
    assert_eq!(agent_roles(&by_version, w.agent), ["Agent", "Supervisor"]);
    // Now: supervisor only.
    assert_eq!(agent_roles(&w.state(&[&stream]).await, w.agent), ["Supervisor"]);
    // Before the company existed: nothing yet.
    let before = w.state(&[&stream, "--at", "2000-01-01"]).await;
    assert_eq!(before["events"], 0);
    // Another aggregate by its category: the agent's account.
    let account = w.state(&["user", &w.agent.to_string()]).await;
    assert_eq!(account["state"]["registration"]["email"], "ada@acme.test");
}

#[tokio::test]
async fn bad_input_is_one_clear_line_and_a_failure() {
    let w = World::new().await;
    let company = w.acme.to_string();
    let cases: [(&[&str], &str); 11] = [
        (&["events", "--since", "yesterday"], "--since: `yesterday` is not a time"),
        (&["events", "--until", "2026-02-30"], "--until: `2026-02-30` is not a time"),
        (&["events", "--from-position", "12"], "--from-position: `12` is not a position"),
        (&["events", "--after", "x.y"], "--after: `x.y` is not a position"),
        (&["events", "--actor", "robot:1"], "--actor: actor `robot:1` has an unknown kind"),
        (&["events", "--company", "acme"], "--company: `acme` is not a company id"),
        (&["events", "--limit", "0"], "--limit must be at least 1"),
        (&["state", "planet-1"], "no aggregate has the category `planet`"),
        (&["state", "company", &company, "--at", "noon"], "--at: `noon` is not a time"),
        (&["state", "company", &company, "--version", "99"], "events, not 99"),
        (&["state", "company", "01a23577-c968-70ca-8dcf-3fe505489b71"], "there is no stream `company-01a23577-c968-70ca-8dcf-3fe505489b71`"),
    ];
    for (args, expected) in cases {
        let (ok, stdout, stderr) = w.run(args).await;
        assert!(!ok, "{args:?} succeeded: {stdout}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        let ours: Vec<&str> = stderr.lines().filter(|l| l.starts_with("switchboard: ")).collect();
        assert_eq!(ours.len(), 1, "{args:?}: {stderr}");
        assert!(ours[0].contains(expected), "{args:?}: expected `{expected}`, got: {stderr}");
    }
}
