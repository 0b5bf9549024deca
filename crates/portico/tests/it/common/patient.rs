//! The patient's side: who Maria Lopez is and what she types, a registration step by step
//! (`Registration`), where her phone codes arrive (`PhoneInbox`), and her signed-in account
//! (`Patient`).

use std::ops::Deref;

use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use super::responses::{Me, Redeemed, Registered, RegistrationView, SessionOpened};
use super::{Api, Practice, TestApp};

/// Maria Lopez's date of birth.
pub const BIRTH_DATE: &str = "1980-02-03";
/// Maria's mobile number, as the service stores it.
pub const PHONE: &str = "+14155550123";
/// Maria's password.
pub const PASSPHRASE: &str = "copper lantern orbit meadow";

/// Where a test reads the 6-digit code a patient's phone received.
pub trait PhoneInbox {
    /// Delivers what is queued if need be, and answers the newest code sent to `number`.
    async fn code_sent_to(&self, app: &TestApp, number: &str) -> String;
}

/// What a patient types on the details step: Maria Lopez's details unless told otherwise.
#[derive(Debug, Clone)]
pub struct Details(Value);

impl Details {
    /// Maria Lopez, `email`, her phone as she types it, and `PASSPHRASE`.
    pub fn maria(email: &str) -> Details {
        Details(json!({
            "first_name": "Maria", "last_name": "Lopez", "birth_date": BIRTH_DATE,
            "email": email, "phone": "(415) 555-0123", "password": PASSPHRASE,
        }))
    }

    pub fn phone(self, phone: &str) -> Details {
        self.with("phone", phone)
    }

    pub fn password(self, password: &str) -> Details {
        self.with("password", password)
    }

    /// Another first name (an invited patient correcting a misspelling).
    pub fn first_name(self, first_name: &str) -> Details {
        self.with("first_name", first_name)
    }

    /// Another last name.
    pub fn with_last_name(self, last_name: &str) -> Details {
        self.with("last_name", last_name)
    }

    /// Another date of birth.
    pub fn birth_date(self, birth_date: &str) -> Details {
        self.with("birth_date", birth_date)
    }

    /// No email address: the account gets a username instead.
    pub fn without_email(self) -> Details {
        self.with("email", "").with("no_email", true)
    }

    fn with(mut self, field: &str, value: impl Into<Value>) -> Details {
        self.0[field] = value.into();
        self
    }
}

/// A registration in progress, from the device (`caller`) that holds its ticket.
pub struct Registration<'a> {
    app: &'a TestApp,
    caller: Api,
    pub ticket: String,
}

impl TestApp {
    /// The public redemption of an invite code with a date of birth; the answer, whatever it is.
    pub async fn redeem(&self, code: &str, birth_date: &str) -> Response {
        self.anonymous_api()
            .post(
                "/public/invitations/redeem",
                &json!({ "code": code, "birth_date": birth_date }),
            )
            .await
    }

    /// Redeems an invite code that must be accepted: the registration it opens.
    pub async fn redeem_invitation(&self, code: &str, birth_date: &str) -> Registration<'_> {
        let redeemed: Redeemed =
            Api::expect_as(self.redeem(code, birth_date).await, StatusCode::OK).await;
        self.registration(self.anonymous_api(), &redeemed.ticket)
    }

    /// Starts a self-registration with a provider code or a sign-up code that must be accepted.
    pub async fn start_registration(&self, code: &str) -> Registration<'_> {
        self.start_registration_from(self.anonymous_api(), code)
            .await
    }

    /// Like `start_registration`, from a caller at `ip`; every later step comes from there too.
    pub async fn start_registration_at(&self, ip: &str, code: &str) -> Registration<'_> {
        self.start_registration_from(self.caller_at(ip), code).await
    }

    async fn start_registration_from(&self, caller: Api, code: &str) -> Registration<'_> {
        let started = Api::expect(
            caller
                .post("/public/registrations", &json!({ "code": code }))
                .await,
            StatusCode::CREATED,
        )
        .await;
        let ticket = started["ticket"].as_str().expect("a ticket").to_owned();
        self.registration(caller, &ticket)
    }

    /// The registration a ticket stands for (e.g. on a second device).
    pub fn registration(&self, caller: Api, ticket: &str) -> Registration<'_> {
        Registration {
            app: self,
            caller,
            ticket: ticket.to_owned(),
        }
    }

    /// Maria registered with `code` (a provider or sign-up code) and `email`, signed in.
    pub async fn registered_with_code(
        &self,
        phone: &impl PhoneInbox,
        code: &str,
        email: &str,
    ) -> Patient {
        let registered = self
            .start_registration(code)
            .await
            .finish(phone, email)
            .await;
        self.patient(&registered.session_token)
    }

    /// Lakeside Clinic, and Maria (`maria@example.org`) registered there with its practice-wide
    /// code, signed in.
    pub async fn registered_patient(&self, phone: &impl PhoneInbox) -> (Practice<'_>, Patient) {
        let lakeside = self.practice_with_admin("Lakeside Clinic").await;
        let maria = lakeside
            .registered_patient(phone, "maria@example.org")
            .await;
        (lakeside, maria)
    }

    /// The patient holding `session_token`.
    pub fn patient(&self, session_token: &str) -> Patient {
        let mut api = self.anonymous_api();
        api.token = session_token.to_owned();
        Patient { api }
    }

    /// A patient signed in by email address or username; the sign-in must succeed.
    pub async fn signed_in_patient(&self, name: &str, password: &str) -> Patient {
        let opened: SessionOpened = Api::expect_as(
            self.sign_in_patient(name, password).await,
            StatusCode::CREATED,
        )
        .await;
        self.patient(&opened.session_token)
    }

    /// Signs a patient in by email address or username; the answer, whatever it is.
    pub async fn sign_in_patient(&self, name: &str, password: &str) -> Response {
        self.anonymous_api()
            .post(
                "/public/patient-sessions",
                &json!({ "name": name, "password": password }),
            )
            .await
    }
}

