//! A real headless Chromium, driven through chromedriver (WebDriver).

use std::process::Stdio;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use tokio::process::{Child, Command};

pub struct Browser {
    pub client: Client,
    _driver: Child,
    profile: std::path::PathBuf,
}

fn program(env: &str, default: &str) -> String {
    std::env::var(env).ok().filter(|p| !p.is_empty()).unwrap_or_else(|| default.to_owned())
}

impl Browser {
    /// Chromium (`SWITCHBOARD_TEST_CHROMIUM`, default /usr/bin/chromium) through chromedriver
    /// (`SWITCHBOARD_TEST_CHROMEDRIVER`, default /usr/bin/chromedriver); `./dev test`
    /// installs both.
    pub async fn start() -> Browser {
        Self::start_speaking("en-US,en").await
    }

    /// A browser whose language settings (its `Accept-Language`) ask for `languages`.
    pub async fn start_speaking(languages: &str) -> Browser {
        let chromium = program("SWITCHBOARD_TEST_CHROMIUM", "/usr/bin/chromium");
        let chromedriver = program("SWITCHBOARD_TEST_CHROMEDRIVER", "/usr/bin/chromedriver");
        assert!(
            std::path::Path::new(&chromium).exists() && std::path::Path::new(&chromedriver).exists(),
            "Chromium and chromedriver are needed for the browser tests: run them with ./dev test, which installs them (apt-get install chromium chromium-driver)"
        );
        let port = crate::process::free_port();
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver starts");
        crate::wait::until("chromedriver listening", crate::wait::DEADLINE, || async {
            tokio::net::TcpStream::connect(("127.0.0.1", port)).await.map(|_| ()).map_err(|e| e.to_string())
        })
        .await;
        let profile = std::env::temp_dir().join(format!("sb-chromium-{}", uuid::Uuid::now_v7().simple()));
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--disable-quic",
                    "--window-size=1280,900", format!("--user-data-dir={}", profile.display())
                ],
                // Notifications allowed, as an agent who said yes to the console's question.
                "prefs": { "intl.accept_languages": languages, "profile.default_content_setting_values.notifications": 1 }
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client =
            ClientBuilder::new(connector).capabilities(capabilities).connect(&format!("http://127.0.0.1:{port}")).await.expect("a Chromium session");
        Browser { client, _driver: driver, profile }
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    /// Waits up to 10 s for an element.
    /// An element inside the widget's Shadow DOM (waited for as `find` waits), for real
    /// clicks and keys.
    pub async fn widget_element(&self, css: &str) -> fantoccini::elements::Element {
        let root = self.find("switchboard-chat").await.shadow_root().await.expect("the widget has an open shadow root");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            match root.find(Locator::Css(css)).await {
                Ok(element) => return element,
                Err(e) if tokio::time::Instant::now() >= deadline => panic!("no `{css}` in the widget: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no `{css}` on the page: {e}"))
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    /// Logs in through the login page at `url`.
    pub async fn log_in(&self, url: &str, email: &str, password: &str) {
        self.goto(url).await;
        self.fill("#email", email).await;
        self.fill("#password", password).await;
        self.click("button[type=submit]").await;
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.unwrap();
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap()
    }

    pub async fn page(&self) -> String {
        self.client.source().await.unwrap()
    }

    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    /// A test that fails never reaches `close`, and Chromium, started by chromedriver,
    /// outlives chromedriver's death: stop every process using this browser's profile.
    fn drop(&mut self) {
        for pid in self.processes() {
            let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL);
        }
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

impl Browser {
    /// The processes started with this browser's profile (Chromium's main process).
    pub fn processes(&self) -> Vec<i32> {
        let marker = format!("--user-data-dir={}", self.profile.display());
        let mut pids = Vec::new();
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else { continue };
            let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else { continue };
            if cmdline.split(|b| *b == 0).any(|arg| arg == marker.as_bytes()) {
                pids.push(pid);
            }
        }
        pids
    }
}

/// Serves one static page on its own port, on another origin than the server's: a
/// customer's website. Its address.
pub async fn customer_site(html: String) -> String {
    customer_site_with_policy(html, None).await
}

/// `customer_site`, with the page sent under a `Content-Security-Policy` when one is given,
/// and a script of its own at `/watch.js` that records every CSP violation the browser
/// reports in `window.__violations` (an inline script would itself be one).
pub async fn customer_site_with_policy(html: String, policy: Option<String>) -> String {
    use axum::http::header;
    use axum::response::IntoResponse;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let page = move || async move {
        let mut response = axum::response::Html(html).into_response();
        if let Some(policy) = policy {
            response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, policy.parse().unwrap());
        }
        response
    };
    let watch = || async {
        (
            [(header::CONTENT_TYPE, "text/javascript")],
            "window.__violations = []; document.addEventListener('securitypolicyviolation', \
             (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));",
        )
    };
    let app = axum::Router::new().route("/", axum::routing::get(page)).route("/watch.js", axum::routing::get(watch));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}/")
}
