//! Running the real `switchboard` binary as a child process.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;

/// The binary the tests package builds for exactly this. Cargo only tells integration
/// tests where it is (`CARGO_BIN_EXE_…`); the library finds it beside the test executable.
pub fn binary() -> std::path::PathBuf {
    let test_exe = std::env::current_exe().unwrap();
    let profile_dir = test_exe.parent().and_then(|deps| deps.parent()).unwrap();
    let path = profile_dir.join("switchboard-test-server");
    assert!(path.exists(), "{} is missing: run the tests through cargo", path.display());
    path
}

/// A free TCP port on localhost (free when asked; good enough for tests).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A Python that can import `module` (aiosmtpd, localstripe: servers the tests run as real
/// processes; `./dev test` installs both into one Python): `SWITCHBOARD_TEST_PYTHON` or
/// `SWITCHBOARD_TEST_SMTP_PYTHON` (set by `./dev test`), else the first of `python3`,
/// `/usr/bin/python3` that can.
pub fn python_with(module: &str) -> String {
    let from_env =
        ["SWITCHBOARD_TEST_PYTHON", "SWITCHBOARD_TEST_SMTP_PYTHON"].into_iter().filter_map(|v| std::env::var(v).ok()).filter(|p| !p.is_empty());
    let candidates: Vec<String> = from_env.chain(["python3".to_owned(), "/usr/bin/python3".to_owned()]).collect();
    for candidate in &candidates {
        let ok = std::process::Command::new(candidate).args(["-c", &format!("import {module}")]).output().is_ok_and(|o| o.status.success());
        if ok {
            return candidate.clone();
        }
    }
    panic!("none of {candidates:?} can import {module}: run the tests with ./dev test, which installs it (pip install {module})");
}

/// `switchboard` with the given arguments and, optionally, a DATABASE_URL.
pub fn command(args: &[&str], database_url: Option<&str>) -> Command {
    let mut command = Command::new(binary());
    command.args(args).env_remove("DATABASE_URL").env("SWITCHBOARD_LOG", "info").kill_on_drop(true);
    if let Some(url) = database_url {
        command.env("DATABASE_URL", url);
    }
    command
}

/// The settings `serve` reads from the environment (besides DATABASE_URL and SWITCHBOARD_LOG).
const SETTINGS: [&str; 19] = [
    "SWITCHBOARD_DATA_DIR",
    "SWITCHBOARD_CURRENCY",
    "SWITCHBOARD_SEAT_PRICE_MONTHLY",
    "SWITCHBOARD_SEAT_PRICE_ANNUAL",
    "SWITCHBOARD_VAT_PERCENT",
    "SWITCHBOARD_SELLER_NAME",
    "SWITCHBOARD_SELLER_ADDRESS",
    "SWITCHBOARD_SELLER_COUNTRY",
    "SWITCHBOARD_SELLER_VAT_NUMBER",
    "SWITCHBOARD_TODAY",
    "SWITCHBOARD_STRIPE_SECRET_KEY",
    "SWITCHBOARD_STRIPE_PUBLISHABLE_KEY",
    "SWITCHBOARD_STRIPE_API_BASE",
    "SWITCHBOARD_STRIPE_JS_URL",
    "SWITCHBOARD_SECURE_COOKIES",
    "SWITCHBOARD_PUBLIC_URL",
    "SWITCHBOARD_AGENT_GRACE_SECONDS",
    "SWITCHBOARD_SMTP_URL",
    "SWITCHBOARD_MAIL_FROM",
];

/// A running `switchboard serve` whose output lines are collected.
pub struct Served {
    pub child: Child,
    pub port: u16,
    lines: mpsc::UnboundedReceiver<String>,
    readers: Vec<tokio::task::JoinHandle<()>>,
    pub output: Vec<String>,
}

/// How to start `switchboard serve`: the data folder, the database, the port and settings
/// from the environment.
pub struct Serve {
    data_dir: PathBuf,
    database_url: Option<String>,
    port: Option<u16>,
    env: Vec<(String, String)>,
    data_dir_from_env: bool,
}

impl Serve {
    /// On `data_dir`'s embedded cluster, on a free port, with no other settings.
    pub fn new(data_dir: &Path) -> Serve {
        Serve { data_dir: data_dir.to_owned(), database_url: None, port: None, env: Vec::new(), data_dir_from_env: false }
    }

