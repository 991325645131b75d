//! Projections against a real PostgreSQL: exactly-once application across restarts and
//! processes, blue/green rebuilds, read-your-writes waits, and loud stalls on bad events.

use std::time::Duration;

use app::users::registration;
use app::users::NewAccess;
use commands::accounts::Accounts;
use domain::company::{self, Role};
use domain::{Actor, CompanyId, Metadata};
use projections::licences::Licences;
use projections::users::{Status, Users};
use projections::{Checkpoints, ProjectionError};
use serde_json::json;
use store::{EventStore, ExpectedVersion, Keyring, NewEvent, PgEventStore, Position};
use testkit::server::new_user;
use testkit::TestDb;
use tokio::task::JoinSet;

struct World {
    store: PgEventStore,
    pool: deadpool_postgres::Pool,
    accounts: Accounts<PgEventStore>,
    checkpoints: Checkpoints,
}

impl World {
    fn new(db: &TestDb) -> World {
        let store = db.store();
        let pool = store.pool().clone();
        World { accounts: Accounts::new(store.clone()), store, pool, checkpoints: Checkpoints::default() }
    }

    fn run_projections(&self) -> JoinSet<()> {
        let mut set = JoinSet::new();
        set.spawn(projections::run(self.store.clone(), self.pool.clone(), Keyring::new(self.pool.clone()), Users, self.checkpoints.clone()));
        set.spawn(projections::run(self.store.clone(), self.pool.clone(), Keyring::new(self.pool.clone()), Licences, self.checkpoints.clone()));
        set
    }

    async fn wait(&self, position: Position) {
        for name in ["users", "licences"] {
            projections::wait_for(&self.pool, &self.checkpoints, name, position, Duration::from_secs(20)).await.unwrap();
        }
    }

    async fn company(&self, seats: u32) -> (CompanyId, Position) {
        let admin = new_user("boss@acme.test", &[Role::Administrator], NewAccess::Invite { send_email: true });
        let (company, created) =
            registration::register_company(&self.accounts, "Acme", seats, domain::UserId::new(), admin, Actor::System("test".into())).await.unwrap();
        (company, created.position)
    }

    async fn add(&self, company: CompanyId, email: &str) -> (domain::UserId, Position) {
        let meta = Metadata::new(Some(company), Actor::System("test".into()));
        let created = registration::create_user(
            &self.accounts,
            company,
            domain::UserId::new(),
            new_user(email, &[Role::Agent], NewAccess::Invite { send_email: true }),
            &meta,
        )
        .await
        .unwrap();
        (created.user_id, created.position)
    }

    async fn seats_in_use(&self, company: CompanyId) -> i32 {
        let client = self.pool.get().await.unwrap();
        projections::licences::get(&**client, company).await.unwrap().unwrap().seats_in_use
    }

    async fn users(&self, company: CompanyId) -> Vec<projections::users::UserRow> {
        let client = self.pool.get().await.unwrap();
        projections::users::list(&**client, company, "", 0, 1000).await.unwrap().0
    }
}

#[tokio::test]
async fn read_models_follow_events_and_resume_exactly_where_they_stopped() {
    let db = TestDb::new().await;
    let w = World::new(&db);
    let running = w.run_projections();
    let (company, _) = w.company(10).await;
    let mut last = Position::START;
    for i in 0..3 {
        last = w.add(company, &format!("agent{i}@acme.test")).await.1;
    }
    w.wait(last).await;
    assert_eq!(w.users(company).await.len(), 4);
    assert_eq!(w.seats_in_use(company).await, 4);

    // The server stops; events keep arriving (from another process, say).
    drop(running);
    let (a, _) = w.add(company, "late1@acme.test").await;
    w.add(company, "late2@acme.test").await;
    let meta = Metadata::new(Some(company), Actor::System("test".into()));
    let outcome = w.accounts.change_membership(company, company::Command::DeactivateMember { user_id: a }, &meta).await.unwrap();

    // A fresh set of runners (a restarted server) picks up from the checkpoints.
    let restarted = World { checkpoints: Checkpoints::default(), ..World::new(&db) };
    let _running = restarted.run_projections();
    restarted.wait(outcome.position.unwrap()).await;
    let users = restarted.users(company).await;
    assert_eq!(users.len(), 6);
    assert_eq!(users.iter().find(|u| u.user_id == a).unwrap().status, Status::Deactivated);
    // Applied exactly once: a replayed batch would count seats twice.
    assert_eq!(restarted.seats_in_use(company).await, 5);
}

