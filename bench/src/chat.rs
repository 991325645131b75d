//! `switchboard bench chat`: a load generator for live chat. It starts this same binary as
//! `switchboard serve` on the scratch database (so the server's memory is its own), opens
//! agent consoles and visitor widgets over real WebSockets, and measures visitor→agent and
//! agent→visitor latency, messages per second, lost or repeated messages, and the server's
//! memory per idle widget socket. Baseline, in the same run: a durable single-row INSERT
//! into PostgreSQL with the same concurrency, the least any stored message costs.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::users::{AccessInput, NewAccess, NewUser, UserInput};
use app::{App, Settings};
use domain::company::Role;
use domain::site::Priority;
use domain::user::Profile;
use domain::Actor;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;
const WAIT: Duration = Duration::from_secs(60);

pub struct Load {
    /// Pause between a visitor's answer and their next message (0: as fast as possible).
    pub pause: Duration,
    pub conversations: usize,
    pub agents: usize,
    pub messages: usize,
    pub idle: usize,
}

pub async fn chat_bench(config: tokio_postgres::Config, load: Load) -> Result<(), String> {
    raise_file_limit();
    let server = Child::start(&config).await?;
    let result = drive(&config, &server, &load).await;
    let rss = server.rss_kib();
    drop(server);
    result.map(|_| println!("(server process: {rss} KiB resident at the end)"))
}

