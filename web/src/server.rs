//! The HTTP server: its state (the use cases and this process's socket hub), the routes,
//! the static files and serving until shutdown.

use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use projections::Registered;
use tokio::task::JoinSet;

use crate::chat::hub::Hub;
use crate::chat::site_status::SiteWatch;
use crate::{chat, health, pages, widget, wordpress};

pub struct Inner {
    pub app: app::App,
    /// Which of this process's sockets care about what.
    pub hub: Hub,
    sites: SiteWatch,
}

/// What every handler is given: the use cases (it dereferences to `app::App`) and the hub.
#[derive(Clone)]
pub struct Web(Arc<Inner>);

impl Deref for Web {
    type Target = app::App;
    fn deref(&self) -> &app::App {
        &self.0.app
    }
}

impl Web {
    pub fn new(app: app::App) -> Web {
        Web(Arc::new(Inner { app, hub: Hub::default(), sites: SiteWatch::default() }))
    }

    pub fn app(&self) -> &app::App {
        &self.0.app
    }

    pub fn hub(&self) -> &Hub {
        &self.0.hub
    }

    /// Works out sites' statuses for their sockets.
    pub fn site_watch(&self) -> &SiteWatch {
        &self.0.sites
    }

    /// The use cases' background work, and the sockets' own: typing notices from every
    /// process, site statuses, and the events the sockets are told about.
    pub fn start_background(&self) -> JoinSet<()> {
        let mut set = self.app().start_background();
        let hub = self.hub().clone();
        set.spawn(app::chat::typing::listen(self.app().clone(), move |typing| hub.typing(typing)));
        set.spawn(self.0.sites.clone().run(self.clone()));
        let web = self.clone();
        set.spawn(async move {
            // Live only: sockets catch up on what they missed from the log themselves.
            let head = loop {
                match web.events().head().await {
                    Ok(head) => break head,
                    Err(_) => tokio::time::sleep(Duration::from_secs(1)).await,
                }
            };
            chat::hub::dispatch(web.clone(), web.0.sites.clone(), head).await;
        });
        set
    }

    /// Waits until the chat read models show everything up to `position`, so the sites'
    /// statuses worked out next, and the boards' figures, are current.
    pub(crate) async fn settle_chat(&self, position: store::Position) {
        for projection in [Registered::Conversations, Registered::AgentLoad, Registered::BoardFigures] {
            let _ = self.read_your_writes(projection, Some(position)).await;
        }
    }

    /// Serves the router on `listener` until `shutdown` completes.
    pub async fn serve(
        &self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        use axum::serve::ListenerExt;
        let service = self.router().into_make_service_with_connect_info::<SocketAddr>();
        // Chat frames are small: Nagle's algorithm would hold a frame written just after
        // another (an ack, then the message) until the client's delayed ACK, up to 40 ms.
        let listener = listener.tap_io(|stream| {
            if let Err(e) = stream.set_nodelay(true) {
                tracing::debug!(error = %e, "cannot set TCP_NODELAY");
            }
        });
        axum::serve(listener, service).with_graceful_shutdown(shutdown).await
    }

