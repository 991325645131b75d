//! Every form refused for one bad field marks that field invalid and links it to the message
//! that says why (`aria-invalid`, `aria-describedby`), so a screen reader reads the reason
//! with the field.

use domain::site::Priority;
use testkit::server::{hidden_field, Browserless};
use testkit::{TestDb, TestServer};

/// The page marks at least one field invalid, and each one names, in `aria-describedby`,
/// elements the page has; `field` is among them.
fn assert_linked(what: &str, page: &str, field: &str) {
    let tag = regex_lite::Regex::new(r#"<(input|textarea|select)\b[^>]*>"#).unwrap();
    let attribute = |tag: &str, name: &str| regex_lite::Regex::new(&format!(r#"\b{name}="([^"]*)""#)).unwrap().captures(tag).map(|c| c[1].to_owned());
    let invalid: Vec<&str> = tag.find_iter(page).map(|m| m.as_str()).filter(|t| t.contains(r#"aria-invalid="true""#)).collect();
    assert!(invalid.iter().any(|t| attribute(t, "name").as_deref() == Some(field)), "{what}: `{field}` is not marked invalid in:\n{page}");
    for t in invalid {
        let described = attribute(t, "aria-describedby").unwrap_or_else(|| panic!("{what}: {t} is invalid and names no message"));
        for id in described.split_whitespace() {
            assert!(page.contains(&format!(r#"id="{id}""#)), "{what}: {t} points to #{id}, which the page lacks");
        }
    }
}

async fn refused(client: &Browserless, path: &str, fields: &[(&str, &str)]) -> String {
    let response = client.post_form(path, fields).await;
    assert_eq!(response.status(), 422, "{path} with {fields:?}");
    response.text().await.unwrap()
}

#[tokio::test]
async fn every_refused_form_links_the_field_to_its_message() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let chat = server.chat_site("Acme", 5).await;
    let ann = server.agent(&chat, "ann@acme.test", 3, Priority::Normal).await.0;
    let site = chat.site.0;
    let admin = server.login("admin@acme.test", "admin-password").await;
    let csrf = admin.csrf().await;
    let csrf = csrf.as_str();

    let new_user = [("csrf", csrf), ("email", "not an address"), ("first_name", "Bea"), ("last_name", "B"), ("access", "invite_later")];
    assert_linked("a new user", &refused(&admin, "/admin/users/new", &new_user).await, "email");
    let profile = [("csrf", csrf), ("email", "ann@acme.test"), ("first_name", "Ann"), ("last_name", " ")];
    assert_linked("a profile", &refused(&admin, &format!("/admin/users/{ann}"), &profile).await, "last_name");
    let settings = [("csrf", csrf), ("max_chats", "many")];
    assert_linked("a user's settings", &refused(&admin, &format!("/admin/users/{ann}/settings"), &settings).await, "max_chats");
    let new_site = [("csrf", csrf), ("name", " "), ("urls", "www.acme.fr"), ("notes", "")];
    assert_linked("a new site", &refused(&admin, "/admin/sites/new", &new_site).await, "name");
    let widget = [("csrf", csrf), ("colour", "blue"), ("greeting", ""), ("position", "bottom-right"), ("language", "en"), ("offline_text", "")];
    assert_linked("the widget", &refused(&admin, &format!("/admin/sites/{site}/widget"), &widget).await, "colour");
    let weights = [("csrf", csrf), ("high", "0"), ("normal", "5"), ("low", "1")];
    assert_linked("the weights", &refused(&admin, &format!("/admin/sites/{site}/weights"), &weights).await, "high");

    // Ordering seats: a missing billing name, the rest as the order page filled it in.
    let order = admin.get_text("/admin/subscription/order?seats=6&period=annual").await;
    let kept: Vec<(&str, String)> =
        ["order_id", "seats", "period", "expected_total"].iter().map(|f| (*f, hidden_field(&order, f).unwrap_or_default())).collect();
    let mut fields: Vec<(&str, &str)> = kept.iter().map(|(f, v)| (*f, v.as_str())).collect();
    fields.extend([("csrf", csrf), ("billing_name", ""), ("billing_company", "Acme"), ("billing_address", "1 rue de la Paix, Paris")]);
    fields.extend([("billing_country", "FR"), ("billing_email", "billing@acme.test")]);
    assert_linked("an order", &refused(&admin, "/admin/subscription/order", &fields).await, "billing_name");

    // Too few seats is refused on the offer's own page, which is a GET form.
    let offer = admin.get_text("/admin/subscription/edit?seats=1&period=monthly").await;
    assert_linked("the offer", &offer, "seats");
}
