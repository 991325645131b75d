//! Sites, advisors, the subscription, orders and invoices in French (`Accept-Language: fr`),
//! and the same pages unchanged in English without the header.

use app::{Billing, Clock};
use chrono::NaiveDate;
use domain::company::Role;
use serde_json::Value;
use testkit::server::{hidden_field, Browserless};
use testkit::{TestDb, TestServer};

const NBSP: char = '\u{a0}';

/// A page as a French browser asks for it.
async fn fr(client: &Browserless, path: &str) -> String {
    client.http.get(client.url(path)).header("accept-language", "fr-FR,fr;q=0.9,en;q=0.5").send().await.unwrap().text().await.unwrap()
}

async fn fr_post(client: &Browserless, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    client.http.post(client.url(path)).header("accept-language", "fr").form(fields).send().await.unwrap()
}

/// French text as the catalogue writes it: a no-break space before `:`, `?`, `%`, `€`.
fn nb(text: &str) -> String {
    text.replace(" :", &format!("{NBSP}:")).replace(" ?", &format!("{NBSP}?")).replace(" %", &format!("{NBSP}%")).replace(" €", &format!("{NBSP}€"))
}

fn assert_has(page: &str, texts: &[&str]) {
    for text in texts {
        assert!(page.contains(&nb(text)), "{text:?} is not in:\n{page}");
    }
}

fn assert_whole(page: &str) {
    testkit::server::assert_no_missing_words("the page", page);
}

async fn new_site(client: &Browserless, csrf: &str, name: &str) -> String {
    let created = client.post_form("/admin/sites/new", &[("csrf", csrf), ("name", name), ("urls", "https://shop.example.com"), ("notes", "")]).await;
    assert_eq!(created.status(), 303);
    let to = created.headers()["location"].to_str().unwrap().to_owned();
    to.trim_start_matches("/admin/sites/").trim_end_matches("/install").to_owned()
}

