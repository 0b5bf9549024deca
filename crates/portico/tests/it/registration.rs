//! Patient registration and accounts over the JSON API (the path an app takes), with the SMS
//! provider's stand-in receiving the phone codes: invited and self-registration, phone codes'
//! expiry, tries and re-send waits, terms versions, the password rules, programs' policies,
//! provider codes, password recovery and sessions.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use wiremock::MockServer;

use crate::common::{Api, TestApp};
use crate::sms::{MESSAGES, accept_all, forms_at, with_provider};

with_provider!(
    an_invited_patient_registers_with_consent_and_the_invitation_is_used_up,
    phone_codes_expire_allow_five_tries_and_re_sends_wait_longer_each_time,
    a_new_terms_version_is_asked_for_at_the_next_sign_in,
    passwords_follow_the_2025_nist_rules_and_say_why,
    sign_up_codes_enrol_into_the_program_under_its_policy,
    a_signed_in_patient_links_another_provider_with_its_code,
    forgot_password_answers_alike_for_known_and_unknown_accounts,
    sessions_time_out_and_sign_out_everywhere_ends_them_all,
    a_patient_without_email_registers_and_signs_in_with_a_username,
    the_invitation_link_opens_the_invited_path_and_a_typed_form_survives_errors,
);

const BIRTH: &str = "1980-02-03";
const PHONE: &str = "+14155550123";
const PASSPHRASE: &str = "copper lantern orbit meadow";

fn public(app: &TestApp) -> Api {
    app.anonymous_api()
}

/// A patient API client holding a session token.
fn patient(app: &TestApp, token: &str) -> Api {
    let mut api = app.anonymous_api();
    api.token = token.to_owned();
    api
}

fn details(ticket: &str, email: &str, password: &str) -> Value {
    json!({
        "ticket": ticket, "first_name": "Maria", "last_name": "Lopez", "birth_date": BIRTH,
        "email": email, "phone": "(415) 555-0123", "password": password,
    })
}

/// Delivers what is queued and reads the newest code the stand-in got for `PHONE`.
async fn code_sent_by_sms(app: &TestApp, provider: &MockServer) -> String {
    app.deliver().await;
    let forms = forms_at(provider, MESSAGES).await;
    let body = forms
        .iter()
        .rev()
        .find(|f| f.iter().any(|(k, v)| k == "To" && v == PHONE))
        .and_then(|f| f.iter().find(|(k, _)| k == "Body").map(|(_, v)| v.clone()))
        .expect("an SMS to the patient");
    body.chars().take(6).collect()
}

