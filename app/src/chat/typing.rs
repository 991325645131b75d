//! Typing notices: not events (nobody needs them tomorrow), they cross server processes on
//! a NOTIFY channel. The payload holds only ids and a flag.

use domain::ConversationId;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio_postgres::{AsyncMessage, NoTls};

use crate::App;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Typing {
    #[serde(rename = "c")]
    pub conversation_id: ConversationId,
    /// `visitor` or `agent`.
    #[serde(rename = "f")]
    pub from: String,
    #[serde(rename = "t")]
    pub typing: bool,
}

const CHANNEL: &str = "switchboard_typing";

/// Tells every process that someone is typing.
pub async fn send(app: &App, typing: &Typing) {
    let payload = serde_json::to_string(typing).expect("serialisable").replace('\'', "''");
    if let Ok(client) = app.pool().get().await {
        // Not durable: no need to wait for the disk.
        let _ =
            client.batch_execute(&format!("BEGIN; SET LOCAL synchronous_commit = off; SELECT pg_notify('{CHANNEL}', '{payload}'); COMMIT;")).await;
    }
}

/// Hands every typing notice of every process to `deliver`, for as long as it runs, on a
/// dedicated connection (LISTEN cannot share a pooled one).
pub async fn listen(app: App, deliver: impl Fn(Typing) + Send + 'static) {
    loop {
        if let Ok((client, mut connection)) = app.db_config().connect(NoTls).await {
            let (tx, mut rx) = mpsc::unbounded_channel();
            let driver = tokio::spawn(async move {
                let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
                while let Some(Ok(message)) = messages.next().await {
                    if let AsyncMessage::Notification(n) = message {
                        let _ = tx.send(n.payload().to_owned());
                    }
                }
            });
            if client.batch_execute(&format!("LISTEN {CHANNEL}")).await.is_ok() {
                while let Some(payload) = rx.recv().await {
                    if let Ok(typing) = serde_json::from_str::<Typing>(&payload) {
                        deliver(typing);
                    }
                }
            }
            driver.abort();
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}