#[tokio::test]
async fn the_site_pages_speak_french_to_a_french_browser_and_english_otherwise() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (company, _) = server.company("Acme", "admin@acme.test", "admin-password", 5).await;
    server.user(company, "grace@acme.test", "grace-password", &[Role::Agent]).await;
    let admin = server.login("admin@acme.test", "admin-password").await;
    let csrf = admin.csrf().await;
    let id = new_site(&admin, &csrf, "Shop").await;

    // The list.
    let list = fr(&admin, "/admin/sites").await;
    assert_has(
        &list,
        &["<html lang=\"fr\"", "<h1>Sites et hotlines</h1>", "Ajouter un site", "<th>Haute</th>", "<th>En ligne</th>", "personne", "Modifier Shop"],
    );
    assert_whole(&list);
    let english = admin.get_text("/admin/sites").await;
    assert!(
        english.contains("<h1>Sites &amp; Hotlines</h1>") && english.contains("Add a site") && english.contains("<th>Online now</th>"),
        "{english}"
    );
    assert!(english.contains("<html lang=\"en\"") && !english.contains("Ajouter"));

    // A widget loaded from an address the site does not list: the warning, with a French date.
    let origin = reqwest::Client::new();
    let config = server.url(&format!("/widget/config?site={}", site_key(&admin, &id).await));
    origin.get(&config).header("origin", "https://copycat.example.net").send().await.unwrap();
    let page = fr(&admin, &format!("/admin/sites/{id}")).await;
    assert_has(
        &page,
        &[
            "Le widget a été chargé depuis des adresses que ce site ne mentionne pas :",
            "Poids des priorités",
            "Clé du widget",
            "Haute :",
            "Changer la clé…",
        ],
    );
    let seen = regex_lite::Regex::new(r"https://copycat\.example\.net \(dernière fois le \d{1,2} \S+ \d{4} à \d{2}:\d{2} UTC\)").unwrap();
    assert!(seen.is_match(&page), "{page}");
    assert_whole(&page);
    let english = admin.get_text(&format!("/admin/sites/{id}")).await;
    let seen = regex_lite::Regex::new(r"https://copycat\.example\.net \(last \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC\)").unwrap();
    assert!(seen.is_match(&english) && english.contains("Priority weights") && english.contains("Rotate the key…"), "{english}");

    // A weight out of range, said in French.
    let weights = fr_post(&admin, &format!("/admin/sites/{id}/weights"), &[("csrf", &csrf), ("high", "0"), ("normal", "2"), ("low", "1")]).await;
    assert_eq!(weights.status(), 422);
    assert_has(&weights.text().await.unwrap(), &["oids de la priorité haute doit être un nombre entier de 1 à 100"]);

    // Installing, with the platforms and the copy button's words.
    let install = fr(&admin, &format!("/admin/sites/{id}/install")).await;
    assert_has(
        &install,
        &[
            "<h1>Installation manuelle</h1>",
            "Collez ces lignes dans chaque page de <strong>Shop</strong>, juste avant <code>&lt;/body&gt;</code> :",
            "<a href=\"/integrations/wordpress/switchboard-chat.zip\" download>Télécharger l’extension (.zip)</a>. Mettez-la ensuite en ligne sous Extensions → Ajouter → Mettre une extension en ligne, activez <strong>Switchboard Chat</strong>",
            "Joomla, Drupal et autres",
            "\"copy-done\":\"Copié\"",
        ],
    );
    assert_whole(&install);
    let english = admin.get_text(&format!("/admin/sites/{id}/install")).await;
    assert!(english.contains("Paste these lines into every page of <strong>Shop</strong>, just before <code>&lt;/body&gt;</code>:"), "{english}");
    assert!(english.contains("<a href=\"/integrations/wordpress/switchboard-chat.zip\" download>Download the plugin (.zip)</a>. Upload it under Plugins → Add New → Upload Plugin, activate <strong>Switchboard Chat</strong>"), "{english}");

    // Test my module, the key and the deletion confirmations.
    let test = fr(&admin, &format!("/admin/sites/{id}/test")).await;
    assert_has(
        &test,
        &["<html lang=\"fr\"", "<h1>Tester mon module : Shop</h1>", "Script du widget :", "\"sites-test-running\":\"installé et en marche\""],
    );
    assert_whole(&test);
    let key = fr(&admin, &format!("/admin/sites/{id}/key")).await;
    assert_has(&key, &["Changer la clé du widget de Shop ?", "(clé <code>sbk_", "cessent aussitôt d’afficher le widget", "Annuler"]);
    assert_whole(&key);
    assert!(admin.get_text(&format!("/admin/sites/{id}/key")).await.contains("Rotate the widget key of Shop?"));
    let delete = fr(&admin, &format!("/admin/sites/{id}/delete")).await;
    assert_has(&delete, &["Supprimer Shop ?", "Oui, supprimer Shop", "Cette action est irréversible."]);
    let unticked = fr_post(&admin, &format!("/admin/sites/{id}/delete"), &[("csrf", &csrf)]).await;
    assert_has(&unticked.text().await.unwrap(), &["Cochez la case pour confirmer la suppression."]);

    // The advisors, and the words their script shows.
    let advisors = fr(&admin, &format!("/admin/sites/{id}/agents")).await;
    assert_has(
        &advisors,
        &["<h1>Conseillers de Shop</h1>", "Tous les agents", "Priorité haute", "Non affecté", "\"advisors-js-picked-up\":\"{$name} saisi."],
    );
    assert_whole(&advisors);
    let english = admin.get_text(&format!("/admin/sites/{id}/agents")).await;
    assert!(english.contains("<h1>Advisors of Shop</h1>") && english.contains("All agents") && english.contains("{$name} picked up."), "{english}");

    // A widget refused on another address says so in its visitor's language.
    let restrict = admin
        .post_form(
            &format!("/admin/sites/{id}"),
            &[("csrf", &csrf), ("name", "Shop"), ("urls", "https://shop.example.com"), ("restrict_to_urls", "on")],
        )
        .await;
    assert_eq!(restrict.status(), 303);
    let refused = origin.get(&config).header("origin", "https://copycat.example.net").header("accept-language", "fr").send().await.unwrap();
    assert_eq!(refused.status(), 403);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "origin_not_allowed");
    assert_eq!(body["error"]["message"], "Le widget de Shop ne peut pas être utilisé sur https://copycat.example.net.");
}

