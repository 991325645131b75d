//! A real SMTP server process (Python's aiosmtpd) that stores what it receives in a maildir.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};

pub struct SmtpServer {
    pub port: u16,
    pub maildir: PathBuf,
    child: Child,
}

impl SmtpServer {
    pub async fn start(port: u16) -> SmtpServer {
        let maildir = std::env::temp_dir().join(format!("sb-maildir-{}", uuid::Uuid::now_v7().simple()));
        let child = Command::new(crate::process::python_with("aiosmtpd"))
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("aiosmtpd starts");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return SmtpServer { port, maildir, child };
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("aiosmtpd did not listen on port {port}");
    }

    /// Every message received so far, as raw text.
    pub fn messages(&self) -> Vec<String> {
        read_all(&[self.maildir.join("new"), self.maildir.join("cur")])
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

pub fn read_all(dirs: &[PathBuf]) -> Vec<String> {
    let mut files: Vec<PathBuf> = dirs.iter().flat_map(|d| std::fs::read_dir(d).into_iter().flatten().flatten().map(|e| e.path())).collect();
    files.sort();
    files.iter().filter_map(|f| std::fs::read_to_string(f).ok()).collect()
}

/// Waits until `count()` reaches `at_least`, up to 30 seconds; returns the last count.
pub async fn wait_for<F: FnMut() -> usize>(mut count: F, at_least: usize) -> usize {
    for _ in 0..300 {
        let n = count();
        if n >= at_least {
            return n;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    count()
}

/// The invitation link in a mail (quoted-printable soft breaks undone).
pub fn invitation_link(mail: &str) -> String {
    let text = mail.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
    let start = text.find("/invitation/").expect("the mail carries an invitation link");
    let token: String = text[start + "/invitation/".len()..].chars().take_while(|c| c.is_ascii_hexdigit()).collect();
    format!("/invitation/{token}")
}

/// The password reset link in a mail (quoted-printable soft breaks undone).
pub fn password_reset_link(mail: &str) -> String {
    let text = mail.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
    let start = text.find("/password-reset/").expect("the mail carries a password reset link");
    let token: String = text[start + "/password-reset/".len()..].chars().take_while(|c| c.is_ascii_hexdigit()).collect();
    format!("/password-reset/{token}")
}
