//! The password reset mailer, a process manager shaped like the invitation mailer: the
//! outbox projection records each `PasswordResetRequested` (once, even on replay); this
//! sender makes the link's token, records only its hash (`PasswordResetLinkIssued`) and
//! mails the link. A crash between the two leaves the row pending: the next attempt issues
//! a fresh link (the unsent one dies). An expired or superseded request mails nothing.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use domain::ids::PasswordResetId;
use domain::{Actor, CompanyId, Metadata, UserId};
use locale::{tl, Reader};
use store::EventStore;

use crate::accounts::Accounts;
use crate::mailer::{recipient, Transport};
use crate::outbox::{back_off, Outbox, Status};
use crate::{secrets, Error};

const OUTBOX: Outbox = Outbox { table: "password_reset_mails", id_column: "reset_id" };

pub struct PasswordResetMailer<S> {
    pub accounts: Accounts<S>,
    pub pool: Pool,
    pub transport: Arc<Transport>,
    /// The address users reach Switchboard at, for links.
    pub public_url: String,
}

impl<S: EventStore> PasswordResetMailer<S> {
    /// Mails pending reset links for as long as it runs.
    pub async fn run(self) {
        crate::outbox::deliver("password reset mailer", self.accounts.store().hints(), || self.send_one()).await
    }

    /// Sends the oldest pending reset link, if any. Returns whether there was one.
    pub async fn send_one(&self) -> Result<bool, Error> {
        let Some(claimed) = OUTBOX.claim(&self.pool).await? else { return Ok(false) };
        let (reset_id, user_id) = (PasswordResetId(claimed.id), claimed.user_id);
        let status = match self.mail(reset_id, user_id, claimed.company_id).await {
            Ok(true) => Status::Sent,
            Ok(false) => Status::Superseded,
            Err(e) => {
                tracing::warn!(%user_id, %reset_id, error = %e, "password reset mail not sent; will retry");
                Status::Retry { error: e.to_string(), in_secs: back_off(claimed.attempts) }
            }
        };
        OUTBOX.finish(&self.pool, claimed.id, status).await?;
        Ok(true)
    }

    /// Whether a mail went out (false: the request is no longer the current one, or expired).
    async fn mail(&self, reset_id: PasswordResetId, user_id: UserId, company_id: CompanyId) -> Result<bool, Error> {
        let state = self.accounts.user_of(company_id, user_id).await?;
        let (Some(registration), Some(reset)) = (&state.registration, &state.password_reset) else { return Ok(false) };
        if reset.id != reset_id || reset.expires_at <= Utc::now() {
            return Ok(false);
        }
        let token = secrets::random_token();
        let metadata = Metadata::new(Some(company_id), Actor::System("password-reset-mailer".into()));
        match self.accounts.issue_password_reset_link(user_id, reset_id, secrets::hash_token(&token), &metadata).await {
            Err(Error::User(domain::user::Error::NoPasswordReset)) => return Ok(false),
            other => other?,
        };
        // Cached, as for invitations; only the defaults are kept.
        let defaults = self.accounts.company(company_id).await?.defaults.clone();
        let reader = recipient(&registration.preferences, &defaults);
        let link = format!("{}/password-reset/{token}", self.public_url.trim_end_matches('/'));
        let text = reset_text(reader, &registration.profile.first_name, &link, reset.expires_at);
        let subject = tl!(reader.lang, "mail-reset-subject");
        self.transport.send(registration.email.as_str(), &subject, text).await.map_err(|e| Error::Database(e.to_string()))?;
        tracing::info!(%user_id, %reset_id, "password reset link mailed");
        Ok(true)
    }
}

/// The mail in its recipient's language, the expiry in their time zone.
fn reset_text(reader: Reader, first_name: &str, link: &str, expires_at: DateTime<Utc>) -> String {
    let lang = reader.lang;
    format!(
        "{}\n\n{}\n\n{link}\n\n{}\n{}\n",
        tl!(lang, "mail-hello", first_name = first_name),
        tl!(lang, "mail-reset-intro"),
        tl!(lang, "mail-reset-expiry", expires_at = reader.date_time(expires_at)),
        tl!(lang, "mail-reset-not-you"),
    )
}

#[cfg(test)]
mod tests {
    use locale::{Lang, Reader, Tz};

    #[test]
    fn the_mail_carries_the_link_its_expiry_and_what_to_do_if_it_was_not_you() {
        let text = super::reset_text(Reader::default(), "Ada", "https://x/password-reset/t", "2026-12-05T11:00:00Z".parse().unwrap());
        assert!(text.contains("Hello Ada") && text.contains("https://x/password-reset/t") && text.contains("expires on 5 Dec 2026, 11:00 UTC."));
        assert!(text.contains("ignore this e-mail"));
    }

    #[test]
    fn a_french_recipient_reads_it_in_french_in_their_zone() {
        let reader = Reader::new(Lang::Fr, Tz::Indian__Reunion);
        let text = super::reset_text(reader, "Ada", "https://x/password-reset/t", "2026-12-05T11:00:00Z".parse().unwrap());
        assert!(text.starts_with("Bonjour Ada,\n\nQuelqu’un a demandé la réinitialisation"), "{text}");
        assert!(text.contains("expire le 5 déc. 2026 à 15:00 +04.") && text.contains("ignorez cet e-mail"), "{text}");
        assert!(!text.contains('⟦'), "{text}");
    }
}
