//! The WordPress plugin (integrations/wordpress): its own checks (PHP lint, the French
//! translation, a render test), then the zip the install page links to, uploaded into a
//! real WordPress (Debian's) by an administrator in a real Chromium, in English and in
//! French, until the site's pages carry the installation snippet.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use testkit::browser::Browser;
use testkit::server::Browserless;
use testkit::{TestDb, TestServer};

fn wordpress_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../integrations/wordpress")
}

#[test]
fn the_wordpress_plugin_lints_is_translated_and_prints_exactly_the_snippet() {
    let php = Command::new("php").arg("--version").output();
    assert!(
        php.is_ok_and(|o| o.status.success()),
        "PHP is needed to check the WordPress plugin: run the tests with ./dev test, which installs php-cli"
    );
    let out = Command::new("bash").arg(wordpress_dir().join("tests/run.sh")).output().expect("bash runs the plugin's tests");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}");
    assert!(text.contains("0 failed") && text.contains("No syntax errors detected in switchboard-chat/switchboard-chat.php"), "{text}");
    assert!(text.contains("switchboard-chat-fr_FR.mo is compiled from"), "{text}");
}

/// What one language's run reads and types: Switchboard's words, then the WordPress admin's.
struct Words {
    accept_language: &'static str,
    wp_locale: &'static str,
    download: &'static str,
    installed: &'static str,
    description: &'static str,
    settings_link: &'static str,
    address_label: &'static str,
    key_label: &'static str,
    section: &'static str,
    save: &'static str,
    bad_key: &'static str,
    saved: &'static str,
}

const ENGLISH: Words = Words {
    accept_language: "en",
    wp_locale: "en_US",
    download: "Download the plugin (.zip)",
    installed: "Plugin installed successfully.",
    description: "Adds the Switchboard live-chat widget to every page of your site.",
    settings_link: "Settings",
    address_label: "Switchboard address",
    key_label: "Site key",
    section: "Copy both values from the \"Manual installation\" page of your Switchboard site.",
    save: "Save Changes",
    bad_key: "Site key: it must be 16 to 64 characters long",
    saved: "Settings saved.",
};

// The plugin's own words come from its .mo; "installed", "save" and "saved" are
// WordPress's (wordpress-l10n), which says the whole admin is in French.
const FRENCH: Words = Words {
    accept_language: "fr-FR,fr;q=0.9",
    wp_locale: "fr_FR",
    download: "Télécharger l’extension (.zip)",
    installed: "L’extension a bien été installée.",
    description: "Ajoute le widget de chat en direct de Switchboard à toutes les pages de votre site.",
    settings_link: "Réglages",
    address_label: "Adresse de Switchboard",
    key_label: "Clé du site",
    section: "Copiez les deux valeurs depuis la page « Installation manuelle » de votre site Switchboard.",
    save: "Enregistrer les modifications",
    bad_key: "Clé du site : elle doit compter de 16 à 64 caractères",
    saved: "Réglages enregistrés.",
};

#[tokio::test]
async fn the_downloaded_plugin_puts_the_widget_on_a_real_wordpress_set_up_in_english_and_in_french() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    server.company("Acme", "admin@acme.test", "admin-password", 5).await;
    for (words, site) in [(&ENGLISH, "Shop"), (&FRENCH, "Boutique")] {
        let admin = server.login_speaking(Some(words.accept_language), "admin@acme.test", "admin-password").await;
        install_and_check(&server, &admin, words, site).await;
    }
}

