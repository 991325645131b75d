//! The mailers' outboxes: one row per invitation, per password reset, per offline message
//! and per answer to one, to mail.
//! Each is its mailer's own state, not a read model, so it is never rebuilt; replaying
//! events into it finds every row already there and changes nothing.

use domain::{conversation, user, Event};
use store::RecordedEvent;

use crate::{params, Projection, ProjectionError, Writes};

pub struct InvitationOutbox;

impl Projection for InvitationOutbox {
    const NAME: &'static str = "invitation-outbox";
    const TABLES: &'static [&'static str] = &["invitation_mails"];

    fn apply(&self, event: &RecordedEvent, decoded: &Event, writes: &mut Writes) -> Result<(), ProjectionError> {
        if let Event::User(user::Event::UserInvited { invitation_id, send_email: true, .. }) = decoded {
            let user_id = user::id_from_stream(&event.stream)?.0;
            writes.push(
                "INSERT INTO invitation_mails (invitation_id, user_id, company_id, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (invitation_id) DO NOTHING",
                params![invitation_id.0, user_id, event.company_id().map(|c| c.0).unwrap_or_default(), event.recorded_at],
            );
        }
        Ok(())
    }
}

pub struct PasswordResetOutbox;

impl Projection for PasswordResetOutbox {
    const NAME: &'static str = "password-reset-outbox";
    const TABLES: &'static [&'static str] = &["password_reset_mails"];

    fn apply(&self, event: &RecordedEvent, decoded: &Event, writes: &mut Writes) -> Result<(), ProjectionError> {
        if let Event::User(user::Event::PasswordResetRequested { reset_id, .. }) = decoded {
            let user_id = user::id_from_stream(&event.stream)?.0;
            writes.push(
                "INSERT INTO password_reset_mails (reset_id, user_id, company_id, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (reset_id) DO NOTHING",
                params![reset_id.0, user_id, event.company_id().map(|c| c.0).unwrap_or_default(), event.recorded_at],
            );
        }
        Ok(())
    }
}

pub struct OfflineMessageOutbox;

impl Projection for OfflineMessageOutbox {
    const NAME: &'static str = "offline-message-outbox";
    const TABLES: &'static [&'static str] = &["offline_message_mails", "offline_answer_mails"];

    fn apply(&self, event: &RecordedEvent, decoded: &Event, writes: &mut Writes) -> Result<(), ProjectionError> {
        let Event::Conversation(e) = decoded else { return Ok(()) };
        let company = event.company_id().map(|c| c.0).unwrap_or_default();
        match e {
            // One row for the whole team (the nil user), keyed by the conversation: the
            // mailer names the recipients when it sends.
            conversation::Event::OfflineMessageLeft { .. } => {
                let id = conversation::id_from_stream(&event.stream)?.0;
                writes.push(
                    "INSERT INTO offline_message_mails (mail_id, conversation_id, user_id, company_id, created_at) VALUES ($1, $1, $2, $3, $4)
                     ON CONFLICT DO NOTHING",
                    params![id, uuid::Uuid::nil(), company, event.recorded_at],
                );
            }
            conversation::Event::OfflineMessageAnswered { answer_id, agent_id, .. } => {
                let id = conversation::id_from_stream(&event.stream)?.0;
                writes.push(
                    "INSERT INTO offline_answer_mails (answer_id, conversation_id, user_id, company_id, created_at) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (answer_id) DO NOTHING",
                    params![*answer_id, id, agent_id.0, company, event.recorded_at],
                );
            }
            _ => {}
        }
        Ok(())
    }
}

/// A copy of a chat the visitor asked for: one row per request, mailed once.
pub struct TranscriptOutbox;

impl Projection for TranscriptOutbox {
    const NAME: &'static str = "transcript-outbox";
    const TABLES: &'static [&'static str] = &["transcript_mails"];

    fn apply(&self, event: &RecordedEvent, decoded: &Event, writes: &mut Writes) -> Result<(), ProjectionError> {
        if let Event::Conversation(conversation::Event::TranscriptRequested { request_id, .. }) = decoded {
            let id = conversation::id_from_stream(&event.stream)?.0;
            writes.push(
                "INSERT INTO transcript_mails (request_id, conversation_id, user_id, company_id, created_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (request_id) DO NOTHING",
                params![*request_id, id, uuid::Uuid::nil(), event.company_id().map(|c| c.0).unwrap_or_default(), event.recorded_at],
            );
        }
        Ok(())
    }
}
