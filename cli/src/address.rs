//! Where the server can be reached, for commands that tell the operator where to log in:
//! `SWITCHBOARD_PUBLIC_URL` when set, else the address each running `switchboard serve`
//! records in its data folder (`serving/<pid>`, removed when it stops; a file left by a
//! killed server names a dead process and is ignored).

use std::path::{Path, PathBuf};

fn folder(data_dir: &Path) -> PathBuf {
    data_dir.join("serving")
}

/// Records that this process serves `url`, until the returned guard is dropped.
pub struct Serving(PathBuf);

impl Serving {
    pub fn record(data_dir: &Path, url: &str) -> Option<Serving> {
        let dir = folder(data_dir);
        let path = dir.join(std::process::id().to_string());
        match std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(&path, url)) {
            Ok(()) => Some(Serving(path)),
            Err(e) => {
                tracing::warn!(error = %e, folder = %dir.display(), "cannot record the address served");
                None
            }
        }
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn alive(pid: i32) -> bool {
    use nix::errno::Errno;
    match nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None) {
        Ok(()) | Err(Errno::EPERM) => true,
        Err(_) => false,
    }
}

/// The addresses of the servers running on this data folder, oldest first.
pub fn running(data_dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(folder(data_dir)) else { return Vec::new() };
    let mut found: Vec<(std::time::SystemTime, String)> = entries
        .flatten()
        .filter_map(|e| {
            let pid: i32 = e.file_name().to_str()?.parse().ok()?;
            if pid <= 0 || !alive(pid) {
                let _ = std::fs::remove_file(e.path());
                return None;
            }
            let url = std::fs::read_to_string(e.path()).ok()?.trim().to_owned();
            let modified = e.metadata().and_then(|m| m.modified()).unwrap_or(std::time::UNIX_EPOCH);
            (!url.is_empty()).then_some((modified, url))
        })
        .collect();
    found.sort();
    let mut urls: Vec<String> = found.into_iter().map(|(_, u)| u).collect();
    urls.dedup();
    urls
}

/// One sentence saying where to log in.
pub fn where_to_log_in(public_url: Option<&str>, data_dir: &Path) -> String {
    if let Some(url) = public_url.map(str::trim).filter(|u| !u.is_empty()) {
        return format!("Log in at {}/login.", url.trim_end_matches('/'));
    }
    match running(data_dir).as_slice() {
        [] => format!(
            "Log in at /login on the server: `switchboard serve` prints its address when it starts (http://127.0.0.1:8080 unless --listen says otherwise; set SWITCHBOARD_PUBLIC_URL to name it here). No server is running on {} now.",
            data_dir.display()
        ),
        [one] => format!("Log in at {}/login.", one.trim_end_matches('/')),
        many => format!("Log in at /login on any of the running servers: {}.", many.join(", ")),
    }
}