    /// On this PostgreSQL (DATABASE_URL) instead of the embedded cluster.
    pub fn database(mut self, url: Option<&str>) -> Serve {
        self.database_url = url.map(str::to_owned);
        self
    }

    /// On this port (a restarted server on the address its clients know).
    pub fn port(mut self, port: u16) -> Serve {
        self.port = Some(port);
        self
    }

    pub fn env(mut self, name: &str, value: &str) -> Serve {
        self.env.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Names the data folder with SWITCHBOARD_DATA_DIR instead of `--data-dir`.
    pub fn data_dir_from_env(mut self) -> Serve {
        self.data_dir_from_env = true;
        self
    }

    /// Starts it and waits until `/healthz` answers 200.
    pub async fn start(self) -> Served {
        let port = self.port.unwrap_or_else(free_port);
        let listen = format!("127.0.0.1:{port}");
        let data_dir = self.data_dir.to_str().unwrap();
        let mut args = vec!["serve", "--listen", &listen];
        if !self.data_dir_from_env {
            args.extend(["--data-dir", data_dir]);
        }
        let mut command = command(&args, self.database_url.as_deref());
        // Only the settings this test gives: none inherited from the shell running the tests.
        for name in SETTINGS {
            command.env_remove(name);
        }
        if self.data_dir_from_env {
            command.env("SWITCHBOARD_DATA_DIR", data_dir);
        }
        for (name, value) in &self.env {
            command.env(name, value);
        }
        let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("the switchboard binary starts");
        let (tx, lines) = mpsc::unbounded_channel();
        let readers = vec![forward(child.stdout.take().unwrap(), tx.clone()), forward(child.stderr.take().unwrap(), tx)];
        let mut served = Served { child, port, lines, readers, output: Vec::new() };
        served.wait_healthy().await;
        served
    }
}

impl Served {
    /// `switchboard serve` on `data_dir`, with DATABASE_URL when given, on a free port.
    pub async fn start(data_dir: &Path, database_url: Option<&str>) -> Served {
        Serve::new(data_dir).database(database_url).start().await
    }

    pub fn pid(&self) -> i32 {
        self.child.id().expect("the server is running") as i32
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }

    async fn wait_healthy(&mut self) {
        for _ in 0..600 {
            if let Ok(r) = reqwest::get(self.url("/healthz")).await {
                if r.status() == 200 {
                    return;
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                self.drain();
                panic!("switchboard exited with {status}: {}", self.output.join("\n"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.drain();
        panic!("switchboard did not become healthy: {}", self.output.join("\n"));
    }

    /// Everything printed so far.
    pub fn drain(&mut self) -> &[String] {
        while let Ok(line) = self.lines.try_recv() {
            self.output.push(line);
        }
        &self.output
    }

    pub fn printed(&mut self, needle: &str) -> bool {
        self.drain().iter().any(|l| l.contains(needle))
    }

    /// Sends SIGTERM and waits for a clean exit; everything it printed.
    pub async fn terminate(mut self) -> Vec<String> {
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(self.pid()), nix::sys::signal::Signal::SIGTERM).unwrap();
        let status = tokio::time::timeout(Duration::from_secs(60), self.child.wait()).await.expect("exits after SIGTERM").unwrap();
        self.finish_output().await;
        assert!(status.success(), "switchboard exited with {status}: {}", self.output.join("\n"));
        self.output
    }

    /// `kill -9`: no chance to clean up.
    pub async fn kill(mut self) {
        self.child.kill().await.unwrap();
    }

    /// Reads the output to its end (the process is gone: its pipes close).
    async fn finish_output(&mut self) {
        for reader in self.readers.drain(..) {
            let _ = tokio::time::timeout(Duration::from_secs(10), reader).await;
        }
        self.drain();
    }
}

fn forward(stream: impl AsyncRead + Unpin + Send + 'static, tx: mpsc::UnboundedSender<String>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut lines = BufReader::new(stream).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            let _ = tx.send(line);
        }
    })
}

/// Runs a command to completion, feeding `stdin`; returns (success, stdout, stderr).
pub async fn run(args: &[&str], database_url: Option<&str>, stdin: &str) -> (bool, String, String) {
    use tokio::io::AsyncWriteExt;
    let mut child = command(args, database_url).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).await.unwrap();
    drop(input);
    let out = tokio::time::timeout(Duration::from_secs(120), child.wait_with_output()).await.expect("finishes").unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}
