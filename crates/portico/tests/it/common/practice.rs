//! The practice's side: a practice with its admin and an integrator's API token, and what its
//! staff do over the API (invite, add providers and programs, publish terms).

use std::ops::Deref;

use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use super::patient::{BIRTH_DATE, Patient, PhoneInbox, Registration};
use super::responses::{Invitation, IssuedInvitation, ProviderCode};
use super::{Api, Browser, TestApp};

/// The password of admins made with the CLI (`practice_with_admin`, `integrator`).
pub const CLI_ADMIN_PASSWORD: &str = "quiet meadow lantern river";

/// A practice made as an integrator gets one: an admin made with the CLI, and an API token
/// (`Deref` gives the token's `Api`, so `lakeside.get("/invitations")` calls as the integrator).
pub struct Practice<'a> {
    app: &'a TestApp,
    pub api: Api,
    pub admin_email: String,
}

impl Deref for Practice<'_> {
    type Target = Api;

    fn deref(&self) -> &Api {
        &self.api
    }
}

impl TestApp {
    /// A new practice named `name`, its admin (password `CLI_ADMIN_PASSWORD`), and an API token
    /// for it. The admin is `admin@<name>.example`, the name lower-cased without its trailing
    /// "Clinic": Lakeside Clinic's is `admin@lakeside.example`.
    pub async fn practice_with_admin(&self, name: &str) -> Practice<'_> {
        let domain = name
            .trim_end_matches(" Clinic")
            .to_lowercase()
            .replace(' ', "-");
        let admin_email = format!("admin@{domain}.example");
        Practice {
            app: self,
            api: self.integrator(name, &admin_email).await,
            admin_email,
        }
    }
}

/// A provider added to a practice, with the code patients register with.
pub struct Provider {
    pub id: String,
    pub code: String,
}

impl Practice<'_> {
    /// Every provider code of the practice, the practice's own first.
    pub async fn provider_codes(&self) -> Vec<ProviderCode> {
        Api::expect_as(self.get("/provider-codes").await, StatusCode::OK).await
    }

    /// The practice-wide provider code (every practice has one from the start).
    pub async fn provider_code(&self) -> String {
        self.provider_codes()
            .await
            .into_iter()
            .find(|c| c.provider_id.is_none())
            .and_then(|c| c.code)
            .expect("the practice's own code")
    }

    /// Adds a provider; answers its id and its code.
    pub async fn add_provider(&self, display_name: &str) -> Provider {
        let added = Api::expect(
            self.post("/providers", &json!({ "display_name": display_name }))
                .await,
            StatusCode::CREATED,
        )
        .await;
        let id = added["id"].as_str().expect("an id").to_owned();
        let code = self
            .provider_codes()
            .await
            .into_iter()
            .find(|c| c.provider_id.as_ref() == Some(&id))
            .and_then(|c| c.code)
            .expect("the new provider has a code");
        Provider { id, code }
    }

    /// Adds a program patients sign up for with `signup_code`, with messaging allowed; answers
    /// its id. `policy` is `approval`, `notify` or `silent`.
    pub async fn add_program(&self, name: &str, signup_code: &str, policy: &str) -> String {
        let body = json!({ "name": name, "signup_code": signup_code, "policy": policy,
                           "messaging_allowed": true });
        let added = Api::expect(self.post("/programs", &body).await, StatusCode::CREATED).await;
        added["id"].as_str().expect("an id").to_owned()
    }

    /// Invites a patient; answers the invitation with its code and link.
    pub async fn invite(&self, invitee: &Invitee) -> IssuedInvitation {
        Api::expect_as(self.try_invite(invitee).await, StatusCode::CREATED).await
    }

    /// Asks to invite a patient; the answer, whatever it is.
    pub async fn try_invite(&self, invitee: &Invitee) -> Response {
        self.post("/invitations", &invitee.0).await
    }

    /// Invites a patient, who redeems the code with their date of birth: the invitation, and
    /// the registration the code opened.
    pub async fn invited_patient(&self, invitee: &Invitee) -> (IssuedInvitation, Registration<'_>) {
        let invitation = self.invite(invitee).await;
        let birth_date = invitee.0["birth_date"].as_str().expect("a birth date");
        let registration = self
            .app
            .redeem_invitation(&invitation.code, birth_date)
            .await;
        (invitation, registration)
    }

    /// A patient starts a self-registration with the practice-wide provider code.
    pub async fn start_registration(&self) -> Registration<'_> {
        self.app
            .start_registration(&self.provider_code().await)
            .await
    }

    /// Like `start_registration`, from a caller at `ip`.
    pub async fn start_registration_at(&self, ip: &str) -> Registration<'_> {
        self.app
            .start_registration_at(ip, &self.provider_code().await)
            .await
    }

    /// Maria, registered with the practice-wide provider code and `email`, signed in.
    pub async fn registered_patient(&self, phone: &impl PhoneInbox, email: &str) -> Patient {
        self.app
            .registered_with_code(phone, &self.provider_code().await, email)
            .await
    }

    /// An invitation as staff read it.
    pub async fn invitation(&self, id: &str) -> Invitation {
        Api::expect_as(
            self.get(&format!("/invitations/{id}")).await,
            StatusCode::OK,
        )
        .await
    }

    /// Asks to re-send an invitation (a new code); the answer, whatever it is.
    pub async fn resend(&self, id: &str) -> Response {
        self.post(&format!("/invitations/{id}/resend"), &json!({}))
            .await
    }

    /// Asks to revoke an invitation; the answer, whatever it is.
    pub async fn revoke(&self, id: &str) -> Response {
        self.post(&format!("/invitations/{id}/revoke"), &json!({}))
            .await
    }

    /// Publishes new terms of use as the signed-in admin (an API token may not); the answer,
    /// whatever it is.
    pub async fn publish_terms(&self, body: &str) -> Response {
        self.admin_session()
            .await
            .call(Method::POST, "/terms", json!({ "body": body }))
            .await
    }

    /// The practice's admin, signed in on the staff pages.
    pub async fn admin(&self) -> Browser {
        let (admin, res) = self
            .app
            .sign_in(&self.admin_email, CLI_ADMIN_PASSWORD)
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "the admin signs in");
        admin
    }

    /// The practice's admin, signed in, calling the API with the session (what an API token may
    /// not do: publish terms, change settings, edit templates).
    pub async fn admin_session(&self) -> StaffSession {
        StaffSession::of(self.admin().await).await
    }
}

