//! `switchboard bench`: the load generators.
//!
//! Each measures against a baseline taken in the same run, on the same PostgreSQL server,
//! in a scratch database that is dropped afterwards.

mod chat;

use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::user::{self, Profile};
use domain::{Actor, CompanyId, Metadata, UserId};
use store::{EventStore, ExpectedVersion, NewEvent, PgEventStore};
use tokio_postgres::NoTls;
use uuid::Uuid;

use app::database::Database;

#[derive(clap::Subcommand, Debug)]
pub enum BenchCommand {
    /// Event store appends (1 and 16 writers) and projection catch-up, each beside plain
    /// single-row INSERTs into a table of the same shape.
    Store {
        /// Events per measurement.
        #[arg(long, default_value_t = 20_000)]
        events: usize,
        /// Concurrent writers for the second measurement.
        #[arg(long, default_value_t = 16)]
        writers: usize,
        /// Each append measurement is repeated, alternating with its baseline; the median is shown.
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
    /// Live chat over real WebSockets against this binary serving in a child process:
    /// latency both ways, throughput, lost or repeated messages, memory per idle socket.
    Chat {
        /// Concurrent conversations.
        #[arg(long, default_value_t = 1_000)]
        conversations: usize,
        /// Agents sharing them (each may hold conversations/agents, rounded up).
        #[arg(long, default_value_t = 50)]
        agents: usize,
        /// Messages each way per conversation.
        #[arg(long, default_value_t = 10)]
        messages: usize,
        /// Milliseconds a visitor waits after an answer before the next message (people
        /// type; 0 measures saturation).
        #[arg(long, default_value_t = 2_000)]
        pause_ms: u64,
        /// Idle widget sockets opened at the end to measure memory.
        #[arg(long, default_value_t = 10_000)]
        idle: usize,
    },
}

pub async fn run(command: BenchCommand, data_dir: &std::path::Path) -> Result<(), String> {
    let db = Database::open(data_dir).await?;
    let result = match command {
        BenchCommand::Store { events, writers, rounds } => {
            with_scratch_database(&db.config, |config| store_bench(config, events, writers, rounds.max(1))).await
        }
        BenchCommand::Chat { conversations, agents, messages, pause_ms, idle } => {
            let load = crate::chat::Load { pause: Duration::from_millis(pause_ms), conversations, agents: agents.max(1), messages, idle };
            with_scratch_database(&db.config, |config| crate::chat::chat_bench(config, load)).await
        }
    };
    db.close().await;
    result
}

/// Runs `bench` in a fresh database on the same server, dropped afterwards whatever happens.
async fn with_scratch_database<F, Fut>(config: &tokio_postgres::Config, bench: F) -> Result<(), String>
where
    F: FnOnce(tokio_postgres::Config) -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let name = format!("switchboard_bench_{}", std::process::id());
    let mut admin = config.clone();
    admin.dbname("postgres");
    let (client, conn) = admin.connect(NoTls).await.map_err(|e| format!("cannot connect: {e}"))?;
    tokio::spawn(conn);
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .map_err(|e| format!("cannot create the scratch database: {}", store::describe(&e)))?;
    let mut scratch = config.clone();
    scratch.dbname(&name);
    let result = async {
        store::db::migrate(&scratch).await.map_err(|e| e.to_string())?;
        bench(scratch.clone()).await
    }
    .await;
    let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
    result
}

struct Rate {
    events: usize,
    elapsed: Duration,
}

impl Rate {
    fn per_second(&self) -> f64 {
        self.events as f64 / self.elapsed.as_secs_f64()
    }
}

fn user_registered(company: CompanyId) -> (UserId, NewEvent) {
    let user_id = UserId::new();
    let event = user::Event::UserRegistered {
        user_id,
        company_id: company,
        email: domain::email::Address::parse(&format!("u{}@bench.test", user_id.0.simple())).expect("valid"),
        profile: Profile { first_name: "Bench".into(), last_name: "Mark".into(), ..Default::default() },
        max_chats: 3,
    };
    (user_id, NewEvent::from_payload(&event))
}

/// What each writer does: one append in four starts a user's stream, the others add the
/// next event to one of the streams it started (reading nothing, as a command that has just
/// loaded the stream would).
fn next_append(streams: &mut Vec<(String, u64)>, company: CompanyId, i: usize) -> (String, ExpectedVersion, u64, NewEvent) {
    if streams.is_empty() || i.is_multiple_of(4) {
        let (user_id, event) = user_registered(company);
        streams.push((user::stream(user_id), 0));
        return (user::stream(user_id), ExpectedVersion::NoStream, 0, event);
    }
    let k = (i * 7919) % streams.len();
    let (stream, version) = &mut streams[k];
    let event = NewEvent::from_payload(&user::Event::MaxChatsChanged { max_chats: 1 + (*version % 20) as u8 });
    let expected = ExpectedVersion::Exact(*version);
    *version += 1;
    (stream.clone(), expected, *version, event)
}

