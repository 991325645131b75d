//! A real localstripe process (a stateful fake of Stripe's API that also serves a test
//! Stripe.js at `/js.stripe.com/v3/`), one per test, so tests share no customers or payments.
//!
//! It runs through `localstripe_compat.py`, which adds Stripe's idempotency keys and a
//! PaymentIntent's `description` (localstripe 1.15 has neither) and keeps each server's
//! state in memory only (see that file).

use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};

/// localstripe accepts any secret key of this shape (`sk_` and more).
pub const SECRET_KEY: &str = "sk_test_switchboard";
pub const PUBLISHABLE_KEY: &str = "pk_test_switchboard";

pub struct LocalStripe {
    pub port: u16,
    http: reqwest::Client,
    _child: Child,
}

impl LocalStripe {
    pub async fn start() -> LocalStripe {
        let port = crate::process::free_port();
        let child = Command::new(crate::process::python_with("localstripe"))
            .args(["-c", include_str!("localstripe_compat.py"), "--port", &port.to_string(), "--from-scratch"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("localstripe starts");
        let http = reqwest::Client::new();
        let server = LocalStripe { port, http, _child: child };
        // Answering, not just listening: aiohttp binds before the app is ready.
        for _ in 0..200 {
            if server.http.get(server.js_url()).send().await.is_ok_and(|r| r.status().is_success()) {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("localstripe did not answer on port {port}");
    }

    /// Its API base, for `StripeConfig::api_base`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Its Stripe.js, for `StripeConfig::js_url`.
    pub fn js_url(&self) -> String {
        format!("{}/js.stripe.com/v3/", self.base_url())
    }

    pub fn config(&self) -> payments::StripeConfig {
        payments::StripeConfig { api_base: self.base_url(), js_url: self.js_url(), ..payments::StripeConfig::new(SECRET_KEY, PUBLISHABLE_KEY) }
    }

    /// A card payment method made on the server, as Stripe.js makes one in the browser (only
    /// a fake accepts card numbers from a server): its id, `pm_…`.
    pub async fn payment_method(&self, number: &str, exp_month: u32, exp_year: i32, cvc: &str) -> String {
        let form = [
            ("type", "card".to_owned()),
            ("card[number]", number.to_owned()),
            ("card[exp_month]", exp_month.to_string()),
            ("card[exp_year]", exp_year.to_string()),
            ("card[cvc]", cvc.to_owned()),
        ];
        let body = self.post("/v1/payment_methods", &form).await;
        body["id"].as_str().expect("a payment method id").to_owned()
    }

    pub async fn post(&self, path: &str, form: &[(&str, String)]) -> serde_json::Value {
        let form: Vec<(String, String)> = form.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        let response = self
            .http
            .post(format!("{}{path}", self.base_url()))
            .bearer_auth(SECRET_KEY)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(payments::stripe::form_encode(&form))
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: serde_json::Value = response.json().await.unwrap();
        assert!(status.is_success(), "localstripe: POST {path}: {status}: {body}");
        body
    }

    pub async fn get(&self, path_and_query: &str) -> serde_json::Value {
        let response = self.http.get(format!("{}{path_and_query}", self.base_url())).bearer_auth(SECRET_KEY).send().await.unwrap();
        let status = response.status();
        let body: serde_json::Value = response.json().await.unwrap();
        assert!(status.is_success(), "localstripe: GET {path_and_query}: {status}: {body}");
        body
    }

    /// Every PaymentIntent of `customer`. localstripe's list takes no `customer` filter
    /// (400 "Unexpected customer"), so all are read and filtered here.
    pub async fn payment_intents_of(&self, customer: &str) -> Vec<serde_json::Value> {
        let all = self.get("/v1/payment_intents?limit=1000").await;
        assert_eq!(all["has_more"], false, "one page holds them all");
        all["data"].as_array().unwrap().iter().filter(|pi| pi["customer"] == customer).cloned().collect()
    }
}
