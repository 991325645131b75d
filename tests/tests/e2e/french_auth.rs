//! Logging in, a forgotten password and the e-mails in French: the pages follow the
//! browser's `Accept-Language`; an e-mail follows its recipient (their own language and time
//! zone, else their company's), whoever's browser caused it. Without the header, English
//! stays exactly as it was.

use domain::company::Role;
use domain::UserId;
use reqwest::Method;
use serde_json::json;
use testkit::api::Api;
use testkit::server::hidden_field;
use testkit::smtp::{invitation_link, password_reset_link, read_all, read_mail, wait_for};
use testkit::{Browserless, TestDb, TestServer};

const FR_MONTHS: [&str; 12] = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."];
const EN_MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// A browser that sends `Accept-Language: lang` (none: no header at all).
fn browser(server: &TestServer, lang: Option<&str>) -> Browserless {
    Browserless::speaking(server, lang)
}

fn no_missing_words(text: &str) {
    testkit::server::assert_no_missing_words("the page", text);
}

fn has_all(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "{part:?} is missing from: {text}");
    }
}

/// Asks for a reset link on the "Forgot your password?" page.
async fn ask(browser: &Browserless, email: &str) -> reqwest::Response {
    let form = browser.get_text("/password-reset").await;
    let csrf = hidden_field(&form, "csrf").expect("the form has a CSRF field");
    browser.post_form("/password-reset", &[("csrf", &csrf), ("email", email)]).await
}

async fn choose(browser: &Browserless, link: &str, password: &str, confirm: &str) -> reqwest::Response {
    let page = browser.get_text(link).await;
    let csrf = hidden_field(&page, "csrf").unwrap_or_default();
    browser.post_form(link, &[("csrf", &csrf), ("password", password), ("confirm", confirm)]).await
}

