//! A private PostgreSQL cluster under the data folder, for running with no `DATABASE_URL`.
//!
//! The cluster listens only on a Unix socket inside its own 0700 folder, so trust
//! authentication reaches nobody but its owner (and root). Every process using the
//! folder holds a shared lock on `cluster.lock`; the one that finds itself alone on the
//! way out stops the cluster. A cluster left running by a killed process is reused; a
//! stale `postmaster.pid` is cleared.

use std::fs::{self, File};
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use thiserror::Error;

const PROGRAMS: [&str; 3] = ["initdb", "pg_ctl", "postgres"];
const PORT: u16 = 5432;
const SOCKET_PATH_MAX: usize = 100;
pub const DATABASE: &str = "switchboard";

#[derive(Debug, Error)]
pub enum EmbeddedError {
    #[error(
        "PostgreSQL is not installed: install it (on Debian or Ubuntu: `sudo apt-get install postgresql`) \
         or set DATABASE_URL to the address of a PostgreSQL server."
    )]
    NotInstalled,
    #[error(
        "switchboard runs as root and PostgreSQL refuses to: create the system user `postgres` \
         (installing the postgresql package does) or run switchboard as an ordinary user."
    )]
    NoUnprivilegedUser,
    #[error("the data folder path {path} is too long for a Unix socket; choose a shorter --data-dir")]
    PathTooLong { path: PathBuf },
    #[error("{action} failed: {detail}")]
    Command { action: String, detail: String },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Which account runs the PostgreSQL programs.
#[derive(Debug, Clone)]
struct RunAs {
    name: String,
    uid: u32,
    gid: u32,
}

#[derive(Debug)]
pub struct EmbeddedPostgres {
    bin_dir: PathBuf,
    cluster_dir: PathBuf,
    run_as: Option<RunAs>,
    /// Held shared while this process uses the cluster.
    lock: File,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// fsync on: for `serve`.
    Safe,
    /// fsync off: for throwaway test clusters.
    Fast,
}

impl EmbeddedPostgres {
    /// Creates the cluster under `data_dir/postgres` on first use, starts it unless it runs
    /// already, and makes sure the `switchboard` database exists.
    pub async fn start(data_dir: &Path, durability: Durability) -> Result<Self, EmbeddedError> {
        let data_dir = data_dir.to_owned();
        tokio::task::spawn_blocking(move || Self::start_blocking(&data_dir, durability))
            .await
            .map_err(|e| EmbeddedError::Command { action: "starting PostgreSQL".into(), detail: e.to_string() })?
    }

    fn start_blocking(data_dir: &Path, durability: Durability) -> Result<Self, EmbeddedError> {
        let bin_dir = find_programs(&SearchPlaces::system()).ok_or(EmbeddedError::NotInstalled)?;
        fs::create_dir_all(data_dir)?;
        let data_dir = data_dir.canonicalize()?;
        let run_as = unprivileged_user()?;
        let cluster_dir = match &run_as {
            Some(user) if !reachable(&data_dir, user)? => outside_cluster_dir(&data_dir, user)?,
            _ => data_dir.join("postgres"),
        };
        let socket = cluster_dir.join(format!(".s.PGSQL.{PORT}"));
        if socket.as_os_str().len() > SOCKET_PATH_MAX {
            return Err(EmbeddedError::PathTooLong { path: data_dir });
        }

        let lock = File::options().create(true).append(true).open(data_dir.join("cluster.lock"))?;
        let me = EmbeddedPostgres { bin_dir, cluster_dir, run_as, lock };
        {
            // Creating, starting and stopping happen one process at a time; the user lock
            // is taken before this one is let go, so nobody stops what we just started.
            let _turn = me.take_turn()?;
            me.ensure_initialised(durability)?;
            me.ensure_running()?;
            me.lock.lock_shared()?;
        }
        me.ensure_database()?;
        Ok(me)
    }

    fn take_turn(&self) -> Result<File, EmbeddedError> {
        let turn = File::options().create(true).append(true).open(self.cluster_dir.with_extension("turn"))?;
        turn.lock()?;
        Ok(turn)
    }

    /// How to connect: the socket folder, as the cluster's superuser.
    pub fn config(&self) -> tokio_postgres::Config {
        let mut config = tokio_postgres::Config::new();
        config.host_path(&self.cluster_dir).port(PORT).user(self.superuser()).dbname(DATABASE);
        config
    }

