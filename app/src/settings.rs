//! What a running Switchboard is told by its environment.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use commands::mailer::Transport;

pub struct Settings {
    /// Mark cookies Secure (set when served over HTTPS).
    pub secure_cookies: bool,
    /// Where users reach this server, for links in e-mails and the widget snippet.
    pub public_url: String,
    pub mail: Arc<Transport>,
    /// How long a disconnected agent keeps their conversations before they are requeued.
    pub agent_grace: Duration,
}

impl Settings {
    /// From the environment: SWITCHBOARD_SECURE_COOKIES, SWITCHBOARD_PUBLIC_URL (default:
    /// the listening address), SWITCHBOARD_AGENT_GRACE_SECONDS (default 60),
    /// SWITCHBOARD_SMTP_URL and SWITCHBOARD_MAIL_FROM.
    pub fn from_env(listen: SocketAddr, data_dir: &Path) -> Result<Self, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Ok(Settings {
            secure_cookies: var("SWITCHBOARD_SECURE_COOKIES").is_some_and(|v| v == "1" || v == "true"),
            public_url: var("SWITCHBOARD_PUBLIC_URL").unwrap_or_else(|| format!("http://{listen}")),
            mail: Arc::new(Transport::from_env(data_dir).map_err(|e| e.to_string())?),
            agent_grace: Duration::from_secs(var("SWITCHBOARD_AGENT_GRACE_SECONDS").and_then(|v| v.trim().parse().ok()).unwrap_or(60)),
        })
    }
}
