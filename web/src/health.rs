//! `GET /healthz`: 200 once the database answers and has every migration, 503 otherwise.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use crate::App;

pub async fn healthz(State(app): State<App>) -> (StatusCode, Json<Value>) {
    let check = async {
        let client = tokio::time::timeout(std::time::Duration::from_secs(3), app.pool.get()).await.ok()?.ok()?;
        Some(store::db::is_migrated(&client).await)
    };
    match check.await {
        Some(true) => (StatusCode::OK, Json(json!({ "status": "ok" }))),
        Some(false) => (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "migrations pending" }))),
        None => (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "database unavailable" }))),
    }
}