/// Takes a ticket through details, phone, terms (and consent when asked) to a new account.
pub(crate) async fn register(
    app: &TestApp,
    provider: &MockServer,
    ticket: &str,
    email: &str,
) -> Value {
    let api = public(app);
    let view = Api::expect(
        api.post(
            "/public/registrations/details",
            &details(ticket, email, PASSPHRASE),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(view["next"], "phone");
    verify_phone(app, provider, ticket).await;
    let view = Api::expect(
        api.post("/public/registrations/status", &json!({ "ticket": ticket }))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(view["next"], "terms");
    let version = view["terms"]["version"].clone();
    let view = Api::expect(
        api.post(
            "/public/registrations/terms",
            &json!({ "ticket": ticket, "version": version }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    if view["next"] == "consent" {
        Api::expect(
            api.post(
                "/public/registrations/consent",
                &json!({ "ticket": ticket, "signature": "maria  LOPEZ" }),
            )
            .await,
            StatusCode::OK,
        )
        .await;
    }
    Api::expect(
        api.post(
            "/public/registrations/complete",
            &json!({ "ticket": ticket }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await
}

async fn verify_phone(app: &TestApp, provider: &MockServer, ticket: &str) {
    let api = public(app);
    Api::expect(
        api.post(
            "/public/registrations/phone/send",
            &json!({ "ticket": ticket, "channel": "sms" }),
        )
        .await,
        StatusCode::ACCEPTED,
    )
    .await;
    let code = code_sent_by_sms(app, provider).await;
    Api::expect(
        api.post(
            "/public/registrations/phone/verify",
            &json!({ "ticket": ticket, "code": code }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
}

/// A practice with a practice-wide provider code; answers its integrator and the code.
async fn practice(app: &TestApp, name: &str, admin: &str) -> (Api, String) {
    let api = app.integrator(name, admin).await;
    let codes = Api::expect(api.get("/provider-codes").await, StatusCode::OK).await;
    let code = codes[0]["code"].as_str().unwrap().to_owned();
    (api, code)
}

async fn start(app: &TestApp, code: &str) -> String {
    let started = Api::expect(
        public(app)
            .post("/public/registrations", &json!({ "code": code }))
            .await,
        StatusCode::CREATED,
    )
    .await;
    started["ticket"].as_str().unwrap().to_owned()
}

async fn me(app: &TestApp, token: &str) -> Value {
    Api::expect(patient(app, token).get("/patient").await, StatusCode::OK).await
}

async fn an_invited_patient_registers_with_consent_and_the_invitation_is_used_up(
    app: &TestApp,
    provider: &MockServer,
) {
    accept_all(provider).await;
    let (staff, _) = practice(app, "Lakeside Clinic", "admin@lakeside.example").await;
    let invitation = Api::expect(
        staff
            .post(
                "/invitations",
                &json!({
                    "first_name": "Maria", "last_name": "Lopez", "birth_date": BIRTH,
                    "email": "maria.lopez@example.org", "phone": PHONE, "channels": ["email"],
                    "consent_method": "in_app",
                }),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    let code = invitation["code"].as_str().unwrap();
    let id = invitation["id"].as_str().unwrap();
    let redeem = || {
        let api = public(app);
        let body = json!({ "code": code, "birth_date": BIRTH });
        async move { api.post("/public/invitations/redeem", &body).await }
    };
    let first = Api::expect(redeem().await, StatusCode::OK).await;
    let ticket = first["ticket"].as_str().unwrap().to_owned();
    // A second device opens a registration with the same code before the first one finishes.
    let second = Api::expect(redeem().await, StatusCode::OK).await;
    let second_ticket = second["ticket"].as_str().unwrap().to_owned();

    // The form comes pre-filled from the invitation, and consent is one of the steps.
    let view = Api::expect(
        public(app)
            .post("/public/registrations/status", &json!({ "ticket": ticket }))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(view["next"], "details");
    assert_eq!(view["details"]["first_name"], "Maria");
    assert_eq!(view["details"]["email"], "maria.lopez@example.org");
    assert_eq!(view["consent_required"], true);

    // A signature that is not the full name is refused next to the field.
    let api = public(app);
    Api::expect(
        api.post(
            "/public/registrations/details",
            &details(&ticket, "maria.lopez@example.org", PASSPHRASE),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    verify_phone(app, provider, &ticket).await;
    let status = Api::expect(
        api.post("/public/registrations/status", &json!({ "ticket": ticket }))
            .await,
        StatusCode::OK,
    )
    .await;
    let version = status["terms"]["version"].clone();
    assert!(
        status["terms"]["body"]
            .as_str()
            .unwrap()
            .contains("terms of use")
    );
    let view = Api::expect(
        api.post(
            "/public/registrations/terms",
            &json!({ "ticket": ticket, "version": version }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(view["next"], "consent");
    assert!(view["consent"]["paragraphs"].as_array().unwrap().len() >= 2);
    // The account is only created after the consent is signed.
    let early = Api::expect(
        api.post(
            "/public/registrations/complete",
            &json!({ "ticket": ticket }),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(early["type"], "/problems/state-conflict");
    assert_eq!(app.count_rows("patients").await, 0);
    let wrong = Api::expect(
        api.post(
            "/public/registrations/consent",
            &json!({ "ticket": ticket, "signature": "M. L." }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(wrong["errors"][0]["field"], "signature");
    Api::expect(
        api.post(
            "/public/registrations/consent",
            &json!({ "ticket": ticket, "signature": "Maria Lopez" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let done = Api::expect(
        api.post(
            "/public/registrations/complete",
            &json!({ "ticket": ticket }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let token = done["session_token"].as_str().unwrap();
    let me = me(app, token).await;
    assert_eq!(me["first_name"], "Maria");
    assert_eq!(me["cards"][0]["practice_name"], "Lakeside Clinic");
    assert_eq!(me["cards"][0]["status"], "active");
    assert_eq!(me["terms_due"], json!([]));
    assert_eq!(app.count_rows("consents").await, 1);

    // The invitation is now used: staff see it redeemed, it cannot be re-sent, its code is dead,
    // and the other device's registration cannot make a second account.
    let read = Api::expect(
        staff.get(&format!("/invitations/{id}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(read["state"], "redeemed");
    Api::expect(
        staff
            .post(&format!("/invitations/{id}/resend"), &json!({}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(redeem().await.status(), StatusCode::BAD_REQUEST);
    let gone = Api::expect(
        api.post(
            "/public/registrations/details",
            &details(&second_ticket, "other@example.org", PASSPHRASE),
        )
        .await,
        StatusCode::GONE,
    )
    .await;
    assert_eq!(gone["type"], "/problems/registration-expired");
    assert_eq!(app.count_rows("patients").await, 1);
    // The used ticket is gone too.
    assert_eq!(
        api.post(
            "/public/registrations/complete",
            &json!({ "ticket": ticket })
        )
        .await
        .status(),
        StatusCode::GONE
    );
}

async fn phone_codes_expire_allow_five_tries_and_re_sends_wait_longer_each_time(
    app: &TestApp,
    provider: &MockServer,
) {
    accept_all(provider).await;
    let (_, code) = practice(app, "Lakeside Clinic", "admin@lakeside.example").await;
    let ticket = start(app, &code).await;
    let api = public(app);
    Api::expect(
        api.post(
            "/public/registrations/details",
            &details(&ticket, "maria@example.org", PASSPHRASE),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let send = |channel: &'static str| {
        let ticket = ticket.clone();
        let api = public(app);
        async move {
            api.post(
                "/public/registrations/phone/send",
                &json!({ "ticket": ticket, "channel": channel }),
            )
            .await
        }
    };
    let verify = |code: String| {
        let ticket = ticket.clone();
        let api = public(app);
        async move {
            api.post(
                "/public/registrations/phone/verify",
                &json!({ "ticket": ticket, "code": code }),
            )
            .await
        }
    };

    // Re-sends wait 30 s, then 60 s: the answer says how long.
    let sent = Api::expect(send("sms").await, StatusCode::ACCEPTED).await;
    assert_eq!(sent["resend_after_seconds"], 30);
    assert_eq!(sent["valid_for_seconds"], 600);
    assert!(sent["phone_masked"].as_str().unwrap().ends_with("23"));
    let early = send("sms").await;
    assert_eq!(early.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = early.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&wait), "retry after {wait}");
    app.advance(Duration::from_secs(31));
    let sent = Api::expect(send("sms").await, StatusCode::ACCEPTED).await;
    assert_eq!(sent["resend_after_seconds"], 60);
    app.advance(Duration::from_secs(31));
    assert_eq!(
        send("voice").await.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "60 s now"
    );

    // The code expires after 10 minutes.
    let expired_code = code_sent_by_sms(app, provider).await;
    app.advance(Duration::from_secs(10 * 60 + 1));
    let refused = Api::expect(verify(expired_code).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("expired")
    );

    // A new code takes five tries; after the fifth wrong one even the right code is refused.
    Api::expect(send("sms").await, StatusCode::ACCEPTED).await;
    let right = code_sent_by_sms(app, provider).await;
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    for attempt in 1..=4 {
        let body = Api::expect(verify(wrong.into()).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("not right"),
            "attempt {attempt}: {body}"
        );
    }
    let fifth = Api::expect(verify(wrong.into()).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        fifth["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("too many times")
    );
    Api::expect(verify(right).await, StatusCode::UNPROCESSABLE_ENTITY).await;

    // A fresh code (after the growing wait, 2 minutes by now) works.
    app.advance(Duration::from_secs(5 * 60));
    Api::expect(send("sms").await, StatusCode::ACCEPTED).await;
    let fresh = code_sent_by_sms(app, provider).await;
    let view = Api::expect(verify(fresh).await, StatusCode::OK).await;
    assert_eq!(view["next"], "terms");
    // Codes are stored only as keyed hashes.
    let dump = app.dump_all_text().await;
    let all_codes: Vec<String> = forms_at(provider, MESSAGES)
        .await
        .iter()
        .filter_map(|f| {
            f.iter()
                .find(|(k, _)| k == "Body")
                .map(|(_, v)| v.chars().take(6).collect())
        })
        .collect();
    for code in all_codes {
        assert!(
            !dump.contains(&format!("'{code}'")) && !dump.contains(&format!("\t{code}\t")),
            "code {code} stored in clear"
        );
    }
}

async fn a_new_terms_version_is_asked_for_at_the_next_sign_in(
    app: &TestApp,
    provider: &MockServer,
) {
    accept_all(provider).await;
    let (_, code) = practice(app, "Lakeside Clinic", "admin@lakeside.example").await;
    let ticket = start(app, &code).await;
    register(app, provider, &ticket, "maria@example.org").await;
    let sign_in = || async {
        Api::expect(
            public(app)
                .post(
                    "/public/patient-sessions",
                    &json!({ "name": "MARIA@example.org", "password": PASSPHRASE }),
                )
                .await,
            StatusCode::CREATED,
        )
        .await["session_token"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let token = sign_in().await;
    assert_eq!(me(app, &token).await["terms_due"], json!([]));

    // An admin publishes (API tokens may not: tests/it/terms.rs).
    let published = crate::terms::publish_as_admin(
        app,
        "admin@lakeside.example",
        "New terms.\n\nPlease read them again.",
    )
    .await;
    assert_eq!(published.status(), StatusCode::CREATED);
    let published: Value = published.json().await.unwrap();
    assert_eq!(published["version"], 2);

    let token = sign_in().await;
    let due = me(app, &token).await["terms_due"].clone();
    assert_eq!(due.as_array().unwrap().len(), 1, "{due}");
    assert_eq!(due[0]["version"], 2);
    assert!(due[0]["body"].as_str().unwrap().starts_with("New terms."));
    // Accepting an older version is refused; the current one clears it.
    let me_api = patient(app, &token);
    let practice_id = due[0]["practice_id"].clone();
    Api::expect(
        me_api
            .post(
                "/patient/terms",
                &json!({ "practice_id": practice_id, "version": 1 }),
            )
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(
        me_api
            .post(
                "/patient/terms",
                &json!({ "practice_id": practice_id, "version": 2 })
            )
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(me(app, &token).await["terms_due"], json!([]));
    assert_eq!(app.count_rows("terms_acceptances").await, 2);
}

async fn passwords_follow_the_2025_nist_rules_and_say_why(app: &TestApp, provider: &MockServer) {
    accept_all(provider).await;
    let (_, code) = practice(app, "Lakeside Clinic", "admin@lakeside.example").await;
    let ticket = start(app, &code).await;
    let api = public(app);
    let try_password = |password: &'static str| {
        let body = details(&ticket, "maria@example.org", password);
        let api = public(app);
        async move { api.post("/public/registrations/details", &body).await }
    };
    let password_error = |body: &Value| {
        body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["field"] == "password")
            .map(|e| e["message"].as_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    // 14 characters: too short, and the answer counts them.
    let short = Api::expect(
        try_password("tulip harbor x").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        password_error(&short).contains("at least 15 characters (this one has 14)"),
        "{short}"
    );
    // 15 characters but on the list of common passwords.
    let common = Api::expect(
        try_password("migrationschool").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        password_error(&common).contains("common or leaked"),
        "{common}"
    );
    // Built from the patient's own name.
    let personal = Api::expect(
        try_password("maria lopez 1980 ok").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        password_error(&personal).contains("your name"),
        "{personal}"
    );
    // Only the password was wrong: the other fields were accepted.
    assert_eq!(common["errors"].as_array().unwrap().len(), 1);
    // A 15-character passphrase is accepted: no composition rules.
    let ok = Api::expect(try_password("violet ferry sg").await, StatusCode::OK).await;
    assert_eq!(ok["next"], "phone");
    // The meter agrees with the rules, and counts characters after NFKC normalisation.
    let check = Api::expect(
        api.post("/public/password-check", &json!({ "password": "ﬀﬀﬀﬀﬀﬀﬀ" }))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        check["length"], 14,
        "each ligature ﬀ is two letters after NFKC"
    );
    assert_eq!(check["acceptable"], false);
    let check = Api::expect(
        api.post(
            "/public/password-check",
            &json!({ "password": "violet ferry sg" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(check["acceptable"], true);
    assert!(check["score"].as_u64().unwrap() >= 3);
    // The suggested passphrase meets the rules.
    let suggestion = Api::expect(api.get("/public/passphrase").await, StatusCode::OK).await;
    let words = suggestion["passphrase"].as_str().unwrap();
    assert_eq!(words.split(' ').count(), 4);
    let check = Api::expect(
        api.post("/public/password-check", &json!({ "password": words }))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(check["acceptable"], true);
}

async fn sign_up_codes_enrol_into_the_program_under_its_policy(
    app: &TestApp,
    provider: &MockServer,
) {
    accept_all(provider).await;
    let (staff, _) = practice(app, "Lakeside Clinic", "admin@lakeside.example").await;
    for (name, code, policy) in [
        ("Diabetes care", "Sugar2026", "approval"),
        ("Heart health", "Heart2026", "notify"),
        ("Wellness", "Well2026", "silent"),
    ] {
        Api::expect(
            staff
                .post(
                    "/programs",
                    &json!({ "name": name, "signup_code": code, "policy": policy, "messaging_allowed": true }),
                )
                .await,
            StatusCode::CREATED,
        )
        .await;
    }
    // Approval: the card waits until staff approve.
    let ticket = start(app, "sugar2026").await;
    let done = register(app, provider, &ticket, "ana@example.org").await;
    let ana = done["session_token"].as_str().unwrap().to_owned();
    let card = me(app, &ana).await["cards"][0].clone();
    assert_eq!(card["program_name"], "Diabetes care");
    assert_eq!(card["status"], "pending");
    let pending = Api::expect(staff.get("/patient-links/pending").await, StatusCode::OK).await;
    assert_eq!(pending.as_array().unwrap().len(), 1);
    assert_eq!(pending[0]["first_name"], "Maria");
    let link = pending[0]["id"].as_str().unwrap();
    assert_eq!(
        staff
            .post(&format!("/patient-links/{link}/approve"), &json!({}))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(me(app, &ana).await["cards"][0]["status"], "active");
    assert_eq!(
        Api::expect(staff.get("/patient-links/pending").await, StatusCode::OK).await,
        json!([])
    );

    // Notify: staff get a notification; silent: nothing.
    // Later sign-ups come later (the test clock stands still otherwise): newest first below.
    app.advance(Duration::from_secs(60));
    let ticket = start(app, "HEART 2026").await;
    let done = register(app, provider, &ticket, "ben@example.org").await;
    let ben = done["session_token"].as_str().unwrap().to_owned();
    assert_eq!(me(app, &ben).await["cards"][0]["status"], "active");
    let ticket = start(app, "Well2026").await;
    register(app, provider, &ticket, "cy@example.org").await;
    let notes = Api::expect(staff.get("/notifications").await, StatusCode::OK).await;
    let kinds: Vec<(&str, &str)> = notes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["kind"].as_str().unwrap(),
                n["program_name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("patient.signed_up", "Heart health"),
            ("patient.awaits_approval", "Diabetes care")
        ]
    );

    // Another practice sees none of it and cannot approve this practice's links.
    let (other, _) = practice(app, "Hilltop Clinic", "admin@hilltop.example").await;
    assert_eq!(
        Api::expect(other.get("/notifications").await, StatusCode::OK).await,
        json!([])
    );
    assert_eq!(
        other
            .post(&format!("/patient-links/{link}/approve"), &json!({}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // On the staff pages: a second approval sign-up is listed, and declining it ends the link,
    // so that patient sees no card (and, with no link left, cannot sign in).
    app.advance(Duration::from_secs(60));
    let ticket = start(app, "Sugar2026").await;
    let done = register(app, provider, &ticket, "dee@example.org").await;
    let dee = done["session_token"].as_str().unwrap().to_owned();
    let (desk, _) = app
        .sign_in("admin@lakeside.example", "quiet meadow lantern river")
        .await;
    let page = desk.get("/staff/sign-ups").await.text().await.unwrap();
    assert!(
        page.contains("Waiting for approval") && page.contains("Maria Lopez"),
        "{page}"
    );
    assert!(
        page.contains("Signed up: Maria Lopez (Heart health)"),
        "{page}"
    );
    let pending = Api::expect(staff.get("/patient-links/pending").await, StatusCode::OK).await;
    let dee_link = pending[0]["id"].as_str().unwrap();
    let csrf = crate::common::csrf_token(&page);
    let res = desk
        .post_form(
            &format!("/staff/sign-ups/{dee_link}/decline"),
            &[("csrf_token", csrf.as_str())],
        )
        .await;
    assert!(
        res.status().is_redirection() || res.status().is_success(),
        "{}",
        res.status()
    );
    assert_eq!(me(app, &dee).await["cards"], json!([]));
    let page = desk.get("/staff/sign-ups").await.text().await.unwrap();
    assert!(
        page.contains("No sign-up is waiting for approval."),
        "{page}"
    );
    assert_eq!(
        public(app)
            .post(
                "/public/patient-sessions",
                &json!({ "name": "dee@example.org", "password": PASSPHRASE }),
            )
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn a_signed_in_patient_links_another_provider_with_its_code(
    app: &TestApp,
    provider: &MockServer,
) {
    accept_all(provider).await;
    let (_, lakeside) = practice(app, "Lakeside Clinic", "admin@lakeside.example").await;
    let (hilltop_staff, _) = practice(app, "Hilltop Clinic", "admin@hilltop.example").await;
    let dr = Api::expect(
        hilltop_staff
            .post("/providers", &json!({ "display_name": "Dr. Rivera" }))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let codes = Api::expect(hilltop_staff.get("/provider-codes").await, StatusCode::OK).await;
    let rivera_code = codes
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["provider_id"] == dr["id"])
        .expect("the new provider has a code")["code"]
        .as_str()
        .unwrap()
        .to_owned();

    let ticket = start(app, &lakeside).await;
    let done = register(app, provider, &ticket, "maria@example.org").await;
    let me_api = patient(app, done["session_token"].as_str().unwrap());
    let wrong = Api::expect(
        me_api
            .post("/patient/provider-codes", &json!({ "code": "ZZZ999" }))
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(
        wrong["detail"],
        "Please check the 6-character code you received from your doctor's office."
    );
    let card = Api::expect(
        me_api
            .post(
                "/patient/provider-codes",
                &json!({ "code": rivera_code.to_lowercase() }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(card["practice_name"], "Hilltop Clinic");
    assert_eq!(card["provider_name"], "Dr. Rivera");
    // Entering it again changes nothing.
    Api::expect(
        me_api
            .post("/patient/provider-codes", &json!({ "code": rivera_code }))
            .await,
        StatusCode::OK,
    )
    .await;
    let cards = me(app, done["session_token"].as_str().unwrap()).await["cards"].clone();
    let names: Vec<&str> = cards
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["practice_name"].as_str().unwrap())
        .collect();
    let mut names = names;
    names.sort_unstable();
    assert_eq!(names, ["Hilltop Clinic", "Lakeside Clinic"]);
    // The new practice's terms are due before its card is used.
    let due = me(app, done["session_token"].as_str().unwrap()).await["terms_due"].clone();
    assert_eq!(due[0]["practice_name"], "Hilltop Clinic");
}

async fn forgot_password_answers_alike_for_known_and_unknown_accounts(
    app: &TestApp,
    provider: &MockServer,
) {
    accept_all(provider).await;
    let (_, code) = practice(app, "Lakeside Clinic", "admin@lakeside.example").await;
    let ticket = start(app, &code).await;
    let done = register(app, provider, &ticket, "maria@example.org").await;
    let old_session = done["session_token"].as_str().unwrap().to_owned();
    let api = public(app);
    let texts_before = forms_at(provider, MESSAGES).await.len();

    let ask = |name: &'static str| {
        let api = public(app);
        async move {
            api.post(
                "/public/password-recovery",
                &json!({ "name": name, "channel": "sms" }),
            )
            .await
        }
    };
    let known = ask("maria@example.org").await;
    let unknown = ask("nobody@example.org").await;
    assert_eq!(known.status(), StatusCode::ACCEPTED);
    assert_eq!(unknown.status(), unknown.status());
    let known: Value = known.json().await.unwrap();
    let unknown: Value = unknown.json().await.unwrap();
    assert_eq!(known["message"], unknown["message"]);
    assert_eq!(
        known.as_object().unwrap().keys().collect::<Vec<_>>(),
        unknown.as_object().unwrap().keys().collect::<Vec<_>>()
    );
    assert_eq!(
        known["recovery_token"].as_str().unwrap().len(),
        unknown["recovery_token"].as_str().unwrap().len()
    );
    // Wrong codes get the same answer for both.
    let finish = |token: &Value, code: &str, password: &str| {
        let body = json!({ "recovery_token": token, "code": code, "password": password });
        let api = public(app);
        async move { api.post("/public/password-recovery/finish", &body).await }
    };
    let a = Api::expect(
        finish(
            &known["recovery_token"],
            "000000",
            "brass otter quilt sunrise",
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let b = Api::expect(
        finish(
            &unknown["recovery_token"],
            "000000",
            "brass otter quilt sunrise",
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(a["errors"], b["errors"]);

    // Only the real account was sent a code; it resets the password and ends every session.
    let reset_code = code_sent_by_sms(app, provider).await;
    assert_eq!(forms_at(provider, MESSAGES).await.len(), texts_before + 1);
    let weak = Api::expect(
        finish(&known["recovery_token"], &reset_code, "short").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(weak["errors"][0]["field"], "password");
    assert_eq!(
        finish(
            &known["recovery_token"],
            &reset_code,
            "brass otter quilt sunrise"
        )
        .await
        .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        patient(app, &old_session).get("/patient").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let sign_in = |password: &'static str| {
        let api = public(app);
        async move {
            api.post(
                "/public/patient-sessions",
                &json!({ "name": "maria@example.org", "password": password }),
            )
            .await
            .status()
        }
    };
    assert_eq!(sign_in(PASSPHRASE).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        sign_in("brass otter quilt sunrise").await,
        StatusCode::CREATED
    );
    // The code was used once.
    assert_eq!(
        finish(
            &known["recovery_token"],
            &reset_code,
            "another fine passphrase"
        )
        .await
        .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    drop(api);
}

async fn sessions_time_out_and_sign_out_everywhere_ends_them_all(
    app: &TestApp,
    provider: &MockServer,
) {
    accept_all(provider).await;
    let (_, code) = practice(app, "Lakeside Clinic", "admin@lakeside.example").await;
    let ticket = start(app, &code).await;
    register(app, provider, &ticket, "maria@example.org").await;
    let sign_in = || async {
        Api::expect(
            public(app)
                .post(
                    "/public/patient-sessions",
                    &json!({ "name": "maria@example.org", "password": PASSPHRASE }),
                )
                .await,
            StatusCode::CREATED,
        )
        .await["session_token"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    // A wrong password and an unknown account get the same answer.
    let wrong = public(app)
        .post(
            "/public/patient-sessions",
            &json!({ "name": "maria@example.org", "password": "not the right one at all" }),
        )
        .await;
    let unknown = public(app)
        .post(
            "/public/patient-sessions",
            &json!({ "name": "nobody@example.org", "password": "not the right one at all" }),
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let (wrong, unknown): (Value, Value) =
        (wrong.json().await.unwrap(), unknown.json().await.unwrap());
    assert_eq!(wrong["detail"], unknown["detail"]);

    // Idle time-out (30 minutes by default).
    let idle = sign_in().await;
    app.advance(Duration::from_secs(31 * 60));
    assert_eq!(
        patient(app, &idle).get("/patient").await.status(),
        StatusCode::UNAUTHORIZED
    );

    // Sign out everywhere ends the other device's session too.
    let phone = sign_in().await;
    let laptop = sign_in().await;
    let ended = Api::expect(
        patient(app, &laptop)
            .post("/patient/sign-out-everywhere", &json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    // Three: registration signed the patient in too.
    assert_eq!(ended["sessions_ended"], 3);
    assert_eq!(
        patient(app, &phone).get("/patient").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        patient(app, &laptop).get("/patient").await.status(),
        StatusCode::UNAUTHORIZED
    );

    // The page sign-in sets the session cookie HttpOnly and SameSite (Secure comes with the
    // `security.secure_cookies` setting; see `the_session_cookie_is_secure_behind_tls` below).
    let browser = app.browser();
    let csrf = browser.csrf_for("/portal/sign-in").await;
    let res = browser
        .post_form(
            "/portal/sign-in",
            &[
                ("csrf_token", &csrf),
                ("name", "maria@example.org"),
                ("password", PASSPHRASE),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("portico_patient="))
        .expect("a patient session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain HTTP in tests: {cookie}");
}

async fn a_patient_without_email_registers_and_signs_in_with_a_username(
    app: &TestApp,
    provider: &MockServer,
) {
    accept_all(provider).await;
    let (_, code) = practice(app, "Lakeside Clinic", "admin@lakeside.example").await;
    let ticket = start(app, &code).await;
    let api = public(app);
    let mut body = details(&ticket, "", PASSPHRASE);
    body["no_email"] = json!(true);
    let view = Api::expect(
        api.post("/public/registrations/details", &body).await,
        StatusCode::OK,
    )
    .await;
    let username = view["username"].as_str().unwrap().to_owned();
    assert!(username.contains('-'), "{username}");
    verify_phone(app, provider, &ticket).await;
    let status = Api::expect(
        api.post("/public/registrations/status", &json!({ "ticket": ticket }))
            .await,
        StatusCode::OK,
    )
    .await;
    api.post(
        "/public/registrations/terms",
        &json!({ "ticket": ticket, "version": status["terms"]["version"] }),
    )
    .await;
    let done = Api::expect(
        api.post(
            "/public/registrations/complete",
            &json!({ "ticket": ticket }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(done["username"], username.as_str());
    let signed_in = api
        .post(
            "/public/patient-sessions",
            &json!({ "name": username.to_uppercase(), "password": PASSPHRASE }),
        )
        .await;
    assert_eq!(signed_in.status(), StatusCode::CREATED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_the_session_cookie_is_secure_behind_tls() {
    the_session_cookie_is_secure_behind_tls(crate::common::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_the_session_cookie_is_secure_behind_tls() {
    the_session_cookie_is_secure_behind_tls(crate::common::Backend::Postgres).await;
}

/// With `security.secure_cookies` on (the service behind TLS), the session cookie that the last
/// registration page sets is `Secure`, `HttpOnly` and `SameSite`. The client sends its cookies by
/// hand, as a TLS-terminating proxy in front of the service would pass them on.
async fn the_session_cookie_is_secure_behind_tls(backend: crate::common::Backend) {
    let provider = MockServer::start().await;
    accept_all(&provider).await;
    let base = provider.uri();
    let Some(app) = TestApp::spawn_with(
        backend,
        &[
            ("PORTICO_SECURE_COOKIES", "true"),
            ("PORTICO_SMS_TRANSPORT", "http"),
            ("PORTICO_SMS_BASE_URL", &base),
            ("PORTICO_SMS_ACCOUNT_SID", "AC0123456789abcdef"),
            ("PORTICO_SMS_AUTH_TOKEN", "provider-auth-token"),
            ("PORTICO_SMS_FROM", "+15005550006"),
        ],
    )
    .await
    else {
        return;
    };
    let (_, code) = practice(&app, "Lakeside Clinic", "admin@lakeside.example").await;
    let ticket = start(&app, &code).await;
    Api::expect(
        public(&app)
            .post(
                "/public/registrations/details",
                &details(&ticket, "maria@example.org", PASSPHRASE),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    verify_phone(&app, &provider, &ticket).await;

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = client
        .get(format!("{}/register", app.url))
        .send()
        .await
        .unwrap();
    let anon = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("__Host-portico_csrf="))
        .expect("an anonymous CSRF cookie");
    assert!(
        anon.contains("Secure") && anon.contains("HttpOnly"),
        "{anon}"
    );
    let anon_value = anon.split(';').next().unwrap().to_owned();
    let csrf = crate::common::csrf_token(&page.text().await.unwrap());
    let res = client
        .post(format!("{}/register/terms", app.url))
        .header(
            "cookie",
            format!("{anon_value}; __Host-portico_registration={ticket}"),
        )
        .form(&[("csrf_token", csrf.as_str()), ("version", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/portal?welcome=1");
    let session = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("__Host-portico_patient="))
        .expect("a patient session cookie");
    for attribute in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(
            session.contains(attribute),
            "{attribute} missing: {session}"
        );
    }
    app.stop().await;
}

async fn the_invitation_link_opens_the_invited_path_and_a_typed_form_survives_errors(
    app: &TestApp,
    provider: &MockServer,
) {
    accept_all(provider).await;
    let (staff, _) = practice(app, "Lakeside Clinic", "admin@lakeside.example").await;
    let invitation = Api::expect(
        staff
            .post(
                "/invitations",
                &json!({
                    "first_name": "Maria", "last_name": "Lopez", "birth_date": BIRTH,
                    "email": "maria.lopez@example.org", "phone": PHONE, "channels": ["email"],
                }),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    let link = invitation["link"].as_str().unwrap();
    let browser = app.browser();
    let page = browser.get_url(link).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Your invitation code was filled in from your link."));
    assert!(
        !html.contains("I will register myself"),
        "the link opens the invited path only"
    );
    let token = link.rsplit('/').next().unwrap();
    let csrf = crate::common::csrf_token(&html);
    // A wrong birth date: the generic answer, on the same page, with the link kept.
    let wrong = browser
        .post_form(
            "/register/invited",
            &[
                ("csrf_token", &csrf),
                ("link_token", token),
                ("birth_date", "1990-01-01"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    let html = wrong.text().await.unwrap();
    assert!(html.contains("We could not accept this code with this date of birth"));
    assert!(html.contains(token), "the link token is kept in the form");
    let res = browser
        .post_form(
            "/register/invited",
            &[
                ("csrf_token", &csrf),
                ("link_token", token),
                ("birth_date", BIRTH),
            ],
        )
        .await;
    assert_eq!(crate::common::location(&res), "/register/details");
    let html = browser.get("/register/details").await.text().await.unwrap();
    assert!(
        html.contains("value=\"Maria\""),
        "pre-filled from the invitation"
    );
    assert!(html.contains("autocomplete=\"new-password\""));

    // Field errors come back next to their fields with everything typed, except the password.
    let res = browser
        .post_form(
            "/register/details",
            &[
                ("csrf_token", &csrf),
                ("first_name", "Maria"),
                ("last_name", "Lopez"),
                ("birth_date", BIRTH),
                ("email", "not an address"),
                ("phone", "(415) 555-0123"),
                ("password", "short secret"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"email-error\""), "{html}");
    assert!(html.contains("id=\"password-error\""));
    assert!(html.contains("value=\"not an address\""));
    assert!(html.contains("value=\"(415) 555-0123\""));
    assert!(
        !html.contains("short secret"),
        "the password is never sent back"
    );
    assert_eq!(
        app.count_rows("registrations").await,
        0,
        "nothing half-saved"
    );
}
