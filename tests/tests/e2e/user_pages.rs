//! The administration pages for one user: profile, settings, history and account actions,
//! their validation messages, and the CSRF check on every form.

use domain::company::Role;
use reqwest::Method;
use testkit::api::Api;
use testkit::db::newest_event;
use testkit::server::hidden_field;
use testkit::{TestDb, TestServer};

#[tokio::test]
async fn an_administrator_edits_a_user_and_sees_the_history() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (company, _) = server.company("Acme", "admin@acme.test", "admin-password", 5).await;
    let id = server.user(company, "ada@acme.test", "ada-password", &[Role::Agent]).await;
    let admin = server.login("admin@acme.test", "admin-password").await;
    let csrf = admin.csrf().await;
    let page = format!("/admin/users/{id}");

    let profile = admin.get_text(&page).await;
    assert!(profile.contains("value=\"ada@acme.test\"") && profile.contains("Deactivate"));

    // A mandatory field left empty: the form comes back with the message under the field.
    let response = admin.post_form(&page, &[("csrf", &csrf), ("email", "ada@acme.test"), ("first_name", "Ada"), ("last_name", " ")]).await;
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    assert!(body.contains("id=\"last_name-error\"") && body.contains("The last name is mandatory"), "{body}");

    let response = admin
        .post_form(
            &page,
            &[("csrf", &csrf), ("email", "Augusta@Acme.test"), ("first_name", "Augusta"), ("last_name", "King"), ("job_title", "Countess")],
        )
        .await;
    // Saved: back to the page (303), which says so once.
    assert_eq!((response.status().as_u16(), response.headers()["location"].to_str().unwrap()), (303, page.as_str()));
    let body = admin.get_text(&page).await;
    assert!(body.contains("Saved.") && body.contains("value=\"augusta@acme.test\"") && body.contains("value=\"Countess\""), "{body}");
    assert!(!admin.get_text(&page).await.contains("Saved."), "the notice shows once");

    let settings = format!("{page}/settings");
    assert!(admin.get_text(&settings).await.contains("value=\"3\""));
    let response = admin.post_form(&settings, &[("csrf", &csrf), ("max_chats", "25")]).await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("between 1 and 20, not 25"));
    let response = admin.post_form(&settings, &[("csrf", &csrf), ("max_chats", "many")]).await;
    assert_eq!(response.status(), 422);
    assert_eq!(admin.post_form(&settings, &[("csrf", &csrf), ("max_chats", "6")]).await.headers()["location"], settings.as_str());
    assert!(admin.get_text(&settings).await.contains("value=\"6\""));

    // Deactivating asks first, on a page of its own that says what it does.
    assert!(profile.contains(&format!("href=\"{page}/deactivate\"")), "{profile}");
    let confirm = admin.get_text(&format!("{page}/deactivate")).await;
    assert!(confirm.contains("Deactivate Augusta King?") && confirm.contains("can no longer log in") && confirm.contains("Cancel"), "{confirm}");
    let unconfirmed = admin.post_form(&format!("{page}/deactivate"), &[("csrf", &csrf)]).await;
    assert_eq!(unconfirmed.headers()["location"].to_str().unwrap(), format!("{page}/deactivate"), "not confirmed: asked first");
    assert!(admin.get_text("/admin/users").await.contains("active"));
    let response = admin.post_form(&format!("{page}/deactivate"), &[("csrf", &csrf), ("confirm", "yes")]).await;
    assert_eq!((response.status().as_u16(), response.headers()["location"].to_str().unwrap()), (303, page.as_str()));
    assert!(admin.get_text(&page).await.contains("The user is deactivated."));
    assert!(admin.get_text("/admin/users").await.contains("deactivated"));
    assert_eq!(testkit::Browserless::new(&server).login("augusta@acme.test", "ada-password").await.status(), 401);
    assert_eq!(admin.post_form(&format!("{page}/reactivate"), &[("csrf", &csrf)]).await.status(), 303);
    server.login("augusta@acme.test", "ada-password").await;

    let history = admin.get_text(&format!("{page}/history")).await;
    for line in [
        "created the account for ada@acme.test",
        "changed the profile",
        "changed the e-mail address to augusta@acme.test",
        "set the maximum simultaneous chats to 6",
        "deactivated the account",
        "reactivated the account",
    ] {
        assert!(history.contains(line), "history lacks `{line}`");
    }
    assert!(history.contains("admin Tester"), "the acting administrator is named");
}

