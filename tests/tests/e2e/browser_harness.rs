//! The browser the tests drive does not outlive them, even when a test fails before
//! closing it (Chromium, started by chromedriver, survives chromedriver being killed).

use std::time::Duration;

use testkit::browser::Browser;

#[tokio::test]
async fn a_browser_dropped_without_closing_leaves_no_chromium_running() {
    let browser = Browser::start().await;
    browser.goto("about:blank").await;
    let running = browser.processes();
    assert!(!running.is_empty(), "Chromium runs with the test's profile");
    drop(browser); // as a panicking test would
    let mut left = running.clone();
    for _ in 0..50 {
        // A killed process stays listed until reaped, but its command line is gone.
        left.retain(|pid| std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| !c.is_empty()));
        if left.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(left.is_empty(), "still running: {left:?}");
}
