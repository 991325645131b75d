//! Every page on a 390 px-wide phone and reflowed at 320 px, in a real browser: no page is
//! wider than the screen (wide tables scroll inside their own box), form fields are styled,
//! and a dangerous action looks dangerous.

use serde_json::{json, Value};
use testkit::browser::Browser;
use testkit::{TestDb, TestServer};

use crate::every_page::{a_company_with_everything, ADMIN, AGENT, AGENT_PAGES, SUPERVISOR, SUPERVISOR_PAGES};

async fn run(browser: &Browser, script: &str) -> Value {
    browser.client.execute(script, vec![]).await.unwrap_or_else(|e| panic!("{script}: {e}"))
}

/// The outermost elements that stick out past the right edge of the screen, for the message.
const WIDER_THAN_THE_SCREEN: &str = "const w = window.innerWidth; \
    return [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > w + 1 \
      && !(e.parentElement && e.parentElement.getBoundingClientRect().right > w + 1)) \
      .slice(0, 5).map((e) => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right) + ' in ' + e.parentElement.tagName + ' ' + getComputedStyle(e.parentElement).display + ' ' + getComputedStyle(e.parentElement).overflowX);";

/// Each page at a phone's width, then at the narrowest width WCAG's reflow asks for (400 %
/// zoom of 1,280 px): none is wider than the screen.
async fn fit(browser: &Browser, server: &TestServer, pages: &[String]) {
    for width in [390, 320] {
        browser.client.set_window_size(width, 844).await.unwrap();
        let inner = run(browser, "return window.innerWidth;").await.as_i64().unwrap();
        assert!(inner <= width as i64 + 10, "the window is {inner} px wide, not {width}");
        for path in pages {
            browser.goto(&server.url(path)).await;
            browser.find("main").await;
            let wide = run(browser, "return document.documentElement.scrollWidth;").await.as_i64().unwrap();
            if wide > inner {
                let culprits = run(browser, WIDER_THAN_THE_SCREEN).await;
                panic!("{path} is {wide} px wide on a {inner} px screen; sticking out: {culprits}");
            }
        }
    }
}

async fn log_in(browser: &Browser, server: &TestServer, (email, password): (&str, &str)) {
    browser.client.delete_all_cookies().await.unwrap();
    browser.log_in(&server.url("/login"), email, password).await;
    browser.find("form[action='/logout']").await;
}

#[tokio::test]
async fn every_page_fits_a_390_px_phone_and_reflows_at_320_px() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let everything = a_company_with_everything(&db, &server).await;
    let browser = Browser::start().await;
    fit(&browser, &server, &everything.public_pages()).await;
    log_in(&browser, &server, AGENT).await;
    fit(&browser, &server, &AGENT_PAGES.map(str::to_owned)).await;
    // The open conversation's title keeps its width at 320 px; its buttons go underneath.
    browser.goto(&server.url("/console")).await;
    browser.find("#conversations li").await.click().await.unwrap();
    let title = run(&browser, "return Math.round(document.querySelector('#conversation-title').getBoundingClientRect().width);").await;
    assert!(title.as_i64().unwrap() > 150, "the conversation's title is squeezed to {title} px");
    log_in(&browser, &server, SUPERVISOR).await;
    fit(&browser, &server, &SUPERVISOR_PAGES.map(str::to_owned)).await;
    log_in(&browser, &server, ADMIN).await;
    fit(&browser, &server, &everything.admin_pages()).await;
    browser.client.set_window_size(390, 844).await.unwrap();
    let site = everything.chat.site.0;

    // Every role switch of every user is on the screen, not scrolled away in a wide table.
    browser.goto(&server.url("/admin/users")).await;
    let off_screen = run(
        &browser,
        "return [...document.querySelectorAll('#users button.toggle')].filter((b) => b.getBoundingClientRect().right > window.innerWidth).length;",
    )
    .await;
    let toggles = run(&browser, "return document.querySelectorAll('#users button.toggle').length;").await;
    assert_eq!((toggles, off_screen), (json!(4 * 4), json!(0)), "role switches off a phone's screen");

    // The new site's Name field is a full-width styled box; deleting a site is red, not blue.
    browser.goto(&server.url("/admin/sites/new")).await;
    let name = run(&browser, "const s = getComputedStyle(document.querySelector('#name')); return [s.paddingLeft, s.borderRadius];").await;
    assert_eq!(name, json!(["9.6px", "6px"]), "the Name field is styled like the others");
    browser.goto(&server.url(&format!("/admin/sites/{site}"))).await;
    let delete = run(&browser, "return getComputedStyle(document.querySelector('a.button.danger')).backgroundColor;").await;
    assert_eq!(delete, "rgb(179, 38, 30)", "deleting a site looks dangerous");
    browser.close().await;
}
