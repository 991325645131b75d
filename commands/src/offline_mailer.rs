//! The offline message mailer, a process manager. When a visitor leaves a message while
//! nobody is online, the outbox projection records it once (replays find it there); this
//! sender then names the people to tell, the site's agents and the company's
//! administrators, one row each, and mails each of them in their language. When an agent
//! answers by e-mail (`OfflineMessageAnswered`), it mails the answer to the address the
//! visitor left, with the agent's address to reply to. Every mail is read from the log at
//! sending time, opened with the visitor's key: an erased visitor is mailed nothing.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use domain::company::Role;
use domain::conversation::{self, Event as C};
use domain::preferences::Preferences;
use domain::site::{self, Site};
use domain::{CompanyId, ConversationId, EventPayload, UserId};
use locale::{tl, Reader};
use store::{EventStore, Keyring};
use uuid::Uuid;

use crate::accounts::Accounts;
use crate::mailer::{recipient, Transport};
use crate::outbox::{back_off, Claimed, Outbox, Status};
use crate::{load, Error};

const NOTICES: Outbox = Outbox { table: "offline_message_mails", id_column: "mail_id" };
const ANSWERS: Outbox = Outbox { table: "offline_answer_mails", id_column: "answer_id" };

/// The notice row whose recipients are not named yet has no user (the nil id).
const WHOLE_TEAM: Uuid = Uuid::nil();

pub struct OfflineMessageMailer<S> {
    pub accounts: Accounts<S>,
    pub keyring: Keyring,
    pub pool: Pool,
    pub transport: Arc<Transport>,
    /// The address users reach Switchboard at, for links.
    pub public_url: String,
}

/// The offline message as the log holds it, opened, with its answers.
struct OfflineMessage {
    company_id: CompanyId,
    site_id: domain::SiteId,
    name: String,
    /// None once the visitor was erased.
    email: Option<String>,
    message: String,
    at: DateTime<Utc>,
    answers: Vec<Answer>,
}

/// An agent's answer to it, as recorded.
struct Answer {
    id: Uuid,
    agent_id: UserId,
    agent_name: String,
    text: String,
}

impl<S: EventStore> OfflineMessageMailer<S> {
    pub async fn run(self) {
        crate::outbox::deliver("offline message mailer", self.accounts.store().hints(), || self.send_one()).await
    }

    /// Sends the oldest pending notice, else the oldest pending answer. Returns whether there was one.
    pub async fn send_one(&self) -> Result<bool, Error> {
        if let Some(claimed) = NOTICES.claim(&self.pool).await? {
            let sent = self.notice(&claimed).await;
            finish(&self.pool, NOTICES, &claimed, sent, "offline message notice").await?;
        } else if let Some(claimed) = ANSWERS.claim(&self.pool).await? {
            let sent = self.answer(&claimed).await;
            finish(&self.pool, ANSWERS, &claimed, sent, "offline message answer").await?;
        } else {
            return Ok(false);
        }
        Ok(true)
    }

    async fn conversation_of(&self, outbox: Outbox, id: Uuid) -> Result<ConversationId, Error> {
        let client = self.pool.get().await?;
        let row = client.query_one(&format!("SELECT conversation_id FROM {} WHERE {} = $1", outbox.table, outbox.id_column), &[&id]).await?;
        Ok(ConversationId(row.get(0)))
    }

    async fn offline_message(&self, id: ConversationId) -> Result<Option<OfflineMessage>, Error> {
        let stored = self.accounts.store().read_stream(&conversation::stream(id), 0).await?;
        let mut events = stored.iter().map(|e| Ok((e.occurred_at, e.decode_as::<conversation::Event>()?))).collect::<Result<Vec<_>, Error>>()?;
        self.keyring.open(events.iter_mut().flat_map(|(_, e)| e.personal_mut())).await?;
        let mut found = None;
        for (at, event) in events {
            match event {
                C::OfflineMessageLeft { company_id, site_id, name, email, message, .. } => {
                    found = Some(OfflineMessage {
                        company_id,
                        site_id,
                        name: name.text_or_empty().to_owned(),
                        email: email.text().map(str::to_owned),
                        message: message.text_or_empty().to_owned(),
                        at,
                        answers: Vec::new(),
                    })
                }
                C::OfflineMessageAnswered { answer_id, agent_id, agent_name, text } => {
                    if let Some(m) = found.as_mut() {
                        m.answers.push(Answer { id: answer_id, agent_id, agent_name, text: text.text_or_empty().to_owned() });
                    }
                }
                _ => {}
            }
        }
        Ok(found)
    }

