//! The `switchboard` binary itself: the embedded database's life cycle, the CLI commands.

use std::path::PathBuf;

use testkit::process::{self, Served};
use testkit::{TestDb, TestServer};

/// A data folder the cluster's system user can reach, removed at the end.
struct DataDir(PathBuf);

impl DataDir {
    fn new() -> DataDir {
        let dir = std::env::temp_dir().join(format!("sb-cli-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        DataDir(dir)
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn postmaster_pid(dir: &DataDir) -> Option<i32> {
    std::fs::read_to_string(dir.0.join("postgres/postmaster.pid")).ok()?.lines().next()?.trim().parse().ok()
}

/// Alive and not a zombie (this machine's init may be slow to reap).
fn alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| !stat.rsplit(')').next().unwrap_or("").trim_start().starts_with('Z'))
        .unwrap_or(false)
}

fn postmasters_for(dir: &DataDir) -> usize {
    let needle = dir.0.join("postgres").to_string_lossy().into_owned();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).split('\0').map(str::to_owned).collect::<Vec<_>>())
        // The postmaster itself, not a pg_ctl (its path holds "postgres" too) looking at it.
        .filter(|args| args[0].rsplit('/').next() == Some("postgres") && args.iter().any(|a| a.starts_with(&needle)))
        .count()
}

#[tokio::test]
async fn serve_runs_its_own_database_and_survives_kills_and_stale_pid_files() {
    let dir = DataDir::new();

    // First run: creates the cluster, says how to create the first administrator.
    let mut served = Served::start(&dir.0, None).await;
    assert!(served.printed("Switchboard is running at http://127.0.0.1:"));
    // The command it prints reaches this data folder, not the default one.
    assert!(served.printed(&format!("admin create --data-dir '{}'", dir.0.display())));
    let pid = postmaster_pid(&dir).expect("the embedded cluster runs");
    assert!(alive(pid));
    // It listens on a socket in its own folder only.
    assert!(dir.0.join("postgres/.s.PGSQL.5432").exists());

    // SIGTERM: the server stops, and the cluster with it.
    served.terminate().await;
    assert!(postmaster_pid(&dir).is_none(), "postgres was not stopped");
    assert!(!alive(pid));

    // kill -9 leaves the cluster running; the next start reuses it instead of starting another.
    let served = Served::start(&dir.0, None).await;
    let pid = postmaster_pid(&dir).unwrap();
    served.kill().await;
    assert!(alive(pid), "the cluster outlives a killed server");
    let mut served = Served::start(&dir.0, None).await;
    assert!(served.printed("reusing the PostgreSQL cluster"), "{:?}", served.drain());
    assert_eq!(postmasters_for(&dir), 1);
    assert_eq!(postmaster_pid(&dir), Some(pid));
    served.terminate().await;

    // A stale postmaster.pid (a crash of the machine, say) does not block the next start.
    let dead = {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    };
    let pid_file = dir.0.join("postgres/postmaster.pid");
    std::fs::write(&pid_file, format!("{dead}\n{}\n", dir.0.join("postgres").display())).unwrap();
    let mut served = Served::start(&dir.0, None).await;
    assert!(served.printed("removing a stale PostgreSQL lock file"));
    served.terminate().await;
}

#[tokio::test]
async fn admin_create_registers_a_company_whose_administrator_can_log_in() {
    let db = TestDb::new().await;
    let url = db.url();
    let (ok, stdout, stderr) = process::run(
        &["admin", "create", "--company", "Acme", "--email", "Boss@Acme.test", "--password-stdin", "--seats", "4"],
        Some(&url),
        "a-long-password\n",
    )
    .await;
    assert!(ok, "{stderr}");
    assert!(stdout.contains("boss@acme.test") && stdout.contains("4 seats"), "{stdout}");

    let server = TestServer::start(&db).await;
    server.caught_up_with(projections::ALL).await;
    let client = server.login("boss@acme.test", "a-long-password").await;
    let page = client.get_text("/admin/users").await;
    assert!(page.contains("boss@acme.test") && page.contains("1 of 4 seats in use"));

    // The same address cannot make a second account.
    let (ok, _, stderr) = process::run(
        &["admin", "create", "--company", "Other", "--email", "boss@acme.test", "--password-stdin"],
        Some(&url),
        "another-long-password\n",
    )
    .await;
    assert!(!ok);
    assert!(stderr.contains("already belongs to an account"), "{stderr}");
}

#[tokio::test]
async fn admin_create_explains_bad_input_in_one_line() {
    let db = TestDb::new().await;
    let url = db.url();
    let cases = [
        (vec!["--email", "boss@acme.test"], "short\n", "at least 8 characters"),
        (vec!["--email", "not-an-address"], "a-long-password\n", "`not-an-address` is not a valid e-mail address"),
        (vec!["--email", "boss@acme.test", "--seats", "0"], "a-long-password\n", "at least one seat"),
    ];
    for (extra, stdin, expected) in cases {
        let mut args = vec!["admin", "create", "--company", "Acme", "--password-stdin"];
        args.extend(extra);
        let (ok, _, stderr) = process::run(&args, Some(&url), stdin).await;
        assert!(!ok && stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"));
    }
    let (ok, _, stderr) = process::run(&["admin", "create", "--company", "Acme", "--email", "a@b.test"], Some(&url), "").await;
    assert!(!ok && stderr.contains("--password-stdin"), "{stderr}");
}

#[tokio::test]
async fn migrate_applies_everything_once() {
    let db = TestDb::empty().await;
    let url = db.url();
    let (ok, stdout, stderr) = process::run(&["migrate"], Some(&url), "").await;
    assert!(ok, "{stderr}");
    assert!(stdout.contains("applied V1__event_store"), "{stdout}");
    let (ok, stdout, _) = process::run(&["migrate"], Some(&url), "").await;
    assert!(ok && stdout.contains("up to date"), "{stdout}");
}

#[tokio::test]
async fn a_bad_database_url_is_reported_not_panicked() {
    let (ok, _, stderr) = process::run(&["migrate"], Some("this is not a url"), "").await;
    assert!(!ok && stderr.contains("DATABASE_URL is not a valid PostgreSQL connection string"), "{stderr}");
    let (ok, _, stderr) = process::run(&["migrate"], Some("postgres://nobody@127.0.0.1:1/none"), "").await;
    assert!(!ok && stderr.contains("cannot connect to PostgreSQL"), "{stderr}");
}