    pub fn cluster_dir(&self) -> &Path {
        &self.cluster_dir
    }

    /// Stops the cluster if no other process uses it. Returns whether it was stopped.
    pub fn stop(self) -> Result<bool, EmbeddedError> {
        let _turn = self.take_turn()?;
        self.lock.unlock()?;
        if self.lock.try_lock().is_err() {
            return Ok(false);
        }
        let stopped = self.pg_ctl(&["stop", "-m", "fast", "-w", "-t", "60"], "stopping PostgreSQL");
        self.lock.unlock()?;
        stopped.map(|_| true)
    }

    fn superuser(&self) -> String {
        match &self.run_as {
            Some(user) => user.name.clone(),
            None => current_user_name(),
        }
    }

    fn ensure_initialised(&self, durability: Durability) -> Result<(), EmbeddedError> {
        let ready_marker = self.cluster_dir.with_extension("ready");
        if !ready_marker.exists() {
            // A half-made cluster (initdb killed midway) is ours to throw away.
            if self.cluster_dir.exists() {
                fs::remove_dir_all(&self.cluster_dir)?;
            }
            fs::create_dir(&self.cluster_dir)?;
            fs::set_permissions(&self.cluster_dir, fs::Permissions::from_mode(0o700))?;
            self.give_to_runner(&self.cluster_dir)?;
            let dir = self.cluster_dir.to_string_lossy().into_owned();
            let user = self.superuser();
            self.run(
                "initdb",
                &["-D", &dir, "-U", &user, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-instructions"],
                "creating the PostgreSQL cluster (initdb)",
            )?;
            let conf = self.cluster_dir.join("postgresql.conf");
            let mut file = File::options().append(true).open(&conf)?;
            writeln!(file, "\ninclude_if_exists = 'switchboard.conf'")?;
            File::create(&ready_marker)?;
        }
        // Rewritten at every start, so a moved data folder or a new setting takes effect.
        let dir = self.cluster_dir.to_string_lossy().replace('\'', "''");
        let mut settings = format!(
            "listen_addresses = ''\nport = {PORT}\nunix_socket_directories = '{dir}'\nunix_socket_permissions = 0700\n\
             max_connections = 300\nlogging_collector = off\n"
        );
        if durability == Durability::Fast {
            settings.push_str("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n");
        }
        let path = self.cluster_dir.join("switchboard.conf");
        fs::write(&path, settings)?;
        self.give_to_runner(&path)?;
        Ok(())
    }

    fn ensure_running(&self) -> Result<(), EmbeddedError> {
        if self.is_running() {
            tracing::info!(cluster = %self.cluster_dir.display(), "reusing the PostgreSQL cluster that is already running");
            return Ok(());
        }
        self.clear_stale_lock_files()?;
        let log = self.cluster_dir.join("server.log").to_string_lossy().into_owned();
        self.pg_ctl(&["start", "-w", "-t", "120", "-l", &log], "starting PostgreSQL").map_err(|e| {
            let tail = fs::read_to_string(&log).unwrap_or_default();
            let tail: Vec<&str> = tail.lines().rev().take(5).collect();
            EmbeddedError::Command {
                action: "starting PostgreSQL".into(),
                detail: format!("{e}; log: {}", tail.into_iter().rev().collect::<Vec<_>>().join(" | ")),
            }
        })?;
        Ok(())
    }

    /// True when a postmaster for this cluster is alive (per its pid file).
    fn is_running(&self) -> bool {
        postmaster_pid(&self.cluster_dir).is_some_and(|pid| is_postgres_of(pid, &self.cluster_dir))
    }

    /// After a crash or `kill -9`, the pid file (and socket lock) may name a dead process, or
    /// one that has since been given the same pid: neither may block the next start.
    fn clear_stale_lock_files(&self) -> Result<(), EmbeddedError> {
        for name in ["postmaster.pid".to_string(), format!(".s.PGSQL.{PORT}.lock"), format!(".s.PGSQL.{PORT}")] {
            let path = self.cluster_dir.join(&name);
            if path.exists() {
                tracing::warn!(file = %path.display(), "removing a stale PostgreSQL lock file");
                fs::remove_file(&path)?;
            }
        }
        Ok(())
    }

    fn ensure_database(&self) -> Result<(), EmbeddedError> {
        let dir = self.cluster_dir.to_string_lossy().into_owned();
        let user = self.superuser();
        let port = PORT.to_string();
        let psql = |sql: &str| {
            self.output(
                "psql",
                &["-h", &dir, "-p", &port, "-U", &user, "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-tAc", sql],
                "preparing the switchboard database",
            )
        };
        let exists = psql(&format!("SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"))?;
        if exists.trim() != "1" {
            if let Err(e) = psql(&format!("CREATE DATABASE {DATABASE}")) {
                // Another process may have created it meanwhile.
                if !e.to_string().contains("already exists") {
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    fn pg_ctl(&self, args: &[&str], action: &str) -> Result<String, EmbeddedError> {
        let dir = self.cluster_dir.to_string_lossy().into_owned();
        let mut all = vec!["-D", &dir];
        all.extend_from_slice(args);
        self.output("pg_ctl", &all, action)
    }

    fn run(&self, program: &str, args: &[&str], action: &str) -> Result<(), EmbeddedError> {
        self.output(program, args, action).map(|_| ())
    }

    fn output(&self, program: &str, args: &[&str], action: &str) -> Result<String, EmbeddedError> {
        let path = if program == "psql" { find_psql(&self.bin_dir) } else { self.bin_dir.join(program) };
        let mut command = Command::new(path);
        command
            .args(args)
            .current_dir("/")
            .env("LC_ALL", "C")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own process group: Ctrl-C in a terminal reaches switchboard, which then
            // shuts PostgreSQL down in order, instead of killing both at once.
            .process_group(0);
        if let Some(user) = &self.run_as {
            // std drops root's supplementary groups itself when it switches the uid.
            command.uid(user.uid).gid(user.gid).env("HOME", "/").env("USER", &user.name);
        }
        let out = command.output().map_err(|e| EmbeddedError::Command { action: action.into(), detail: e.to_string() })?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            let detail = String::from_utf8_lossy(&out.stderr).trim().to_owned();
            Err(EmbeddedError::Command { action: action.into(), detail: if detail.is_empty() { out.status.to_string() } else { detail } })
        }
    }

    fn give_to_runner(&self, path: &Path) -> Result<(), EmbeddedError> {
        if let Some(user) = &self.run_as {
            std::os::unix::fs::chown(path, Some(user.uid), Some(user.gid))?;
        }
        Ok(())
    }
}

/// Where to look for the PostgreSQL programs.
pub struct SearchPlaces {
    pub path: Option<std::ffi::OsString>,
    pub ask_pg_config: bool,
    /// Folders holding one folder per installed version (`/usr/lib/postgresql/15/bin`).
    pub version_roots: Vec<PathBuf>,
}

impl SearchPlaces {
    pub fn system() -> Self {
        SearchPlaces {
            path: std::env::var_os("PATH"),
            ask_pg_config: true,
            version_roots: ["/usr/lib/postgresql", "/usr/local/pgsql", "/opt/homebrew/opt", "/usr"].map(PathBuf::from).to_vec(),
        }
    }
}

/// The folder holding initdb, pg_ctl and postgres: on PATH, from `pg_config --bindir`, or
/// in the usual system folders (newest version first).
pub fn find_programs(places: &SearchPlaces) -> Option<PathBuf> {
    let complete = |dir: &Path| PROGRAMS.iter().all(|p| dir.join(p).is_file());
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(path) = &places.path {
        for dir in std::env::split_paths(path) {
            if let Ok(real) = dir.join("pg_ctl").canonicalize() {
                candidates.extend(real.parent().map(Path::to_path_buf));
            }
        }
    }
    if places.ask_pg_config {
        if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
            if out.status.success() {
                candidates.push(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
            }
        }
    }
    for root in &places.version_roots {
        let mut versions: Vec<PathBuf> = fs::read_dir(root).into_iter().flatten().flatten().map(|e| e.path()).map(|p| p.join("bin")).collect();
        versions.sort_by_key(|p| std::cmp::Reverse(version_of(p)));
        candidates.extend(versions);
    }
    candidates.push(PathBuf::from("/usr/local/pgsql/bin"));
    candidates.into_iter().find(|d| complete(d))
}

fn version_of(bin: &Path) -> u32 {
    bin.parent()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().chars().filter(char::is_ascii_digit).collect::<String>())
        .and_then(|d| d.parse().ok())
        .unwrap_or(0)
}

fn find_psql(bin_dir: &Path) -> PathBuf {
    let beside = bin_dir.join("psql");
    if beside.is_file() {
        beside
    } else {
        PathBuf::from("psql")
    }
}

fn unprivileged_user() -> Result<Option<RunAs>, EmbeddedError> {
    if !nix::unistd::geteuid().is_root() {
        return Ok(None);
    }
    match nix::unistd::User::from_name("postgres") {
        Ok(Some(user)) if !user.uid.is_root() => Ok(Some(RunAs { name: user.name, uid: user.uid.as_raw(), gid: user.gid.as_raw() })),
        _ => Err(EmbeddedError::NoUnprivilegedUser),
    }
}

fn current_user_name() -> String {
    nix::unistd::User::from_uid(nix::unistd::geteuid())
        .ok()
        .flatten()
        .map(|u| u.name)
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "postgres".into())
}

/// Whether every folder down to the data folder lets `user` through.
fn reachable(data_dir: &Path, user: &RunAs) -> Result<bool, EmbeddedError> {
    use std::os::unix::fs::MetadataExt;
    for dir in data_dir.ancestors() {
        let meta = fs::metadata(dir)?;
        let mode = meta.mode();
        let passes = mode & 0o001 != 0 || (meta.uid() == user.uid && mode & 0o100 != 0) || (meta.gid() == user.gid && mode & 0o010 != 0);
        if !passes {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Root running switchboard from a folder the PostgreSQL user cannot enter (under /root,
/// say): the cluster lives under /var/lib/switchboard instead, one per data folder, and
/// `data_dir/postgres` points to it.
fn outside_cluster_dir(data_dir: &Path, user: &RunAs) -> Result<PathBuf, EmbeddedError> {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    data_dir.hash(&mut hasher);
    let parent = PathBuf::from("/var/lib/switchboard/clusters");
    fs::create_dir_all(&parent)?;
    let dir = parent.join(format!("{:016x}", hasher.finish()));
    let link = data_dir.join("postgres");
    if fs::symlink_metadata(&link).is_err() {
        std::os::unix::fs::symlink(&dir, &link)?;
    }
    tracing::info!(
        cluster = %dir.display(),
        "the PostgreSQL user `{}` cannot enter {}; keeping the cluster under /var/lib/switchboard",
        user.name,
        data_dir.display()
    );
    Ok(dir)
}

fn postmaster_pid(cluster_dir: &Path) -> Option<i32> {
    fs::read_to_string(cluster_dir.join("postmaster.pid")).ok()?.lines().next()?.trim().parse().ok()
}

/// Whether `pid` is a live postgres serving `cluster_dir` (not some process that reused the pid).
fn is_postgres_of(pid: i32, cluster_dir: &Path) -> bool {
    let Ok(cmdline) = fs::read(format!("/proc/{pid}/cmdline")) else {
        // No /proc: fall back to "the pid is alive".
        return nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok();
    };
    let cmdline = String::from_utf8_lossy(&cmdline);
    cmdline.contains("postgres") && cmdline.contains(&*cluster_dir.to_string_lossy())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_install(root: &Path, version: &str) -> PathBuf {
        let bin = root.join(version).join("bin");
        fs::create_dir_all(&bin).unwrap();
        for p in PROGRAMS {
            fs::write(bin.join(p), "").unwrap();
        }
        bin
    }

    #[test]
    fn the_newest_installed_version_is_found_and_none_means_not_installed() {
        let root = std::env::temp_dir().join(format!("sb-pg-search-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let nowhere = SearchPlaces { path: Some("".into()), ask_pg_config: false, version_roots: vec![root.clone()] };
        assert_eq!(find_programs(&nowhere), None);

        fake_install(&root, "13");
        let newest = fake_install(&root, "16");
        fs::create_dir_all(root.join("17/bin")).unwrap(); // incomplete: no programs
        assert_eq!(find_programs(&nowhere), Some(newest));
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_machine_without_postgresql_is_told_what_to_install_in_one_sentence() {
        let message = EmbeddedError::NotInstalled.to_string();
        assert!(message.contains("apt-get install postgresql") && message.contains("DATABASE_URL"), "{message}");
        assert_eq!(message.matches(". ").count(), 0, "one sentence: {message}");
    }
}
