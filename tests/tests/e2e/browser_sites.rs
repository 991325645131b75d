//! Sites in a real Chromium: the snippet pasted into an unrelated page starts the widget, and
//! agents dragged (mouse) or moved (keyboard) into a priority stay there after a reload.

use std::time::Duration;

use domain::company::Role;
use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::key::Key;
use testkit::browser::{customer_site, Browser};
use testkit::{wait, TestDb, TestServer};

async fn log_in(browser: &Browser, server: &TestServer) {
    browser.goto(&server.url("/login")).await;
    browser.fill("#email", "admin@acme.test").await;
    browser.fill("#password", "admin-password").await;
    browser.click("button[type=submit]").await;
    browser.find("table#users").await;
}

#[tokio::test]
async fn the_snippet_pasted_into_an_unrelated_page_starts_the_widget() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    server.company("Acme", "admin@acme.test", "admin-password", 5).await;
    let browser = Browser::start().await;
    log_in(&browser, &server).await;

    // Create the site through the pages and copy the snippet from the installation page.
    browser.goto(&server.url("/admin/sites/new")).await;
    browser.fill("#name", "Shop").await;
    browser.fill("#urls", "http://127.0.0.1").await;
    browser.click("#new-site button[type=submit]").await;
    let snippet = browser.text("#snippet").await;
    assert!(snippet.starts_with("<script async src=") && snippet.contains("data-switchboard-site=\"sbk_"), "{snippet}");

    let page = customer_site(format!(
        "<!doctype html><html><head><title>Acme shop</title><style>button {{ background: hotpink; }}</style></head>\
         <body><h1>Our products</h1><p>Buy things.</p>\n{snippet}\n</body></html>"
    ))
    .await;
    browser.goto(&page).await;
    // The widget lives in a Shadow DOM of its own.
    let bubble_colour = wait::until("the widget's bubble on the page", wait::DEADLINE, || async {
        let value = browser
            .client
            .execute(
                "const host = document.querySelector('switchboard-chat'); \
                 if (!host || !host.shadowRoot) return null; \
                 const b = host.shadowRoot.querySelector('.bubble'); return b ? getComputedStyle(b).backgroundColor : null;",
                vec![],
            )
            .await
            .unwrap();
        value.as_str().map(str::to_owned).ok_or_else(|| value.to_string())
    })
    .await;
    assert_eq!(bubble_colour, "rgb(36, 87, 214)", "the widget's own colour, not the page's hotpink buttons");
    // Opening the bubble shows the greeting; the host page's styles did not leak in.
    let greeting = browser
        .client
        .execute(
            "const root = document.querySelector('switchboard-chat').shadowRoot; root.querySelector('.bubble').click(); \
             return [root.querySelector('.panel').hidden, root.querySelector('.greeting').textContent, document.querySelectorAll('.bubble').length];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(greeting, serde_json::json!([false, "Hello! How can we help you today?", 0]));
    browser.close().await;
}

