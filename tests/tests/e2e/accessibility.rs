//! WCAG 2.1 AA, checked by axe-core in the real browser: every page, in English and in
//! French, for each role that opens it, and the open widget (chatting and offline) on the
//! site's test page: no critical and no serious violation.

use domain::site::{Language, WidgetSettings};
use serde_json::Value;
use testkit::browser::Browser;
use testkit::{TestDb, TestServer};

use crate::every_page::{a_company_with_everything, Everything, ADMIN, AGENT, AGENT_PAGES, SUPERVISOR, SUPERVISOR_PAGES};

/// axe-core as npm installed it (`./dev test` runs `npm ci` in tests/axe).
fn axe_source() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("axe/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("axe-core is needed at {}: run the tests with ./dev test, which installs it ({e})", path.display()))
}

/// The critical and serious WCAG 2.1 A/AA violations on the page the browser shows, each
/// with the elements at fault, for the message.
const CHECK: &str = "return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, \
      resultTypes: ['violations'] }).then((r) => r.violations \
      .filter((v) => v.impact === 'critical' || v.impact === 'serious') \
      .map((v) => v.impact + ' ' + v.id + ': ' + v.help + ' — ' + v.nodes.slice(0, 4) \
        .map((n) => JSON.stringify(n.target) + ' ' + n.failureSummary.replace(/\\s+/g, ' ')).join(' | ')));";

async fn violations(browser: &Browser, axe: &str, what: &str) -> Vec<String> {
    browser.client.execute(axe, vec![]).await.unwrap_or_else(|e| panic!("axe-core loads on {what}: {e}"));
    let found = browser.client.execute(CHECK, vec![]).await.unwrap_or_else(|e| panic!("axe-core runs on {what}: {e}"));
    let Value::Array(found) = found else { panic!("axe-core answered {found} on {what}") };
    found.into_iter().map(|v| format!("{what}: {}", v.as_str().unwrap_or_default())).collect()
}

/// Opens the widget on a site's test page and waits until it shows `ready` (in its Shadow
/// DOM): the composer when someone answers, the offline form when nobody does.
async fn open_widget(browser: &Browser, server: &TestServer, site: domain::SiteId, ready: &str) {
    browser.goto(&server.url(&format!("/admin/sites/{site}/test"))).await;
    let host = browser.find("switchboard-chat").await;
    let root = host.shadow_root().await.expect("the widget has an open shadow root");
    let bubble = testkit::wait::until("the widget's bubble", testkit::wait::DEADLINE, || async {
        root.find(fantoccini::Locator::Css(".bubble")).await.map_err(|e| e.to_string())
    })
    .await;
    bubble.click().await.unwrap();
    testkit::wait::until(&format!("the open widget's {ready}"), testkit::wait::DEADLINE, || async {
        let shown = browser
            .client
            .execute(
                "const root = document.querySelector('switchboard-chat').shadowRoot; const e = root.querySelector(arguments[0]); \
                 return !!e && !e.closest('[hidden]');",
                vec![ready.into()],
            )
            .await
            .map_err(|e| e.to_string())?;
        if shown == Value::Bool(true) {
            Ok(())
        } else {
            Err(format!("{ready} hidden"))
        }
    })
    .await;
}

async fn check_every_page(server: &TestServer, everything: &Everything, browser: &Browser, axe: &str, lang: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut checked = 0;
    for page in everything.public_pages() {
        browser.goto(&server.url(&page)).await;
        browser.find("main").await;
        found.extend(violations(browser, axe, &format!("{page} ({lang})")).await);
        checked += 1;
    }
    let roles: [(_, Vec<String>); 3] = [
        (ADMIN, everything.admin_pages()),
        (AGENT, AGENT_PAGES.map(str::to_owned).to_vec()),
        (SUPERVISOR, SUPERVISOR_PAGES.map(str::to_owned).to_vec()),
    ];
    for ((email, password), pages) in roles {
        browser.client.delete_all_cookies().await.unwrap();
        browser.log_in(&server.url("/login"), email, password).await;
        browser.find("form[action='/logout']").await;
        for page in pages {
            browser.goto(&server.url(&page)).await;
            browser.find("main").await;
            found.extend(violations(browser, axe, &format!("{page} as {email} ({lang})")).await);
            checked += 1;
        }
    }
    // The widget, as a visitor sees it: chatting on the shop, the offline form on the blog.
    browser.client.delete_all_cookies().await.unwrap();
    browser.log_in(&server.url("/login"), ADMIN.0, ADMIN.1).await;
    browser.find("form[action='/logout']").await;
    open_widget(browser, server, everything.chat.site, ".composer").await;
    found.extend(violations(browser, axe, &format!("the open widget ({lang})")).await);
    open_widget(browser, server, everything.blog, ".offline").await;
    found.extend(violations(browser, axe, &format!("the open widget's offline form ({lang})")).await);
    assert!(checked >= 36, "only {checked} pages checked in {lang}");
    found
}

#[tokio::test]
async fn every_page_and_the_open_widget_pass_axe_core_in_both_languages() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let everything = a_company_with_everything(&db, &server).await;
    let axe = axe_source();
    let mut found = Vec::new();
    for (languages, lang) in [("en-US,en", "en"), ("fr-FR,fr", "fr")] {
        if lang == "fr" {
            // The widget speaks its site's language.
            let admin = server.session_of(everything.chat.company, everything.chat.admin).await;
            for site in [everything.chat.site, everything.blog] {
                let french = WidgetSettings { language: Language::Fr, ..WidgetSettings::default() };
                app::sites::settings(&server.app, &admin, site, french).await.unwrap();
            }
            server.settle().await;
        }
        let browser = Browser::start_speaking(languages).await;
        found.extend(check_every_page(&server, &everything, &browser, &axe, lang).await);
        browser.close().await;
    }
    assert!(found.is_empty(), "{} critical or serious accessibility violations:\n{}", found.len(), found.join("\n"));
}
