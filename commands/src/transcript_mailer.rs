//! The transcript mailer, a process manager. When a visitor asks for a copy of their chat
//! (`TranscriptRequested`), the transcript outbox records the request once (replays find it
//! there); this sender reads the conversation from the log at sending time, opened with the
//! visitor's key, and mails its messages to the address in the request, which the domain
//! only accepts when the visitor gave it in that conversation. Internal notes are for staff
//! and never part of it; an erased visitor is mailed nothing.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use domain::conversation::{self, Event as C, Sender};
use domain::preferences::Preferences;
use domain::site::{self, Site};
use domain::{ConversationId, EventPayload};
use locale::{tl, Reader};
use store::{EventStore, Keyring};

use crate::accounts::Accounts;
use crate::mailer::{recipient, Transport};
use crate::outbox::{back_off, Claimed, Outbox, Status};
use crate::{load, Error};

const REQUESTS: Outbox = Outbox { table: "transcript_mails", id_column: "request_id" };

pub struct TranscriptMailer<S> {
    pub accounts: Accounts<S>,
    pub keyring: Keyring,
    pub pool: Pool,
    pub transport: Arc<Transport>,
}

/// One line of the copy: who wrote it (None: the visitor; Some("") the site), when, what.
pub(crate) struct Line {
    pub who: Option<String>,
    pub at: DateTime<Utc>,
    pub text: String,
}

impl<S: EventStore> TranscriptMailer<S> {
    pub async fn run(self) {
        crate::outbox::deliver("transcript mailer", self.accounts.store().hints(), || self.send_one()).await
    }

    /// Sends the oldest pending copy. Returns whether there was one.
    pub async fn send_one(&self) -> Result<bool, Error> {
        let Some(claimed) = REQUESTS.claim(&self.pool).await? else { return Ok(false) };
        let status = match self.mail(&claimed).await {
            Ok(true) => Status::Sent,
            Ok(false) => Status::Superseded,
            Err(e) => {
                tracing::warn!(request_id = %claimed.id, error = %e, "transcript not sent; will retry");
                Status::Retry { error: e.to_string(), in_secs: back_off(claimed.attempts) }
            }
        };
        REQUESTS.finish(&self.pool, claimed.id, status).await?;
        Ok(true)
    }

    /// False: nothing to send (the visitor was erased, or the request is not in the log).
    async fn mail(&self, claimed: &Claimed) -> Result<bool, Error> {
        let client = self.pool.get().await?;
        let row = client.query_one("SELECT conversation_id FROM transcript_mails WHERE request_id = $1", &[&claimed.id]).await?;
        let id = ConversationId(row.get(0));
        let stored = self.accounts.store().read_stream(&conversation::stream(id), 0).await?;
        let mut events = stored.iter().map(|e| Ok((e.occurred_at, e.decode_as::<conversation::Event>()?))).collect::<Result<Vec<_>, Error>>()?;
        self.keyring.open(events.iter_mut().flat_map(|(_, e)| e.personal_mut())).await?;
        let (mut site_id, mut company_id, mut started, mut to, mut lines) = (None, None, None, None, Vec::new());
        for (at, event) in events {
            match event {
                C::ConversationStarted { site_id: s, company_id: c, .. } => (site_id, company_id, started) = (Some(s), Some(c), Some(at)),
                C::MessagePosted { from, text, .. } => {
                    let who = match from {
                        Sender::Visitor => None,
                        Sender::Agent { name, .. } => Some(name),
                        Sender::System => Some(String::new()),
                    };
                    lines.push(Line { who, at, text: text.text_or_empty().to_owned() });
                }
                C::TranscriptRequested { request_id, email } if request_id == claimed.id => to = email.text().map(str::to_owned),
                // Notes are staff-only: never in the visitor's copy.
                _ => {}
            }
        }
        let (Some(site_id), Some(company_id), Some(started), Some(to)) = (site_id, company_id, started, to) else { return Ok(false) };
        let (site, _) = load::<Site, S>(self.accounts.store(), &site::stream(site_id)).await?;
        let defaults = self.accounts.company(company_id).await?.defaults.clone();
        let lang = site.settings.language.lang();
        // The site's language, the company's time zone: what its visitors read.
        let reader = Reader::new(lang, recipient(&Preferences::default(), &defaults).tz);
        let subject = tl!(lang, "mail-transcript-subject", site = site.name.as_str());
        let body = transcript_text(reader, &site.name, started, &lines);
        self.transport.send(&to, &subject, body).await.map_err(|e| Error::Database(e.to_string()))?;
        tracing::info!(%id, request_id = %claimed.id, "transcript mailed");
        Ok(true)
    }
}

pub(crate) fn transcript_text(reader: Reader, site: &str, started: DateTime<Utc>, lines: &[Line]) -> String {
    let lang = reader.lang;
    let mut out = format!("{}\n\n", tl!(lang, "mail-transcript-intro", site = site, at = reader.date_time(started)));
    for line in lines {
        let who = match &line.who {
            None => tl!(lang, "mail-transcript-you"),
            Some(name) if name.is_empty() => site.to_owned(),
            Some(name) => name.clone(),
        };
        // Later lines of a message are indented under its first.
        let text = line.text.lines().collect::<Vec<_>>().join("\n    ");
        out.push_str(&tl!(lang, "mail-transcript-line", time = reader.time(line.at), who = who.as_str(), text = text.as_str()));
        out.push('\n');
    }
    out.push_str(&format!("\n{}\n", tl!(lang, "mail-transcript-why", site = site)));
    out
}

#[cfg(test)]
mod tests {
    use locale::Tz;

    use super::*;

    #[test]
    fn a_french_copy_names_who_wrote_each_line_in_the_companys_zone() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let lines = vec![
            Line { who: None, at: at("2026-12-05T09:30:00Z"), text: "Bonjour,\nune question".into() },
            Line { who: Some("Bob".into()), at: at("2026-12-05T09:31:05Z"), text: "Oui ?".into() },
        ];
        let text = transcript_text(Reader::new(locale::Lang::Fr, Tz::Europe__Paris), "Boutique", at("2026-12-05T09:29:00Z"), &lines);
        assert!(text.contains("Boutique du 5 déc. 2026 à 10:29 CET"), "{text}");
        assert!(text.contains("[10:30:00] Vous\u{a0}: Bonjour,\n    une question\n[10:31:05] Bob\u{a0}: Oui ?"), "{text}");
        assert!(!text.contains('⟦'), "{text}");
    }
}
