//! `GET /healthz`: 200 once the database answers and has every migration (`degraded`, still
//! 200, while a projection has parked events it could not apply), 503 otherwise.

use app::Health;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use crate::Web;

pub async fn healthz(State(web): State<Web>) -> (StatusCode, Json<Value>) {
    match web.health().await {
        Health::Ok => match web.parked().await {
            Ok(parked) if parked.is_empty() => (StatusCode::OK, Json(json!({ "status": "ok" }))),
            Ok(parked) => {
                let parked: serde_json::Map<String, Value> = parked.into_iter().map(|(p, n)| (p, json!(n))).collect();
                (StatusCode::OK, Json(json!({ "status": "degraded", "parked_events": parked, "see": "switchboard parked list" })))
            }
            Err(_) => (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "database unavailable" }))),
        },
        Health::MigrationsPending => (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "migrations pending" }))),
        Health::DatabaseUnavailable => (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "database unavailable" }))),
    }
}