#[tokio::test]
async fn the_login_and_forgotten_password_pages_speak_the_browsers_language() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (company, _) = server.company("Acme", "admin@acme.test", "admin-password", 5).await;
    server.user(company, "ada@acme.test", "ada-password", &[Role::Agent]).await;

    // No header: the English of every day.
    let english = browser(&server, None);
    let login = english.get_text("/login").await;
    has_all(&login, &[r#"lang="en""#, "<title>Log in", "Log in to Switchboard", ">E-mail<", ">Password<", "Forgot your password?"]);
    let wrong = english.login("ada@acme.test", "not-her-password").await;
    assert_eq!(wrong.status(), 401);
    has_all(&wrong.text().await.unwrap(), &["Wrong e-mail or password."]);
    has_all(&english.get_text("/login?reset=done").await, &["Your new password is set, and every other session is logged out. Log in with it."]);
    has_all(&english.get_text("/password-reset").await, &["Forgot your password?", "Send me a link", "Back to log in"]);

    // A French browser.
    let french = browser(&server, Some("fr-FR, fr;q=0.9, en;q=0.5"));
    let login = french.get_text("/login").await;
    no_missing_words(&login);
    has_all(
        &login,
        &[
            r#"lang="fr""#,
            "<title>Connexion",
            "Connexion à Switchboard",
            "Adresse e-mail",
            ">Mot de passe<",
            ">Se connecter<",
            "Mot de passe oublié\u{a0}?",
        ],
    );
    assert!(!login.contains("Log in to Switchboard") && !login.contains("Forgot your password?"), "{login}");
    let wrong = french.login("ada@acme.test", "not-her-password").await;
    assert_eq!(wrong.status(), 401);
    let wrong = wrong.text().await.unwrap();
    no_missing_words(&wrong);
    has_all(&wrong, &["Adresse e-mail ou mot de passe incorrect.", r#"value="ada@acme.test""#]);
    let stale = french.post_form("/login", &[("csrf", "stale"), ("email", "ada@acme.test"), ("password", "ada-password")]).await;
    assert_eq!(stale.status(), 400);
    has_all(&stale.text().await.unwrap(), &["Ce formulaire avait expiré. Veuillez vous reconnecter."]);
    has_all(&french.get_text("/login?reset=done").await, &["Votre nouveau mot de passe est enregistré et toutes vos autres sessions sont fermées."]);

    // "Forgot your password?" in French, its refusals too.
    let form = french.get_text("/password-reset").await;
    no_missing_words(&form);
    has_all(
        &form,
        &[
            "<title>Mot de passe oublié\u{a0}?",
            "Indiquez l’adresse e-mail de votre compte\u{a0}: nous vous enverrons un lien",
            "M’envoyer un lien",
            "Retour à la connexion",
        ],
    );
    let csrf = hidden_field(&form, "csrf").unwrap();
    let blank = french.post_form("/password-reset", &[("csrf", &csrf), ("email", "  ")]).await;
    assert_eq!(blank.status(), 422);
    has_all(&blank.text().await.unwrap(), &["Indiquez l’adresse e-mail de votre compte."]);
    let stale = french.post_form("/password-reset", &[("csrf", "stale"), ("email", "ada@acme.test")]).await;
    assert_eq!(stale.status(), 400);
    has_all(&stale.text().await.unwrap(), &["Ce formulaire avait expiré. Veuillez réessayer."]);
    let asked = ask(&french, "nobody@acme.test").await;
    assert_eq!(asked.status(), 303);
    let sent = french.get_text(asked.headers()["location"].to_str().unwrap()).await;
    no_missing_words(&sent);
    has_all(&sent, &["Consultez votre boîte de réception", "Si un compte utilise cette adresse", "Rien reçu après quelques minutes\u{a0}?"]);
    has_all(&english.get_text("/password-reset/sent").await, &["Check your mailbox", "If an account uses this address"]);

    let unknown = french.get("/password-reset/0123abcd").await;
    assert_eq!(unknown.status(), 404);
    let unknown = unknown.text().await.unwrap();
    no_missing_words(&unknown);
    has_all(&unknown, &["Ce lien n’est pas valide", "Ce lien de réinitialisation du mot de passe n’est pas valide.", "Demander un nouveau lien"]);
    let unknown = english.get_text("/password-reset/0123abcd").await;
    has_all(&unknown, &["This link is not valid", "This password reset link is not valid.", "Ask for a new link"]);

    // Too many attempts: the limit speaks French too.
    let mut last = None;
    for _ in 0..11 {
        last = Some(french.login("ada@acme.test", "still-not-it").await);
    }
    let limited = last.unwrap();
    assert_eq!(limited.status(), 429);
    has_all(&limited.text().await.unwrap(), &["Trop de tentatives de connexion échouées. Attendez 15\u{a0}minutes avant de réessayer."]);
}

#[tokio::test]
async fn a_french_users_reset_mail_is_french_in_their_time_zone_whatever_the_browser() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (company, _) = server.company("Acme", "admin@acme.test", "admin-password", 5).await;
    let ada = server.user(company, "ada@acme.test", "old-password", &[Role::Agent]).await;
    let bob = server.user(company, "bob@acme.test", "bob-password", &[Role::Agent]).await;
    let session = server.session_of(company, ada).await;
    app::preferences::choose_language_and_time_zone(&server.app, &session, "fr", "Indian/Reunion").await.unwrap();

    // Both asked from a browser without any language: each mail is its recipient's.
    let english = browser(&server, None);
    assert_eq!(ask(&english, "ada@acme.test").await.status(), 303);
    assert_eq!(ask(&english, "bob@acme.test").await.status(), 303);
    assert_eq!(wait_for(|| mails(&server).len(), 2).await, 2);
    let mails = mails(&server);
    let to = |who: &str| mails.iter().find(|m| m.contains(&format!("To: {who}"))).unwrap_or_else(|| panic!("no mail to {who}: {mails:?}"));

    let (subject, text) = read_mail(to("ada@acme.test"));
    assert_eq!(subject, "Réinitialisez votre mot de passe Switchboard");
    no_missing_words(&text);
    let expires = local_expiry(&db, ada, "PasswordResetRequested", "Indian/Reunion").await;
    assert!(text.starts_with("Bonjour ada,\n\nQuelqu’un a demandé la réinitialisation du mot de passe de votre compte Switchboard."), "{text}");
    has_all(
        &text,
        &[
            "Choisissez un nouveau mot de passe ici\u{a0}:\n\nhttp://",
            &format!("Le lien ne fonctionne qu’une fois et expire le {}.", expires.french("+04")),
            "Si vous n’êtes pas à l’origine de cette demande, ignorez cet e-mail\u{a0}: votre mot de passe reste inchangé.",
        ],
    );

    let (subject, text) = read_mail(to("bob@acme.test"));
    assert_eq!(subject, "Reset your Switchboard password");
    let expires = local_expiry(&db, bob, "PasswordResetRequested", "UTC").await;
    assert!(
        text.starts_with("Hello bob,\n\nSomeone asked to reset the password of your Switchboard account. Choose a new password here:\n\n"),
        "{text}"
    );
    has_all(
        &text,
        &[
            &format!("The link works once and expires on {}. Choosing a new password logs you out everywhere else.\n", expires.english()),
            "If you did not ask for this, ignore this e-mail: your password stays as it is.\n",
        ],
    );

    // The link's pages follow the browser that opens it.
    let link = password_reset_link(to("ada@acme.test"));
    let french = browser(&server, Some("fr"));
    let page = french.get_text(&link).await;
    no_missing_words(&page);
    has_all(
        &page,
        &[
            "<title>Choisissez un nouveau mot de passe",
            "Bonjour ada, choisissez le nouveau mot de passe de votre compte Switchboard.",
            "Nouveau mot de passe (au moins 8\u{a0}caractères)",
            "Enregistrer mon nouveau mot de passe",
        ],
    );
    let short = choose(&french, &link, "short", "short").await;
    assert_eq!(short.status(), 422);
    has_all(&short.text().await.unwrap(), &["Le mot de passe doit comporter au moins 8\u{a0}caractères."]);
    let differ = choose(&french, &link, "new-password", "other-password").await;
    assert_eq!(differ.status(), 422);
    has_all(&differ.text().await.unwrap(), &["Les deux mots de passe sont différents."]);
    let stale = french.post_form(&link, &[("csrf", "stale"), ("password", "new-password"), ("confirm", "new-password")]).await;
    assert_eq!(stale.status(), 422);
    has_all(&stale.text().await.unwrap(), &["Ce formulaire avait expiré. Veuillez saisir de nouveau votre mot de passe."]);
    let done = choose(&french, &link, "new-password", "new-password").await;
    assert_eq!(done.headers()["location"], "/login?reset=done");
    let used = french.get(&link).await;
    assert_eq!(used.status(), 410);
    has_all(&used.text().await.unwrap(), &["Ce lien a déjà été utilisé", "Ce lien de réinitialisation du mot de passe a déjà été utilisé\u{a0};"]);
    let used = english.get_text(&link).await;
    has_all(&used, &["This link has already been used", "This password reset link has already been used; ask for a new one if you need to."]);
    server.login("ada@acme.test", "new-password").await;
}

#[tokio::test]
async fn an_invitation_is_mailed_in_the_companys_language_and_time_zone() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (company, admin) = server.company("Acme", "admin@acme.test", "admin-password", 5).await;
    let session = server.session_of(company, admin).await;
    app::preferences::set_company_defaults(&server.app, &session, "fr", "Europe/Paris").await.unwrap();

    let api = Api::login(&server, "admin@acme.test", "admin-password").await;
    let (status, body) =
        api.json(Method::POST, "/api/v1/users", Some(json!({ "email": "ivy@acme.test", "first_name": "Ivy", "last_name": "Invitée" }))).await;
    assert_eq!(status, 201, "{body}");
    let ivy: UserId = body["user"]["id"].as_str().unwrap().parse().unwrap();

    assert_eq!(wait_for(|| mails(&server).len(), 1).await, 1);
    let mail = &mails(&server)[0];
    assert!(mail.contains("To: ivy@acme.test"), "{mail}");
    let (subject, text) = read_mail(mail);
    assert_eq!(subject, "Acme vous invite sur Switchboard");
    no_missing_words(&text);
    let expires = local_expiry(&db, ivy, "UserInvited", "Europe/Paris").await;
    let zone = if expires.offset_hours == 2 { "CEST" } else { "CET" };
    assert!(
        text.starts_with("Bonjour Ivy,\n\nAcme vous a créé un compte Switchboard. Choisissez votre mot de passe ici\u{a0}:\n\nhttp://"),
        "{text}"
    );
    has_all(
        &text,
        &[&format!(
            "Le lien ne fonctionne qu’une fois et expire le {}. S’il a expiré, demandez à votre administrateur de vous en envoyer un nouveau.",
            expires.french(zone)
        )],
    );
    assert!(invitation_link(mail).len() > "/invitation/".len() + 16);
}

fn mails(server: &TestServer) -> Vec<String> {
    read_all(&[server.mail_dir().unwrap()])
}

/// When a link expires, as read where the reader is.
struct Expiry {
    day: String,
    month0: usize,
    /// "2026 14:05"
    year_and_time: String,
    offset_hours: i32,
}

impl Expiry {
    fn french(&self, zone: &str) -> String {
        let (year, time) = self.year_and_time.split_once(' ').unwrap();
        format!("{} {} {year} à {time} {zone}", self.day, FR_MONTHS[self.month0])
    }

    fn english(&self) -> String {
        let (year, time) = self.year_and_time.split_once(' ').unwrap();
        format!("{} {} {year}, {time} UTC", self.day, EN_MONTHS[self.month0])
    }
}

/// The expiry recorded by the user's latest `event_type`, in `zone` (PostgreSQL's own
/// time zone database converts it).
async fn local_expiry(db: &TestDb, user: UserId, event_type: &str, zone: &str) -> Expiry {
    let client = db.client().await;
    let row = client
        .query_one(
            "SELECT to_char(t AT TIME ZONE $3, 'FMDD'), extract(month FROM t AT TIME ZONE $3)::int, to_char(t AT TIME ZONE $3, 'YYYY HH24:MI'),
                    (extract(epoch FROM (t AT TIME ZONE $3) - (t AT TIME ZONE 'UTC')) / 3600)::int
             FROM (SELECT (payload->>'expires_at')::timestamptz AS t FROM events WHERE stream = $1 AND event_type = $2
                   ORDER BY version DESC LIMIT 1) latest",
            &[&domain::user::stream(user), &event_type, &zone],
        )
        .await
        .unwrap();
    Expiry { day: row.get(0), month0: (row.get::<_, i32>(1) - 1) as usize, year_and_time: row.get(2), offset_hours: row.get(3) }
}