async fn drive(config: &tokio_postgres::Config, server: &Child, load: &Load) -> Result<(), String> {
    let base = format!("127.0.0.1:{}", server.port);
    let setup = Setup::new(config, load).await?;
    println!(
        "Switchboard chat benchmark: {} conversations, {} agents (max {} chats each), {} messages each way per conversation, {} ms between a visitor's messages, then {} idle widgets; {} CPU cores, PostgreSQL on the same machine",
        load.conversations,
        load.agents,
        setup.max_chats,
        load.messages,
        load.pause.as_millis(),
        load.idle,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );

    // Agents online, each with a console.
    let log = Arc::new(Log::default());
    let mut consoles = Vec::new();
    for token in &setup.sessions {
        consoles.push(Console::open(&base, token, log.clone()).await?);
    }
    // Every visitor arrives and says hello; wait until every conversation has an agent.
    let mut widgets = Vec::new();
    for i in 0..load.conversations {
        let mut ws = widget(&base, &setup.key).await?;
        send(&mut ws, json!({ "type": "message", "client_id": uuid::Uuid::new_v4(), "text": format!("c{i} hello") })).await?;
        widgets.push(ws);
    }
    let deadline = Instant::now() + WAIT;
    while log.assigned() < load.conversations {
        if Instant::now() > deadline {
            return Err(format!("only {} of {} conversations reached an agent in {WAIT:?}", log.assigned(), load.conversations));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // The exchange: each visitor sends a message, waits for the agent's answer, and so on.
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (i, ws) in widgets.into_iter().enumerate() {
        let (log, messages, pause) = (log.clone(), load.messages, load.pause);
        tasks.spawn(async move { converse(i, ws, messages, pause, log).await });
    }
    let mut kept = Vec::new();
    while let Some(done) = tasks.join_next().await {
        kept.push(done.map_err(|e| e.to_string())??);
    }
    let elapsed = started.elapsed();
    let baseline = baseline_inserts(config, load.conversations, load.messages).await?;
    report(&log, elapsed, load, &baseline, &kept);

    // Memory per idle widget socket, in the server process.
    if load.idle == 0 {
        println!("{:<44} {:>10}", "server memory, idle widget sockets", "not measured (--idle 0)");
        return Ok(());
    }
    let before = server.rss_kib();
    let mut idle = Vec::with_capacity(load.idle);
    let opened: Vec<Result<Socket, String>> =
        futures_util::stream::iter(0..load.idle).map(|_| widget(&base, &setup.key)).buffer_unordered(64).collect().await;
    for ws in opened {
        idle.push(ws?);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = server.rss_kib();
    let per = (after.saturating_sub(before)) as f64 * 1024.0 / load.idle.max(1) as f64;
    println!(
        "{:<44} {:>10.1} KiB per socket; {} idle sockets: {:.0} MiB (target: 10,000 under 1 GiB → {:.0} MiB at 10,000)",
        "server memory, idle widget sockets",
        per / 1024.0,
        load.idle,
        (after.saturating_sub(before)) as f64 / 1024.0,
        per * 10_000.0 / 1024.0 / 1024.0
    );
    drop((idle, kept, consoles));
    Ok(())
}

/// The company, its agents (with sessions, as a login would make them) and its site.
struct Setup {
    key: String,
    sessions: Vec<String>,
    max_chats: u8,
}

impl Setup {
    /// Made as an administrator would: the company, then the site, then the agents at the
    /// three priorities in turn; each agent gets a session as a login would.
    async fn new(config: &tokio_postgres::Config, load: &Load) -> Result<Setup, String> {
        let settings = Settings {
            secure_cookies: false,
            public_url: String::new(),
            mail: Arc::new(commands::mailer::Transport::Files {
                dir: std::env::temp_dir(),
                from: "bench@switchboard.test".parse().map_err(|_| "address")?,
            }),
            agent_grace: Duration::from_secs(600),
            billing: Default::default(),
            stripe: None,
            db_pool: 32,
            db_wait: Duration::from_secs(30),
            clock: app::WallClock::default(),
        };
        let app = App::new(config, settings);
        let max_chats = load.conversations.div_ceil(load.agents.max(1)).clamp(1, 100) as u8;
        let e = |e: app::Error| e.to_string();
        let admin = NewUser {
            email: "admin@bench.test".into(),
            profile: Profile { first_name: "Admin".into(), last_name: "Bench".into(), ..Default::default() },
            roles: Default::default(),
            max_chats: 1,
            access: NewAccess::Invite { send_email: false },
        };
        let (company, created) =
            app::users::register_company(&app, "Bench", load.agents as u32 + 1, admin, Actor::System("bench".into())).await.map_err(e)?;
        // The server's projections (in the child process) must show the administrator first.
        app.read_your_writes(projections::Registered::Users, Some(created.position)).await.map_err(|e| e.to_string())?;
        let admin = session(&app, company, created.user_id).await?;
        let site = app::sites::create(&app, &admin, "Bench", vec!["https://bench.test".into()], "", false).await.map_err(e)?;
        let priorities = [Priority::High, Priority::Normal, Priority::Low];
        let mut sessions = Vec::new();
        for i in 0..load.agents {
            let input = UserInput {
                email: format!("agent{i}@bench.test"),
                profile: Profile { first_name: format!("Agent{i}"), last_name: "Bench".into(), ..Default::default() },
                roles: [Role::Agent].into(),
                max_chats: Some(max_chats as i64),
                access: AccessInput::InviteLater,
            };
            let agent = app::users::create_user(&app, &admin, input).await.map_err(e)?;
            app::sites::place(&app, &admin, site, agent.user_id, Some(priorities[i % 3])).await.map_err(e)?;
            sessions.push(app::auth::sessions::start_for(&app, company, agent.user_id).await.map_err(e)?.0);
        }
        let key = app::sites::load(&app, &admin, site).await.map_err(e)?.widget_key;
        Ok(Setup { key, sessions, max_chats })
    }
}

/// A session of the company's administrator, as logging in would make.
async fn session(app: &App, company: domain::CompanyId, user: domain::UserId) -> Result<app::auth::Session, String> {
    let (token, _) = app::auth::sessions::start_for(app, company, user).await.map_err(|e| e.to_string())?;
    app::auth::sessions::find(app, &token).await.map_err(|e| e.to_string())?.ok_or_else(|| "the session is missing".into())
}

/// Send times and latencies, shared by every socket of the run.
#[derive(Default)]
struct Log {
    sent: Mutex<HashMap<String, Instant>>,
    to_agent: Mutex<Vec<Duration>>,
    to_visitor: Mutex<Vec<Duration>>,
    /// Visitor messages the agents received (the first excepted), per text, to find losses
    /// and repeats.
    received: Mutex<HashMap<String, u32>>,
    /// Conversations offered to a console (distinct: a resync may offer one again).
    conversations: Mutex<HashSet<String>>,
}

impl Log {
    fn assigned(&self) -> usize {
        self.conversations.lock().unwrap().len()
    }
    fn sent_now(&self, text: &str) {
        self.sent.lock().unwrap().insert(text.to_owned(), Instant::now());
    }
    fn arrived(&self, text: &str, into: &Mutex<Vec<Duration>>) {
        if let Some(at) = self.sent.lock().unwrap().remove(text) {
            into.lock().unwrap().push(at.elapsed());
        }
    }
}

/// An agent's console that answers every visitor message at once with "re: <text>".
struct Console {
    _reader: tokio::task::JoinHandle<()>,
}

impl Console {
    async fn open(base: &str, session: &str, log: Arc<Log>) -> Result<Console, String> {
        let mut ws = connect(&format!("ws://{base}/console/ws"), &format!("http://{base}"), Some(session)).await?;
        send(&mut ws, json!({ "type": "hello", "last_seen": {} })).await?;
        send(&mut ws, json!({ "type": "status", "status": "online" })).await?;
        let (mut sink, mut stream): (SplitSink<Socket, Message>, SplitStream<Socket>) = ws.split();
        let (tx, mut rx) = mpsc::unbounded_channel::<Value>();
        tokio::spawn(async move {
            while let Some(frame) = rx.recv().await {
                if sink.send(Message::text(frame.to_string())).await.is_err() {
                    break;
                }
            }
        });
        let reader = tokio::spawn(async move {
            while let Some(Ok(message)) = stream.next().await {
                let Message::Text(text) = message else { continue };
                let Ok(frame) = serde_json::from_str::<Value>(&text) else { continue };
                match frame["type"].as_str() {
                    Some("conversation") => {
                        log.conversations.lock().unwrap().insert(frame["id"].to_string());
                    }
                    Some("message") if frame["from"] == "visitor" => {
                        let text = frame["text"].as_str().unwrap_or_default().to_owned();
                        if text.ends_with(" hello") {
                            continue; // the first message: it came inside the conversation
                        }
                        *log.received.lock().unwrap().entry(text.clone()).or_default() += 1;
                        log.arrived(&text, &log.to_agent);
                        let answer = format!("re: {text}");
                        log.sent_now(&answer);
                        let _ = tx.send(json!({ "type": "message", "conversation_id": frame["conversation_id"], "client_id": uuid::Uuid::new_v4(), "text": answer }));
                    }
                    Some("error") => eprintln!("an agent's console got an error: {frame}"),
                    _ => {}
                }
            }
        });
        Ok(Console { _reader: reader })
    }
}

/// One visitor's side of the exchange; the answers it got, in order.
async fn converse(i: usize, mut ws: Socket, messages: usize, pause: Duration, log: Arc<Log>) -> Result<Vec<String>, String> {
    use rand::Rng;
    let mut answers = Vec::new();
    // Visitors do not all type in step.
    let offset: f64 = rand::thread_rng().gen();
    tokio::time::sleep(pause.mul_f64(offset)).await;
    for j in 0..messages {
        if j > 0 {
            tokio::time::sleep(pause).await;
        }
        let text = format!("c{i} m{j}");
        log.sent_now(&text);
        send(&mut ws, json!({ "type": "message", "client_id": uuid::Uuid::new_v4(), "text": text })).await?;
        let expected = format!("re: {text}");
        let deadline = Instant::now() + WAIT;
        loop {
            if Instant::now() > deadline {
                return Err(format!("visitor {i} got no answer to `{text}` in {WAIT:?}"));
            }
            let frame = next(&mut ws).await?;
            if frame["type"] == "message" && frame["from"] == "agent" {
                let got = frame["text"].as_str().unwrap_or_default().to_owned();
                log.arrived(&got, &log.to_visitor);
                answers.push(got.clone());
                if got == expected {
                    break;
                }
            }
        }
    }
    Ok(answers)
}

fn report(log: &Log, elapsed: Duration, load: &Load, baseline: &[Duration], answers: &[Vec<String>]) {
    let mut to_agent = log.to_agent.lock().unwrap().clone();
    let mut to_visitor = log.to_visitor.lock().unwrap().clone();
    let mut baseline = baseline.to_vec();
    let received = log.received.lock().unwrap();
    let expected = load.conversations * load.messages;
    // Each side checks the other: every visitor message reached an agent once, and every
    // visitor got exactly its answers, in order.
    let repeated = received.values().filter(|&&n| n > 1).count() + answers.iter().map(|a| a.len().saturating_sub(load.messages)).sum::<usize>();
    let lost = expected.saturating_sub(received.len());
    let total = (load.conversations * load.messages * 2) as f64;
    println!("{:<44} {:>10} {:>10} {:>10}", "", "p50 ms", "p99 ms", "max ms");
    let line = |label: &str, d: &mut Vec<Duration>| {
        d.sort();
        let at = |q: f64| d.get(((d.len() as f64 * q) as usize).min(d.len().saturating_sub(1))).map_or(0.0, |x| x.as_secs_f64() * 1000.0);
        println!("{label:<44} {:>10.1} {:>10.1} {:>10.1}", at(0.5), at(0.99), at(1.0));
        at(0.99)
    };
    let p99 = line("visitor → agent", &mut to_agent);
    line("agent → visitor", &mut to_visitor);
    let base = line("baseline: durable INSERTs, 1 task/conversation", &mut baseline);
    println!("{:<44} {:>10.0} msgs/s over {:.1} s", "throughput (both ways)", total / elapsed.as_secs_f64(), elapsed.as_secs_f64());
    println!(
        "{:<44} {:>10.2} (target: visitor → agent p99 under 50 ms: {})",
        "p99 ratio to the baseline",
        p99 / base.max(0.001),
        if p99 < 50.0 { "met" } else { "NOT met" }
    );
    println!("{:<44} {:>10} lost, {} repeated (of {expected} messages each way)", "delivery", lost, repeated);
    let out_of_order = answers.iter().filter(|a| a.iter().enumerate().any(|(j, text)| !text.ends_with(&format!(" m{j}")))).count();
    println!("{:<44} {:>10} visitors got their answers out of order", "order", out_of_order);
}

/// Single-row INSERTs, each its own transaction, by `concurrency` tasks over a pool as
/// large as the server's: the cost of storing anything durably under this load.
async fn baseline_inserts(config: &tokio_postgres::Config, concurrency: usize, each: usize) -> Result<Vec<Duration>, String> {
    let pool = store::db::pool(config, 32);
    let client = pool.get().await.map_err(|e| e.to_string())?;
    client.batch_execute("CREATE TABLE IF NOT EXISTS bench_messages (id uuid PRIMARY KEY, text text NOT NULL)").await.map_err(|e| e.to_string())?;
    drop(client);
    let durations = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (pool, durations) = (pool.clone(), durations.clone());
        tasks.spawn(async move {
            for _ in 0..each {
                let at = Instant::now();
                let Ok(client) = pool.get().await else { return };
                let _ = client.execute("INSERT INTO bench_messages VALUES ($1, 'a message of some length')", &[&uuid::Uuid::new_v4()]).await;
                durations.lock().unwrap().push(at.elapsed());
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    pool.close();
    let d = durations.lock().unwrap().clone();
    Ok(d)
}

async fn widget(base: &str, key: &str) -> Result<Socket, String> {
    let mut ws = connect(&format!("ws://{base}/widget/ws?site={key}"), "https://bench.test", None).await?;
    send(&mut ws, json!({ "type": "hello", "visitor_token": null, "last_seen": 0, "page_url": "https://bench.test/" })).await?;
    loop {
        if next(&mut ws).await?["type"] == "welcome" {
            return Ok(ws);
        }
    }
}

async fn connect(url: &str, origin: &str, session: Option<&str>) -> Result<Socket, String> {
    let mut request = url.into_client_request().map_err(|e| e.to_string())?;
    request.headers_mut().insert("origin", HeaderValue::from_str(origin).map_err(|e| e.to_string())?);
    if let Some(token) = session {
        let cookie = format!("{}={token}", "sb_session");
        request.headers_mut().insert("cookie", HeaderValue::from_str(&cookie).map_err(|e| e.to_string())?);
    }
    // Browsers turn Nagle's algorithm off on their sockets; so does this load.
    let (ws, _) = tokio_tungstenite::connect_async_with_config(request, None, true).await.map_err(|e| format!("cannot open {url}: {e}"))?;
    Ok(ws)
}

async fn send(ws: &mut Socket, frame: Value) -> Result<(), String> {
    ws.send(Message::text(frame.to_string())).await.map_err(|e| e.to_string())
}

async fn next(ws: &mut Socket) -> Result<Value, String> {
    loop {
        match tokio::time::timeout(WAIT, ws.next()).await {
            Err(_) => return Err(format!("no frame in {WAIT:?}")),
            Ok(Some(Ok(Message::Text(text)))) => return serde_json::from_str(&text).map_err(|e| e.to_string()),
            Ok(Some(Ok(_))) => continue,
            Ok(other) => return Err(format!("socket closed: {other:?}")),
        }
    }
}

/// This binary, serving on the scratch database in a child process.
struct Child {
    child: tokio::process::Child,
    port: u16,
    _dir: std::path::PathBuf,
}

impl Child {
    async fn start(config: &tokio_postgres::Config) -> Result<Child, String> {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
        let dir = std::env::temp_dir().join(format!("switchboard-bench-{}", std::process::id()));
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let child = tokio::process::Command::new(exe)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
            .arg(&dir)
            .env("DATABASE_URL", store::db::url_of(config))
            .env("SWITCHBOARD_LOG", "warn")
            .env("SWITCHBOARD_AGENT_GRACE_SECONDS", "600")
            .stdout(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot start the server: {e}"))?;
        for _ in 0..600 {
            if TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return Ok(Child { child, port, _dir: dir });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err("the server did not start listening".into())
    }

    fn rss_kib(&self) -> u64 {
        let Some(pid) = self.child.id() else { return 0 };
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        status.lines().find_map(|l| l.strip_prefix("VmRSS:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok()).unwrap_or(0)
    }
}

/// Thousands of sockets need thousands of file descriptors: raise the soft limit to the hard
/// one (the server child inherits it).
fn raise_file_limit() {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    if let Ok((_, hard)) = getrlimit(Resource::RLIMIT_NOFILE) {
        let _ = setrlimit(Resource::RLIMIT_NOFILE, hard, hard);
    }
}
