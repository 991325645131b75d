//! Importing users from CSV: preview with every row's outcome, the import with progress,
//! 5,000 rows in one file, and no duplicates when the same file comes twice.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::Value;
use testkit::api::Api;
use testkit::wait;
use testkit::{TestDb, TestServer};

async fn upload(api: &Api, csv: String) -> Value {
    let response = api.post_raw("/api/v1/imports", csv).await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

async fn finish(api: &Api, id: &str) -> Value {
    let started = Instant::now();
    loop {
        let (_, status) = api.json(Method::GET, &format!("/api/v1/imports/{id}"), None).await;
        if status["status"] != "running" {
            return status;
        }
        assert!(started.elapsed() < Duration::from_secs(600), "the import did not finish: {status}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn setup(seats: u32) -> (TestDb, TestServer, Api) {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    server.company("Acme", "admin@acme.test", "admin-password", seats).await;
    let api = Api::login(&server, "admin@acme.test", "admin-password").await;
    (db, server, api)
}

#[tokio::test]
async fn the_preview_says_what_becomes_of_each_row_and_only_valid_rows_are_imported() {
    let (_db, _server, api) = setup(4).await;
    api.json(Method::POST, "/api/v1/users", Some(serde_json::json!({ "email": "taken@acme.test", "first_name": "T", "last_name": "T" }))).await;
    let csv = "email,first_name,last_name,roles,max_chats,send_invitation\n\
               ok1@acme.test,Ok,One,Agent;Supervisor,4,no\n\
               bad-address,Bad,Address,,,\n\
               ok1@acme.test,Ok,Again,,,\n\
               taken@acme.test,Ta,Ken,,,\n\
               role@acme.test,Ro,Le,Owner,,\n\
               ok2@acme.test,Ok,Two,,,no\n\
               full@acme.test,No,Seat,,,no\n";
    let preview = upload(&api, csv.to_owned()).await;
    assert_eq!(preview["status"], "preview");
    let rows: Vec<(i64, String, String)> = preview["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["line"].as_i64().unwrap(), r["status"].as_str().unwrap().to_owned(), r["reason"].as_str().unwrap_or("").to_owned()))
        .collect();
    assert_eq!(rows[0], (2, "ok".into(), "".into()));
    assert!(rows[1].2.contains("malformed address"), "{rows:?}");
    assert_eq!(rows[2].2, "duplicate in the file (same address as line 2)");
    assert_eq!(rows[3].2, "already a user");
    assert!(rows[4].2.contains("unknown role \"Owner\""));
    assert_eq!(rows[5], (7, "ok".into(), "".into()));
    assert_eq!(rows[6].2, "too many seats: no seat left for this user");

    let id = preview["id"].as_str().unwrap();
    let (status, _) = api.json(Method::POST, &format!("/api/v1/imports/{id}/confirm"), None).await;
    assert_eq!(status, 202);
    let done = finish(&api, id).await;
    assert_eq!((done["status"].as_str(), done["created"].as_i64(), done["skipped"].as_i64()), (Some("finished"), Some(2), Some(5)));
    let (status, again) = api.json(Method::POST, &format!("/api/v1/imports/{id}/confirm"), None).await;
    assert_eq!((status, again["error"]["code"].as_str()), (409, Some("already_confirmed")));

    let (_, ok1) = api.json(Method::GET, "/api/v1/users?q=ok1", None).await;
    let ok1 = &ok1["users"][0];
    assert_eq!(
        (ok1["status"].as_str(), ok1["max_chats"].as_i64(), ok1["roles"].clone()),
        (Some("invited"), Some(4), serde_json::json!(["Agent", "Supervisor"]))
    );

    // Whole-file problems are named.
    let response = api.post_raw("/api/v1/imports", "mail,name\nx,y\n".into()).await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        (body["error"]["field"].as_str(), body["error"]["message"].as_str()),
        (
            Some("file"),
            Some("the header lacks the column(s) email, first_name, last_name; read with comma (,) as the separator, it has the columns \"mail\", \"name\"")
        )
    );
}

#[tokio::test]
async fn the_import_pages_preview_confirm_and_show_progress() {
    let (_db, server, _api) = setup(10).await;
    let browser = server.login("admin@acme.test", "admin-password").await;
    let form = browser.get_text("/admin/users/import").await;
    assert!(form.contains("Download the template") && form.contains("send_invitation"));
    let template = browser.get("/admin/users/import/template.csv").await;
    assert_eq!(template.headers()["content-type"], "text/csv; charset=utf-8");
    let template = template.text().await.unwrap();

    let csrf = browser.csrf().await;
    let multipart = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .part("file", reqwest::multipart::Part::bytes(template.into_bytes()).file_name("users.csv").mime_str("text/csv").unwrap());
    let response = browser.http.post(browser.url("/admin/users/import")).multipart(multipart).send().await.unwrap();
    assert_eq!(response.status(), 303);
    let preview_url = response.headers()["location"].to_str().unwrap().to_owned();
    let preview = browser.get_text(&preview_url).await;
    assert!(preview.contains("Import 2 users"), "{preview}");

    let confirmed = browser.post_form(&format!("{preview_url}/confirm"), &[("csrf", &csrf)]).await;
    assert_eq!(confirmed.status(), 303);
    let page = wait::until("the import page says the import is done", wait::DEADLINE, || async {
        let page = browser.get_text(&preview_url).await;
        assert!(page.contains("<progress") || page.contains("Import users") || page.contains("import-done"), "{page}");
        if page.contains("import-done") {
            Ok(page)
        } else {
            Err(page)
        }
    })
    .await;
    assert!(page.contains("2 users created"), "{page}");
    let users = browser.get_text("/admin/users").await;
    assert!(users.contains("ada.lovelace@example.com") && users.contains("alan.turing@example.com"));

    // A file that is not CSV text gets a page naming the problem.
    let multipart = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .part("file", reqwest::multipart::Part::bytes(b"PK\x03\x04\x14\x00\x06\x00\x08\x00".to_vec()).file_name("users.xlsx"));
    let response = browser.http.post(browser.url("/admin/users/import")).multipart(multipart).send().await.unwrap();
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("The file is not text"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_thousand_rows_import_once_and_the_same_file_twice_adds_nobody() {
    let (db, _server, api) = setup(6000).await;
    let mut csv = String::from("email,first_name,last_name,roles,max_chats,send_invitation\n");
    for i in 0..5000 {
        csv.push_str(&format!("agent{i:04}@acme.test,Agent,Number{i:04},Agent,3,no\n"));
    }
    let preview = upload(&api, csv.clone()).await;
    assert_eq!(preview["total"], 5000);
    assert!(preview["rows"].as_array().unwrap().iter().all(|r| r["status"] == "ok"));
    let id = preview["id"].as_str().unwrap().to_owned();
    let started = Instant::now();
    api.json(Method::POST, &format!("/api/v1/imports/{id}/confirm"), None).await;
    // Progress shows while it runs.
    let mut progress_seen = false;
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let (_, status) = api.json(Method::GET, &format!("/api/v1/imports/{id}"), None).await;
        assert!(Instant::now() < deadline, "the import of 5,000 rows did not finish within 10 minutes: {status}");
        let done = status["done"].as_i64().unwrap();
        if status["status"] == "running" && done > 0 && done < 5000 {
            progress_seen = true;
        }
        if status["status"] != "running" {
            assert_eq!((status["created"].as_i64(), status["skipped"].as_i64()), (Some(5000), Some(0)), "{}", status["status"]);
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    println!("5,000 users imported in {:.1} s", started.elapsed().as_secs_f64());
    assert!(progress_seen, "partial progress was reported while importing");
    let (_, licence) = api.json(Method::GET, "/api/v1/licence", None).await;
    assert_eq!(licence["seats_in_use"], 5001);

    let again = upload(&api, csv).await;
    assert!(again["rows"].as_array().unwrap().iter().all(|r| r["reason"] == "already a user"));
    let again_id = again["id"].as_str().unwrap().to_owned();
    api.json(Method::POST, &format!("/api/v1/imports/{again_id}/confirm"), None).await;
    let done = finish(&api, &again_id).await;
    assert_eq!(done["created"], 0);
    let client = db.client().await;
    let registered: i64 = client.query_one("SELECT count(*) FROM events WHERE event_type = 'MemberAdded'", &[]).await.unwrap().get(0);
    assert_eq!(registered, 5001);

    // The Users page stays fast at this size: the last page and a search.
    let (_, last_page) = api.json(Method::GET, "/api/v1/users?page=101&per_page=50", None).await;
    assert_eq!(last_page["users"].as_array().unwrap().len(), 1);
    let (_, found) = api.json(Method::GET, "/api/v1/users?q=Number4321", None).await;
    assert_eq!(found["total"], 1);
}

/// Uploads `bytes` through the import page; the response.
async fn upload_page(browser: &testkit::Browserless, bytes: Vec<u8>) -> reqwest::Response {
    let csrf = browser.csrf().await;
    let multipart = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name("utilisateurs.csv").mime_str("text/csv").unwrap());
    browser.http.post(browser.url("/admin/users/import")).multipart(multipart).send().await.unwrap()
}

#[tokio::test]
async fn a_file_saved_by_french_excel_imports_with_its_accents_and_the_template_speaks_french() {
    let (_db, server, _api) = setup(10).await;
    let browser = server.login("admin@acme.test", "admin-password").await;

    // The template follows the browser's language, or the lang the link asks for.
    let french =
        browser.http.get(browser.url("/admin/users/import/template.csv")).header("accept-language", "fr-FR,fr;q=0.9,en;q=0.5").send().await.unwrap();
    assert!(french.headers()["content-disposition"].to_str().unwrap().contains("utilisateurs"));
    let french = french.text().await.unwrap();
    assert!(french.starts_with("\u{feff}courriel;prénom;nom;rôles"), "{french}");
    let english = browser.http.get(browser.url("/admin/users/import/template.csv")).header("accept-language", "en-GB,fr;q=0.5").send().await.unwrap();
    assert!(english.text().await.unwrap().starts_with("email,first_name,last_name,roles"));
    assert!(browser.get_text("/admin/users/import/template.csv?lang=fr").await.contains("prénom"));
    assert_eq!(browser.get("/admin/users/import/template.csv?lang=de").await.status(), 422);

    // Semicolons, Windows-1252, CRLF, French column names and role names.
    let text = "Courriel;Prénom;Nom;Rôles;Chats max;Envoyer invitation\r\n\
                helene@acme.test;Hélène;Dupré;Agent|Superviseur;4;non\r\n\
                francois@acme.test;François;Lefèvre-Œuvray;;;non\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(std::str::from_utf8(&bytes).is_err(), "the file must really be Windows-1252");
    let response = upload_page(&browser, bytes.into_owned()).await;
    assert_eq!(response.status(), 303);
    let preview_url = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(browser.get_text(&preview_url).await.contains("Import 2 users"));
    let csrf = browser.csrf().await;
    assert_eq!(browser.post_form(&format!("{preview_url}/confirm"), &[("csrf", &csrf)]).await.status(), 303);
    wait::until("the import is done", wait::DEADLINE, || async {
        let page = browser.get_text(&preview_url).await;
        if page.contains("import-done") {
            Ok(())
        } else {
            Err(page)
        }
    })
    .await;
    let users = browser.get_text("/admin/users?q=acme.test").await;
    assert!(users.contains("Hélène Dupré") && users.contains("François Lefèvre-Œuvray"), "{users}");

    // A header it cannot read names the separator it found and the columns it saw.
    let response = upload_page(&browser, "Adresse;Prénom;Nom\r\nx@acme.test;A;B\r\n".as_bytes().to_vec()).await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("semicolon (;) as the separator") && page.contains("&quot;Adresse&quot;, &quot;Prénom&quot;, &quot;Nom&quot;"), "{page}");
}
