//! What a visitor's browser loads from a customer's page: the widget script and its
//! configuration. Public, keyed by the site's widget key; CORS-enabled.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::site::WidgetSettings;
use locale::Lang;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::Web;

/// The language a site's widget speaks.
pub fn lang(settings: &WidgetSettings) -> Lang {
    settings.language.lang()
}

/// The settings as visitors see them: a greeting or offline text left at its default (the
/// English one a new site starts with, or either language's) reads in the site's language;
/// one an administrator wrote stays as written, and an empty greeting stays empty.
pub fn for_visitors(settings: &WidgetSettings) -> WidgetSettings {
    let lang = lang(settings);
    let defaulted = |text: &str, default: &str, key: &str| {
        let is_default = text == default || Lang::ALL.iter().any(|l| locale::text(*l, key, &[]) == text);
        if is_default {
            locale::text(lang, key, &[])
        } else {
            text.to_owned()
        }
    };
    let built_in = WidgetSettings::default();
    WidgetSettings {
        greeting: defaulted(&settings.greeting, &built_in.greeting, "widget-greeting"),
        offline_text: defaulted(&settings.offline_text, &built_in.offline_text, "widget-offline-text"),
        ..settings.clone()
    }
}

/// The widget's own words, by the name widget.js knows them, as `{$name}` templates.
const TEXTS: &[(&str, &str)] = &[
    ("open", "widget-open"),
    ("close", "widget-close"),
    ("online", "widget-online"),
    ("offline", "widget-offline"),
    ("closed", "widget-closed"),
    ("reconnecting", "widget-reconnecting"),
    ("end", "widget-end"),
    ("log", "widget-log"),
    ("placeholder", "widget-placeholder"),
    ("send", "widget-send"),
    ("you", "widget-you"),
    ("agent", "widget-agent"),
    ("pending", "widget-pending"),
    ("delivered", "widget-delivered"),
    ("failed", "widget-failed"),
    ("queue", "widget-queue"),
    ("with", "widget-with"),
    ("typing", "widget-typing"),
    ("typingAgent", "widget-typing-agent"),
    ("ended", "widget-ended"),
    ("name", "widget-name"),
    ("email", "widget-email"),
    ("message", "widget-message"),
    ("submit", "widget-submit"),
    ("thanks", "widget-thanks"),
    ("badEmail", "widget-bad-email"),
    ("noMessage", "widget-no-message"),
    ("tooLong", "widget-too-long"),
    ("slow", "widget-slow"),
    ("error", "widget-error"),
    ("rateAsk", "widget-rate-ask"),
    ("good", "widget-rate-good"),
    ("bad", "widget-rate-bad"),
    ("comment", "widget-rate-comment"),
    ("rate", "widget-rate-send"),
    ("rated", "widget-rated"),
    ("pickRating", "widget-rate-pick"),
    ("commentTooLong", "widget-comment-too-long"),
    ("copy", "widget-copy"),
    ("copySent", "widget-copy-sent"),
    ("prechat", "widget-prechat-intro"),
    ("question", "widget-prechat-question"),
    ("start", "widget-prechat-start"),
];

/// The words of a widget in `lang`: its configuration carries them, so that the widget
/// needs no catalogue of its own and works offline from what it fetched.
pub fn texts(lang: Lang) -> serde_json::Map<String, serde_json::Value> {
    TEXTS.iter().map(|(name, key)| (name.to_string(), locale::template(lang, key).into())).collect()
}

/// `/widget/config`: the site's configuration, its settings as visitors see them, and the
/// widget's words in the site's language.
#[derive(Serialize)]
struct Config {
    #[serde(flatten)]
    config: app::widget::WidgetConfig,
    texts: serde_json::Map<String, serde_json::Value>,
}

pub async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            // Short, so a new version reaches pages soon; the snippet never changes.
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        include_str!("../static/widget.js"),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct ConfigQuery {
    #[serde(default)]
    site: String,
}

fn cors(origin: Option<&HeaderValue>, mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.cloned().unwrap_or(HeaderValue::from_static("*")));
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    response
}

/// The site's widget configuration, for the page at `Origin`.
pub async fn config(State(web): State<Web>, headers: HeaderMap, Query(q): Query<ConfigQuery>) -> Response {
    let origin = headers.get(header::ORIGIN);
    let answer = app::widget::config(&web, &q.site, origin.and_then(|o| o.to_str().ok())).await;
    cors(
        origin,
        match answer {
            Ok(mut config) => {
                let lang = lang(&config.settings);
                config.settings = for_visitors(&config.settings);
                axum::Json(Config { config, texts: texts(lang) }).into_response()
            }
            Err(e) => ApiError::from(e).into_response(),
        },
    )
}

pub async fn preflight(headers: HeaderMap) -> Response {
    let mut response = cors(headers.get(header::ORIGIN), StatusCode::NO_CONTENT.into_response());
    response.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST, OPTIONS"));
    response.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("content-type"));
    response
}
