//! A JSON API client, as an integrator (bearer token), a patient (session token) or an
//! anonymous caller uses the API, and the one way tests read an answer's status and body.

use reqwest::{Client, Response, StatusCode};
use serde::de::DeserializeOwned;

/// A JSON API client holding a bearer token (empty for anonymous calls).
pub struct Api {
    pub client: Client,
    pub base: String,
    pub token: String,
    pub practice_id: String,
    /// The caller's address, sent as `X-Forwarded-For` (which the test services may trust).
    forwarded_for: Option<String>,
}

impl Api {
    pub(super) fn new(app_url: &str, token: &str, practice_id: &str) -> Api {
        Api {
            client: Client::new(),
            base: format!("{app_url}/api/v1"),
            token: token.to_owned(),
            practice_id: practice_id.to_owned(),
            forwarded_for: None,
        }
    }

    /// The same client calling from `ip` (services started with `PORTICO_CLIENT_IP_HEADER`).
    pub fn calling_from(mut self, ip: &str) -> Api {
        self.forwarded_for = Some(ip.to_owned());
        self
    }

    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(ip) = &self.forwarded_for {
            req = req.header("x-forwarded-for", ip);
        }
        if self.token.is_empty() {
            req
        } else {
            req.bearer_auth(&self.token)
        }
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(reqwest::Method::GET, path)
            .send()
            .await
            .expect("GET")
    }

    pub async fn post(&self, path: &str, body: &serde_json::Value) -> Response {
        self.request(reqwest::Method::POST, path)
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    pub async fn put(&self, path: &str, body: &serde_json::Value) -> Response {
        self.request(reqwest::Method::PUT, path)
            .json(body)
            .send()
            .await
            .expect("PUT")
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.request(reqwest::Method::DELETE, path)
            .send()
            .await
            .expect("DELETE")
    }

    /// Sends `requests` all at once, each on its own task; answers their statuses in order.
    pub async fn all_at_once(
        requests: impl IntoIterator<Item = reqwest::RequestBuilder>,
    ) -> Vec<StatusCode> {
        let sent: Vec<_> = requests
            .into_iter()
            .map(|req| tokio::spawn(req.send()))
            .collect();
        let mut statuses = Vec::new();
        for handle in sent {
            statuses.push(handle.await.expect("a task").expect("an answer").status());
        }
        statuses
    }

    /// The JSON of a response that must have `status`.
    pub async fn expect(res: Response, status: StatusCode) -> serde_json::Value {
        let got = res.status();
        let body = res.text().await.expect("body");
        assert_eq!(got, status, "unexpected status; body: {body}");
        serde_json::from_str(&body).unwrap_or(serde_json::Value::Null)
    }

    /// The body of a response that must have `status`, read into `T` (see `responses`).
    pub async fn expect_as<T: DeserializeOwned>(res: Response, status: StatusCode) -> T {
        let got = res.status();
        let body = res.text().await.expect("body");
        assert_eq!(got, status, "unexpected status; body: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| {
            panic!(
                "the body is not a {}: {e}; body: {body}",
                std::any::type_name::<T>()
            )
        })
    }
}
