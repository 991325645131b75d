//! Importing users from a CSV file: check the file and record every row's outcome (the
//! preview), then import the valid rows in the background while the page shows progress.
//! The `user_imports` table, which holds each import's preview and progress, is owned here.

mod columns;
pub mod csv;
mod text;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use domain::{CompanyId, Metadata};
use projections::Registered;
use serde::Serialize;
use uuid::Uuid;

use self::csv::{parse, preview, Outcome};
use crate::auth::Session;
use crate::users::{NewAccess, NewUser};
use crate::{App, Error, Result};

/// The state of an import, for its page and the API.
#[derive(Debug, Clone, Serialize)]
pub struct Import {
    pub import_id: Uuid,
    /// `preview`, `running`, `finished` or `failed`.
    pub status: String,
    pub total: i32,
    pub done: i32,
    pub created: i32,
    pub skipped: i32,
    pub outcomes: Vec<Outcome>,
}

impl Import {
    pub fn importable(&self) -> usize {
        self.outcomes.iter().filter(|o| o.is_ok()).count()
    }
}

/// Checks a file and records the preview for the session's company.
pub async fn prepare(app: &App, session: &Session, bytes: &[u8]) -> Result<Import> {
    let company_id = session.company_id();
    let parsed = parse(bytes).map_err(|e| Error::invalid("file", e.to_string()))?;
    let client = app.pool().get().await?;
    let emails: Vec<String> = parsed.iter().filter(|o| o.is_ok()).map(|o| o.email.clone()).collect();
    let existing: HashSet<String> = projections::users::existing_emails(&**client, &emails).await?.into_iter().collect();
    let licence = projections::licences::get(&**client, company_id).await?.ok_or(Error::NotFound)?;
    let outcomes = preview(parsed, &existing, (licence.seats - licence.seats_in_use) as i64);
    let import_id = Uuid::now_v7();
    client
        .execute(
            "INSERT INTO user_imports (import_id, company_id, created_by, status, total, outcomes) VALUES ($1, $2, $3, 'preview', $4, $5)",
            &[&import_id, &company_id.0, &session.user.user_id.0, &(outcomes.len() as i32), &serde_json::to_value(&outcomes).expect("serialisable")],
        )
        .await?;
    Ok(Import { import_id, status: "preview".into(), total: outcomes.len() as i32, done: 0, created: 0, skipped: 0, outcomes })
}

/// An import of the session's company.
pub async fn get(app: &App, session: &Session, import_id: Uuid) -> Result<Import> {
    let client = app.pool().get().await?;
    let row = client
        .query_opt(
            "SELECT status, total, done, created, skipped, outcomes FROM user_imports WHERE import_id = $1 AND company_id = $2",
            &[&import_id, &session.company_id().0],
        )
        .await?
        .ok_or(Error::NotFound)?;
    let outcomes = serde_json::from_value(row.get(5)).map_err(|e| Error::Internal(format!("import {import_id} has unreadable outcomes: {e}")))?;
    Ok(Import { import_id, status: row.get(0), total: row.get(1), done: row.get(2), created: row.get(3), skipped: row.get(4), outcomes })
}

/// Starts importing a previewed file, once: a second confirmation is refused.
pub async fn confirm(app: &App, session: &Session, import_id: Uuid) -> Result<Import> {
    let company_id = session.company_id();
    let client = app.pool().get().await?;
    let row = client
        .query_opt(
            "UPDATE user_imports SET status = 'running' WHERE import_id = $1 AND company_id = $2 AND status = 'preview' RETURNING outcomes",
            &[&import_id, &company_id.0],
        )
        .await?;
    let Some(row) = row else {
        get(app, session, import_id).await?;
        return Err(Error::Refused { code: "already_confirmed", message: locale::t!("import-already-confirmed") });
    };
    let outcomes: Vec<Outcome> = serde_json::from_value(row.get(0)).map_err(|e| Error::Internal(e.to_string()))?;
    let (job, metadata) = (app.clone(), session.metadata());
    // The rows' outcomes are written in the language of whoever confirmed the import.
    let reader = locale::reader();
    tokio::spawn(locale::scope(reader, async move {
        if let Err(e) = run(&job, company_id, &metadata, import_id, outcomes).await {
            tracing::error!(%import_id, error = %e, "import failed");
            if let Ok(client) = job.pool().get().await {
                let _ = client.execute("UPDATE user_imports SET status = 'failed', finished_at = now() WHERE import_id = $1", &[&import_id]).await;
            }
        }
    }));
    get(app, session, import_id).await
}

async fn run(app: &App, company_id: CompanyId, metadata: &Metadata, import_id: Uuid, mut outcomes: Vec<Outcome>) -> Result<()> {
    let (mut done, mut created, mut skipped) = (0i32, 0i32, 0i32);
    let mut last_report = Instant::now();
    let mut last_position = None;
    for o in outcomes.iter_mut() {
        done += 1;
        let Some(row) = o.row.take() else {
            skipped += 1;
            continue;
        };
        let new = NewUser {
            email: row.email.clone(),
            profile: row.profile.clone(),
            roles: row.roles.iter().copied().collect(),
            max_chats: row.max_chats,
            access: NewAccess::Invite { send_email: row.send_invitation },
        };
        match crate::users::add_user(app, company_id, new, metadata).await {
            Ok(c) => {
                created += 1;
                o.status = "created".into();
                last_position = Some(c.position);
            }
            Err(e) => {
                skipped += 1;
                o.status = "error".into();
                o.reason = Some(match &e {
                    Error::Command(commands::Error::Email(_)) => locale::t!("import-already-a-user"),
                    Error::Command(commands::Error::Company(domain::company::Error::SeatsExhausted { .. })) => locale::t!("import-no-seat-left"),
                    Error::Command(c) => crate::messages::command(c),
                    other => other.to_string(),
                });
            }
        }
        if last_report.elapsed() > Duration::from_millis(500) {
            last_report = Instant::now();
            let client = app.pool().get().await?;
            client
                .execute(
                    "UPDATE user_imports SET done = $2, created = $3, skipped = $4 WHERE import_id = $1",
                    &[&import_id, &done, &created, &skipped],
                )
                .await?;
        }
    }
    // The finished page lists the new users, so wait for them to show.
    app.read_your_writes(Registered::Users, last_position).await?;
    let client = app.pool().get().await?;
    client
        .execute(
            "UPDATE user_imports SET status = 'finished', done = $2, created = $3, skipped = $4, outcomes = $5, finished_at = now() WHERE import_id = $1",
            &[&import_id, &done, &created, &skipped, &serde_json::to_value(&outcomes).expect("serialisable")],
        )
        .await?;
    tracing::info!(%import_id, created, skipped, "import finished");
    Ok(())
}

/// Imports cut short by a stopped server: say so (uploading the file again finishes the
/// job; rows already imported then show as existing users).
pub async fn mark_interrupted(app: &App) {
    if let Ok(client) = app.pool().get().await {
        let _ = client
            .execute("UPDATE user_imports SET status = 'failed', finished_at = now() WHERE status = 'running' AND created_at < now() - interval '10 minutes'", &[])
            .await;
    }
}
