//! The `switchboard` command line: serve, migrate, create a company, billing, replay and
//! verify read models, export and import the log, read it (`events`, `state`), and the
//! benchmarks.

mod address;
mod erase;
mod events;
mod inputs;
mod operators;
mod parked;
mod progress;
mod serve;
mod state;
mod transfer;

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use app::database::Database;
use app::users::{NewAccess, NewUser};
use clap::{Parser, Subcommand};
use domain::user::{Profile, DEFAULT_MAX_CHATS};
use domain::Actor;
use projections::Registered;

/// Switchboard: live chat for businesses' websites.
#[derive(Parser)]
#[command(name = "switchboard", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the server. Uses DATABASE_URL when set, otherwise a private PostgreSQL cluster
    /// under the data folder, created on first run and stopped on exit.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Apply the database migrations that are not applied yet, then exit.
    Migrate {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Manage administrators.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Replay every event into fresh read-model tables and swap them in, without downtime
    /// (or, with --verify, compare them with the live ones).
    #[command(alias = "rebuild")]
    Replay {
        /// Which read models; all of them when omitted.
        #[arg(value_parser = rebuildable())]
        projections: Vec<String>,
        /// Replay into scratch tables, compare them with the live ones table by table and
        /// list the rows that differ, swapping nothing; exits non-zero on a difference.
        #[arg(long)]
        verify: bool,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Write the whole log (or one company's streams) to a gzip-compressed NDJSON file, with
    /// its SHA-256 checksum in FILE.sha256.
    Export {
        file: PathBuf,
        /// Only the streams of this company.
        #[arg(long)]
        company: Option<uuid::Uuid>,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Load an export into an empty database (after checking its checksum), then rebuild
    /// every read model from it.
    Import {
        file: PathBuf,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Subscriptions: charge the renewals that are due now.
    Billing {
        #[command(subcommand)]
        command: BillingCommand,
    },
    /// List events of the log, filtered (company, stream, category, type, actor, time,
    /// position), as a table or NDJSON, a page at a time or followed live.
    Events(events::EventsArgs),
    /// An aggregate's state as of a time or a version, folded from its stream, as JSON.
    State(state::StateArgs),
    /// Events the projections could not apply: list them, apply them again.
    Parked {
        #[command(subcommand)]
        command: parked::ParkedCommand,
    },
    /// Erase personal data on request (GDPR): a visitor's.
    Erase {
        #[command(subcommand)]
        command: erase::EraseCommand,
    },
    /// Measure performance against a baseline taken in the same run.
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
        #[command(flatten)]
        data: DataArgs,
    },
}

/// The read models `replay` accepts, from the projection registry.
fn rebuildable() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(Registered::rebuildable_ones().map(Registered::name))
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Register a company and its first administrator.
    Create {
        /// The company's name.
        #[arg(long)]
        company: String,
        /// The administrator's e-mail address (used to log in).
        #[arg(long)]
        email: String,
        /// Read the administrator's password from standard input (one line).
        #[arg(long, required = true)]
        password_stdin: bool,
        #[arg(long, default_value = "Admin")]
        first_name: String,
        #[arg(long, default_value = "Administrator")]
        last_name: String,
        /// Seats (licences) the company starts with.
        #[arg(long, default_value_t = 10)]
        seats: u32,
        #[command(flatten)]
        data: DataArgs,
    },
    /// List every company with its seats, seats in use and offer.
    Companies {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Set a company's seats without a payment (never below the seats in use).
    Seats {
        /// The company's id (see `admin companies`).
        #[arg(long)]
        company: uuid::Uuid,
        #[arg(long)]
        seats: u32,
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Subcommand)]
enum BillingCommand {
    /// Charge every subscription whose period has ended (and retry failed renewals due
    /// again), as the server's renewal job does every few minutes.
    Renew {
        /// Run as if today were this day (YYYY-MM-DD); billing's clock otherwise.
        #[arg(long)]
        today: Option<chrono::NaiveDate>,
        #[command(flatten)]
        data: DataArgs,
    },
}

/// The `switchboard` command line.
pub fn main() -> ExitCode {
    init_tracing();
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve { listen, data } => serve::serve(listen, data).await,
            Command::Migrate { data } => migrate(data).await,
            Command::Replay { projections, verify: false, data } => replay(projections, data).await,
            Command::Replay { projections, verify: true, data } => verify(projections, data).await,
            Command::Export { file, company, data } => transfer::export(file, company, data).await,
            Command::Import { file, data } => transfer::import(file, data).await,
            Command::Events(args) => events::events(args).await,
            Command::State(args) => state::state(args).await,
            Command::Erase { command } => erase::erase(command).await,
            Command::Parked { command } => parked::parked(command).await,
            Command::Bench { command, data } => bench::run(command, &data.data_dir).await,
            Command::Billing { command: BillingCommand::Renew { today, data } } => operators::renew(today, data).await,
            Command::Admin { command: AdminCommand::Companies { data } } => operators::list_companies(data).await,
            Command::Admin { command: AdminCommand::Seats { company, seats, data } } => operators::set_seats(company, seats, data).await,
            Command::Admin { command: AdminCommand::Create { company, email, password_stdin: _, first_name, last_name, seats, data } } => {
                let mut password = String::new();
                if let Err(e) = std::io::stdin().read_to_string(&mut password) {
                    return Err(format!("cannot read the password from standard input: {e}"));
                }
                let password = password.lines().next().unwrap_or_default().to_owned();
                create_admin(&company, &email, &password, &first_name, &last_name, seats, data).await
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("switchboard: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Where the embedded database and local files live unless told otherwise.
pub const DEFAULT_DATA_DIR: &str = "./data";

#[derive(clap::Args, Clone, Debug)]
pub struct DataArgs {
    /// Folder for the embedded database and local files (such as outgoing mail when no SMTP
    /// server is configured).
    #[arg(long, default_value = DEFAULT_DATA_DIR, env = "SWITCHBOARD_DATA_DIR")]
    pub data_dir: PathBuf,
}

pub fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("SWITCHBOARD_LOG").unwrap_or_else(|_| EnvFilter::new("info,tokio_postgres=warn"));
    // Colour codes only on a terminal (and not when NO_COLOR is set): a log file or a pipe
    // gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr()) && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // One JSON object a line for log collectors, with the request's span (its id, method
    // and route) on each line.
    match std::env::var("SWITCHBOARD_LOG_FORMAT").as_deref() {
        Ok("json") => {
            let _ = logs.json().flatten_event(true).with_current_span(true).with_span_list(false).try_init();
        }
        Ok("text") | Ok("") | Err(_) => {
            let _ = logs.with_ansi(ansi).try_init();
        }
        Ok(other) => {
            eprintln!("switchboard: SWITCHBOARD_LOG_FORMAT is `text` or `json`, not `{other}`");
            std::process::exit(2);
        }
    }
}

/// Runs `work` with a migrated database, then lets the database go.
async fn with_database<T, F, Fut>(data: &DataArgs, work: F) -> Result<T, String>
where
    F: FnOnce(tokio_postgres::Config) -> Fut,
    Fut: std::future::Future<Output = Result<T, String>>,
{
    let db = Database::open(&data.data_dir).await?;
    let result = async {
        store::db::migrate(&db.config).await.map_err(|e| e.to_string())?;
        work(db.config.clone()).await
    }
    .await;
    db.close().await;
    result
}

pub async fn migrate(data: DataArgs) -> Result<(), String> {
    let db = Database::open(&data.data_dir).await?;
    let result = store::db::migrate(&db.config).await.map_err(|e| e.to_string());
    db.close().await;
    let applied = result?;
    if applied.is_empty() {
        println!("The database is up to date.");
    } else {
        for m in applied {
            println!("applied {m}");
        }
    }
    Ok(())
}

pub async fn create_admin(
    company: &str,
    email: &str,
    password_text: &str,
    first_name: &str,
    last_name: &str,
    seats: u32,
    data: DataArgs,
) -> Result<(), String> {
    app::auth::password::check_strength(password_text).map_err(|e| e.to_string())?;
    let hash = app::auth::password::hash(password_text.to_owned()).await.map_err(|e| e.to_string())?;
    let settings = app::Settings::from_env(serve::DEFAULT_LISTEN, &data.data_dir)?;
    let data_dir = data.data_dir.clone();
    with_database(&data, |config| async move {
        let app = app::App::new(&config, settings);
        let admin = NewUser {
            email: email.to_owned(),
            profile: Profile { first_name: first_name.to_owned(), last_name: last_name.to_owned(), ..Default::default() },
            roles: Default::default(),
            max_chats: DEFAULT_MAX_CHATS,
            access: NewAccess::Password { hash },
        };
        let (company_id, _) = app::users::register_company(&app, company, seats, admin, Actor::System("cli".into()))
            .await
            .map_err(|e| format!("cannot create the company: {e}"))?;
        // Logging in reads the users read model: have it show the administrator before
        // saying they can (a running server's projection would, a moment later).
        app.catch_up(Registered::Users).await.map_err(|e| format!("the company is created, but the users list is not up to date yet: {e}"))?;
        let email = domain::email::Address::parse(email).map_err(|e| e.to_string())?;
        println!("Company `{company}` ({company_id}) created with administrator {email} and {seats} seats.");
        println!("{}", address::where_to_log_in(std::env::var("SWITCHBOARD_PUBLIC_URL").ok().as_deref(), &data_dir));
        Ok(())
    })
    .await
}

/// The projections named, in the registry's order and once each; all of them when none is.
fn chosen(names: &[String]) -> Vec<Registered> {
    // clap has checked the names against the registry.
    Registered::rebuildable_ones().filter(|p| names.is_empty() || names.iter().any(|n| n == p.name())).collect()
}

pub async fn replay(projections: Vec<String>, data: DataArgs) -> Result<(), String> {
    let chosen = chosen(&projections);
    with_database(&data, |config| async move {
        let pool = store::db::pool(&config, 4);
        let store = store::PgEventStore::new(pool.clone(), config);
        let result = replay_all(&store, chosen).await;
        store.close();
        result
    })
    .await
}

/// Waits (a while) until every event committed so far is readable: a transaction open
/// anywhere on the PostgreSQL server holds newer events back from readers, and a replay that
/// stopped before them would leave the read models behind until a server runs.
async fn wait_readable(store: &store::PgEventStore) -> Result<(), String> {
    let newest = store.newest().await.map_err(|e| e.to_string())?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while store.head().await.map_err(|e| e.to_string())? < newest {
        if std::time::Instant::now() >= deadline {
            eprintln!("switchboard: events up to {newest} are held back by a transaction open on the PostgreSQL server; the running server applies them once it ends");
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Ok(())
}

/// Rebuilds `chosen` one after the other, with progress; stops at the first that fails.
async fn replay_all(store: &store::PgEventStore, chosen: Vec<Registered>) -> Result<(), String> {
    let pool = store.pool();
    let keyring = store::Keyring::new(pool.clone());
    wait_readable(store).await?;
    for projection in chosen {
        let mut progress = progress::Reporter::new(format!("replay {}", projection.name()));
        let report = projection.rebuild(store, pool, &keyring, &mut progress).await;
        progress.finish();
        let report = report.map_err(|e| format!("cannot rebuild {} (its live tables are unchanged): {e}", projection.name()))?;
        println!("rebuilt {}: {} events replayed, now at {}", projection.name(), report.events, report.position);
    }
    Ok(())
}

pub async fn verify(projections: Vec<String>, data: DataArgs) -> Result<(), String> {
    let chosen = chosen(&projections);
    with_database(&data, |config| async move {
        let pool = store::db::pool(&config, 4);
        let store = store::PgEventStore::new(pool.clone(), config);
        let keyring = store::Keyring::new(pool.clone());
        let mut differing = Vec::new();
        for projection in chosen {
            let mut progress = progress::Reporter::new(format!("verify {}", projection.name()));
            let verification = projection.verify(&store, &pool, &keyring, &mut progress).await;
            progress.finish();
            let verification = verification.map_err(|e| format!("cannot verify {}: {e}", projection.name()))?;
            print!("{}", describe(projection.name(), &verification));
            if !verification.same() {
                differing.push(projection.name());
            }
        }
        if differing.is_empty() {
            println!("Every read model checked matches the log.");
            Ok(())
        } else {
            let names = differing.join(" ");
            Err(format!("read models differ from the log: {}; `switchboard replay {names}` rebuilds them", differing.join(", ")))
        }
    })
    .await
}

fn rows(n: i64) -> String {
    if n == 1 {
        "1 row".to_owned()
    } else {
        format!("{n} rows")
    }
}

/// A verification as an operator reads it: one line per table, one per differing row.
fn describe(name: &str, verification: &projections::Verification) -> String {
    use projections::Difference;
    use std::fmt::Write;
    let verdict = if verification.same() { "matches the log" } else { "DIFFERS from the log" };
    let mut out = format!("{name}: {verdict} ({} events replayed, up to {})\n", verification.events, verification.position);
    for table in &verification.tables {
        if table.same() {
            let _ = writeln!(out, "  table {}: same ({})", table.table, rows(table.live_rows));
            continue;
        }
        let _ = writeln!(
            out,
            "  table {}: differs in {} ({} live, {} rebuilt from the log)",
            table.table,
            rows(table.differing_rows),
            rows(table.live_rows),
            rows(table.rebuilt_rows)
        );
        for row in &table.differences {
            let what = match &row.kind {
                Difference::OnlyLive => "only in the live table".to_owned(),
                Difference::OnlyRebuilt => "missing from the live table".to_owned(),
                Difference::Changed { columns } => format!("changed: {}", columns.join(", ")),
            };
            let _ = writeln!(out, "    {} {}: {what}", table.table, row.key);
        }
        let more = table.differing_rows - table.differences.len() as i64;
        if more > 0 {
            let _ = writeln!(out, "    … and {more} more");
        }
    }
    out
}
