//! A WebSocket client for the chat sockets, speaking JSON frames, with a deadline on every
//! wait so that a missing frame fails the test instead of hanging it.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const WAIT: Duration = Duration::from_secs(10);

pub struct Ws {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Every frame received, in order, for assertions about what came (or did not).
    pub seen: Vec<Value>,
}

/// How a connection attempt ended when the server refused it.
#[derive(Debug)]
pub enum Refused {
    /// The HTTP upgrade was answered with this status.
    Status(u16),
    /// The socket opened, then closed with this code and reason.
    Closed(u16, String),
}

impl Ws {
    /// `url` is `http://…` or `ws://…`; `origin` and `cookie` become headers when given.
    pub async fn connect(url: &str, origin: Option<&str>, cookie: Option<&str>) -> Result<Ws, Refused> {
        let url = url.replacen("http://", "ws://", 1);
        let mut request = url.into_client_request().expect("a WebSocket URL");
        if let Some(origin) = origin {
            request.headers_mut().insert("origin", HeaderValue::from_str(origin).unwrap());
        }
        if let Some(cookie) = cookie {
            request.headers_mut().insert("cookie", HeaderValue::from_str(cookie).unwrap());
        }
        match tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(request)).await.expect("connecting timed out") {
            Ok((socket, _)) => Ok(Ws { socket, seen: Vec::new() }),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Err(Refused::Status(response.status().as_u16())),
            Err(e) => panic!("cannot connect to {e}"),
        }
    }

    pub async fn send(&mut self, frame: Value) {
        self.socket.send(Message::text(frame.to_string())).await.expect("sending a frame");
    }

    pub async fn send_binary(&mut self, bytes: Vec<u8>) {
        self.socket.send(Message::binary(bytes)).await.expect("sending a frame");
    }

    pub async fn send_raw(&mut self, text: String) {
        self.socket.send(Message::text(text)).await.expect("sending a frame");
    }

    /// The next JSON frame, or the close frame as `Err`.
    pub async fn next(&mut self, wait: Duration) -> Result<Option<Value>, Refused> {
        loop {
            let frame = match tokio::time::timeout(wait, self.socket.next()).await {
                Err(_) => return Ok(None),
                Ok(frame) => frame,
            };
            match frame {
                Some(Ok(Message::Text(text))) => {
                    let value: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("server sent a frame that is not JSON ({e}): {text}"));
                    self.seen.push(value.clone());
                    return Ok(Some(value));
                }
                Some(Ok(Message::Close(frame))) => return Err(closed(frame)),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Err(Refused::Closed(1006, "connection dropped".into())),
            }
        }
    }

    /// The answer to `frame`: a frame of type `kind`, or an error. A frame refused as too
    /// fast (a test that sends many) is sent again when the server says.
    pub async fn answer(&mut self, frame: Value, kind: &str) -> Value {
        loop {
            self.send(frame.clone()).await;
            let answer = self.until(kind, |f| f["type"] == kind || f["type"] == "error").await;
            match answer["retry_after"].as_u64() {
                Some(wait) if answer["code"] == "rate_limited" => tokio::time::sleep(Duration::from_secs(wait)).await,
                _ => return answer,
            }
        }
    }

    /// Skips frames until one matches, failing after `WAIT`.
    pub async fn until(&mut self, what: &str, matches: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next(left).await {
                Ok(Some(frame)) if matches(&frame) => return frame,
                Ok(Some(_)) => continue,
                Ok(None) => panic!("no {what} within {WAIT:?}; frames seen: {:#?}", self.seen),
                Err(closed) => panic!("socket closed ({closed:?}) while waiting for {what}; frames seen: {:#?}", self.seen),
            }
        }
    }

    /// The next frame of this `type`, skipping others.
    pub async fn until_type(&mut self, kind: &str) -> Value {
        self.until(kind, |f| f["type"] == kind).await
    }

    /// Waits for the server to close the socket; its code and reason.
    pub async fn closed(&mut self) -> (u16, String) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next(left).await {
                Ok(Some(_)) => continue,
                Ok(None) => panic!("the socket stayed open; frames seen: {:#?}", self.seen),
                Err(Refused::Closed(code, reason)) => return (code, reason),
                Err(other) => panic!("{other:?}"),
            }
        }
    }

    /// Frames that arrive within `wait`, to check that something did *not* come.
    pub async fn drain(&mut self, wait: Duration) -> Vec<Value> {
        let mut frames = Vec::new();
        while let Ok(Some(frame)) = self.next(wait).await {
            frames.push(frame);
        }
        frames
    }

    /// Drops the TCP connection without a closing handshake, like a lost network.
    pub fn drop_connection(self) {
        drop(self);
    }
}

fn closed(frame: Option<CloseFrame>) -> Refused {
    match frame {
        Some(f) => Refused::Closed(u16::from(f.code), f.reason.to_string()),
        None => Refused::Closed(1005, String::new()),
    }
}

/// The `sb_session` cookie of a fresh login through the API, as a `Cookie` header value.
pub async fn session_cookie(base: &str, email: &str, password: &str) -> String {
    let http = reqwest::Client::new();
    let response =
        http.post(format!("{base}/api/v1/session")).json(&serde_json::json!({ "email": email, "password": password })).send().await.unwrap();
    assert_eq!(response.status(), 200, "login as {email}");
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("sb_session="))
        .and_then(|v| v.split(';').next())
        .expect("login sets sb_session")
        .to_owned()
}
