//! Delivery reports from the SMS / voice provider (`POST /hooks/sms/status`), passed on to
//! `portico_core::delivery::reports`. A callback from an outside service, outside `/api/v1` and
//! its document, answered without a session or CSRF token because it is signed instead: checked
//! against Twilio's `X-Twilio-Signature` — a base64 HMAC-SHA1, keyed with the account's auth
//! token, over the callback URL followed by every POST parameter's name and value sorted by name.
//! A report without a valid signature is refused (403) and changes nothing.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use portico_core::delivery::reports::{ProviderStatus, provider_reported};
use sha1::Sha1;

use crate::AppState;

/// Where the provider sends delivery reports, under the public URL.
pub const SMS_STATUS_PATH: &str = "/hooks/sms/status";

/// What the web layer needs to check the provider's reports.
#[derive(Clone)]
pub struct SmsHookSettings {
    /// The callback URL exactly as given to the provider (`{public_url}/hooks/sms/status`).
    pub callback_url: String,
    /// The provider account's auth token, the signing key.
    pub auth_token: String,
}

// By hand: the auth token never reaches a log.
impl std::fmt::Debug for SmsHookSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsHookSettings")
            .field("callback_url", &self.callback_url)
            .finish_non_exhaustive()
    }
}

pub fn routes() -> Router<AppState> {
    Router::new().route(SMS_STATUS_PATH, post(sms_status))
}

/// Whether `signature` is the provider's signature of `url` with `params`.
pub fn valid_signature(
    auth_token: &str,
    url: &str,
    params: &[(String, String)],
    signature: &str,
) -> bool {
    let Ok(expected) = base64::engine::general_purpose::STANDARD.decode(signature.trim()) else {
        return false;
    };
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()) else {
        return false;
    };
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    mac.verify_slice(&expected).is_ok()
}

async fn sms_status(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(hook) = &state.settings.sms_hooks else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Ok(params) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let signed = headers
        .get("x-twilio-signature")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|sig| valid_signature(&hook.auth_token, &hook.callback_url, &params, sig));
    if !signed {
        tracing::warn!("SMS status report with a missing or wrong signature refused");
        return StatusCode::FORBIDDEN.into_response();
    }
    let field = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let (Some(sid), Some(status)) = (
        field("MessageSid").or_else(|| field("CallSid")),
        field("MessageStatus").or_else(|| field("CallStatus")),
    ) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    match provider_reported(&state.core, sid, &ProviderStatus::parse(status)).await {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "SMS status report could not be recorded");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twilios_documented_example_verifies() {
        // The example from Twilio's webhook security documentation.
        let params: Vec<(String, String)> = [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert!(valid_signature(
            "12345",
            url,
            &params,
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        ));
        assert!(!valid_signature(
            "12345",
            url,
            &params[1..],
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        ));
        assert!(!valid_signature("12345", url, &params, "not base64!"));
    }
}
