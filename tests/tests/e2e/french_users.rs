//! Users, import, audit, invitation and erasure pages in French for a reader whose browser
//! asks for French, with French dates; and the same pages unchanged in English without it.

use domain::company::Role;
use domain::site::Priority;
use reqwest::Method;
use serde_json::json;
use testkit::api::Api;
use testkit::chat::{console, says, visitor};
use testkit::server::hidden_field;
use testkit::smtp::{invitation_link, read_all, wait_for};
use testkit::wait;
use testkit::{TestDb, TestServer};

/// A browser that asks for `lang` (or for nothing), with cookies, not following redirects.
struct Reader {
    http: reqwest::Client,
    base: String,
}

impl Reader {
    fn new(server: &TestServer, lang: Option<&str>) -> Reader {
        Reader { http: testkit::server::Browserless::speaking(server, lang).http, base: server.url("") }
    }

    async fn logged_in(server: &TestServer, lang: Option<&str>, email: &str, password: &str) -> Reader {
        let reader = Reader::new(server, lang);
        let page = reader.text("/login").await;
        let csrf = hidden_field(&page, "csrf").expect("a CSRF field");
        let response = reader.post("/login", &[("csrf", &csrf), ("email", email), ("password", password)]).await;
        assert_eq!(response.status(), 303, "login as {email}");
        reader
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(format!("{}{path}", self.base)).send().await.unwrap()
    }

    async fn text(&self, path: &str) -> String {
        self.get(path).await.text().await.unwrap()
    }

    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.http.post(format!("{}{path}", self.base)).form(fields).send().await.unwrap()
    }

    async fn upload(&self, csrf: &str, bytes: Vec<u8>) -> reqwest::Response {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.to_owned())
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name("utilisateurs.csv").mime_str("text/csv").unwrap());
        self.http.post(format!("{}/admin/users/import", self.base)).multipart(form).send().await.unwrap()
    }

    async fn csrf(&self) -> String {
        hidden_field(&self.text("/admin/users/new").await, "csrf").expect("the session's CSRF token")
    }
}

/// "4 déc. 2026 à 00:30 UTC": a date and time as French writes them.
fn has_french_date_time(page: &str) -> bool {
    regex_lite::Regex::new(r"\d{1,2} (janv\.|févr\.|mars|avr\.|mai|juin|juil\.|août|sept\.|oct\.|nov\.|déc\.) \d{4} à \d{2}:\d{2} ")
        .unwrap()
        .is_match(page)
}

/// "3 Dec 2026, 23:30 UTC".
fn has_english_date_time(page: &str) -> bool {
    regex_lite::Regex::new(r"\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}, \d{2}:\d{2} UTC").unwrap().is_match(page)
}

/// No key missing from a catalogue, no English left where French was asked for.
fn no_missing_key(page: &str) {
    assert!(!page.contains('⟦'), "a message is missing from a catalogue: {page}");
}