/// A signed-in staff member calling the API with their session cookie and the page's CSRF token.
pub struct StaffSession {
    pub browser: Browser,
    pub csrf: String,
}

impl StaffSession {
    pub async fn of(browser: Browser) -> StaffSession {
        let csrf = browser.csrf_for("/staff").await;
        StaffSession { browser, csrf }
    }

    /// Calls the API with the session and its CSRF header; the answer, whatever it is.
    pub async fn call(&self, method: Method, path: &str, body: Value) -> Response {
        self.browser
            .api(method, path)
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .await
            .expect("an answer")
    }

    /// Starts a secure conversation with a patient of the practice; the thread as answered.
    pub async fn start_thread(&self, patient_id: &str, subject: &str, body: &str) -> Value {
        let started = self
            .call(
                Method::POST,
                "/threads",
                serde_json::json!({ "patient_id": patient_id, "subject": subject, "body": body }),
            )
            .await;
        assert_eq!(
            started.status(),
            reqwest::StatusCode::CREATED,
            "a thread starts"
        );
        started.json().await.expect("the thread")
    }
}

/// Whom staff invite: the body of `POST /invitations`, born on `BIRTH_DATE` and reached by no
/// channel unless told.
#[derive(Debug, Clone)]
pub struct Invitee(Value);

impl Invitee {
    pub fn new(first_name: &str, last_name: &str) -> Invitee {
        Invitee(json!({
            "first_name": first_name, "last_name": last_name, "birth_date": BIRTH_DATE,
            "channels": [],
        }))
    }

    /// Maria Lopez, the patient of most tests.
    pub fn maria() -> Invitee {
        Invitee::new("Maria", "Lopez")
    }

    pub fn email(self, email: &str) -> Invitee {
        self.with("email", email)
    }

    pub fn phone(self, phone: &str) -> Invitee {
        self.with("phone", phone)
    }

    /// The channels the invitation goes out by: `email`, `sms`, `voice`.
    pub fn by(self, channels: &[&str]) -> Invitee {
        self.with("channels", channels)
    }

    /// Any other field of the request.
    pub fn with(mut self, field: &str, value: impl Into<Value>) -> Invitee {
        self.0[field] = value.into();
        self
    }
}
