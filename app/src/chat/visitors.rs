//! Widget visitors (the `visitors` table, owned here): a visitor is known by a token kept
//! in their browser, of which only the hash is stored.

use domain::{ConversationId, SiteId, VisitorId};

use crate::auth::{hash_token, random_token};
use crate::{App, Result};

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