#[tokio::test]
async fn the_users_pages_and_the_audit_log_speak_french_to_a_french_browser_and_english_otherwise() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (company, _) = server.company("Acme", "admin@acme.test", "admin-password", 5).await;
    let ada = server.user(company, "ada@acme.test", "ada-password", &[Role::Agent]).await;
    let fr = Reader::logged_in(&server, Some("fr-FR,fr;q=0.9,en;q=0.5"), "admin@acme.test", "admin-password").await;
    let en = Reader::logged_in(&server, None, "admin@acme.test", "admin-password").await;

    let list = fr.text("/admin/users").await;
    no_missing_key(&list);
    assert!(list.contains("lang=\"fr\""), "{list}");
    for words in [
        "<h1>Utilisateurs</h1>",
        "Ajouter un utilisateur",
        "Importer un fichier CSV",
        "Superviseur",
        "Administrateur",
        ">actif<",
        "2 licences utilisées sur 5",
        "Page 1 sur 1 · 2 utilisateurs",
        "Rôle Agent pour ada Tester\u{a0}: oui",
        "Modifier ada Tester",
    ] {
        assert!(list.contains(words), "the French list lacks {words:?}: {list}");
    }
    let english = en.text("/admin/users").await;
    for words in [
        "<h1>Users</h1>",
        "Add user",
        "Import from CSV",
        "Supervisor",
        ">active<",
        "2 of 5 seats in use",
        "Page 1 of 1 · 2 users",
        "Agent role for ada Tester: on",
    ] {
        assert!(english.contains(words), "the English list lacks {words:?}: {english}");
    }
    assert!(!english.contains("Utilisateurs") && english.contains("lang=\"en\""));

    let new = fr.text("/admin/users/new").await;
    no_missing_key(&new);
    assert!(
        new.contains("Prénom") && new.contains("Nombre maximal de chats simultanés (1 à 20)") && new.contains("Générer un mot de passe et ajouter"),
        "{new}"
    );

    // Editing a user: tabs, validation and the notice after saving, in French.
    let page = format!("/admin/users/{ada}");
    let profile = fr.text(&page).await;
    no_missing_key(&profile);
    for words in ["Profil", "Réglages", "Historique", "Désactiver…", "Envoyer un lien de réinitialisation du mot de passe", "Enregistrer"] {
        assert!(profile.contains(words), "the French profile lacks {words:?}: {profile}");
    }
    let csrf = fr.csrf().await;
    let refused = fr.post(&format!("{page}/settings"), &[("csrf", &csrf), ("max_chats", "many")]).await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("Le nombre maximal de chats doit être un nombre entier."));
    let saved = fr.post(&format!("{page}/settings"), &[("csrf", &csrf), ("max_chats", "6")]).await;
    assert_eq!(saved.status(), 303);
    assert!(fr.text(&format!("{page}/settings")).await.contains("Enregistré."));
    let confirm = fr.text(&format!("{page}/deactivate")).await;
    assert!(confirm.contains("Désactiver ada Tester\u{202f}?") && confirm.contains("ne peut plus se connecter"), "{confirm}");

    let history = fr.text(&format!("{page}/history")).await;
    no_missing_key(&history);
    assert!(
        history.contains("a créé le compte de ada@acme.test") && history.contains("a fixé le nombre maximal de chats simultanés à 6"),
        "{history}"
    );
    assert!(history.contains("Quand (UTC)") && has_french_date_time(&history), "{history}");
    let history = en.text(&format!("{page}/history")).await;
    assert!(
        history.contains("created the account for ada@acme.test") && history.contains("When (UTC)") && has_english_date_time(&history),
        "{history}"
    );

    let audit = fr.text("/admin/audit").await;
    no_missing_key(&audit);
    for words in ["Journal d’audit", "Toutes les actions", ">utilisateurs<", "Exporter en CSV", "a fixé le nombre maximal de chats simultanés à 6"]
    {
        assert!(audit.contains(words), "the French audit log lacks {words:?}: {audit}");
    }
    assert!(has_french_date_time(&audit), "{audit}");
    let refused = fr.get("/admin/audit?from=demain").await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("«\u{a0}demain\u{a0}» n’est pas une date"));
    let audit = en.text("/admin/audit").await;
    assert!(audit.contains("Audit log") && audit.contains("Every action") && audit.contains(">users<") && has_english_date_time(&audit), "{audit}");
    assert!(!audit.contains("Journal"));
}

#[tokio::test]
async fn the_importer_explains_itself_in_french_and_the_template_follows_the_reader() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    server.company("Acme", "admin@acme.test", "admin-password", 5).await;
    let fr = Reader::logged_in(&server, Some("fr"), "admin@acme.test", "admin-password").await;
    let en = Reader::logged_in(&server, None, "admin@acme.test", "admin-password").await;

    let form = fr.text("/admin/users/import").await;
    no_missing_key(&form);
    assert!(
        form.contains("Importer des utilisateurs depuis un fichier CSV") && form.contains("Vérifier le fichier") && form.contains("Obligatoire"),
        "{form}"
    );
    assert!(en.text("/admin/users/import").await.contains("Import users from a CSV file"));

    // The template is in the reader's language unless the link asks for one.
    let template = fr.get("/admin/users/import/template.csv").await;
    assert!(template.headers()["content-disposition"].to_str().unwrap().contains("utilisateurs"));
    assert!(template.text().await.unwrap().starts_with("\u{feff}courriel;prénom;nom"));
    assert!(en.text("/admin/users/import/template.csv").await.starts_with("email,first_name,last_name"));
    assert!(fr.text("/admin/users/import/template.csv?lang=en").await.starts_with("email,"));
    let refused = fr.get("/admin/users/import/template.csv?lang=de").await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("pas en «\u{a0}de\u{a0}»"));

    // A header it cannot read: the separator and the columns it saw, in French.
    let csrf = fr.csrf().await;
    let response = fr.upload(&csrf, "Adresse;Prénom;Nom\r\nx@acme.test;A;B\r\n".as_bytes().to_vec()).await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    no_missing_key(&page);
    assert!(page.contains("la colonne courriel") && page.contains("le point-virgule (;) comme séparateur"), "{page}");
    assert!(page.contains("«\u{a0}Adresse\u{a0}», «\u{a0}Prénom\u{a0}», «\u{a0}Nom\u{a0}»"), "{page}");
    let response = en.upload(&en.csrf().await, "Adresse;Prénom;Nom\r\nx@acme.test;A;B\r\n".as_bytes().to_vec()).await;
    assert!(response.text().await.unwrap().contains("semicolon (;) as the separator"));

    // Each row's outcome in French, and the import's progress and result.
    let csv = "email,first_name,last_name,roles,send_invitation\n\
               lea@acme.test,Léa,Martin,Superviseur,non\n\
               owner@acme.test,O,W,Owner,non\n\
               lea@acme.test,Léa,Martin,,non\n";
    let response = fr.upload(&csrf, csv.as_bytes().to_vec()).await;
    assert_eq!(response.status(), 303);
    let preview_url = response.headers()["location"].to_str().unwrap().to_owned();
    let preview = fr.text(&preview_url).await;
    no_missing_key(&preview);
    for words in [
        "3 lignes\u{a0}:",
        "peut être importée",
        "rôle inconnu «\u{a0}Owner\u{a0}»",
        "doublon dans le fichier (même adresse qu’à la ligne 2)",
        "Importer 1 utilisateur",
        "Résultat",
    ] {
        assert!(preview.contains(words), "the French preview lacks {words:?}: {preview}");
    }
    assert!(en.text(&preview_url).await.contains("Import 1 user"));
    assert_eq!(fr.post(&format!("{preview_url}/confirm"), &[("csrf", &csrf)]).await.status(), 303);
    wait::until("the import is done", wait::DEADLINE, || async {
        let page = fr.text(&preview_url).await;
        if page.contains("import-done") {
            Ok(())
        } else {
            Err(page)
        }
    })
    .await;
    let done = fr.text(&preview_url).await;
    assert!(done.contains("Terminé\u{a0}: 1 utilisateur créé, 2 lignes ignorées.") && done.contains("créé"), "{done}");
    assert!(en.text(&preview_url).await.contains("Done: 1 user created, 2 rows skipped."));
}

