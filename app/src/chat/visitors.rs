//! Widget visitors (the `visitors` table, owned here): a visitor is known by a token kept
//! in their browser, of which only the hash is stored; and the erasure of a visitor's data.

use domain::{CompanyId, ConversationId, Metadata, SiteId, VisitorId};
use projections::Registered;

use crate::auth::{hash_token, random_token};
use crate::{App, Error, Result};

/// Who a widget's visitor is.
pub struct Visitor {
    pub visitor_id: VisitorId,
    /// For the widget to keep; new when the visitor is new.
    pub token: String,
    /// Their conversation on the site that is still open, if any.
    pub open: Option<ConversationId>,
    pub new: bool,
}

/// The visitor behind `token` on `site`, or a new one with a new token.
pub async fn identify(app: &App, site: SiteId, token: Option<String>) -> Result<Visitor> {
    let client = app.pool().get().await?;
    if let Some(token) = token.filter(|t| t.len() == 64 && t.chars().all(|c| c.is_ascii_hexdigit())) {
        let row = client.query_opt("SELECT visitor_id FROM visitors WHERE token_hash = $1 AND site_id = $2", &[&hash_token(&token), &site.0]).await?;
        if let Some(row) = row {
            let visitor_id = VisitorId(row.get(0));
            let open = projections::chat::open_of_visitor(&**client, visitor_id, site).await?;
            return Ok(Visitor { visitor_id, token, open, new: false });
        }
    }
    let token = random_token();
    let visitor_id = VisitorId::new();
    client
        .execute("INSERT INTO visitors (token_hash, visitor_id, site_id) VALUES ($1, $2, $3)", &[&hash_token(&token), &visitor_id.0, &site.0])
        .await?;
    Ok(Visitor { visitor_id, token, open: None, new: true })
}

/// The visitor's latest chat on the site, open or ended: the one the widget's end-of-chat
/// frames are about when the socket no longer follows it (after a reload).
pub async fn latest_chat(app: &App, visitor: VisitorId, site: SiteId) -> Result<Option<ConversationId>> {
    let client = app.pool().get().await?;
    Ok(projections::chat::latest_chat_of_visitor(&**client, visitor, site).await?)
}

/// What erasing a visitor did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erasure {
    pub visitor_id: VisitorId,
    /// Keys destroyed (0 when an earlier erasure took them all).
    pub keys: u32,
    /// Their conversations, now shown without their data.
    pub conversations: i64,
}

/// The company a visitor belongs to: where they chatted or left a message, or holds a key.
pub async fn company_of(app: &App, visitor: VisitorId) -> Result<Option<CompanyId>> {
    let client = app.pool().get().await?;
    let row = client
        .query_opt(
            "SELECT company_id FROM conversations WHERE visitor_id = $1
             UNION ALL SELECT company_id FROM visitor_keys WHERE visitor_id = $1 LIMIT 1",
            &[&visitor.0],
        )
        .await?;
    Ok(row.map(|r| CompanyId(r.get(0))))
}

/// Erases the personal data of `visitor`, a visitor of `company` (anyone else's is not
/// found): their keys are destroyed, so what the log holds of them can no longer be read;
/// their tokens are forgotten, so their browser is a stranger next time; the read models
/// are blanked before this returns. Who did it is recorded.
pub async fn erase(app: &App, company: CompanyId, visitor: VisitorId, metadata: &Metadata) -> Result<Erasure> {
    if company_of(app, visitor).await? != Some(company) {
        return Err(Error::NotFound);
    }
    app.pool().get().await?.execute("DELETE FROM visitors WHERE visitor_id = $1", &[&visitor.0]).await?;
    let outcome = app.chat.streams().erase_visitor(company, visitor, metadata).await?;
    app.read_your_writes(Registered::Conversations, outcome.position).await?;
    let client = app.pool().get().await?;
    let conversations: i64 =
        client.query_one("SELECT count(*) FROM conversations WHERE company_id = $1 AND visitor_id = $2", &[&company.0, &visitor.0]).await?.get(0);
    let keys = outcome.events.iter().map(|domain::visitor::Event::VisitorErased { keys, .. }| *keys).sum();
    Ok(Erasure { visitor_id: visitor, keys, conversations })
}

/// The browser and the system a `User-Agent` names, with their major versions where they
/// tell the truth about them (`Firefox 133`, `Android 14`); empty when unknown. Order
/// matters: Edge and Opera say "Chrome", Chrome says "Safari".
pub fn browser_and_system(user_agent: &str) -> (String, String) {
    let version = |marker: &str| -> Option<String> {
        let rest = &user_agent[user_agent.find(marker)? + marker.len()..];
        Some(rest.chars().take_while(|c| c.is_ascii_digit()).collect::<String>()).filter(|v| !v.is_empty())
    };
    let named = |name: &str, marker: &str| version(marker).map(|v| format!("{name} {v}"));
    let browser = named("Edge", "Edg/")
        .or_else(|| named("Opera", "OPR/"))
        .or_else(|| named("Samsung Internet", "SamsungBrowser/"))
        .or_else(|| named("Firefox", "Firefox/"))
        .or_else(|| named("Firefox", "FxiOS/"))
        .or_else(|| named("Chrome", "CriOS/"))
        .or_else(|| named("Chrome", "Chrome/"))
        .or_else(|| user_agent.contains("Safari/").then(|| named("Safari", "Version/")).flatten())
        .unwrap_or_default();
    let system = if user_agent.contains("Windows") {
        "Windows".to_owned()
    } else if let Some(v) = version("Android ") {
        format!("Android {v}")
    } else if user_agent.contains("iPhone") || user_agent.contains("iPad") {
        version("OS ").map_or("iOS".to_owned(), |v| format!("iOS {v}"))
    } else if user_agent.contains("CrOS") {
        "ChromeOS".to_owned()
    } else if user_agent.contains("Mac OS X") {
        "macOS".to_owned()
    } else if user_agent.contains("Linux") {
        "Linux".to_owned()
    } else {
        String::new()
    };
    (browser, system)
}

#[cfg(test)]
mod tests {
    use super::browser_and_system;

    #[test]
    fn the_common_browsers_and_systems_are_named() {
        for (agent, browser, system) in [
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Chrome 131", "Windows"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge 131", "Windows"),
            ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox 133", "Linux"),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", "Safari 18", "macOS"),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", "Safari 18", "iOS 18"),
            ("Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36", "Samsung Internet 26", "Android 14"),
            ("curl/8.5.0", "", ""),
            ("", "", ""),
        ] {
            assert_eq!(browser_and_system(agent), (browser.to_owned(), system.to_owned()), "{agent}");
        }
    }
}
