//! Running the real `switchboard` binary as a child process.

use std::path::Path;
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

/// `switchboard` with the given arguments and, optionally, a DATABASE_URL.
pub fn command(args: &[&str], database_url: Option<&str>) -> Command {
    let mut command = Command::new(binary());
    command.args(args).env_remove("DATABASE_URL").env("SWITCHBOARD_LOG", "info").kill_on_drop(true);
    if let Some(url) = database_url {
        command.env("DATABASE_URL", url);
    }
    command
}

/// A running `switchboard serve` whose output lines are collected.
pub struct Served {
    pub child: Child,
    pub port: u16,
    lines: mpsc::UnboundedReceiver<String>,
    pub output: Vec<String>,
}

impl Served {
    pub async fn start(data_dir: &Path, database_url: Option<&str>) -> Served {
        let port = free_port();
        let listen = format!("127.0.0.1:{port}");
        let mut child = command(&["serve", "--listen", &listen, "--data-dir", data_dir.to_str().unwrap()], database_url)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the switchboard binary starts");
        let (tx, lines) = mpsc::unbounded_channel();
        forward(child.stdout.take().unwrap(), tx.clone());
        forward(child.stderr.take().unwrap(), tx);
        let mut served = Served { child, port, lines, output: Vec::new() };
        served.wait_healthy().await;
        served
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

    /// Sends SIGTERM and waits for a clean exit.
    pub async fn terminate(mut self) -> Vec<String> {
        let pid = nix::unistd::Pid::from_raw(self.child.id().unwrap() as i32);
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
        let status = tokio::time::timeout(Duration::from_secs(60), self.child.wait()).await.expect("exits after SIGTERM").unwrap();
        // Let the output readers finish.
        tokio::time::sleep(Duration::from_millis(100)).await;
        self.drain();
        assert!(status.success(), "switchboard exited with {status}: {}", self.output.join("\n"));
        self.output
    }

    /// `kill -9`: no chance to clean up.
    pub async fn kill(mut self) {
        self.child.kill().await.unwrap();
    }
}

fn forward(stream: impl AsyncRead + Unpin + Send + 'static, tx: mpsc::UnboundedSender<String>) {
    tokio::spawn(async move {
        let mut lines = BufReader::new(stream).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            let _ = tx.send(line);
        }
    });
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