#[tokio::test]
async fn two_processes_running_the_same_projection_never_apply_an_event_twice() {
    let db = TestDb::new().await;
    let w = World::new(&db);
    let first = w.run_projections();
    let second_world = World::new(&db);
    let _second = second_world.run_projections();
    let (company, _) = w.company(100).await;
    let mut last = Position::START;
    for i in 0..40 {
        last = w.add(company, &format!("a{i}@acme.test")).await.1;
    }
    w.wait(last).await;
    second_world.wait(last).await;
    assert_eq!(w.seats_in_use(company).await, 41);
    assert_eq!(w.users(company).await.len(), 41);
    drop(first);
}

#[tokio::test]
async fn a_rebuild_replays_into_fresh_tables_and_swaps_them_in_while_live_updates_go_on() {
    let db = TestDb::new().await;
    let w = World::new(&db);
    let _running = w.run_projections();
    let (company, _) = w.company(50).await;
    let mut last = Position::START;
    for i in 0..20 {
        last = w.add(company, &format!("r{i}@acme.test")).await.1;
    }
    w.wait(last).await;

    // Someone damaged the read models by hand.
    let client = db.client().await;
    client.batch_execute("UPDATE companies SET seats_in_use = 999; DELETE FROM users WHERE email LIKE 'r1%';").await.unwrap();
    assert_eq!(w.seats_in_use(company).await, 999);

    // Writes continue while the rebuild runs.
    let writer = {
        let accounts = w.accounts.clone();
        tokio::spawn(async move {
            let meta = Metadata::new(Some(company), Actor::System("test".into()));
            let mut last = Position::START;
            for i in 0..10 {
                let user = new_user(&format!("during{i}@acme.test"), &[], NewAccess::Invite { send_email: true });
                last = registration::create_user(&accounts, company, domain::UserId::new(), user, &meta).await.unwrap().position;
            }
            last
        })
    };
    let users_report = projections::rebuild(&w.store, &w.pool, &Keyring::new(w.pool.clone()), &Users).await.unwrap();
    let licences_report = projections::rebuild(&w.store, &w.pool, &Keyring::new(w.pool.clone()), &Licences).await.unwrap();
    assert!(users_report.events >= 60 && licences_report.events >= 60, "{users_report:?} {licences_report:?}");
    let last = writer.await.unwrap();
    w.wait(last).await;

    assert_eq!(w.seats_in_use(company).await, 31);
    let users = w.users(company).await;
    assert_eq!(users.len(), 31);
    assert!(users.iter().any(|u| u.email == "r10@acme.test"));
    // No leftover rebuild schema.
    let left: i64 =
        client.query_one("SELECT count(*) FROM information_schema.schemata WHERE schema_name LIKE 'rebuild_%'", &[]).await.unwrap().get(0);
    assert_eq!(left, 0);
    // The rebuilt table keeps its storage parameters (room for updates in place).
    let options: Option<Vec<String>> =
        client.query_one("SELECT reloptions FROM pg_class WHERE oid = 'public.users'::regclass", &[]).await.unwrap().get(0);
    assert_eq!(options, Some(vec!["fillfactor=50".to_owned()]));

    // And the swapped-in tables keep being fed.
    let (_, after) = w.add(company, "after@acme.test").await;
    w.wait(after).await;
    assert_eq!(w.seats_in_use(company).await, 32);
}

