//! The `switchboard` command line: serve, migrate, create a company, rebuild read models,
//! audit the event log (`events`, `state`), and the benchmarks.

mod events;
mod inputs;
mod operators;
mod serve;
mod state;

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
    /// Replay every event into fresh read-model tables and swap them in, without downtime.
    Rebuild {
        /// Which read model; all of them when omitted.
        #[arg(value_parser = rebuildable())]
        projection: Option<String>,
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
    /// Measure performance against a baseline taken in the same run.
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
        #[command(flatten)]
        data: DataArgs,
    },
}

/// The read models `rebuild` accepts, from the projection registry.
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
            Command::Rebuild { projection, data } => rebuild(projection, data).await,
            Command::Events(args) => events::events(args).await,
            Command::State(args) => state::state(args).await,
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
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
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
        let email = domain::email::Address::parse(email).map_err(|e| e.to_string())?;
        println!("Company `{company}` ({company_id}) created with administrator {email} and {seats} seats.");
        println!("Log in at /login on the running server (for example http://127.0.0.1:8080/login).");
        Ok(())
    })
    .await
}

pub async fn rebuild(projection: Option<String>, data: DataArgs) -> Result<(), String> {
    // clap has checked the name against the registry.
    let chosen: Vec<Registered> = match projection {
        Some(name) => Registered::named(&name).into_iter().collect(),
        None => Registered::rebuildable_ones().collect(),
    };
    with_database(&data, |config| async move {
        let pool = store::db::pool(&config, 4);
        let store = store::PgEventStore::new(pool.clone(), config);
        for projection in chosen {
            let report = projection.rebuild(&store, &pool).await.map_err(|e| e.to_string())?;
            println!("rebuilt {}: {} events replayed, now at {}", projection.name(), report.events, report.position);
        }
        Ok(())
    })
    .await
}
