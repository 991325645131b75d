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

/// The server's mail transport, sending to the test SMTP server on `port`.
pub fn smtp_transport(port: u16) -> commands::mailer::Transport {
    commands::mailer::Transport::Smtp {
        transport: lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous("127.0.0.1").port(port).build(),
        from: "Switchboard <no-reply@switchboard.test>".parse().unwrap(),
    }
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

    /// The messages addressed to `to`, as raw text.
    pub fn messages_to(&self, to: &str) -> Vec<String> {
        let header = format!("To: {to}");
        self.messages().into_iter().filter(|m| m.lines().any(|l| l.eq_ignore_ascii_case(&header))).collect()
    }

    /// The messages addressed to `to`, read: subject and text.
    pub fn mails_to(&self, to: &str) -> Vec<(String, String)> {
        self.messages_to(to).iter().map(|m| read_mail(m)).collect()
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

/// A mail file as its reader sees it: the decoded subject and text.
pub fn read_mail(raw: &str) -> (String, String) {
    let raw = raw.replace("\r\n", "\n");
    let (head, body) = raw.split_once("\n\n").expect("headers, then the body");
    let head = head.replace("\n ", " ").replace("\n\t", " ");
    let header = |name: &str| {
        head.lines()
            .find_map(|l| l.split_once(':').filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim().to_owned()))
            .unwrap_or_default()
    };
    let subject = decode_words(&header("Subject"));
    let bytes = match header("Content-Transfer-Encoding").to_ascii_lowercase().as_str() {
        "base64" => base64(&body.split_whitespace().collect::<String>()),
        "quoted-printable" => quoted_printable(body),
        _ => body.as_bytes().to_vec(),
    };
    (subject, String::from_utf8(bytes).expect("a UTF-8 body"))
}

/// RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`); the space between two goes.
fn decode_words(value: &str) -> String {
    let mut out = Vec::new();
    let mut last_encoded = false;
    for word in value.split_whitespace() {
        let encoded = word.strip_prefix("=?").and_then(|w| w.strip_suffix("?=")).and_then(|w| {
            let mut parts = w.splitn(3, '?');
            let (_charset, encoding, text) = (parts.next()?, parts.next()?, parts.next()?);
            match encoding {
                "b" | "B" => Some(base64(text)),
                "q" | "Q" => Some(quoted_printable(&text.replace('_', " "))),
                _ => None,
            }
        });
        // Two encoded words in a row are one text; anything else keeps its space.
        let joined = last_encoded && encoded.is_some();
        if !out.is_empty() && !joined {
            out.push(b' ');
        }
        last_encoded = encoded.is_some();
        out.extend(encoded.unwrap_or_else(|| word.as_bytes().to_vec()));
    }
    String::from_utf8(out).expect("a UTF-8 header")
}

fn quoted_printable(text: &str) -> Vec<u8> {
    let text = text.replace("=\n", "");
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
            if let Some(b) = text.get(i + 1..i + 3).and_then(|hex| u8::from_str_radix(hex, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

fn base64(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in text.bytes().filter(|c| *c != b'=') {
        let v = ALPHABET.iter().position(|a| *a == c).expect("a base64 character") as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}
