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
use domain::preferences::Preferences;
use domain::{Actor, CompanyId, Metadata, UserId};
use lettre::message::Mailbox;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use locale::{tl, Lang, Reader, Tz};
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
        self.send_replying_to(to, None, subject, text).await
    }

    /// A mail whose answers go to `reply_to` (an agent writing to a visitor) rather than to
    /// Switchboard's own address.
    pub(crate) async fn send_replying_to(&self, to: &str, reply_to: Option<&str>, subject: &str, text: String) -> Result<(), MailError> {
        let from = match self {
            Transport::Smtp { from, .. } | Transport::Files { from, .. } => from.clone(),
        };
        let mailbox = |a: &str| a.parse::<Mailbox>().map_err(|e| MailError::Build(e.to_string()));
        let mut message = Message::builder().from(from).to(mailbox(to)?);
        if let Some(reply_to) = reply_to {
            message = message.reply_to(mailbox(reply_to)?);
        }
        let message = message
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
        // mail), and only its name and defaults kept, so its state is not copied on the next
        // change.
        let (company, defaults) = {
            let state = self.accounts.company(company_id).await?;
            (state.name.clone(), state.defaults.clone())
        };
        let reader = recipient(&registration.preferences, &defaults);
        let link = format!("{}/invitation/{token}", self.public_url.trim_end_matches('/'));
        let subject = tl!(reader.lang, "mail-invitation-subject", company = company.as_str());
        let text = invitation_text(reader, &registration.profile.first_name, &company, &link, invitation.expires_at);
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

/// Who reads a mail, which is sent in the background, not for a request: the recipient in
/// the language and time zone they chose, else their company's defaults, else English and UTC.
pub(crate) fn recipient(own: &Preferences, company: &Preferences) -> Reader {
    let lang = [own, company].iter().find_map(|p| p.language.as_deref().and_then(Lang::parse)).unwrap_or_default();
    let tz = [own, company].iter().find_map(|p| p.time_zone.as_deref().and_then(locale::time_zone)).unwrap_or(Tz::UTC);
    Reader::new(lang, tz)
}

fn invitation_text(reader: Reader, first_name: &str, company: &str, link: &str, expires_at: DateTime<Utc>) -> String {
    let lang = reader.lang;
    format!(
        "{}\n\n{}\n\n{link}\n\n{}\n",
        tl!(lang, "mail-hello", first_name = first_name),
        tl!(lang, "mail-invitation-intro", company = company),
        tl!(lang, "mail-invitation-expiry", expires_at = reader.date_time(expires_at)),
    )
}

#[cfg(test)]
mod tests {
    use domain::preferences::Preferences;
    use locale::{Lang, Reader, Tz};

    use super::recipient;

    #[test]
    fn the_invitation_says_who_invites_and_when_the_link_expires() {
        let text = super::invitation_text(Reader::default(), "Ada", "Acme", "https://x/invitation/t", "2026-11-28T10:00:00Z".parse().unwrap());
        assert!(text.contains("Hello Ada") && text.contains("Acme has created") && text.contains("https://x/invitation/t"));
        assert!(text.contains("expires on 28 Nov 2026, 10:00 UTC."), "{text}");
    }

    #[test]
    fn a_french_invitation_gives_the_expiry_in_the_readers_zone() {
        let reader = Reader::new(Lang::Fr, Tz::Europe__Paris);
        let text = super::invitation_text(reader, "Ada", "Acme", "https://x/invitation/t", "2026-11-28T10:00:00Z".parse().unwrap());
        assert!(text.starts_with("Bonjour Ada,\n\nAcme vous a créé un compte Switchboard."), "{text}");
        assert!(text.contains("\n\nhttps://x/invitation/t\n\n") && text.contains("expire le 28 nov. 2026 à 11:00 CET."), "{text}");
        assert!(!text.contains('⟦'), "{text}");
    }

    #[test]
    fn a_mail_reads_as_its_recipient_chose_else_as_their_company_does() {
        let prefs = |l: Option<&str>, z: Option<&str>| Preferences { language: l.map(Into::into), time_zone: z.map(Into::into) };
        let none = Preferences::default();
        assert_eq!(recipient(&none, &none), Reader::new(Lang::En, Tz::UTC));
        let company = prefs(Some("fr"), Some("Europe/Paris"));
        assert_eq!(recipient(&none, &company), Reader::new(Lang::Fr, Tz::Europe__Paris));
        assert_eq!(recipient(&prefs(Some("en"), None), &company), Reader::new(Lang::En, Tz::Europe__Paris));
        assert_eq!(recipient(&prefs(None, Some("Indian/Reunion")), &company), Reader::new(Lang::Fr, Tz::Indian__Reunion));
    }
}
