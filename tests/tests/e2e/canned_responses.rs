//! Canned responses end to end: the administrators' shared list and each agent's own, on
//! their pages and through the API, refused with a message (pages) and a code (API), kept
//! apart between agents and companies, rebuilt from the log; then in a real browser an agent
//! types `/thx` in the console and the visitor receives the filled-in text.

use domain::company::Role;
use domain::site::Priority;
use reqwest::Method;
use serde_json::{json, Value};
use testkit::api::{refusal, Api};
use testkit::browser::Browser;
use testkit::chat::{says, visitor, PASSWORD};
use testkit::server::{hidden_field, Browserless};
use testkit::{process, wait, TestDb, TestServer};

use crate::every_page::{a_company_with_everything, AGENT, CANNED_TEXT};

const SHARED: &str = "/admin/canned-responses";
const OWN: &str = "/account/canned-responses";

/// The ids of the responses a list page shows, in its order.
fn listed(page: &str) -> Vec<String> {
    let re = regex_lite::Regex::new(r#"data-response="([^"]+)""#).unwrap();
    re.captures_iter(page).map(|c| c[1].to_owned()).collect()
}

/// The shortcuts a list page shows, in its order.
fn shortcuts(page: &str) -> Vec<String> {
    let re = regex_lite::Regex::new(r#"<td><code>/([^<]*)</code></td>"#).unwrap();
    re.captures_iter(page).map(|c| c[1].to_owned()).collect()
}

async fn code_of(client: &Browserless, path: &str) -> u16 {
    client.get(path).await.status().as_u16()
}

/// Posts `fields` (and the session's CSRF token) to `path`: the status and where it leads.
async fn post(client: &Browserless, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let csrf = client.csrf().await;
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    let response = client.post_form(path, &all).await;
    let status = response.status().as_u16();
    let location = response.headers().get("location").map(|l| l.to_str().unwrap().to_owned());
    (status, location.unwrap_or_default() + &response.text().await.unwrap())
}

#[tokio::test]
async fn administrators_keep_the_shared_responses_and_agents_their_own_on_their_pages() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let chat = server.chat_site("Acme", 5).await;
    server.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;
    server.agent(&chat, "bob@acme.test", 3, Priority::Normal).await;
    server.chat_site("Globex", 2).await;
    let admin = server.login("admin@acme.test", "admin-password").await;
    let ann = server.login("ann@acme.test", PASSWORD).await;
    let bob = server.login("bob@acme.test", PASSWORD).await;
    let outsider = server.login("admin@globex.test", "admin-password").await;

    // Added: the shortcut cleaned (no slash, lower case), the notice naming it as stored.
    assert!(admin.get_text(SHARED).await.contains("No canned response yet."));
    let (status, to) = post(&admin, SHARED, &[("shortcut", " /Thx "), ("text", "Thanks, {visitor_name}!")]).await;
    assert_eq!((status, to.as_str()), (303, SHARED));
    let page = admin.get_text(SHARED).await;
    assert!(page.contains("/thx was added."), "{page}");
    assert_eq!(shortcuts(&page), ["thx"]);
    assert!(page.contains("Thanks, {visitor_name}!"), "{page}");
    let thx = listed(&page).remove(0);

    // A bad shortcut and a taken one are refused beside the field, and nothing is added.
    let (status, body) = post(&admin, SHARED, &[("shortcut", "two words"), ("text", "Hello")]).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("“two words” is not a shortcut: use 1 to 32 lower-case letters, digits, - or _"), "{body}");
    assert!(body.contains(r#"id="shortcut-error""#) && body.contains(r#"aria-describedby="shortcut-help shortcut-error""#), "{body}");
    assert!(body.contains(r#"value="two words""#), "the form keeps what was typed: {body}");
    let (status, body) = post(&admin, SHARED, &[("shortcut", "THX"), ("text", "Again")]).await;
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("The shortcut /thx is taken") && body.contains(r#"id="shortcut-error""#), "{body}");
    let (status, body) = post(&admin, SHARED, &[("shortcut", "hello"), ("text", "   ")]).await;
    assert!(status == 422 && body.contains("Give the text of the response") && body.contains(r#"id="text-error""#), "{status} {body}");
    assert_eq!(shortcuts(&admin.get_text(SHARED).await), ["thx"]);

    // Changed on its edit page, and refused there too when the shortcut is taken.
    post(&admin, SHARED, &[("shortcut", "hello"), ("text", "Hello!")]).await;
    let edit = admin.get_text(&format!("{SHARED}/{thx}")).await;
    assert!(edit.contains(r#"value="thx""#) && edit.contains("Thanks, {visitor_name}!</textarea>"), "{edit}");
    let (status, body) = post(&admin, &format!("{SHARED}/{thx}"), &[("shortcut", "hello"), ("text", "x")]).await;
    assert!(status == 409 && body.contains("The shortcut /hello is taken"), "{status} {body}");
    let (status, to) = post(&admin, &format!("{SHARED}/{thx}"), &[("shortcut", "thanks"), ("text", "Thank you, {visitor_name}.")]).await;
    assert_eq!((status, to.as_str()), (303, SHARED));
    let page = admin.get_text(SHARED).await;
    assert!(page.contains("The canned response was saved.") && page.contains("Thank you, {visitor_name}."), "{page}");
    assert_eq!(shortcuts(&page), ["hello", "thanks"]);

    // An agent's own: only hers. Another agent neither sees nor changes nor removes it.
    let (status, _) = post(&ann, OWN, &[("shortcut", "mine"), ("text", "Ann's secret answer")]).await;
    assert_eq!(status, 303);
    let page = ann.get_text(OWN).await;
    assert_eq!(shortcuts(&page), ["mine"], "her own list holds hers only");
    let mine = listed(&page).remove(0);
    let bobs = bob.get_text(OWN).await;
    assert!(!bobs.contains("Ann's secret answer") && shortcuts(&bobs).is_empty(), "{bobs}");
    assert_eq!(code_of(&bob, &format!("{OWN}/{mine}")).await, 404);
    assert_eq!(code_of(&bob, &format!("{OWN}/{mine}/remove")).await, 404);
    assert_eq!(post(&bob, &format!("{OWN}/{mine}"), &[("shortcut", "mine"), ("text", "Bob was here")]).await.0, 404);
    assert_eq!(post(&bob, &format!("{OWN}/{mine}/remove"), &[("confirm", "on")]).await.0, 404);
    // The same shortcut is free for Bob's own, and for Ann beside a shared one.
    assert_eq!(post(&bob, OWN, &[("shortcut", "mine"), ("text", "Bob's")]).await.0, 303);
    assert_eq!(post(&ann, OWN, &[("shortcut", "thanks"), ("text", "Cheers")]).await.0, 303);
    let (status, body) = post(&ann, OWN, &[("shortcut", "mine"), ("text", "twice")]).await;
    assert!(status == 409 && body.contains("The shortcut /mine is taken"), "{status} {body}");
    let page = ann.get_text(OWN).await;
    assert_eq!(shortcuts(&page), ["mine", "thanks"]);
    assert!(page.contains("Ann's secret answer") && !page.contains("Bob's") && !page.contains("Hello!"), "{page}");
    // Nor do the administrators' pages show or reach it.
    assert!(!admin.get_text(SHARED).await.contains("Ann's secret answer"));
    assert_eq!(code_of(&admin, &format!("{SHARED}/{mine}")).await, 404);

    // An agent may not manage the shared list; an administrator without the Agent role has no own list.
    assert_eq!(code_of(&ann, SHARED).await, 403);
    assert_eq!(code_of(&ann, &format!("{SHARED}/{thx}")).await, 403);
    assert_eq!(post(&ann, SHARED, &[("shortcut", "agent"), ("text", "x")]).await.0, 403);
    assert_eq!(post(&ann, &format!("{SHARED}/{thx}"), &[("shortcut", "thanks"), ("text", "Ann's now")]).await.0, 403);
    assert_eq!(post(&ann, &format!("{SHARED}/{thx}/remove"), &[("confirm", "on")]).await.0, 403);
    assert_eq!(code_of(&admin, OWN).await, 403);
    // Another company's administrator finds none of them.
    for path in [format!("{SHARED}/{thx}"), format!("{SHARED}/{thx}/remove"), format!("{SHARED}/{mine}"), format!("{OWN}/{mine}")] {
        assert_eq!(code_of(&outsider, &path).await, if path.starts_with(OWN) { 403 } else { 404 }, "{path}");
    }
    assert_eq!(post(&outsider, &format!("{SHARED}/{thx}"), &[("shortcut", "x"), ("text", "Globex")]).await.0, 404);
    assert_eq!(post(&outsider, &format!("{SHARED}/{thx}/remove"), &[("confirm", "on")]).await.0, 404);
    assert!(shortcuts(&outsider.get_text(SHARED).await).is_empty());
    let page = admin.get_text(SHARED).await;
    assert!(page.contains("Thank you, {visitor_name}.") && !page.contains("Ann's now") && !page.contains("Globex"), "{page}");

    // Removed after a confirmation only: unticked, the confirmation page says why.
    let confirm = admin.get_text(&format!("{SHARED}/{thx}/remove")).await;
    assert!(confirm.contains("Remove /thanks?") && confirm.contains("Thank you, {visitor_name}."), "{confirm}");
    let (status, to) = post(&admin, &format!("{SHARED}/{thx}/remove"), &[]).await;
    assert_eq!((status, to), (303, format!("{SHARED}/{thx}/remove")));
    assert!(admin.get_text(&format!("{SHARED}/{thx}/remove")).await.contains("Tick the box to confirm the removal."));
    let (status, to) = post(&admin, &format!("{SHARED}/{thx}/remove"), &[("confirm", "on")]).await;
    assert_eq!((status, to.as_str()), (303, SHARED));
    let page = admin.get_text(SHARED).await;
    assert!(page.contains("The canned response was removed."), "{page}");
    assert_eq!(shortcuts(&page), ["hello"]);
    assert_eq!(code_of(&admin, &format!("{SHARED}/{thx}")).await, 404);
    // Ann removes her own.
    assert_eq!(post(&ann, &format!("{OWN}/{mine}/remove"), &[("confirm", "on")]).await.0, 303);
    assert_eq!(shortcuts(&ann.get_text(OWN).await), ["thanks"]);

    // In French: the page and its refusals.
    let french = server.login_speaking(Some("fr-FR,fr;q=0.9"), "admin@acme.test", "admin-password").await;
    let page = french.get_text(SHARED).await;
    assert!(page.contains("<h1>Réponses enregistrées</h1>") && page.contains("Ajouter une réponse"), "{page}");
    let (status, body) = post(&french, SHARED, &[("shortcut", "hello"), ("text", "Bonjour !")]).await;
    assert!(status == 409 && body.contains("Le raccourci /hello est déjà pris"), "{status} {body}");
    let (status, body) = post(&french, SHARED, &[("shortcut", "à bientôt"), ("text", "Au revoir")]).await;
    assert!(status == 422 && body.contains("« à bientôt » n’est pas un raccourci"), "{status} {body}");
    let csrf = hidden_field(&french.get_text(SHARED).await, "csrf").unwrap();
    french.post_form(SHARED, &[("csrf", &csrf), ("shortcut", "bonjour"), ("text", "Bonjour {nom_visiteur} !")]).await;
    assert!(french.get_text(SHARED).await.contains("/bonjour a été ajoutée."));
}

#[tokio::test]
async fn the_api_manages_them_with_stable_codes_and_the_rebuilt_read_model_matches() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let chat = server.chat_site("Acme", 5).await;
    server.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;
    server.agent(&chat, "bob@acme.test", 3, Priority::Normal).await;
    server.user(chat.company, "sue@acme.test", PASSWORD, &[Role::Supervisor]).await;
    server.chat_site("Globex", 2).await;
    let admin = Api::login(&server, "admin@acme.test", "admin-password").await;
    let ann = Api::login(&server, "ann@acme.test", PASSWORD).await;
    let bob = Api::login(&server, "bob@acme.test", PASSWORD).await;
    let sue = Api::login(&server, "sue@acme.test", PASSWORD).await;
    let outsider = Api::login(&server, "admin@globex.test", "admin-password").await;
    let path = "/api/v1/canned-responses";
    let one = |id: &Value| format!("{path}/{}", id.as_str().unwrap());

    // An administrator's are the company's by default.
    let (status, thx) = admin.json(Method::POST, path, Some(json!({ "shortcut": "/THX", "text": " Thanks, {visitor_name}! " }))).await;
    assert_eq!(status, 201, "{thx}");
    assert_eq!((&thx["shortcut"], &thx["text"], &thx["shared"]), (&json!("thx"), &json!("Thanks, {visitor_name}!"), &json!(true)));
    let thx_id = thx["id"].clone();
    let answer = admin.json(Method::POST, path, Some(json!({ "shortcut": "two words", "text": "x" }))).await;
    assert_eq!(refusal(&answer), (422, "invalid_input", Some("shortcut")), "{}", answer.1);
    assert!(answer.1["error"]["message"].as_str().unwrap().contains("is not a shortcut"), "{}", answer.1);
    let answer = admin.json(Method::POST, path, Some(json!({ "shortcut": "Thx", "text": "x" }))).await;
    assert_eq!(refusal(&answer), (409, "shortcut_taken", Some("shortcut")), "{}", answer.1);
    assert_eq!(answer.1["error"]["message"], "the shortcut /thx is taken");
    let answer = admin.json(Method::POST, path, Some(json!({ "shortcut": "empty", "text": "" }))).await;
    assert_eq!(refusal(&answer), (422, "invalid_input", Some("text")), "{}", answer.1);
    let (status, hello) = admin.json(Method::POST, path, Some(json!({ "shortcut": "hello", "text": "Hello!" }))).await;
    assert_eq!(status, 201, "{hello}");

    // Changed: one field at a time, a taken shortcut refused.
    let (status, changed) = admin.json(Method::PATCH, &one(&thx_id), Some(json!({ "text": "Thank you, {agent_name} here." }))).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!((&changed["shortcut"], &changed["text"]), (&json!("thx"), &json!("Thank you, {agent_name} here.")));
    let answer = admin.json(Method::PATCH, &one(&thx_id), Some(json!({ "shortcut": "hello" }))).await;
    assert_eq!(refusal(&answer), (409, "shortcut_taken", Some("shortcut")), "{}", answer.1);
    let answer = admin.json(Method::PATCH, &one(&thx_id), Some(json!({ "shortcut": "no/slash" }))).await;
    assert_eq!(refusal(&answer), (422, "invalid_input", Some("shortcut")), "{}", answer.1);

    // An agent's are her own by default; she may not touch the shared ones.
    let (status, mine) = ann.json(Method::POST, path, Some(json!({ "shortcut": "thx", "text": "Ann's own thanks" }))).await;
    assert_eq!((status, &mine["shared"]), (201, &json!(false)), "{mine}");
    let answer = ann.json(Method::POST, path, Some(json!({ "shortcut": "thx", "text": "again" }))).await;
    assert_eq!(refusal(&answer), (409, "shortcut_taken", Some("shortcut")));
    assert_eq!(refusal(&ann.json(Method::POST, path, Some(json!({ "shortcut": "ours", "text": "x", "shared": true }))).await).0, 403);
    assert_eq!(refusal(&ann.json(Method::PATCH, &one(&thx_id), Some(json!({ "text": "Ann's now" }))).await), (403, "forbidden", None));
    assert_eq!(refusal(&ann.json(Method::DELETE, &one(&thx_id), None).await), (403, "forbidden", None));
    // What she may insert: her own first, then the company's.
    let (status, usable) = ann.json(Method::GET, path, None).await;
    assert_eq!(status, 200);
    let seen: Vec<(&str, bool)> =
        usable.as_array().unwrap().iter().map(|r| (r["shortcut"].as_str().unwrap(), r["shared"].as_bool().unwrap())).collect();
    assert_eq!(seen, [("thx", false), ("hello", true), ("thx", true)]);
    let (status, changed) = ann.json(Method::PATCH, &one(&mine["id"]), Some(json!({ "shortcut": "ty" }))).await;
    assert_eq!((status, &changed["shortcut"], &changed["text"]), (200, &json!("ty"), &json!("Ann's own thanks")), "{changed}");

    // Another agent of the company, another company: Ann's own is not found for them.
    let (_, bobs) = bob.json(Method::GET, path, None).await;
    assert!(!bobs.to_string().contains("Ann's own thanks") && bobs.as_array().unwrap().len() == 2, "{bobs}");
    assert_eq!(refusal(&bob.json(Method::PATCH, &one(&mine["id"]), Some(json!({ "text": "Bob's now" }))).await), (404, "not_found", None));
    assert_eq!(refusal(&bob.json(Method::DELETE, &one(&mine["id"]), None).await), (404, "not_found", None));
    assert_eq!(refusal(&admin.json(Method::PATCH, &one(&mine["id"]), Some(json!({ "text": "Admin's now" }))).await).0, 404);
    let (_, theirs) = outsider.json(Method::GET, path, None).await;
    assert_eq!(theirs, json!([]));
    for id in [&thx_id, &mine["id"]] {
        assert_eq!(refusal(&outsider.json(Method::PATCH, &one(id), Some(json!({ "text": "Globex" }))).await).0, 404);
        assert_eq!(refusal(&outsider.json(Method::DELETE, &one(id), None).await).0, 404);
    }
    // Someone who answers no chat and manages nothing has none.
    assert_eq!(refusal(&sue.json(Method::GET, path, None).await), (403, "forbidden", None));
    assert_eq!(refusal(&sue.json(Method::POST, path, Some(json!({ "shortcut": "sue", "text": "x" }))).await).0, 403);

    // Removed: gone from every list, and its shortcut free again.
    let (status, _) = admin.json(Method::DELETE, &one(&hello["id"]), None).await;
    assert_eq!(status, 204);
    assert_eq!(refusal(&admin.json(Method::DELETE, &one(&hello["id"]), None).await).0, 404);
    let (_, usable) = ann.json(Method::GET, path, None).await;
    let seen: Vec<&str> = usable.as_array().unwrap().iter().map(|r| r["shortcut"].as_str().unwrap()).collect();
    assert_eq!(seen, ["ty", "thx"]);
    assert_eq!(admin.json(Method::POST, path, Some(json!({ "shortcut": "hello", "text": "Hi again" }))).await.0, 201);
    let (_, after) = admin.json(Method::GET, path, None).await;
    let texts: Vec<&str> = after.as_array().unwrap().iter().map(|r| r["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["Hi again", "Thank you, {agent_name} here."], "an administrator sees the shared ones");

    // Rebuilt from the log, the read model is the live one; a hand-edited row is found.
    server.settle().await;
    let (ok, stdout, stderr) = process::run(&["replay", "--verify", "canned-responses"], Some(&db.url()), "").await;
    assert!(ok, "{stdout}\n{stderr}");
    assert!(stdout.contains("canned-responses: matches the log") && stdout.contains("table canned_responses: same"), "{stdout}");
    let client = db.client().await;
    let tampered = uuid::Uuid::parse_str(thx_id.as_str().unwrap()).unwrap();
    client.execute("UPDATE canned_responses SET text = 'tampered' WHERE response_id = $1", &[&tampered]).await.unwrap();
    let (ok, stdout, _) = process::run(&["replay", "--verify", "canned-responses"], Some(&db.url()), "").await;
    assert!(!ok && stdout.contains(&format!("canned_responses response_id={tampered}: changed: text")), "{stdout}");
    let (ok, _, stderr) = process::run(&["replay", "canned-responses"], Some(&db.url()), "").await;
    assert!(ok, "{stderr}");
    let text: String = client.query_one("SELECT text FROM canned_responses WHERE response_id = $1", &[&tampered]).await.unwrap().get(0);
    assert_eq!(text, "Thank you, {agent_name} here.");
}

/// The options the console's picker shows (their shortcuts), or why it shows none.
async fn picker(browser: &Browser) -> Result<Vec<String>, String> {
    let found = browser
        .client
        .execute(
            "const p = document.getElementById('canned-picker'); \
             if (!p || p.hidden) return null; \
             return [...p.querySelectorAll('li[role=option]')].map((li) => li.dataset.shortcut);",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    serde_json::from_value(found.clone()).map_err(|_| format!("the picker is closed: {found}"))
}

async fn until_picker(browser: &Browser, expected: &[&str]) {
    wait::until(&format!("the picker offering {expected:?}"), wait::DEADLINE, || async {
        let shown = picker(browser).await?;
        if shown == expected {
            Ok(())
        } else {
            Err(format!("{shown:?}"))
        }
    })
    .await
}

#[tokio::test]
async fn an_agent_answers_with_a_canned_response_in_a_real_browser() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let everything = a_company_with_everything(&db, &server).await;
    let browser = Browser::start().await;
    browser.log_in(&server.url("/login"), AGENT.0, AGENT.1).await;
    browser.find(&format!("#conversations li[data-conversation-id='{}']", everything.live)).await;

    // A visitor who stays connected writes; Ann opens the conversation.
    let (mut zoe, _) = visitor(&server.url(""), &everything.chat.key, None, 0).await;
    zoe.send(says("Anyone there?").1).await;
    let live = everything.live.clone();
    let id = wait::until("Zoe's conversation in the console", wait::DEADLINE, || async {
        let ids = browser
            .client
            .execute("return [...document.querySelectorAll('#conversations li')].map((li) => li.dataset.conversationId);", vec![])
            .await
            .map_err(|e| e.to_string())?;
        let ids: Vec<String> = serde_json::from_value(ids).map_err(|e| e.to_string())?;
        ids.iter().find(|i| **i != live).cloned().ok_or(format!("{ids:?}"))
    })
    .await;
    browser.find(&format!("#conversations li[data-conversation-id='{id}']")).await.click().await.unwrap();
    browser.find(&format!("#conversations li[data-conversation-id='{id}'].selected")).await;
    server.settle().await;
    let number: i32 =
        db.client().await.query_one("SELECT visitor_number FROM conversations WHERE conversation_id = $1::text::uuid", &[&id]).await.unwrap().get(0);

    // `/` offers Ann's own first, then the company's; what follows filters them.
    let input = browser.find("form#reply textarea[name=text]").await;
    input.send_keys("/").await.unwrap();
    until_picker(&browser, &["hi", "thx"]).await;
    assert_eq!(input.attr("aria-controls").await.unwrap().as_deref(), Some("canned-list"));
    // The open list passes axe-core, minor findings included (a textarea takes no combobox role).
    let axe = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("axe/node_modules/axe-core/axe.min.js"))
        .expect("axe-core, as ./dev test installs it");
    browser.client.execute(&axe, vec![]).await.unwrap();
    let found = browser
        .client
        .execute(
            "return axe.run(document.getElementById('reply'), { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }) \
             .then((r) => r.violations.map((v) => v.impact + ' ' + v.id + ': ' + v.help));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(found, json!([]), "the open picker");
    input.send_keys("thx").await.unwrap();
    until_picker(&browser, &["thx"]).await;
    assert_eq!(input.attr("aria-activedescendant").await.unwrap().as_deref(), Some("canned-option-0"));

    // Enter inserts it, with the visitor's and the agent's names, and closes the list.
    input.send_keys("\u{E007}").await.unwrap();
    let expected = format!("Thanks for waiting, Visitor #{number}! ann here.");
    assert_eq!(CANNED_TEXT.replace("{visitor_name}", &format!("Visitor #{number}")).replace("{agent_name}", "ann"), expected);
    let value = wait::until("the text in the answer box", wait::DEADLINE, || async {
        let value = input.prop("value").await.map_err(|e| e.to_string())?.unwrap_or_default();
        if value == expected {
            Ok(value)
        } else {
            Err(value)
        }
    })
    .await;
    assert_eq!(value, expected);
    assert!(picker(&browser).await.is_err(), "the list closes once a response is inserted");
    assert_eq!(input.attr("aria-activedescendant").await.unwrap(), None, "no option is pointed at once it is closed");

    // Enter again sends it; then a line typed by hand, after which nothing of the first can come.
    input.send_keys("\u{E007}").await.unwrap();
    let got = zoe.until("the canned answer", |f| f["type"] == "message" && f["from"] == "agent").await;
    assert_eq!((got["text"].as_str(), got["agent_name"].as_str()), (Some(expected.as_str()), Some("ann")), "{got}");
    assert_eq!(input.prop("value").await.unwrap().as_deref(), Some(""), "the box is empty once sent");
    input.send_keys("Anything else?\u{E007}").await.unwrap();
    zoe.until("the next line", |f| f["type"] == "message" && f["text"] == "Anything else?").await;
    let answers: Vec<&str> = zoe.seen.iter().filter(|f| f["type"] == "message" && f["from"] == "agent").filter_map(|f| f["text"].as_str()).collect();
    assert_eq!(answers, [expected.as_str(), "Anything else?"], "exactly the filled-in text, once");
    assert!(!zoe.seen.iter().any(|f| f.to_string().contains("{visitor_name}") || f.to_string().contains("/thx")), "{:#?}", zoe.seen);
    browser.close().await;
}

#[tokio::test]
async fn an_owner_keeps_at_most_500_and_the_api_says_so_with_its_code() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let chat = server.chat_site("Acme", 5).await;
    let ann = server.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;
    let admin = server.session_of(chat.company, chat.admin).await;
    for i in 0..domain::canned::MAX_PER_OWNER {
        app::canned::add(&server.app, &admin, true, &format!("r{i}"), "x").await.unwrap();
    }
    let api = Api::login(&server, "admin@acme.test", "admin-password").await;
    let answer = api.json(Method::POST, "/api/v1/canned-responses", Some(json!({ "shortcut": "one-more", "text": "x" }))).await;
    assert_eq!(refusal(&answer), (409, "too_many_canned_responses", None), "{}", answer.1);
    assert_eq!(answer.1["error"]["message"], "keep at most 500 canned responses");
    // The limit is per owner: an agent's own are counted apart.
    let own = server.session_of(chat.company, ann).await;
    app::canned::add(&server.app, &own, false, "one-more", "x").await.unwrap();
}