async fn site_key(admin: &Browserless, id: &str) -> String {
    let page = admin.get_text(&format!("/admin/sites/{id}")).await;
    let re = regex_lite::Regex::new(r#"<code id="widget-key">([^<]+)</code>"#).unwrap();
    re.captures(&page).expect("the site page shows its key")[1].to_owned()
}

/// What the widget of the site `id` gets: its language and greeting.
async fn widget_words(server: &TestServer, admin: &Browserless, id: &str) -> (String, String) {
    let config = server.url(&format!("/widget/config?site={}", site_key(admin, id).await));
    let config: Value = reqwest::get(&config).await.unwrap().json().await.unwrap();
    (config["settings"]["language"].as_str().unwrap().to_owned(), config["settings"]["greeting"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_site_created_in_french_greets_its_visitors_in_french_from_the_start() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    server.company("Acme", "admin@acme.test", "admin-password", 5).await;
    let admin = server.login("admin@acme.test", "admin-password").await;
    let csrf = admin.csrf().await;
    let created = fr_post(&admin, "/admin/sites/new", &[("csrf", &csrf), ("name", "Boutique"), ("urls", "www.boutique.fr"), ("notes", "")]).await;
    assert_eq!(created.status(), 303);
    let french = created.headers()["location"].to_str().unwrap().trim_start_matches("/admin/sites/").trim_end_matches("/install").to_owned();
    let greeting = "Bonjour ! Comment pouvons-nous vous aider aujourd’hui ?".replace(" !", "\u{a0}!").replace(" ?", "\u{a0}?");
    assert_eq!(widget_words(&server, &admin, &french).await, ("fr".to_owned(), greeting.clone()));
    // The settings form shows the texts the visitors read, in the site's language.
    let page = admin.get_text(&format!("/admin/sites/{french}")).await;
    assert!(page.contains(&format!(">{greeting}</textarea>")) && page.contains(r#"<option value="fr" selected>"#), "{page}");

    let english = new_site(&admin, &csrf, "Shop").await;
    assert_eq!(widget_words(&server, &admin, &english).await, ("en".to_owned(), "Hello! How can we help you today?".to_owned()));
}

#[tokio::test]
async fn the_subscription_the_order_and_the_invoice_in_french_amounts_and_dates() {
    let db = TestDb::new().await;
    let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
    let server = TestServer::start_with_billing(&db, Billing { clock: Clock::Fixed(today), ..Default::default() }).await;
    server.company("Acme", "admin@acme.test", "admin-password", 1).await;
    let admin = server.login("admin@acme.test", "admin-password").await;
    let csrf = admin.csrf().await;

    let subscription = fr(&admin, "/admin/subscription").await;
    assert_has(
        &subscription,
        &[
            "<h1>Abonnement</h1>",
            "Votre offre",
            "1 utilisée sur 1 achetée",
            "25,00 € par mois",
            "255,00 € par an (21,25 € par mois)",
            "économisez 15 %",
            "Aucune facture pour l’instant.",
        ],
    );
    assert_whole(&subscription);

    let edit = fr(&admin, "/admin/subscription/edit?seats=3&period=annual").await;
    assert_has(
        &edit,
        &[
            "<h1>Changer d’offre</h1>",
            "1 licence utilisée en ce moment",
            "3 licences, paiement annuel, du 3 décembre 2026 au ",
            "765,00 €",
            "Prochain renouvellement le <strong>3 décembre 2027</strong> : 3 licences, paiement annuel, 765,00 € hors TVA.",
        ],
    );
    assert_whole(&edit);
    let bad = fr(&admin, "/admin/subscription/edit?seats=lots").await;
    assert_has(&bad, &["«\u{a0}lots\u{a0}» n’est pas un nombre de licences (de 1 à 100\u{202f}000)"]);

    let order = fr(&admin, "/admin/subscription/order?seats=3&period=annual").await;
    assert_has(&order, &["Coordonnées de facturation", "TVA 20 %", "918,00 €", "Valider et payer 918,00 €", "(refusée)", "Cryptogramme"]);
    assert_whole(&order);
    let order_id = hidden_field(&order, "order_id").unwrap();
    let pay = |number: &'static str, order_id: String| {
        let csrf = csrf.clone();
        let admin = &admin;
        async move {
            let fields = [
                ("csrf", csrf.as_str()),
                ("order_id", order_id.as_str()),
                ("seats", "3"),
                ("period", "annual"),
                ("billing_name", "Ada Lovelace"),
                ("billing_company", "Acme"),
                ("billing_address", "1 rue de la Paix, Paris"),
                ("billing_country", "FR"),
                ("vat_number", ""),
                ("billing_email", "billing@acme.test"),
                ("card_number", number),
                ("card_expiry", "12/30"),
                ("card_cvc", "123"),
            ];
            fr_post(admin, "/admin/subscription/order", &fields).await
        }
    };
    let no_address = [("csrf", csrf.as_str()), ("order_id", order_id.as_str()), ("seats", "3"), ("period", "annual"), ("billing_name", "Ada")];
    let no_address = fr_post(&admin, "/admin/subscription/order", &no_address).await.text().await.unwrap();
    assert_has(&no_address, &["entreprise est manquante"]);
    let declined = pay("4000 0000 0000 0002", order_id).await.text().await.unwrap();
    assert_has(&declined, &["Votre carte a été refusée. Rien n’a été débité"]);
    let paid = pay("4242 4242 4242 4242", hidden_field(&declined, "order_id").unwrap()).await;
    assert_eq!(paid.status(), 303);

    let subscription = fr(&admin, "/admin/subscription").await;
    assert_has(&subscription, &["annuel", "3 décembre 2027", "Visa se terminant par 4242, expire fin 12/2030", "Facture n°\u{a0}1", "918,00 €"]);
    let invoice = fr(&admin, "/admin/invoices/1").await;
    assert_has(
        &invoice,
        &[
            "<h1>Facture n°\u{a0}1</h1>",
            "Date : 3 décembre 2026",
            "Vendeur",
            "Acheteur",
            "TVA 20 %",
            "Total payé",
            "918,00 €",
            "Payé par Visa se terminant par 4242 le 3 décembre 2026.",
        ],
    );
    assert_whole(&invoice);
    let english = admin.get_text("/admin/invoices/1").await;
    for text in ["<h1>Invoice 1</h1>", "Date: 3 December 2026", "VAT 20%", "Total paid", "€918.00", "Paid by Visa ending in 4242 on 3 December 2026."]
    {
        assert!(english.contains(text), "{text:?} is not in:\n{english}");
    }

    // The API: the code stays, the message follows the language.
    let answer = admin
        .http
        .post(admin.url("/api/v1/subscription/orders"))
        .header("x-csrf-token", &csrf)
        .header("accept-language", "fr")
        .json(&serde_json::json!({
            "seats": 4,
            "period": "annual",
            "billing": { "name": "Ada", "company": "Acme", "address": "Paris", "country": "FR", "email": "billing@acme.test" },
        }))
        .send()
        .await
        .unwrap();
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["error"]["code"], "idempotency_key", "{body}");
    assert_eq!(body["error"]["message"], "envoyez un en-tête Idempotency-Key contenant un UUID, un par commande");
}
