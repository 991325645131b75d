//! Every projection Switchboard runs, in one list: what the server starts, what
//! `switchboard replay` may rebuild and what the CLI's help names all come from here.

use std::future::Future;
use std::pin::Pin;

use deadpool_postgres::Pool;
use store::{EventStore, Keyring};

use crate::{
    audit, canned, chat, figures, licences, outbox, sites, users, Checkpoints, Progress, Projection, ProjectionError, RebuildReport, Verification,
};

type Boxed<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

macro_rules! registry {
    ($($variant:ident => $projection:expr, rebuildable: $rebuildable:expr;)*) => {
        /// A projection of the registry.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Registered {
            $($variant,)*
        }

        impl Registered {
            /// Every projection, in the order the server starts them.
            pub const ALL: &'static [Registered] = &[$(Registered::$variant,)*];

            pub fn name(self) -> &'static str {
                match self {
                    $(Registered::$variant => projection_name(&$projection),)*
                }
            }

            /// Whether `switchboard replay` may rebuild it: a read model, not a process
            /// manager's state (the mailer's outbox must not forget what it sent).
            pub fn rebuildable(self) -> bool {
                match self {
                    $(Registered::$variant => $rebuildable,)*
                }
            }

            /// Keeps the projection up to date for as long as the future runs.
            pub fn run<S: EventStore>(self, store: S, pool: Pool, keyring: Keyring, checkpoints: Checkpoints) -> Boxed<'static, ()> {
                match self {
                    $(Registered::$variant => Box::pin(crate::run(store, pool, keyring, $projection, checkpoints)),)*
                }
            }

            /// Replays every event into fresh tables and swaps them in, telling `progress`
            /// how far it got.
            pub fn rebuild<'a, S: EventStore>(
                self,
                store: &'a S,
                pool: &'a Pool,
                keyring: &'a Keyring,
                progress: &'a mut dyn Progress,
            ) -> Boxed<'a, Result<RebuildReport, ProjectionError>> {
                match self {
                    $(Registered::$variant => Box::pin(async move { crate::rebuild_observed(store, pool, keyring, &$projection, progress).await }),)*
                }
            }

            /// Applies the projection's parked events again.
            pub fn retry_parked<'a, S: EventStore>(
                self,
                store: &'a S,
                pool: &'a Pool,
                keyring: &'a Keyring,
            ) -> Boxed<'a, Result<crate::parked::Retried, ProjectionError>> {
                match self {
                    $(Registered::$variant => Box::pin(async move { crate::parked::retry(store, pool, keyring, &$projection).await }),)*
                }
            }

            /// Replays every event into scratch tables and compares them with the live ones.
            pub fn verify<'a, S: EventStore>(
                self,
                store: &'a S,
                pool: &'a Pool,
                keyring: &'a Keyring,
                progress: &'a mut dyn Progress,
            ) -> Boxed<'a, Result<Verification, ProjectionError>> {
                match self {
                    $(Registered::$variant => Box::pin(async move { crate::verify(store, pool, keyring, &$projection, progress).await }),)*
                }
            }
        }
    };
}

registry! {
    Users => users::Users, rebuildable: true;
    Licences => licences::Licences, rebuildable: true;
    Audit => audit::Audit, rebuildable: true;
    Sites => sites::Sites, rebuildable: true;
    AgentLoad => chat::AgentLoad, rebuildable: true;
    Conversations => chat::Conversations, rebuildable: true;
    CannedResponses => canned::CannedResponses, rebuildable: true;
    BoardFigures => figures::BoardFigures, rebuildable: true;
    InvitationOutbox => outbox::InvitationOutbox, rebuildable: false;
    PasswordResetOutbox => outbox::PasswordResetOutbox, rebuildable: false;
    OfflineMessageOutbox => outbox::OfflineMessageOutbox, rebuildable: false;
    TranscriptOutbox => outbox::TranscriptOutbox, rebuildable: false;
}

fn projection_name<P: Projection>(_: &P) -> &'static str {
    P::NAME
}

impl Registered {
    /// The projection called `name`, if there is one.
    pub fn named(name: &str) -> Option<Registered> {
        Registered::ALL.iter().copied().find(|p| p.name() == name)
    }

    /// The read models `switchboard replay` may rebuild.
    pub fn rebuildable_ones() -> impl Iterator<Item = Registered> {
        Registered::ALL.iter().copied().filter(|p| p.rebuildable())
    }
}

#[cfg(test)]
mod tests {
    use super::Registered;
    use crate::{Projection, ProjectionError, Writes};
    use store::RecordedEvent;

    /// An event whose stream name does not carry an id, as no Switchboard code writes but a
    /// hand-made import could.
    fn in_stream(stream: &str, decoded: &domain::Event) -> RecordedEvent {
        let encoded = match decoded {
            domain::Event::User(e) => domain::EventPayload::encode(e),
            domain::Event::Agent(e) => domain::EventPayload::encode(e),
            _ => unreachable!("only the events below"),
        };
        crate::testing::recorded(stream.into(), 0, encoded)
    }

    #[test]
    fn an_event_in_a_malformed_stream_is_an_error_never_a_row_about_a_nil_id() {
        let abandoned = domain::Event::User(domain::user::Event::RegistrationAbandoned { reason: "test".into() });
        let taken = domain::Event::Agent(domain::agent::Event::ConversationTaken { conversation_id: domain::ConversationId::new() });
        for (projection, event) in [(&crate::users::Users as &dyn Check, &abandoned), (&crate::chat::AgentLoad, &taken)] {
            let mut writes = Writes::default();
            let err = projection.check(&in_stream("user-42", event), event, &mut writes).unwrap_err();
            assert!(matches!(err, ProjectionError::Stream(_)), "{err}");
            assert!(err.to_string().contains("stream `user-42` is not named "), "{err}");
            assert!(writes.is_empty());
        }
    }

    /// `Projection::apply` through a trait object (the trait has constants).
    trait Check {
        fn check(&self, event: &RecordedEvent, decoded: &domain::Event, writes: &mut Writes) -> Result<(), ProjectionError>;
    }

    impl<P: Projection> Check for P {
        fn check(&self, event: &RecordedEvent, decoded: &domain::Event, writes: &mut Writes) -> Result<(), ProjectionError> {
            self.apply(event, decoded, writes)
        }
    }

    #[test]
    fn every_projection_has_one_entry_and_a_distinct_name() {
        let mut names: Vec<&str> = Registered::ALL.iter().map(|p| p.name()).collect();
        assert_eq!(
            names,
            [
                "users",
                "licences",
                "audit",
                "sites",
                "agent-load",
                "conversations",
                "canned-responses",
                "board-figures",
                "invitation-outbox",
                "password-reset-outbox",
                "offline-message-outbox",
                "transcript-outbox"
            ]
        );
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Registered::ALL.len());
        assert_eq!(Registered::named("agent-load"), Some(Registered::AgentLoad));
        assert_eq!(Registered::named("nothing"), None);
        assert!(!Registered::InvitationOutbox.rebuildable());
    }
}