#[tokio::test]
async fn waiting_for_a_position_nobody_reaches_times_out_with_a_clear_error() {
    let db = TestDb::new().await;
    let w = World::new(&db);
    let far = Position { tx: u64::MAX / 2, seq: 1 };
    let err = projections::wait_for(&w.pool, &w.checkpoints, "users", far, Duration::from_millis(200)).await.unwrap_err();
    assert!(matches!(err, ProjectionError::Timeout { ref name, stalled: None } if name == "users"), "{err}");
}

#[tokio::test]
async fn a_malformed_event_is_parked_naming_it_and_the_projection_goes_on_for_everyone_else() {
    let db = TestDb::new().await;
    let w = World::new(&db);
    let _running = w.run_projections();
    let (company, position) = w.company(5).await;
    w.wait(position).await;

    let mut bad = NewEvent::from_payload(&company::Event::SeatsChanged { seats: 9, previous: None });
    bad.payload = json!({ "seats": "many" });
    let meta = Metadata::new(Some(company), Actor::System("test".into()));
    w.store.append(&company::stream(company), ExpectedVersion::Any, vec![bad.clone()], &meta).await.unwrap();
    // Another company, after it: served.
    let admin = new_user("boss@globex.test", &[Role::Administrator], NewAccess::Invite { send_email: true });
    let (other, created) =
        registration::register_company(&w.accounts, "Globex", 7, domain::UserId::new(), admin, Actor::System("test".into())).await.unwrap();
    w.wait(created.position).await;

    let client = w.pool.get().await.unwrap();
    assert_eq!(projections::licences::get(&**client, other).await.unwrap().unwrap().seats, 7);
    let parked = projections::parked::list(&**client).await.unwrap();
    let licences = parked.iter().find(|p| p.projection == "licences" && p.event_id == bad.event_id).expect("parked for licences");
    assert!(licences.error.contains(&bad.event_id.to_string()) && licences.error.contains("SeatsChanged"), "{licences:?}");
    // It was not applied: the company's seats are unchanged.
    assert_eq!(projections::licences::get(&**client, company).await.unwrap().unwrap().seats, 5);
}

/// Most events mean nothing to most projections (agents going online, to the users list).
/// A projection does not commit its checkpoint for each of those, but it does store it
/// within a moment, and what it writes next still applies exactly once.
#[tokio::test]
async fn a_projection_with_nothing_to_write_stores_its_checkpoint_soon_and_still_applies_once() {
    let db = TestDb::new().await;
    let w = World::new(&db);
    let _running = w.run_projections();
    let (company, created) = w.company(10).await;
    w.wait(created).await;
    let meta = Metadata::new(Some(company), Actor::System("test".into()));
    let mut last = Position::START;
    for i in 0..50 {
        let status = if i % 2 == 0 { domain::agent::Status::Online } else { domain::agent::Status::Away };
        let command = domain::agent::Command::SetStatus { status, reason: None };
        let stream = domain::agent::stream(domain::UserId::new());
        last = commands::execute::<domain::agent::Agent, _>(&w.store, &stream, &command, &meta).await.unwrap().position.unwrap();
    }
    // In this process at once; in the table (for other processes, and a restart) soon.
    w.wait(last).await;
    let stored = || async {
        let client = w.pool.get().await.unwrap();
        let row = client.query_one("SELECT tx, pos FROM projection_checkpoints WHERE name = 'licences'", &[]).await.unwrap();
        Position { tx: row.get::<_, i64>(0) as u64, seq: row.get::<_, i64>(1) as u64 }
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while stored().await < last {
        assert!(tokio::time::Instant::now() < deadline, "the checkpoint was not stored");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (_, added) = w.add(company, "after@acme.test").await;
    w.wait(added).await;
    assert_eq!(w.seats_in_use(company).await, 2);
    // A restart resumes from there and applies nothing twice.
    let restarted = World { checkpoints: Checkpoints::default(), ..World::new(&db) };
    let _again = restarted.run_projections();
    let (_, more) = restarted.add(company, "more@acme.test").await;
    restarted.wait(more).await;
    assert_eq!(restarted.seats_in_use(company).await, 3);
}