    /// The team row names its recipients; a recipient's row mails them. False: nothing to send.
    async fn notice(&self, claimed: &Claimed) -> Result<bool, Error> {
        let conversation_id = self.conversation_of(NOTICES, claimed.id).await?;
        let Some(message) = self.offline_message(conversation_id).await? else { return Ok(false) };
        if message.email.is_none() {
            return Ok(false);
        }
        let (site, _) = load::<Site, S>(self.accounts.store(), &site::stream(message.site_id)).await?;
        if claimed.user_id.0 == WHOLE_TEAM {
            return self.name_recipients(conversation_id, &message, &site).await;
        }
        let state = self.accounts.user_of(message.company_id, claimed.user_id).await?;
        let Some(registration) = state.registration.as_ref().filter(|_| state.invitation.is_none() && !state.abandoned) else { return Ok(false) };
        let defaults = self.accounts.company(message.company_id).await?.defaults.clone();
        let reader = recipient(&registration.preferences, &defaults);
        let link = format!("{}/history/{conversation_id}", self.public_url.trim_end_matches('/'));
        let subject = tl!(reader.lang, "mail-offline-subject", site = site.name.as_str(), visitor = visitor(&message).as_str());
        let text = notice_text(reader, &registration.profile.first_name, &site.name, &message, &link);
        self.transport.send(registration.email.as_str(), &subject, text).await.map_err(|e| Error::Database(e.to_string()))?;
        tracing::info!(user_id = %claimed.user_id, %conversation_id, "offline message notice mailed");
        Ok(true)
    }

    /// The site's agents and the company's administrators, active members all: one row each.
    async fn name_recipients(&self, conversation_id: ConversationId, message: &OfflineMessage, site: &site::State) -> Result<bool, Error> {
        let company = self.accounts.company(message.company_id).await?;
        let recipients: Vec<Uuid> = company
            .members
            .iter()
            .filter(|(id, m)| {
                m.active && (m.roles.contains(&Role::Administrator) || (site.agents.contains_key(id) && m.roles.contains(&Role::Agent)))
            })
            .map(|(id, _)| id.0)
            .collect();
        let client = self.pool.get().await?;
        client
            .execute(
                "INSERT INTO offline_message_mails (mail_id, conversation_id, user_id, company_id, created_at)
                 SELECT gen_random_uuid(), $1, u, $2, now() FROM unnest($3::uuid[]) AS u
                 ON CONFLICT (conversation_id, user_id) DO NOTHING",
                &[&conversation_id.0, &message.company_id.0, &recipients],
            )
            .await?;
        tracing::info!(%conversation_id, recipients = recipients.len(), "offline message: recipients named");
        Ok(true)
    }

    /// Mails an agent's answer to the visitor. False: the visitor was erased.
    async fn answer(&self, claimed: &Claimed) -> Result<bool, Error> {
        let conversation_id = self.conversation_of(ANSWERS, claimed.id).await?;
        let Some(message) = self.offline_message(conversation_id).await? else { return Ok(false) };
        let (Some(to), Some(answer)) = (&message.email, message.answers.iter().find(|a| a.id == claimed.id)) else {
            return Ok(false);
        };
        let (site, _) = load::<Site, S>(self.accounts.store(), &site::stream(message.site_id)).await?;
        let agent = self.accounts.user_of(message.company_id, answer.agent_id).await?;
        let reply_to = agent.registration.as_ref().map(|r| r.email.to_string());
        let defaults = self.accounts.company(message.company_id).await?.defaults.clone();
        let lang = site.settings.language.lang();
        // The site's language, the company's time zone: what its visitors read.
        let reader = Reader::new(lang, recipient(&Preferences::default(), &defaults).tz);
        let subject = tl!(lang, "mail-answer-subject", site = site.name.as_str());
        let body = answer_text(reader, answer, &site.name, &message);
        self.transport.send_replying_to(to, reply_to.as_deref(), &subject, body).await.map_err(|e| Error::Database(e.to_string()))?;
        tracing::info!(agent_id = %answer.agent_id, %conversation_id, "offline message answer mailed");
        Ok(true)
    }
}