#[tokio::test]
async fn the_invitation_link_speaks_the_language_of_the_browser_that_opens_it() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    server.company("Acme", "admin@acme.test", "admin-password", 5).await;
    let api = Api::login(&server, "admin@acme.test", "admin-password").await;
    let (status, body) =
        api.json(Method::POST, "/api/v1/users", Some(json!({ "email": "ivy@acme.test", "first_name": "Ivy", "last_name": "Invited" }))).await;
    assert_eq!(status, 201, "{body}");
    let mails = || read_all(&[server.mail_dir().unwrap()]);
    assert_eq!(wait_for(|| mails().len(), 1).await, 1);
    let link = invitation_link(&mails()[0]);

    let fr = Reader::new(&server, Some("fr-CA,fr;q=0.8"));
    let page = fr.text(&link).await;
    no_missing_key(&page);
    assert!(
        page.contains("Bienvenue, Ivy") && page.contains("Le même mot de passe, à nouveau") && page.contains("Enregistrer mon mot de passe"),
        "{page}"
    );
    assert!(Reader::new(&server, None).text(&link).await.contains("Welcome, Ivy"));

    let unknown = fr.get("/invitation/0123abcd").await;
    assert_eq!(unknown.status(), 404);
    assert!(unknown.text().await.unwrap().contains("Ce lien d’invitation n’est pas valide"));
    let unknown = Reader::new(&server, None).text("/invitation/0123abcd").await;
    assert!(unknown.contains("This invitation link is not valid"), "{unknown}");

    // The password chosen: the welcome says so in French; the link is then used up.
    let csrf = hidden_field(&page, "csrf").unwrap();
    let response = fr.post(&link, &[("csrf", &csrf), ("password", "ivy-password"), ("confirm", "ivy-password")]).await;
    let accepted = response.text().await.unwrap();
    assert!(accepted.contains("Votre mot de passe est enregistré"), "{accepted}");
    let used = fr.get(&link).await;
    assert_eq!(used.status(), 410);
    let used = used.text().await.unwrap();
    assert!(used.contains("Cette invitation a déjà été utilisée") && used.contains("Se connecter"), "{used}");
}

#[tokio::test]
async fn erasing_a_visitor_is_confirmed_in_french() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let chat = server.chat_site("Acme", 20).await;
    server.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;
    let (mut agent, _) = console(&server.url(""), "ann@acme.test").await;
    agent.send(json!({ "type": "status", "status": "online" })).await;
    agent.until("online", |f| f["type"] == "state" && f["status"] == "online").await;
    server.settle().await;
    let (mut widget, _) = visitor(&server.url(""), &chat.key, None, 0).await;
    widget.send(says("Bonjour").1).await;
    widget.until_type("ack").await;
    let offered = agent.until_type("conversation").await;
    let id = offered["id"].as_str().unwrap().to_owned();
    agent.send(json!({ "type": "message", "conversation_id": id, "client_id": uuid::Uuid::new_v4(), "text": "Bonjour, je regarde" })).await;
    widget.until("the answer", |f| f["type"] == "message" && f["from"] == "agent").await;
    server.settle().await;

    let fr = Reader::logged_in(&server, Some("fr"), "admin@acme.test", "admin-password").await;
    let confirm = fr.text(&format!("/history/{id}/erase")).await;
    no_missing_key(&confirm);
    assert!(confirm.contains("Effacer les données de ce visiteur\u{202f}?") && confirm.contains("Cette action est irréversible."), "{confirm}");
    let csrf = hidden_field(&confirm, "csrf").unwrap();
    let refused = fr.post(&format!("/history/{id}/erase"), &[("csrf", &csrf)]).await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("Cochez la case pour confirmer l’effacement."));
    let en = Reader::logged_in(&server, None, "admin@acme.test", "admin-password").await;
    assert!(en.text(&format!("/history/{id}/erase")).await.contains("This cannot be undone."));
}