impl Registration<'_> {
    async fn step(&self, path: &str, mut body: Value) -> Response {
        body["ticket"] = json!(self.ticket);
        self.caller
            .post(&format!("/public/registrations{path}"), &body)
            .await
    }

    /// Where the registration stands; it must still be open.
    pub async fn status(&self) -> RegistrationView {
        Api::expect_as(self.step("/status", json!({})).await, StatusCode::OK).await
    }

    pub async fn send_details(&self, details: &Details) -> Response {
        self.step("/details", details.0.clone()).await
    }

    /// Sends details that must be accepted; where the registration stands then.
    pub async fn enter_details(&self, details: &Details) -> RegistrationView {
        Api::expect_as(self.send_details(details).await, StatusCode::OK).await
    }

    /// Asks for a phone code by `sms` or `voice`.
    pub async fn send_code(&self, channel: &str) -> Response {
        self.step("/phone/send", json!({ "channel": channel }))
            .await
    }

    pub async fn verify(&self, code: &str) -> Response {
        self.step("/phone/verify", json!({ "code": code })).await
    }

    /// Verifies Maria's phone: a code by SMS, read on her phone and typed in.
    pub async fn verify_phone(&self, phone: &impl PhoneInbox) {
        self.verify_phone_number(phone, PHONE).await;
    }

    /// Verifies the phone typed on the details step, `number` as the service stores it.
    async fn verify_phone_number(&self, phone: &impl PhoneInbox, number: &str) {
        Api::expect(self.send_code("sms").await, StatusCode::ACCEPTED).await;
        let code = phone.code_sent_to(self.app, number).await;
        Api::expect(self.verify(&code).await, StatusCode::OK).await;
    }

    pub async fn accept_terms(&self, version: i64) -> Response {
        self.step("/terms", json!({ "version": version })).await
    }

    pub async fn sign_consent(&self, signature: &str) -> Response {
        self.step("/consent", json!({ "signature": signature }))
            .await
    }

    pub async fn complete(&self) -> Response {
        self.step("/complete", json!({})).await
    }

    /// Takes the registration the rest of the way: Maria's details with `email`, her phone, the
    /// terms and — when the invitation asks for it — consent, to a new account signed in.
    pub async fn finish(&self, phone: &impl PhoneInbox, email: &str) -> Registered {
        self.finish_with(phone, &Details::maria(email)).await
    }

    /// Like [`Registration::finish`], with `details` typed on the details step.
    pub async fn finish_with(&self, phone: &impl PhoneInbox, details: &Details) -> Registered {
        let view = self.enter_details(details).await;
        assert_eq!(view.next, "phone");
        // A US number as typed ("(415) 555-0177"), as the service stores it.
        let digits: String = (details.0["phone"].as_str().unwrap_or_default().chars())
            .filter(char::is_ascii_digit)
            .collect();
        self.verify_phone_number(phone, &format!("+1{digits}"))
            .await;
        let view = self.status().await;
        assert_eq!(view.next, "terms");
        let view: RegistrationView = Api::expect_as(
            self.accept_terms(view.terms().version).await,
            StatusCode::OK,
        )
        .await;
        if view.next == "consent" {
            // Signed as people type: other case, extra spaces.
            let signature = format!("{}  {}", details.0["first_name"], details.0["last_name"])
                .replace('"', "")
                .to_lowercase();
            Api::expect(self.sign_consent(&signature).await, StatusCode::OK).await;
        }
        Api::expect_as(self.complete().await, StatusCode::CREATED).await
    }
}

/// A signed-in patient (`Deref` gives the `Api` holding the session token).
pub struct Patient {
    pub api: Api,
}

impl Deref for Patient {
    type Target = Api;

    fn deref(&self) -> &Api {
        &self.api
    }
}

impl Patient {
    /// The visit screen's data: cards and terms due. The session must be alive.
    pub async fn me(&self) -> Me {
        Api::expect_as(self.get("/patient").await, StatusCode::OK).await
    }

    /// Enters a provider code on the visit screen; the answer, whatever it is.
    pub async fn add_provider_code(&self, code: &str) -> Response {
        self.post("/patient/provider-codes", &json!({ "code": code }))
            .await
    }

    /// Accepts a practice's terms of use; the answer, whatever it is.
    pub async fn accept_terms(&self, practice_id: &str, version: i64) -> Response {
        self.post(
            "/patient/terms",
            &json!({ "practice_id": practice_id, "version": version }),
        )
        .await
    }
}