/// Records how sending went: sent, nothing to send (false), or to try again later.
async fn finish(pool: &Pool, outbox: Outbox, claimed: &Claimed, sent: Result<bool, Error>, what: &str) -> Result<(), Error> {
    let status = match sent {
        Ok(true) => Status::Sent,
        Ok(false) => Status::Superseded,
        Err(e) => {
            tracing::warn!(user_id = %claimed.user_id, mail_id = %claimed.id, error = %e, "{what} not sent; will retry");
            Status::Retry { error: e.to_string(), in_secs: back_off(claimed.attempts) }
        }
    };
    outbox.finish(pool, claimed.id, status).await
}

/// Who left the message, as a mail names them: their name and address, or the address.
fn visitor(message: &OfflineMessage) -> String {
    let email = message.email.as_deref().unwrap_or_default();
    match message.name.trim() {
        "" => email.to_owned(),
        name => format!("{name} <{email}>"),
    }
}

fn notice_text(reader: Reader, first_name: &str, site: &str, message: &OfflineMessage, link: &str) -> String {
    let lang = reader.lang;
    format!(
        "{}\n\n{}\n\n{}\n\n{}\n{link}\n\n{}\n",
        tl!(lang, "mail-hello", first_name = first_name),
        tl!(lang, "mail-offline-intro", visitor = visitor(message).as_str(), site = site, at = reader.date_time(message.at)),
        quoted(&message.message),
        tl!(lang, "mail-offline-answer"),
        tl!(lang, "mail-offline-why", site = site),
    )
}

fn answer_text(reader: Reader, answer: &Answer, site: &str, message: &OfflineMessage) -> String {
    format!(
        "{}\n\n{}\n\n{}\n{}\n",
        answer.text,
        tl!(reader.lang, "mail-answer-signature", agent = answer.agent_name.as_str(), site = site),
        tl!(reader.lang, "mail-answer-you-wrote", at = reader.date_time(message.at)),
        quoted(&message.message),
    )
}

/// A message quoted as mail programs quote: `> ` before each line.
fn quoted(text: &str) -> String {
    text.lines().map(|l| format!("> {l}")).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use locale::{Lang, Reader, Tz};

    use super::*;

    fn message() -> OfflineMessage {
        OfflineMessage {
            company_id: CompanyId::new(),
            site_id: domain::SiteId::new(),
            name: "Zoé".into(),
            email: Some("zoe@example.fr".into()),
            message: "Bonjour,\nrappelez-moi".into(),
            at: "2026-12-05T09:30:00Z".parse().unwrap(),
            answers: vec![],
        }
    }

    #[test]
    fn the_notice_quotes_the_message_names_the_visitor_and_links_to_the_history() {
        let text = notice_text(Reader::default(), "Ada", "Shop", &message(), "https://x/history/1");
        assert!(text.contains("Zoé <zoe@example.fr> left a message on Shop on 5 Dec 2026, 09:30 UTC"), "{text}");
        assert!(text.contains("> Bonjour,\n> rappelez-moi") && text.contains("\nhttps://x/history/1\n"), "{text}");
    }

    #[test]
    fn a_french_answer_signs_with_the_agent_and_quotes_the_visitor_in_their_zone() {
        let reader = Reader::new(Lang::Fr, Tz::Europe__Paris);
        let answer = Answer { id: Uuid::now_v7(), agent_id: UserId::new(), agent_name: "Bob".into(), text: "C’est fait.".into() };
        let text = answer_text(reader, &answer, "Boutique", &message());
        assert!(text.starts_with("C’est fait.\n\nBob, Boutique"), "{text}");
        assert!(text.contains("Le 5 déc. 2026 à 10:30 CET, vous avez écrit :\n> Bonjour,\n> rappelez-moi"), "{text}");
        assert!(!text.contains('⟦'), "{text}");
    }
}