#[tokio::test]
async fn the_last_administrator_is_kept_with_a_clear_message_in_the_list() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (_, admin_id) = server.company("Acme", "admin@acme.test", "admin-password", 5).await;
    let admin = server.login("admin@acme.test", "admin-password").await;
    let csrf = admin.csrf().await;
    let response = admin
        .post_form(
            &format!("/admin/users/{admin_id}/roles"),
            &[("csrf", &csrf), ("role", "Administrator"), ("on", "false"), ("back", "/admin/users")],
        )
        .await;
    // Refused: back to the list (303, no /roles left in the address bar), which says why.
    let back_to_the_switch = format!("/admin/users?toggled={admin_id}:Administrator");
    assert_eq!((response.status().as_u16(), response.headers()["location"].to_str().unwrap()), (303, back_to_the_switch.as_str()));
    assert!(admin.get_text("/admin/users").await.contains("must keep at least one active administrator"));
    let response = admin.post_form(&format!("/admin/users/{admin_id}/deactivate"), &[("csrf", &csrf), ("confirm", "yes")]).await;
    assert_eq!(response.status(), 303);
    let page = admin.get_text(response.headers()["location"].to_str().unwrap()).await;
    assert!(page.contains("must keep at least one active administrator"), "{page}");
    // A redirect after a toggle stays on this site.
    let response = admin
        .post_form(
            &format!("/admin/users/{admin_id}/roles"),
            &[("csrf", &csrf), ("role", "Agent"), ("on", "true"), ("back", "https://evil.example/")],
        )
        .await;
    assert_eq!(response.headers()["location"].to_str().unwrap(), format!("/admin/users?toggled={admin_id}:Agent"));
}

#[tokio::test]
async fn every_administration_form_needs_the_session_s_csrf_token() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (company, _) = server.company("Acme", "admin@acme.test", "admin-password", 5).await;
    let id = server.user(company, "ada@acme.test", "ada-password", &[Role::Agent]).await;
    let admin = server.login("admin@acme.test", "admin-password").await;
    // Ada and the company as the administrator sees them, and the end of the log, beforehand.
    let api = Api::login(&server, "admin@acme.test", "admin-password").await;
    let as_the_administrator_sees_it = || async {
        (
            api.json(Method::GET, &format!("/api/v1/users/{id}"), None).await,
            api.json(Method::GET, "/api/v1/users", None).await,
            api.json(Method::GET, "/api/v1/licence", None).await,
        )
    };
    let before = as_the_administrator_sees_it().await;
    assert_eq!(before.0 .1["email"], "ada@acme.test");
    let client = db.client().await;
    let newest = newest_event(&client).await;
    let forms: Vec<(String, Vec<(&str, &str)>)> = vec![
        ("/admin/users/new".into(), vec![("email", "x@acme.test"), ("first_name", "X"), ("last_name", "Y"), ("access", "invite")]),
        (format!("/admin/users/{id}"), vec![("email", "ada@acme.test"), ("first_name", "Evil"), ("last_name", "Y")]),
        (format!("/admin/users/{id}/settings"), vec![("max_chats", "9")]),
        (format!("/admin/users/{id}/roles"), vec![("role", "Administrator"), ("on", "true")]),
        (format!("/admin/users/{id}/deactivate"), vec![]),
        ("/logout".into(), vec![]),
    ];
    for (path, mut fields) in forms {
        fields.push(("csrf", "forged"));
        let response = admin.post_form(&path, &fields).await;
        assert_eq!(response.status(), 422, "{path}");
        assert!(response.text().await.unwrap().contains("security check failed"), "{path}");
    }
    // Nothing changed: no event was written, and Ada and the list are the same in every field.
    assert_eq!(newest_event(&client).await, newest, "a form with a forged CSRF token wrote an event");
    server.caught_up_with(projections::Registered::ALL).await;
    assert_eq!(as_the_administrator_sees_it().await, before);
    assert!(hidden_field(&admin.get_text("/admin/users").await, "csrf").is_some(), "still logged in");
}

/// An address a page cannot read (a malformed id or query string) gets the app's own error
/// page saying what is wrong, not a bare text answer.
#[tokio::test]
async fn addresses_a_page_cannot_read_get_the_app_s_error_page() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    server.company("Acme", "admin@acme.test", "admin-password", 5).await;
    let admin = server.login("admin@acme.test", "admin-password").await;
    for (path, status, says) in [
        ("/admin/users/not-an-id", 404, "There is nothing here."),
        ("/admin/sites/not-an-id/agents", 404, "There is nothing here."),
        ("/history/not-an-id", 404, "There is nothing here."),
        ("/admin/users?page=second", 422, "page: invalid digit"),
        ("/history?from=yesterday", 422, "from must be a date"),
    ] {
        let response = admin.get(path).await;
        assert_eq!(response.status(), status, "{path}");
        let page = response.text().await.unwrap();
        assert!(page.contains(says) && page.contains("Back to Switchboard"), "{path}: {page}");
    }
}
