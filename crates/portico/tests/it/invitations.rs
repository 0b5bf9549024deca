//! Invitations through the JSON API, as an integrator and a patient meet them: the life of an
//! invitation, locking, expiry, revocation, the same answer for every bad code, tenant isolation,
//! throttling, and exactly one ticket when two redemptions race.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{Api, Backend, TestApp, on_both};

on_both!(
    an_invitation_lives_from_creation_to_redemption,
    five_wrong_birth_dates_lock_the_invitation_until_it_is_resent,
    an_invitation_expires_after_fourteen_days_and_a_resend_revives_it,
    a_revoked_invitation_can_be_neither_redeemed_nor_resent,
    anonymous_answers_for_expired_revoked_unknown_and_locked_codes_are_identical,
    the_link_token_redeems_once_the_birth_date_is_entered,
    the_database_never_holds_a_plain_code_or_token,
    one_practices_token_gets_404_for_another_practices_invitations,
    invitation_validation_lists_every_bad_field,
    household_caregiver_and_no_email_invitations_are_made_in_one_step,
    the_list_filters_by_state_and_name_and_pages_with_a_cursor,
    wrong_codes_are_throttled_per_address_with_retry_after,
    concurrent_redemptions_each_open_a_registration,
    the_practice_sets_how_long_its_invitations_last,
);

const BIRTH: &str = "1980-02-03";

fn patient(first: &str, last: &str) -> Value {
    json!({
        "first_name": first, "last_name": last, "birth_date": BIRTH,
        "email": format!("{}.{}@example.org", first.to_lowercase(), last.to_lowercase()),
        "phone": "+14155550123", "channels": ["email", "sms"],
        "contact_time": "weekday mornings", "notes": "prefers Spanish",
    })
}

async fn invite(api: &Api, first: &str, last: &str) -> Value {
    Api::expect(
        api.post("/invitations", &patient(first, last)).await,
        StatusCode::CREATED,
    )
    .await
}

async fn redeem(app: &TestApp, code: &str, birth_date: &str) -> reqwest::Response {
    app.anonymous_api()
        .post(
            "/public/invitations/redeem",
            &json!({ "code": code, "birth_date": birth_date }),
        )
        .await
}

