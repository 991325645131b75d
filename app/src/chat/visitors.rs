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
