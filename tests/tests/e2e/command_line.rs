//! The `switchboard` binary itself: the embedded database's life cycle (shared by several
//! processes, run by the `postgres` user under root), the CLI commands.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde_json::json;
use testkit::api::Api;
use testkit::process::{self, Serve, Served};
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
    postmaster_pid_in(&dir.0)
}

fn postmaster_pid_in(data_dir: &Path) -> Option<i32> {
    std::fs::read_to_string(data_dir.join("postgres/postmaster.pid")).ok()?.lines().next()?.trim().parse().ok()
}

/// The real and effective user ids of a process.
fn uids_of(pid: i32) -> (u32, u32) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("Uid:")).expect("a Uid line");
    let ids: Vec<u32> = line.split_whitespace().skip(1).map(|n| n.parse().unwrap()).collect();
    (ids[0], ids[1])
}

/// Who must run the cluster: the `postgres` system user when the tests run as root (as in
/// CI), since PostgreSQL refuses root; otherwise the user running the tests.
fn expected_cluster_user() -> (u32, &'static str) {
    if nix::unistd::geteuid().is_root() {
        let user = nix::unistd::User::from_name("postgres").unwrap().expect("running as root needs the `postgres` system user");
        (user.uid.as_raw(), "the postgres user, as switchboard runs as root")
    } else {
        (nix::unistd::geteuid().as_raw(), "the user running switchboard")
    }
}

/// A connection to a data folder's embedded cluster, over its socket, as its superuser.
async fn embedded_client(data_dir: &Path) -> tokio_postgres::Client {
    let user = if nix::unistd::geteuid().is_root() {
        "postgres".to_owned()
    } else {
        nix::unistd::User::from_uid(nix::unistd::geteuid()).unwrap().expect("the current user has a name").name
    };
    let mut config = tokio_postgres::Config::new();
    config.host_path(data_dir.join("postgres")).port(5432).user(&user).dbname("switchboard");
    testkit::db::connect(&config).await
}

/// A company and administrator created by the CLI on this data folder's cluster: when the
/// command returns, the users read model already lets the administrator log in.
async fn create_company(data_dir: &Path) {
    let dir = data_dir.to_str().unwrap();
    let args = ["admin", "create", "--data-dir", dir, "--company", "Acme", "--email", "admin@acme.test", "--password-stdin"];
    let (ok, _, stderr) = process::run(&args, None, "admin-password\n").await;
    assert!(ok, "{stderr}");
    let sql = "SELECT count(*) FROM users WHERE email = 'admin@acme.test' AND member AND active AND has_password";
    let found: i64 = embedded_client(data_dir).await.query_one(sql, &[]).await.unwrap().get(0);
    assert_eq!(found, 1, "admin create returned before the administrator could log in");
}

/// Logs in and adds a user through `served`: the server and its database both work.
async fn works(served: &Served, email: &str) {
    let api = Api::login_at(&served.url(""), "admin@acme.test", "admin-password").await;
    let body = json!({ "email": email, "first_name": "Shared", "last_name": "Folder", "access": "invite_later" });
    let (status, answer) = api.json(reqwest::Method::POST, "/api/v1/users", Some(body)).await;
    assert_eq!(status, 201, "{answer}");
}

/// Alive and not a zombie (this machine's init may be slow to reap).
fn alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| !stat.rsplit(')').next().unwrap_or("").trim_start().starts_with('Z'))
        .unwrap_or(false)
}