/// `writers` tasks share `events` appends, one event per append.
async fn appends(store: &PgEventStore, events: usize, writers: usize) -> Result<Rate, String> {
    let company = CompanyId::new();
    let meta = Arc::new(Metadata::new(Some(company), Actor::System("bench".into())));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..writers {
        let (store, meta) = (store.clone(), meta.clone());
        let share = events / writers + usize::from(w < events % writers);
        tasks.push(tokio::spawn(async move {
            let mut streams = Vec::new();
            for i in 0..share {
                let (stream, expected, _, event) = next_append(&mut streams, company, i);
                store.append(&stream, expected, vec![event], &meta).await.map_err(|e| e.to_string())?;
            }
            Ok::<(), String>(())
        }));
    }
    for task in tasks {
        task.await.map_err(|e| e.to_string())??;
    }
    Ok(Rate { events, elapsed: started.elapsed() })
}

/// The same rows, as plain single-row INSERTs into a copy of the events table.
async fn baseline_inserts(pool: &deadpool_postgres::Pool, events: usize, writers: usize) -> Result<Rate, String> {
    let company = CompanyId::new();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..writers {
        let pool = pool.clone();
        let share = events / writers + usize::from(w < events % writers);
        tasks.push(tokio::spawn(async move {
            let client = pool.get().await.map_err(|e| e.to_string())?;
            let stmt = client
                .prepare_cached(
                    "INSERT INTO bench_baseline (event_id, stream, version, event_type, schema_version, payload,
                         company_id, actor, correlation_id, causation_id, occurred_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 'system:bench', $1, $1, $8)",
                )
                .await
                .map_err(|e| e.to_string())?;
            let mut streams = Vec::new();
            for i in 0..share {
                let (stream, _, version, e) = next_append(&mut streams, company, i);
                client
                    .execute(
                        &stmt,
                        &[&e.event_id, &stream, &(version as i64), &e.event_type, &(e.schema as i32), &e.payload, &company.0, &e.occurred_at],
                    )
                    .await
                    .map_err(|e| e.to_string())?;
            }
            Ok::<(), String>(())
        }));
    }
    for task in tasks {
        task.await.map_err(|e| e.to_string())??;
    }
    Ok(Rate { events, elapsed: started.elapsed() })
}

/// Plain INSERTs in transactions of 1,000, as a projection writes: the catch-up baseline.
async fn baseline_batched_inserts(pool: &deadpool_postgres::Pool, events: usize) -> Result<Rate, String> {
    let mut client = pool.get().await.map_err(|e| e.to_string())?;
    client.batch_execute("CREATE TABLE bench_rows (id uuid PRIMARY KEY, a text, b text, n int, at timestamptz)").await.map_err(|e| e.to_string())?;
    let started = Instant::now();
    let mut left = events;
    while left > 0 {
        let n = left.min(1000);
        let tx = client.transaction().await.map_err(|e| e.to_string())?;
        let stmt = tx.prepare_cached("INSERT INTO bench_rows VALUES ($1, $2, $3, $4, now())").await.map_err(|e| e.to_string())?;
        for i in 0..n {
            tx.execute(&stmt, &[&Uuid::now_v7(), &"bench", &"mark", &(i as i32)]).await.map_err(|e| e.to_string())?;
        }
        tx.commit().await.map_err(|e| e.to_string())?;
        left -= n;
    }
    Ok(Rate { events, elapsed: started.elapsed() })
}

/// Reading and decoding every event stored, without applying anything.
async fn read_everything(store: &PgEventStore) -> Result<Rate, String> {
    let started = Instant::now();
    let mut position = store::Position::START;
    let mut events = 0;
    loop {
        let batch = store.read_all(position, 1000).await.map_err(|e| e.to_string())?;
        let Some(last) = batch.last() else { break };
        position = last.position;
        for e in &batch {
            e.decode().map_err(|e| e.to_string())?;
        }
        events += batch.len();
    }
    Ok(Rate { events, elapsed: started.elapsed() })
}

/// `projection` catching up from the start over every event stored.
async fn catch_up<P: projections::Projection>(store: &PgEventStore, pool: &deadpool_postgres::Pool, projection: P) -> Result<Rate, String> {
    let head = store.head().await.map_err(|e| e.to_string())?;
    let client = pool.get().await.map_err(|e| e.to_string())?;
    let events: i64 = client.query_one("SELECT count(*) FROM events", &[]).await.map_err(|e| e.to_string())?.get(0);
    drop(client);
    let checkpoints = projections::Checkpoints::default();
    let started = Instant::now();
    let runner = tokio::spawn(projections::run(store.clone(), pool.clone(), store::Keyring::new(pool.clone()), projection, checkpoints.clone()));
    let reached = projections::wait_for(pool, &checkpoints, P::NAME, head, Duration::from_secs(600)).await;
    let elapsed = started.elapsed();
    runner.abort();
    reached.map_err(|e| e.to_string())?;
    Ok(Rate { events: events as usize, elapsed })
}

