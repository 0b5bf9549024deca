//! Facts about the request itself: the client's address, user agent and browser (its device
//! cookie), for throttling and audit, and whether its method is one of HTTP's standard ones.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::Method;
use axum::http::request::Parts;
use portico_core::ClientInfo;

use crate::AppState;

/// The client as the audit log and throttles see it.
pub struct Client(pub ClientInfo);

impl FromRequestParts<AppState> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let forwarded = state.settings.client_ip_header.as_ref().and_then(|name| {
            let value = parts.headers.get(name)?.to_str().ok()?;
            // A proxy appends; the last entry is the one our proxy saw.
            value.rsplit(',').next().map(|ip| ip.trim().to_owned())
        });
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string());
        let user_agent = parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok());
        let browser = super::browser::key(state, &parts.headers);
        Ok(Client(
            ClientInfo::new(forwarded.or(peer), user_agent).with_browser(browser),
        ))
    }
}

/// The method's name when it is one of HTTP's standard methods; `None` for any other token, which
/// is text the client chose: it is never echoed back or used as a metric label.
pub fn standard_method_name(method: &Method) -> Option<String> {
    let standard = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::OPTIONS,
        Method::CONNECT,
        Method::TRACE,
    ];
    standard
        .contains(method)
        .then(|| method.as_str().to_owned())
}