fn postmasters_for(dir: &DataDir) -> usize {
    let needle = dir.0.join("postgres").to_string_lossy().into_owned();
    let parent = |pid: i32| -> Option<i32> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        stat.rsplit(')').next()?.split_whitespace().nth(1)?.parse().ok()
    };
    let serving: Vec<i32> = std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse::<i32>().ok()?, std::fs::read(e.path().join("cmdline")).ok()?)))
        .filter(|(pid, cmdline)| {
            let args: Vec<String> = String::from_utf8_lossy(cmdline).split('\0').map(str::to_owned).collect();
            // A postgres of this cluster, not a pg_ctl (its path holds "postgres" too) looking at it.
            alive(*pid) && args[0].rsplit('/').next() == Some("postgres") && args.iter().any(|a| a.starts_with(&needle))
        })
        .map(|(pid, _)| pid)
        .collect();
    // A backend just forked still shows its postmaster's command line: only count those
    // whose parent is not one of them.
    serving.iter().filter(|pid| parent(**pid).is_none_or(|p| !serving.contains(&p))).count()
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
async fn several_serve_processes_share_one_data_folder_and_the_last_one_out_stops_the_cluster() {
    let dir = DataDir::new();
    let first = Served::start(&dir.0, None).await;
    let pid = postmaster_pid(&dir).expect("the first server started the cluster");
    // The second names the folder through SWITCHBOARD_DATA_DIR instead of --data-dir.
    let mut second = Serve::new(&dir.0).data_dir_from_env().start().await;
    assert!(second.printed("reusing the PostgreSQL cluster"), "{:?}", second.drain());
    assert_eq!((postmasters_for(&dir), postmaster_pid(&dir)), (1, Some(pid)), "one cluster for both");
    // A third process (the CLI) comes and goes; both servers use what it wrote.
    create_company(&dir.0).await;
    works(&first, "one@acme.test").await;
    works(&second, "two@acme.test").await;

    // The first one out (the one that started the cluster) leaves it to the second.
    let said = first.terminate().await;
    assert!(said.iter().any(|l| l.contains("left running for another switchboard process")), "{said:#?}");
    assert!(alive(pid), "stopping one server stopped its sibling's database");
    works(&second, "three@acme.test").await;

    // The last one out stops it.
    let said = second.terminate().await;
    assert!(said.iter().any(|l| l.contains("embedded PostgreSQL stopped")), "{said:#?}");
    assert!(!alive(pid) && postmasters_for(&dir) == 0, "the cluster outlived its last server");
    assert!(postmaster_pid(&dir).is_none());

    // A sibling killed with SIGKILL holds nothing: the survivor is then the last one out.
    let killed = Served::start(&dir.0, None).await;
    let survivor = Served::start(&dir.0, None).await;
    let pid = postmaster_pid(&dir).unwrap();
    killed.kill().await;
    works(&survivor, "four@acme.test").await;
    let said = survivor.terminate().await;
    assert!(said.iter().any(|l| l.contains("embedded PostgreSQL stopped")), "{said:#?}");
    assert!(!alive(pid) && postmasters_for(&dir) == 0, "a killed sibling kept the cluster running");
}

#[tokio::test]
async fn the_embedded_cluster_runs_as_the_postgres_user_when_switchboard_runs_as_root() {
    let (uid, who) = expected_cluster_user();
    let dir = DataDir::new();
    let served = Served::start(&dir.0, None).await;
    let pid = postmaster_pid(&dir).unwrap();
    assert_eq!(uids_of(pid), (uid, uid), "the postmaster runs as {who}");
    assert_eq!(std::fs::metadata(dir.0.join("postgres/PG_VERSION")).unwrap().uid(), uid, "the cluster's files belong to {who}");
    served.terminate().await;

    // A data folder that user cannot enter (a checkout under /root, say): as root, the
    // cluster lives under /var/lib/switchboard and the data folder links to it; otherwise
    // it stays in the data folder, as the user running switchboard can always enter it.
    let private = DataDir::new();
    std::fs::set_permissions(&private.0, std::fs::Permissions::from_mode(0o700)).unwrap();
    let data = private.0.join("data");
    let served = Served::start(&data, None).await;
    let cluster = data.join("postgres");
    let moved = std::fs::symlink_metadata(&cluster).unwrap().file_type().is_symlink();
    let _cleanup = moved.then(|| OutsideCluster(std::fs::read_link(&cluster).unwrap()));
    if nix::unistd::geteuid().is_root() {
        let target = std::fs::read_link(&cluster).expect("<data-dir>/postgres links to the cluster");
        assert!(target.starts_with("/var/lib/switchboard/clusters/"), "{}", target.display());
    } else {
        assert!(!moved, "the cluster moved out of a folder its own user can enter");
    }
    let pid = postmaster_pid_in(&data).expect("the cluster runs");
    assert_eq!(uids_of(pid), (uid, uid), "the postmaster runs as {who}");
    served.terminate().await;
}

/// A cluster kept under /var/lib/switchboard for a test, removed at the end.
struct OutsideCluster(PathBuf);

impl Drop for OutsideCluster {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
        for extension in ["turn", "ready"] {
            let _ = std::fs::remove_file(self.0.with_extension(extension));
        }
    }
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
    server.caught_up_with(projections::Registered::ALL).await;
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
        (vec!["--email", "not-an-address"], "a-long-password\n", "\"not-an-address\" is not a valid e-mail address"),
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