/// The users projection catching up, checked to have really written its rows.
async fn catch_up_users(store: &PgEventStore, pool: &deadpool_postgres::Pool) -> Result<Rate, String> {
    let head = store.head().await.map_err(|e| e.to_string())?;
    let rate = catch_up(store, pool, projections::users::Users).await?;
    // Check the work was really done: one row per registered user.
    let client = pool.get().await.map_err(|e| e.to_string())?;
    let rows: i64 = client.query_one("SELECT count(*) FROM users", &[]).await.map_err(|e| e.to_string())?.get(0);
    let registered: i64 =
        client.query_one("SELECT count(*) FROM events WHERE event_type = 'UserRegistered'", &[]).await.map_err(|e| e.to_string())?.get(0);
    if rows != registered || head == store::Position::START {
        return Err(format!("catch-up incomplete: {rows} user rows for {registered} registrations (head {head})"));
    }
    Ok(rate)
}

/// The median (by rate) of `rounds` alternating runs of the measurement and its baseline.
async fn median_pair<M, B, MF, BF>(rounds: usize, mut measure: M, mut baseline: B) -> Result<(Rate, Rate), String>
where
    M: FnMut() -> MF,
    B: FnMut() -> BF,
    MF: std::future::Future<Output = Result<Rate, String>>,
    BF: std::future::Future<Output = Result<Rate, String>>,
{
    let (mut measured, mut base) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        base.push(baseline().await?);
        measured.push(measure().await?);
    }
    let median = |mut v: Vec<Rate>| {
        v.sort_by(|a, b| a.per_second().total_cmp(&b.per_second()));
        v.swap_remove(v.len() / 2)
    };
    Ok((median(measured), median(base)))
}

async fn store_bench(config: tokio_postgres::Config, events: usize, writers: usize, rounds: usize) -> Result<(), String> {
    let pool = store::db::pool(&config, writers.max(4) + 4);
    let store = PgEventStore::new(pool.clone(), config.clone());
    {
        let client = pool.get().await.map_err(|e| e.to_string())?;
        client.batch_execute("CREATE TABLE bench_baseline (LIKE events INCLUDING ALL)").await.map_err(|e| e.to_string())?;
        let version: String = client.query_one("SHOW server_version", &[]).await.map_err(|e| e.to_string())?.get(0);
        let fsync: String = client.query_one("SHOW fsync", &[]).await.map_err(|e| e.to_string())?.get(0);
        let commit: String = client.query_one("SHOW synchronous_commit", &[]).await.map_err(|e| e.to_string())?.get(0);
        println!(
            "Switchboard store benchmark: {events} events per measurement, medians of {rounds} rounds; PostgreSQL {version} (fsync {fsync}, synchronous_commit {commit}); {} CPU cores",
            std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
        );
    }
    // Warm both paths (connections, prepared statements, caches) before measuring.
    appends(&store, 500, writers).await?;
    baseline_inserts(&pool, 500, writers).await?;

    println!("{:<34} {:>12} {:>12} {:>7}", "", "events/s", "baseline/s", "ratio");
    let report = |label: &str, measured: &Rate, baseline: &Rate| {
        println!(
            "{label:<34} {:>12.0} {:>12.0} {:>7.2}",
            measured.per_second(),
            baseline.per_second(),
            measured.per_second() / baseline.per_second()
        );
    };
    // Alternate the runs so drift in the machine's load hits both sides alike.
    let (app_1, base_1) = median_pair(rounds, || appends(&store, events, 1), || baseline_inserts(&pool, events, 1)).await?;
    report("appends, 1 writer", &app_1, &base_1);
    let (app_n, base_n) = median_pair(rounds, || appends(&store, events, writers), || baseline_inserts(&pool, events, writers)).await?;
    report(&format!("appends, {writers} writers"), &app_n, &base_n);

    let batched = baseline_batched_inserts(&pool, events).await?;
    let caught = catch_up_users(&store, &pool).await?;
    report("catch-up, every event writes", &caught, &batched);
    let licences = catch_up(&store, &pool, projections::licences::Licences).await?;
    report("catch-up, nothing to write", &licences, &batched);
    let read = read_everything(&store).await?;
    println!("{:<34} {:>12.0}", "reading and decoding alone", read.per_second());
    println!(
        "Appends: one event each, a quarter starting a stream, the rest adding to one; baseline: the same rows as \
         single-row autocommit INSERTs into a copy of the events table.\nCatch-up over all {} events stored: the users \
         projection, for which every one inserts or updates a row, and the licences projection, which reads and decodes \
         them all but has none of its own (company) events to write; baseline: plain INSERTs in transactions of 1,000.",
        caught.events
    );
    store.close();
    Ok(())
}
