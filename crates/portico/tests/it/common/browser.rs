//! A browser-like client for the pages, and what tests read off pages and redirects.

use std::sync::Arc;

use reqwest::{Client, Response, StatusCode};

use super::STAFF_PASSWORD;

/// A browser-like HTTP client bound to one app.
pub struct Browser {
    pub client: Client,
    jar: Arc<reqwest::cookie::Jar>,
    base: String,
}

impl Browser {
    /// A new browser for the service at `base`: its own cookie jar, no automatic redirects
    /// (tests look at them).
    pub(super) fn new(base: String) -> Browser {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let client = Client::builder()
            .cookie_provider(Arc::clone(&jar))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Browser { client, jar, base }
    }

    /// The same browser (its cookies, so its sign-in) talking to another node at `base`.
    pub fn on(&self, base: &str) -> Browser {
        Browser {
            client: self.client.clone(),
            jar: Arc::clone(&self.jar),
            base: base.to_owned(),
        }
    }

    /// The `Cookie` header this browser would send (to replay it from elsewhere).
    pub fn cookie_header(&self) -> String {
        use reqwest::cookie::CookieStore as _;
        let url = self.base.parse().expect("base URL");
        self.jar
            .cookies(&url)
            .and_then(|v| v.to_str().ok().map(str::to_owned))
            .unwrap_or_default()
    }

    pub async fn get(&self, path: &str) -> Response {
        self.get_url(&format!("{}{path}", self.base)).await
    }

    pub async fn get_url(&self, url: &str) -> Response {
        self.client.get(url).send().await.expect("GET")
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.post_form_url(&format!("{}{path}", self.base), form)
            .await
    }

    pub async fn post_form_url(&self, url: &str, form: &[(&str, &str)]) -> Response {
        self.client.post(url).form(form).send().await.expect("POST")
    }

    /// Adds a staff member through the staff page's form (as an admin); returns their id.
    pub async fn add_staff(&self, name: &str, email: &str, role: &str) -> String {
        let csrf = self.csrf_for("/staff/members").await;
        let form = [
            ("csrf_token", csrf.as_str()),
            ("display_name", name),
            ("email", email),
            ("role", role),
            ("password", STAFF_PASSWORD),
        ];
        let res = self.post_form("/staff/members", &form).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "staff member added");
        id_from_location(&res)
    }

    /// The CSRF token of the form on the page at `path`.
    pub async fn csrf_for(&self, path: &str) -> String {
        let res = self.get(path).await;
        assert_eq!(res.status(), StatusCode::OK, "GET {path}");
        csrf_token(&res.text().await.unwrap())
    }

    /// A request to a page's address, with this browser's cookies (a file upload, say).
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, format!("{}{path}", self.base))
    }

    pub fn api(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}/api/v1{path}", self.base))
    }
}

/// The value of the first `csrf_token` hidden field in a page.
pub fn csrf_token(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("page has a CSRF field") + marker.len();
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The `Set-Cookie` header of a response that sets the cookie called `name`.
pub fn set_cookie(res: &Response, name: &str) -> String {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie set"))
        .to_owned()
}

/// How many seconds a refused caller is told to wait (`Retry-After`).
pub fn retry_after(res: &Response) -> u64 {
    res.headers()["retry-after"]
        .to_str()
        .expect("a number")
        .parse()
        .expect("a number of seconds")
}

/// Where a redirect points.
pub fn location(res: &Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The id at the end of a redirect such as `/staff/members/<id>`.
pub fn id_from_location(res: &Response) -> String {
    location(res)
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned()
}