/// Every read model of the registry can be rebuilt from the CLI (the agent-load one's name
/// has a dash, which once broke its rebuild's SQL), and the help names them all.
#[tokio::test]
async fn rebuild_replays_every_read_model_the_registry_names() {
    let db = TestDb::new().await;
    let url = db.url();
    let (ok, _, stderr) =
        process::run(&["admin", "create", "--company", "Acme", "--email", "boss@acme.test", "--password-stdin"], Some(&url), "a-long-password\n")
            .await;
    assert!(ok, "{stderr}");

    let (ok, stdout, stderr) = process::run(&["rebuild"], Some(&url), "").await;
    assert!(ok, "{stderr}");
    let names: Vec<&str> = projections::Registered::rebuildable_ones().map(|p| p.name()).collect();
    assert!(names.contains(&"agent-load") && !names.contains(&"invitation-outbox"));
    for name in &names {
        assert!(stdout.contains(&format!("rebuilt {name}: ")), "{name} was not rebuilt: {stdout}");
    }
    // No scratch schema is left, and the rebuilt read models serve the administrator.
    let client = db.client().await;
    let left: i64 = client.query_one("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'rebuild_%'", &[]).await.unwrap().get(0);
    assert_eq!(left, 0);
    let server = TestServer::start(&db).await;
    server.app.caught_up().await.unwrap();
    let page = server.login("boss@acme.test", "a-long-password").await.get_text("/admin/users").await;
    assert!(page.contains("1 of 10 seats in use"), "{page}");

    let (ok, _, stderr) = process::run(&["rebuild", "nothing"], Some(&url), "").await;
    assert!(!ok);
    assert!(stderr.contains("invalid value 'nothing'") && names.iter().all(|n| stderr.contains(n)), "{stderr}");
    let (_, help, _) = process::run(&["rebuild", "--help"], None, "").await;
    assert!(names.iter().all(|n| help.contains(n)), "{help}");
}

#[tokio::test]
async fn admin_create_names_the_address_the_server_really_listens_on_and_writes_no_colour_codes() {
    let db = TestDb::new().await;
    let url = db.url();
    let dir = DataDir::new();
    let data_dir = dir.0.to_str().unwrap().to_owned();
    let create = |email: &'static str, data_dir: String, url: String| async move {
        let args = ["admin", "create", "--company", "Acme", "--email", email, "--password-stdin", "--data-dir", &data_dir];
        let mut command = process::command(&args, Some(&url));
        command.env_remove("SWITCHBOARD_PUBLIC_URL");
        run_with_stdin(command, "a-long-password\n").await
    };

    // No server on this data folder: it says where the address is printed, and no fixed address.
    let (ok, stdout, stderr) = create("one@acme.test", data_dir.clone(), url.clone()).await;
    assert!(ok, "{stderr}");
    assert!(stdout.contains("`switchboard serve` prints its address when it starts"), "{stdout}");
    assert!(!stdout.contains("for example http://127.0.0.1:8080"), "{stdout}");

    // With a server running on this data folder (on a port of its own), it names that server.
    let mut served = Serve::new(&dir.0).database(Some(&url)).start().await;
    let (ok, stdout, stderr) = create("two@acme.test", data_dir.clone(), url.clone()).await;
    assert!(ok, "{stderr}");
    assert!(stdout.contains(&format!("Log in at http://127.0.0.1:{}/login.", served.port)), "{stdout}");
    // Neither the CLI's log lines nor the server's carry colour codes into a pipe.
    assert!(!stderr.contains('\u{1b}') && !stdout.contains('\u{1b}'), "{stderr:?}");
    assert!(served.drain().iter().all(|l| !l.contains('\u{1b}')), "{:?}", served.output);
    served.terminate().await;

    // Once it stopped, it is no longer named; SWITCHBOARD_PUBLIC_URL names the public address.
    let args = ["admin", "create", "--company", "Acme", "--email", "three@acme.test", "--password-stdin", "--data-dir", &data_dir];
    let mut command = process::command(&args, Some(&url));
    command.env("SWITCHBOARD_PUBLIC_URL", "https://chat.acme.test/");
    let (ok, stdout, stderr) = run_with_stdin(command, "a-long-password\n").await;
    assert!(ok, "{stderr}");
    assert!(stdout.contains("Log in at https://chat.acme.test/login."), "{stdout}");
}

async fn run_with_stdin(mut command: tokio::process::Command, stdin: &str) -> (bool, String, String) {
    use std::process::Stdio;
    use tokio::io::AsyncWriteExt;
    let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).await.unwrap();
    drop(input);
    let out = child.wait_with_output().await.unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}
