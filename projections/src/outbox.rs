//! The mailers' outboxes: one row per invitation, and one per password reset, to mail.
//! Each is its mailer's own state, not a read model, so it is never rebuilt; replaying
//! events into it finds every row already there and changes nothing.

use domain::{user, Event};
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
