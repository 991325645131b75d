//! A mailer's outbox table: claim the oldest pending row under a short lease, then mark it
//! sent, superseded, or pending again with a back-off. Shared by the invitation mailer and
//! the password reset mailer (their tables have the same shape, keyed by their own id).

use std::time::Duration;

use deadpool_postgres::Pool;
use domain::{CompanyId, UserId};
use uuid::Uuid;

use crate::Error;

/// A mailer's loop, for as long as it runs: `send_one` again at once while there was mail,
/// after the next append (and a moment) when there was none, a while after a failure.
pub async fn deliver<F, Fut>(name: &str, hints: tokio::sync::watch::Receiver<u64>, send_one: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<bool, Error>>,
{
    let mut poller = store::Poller::new(hints);
    loop {
        match send_one().await {
            Ok(true) => continue,
            Ok(false) => {
                poller.wait().await;
                // Every append wakes the poller; mail can wait a moment longer.
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "{name}");
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
    }
}

/// A lease instead of a lock held while mailing: a transaction left open that long would
/// hold back every event subscriber.
const LEASE: &str = "2 minutes";

#[derive(Clone, Copy)]
pub struct Outbox {
    pub table: &'static str,
    pub id_column: &'static str,
}

/// A claimed row: the mail's id, whose it is, and how many times it was tried.
pub struct Claimed {
    pub id: Uuid,
    pub user_id: UserId,
    pub company_id: CompanyId,
    pub attempts: i32,
}

pub enum Status {
    Sent,
    Superseded,
    /// Failed: try again in this many seconds.
    Retry {
        error: String,
        in_secs: i64,
    },
}

impl Outbox {
    pub async fn claim(&self, pool: &Pool) -> Result<Option<Claimed>, Error> {
        let Outbox { table, id_column } = *self;
        let client = pool.get().await?;
        let claimed = client
            .query_opt(
                &format!(
                    "UPDATE {table} SET lease_until = now() + interval '{LEASE}', attempts = attempts + 1
                     WHERE {id_column} = (
                         SELECT {id_column} FROM {table}
                         WHERE status = 'pending' AND (lease_until IS NULL OR lease_until < now())
                         ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
                     RETURNING {id_column}, user_id, company_id, attempts"
                ),
                &[],
            )
            .await?;
        Ok(claimed.map(|row| Claimed { id: row.get(0), user_id: UserId(row.get(1)), company_id: CompanyId(row.get(2)), attempts: row.get(3) }))
    }

    pub async fn finish(&self, pool: &Pool, id: Uuid, status: Status) -> Result<(), Error> {
        let Outbox { table, id_column } = *self;
        let (status, error, retry_in_secs) = match status {
            Status::Sent => ("sent", None, None),
            Status::Superseded => ("superseded", None, None),
            Status::Retry { error, in_secs } => ("pending", Some(error), Some(in_secs)),
        };
        let client = pool.get().await?;
        client
            .execute(
                &format!(
                    "UPDATE {table} SET status = $2, last_error = $3,
                         lease_until = CASE WHEN $4::bigint IS NULL THEN NULL ELSE now() + make_interval(secs => $4::bigint) END,
                         sent_at = CASE WHEN $2 = 'sent' THEN now() ELSE sent_at END
                     WHERE {id_column} = $1"
                ),
                &[&id, &status, &error, &retry_in_secs],
            )
            .await?;
        Ok(())
    }
}

/// How long to wait after the `attempts`-th failure: 10 s, 20 s, … up to an hour.
pub fn back_off(attempts: i32) -> i64 {
    (10i64 * 2i64.pow(attempts.clamp(1, 9) as u32 - 1)).min(3600)
}
