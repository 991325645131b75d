//! A JSON API client logged in through `POST /api/v1/session`, sending the CSRF token.

use reqwest::{Method, Response};
use serde_json::{json, Value};

use crate::TestServer;

pub struct Api {
    pub http: reqwest::Client,
    base: String,
    pub csrf: String,
}

impl Api {
    pub async fn login(server: &TestServer, email: &str, password: &str) -> Api {
        Api::login_at(&server.url(""), email, password).await
    }

    /// Logged in on the server at `base` (`http://host:port`): a child process, say.
    pub async fn login_at(base: &str, email: &str, password: &str) -> Api {
        let mut api = Api::anonymous_at(base);
        let response = api.post("/api/v1/session", json!({ "email": email, "password": password })).await;
        assert_eq!(response.status(), 200, "API login as {email}");
        let body: Value = response.json().await.unwrap();
        api.csrf = body["csrf_token"].as_str().unwrap().to_owned();
        api
    }

    pub fn anonymous(server: &TestServer) -> Api {
        Api::anonymous_at(&server.url(""))
    }

    pub fn anonymous_at(base: &str) -> Api {
        let http = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Api { http, base: base.to_owned(), csrf: String::new() }
    }

    /// `http://host:port` of the server.
    pub fn base(&self) -> &str {
        &self.base
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Response {
        let mut request = self.http.request(method, format!("{}{}", self.base, path)).header("x-csrf-token", &self.csrf);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.unwrap()
    }

    /// A raw body (a CSV file, say).
    pub async fn post_raw(&self, path: &str, body: String) -> Response {
        self.http.post(format!("{}{}", self.base, path)).header("x-csrf-token", &self.csrf).body(body).send().await.unwrap()
    }

    /// A POST with an `Idempotency-Key` header: status and JSON body.
    pub async fn post_once(&self, path: &str, key: uuid::Uuid, body: Value) -> (u16, Value) {
        let request = self.http.post(format!("{}{}", self.base, path)).header("x-csrf-token", &self.csrf).header("idempotency-key", key.to_string());
        let response = request.json(&body).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str) -> Response {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn json(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let response = self.send(method, path, body).await;
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }
}

/// `(status, error code, field)` of an API answer, for asserting refusals.
pub fn refusal(answer: &(u16, Value)) -> (u16, &str, Option<&str>) {
    let error = &answer.1["error"];
    (answer.0, error["code"].as_str().unwrap_or("<no code>"), error["field"].as_str())
}
