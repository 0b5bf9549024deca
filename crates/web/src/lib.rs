//! Portico's HTTP face: the axum router, the pages for staff and patients, the JSON API under
//! `/api/v1`, health and metrics. Handlers stay thin — extract, call one `portico_core` function,
//! render — and every error becomes a page or an RFC 9457 problem in one place
//! (`platform::error`). No SQL lives here.
//!
//! Three folders; inside `pages/` and `api/` each feature has the name it has in `portico_core`,
//! so a feature's pages are in `pages/<feature>` and its endpoints in `api/<feature>`:
//! - `pages/`: the server-rendered pages — `registration`, `accounts`, `links`, `practices`,
//!   `audit`, `delivery` — and the stylesheet and scripts (`assets`);
//! - `api/`: what machines call — the JSON API, its OpenAPI document (`openapi`) and extractors
//!   (`extract`), and `invitations`, `codes`, `programs`, `registration`, `accounts`, `links`,
//!   `practices`, `delivery` (whose `reports` takes the SMS provider's signed delivery reports
//!   under `/hooks`);
//! - `platform/`: the plumbing both use and that uses neither — the error mapping and the bodies
//!   of error responses, cookies, CSRF, staff and patient sessions, the staff page frame, body and
//!   field limits, facts about the request, health and metrics.
//!
//! The pages' templates are in `crates/web/templates/`, their stylesheet and scripts in
//! `crates/web/assets/`.

mod api;
mod pages;
mod platform;

use std::time::Duration;

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::HeaderName;
use axum::middleware::{self, Next};
use axum::response::Response;
use portico_core::Core;
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;

pub use api::{SMS_STATUS_PATH, SmsHookSettings};
pub use platform::body::MAX_BODY;
pub use platform::health::install_metrics_recorder;
use platform::{body, error, error_bodies, health};

/// Settings the web layer needs beyond the core's.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// The address people reach the service at (links in pages and messages), without a trailing slash.
    pub public_url: String,
    /// Mark cookies `Secure`; on whenever the service is reached over HTTPS.
    pub secure_cookies: bool,
    /// Take the client address from this header (set only behind a proxy that overwrites it).
    pub client_ip_header: Option<HeaderName>,
    /// Serve `/dev/outbox` (only while every message goes to the development `log` transport).
    pub dev_outbox: bool,
    /// Checks the SMS / voice provider's signed delivery reports (only with the HTTP transport).
    pub sms_hooks: Option<SmsHookSettings>,
    /// How long a request body may take to arrive; slower ones are refused with 408.
    pub body_timeout: Duration,
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub core: Core,
    /// The bulk imports this node runs in the background.
    pub imports: portico_core::imports::Runs,
    pub settings: std::sync::Arc<WebSettings>,
    pub metrics: metrics_exporter_prometheus::PrometheusHandle,
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole application as one router.
pub fn router(state: AppState) -> Router {
    let trace = TraceLayer::new_for_http()
        // Spans carry the route template, never the raw path: paths can hold tokens.
        .make_span_with(|req: &Request| {
            let route = req
                .extensions()
                .get::<MatchedPath>()
                .map_or("unmatched", MatchedPath::as_str);
            let id = req
                .extensions()
                .get::<RequestId>()
                .and_then(|id| id.header_value().to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", request_id = %id, method = %req.method(), route = %route)
        })
        .on_request(())
        .on_response(|res: &Response, latency: Duration, _span: &tracing::Span| {
            tracing::info!(
                status = res.status().as_u16(),
                latency_ms = latency.as_millis() as u64,
                "served"
            );
        });

    Router::new()
        .merge(pages::routes().layer(middleware::from_fn_with_state(
            state.clone(),
            platform::browser::remember,
        )))
        .merge(api::routes())
        .merge(health::routes())
        .merge(api::callbacks())
        .fallback(error::not_found)
        .layer(middleware::from_fn_with_state(state.clone(), body::bounded))
        .layer(middleware::from_fn(error_bodies::finish_errors))
        .layer(middleware::from_fn(health::track_metrics))
        .layer(trace)
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

/// Headers every response carries: no framing, no sniffing, no referrer (whose path may hold a
/// token) sent to other sites,
/// and nothing cached by shared caches. A request id sent by the client is dropped, so the ids in
/// logs and problem documents are always ours and cannot carry text a client chose.
async fn security_headers(mut req: Request, next: Next) -> Response {
    use axum::http::header::{self, HeaderValue};
    req.headers_mut().remove(REQUEST_ID);
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    res
}