fn states(invitation: &Value) -> Vec<String> {
    invitation["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["state"].as_str().unwrap().to_owned())
        .collect()
}

async fn an_invitation_lives_from_creation_to_redemption(app: &TestApp) {
    let api = app
        .integrator("Lakeside Clinic", "admin@lakeside.example")
        .await;
    let created = invite(&api, "Maria", "Lopez").await;
    let code = created["code"].as_str().unwrap();
    assert!(
        is_invite_code_shape(code),
        "code shown as XYZ-234-ABC: {code}"
    );
    assert!(
        created["link"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}/i/", app.url))
    );
    assert_eq!(
        created["state"], "draft",
        "waiting for delivery by its channels"
    );
    assert_eq!(
        created["expires_at"], "2026-12-02T11:06:40Z",
        "14 days after creation (test clock)"
    );

    let id = created["id"].as_str().unwrap();
    let read = Api::expect(api.get(&format!("/invitations/{id}")).await, StatusCode::OK).await;
    assert_eq!(read["state"], "draft");
    assert_eq!(read["first_name"], "Maria");
    assert_eq!(read["channels"], json!(["email", "sms"]));
    assert!(
        read["history"][0]["actor"]
            .as_str()
            .unwrap()
            .starts_with("api_token:")
    );
    assert!(read.get("code").is_none(), "the code is never shown again");

    // The patient types it any which way, with the right birth date.
    let typed = code.to_lowercase().replace('-', " ");
    let redeemed = Api::expect(redeem(app, &typed, BIRTH).await, StatusCode::OK).await;
    assert_eq!(redeemed["ticket"].as_str().unwrap().len(), 43);
    assert_eq!(redeemed["prefill"]["first_name"], "Maria");
    assert_eq!(redeemed["prefill"]["last_name"], "Lopez");
    assert_eq!(redeemed["prefill"]["email"], "maria.lopez@example.org");
    assert_eq!(redeemed["prefill"]["practice_name"], "Lakeside Clinic");

    // Checking the code opens a registration; the invitation is redeemed only when the account
    // exists (see `registration.rs`), so a patient who stops half-way can come back with it.
    let read = Api::expect(api.get(&format!("/invitations/{id}")).await, StatusCode::OK).await;
    assert_eq!(read["state"], "draft");
    assert_eq!(
        redeem(app, &typed, BIRTH).await.status(),
        StatusCode::OK,
        "the same code opens a registration again until an account exists"
    );
}

fn is_invite_code_shape(code: &str) -> bool {
    let parts: Vec<&str> = code.split('-').collect();
    parts.len() == 3
        && parts[0].chars().all(|c| c.is_ascii_uppercase())
        && parts[1].chars().all(|c| c.is_ascii_digit())
        && parts[2].chars().all(|c| c.is_ascii_uppercase())
        && parts.iter().all(|p| p.len() == 3)
}

async fn five_wrong_birth_dates_lock_the_invitation_until_it_is_resent(app: &TestApp) {
    let api = app
        .integrator("Lakeside Clinic", "admin@lakeside.example")
        .await;
    let created = invite(&api, "Ana", "Silva").await;
    let (id, code) = (
        created["id"].as_str().unwrap(),
        created["code"].as_str().unwrap(),
    );
    for attempt in 1..=4 {
        assert_eq!(
            redeem(app, code, "1980-02-04").await.status(),
            StatusCode::BAD_REQUEST,
            "attempt {attempt}"
        );
    }
    let read = Api::expect(api.get(&format!("/invitations/{id}")).await, StatusCode::OK).await;
    assert_eq!(
        (read["state"].as_str(), read["failed_attempts"].as_i64()),
        (Some("draft"), Some(4))
    );

    assert_eq!(
        redeem(app, code, "1979-02-03").await.status(),
        StatusCode::BAD_REQUEST
    );
    let read = Api::expect(api.get(&format!("/invitations/{id}")).await, StatusCode::OK).await;
    assert_eq!(
        read["state"], "locked",
        "the fifth wrong birth date locks it"
    );
    assert_eq!(states(&read), ["draft", "locked"]);
    assert_eq!(
        redeem(app, code, BIRTH).await.status(),
        StatusCode::BAD_REQUEST,
        "even the right date now"
    );

    let resent = Api::expect(
        api.post(&format!("/invitations/{id}/resend"), &json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    let new_code = resent["code"].as_str().unwrap();
    assert_ne!(new_code, code);
    assert_eq!(resent["id"], created["id"]);
    assert_eq!(
        redeem(app, code, BIRTH).await.status(),
        StatusCode::BAD_REQUEST,
        "the old code is dead"
    );
    assert_eq!(
        redeem(app, new_code, BIRTH).await.status(),
        StatusCode::OK,
        "the new one works"
    );
    let read = Api::expect(api.get(&format!("/invitations/{id}")).await, StatusCode::OK).await;
    assert_eq!(states(&read), ["draft", "locked", "draft"]);
    assert_eq!(read["failed_attempts"], 0, "a re-send resets the count");
}

async fn an_invitation_expires_after_fourteen_days_and_a_resend_revives_it(app: &TestApp) {
    let api = app
        .integrator("Lakeside Clinic", "admin@lakeside.example")
        .await;
    let created = invite(&api, "Lee", "Park").await;
    let (id, code) = (
        created["id"].as_str().unwrap(),
        created["code"].as_str().unwrap(),
    );
    app.advance(Duration::from_secs(14 * 86_400 - 1));
    let read = Api::expect(api.get(&format!("/invitations/{id}")).await, StatusCode::OK).await;
    assert_eq!(read["state"], "draft", "still open one second before");
    app.advance(Duration::from_secs(1));
    let read = Api::expect(api.get(&format!("/invitations/{id}")).await, StatusCode::OK).await;
    assert_eq!(read["state"], "expired");
    assert_eq!(states(&read), ["draft", "expired"]);
    assert_eq!(read["history"][1]["actor"], "system");
    assert_eq!(
        redeem(app, code, BIRTH).await.status(),
        StatusCode::BAD_REQUEST
    );
    let listed = Api::expect(api.get("/invitations?state=expired").await, StatusCode::OK).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);

    let resent = Api::expect(
        api.post(&format!("/invitations/{id}/resend"), &json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        resent["expires_at"], "2026-12-16T11:06:40Z",
        "a fresh 14 days"
    );
    assert_eq!(
        redeem(app, resent["code"].as_str().unwrap(), BIRTH)
            .await
            .status(),
        StatusCode::OK
    );
}

async fn a_revoked_invitation_can_be_neither_redeemed_nor_resent(app: &TestApp) {
    let api = app
        .integrator("Lakeside Clinic", "admin@lakeside.example")
        .await;
    let created = invite(&api, "Sam", "Okafor").await;
    let (id, code) = (
        created["id"].as_str().unwrap(),
        created["code"].as_str().unwrap(),
    );
    let revoked = Api::expect(
        api.post(&format!("/invitations/{id}/revoke"), &json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(revoked["state"], "revoked");
    assert_eq!(states(&revoked), ["draft", "revoked"]);
    assert_eq!(
        redeem(app, code, BIRTH).await.status(),
        StatusCode::BAD_REQUEST
    );
    Api::expect(
        api.post(&format!("/invitations/{id}/resend"), &json!({}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    Api::expect(
        api.post(&format!("/invitations/{id}/revoke"), &json!({}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
}

async fn anonymous_answers_for_expired_revoked_unknown_and_locked_codes_are_identical(
    app: &TestApp,
) {
    let api = app
        .integrator("Lakeside Clinic", "admin@lakeside.example")
        .await;
    let expired = invite(&api, "Eve", "Expired").await;
    let revoked = invite(&api, "Rob", "Revoked").await;
    let locked = invite(&api, "Lou", "Locked").await;
    api.post(
        &format!("/invitations/{}/revoke", revoked["id"].as_str().unwrap()),
        &json!({}),
    )
    .await;
    for _ in 0..5 {
        redeem(app, locked["code"].as_str().unwrap(), "2001-01-01").await;
    }
    app.advance(Duration::from_secs(15 * 86_400));
    // `expired` was made first, so only it... all are past 14 days now; revive the others' relevance:
    // each case is a different reason the code cannot be used.
    let cases = [
        ("expired", expired["code"].as_str().unwrap().to_owned()),
        ("revoked", revoked["code"].as_str().unwrap().to_owned()),
        ("locked", locked["code"].as_str().unwrap().to_owned()),
        ("unknown", "XYZ-234-ABC".to_owned()),
        ("malformed", "not a code".to_owned()),
        (
            "right code, wrong birth date",
            invite(&api, "Wes", "Wrong").await["code"]
                .as_str()
                .unwrap()
                .to_owned(),
        ),
    ];
    let mut answers = Vec::new();
    for (case, code) in &cases {
        let res = redeem(app, code, "1990-05-06").await;
        let status = res.status();
        let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
        let request_id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
        let body = res.text().await.unwrap().replace(&request_id, "REQUEST-ID");
        answers.push((case, status, content_type, body));
    }
    let (_, status, content_type, body) = &answers[0];
    assert_eq!(*status, StatusCode::BAD_REQUEST);
    assert_eq!(content_type, "application/problem+json");
    assert!(body.contains("Check both"), "{body}");
    for (case, s, ct, b) in &answers[1..] {
        assert_eq!(
            (s, ct, b),
            (status, content_type, body),
            "{case} answers like the others"
        );
    }
}

async fn the_link_token_redeems_once_the_birth_date_is_entered(app: &TestApp) {
    let api = app
        .integrator("Lakeside Clinic", "admin@lakeside.example")
        .await;
    let created = invite(&api, "Ivy", "Link").await;
    let token = created["link"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let anon = app.anonymous_api();
    let wrong = anon
        .post(
            "/public/invitations/redeem",
            &json!({ "link_token": token, "birth_date": "1980-03-02" }),
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    let right = anon
        .post(
            "/public/invitations/redeem",
            &json!({ "link_token": token, "birth_date": BIRTH }),
        )
        .await;
    let body = Api::expect(right, StatusCode::OK).await;
    assert_eq!(body["prefill"]["first_name"], "Ivy");
    // A birth date that is not a date is a plain form error, not a code answer.
    let bad = anon
        .post(
            "/public/invitations/redeem",
            &json!({ "code": "XYZ-234-ABC", "birth_date": "03/02/1980" }),
        )
        .await;
    let problem = Api::expect(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["field"], "birth_date");
}

async fn the_database_never_holds_a_plain_code_or_token(app: &TestApp) {
    let api = app
        .integrator("Lakeside Clinic", "admin@lakeside.example")
        .await;
    let first = invite(&api, "Dina", "Dump").await;
    let id = first["id"].as_str().unwrap();
    let resent = Api::expect(
        api.post(&format!("/invitations/{id}/resend"), &json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    let second = invite(&api, "Tom", "Ticket").await;
    let redeemed = Api::expect(
        redeem(app, second["code"].as_str().unwrap(), BIRTH).await,
        StatusCode::OK,
    )
    .await;
    let codes = Api::expect(api.get("/provider-codes").await, StatusCode::OK).await;
    let practice_code = codes[0]["code"].as_str().unwrap().to_owned();

    let dump = app.dump_all_text().await;
    let mut secrets = vec![
        api.token.clone(),
        redeemed["ticket"].as_str().unwrap().to_owned(),
        practice_code,
    ];
    for issued in [&first, &resent, &second] {
        let code = issued["code"].as_str().unwrap();
        secrets.push(code.to_owned());
        secrets.push(code.replace('-', ""));
        secrets.push(code.replace('-', "").to_lowercase());
        secrets.push(
            issued["link"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_owned(),
        );
    }
    for secret in secrets {
        assert!(
            !dump.contains(&secret),
            "the database holds {secret:?} in plain text"
        );
    }
    assert!(dump.contains("Dina"), "the dump did read the tables");
}

async fn one_practices_token_gets_404_for_another_practices_invitations(app: &TestApp) {
    let a = app.integrator("Practice A", "admin@a.example").await;
    let b = app.integrator("Practice B", "admin@b.example").await;
    let theirs = invite(&b, "Bea", "Bee").await;
    let id = theirs["id"].as_str().unwrap();
    for res in [
        a.get(&format!("/invitations/{id}")).await,
        a.post(&format!("/invitations/{id}/resend"), &json!({}))
            .await,
        a.post(&format!("/invitations/{id}/revoke"), &json!({}))
            .await,
    ] {
        let problem = Api::expect(res, StatusCode::NOT_FOUND).await;
        assert_eq!(problem["status"], 404);
    }
    let listed = Api::expect(a.get("/invitations").await, StatusCode::OK).await;
    assert_eq!(listed["items"], json!([]));
    // B's invitation is untouched and still works.
    let read = Api::expect(b.get(&format!("/invitations/{id}")).await, StatusCode::OK).await;
    assert_eq!(states(&read), ["draft"]);
    assert_eq!(
        redeem(app, theirs["code"].as_str().unwrap(), BIRTH)
            .await
            .status(),
        StatusCode::OK
    );
    // A revoked token stops at once.
    let out = app.cli(
        &[
            "admin",
            "token",
            "revoke",
            "--practice",
            &a.practice_id,
            "--id",
            &token_id(app, &a).await,
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Api::expect(a.get("/invitations").await, StatusCode::UNAUTHORIZED).await;
}

/// The id of an API token, read from the audit trail (the CLI printed it on stderr only).
async fn token_id(app: &TestApp, api: &Api) -> String {
    let _ = api;
    let (browser, _) = app
        .sign_in("admin@a.example", "quiet meadow lantern river")
        .await;
    let page = browser.get("/staff/audit").await.text().await.unwrap();
    let at = page
        .find("api_token.created")
        .expect("token creation is audited");
    let after = &page[at..];
    let start = after.find("<code>").unwrap() + 6;
    after[start..start + 36].to_owned()
}

async fn invitation_validation_lists_every_bad_field(app: &TestApp) {
    let api = app
        .integrator("Lakeside Clinic", "admin@lakeside.example")
        .await;
    let body = json!({
        "first_name": "", "last_name": "Lopez<script>", "birth_date": "2030-01-01",
        "email": "maria@", "channels": ["fax", "sms"], "consent_method": "telepathy",
        "provider_id": "00000000-0000-0000-0000-000000000000",
    });
    let problem = Api::expect(
        api.post("/invitations", &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in [
        "first_name",
        "last_name",
        "birth_date",
        "email",
        "channels",
        "phone",
        "consent_method",
        "provider_id",
    ] {
        assert!(fields.contains(&field), "{field} is reported: {fields:?}");
    }
    let listed = Api::expect(api.get("/invitations").await, StatusCode::OK).await;
    assert_eq!(listed["items"], json!([]), "nothing half-written");
    // A national number is read with the practice's country.
    let mut ok = patient("Nat", "Ional");
    ok["phone"] = json!("(415) 555-0123");
    let created = Api::expect(api.post("/invitations", &ok).await, StatusCode::CREATED).await;
    let read = Api::expect(
        api.get(&format!("/invitations/{}", created["id"].as_str().unwrap()))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(read["phone"], "+14155550123");
}

async fn household_caregiver_and_no_email_invitations_are_made_in_one_step(app: &TestApp) {
    let api = app
        .integrator("Lakeside Clinic", "admin@lakeside.example")
        .await;
    let mut body = json!({
        "first_name": "Joe", "last_name": "Moss", "birth_date": "1950-07-08", "phone": "+14155550124", "channels": ["sms"],
        "household": { "first_name": "Jan", "last_name": "Moss", "birth_date": "1952-01-02", "channels": [] },
        "caregiver": { "first_name": "Kim", "last_name": "Moss", "birth_date": "1980-03-04", "channels": ["email"] },
    });
    let problem = Api::expect(
        api.post("/invitations", &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"] == "caregiver.email"),
        "{problem}"
    );

    body["caregiver"]["email"] = json!("kim.moss@example.org");
    let created = Api::expect(api.post("/invitations", &body).await, StatusCode::CREATED).await;
    let username = created["username"]
        .as_str()
        .expect("no email: a username is reserved");
    assert_eq!(username.split('-').count(), 3, "readable: {username}");
    let related = created["related"].as_array().unwrap();
    assert_eq!(related.len(), 2);
    assert_eq!(
        (
            related[0]["relation"].as_str(),
            related[1]["relation"].as_str()
        ),
        (Some("household"), Some("caregiver"))
    );
    assert_eq!(
        related[0]["state"], "sent",
        "no channels: handed over in person"
    );
    assert!(
        related[0]["username"].is_string(),
        "the household member has no email either"
    );
    assert!(
        related[1].get("username").is_none(),
        "the caregiver signs in by email"
    );
    for r in related {
        let read = Api::expect(
            api.get(&format!("/invitations/{}", r["id"].as_str().unwrap()))
                .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(read["related_to"], created["id"]);
    }
    // Each code redeems with its own person's birth date.
    let hh = Api::expect(
        redeem(app, related[0]["code"].as_str().unwrap(), "1952-01-02").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(hh["prefill"]["relation"], "household");
    assert_eq!(hh["prefill"]["username"], related[0]["username"]);
}

async fn the_list_filters_by_state_and_name_and_pages_with_a_cursor(app: &TestApp) {
    let api = app
        .integrator("Lakeside Clinic", "admin@lakeside.example")
        .await;
    for (first, last) in [("Anna", "Smith"), ("Ben", "Smithers"), ("Cleo", "Jones")] {
        invite(&api, first, last).await;
        app.advance(Duration::from_secs(1));
    }
    let jones = Api::expect(api.get("/invitations?q=JON").await, StatusCode::OK).await;
    assert_eq!(jones["items"].as_array().unwrap().len(), 1);
    let smiths = Api::expect(api.get("/invitations?q=smith").await, StatusCode::OK).await;
    let names: Vec<&str> = smiths["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["last_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Smithers", "Smith"], "newest first");
    let wild = Api::expect(api.get("/invitations?q=%25").await, StatusCode::OK).await;
    assert_eq!(
        wild["items"],
        json!([]),
        "a % in the search is a literal character"
    );

    let page1 = Api::expect(api.get("/invitations?limit=2").await, StatusCode::OK).await;
    assert_eq!(page1["items"].as_array().unwrap().len(), 2);
    let cursor = page1["next_cursor"].as_str().expect("more to come");
    let page2 = Api::expect(
        api.get(&format!("/invitations?limit=2&cursor={cursor}"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(page2["items"].as_array().unwrap().len(), 1);
    assert_eq!(page2["items"][0]["first_name"], "Anna");
    assert!(page2["next_cursor"].is_null());

    let drafts = Api::expect(api.get("/invitations?state=draft").await, StatusCode::OK).await;
    assert_eq!(drafts["items"].as_array().unwrap().len(), 3);
    let problem = Api::expect(
        api.get("/invitations?state=pending&limit=0").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem["errors"].as_array().unwrap().len(), 2);
}

async fn wrong_codes_are_throttled_per_address_with_retry_after(app: &TestApp) {
    let api = app
        .integrator("Lakeside Clinic", "admin@lakeside.example")
        .await;
    let created = invite(&api, "Tia", "Throttle").await;
    for n in 0..20 {
        let code = format!("ABC-{}-XYZ", 234 + n % 5);
        assert_eq!(
            redeem(app, &code, BIRTH).await.status(),
            StatusCode::BAD_REQUEST
        );
    }
    let res = redeem(app, created["code"].as_str().unwrap(), BIRTH).await;
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even a good code waits"
    );
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["status"], 429);
    app.advance(Duration::from_secs(15 * 60));
    assert_eq!(
        redeem(app, created["code"].as_str().unwrap(), BIRTH)
            .await
            .status(),
        StatusCode::OK
    );
}

async fn concurrent_redemptions_each_open_a_registration(app: &TestApp) {
    // Two devices checking one code at once both get a ticket: only account creation is single
    // use (`registration.rs` shows that exactly one account results).
    let api = app
        .integrator("Lakeside Clinic", "admin@lakeside.example")
        .await;
    let rounds = if app.backend == Backend::Postgres {
        20
    } else {
        5
    };
    for round in 0..rounds {
        // One address may open ten registrations an hour (`limits.registrations_per_address`).
        if round > 0 && round % 5 == 0 {
            app.advance(std::time::Duration::from_secs(60 * 60));
        }
        let created = invite(&api, "Cora", "Current").await;
        let code = created["code"].as_str().unwrap();
        let (a, b) = tokio::join!(redeem(app, code, BIRTH), redeem(app, code, BIRTH));
        assert_eq!(
            [a.status(), b.status()],
            [StatusCode::OK, StatusCode::OK],
            "round {round}"
        );
    }
    let tickets = app.count_rows("registration_tickets").await;
    assert_eq!(tickets, rounds * 2, "two tickets per invitation");
}

async fn the_practice_sets_how_long_its_invitations_last(app: &TestApp) {
    let api = app
        .integrator("Lakeside Clinic", "admin@lakeside.example")
        .await;
    // Practice settings belong to a signed-in admin, not to an integration's token.
    let (admin, _) = app
        .sign_in("admin@lakeside.example", "quiet meadow lantern river")
        .await;
    let csrf = admin.csrf_for("/staff").await;
    let patch = |body: Value| {
        admin
            .api(reqwest::Method::PATCH, "/practice")
            .header("x-csrf-token", &csrf)
            .json(&body)
            .send()
    };
    let problem = Api::expect(
        patch(json!({ "invite_expiry_days": 0, "country": "Narnia" }))
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem["errors"].as_array().unwrap().len(), 2);
    let practice = Api::expect(
        patch(json!({ "invite_expiry_days": 7, "country": "ca" }))
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (
            practice["invite_expiry_days"].as_i64(),
            practice["country"].as_str()
        ),
        (Some(7), Some("CA"))
    );
    let kept = Api::expect(
        patch(json!({ "invite_expiry_days": 7 })).await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(kept["country"], "CA", "a setting left out keeps its value");
    let created = invite(&api, "Sev", "Endays").await;
    assert_eq!(
        created["expires_at"], "2026-11-25T11:06:40Z",
        "7 days after creation"
    );
    app.advance(Duration::from_secs(7 * 86_400));
    assert_eq!(
        redeem(app, created["code"].as_str().unwrap(), BIRTH)
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    // A query string that cannot be read is a problem document too.
    let bad = api.get("/invitations?limit=many").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert_eq!(bad.headers()["content-type"], "application/problem+json");
}