    pub fn router(&self) -> Router {
        use pages::{account, advisors, audit, canned, erasure, import, invitation, login, order, password_reset, sites, subscription, user, users};
        Router::new()
            .route("/", get(login::home))
            .route("/healthz", get(health::healthz))
            .route("/login", get(login::show).post(login::submit))
            .route("/logout", post(login::logout))
            .route("/account", get(account::show))
            .route("/account/notifications", post(account::choose_notifications))
            .route("/account/preferences", post(account::choose))
            .route("/account/canned-responses", get(canned::own_list).post(canned::own_add))
            .route("/account/canned-responses/{id}", get(canned::own_edit).post(canned::own_save))
            .route("/account/canned-responses/{id}/remove", get(canned::own_confirm_remove).post(canned::own_remove))
            .route("/admin/canned-responses", get(canned::admin_list).post(canned::admin_add))
            .route("/admin/canned-responses/{id}", get(canned::admin_edit).post(canned::admin_save))
            .route("/admin/canned-responses/{id}/remove", get(canned::admin_confirm_remove).post(canned::admin_remove))
            .route("/admin/company", get(account::company).post(account::set_company_defaults))
            .route("/invitation/{token}", get(invitation::show).post(invitation::accept))
            .route("/password-reset", get(password_reset::request_form).post(password_reset::request))
            .route("/password-reset/sent", get(password_reset::sent))
            .route("/password-reset/{token}", get(password_reset::show).post(password_reset::reset))
            .route("/admin/users", get(users::list))
            .route("/admin/users/new", get(users::new_form).post(users::create))
            .route("/admin/users/import", get(import::upload_form).post(import::upload))
            .route("/admin/users/import/template.csv", get(import::template))
            .route("/admin/users/import/{id}", get(import::show))
            .route("/admin/users/import/{id}/confirm", post(import::confirm))
            .route("/admin/users/{id}", get(user::profile).post(user::save_profile))
            .route("/admin/users/{id}/settings", get(user::settings).post(user::save_settings))
            .route("/admin/users/{id}/history", get(user::history))
            .route("/admin/users/{id}/roles", post(users::toggle_role))
            .route("/admin/users/{id}/deactivate", get(user::confirm_deactivate).post(user::deactivate))
            .route("/admin/users/{id}/reactivate", post(user::reactivate))
            .route("/admin/users/{id}/invitation", post(user::resend))
            .route("/admin/users/{id}/password-reset", post(user::send_password_reset))
            .route("/admin/subscription", get(subscription::show))
            .route("/admin/subscription/edit", get(subscription::edit))
            .route("/admin/subscription/order", get(order::order_form).post(order::place_order))
            .route("/admin/invoices/{number}", get(subscription::invoice))
            .route("/admin/audit", get(audit::show))
            .route("/admin/audit.csv", get(audit::export))
            .route("/admin/sites", get(sites::list))
            .route("/admin/sites/new", get(sites::new_form).post(sites::create))
            .route("/admin/sites/{id}", get(sites::edit).post(sites::save_general))
            .route("/admin/sites/{id}/widget", post(sites::save_widget))
            .route("/admin/sites/{id}/weights", post(sites::save_weights))
            .route("/admin/sites/{id}/accept", post(sites::save_accept))
            .route("/admin/sites/{id}/hours", post(pages::hours::save))
            .route("/admin/sites/{id}/key", get(sites::confirm_rotate_key).post(sites::rotate_key))
            .route("/admin/sites/{id}/delete", get(sites::delete_form).post(sites::delete))
            .route("/admin/sites/{id}/install", get(sites::install))
            .route("/admin/sites/{id}/test", get(sites::test_page))
            .route("/admin/sites/{id}/agents", get(advisors::show).post(advisors::save))
            .route("/console", get(chat::pages::console))
            .route("/console/ws", get(chat::agent::upgrade))
            .route("/supervisor", get(chat::pages::board))
            .route("/supervisor/ws", get(chat::supervisor::upgrade))
            .route("/history", get(chat::pages::history))
            .route("/history/{id}", get(chat::pages::transcript))
            .route("/history/{id}/answer", post(chat::pages::answer))
            .route("/history/{id}/notes", post(chat::pages::note))
            .route("/history/{id}/erase", get(erasure::confirm_form).post(erasure::erase))
            .route("/widget/ws", get(chat::visitor::upgrade))
            .route("/widget.js", get(widget::script))
            .route("/widget/config", get(widget::config).options(widget::preflight))
            .route("/integrations/wordpress/switchboard-chat.zip", get(wordpress::plugin_zip))
            .route("/static/app.css", get(stylesheet))
            .route("/static/{file}", get(static_file))
            .nest("/api/v1", crate::api::router())
            // Any other address: the "nothing here" page, in the reader's language.
            .fallback(|| async { crate::error::AppError::App(app::Error::NotFound) })
            .layer(axum::middleware::from_fn_with_state(self.clone(), crate::reader::for_each_request))
            .layer(axum::extract::DefaultBodyLimit::max(8 * 1024 * 1024))
            .layer(axum::middleware::from_fn(close_after_refused_body))
            .layer(tower_http::limit::RequestBodyLimitLayer::new(8 * 1024 * 1024))
            .layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(request_span))
            .layer(tower_http::request_id::PropagateRequestIdLayer::x_request_id())
            .layer(tower_http::request_id::SetRequestIdLayer::x_request_id(tower_http::request_id::MakeRequestUuid))
            .with_state(self.clone())
    }
}

/// The span every log line of a request carries: its id (`x-request-id`, given or made),
/// method and route. The route as declared (`/invitation/{token}`), never the path: paths
/// carry tokens.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let route = request.extensions().get::<axum::extract::MatchedPath>().map(|p| p.as_str()).unwrap_or("unmatched");
    tracing::info_span!("request", request_id = %id, method = %request.method(), route = %route)
}

/// A request refused before its body was read (401, 404, a CSRF refusal…) leaves that body
/// in the connection, where the next request would be read from its middle: such a
/// refusal says the connection closes, so the client opens a new one.
async fn close_after_refused_body(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::http::header::{HeaderValue, CONNECTION, CONTENT_LENGTH, TRANSFER_ENCODING};
    let headers = request.headers();
    let has_body = headers.get(CONTENT_LENGTH).is_some_and(|l| l != "0") || headers.contains_key(TRANSFER_ENCODING);
    let mut response = next.run(request).await;
    if has_body && (response.status().is_client_error() || response.status().is_server_error()) {
        response.headers_mut().insert(CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

async fn stylesheet() -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "text/css; charset=utf-8")], include_str!("../static/app.css"))
}

/// The small scripts of the administration pages, built into the binary.
async fn static_file(axum::extract::Path(file): axum::extract::Path<String>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let body = match file.as_str() {
        "copy.js" => include_str!("../static/copy.js"),
        "advisors.js" => include_str!("../static/advisors.js"),
        "test-module.js" => include_str!("../static/test-module.js"),
        "live.js" => include_str!("../static/live.js"),
        "strings.js" => include_str!("../static/strings.js"),
        "console.js" => include_str!("../static/console.js"),
        "alerts.js" => include_str!("../static/alerts.js"),
        "canned.js" => include_str!("../static/canned.js"),
        "supervisor.js" => include_str!("../static/supervisor.js"),
        "stripe-checkout.js" => include_str!("../static/stripe-checkout.js"),
        "console.css" => {
            return ([(axum::http::header::CONTENT_TYPE, "text/css; charset=utf-8")], include_str!("../static/console.css")).into_response()
        }
        _ => return crate::error::AppError::App(app::Error::NotFound).into_response(),
    };
    ([(axum::http::header::CONTENT_TYPE, "text/javascript; charset=utf-8")], body).into_response()
}
