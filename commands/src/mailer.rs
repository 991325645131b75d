//! The invitation mailer, a process manager. The outbox projection records, in the same
//! transaction as its checkpoint, each invitation to mail; this sender mails them. The
//! link's token is made at sending time and only its hash is recorded (in the user's
//! stream), so no usable token is ever stored. A crash after recording a link but before
//! mailing it leaves the row pending: the next attempt issues a fresh link (the unsent one
//! dies) and mails that. A replay of the events finds the rows already there and mails
//! nothing twice.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use domain::ids::InvitationId;
use domain::{Actor, CompanyId, Metadata, UserId};
use lettre::message::Mailbox;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use store::EventStore;

use crate::accounts::Accounts;
use crate::outbox::{back_off, Outbox, Status};
use crate::{secrets, Error};

/// Where mail goes.
pub enum Transport {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    /// No SMTP server configured: each message becomes a `.eml` file in this folder.
    Files {
        dir: PathBuf,
        from: Mailbox,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("SWITCHBOARD_SMTP_URL is not a valid SMTP address: {0}")]
    BadUrl(String),
    #[error("SWITCHBOARD_MAIL_FROM is not a mailbox: {0}")]
    BadFrom(String),
    #[error("the message cannot be built: {0}")]
    Build(String),
    #[error("sending failed: {0}")]
    Send(String),
}

impl Transport {
    /// SMTP when `SWITCHBOARD_SMTP_URL` is set (`smtp://host:port`, `smtps://user:pass@host`,
    /// `smtp://host:587?tls=required`), otherwise files under `data_dir/mail`.
    pub fn from_env(data_dir: &std::path::Path) -> Result<Transport, MailError> {
        let from = std::env::var("SWITCHBOARD_MAIL_FROM").unwrap_or_else(|_| "Switchboard <no-reply@switchboard.invalid>".into());
        let from: Mailbox = from.parse().map_err(|e: lettre::address::AddressError| MailError::BadFrom(e.to_string()))?;
        match std::env::var("SWITCHBOARD_SMTP_URL") {
            Ok(url) if !url.trim().is_empty() => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.trim())
                    .map_err(|e| MailError::BadUrl(e.to_string()))?
                    .timeout(Some(Duration::from_secs(20)))
                    .build();
                Ok(Transport::Smtp { transport, from })
            }
            _ => Ok(Transport::Files { dir: data_dir.join("mail"), from }),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Transport::Smtp { .. } => "SMTP (SWITCHBOARD_SMTP_URL)".into(),
            Transport::Files { dir, .. } => format!("files in {}", dir.display()),
        }
    }

    pub(crate) async fn send(&self, to: &str, subject: &str, text: String) -> Result<(), MailError> {
        let from = match self {
            Transport::Smtp { from, .. } | Transport::Files { from, .. } => from.clone(),
        };
        let to: Mailbox = to.parse().map_err(|e: lettre::address::AddressError| MailError::Build(e.to_string()))?;
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(subject)
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(text)
            .map_err(|e| MailError::Build(e.to_string()))?;
        match self {
            Transport::Smtp { transport, .. } => transport.send(message).await.map(|_| ()).map_err(|e| MailError::Send(e.to_string())),
            Transport::Files { dir, .. } => {
                tokio::fs::create_dir_all(dir).await.map_err(|e| MailError::Send(e.to_string()))?;
                let id = AsyncFileTransport::<Tokio1Executor>::new(dir).send(message).await.map_err(|e| MailError::Send(e.to_string()))?;
                tracing::info!(file = %dir.join(format!("{id}.eml")).display(), "no SMTP server configured: mail written to a file");
                Ok(())
            }
        }
    }
}

pub struct InvitationMailer<S> {
    pub accounts: Accounts<S>,
    pub pool: Pool,
    pub transport: Arc<Transport>,
    /// The address users reach Switchboard at, for links: `https://chat.example.com`.
    pub public_url: String,
}

const OUTBOX: Outbox = Outbox { table: "invitation_mails", id_column: "invitation_id" };

impl<S: EventStore> InvitationMailer<S> {
    /// Mails pending invitations for as long as it runs.
    pub async fn run(self) {
        crate::outbox::deliver("invitation mailer", self.accounts.store().hints(), || self.send_one()).await
    }

    /// Sends the oldest pending invitation, if any. Returns whether there was one.
    pub async fn send_one(&self) -> Result<bool, Error> {
        let Some(claimed) = OUTBOX.claim(&self.pool).await? else { return Ok(false) };
        let (invitation_id, user_id) = (InvitationId(claimed.id), claimed.user_id);
        let status = match self.mail(invitation_id, user_id, claimed.company_id).await {
            Ok(Mailed::Sent) => Status::Sent,
            Ok(Mailed::NotCurrent) => Status::Superseded,
            Err(e) => {
                tracing::warn!(%user_id, %invitation_id, error = %e, "invitation mail not sent; will retry");
                Status::Retry { error: e.to_string(), in_secs: back_off(claimed.attempts) }
            }
        };
        OUTBOX.finish(&self.pool, claimed.id, status).await?;
        Ok(true)
    }

    async fn mail(&self, invitation_id: InvitationId, user_id: UserId, company_id: CompanyId) -> Result<Mailed, Error> {
        let state = self.accounts.user_of(company_id, user_id).await?;
        let (Some(registration), Some(invitation)) = (&state.registration, &state.invitation) else { return Ok(Mailed::NotCurrent) };
        if invitation.id != invitation_id || invitation.expires_at <= Utc::now() {
            return Ok(Mailed::NotCurrent);
        }
        let token = secrets::random_token();
        let metadata = Metadata::new(Some(company_id), Actor::System("invitation-mailer".into()));
        match self.accounts.issue_invitation_link(user_id, invitation_id, secrets::hash_token(&token), &metadata).await {
            Err(Error::User(domain::user::Error::NotInvited)) => return Ok(Mailed::NotCurrent),
            other => other?,
        };
        // Cached (a company importing thousands of users has a long stream, read for every
        // mail), and only its name kept, so its state is not copied on the next change.
        let company = self.accounts.company(company_id).await?.name.clone();
        let link = format!("{}/invitation/{token}", self.public_url.trim_end_matches('/'));
        let subject = format!("You are invited to {company} on Switchboard");
        let text = invitation_text(&registration.profile.first_name, &company, &link, invitation.expires_at);
        self.transport.send(registration.email.as_str(), &subject, text).await.map_err(|e| Error::Database(e.to_string()))?;
        tracing::info!(%user_id, %invitation_id, "invitation mailed");
        Ok(Mailed::Sent)
    }
}

enum Mailed {
    Sent,
    /// Accepted, resent, expired or no longer this user's: nothing to mail.
    NotCurrent,
}

fn invitation_text(first_name: &str, company: &str, link: &str, expires_at: DateTime<Utc>) -> String {
    format!(
        "Hello {first_name},\n\n\
         {company} has created a Switchboard account for you. Choose your password here:\n\n\
         {link}\n\n\
         The link works once and expires on {} (UTC). If it has expired, ask your administrator to send a new one.\n",
        expires_at.format("%Y-%m-%d %H:%M")
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_invitation_says_who_invites_and_when_the_link_expires() {
        let text = super::invitation_text("Ada", "Acme", "https://x/invitation/t", "2026-11-28T10:00:00Z".parse().unwrap());
        assert!(text.contains("Hello Ada") && text.contains("Acme has created") && text.contains("https://x/invitation/t"));
        assert!(text.contains("2026-11-28 10:00"));
    }
}
