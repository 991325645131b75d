//! `GET /healthz`: 200 once the database answers and has every migration, 503 otherwise.

use app::Health;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use crate::Web;

pub async fn healthz(State(web): State<Web>) -> (StatusCode, Json<Value>) {
    match web.health().await {
        Health::Ok => (StatusCode::OK, Json(json!({ "status": "ok" }))),
        Health::MigrationsPending => (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "migrations pending" }))),
        Health::DatabaseUnavailable => (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "database unavailable" }))),
    }
}