#[tokio::test]
async fn agents_dragged_or_moved_by_keyboard_keep_their_priority_after_a_reload() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (company, admin) = server.company("Acme", "admin@acme.test", "admin-password", 5).await;
    let ada = server.user(company, "ada@acme.test", "ada-password", &[Role::Agent]).await;
    let alan = server.user(company, "alan@acme.test", "alan-password", &[Role::Agent]).await;
    let admin = server.session_of(company, admin).await;
    let site = app::sites::create(&server.app, &admin, "Shop", vec!["https://shop.example.com".into()], "", false).await.unwrap();
    let browser = Browser::start().await;
    log_in(&browser, &server).await;
    let page = server.url(&format!("/admin/sites/{site}/agents"));
    browser.goto(&page).await;
    browser.find("#advisors.js").await;

    // Drag Ada with the mouse from All agents into High priority.
    let ada_item = browser.find(&format!("li.agent[data-user-id='{ada}']")).await;
    let high = browser.find("ul.dropzone[data-priority=high]").await;
    let drag = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement { element: ada_item, duration: None, x: 0.0, y: 0.0 })
        .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
        .then(PointerAction::MoveBy { duration: Some(Duration::from_millis(100)), x: 12.0, y: 5.0 })
        .then(PointerAction::MoveToElement { element: high, duration: Some(Duration::from_millis(300)), x: 0.0, y: 0.0 })
        .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
    browser.client.perform_actions(drag).await.unwrap();
    browser.find(&format!("ul.dropzone[data-priority=high] li.agent[data-user-id='{ada}']")).await;
    wait_saved(&browser).await;

    // Move Alan to Low with the keyboard only.
    let alan_item = browser.find(&format!("li.agent[data-user-id='{alan}']")).await;
    alan_item.send_keys("3").await.unwrap();
    browser.find(&format!("ul.dropzone[data-priority=low] li.agent[data-user-id='{alan}']")).await;
    wait_saved(&browser).await;
    // …and pick Ada up with Enter, move one column right (Normal), drop with Enter.
    let ada_item = browser.find(&format!("li.agent[data-user-id='{ada}']")).await;
    ada_item.send_keys(&Key::Enter.to_string()).await.unwrap();
    ada_item.send_keys(&Key::Right.to_string()).await.unwrap();
    ada_item.send_keys(&Key::Enter.to_string()).await.unwrap();
    browser.find(&format!("ul.dropzone[data-priority=normal] li.agent[data-user-id='{ada}']")).await;
    wait_saved(&browser).await;

    // No reload happened so far; now reload and find everything where it was put.
    browser.client.refresh().await.unwrap();
    browser.find(&format!("ul.dropzone[data-priority=normal] li.agent[data-user-id='{ada}']")).await;
    browser.find(&format!("ul.dropzone[data-priority=low] li.agent[data-user-id='{alan}']")).await;
    // The fallback form agrees.
    let selected = browser.client.execute(&format!("return document.querySelector('#priority-{alan}').value"), vec![]).await.unwrap();
    assert_eq!(selected, "low");
    browser.close().await;
}

async fn wait_saved(browser: &Browser) {
    wait::until("the move saved", wait::DEADLINE, || async {
        let saving = browser.client.execute("return document.querySelectorAll('.agent.saving').length", vec![]).await.unwrap();
        let status = browser.client.execute("return document.querySelector('#advisors-status').textContent", vec![]).await.unwrap();
        wait::check(saving == 0 && status.as_str().is_some_and(|s| s.contains("saved")), (saving, status))
    })
    .await;
}

#[tokio::test]
async fn taking_an_agent_off_a_site_by_keyboard_asks_first_and_deactivating_goes_through_a_page() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (company, admin) = server.company("Acme", "admin@acme.test", "admin-password", 5).await;
    let ada = server.user(company, "ada@acme.test", "ada-password", &[Role::Agent]).await;
    let admin = server.session_of(company, admin).await;
    let site = app::sites::create(&server.app, &admin, "Shop", vec!["www.shop.example.com".into()], "", false).await.unwrap();
    app::sites::place(&server.app, &admin, site, ada, Some(domain::site::Priority::High)).await.unwrap();
    let browser = Browser::start().await;
    log_in(&browser, &server).await;
    browser.goto(&server.url(&format!("/admin/sites/{site}/agents"))).await;
    browser.find("#advisors.js").await;
    let in_high = format!("ul.dropzone[data-priority=high] li.agent[data-user-id='{ada}']");

    // 0 asks; "Cancel" keeps her where she was.
    browser.find(&in_high).await.send_keys("0").await.unwrap();
    let question = browser.client.get_alert_text().await.unwrap();
    assert!(question.contains("Remove ada Tester from this site?") && question.contains("no longer be offered"), "{question}");
    browser.client.dismiss_alert().await.unwrap();
    browser.find(&in_high).await;
    // "OK" takes her off, saved.
    browser.find(&in_high).await.send_keys("0").await.unwrap();
    browser.client.accept_alert().await.unwrap();
    browser.find(&format!("ul.dropzone[data-priority=none] li.agent[data-user-id='{ada}']")).await;
    wait_saved(&browser).await;

    // Deactivating: the button leads to a page that says what it does; confirming lands on
    // the user's page, not on /deactivate.
    browser.goto(&server.url(&format!("/admin/users/{ada}"))).await;
    browser.click("#deactivate").await;
    assert!(browser.text("#confirm-deactivate").await.contains("can no longer log in"));
    browser.click("#confirm-deactivate button[type=submit]").await;
    assert!(browser.text("p.notice").await.contains("The user is deactivated."));
    let url = browser.client.current_url().await.unwrap();
    assert_eq!(url.path(), format!("/admin/users/{ada}"));
    browser.close().await;
}