async fn install_and_check(server: &TestServer, admin: &Browserless, words: &Words, site: &str) {
    // Switchboard: a site, its install page, and the zip it links to.
    let csrf = admin.csrf().await;
    let created = admin.post_form("/admin/sites/new", &[("csrf", &csrf), ("name", site), ("urls", "https://shop.example.com"), ("notes", "")]).await;
    assert_eq!(created.status(), 303);
    let install = admin.get_text(created.headers()["location"].to_str().unwrap()).await;
    let re = regex_lite::Regex::new(r#"(?s)<dd id="wordpress"><a href="([^"]+)" download>([^<]+)</a>.*?<code>([^<]+)</code>.*?<code>([^<]+)</code>"#)
        .unwrap();
    let found = re.captures(&install).unwrap_or_else(|| panic!("no WordPress instructions on the install page:\n{install}"));
    let (zip_path, link, address, key) = (&found[1], &found[2], &found[3], &found[4]);
    assert_eq!(link, words.download);
    assert_eq!(address, server.url(""), "the page shows the server's address");
    let zip = admin.get(zip_path).await;
    assert_eq!(zip.status(), 200);
    assert_eq!(zip.headers()["content-type"], "application/zip");
    assert_eq!(zip.headers()["content-disposition"], "attachment; filename=\"switchboard-chat.zip\"");
    let zip = zip.bytes().await.unwrap();

    // WordPress: installed and served for this run only.
    let wp = WordPress::start(words.wp_locale).await;
    let zip_file = wp.dir.join("switchboard-chat.zip");
    std::fs::write(&zip_file, &zip).unwrap();
    let browser = Browser::start().await;
    browser.goto(&wp.url("/wp-login.php")).await;
    browser.fill("#user_login", WordPress::ADMIN).await;
    browser.fill("#user_pass", WordPress::PASSWORD).await;
    browser.click("#wp-submit").await;
    browser.find("#wpadminbar").await;

    // Plugins → Add New → Upload Plugin, then Activate.
    browser.goto(&wp.url("/wp-admin/plugin-install.php?tab=upload")).await;
    browser.find("#pluginzip").await.send_keys(zip_file.to_str().unwrap()).await.unwrap();
    browser.click("#install-plugin-submit").await;
    let activate = browser.find("a[href*='action=activate'][href*='switchboard-chat']").await;
    assert!(words_of(&browser.page().await).contains(words.installed));
    same_files(&wordpress_dir().join("switchboard-chat"), &wp.dir.join("wp/wp-content/plugins/switchboard-chat"));
    activate.click().await.unwrap();
    let row = "tr.active[data-plugin='switchboard-chat/switchboard-chat.php']";
    assert_eq!(words_of(&browser.text(&format!("{row} .plugin-description")).await), words.description);
    let settings = format!("{row} a[href$='options-general.php?page=switchboard-chat']");
    assert_eq!(browser.text(&settings).await, words.settings_link);

    // Settings → Switchboard Chat, in this language: a bad key refused, then the right values.
    browser.click(&settings).await;
    assert_eq!(browser.text(".wrap h1").await, "Switchboard Chat");
    assert_eq!(browser.text("label[for=switchboard_chat_server_url]").await, words.address_label);
    assert_eq!(browser.text("label[for=switchboard_chat_site_key]").await, words.key_label);
    assert!(words_of(&browser.text(".wrap form").await).contains(words.section));
    assert_eq!(browser.find("#submit").await.attr("value").await.unwrap().as_deref(), Some(words.save));
    browser.fill("#switchboard_chat_server_url", address).await;
    browser.fill("#switchboard_chat_site_key", "too-short").await;
    // The field's pattern would stop the browser from sending it: let the plugin judge.
    browser.client.execute("document.querySelector('.wrap form').noValidate = true", vec![]).await.unwrap();
    browser.click("#submit").await;
    let refused = browser.text("#setting-error-switchboard_chat_invalid_site_key").await;
    assert!(words_of(&refused).contains(words.bad_key), "{refused}");
    browser.fill("#switchboard_chat_server_url", address).await;
    browser.fill("#switchboard_chat_site_key", key).await;
    browser.click("#submit").await;
    assert!(words_of(&browser.text("#setting-error-settings_updated").await).contains(words.saved));
    browser.close().await;

    // A visitor's page: the very snippet of Switchboard's install page, before </body>.
    let home = reqwest::get(wp.url("/")).await.unwrap().text().await.unwrap();
    let snippet = format!("<script async src=\"{}/widget.js\" data-switchboard-site=\"{key}\"></script>", address.trim_end_matches('/'));
    assert!(install.contains(&snippet.replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")), "{install}");
    let at = home.find(&snippet).unwrap_or_else(|| panic!("no {snippet} on the WordPress page:\n{home}"));
    let body_end = home.rfind("</body>").expect("the page ends its body");
    assert!(at < body_end && home.matches("data-switchboard-site").count() == 1, "{home}");
}

/// Text as read on screen: a no-break space (French punctuation) as a plain one, and
/// `’` whether WordPress wrote it as an entity or not.
fn words_of(text: &str) -> String {
    text.replace('\u{a0}', " ").replace("&rsquo;", "’")
}

/// What WordPress unpacked is exactly the plugin's source folder, file by file.
fn same_files(source: &Path, unpacked: &Path) {
    fn files(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files(root, &path, out);
            } else {
                out.push(path.strip_prefix(root).unwrap().to_owned());
            }
        }
    }
    let (mut want, mut got) = (Vec::new(), Vec::new());
    files(source, source, &mut want);
    files(unpacked, unpacked, &mut got);
    want.sort();
    got.sort();
    assert_eq!(got, want, "the zip holds the plugin's files, no more, no fewer");
    for file in &want {
        assert!(std::fs::read(source.join(file)).unwrap() == std::fs::read(unpacked.join(file)).unwrap(), "{} differs in the zip", file.display());
    }
}

/// A throwaway WordPress (`tests/wordpress.sh up`: its own MariaDB database, a copy of
/// Debian's WordPress) served by `php -S`. Dropped, even by a failing test, it stops the
/// server, drops the database and removes its files.
struct WordPress {
    dir: PathBuf,
    port: u16,
    server: Option<Child>,
}

impl WordPress {
    const ADMIN: &'static str = "admin";
    const PASSWORD: &'static str = "wp-admin-password";

    async fn start(locale: &str) -> WordPress {
        let dir = std::env::temp_dir().join(format!("sb-wordpress-{}", uuid::Uuid::now_v7().simple()));
        let mut wp = WordPress { dir, port: testkit::process::free_port(), server: None };
        let up = tokio::process::Command::new("bash")
            .arg(wordpress_dir().join("tests/wordpress.sh"))
            .args(["up", wp.dir.to_str().unwrap(), &wp.port.to_string(), Self::ADMIN, Self::PASSWORD, locale])
            .output()
            .await
            .expect("bash runs wordpress.sh");
        assert!(
            up.status.success(),
            "a WordPress could not be set up (./dev test installs wordpress, wordpress-l10n, php-mysql and mariadb-server): {}{}",
            String::from_utf8_lossy(&up.stdout),
            String::from_utf8_lossy(&up.stderr)
        );
        let log = std::fs::File::create(wp.dir.join("server.log")).unwrap();
        let server = Command::new("php")
            .args(["-S", &format!("127.0.0.1:{}", wp.port), "-t"])
            .arg(wp.dir.join("wp"))
            // Chromium fetches a page's styles and scripts at once; one worker would queue them.
            .env("PHP_CLI_SERVER_WORKERS", "4")
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("php -S starts");
        wp.server = Some(server);
        let port = wp.port;
        testkit::wait::until("php -S serving WordPress", testkit::wait::DEADLINE, || async move {
            tokio::net::TcpStream::connect(("127.0.0.1", port)).await.map(|_| ()).map_err(|e| e.to_string())
        })
        .await;
        wp
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for WordPress {
    fn drop(&mut self) {
        if let Some(mut server) = self.server.take() {
            // With workers, php -S is a parent and its children: stop its whole group.
            let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(server.id() as i32), nix::sys::signal::Signal::SIGTERM);
            let _ = server.wait();
        }
        let _ = Command::new("bash").arg(wordpress_dir().join("tests/wordpress.sh")).arg("down").arg(&self.dir).status();
    }
}
