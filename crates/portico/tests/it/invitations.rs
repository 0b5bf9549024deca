//! Invitations through the JSON API, as an integrator and a patient meet them: the life of an
//! invitation, locking, expiry, revocation, the same answer for every bad code, tenant isolation,
//! throttling, and exactly one ticket when two redemptions race.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::responses::{Invitation, InvitationPage, IssuedInvitation, Problem, Redeemed};
use crate::common::{
    Api, BIRTH_DATE as BIRTH, Backend, Invitee, PHONE, Practice, TestApp, on_both, retry_after,
};

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

/// A patient to invite by email and SMS, with the notes staff keep.
fn patient(first: &str, last: &str) -> Invitee {
    Invitee::new(first, last)
        .email(&format!(
            "{}.{}@example.org",
            first.to_lowercase(),
            last.to_lowercase()
        ))
        .phone(PHONE)
        .by(&["email", "sms"])
        .with("contact_time", "weekday mornings")
        .with("notes", "prefers Spanish")
}

async fn invite(api: &Practice<'_>, first: &str, last: &str) -> IssuedInvitation {
    api.invite(&patient(first, last)).await
}

async fn an_invitation_lives_from_creation_to_redemption(app: &TestApp) {
    let api = app.practice_with_admin("Lakeside Clinic").await;
    let created = invite(&api, "Maria", "Lopez").await;
    let code = created.code.as_str();
    assert!(
        crate::mailbox::is_invite_code(code),
        "code shown as XYZ-234-ABC: {code}"
    );
    assert!(created.link.starts_with(&format!("{}/i/", app.url)));
    assert_eq!(
        created.state, "draft",
        "waiting for delivery by its channels"
    );
    assert_eq!(
        created.expires_at, "2026-12-02T11:06:40Z",
        "14 days after creation (test clock)"
    );

    let id = created.id.as_str();
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
    let redeemed: Redeemed = Api::expect_as(app.redeem(&typed, BIRTH).await, StatusCode::OK).await;
    assert_eq!(redeemed.ticket.len(), 43);
    assert_eq!(redeemed.prefill.first_name, "Maria");
    assert_eq!(redeemed.prefill.last_name, "Lopez");
    assert_eq!(
        redeemed.prefill.email.as_deref(),
        Some("maria.lopez@example.org")
    );
    assert_eq!(redeemed.prefill.practice_name, "Lakeside Clinic");

    // Checking the code opens a registration; the invitation is redeemed only when the account
    // exists (see `registration/consent.rs`), so a patient who stops half-way can come back
    // with it.
    assert_eq!(api.invitation(id).await.state, "draft");
    assert_eq!(
        app.redeem(&typed, BIRTH).await.status(),
        StatusCode::OK,
        "the same code opens a registration again until an account exists"
    );
}

async fn five_wrong_birth_dates_lock_the_invitation_until_it_is_resent(app: &TestApp) {
    let api = app.practice_with_admin("Lakeside Clinic").await;
    let created = invite(&api, "Ana", "Silva").await;
    let (id, code) = (created.id.as_str(), created.code.as_str());
    for attempt in 1..=4 {
        assert_eq!(
            app.redeem(code, "1980-02-04").await.status(),
            StatusCode::BAD_REQUEST,
            "attempt {attempt}"
        );
    }
    let read = api.invitation(id).await;
    assert_eq!((read.state.as_str(), read.failed_attempts), ("draft", 4));

    assert_eq!(
        app.redeem(code, "1979-02-03").await.status(),
        StatusCode::BAD_REQUEST
    );
    let read = api.invitation(id).await;
    assert_eq!(read.state, "locked", "the fifth wrong birth date locks it");
    assert_eq!(read.states(), ["draft", "locked"]);
    assert_eq!(
        app.redeem(code, BIRTH).await.status(),
        StatusCode::BAD_REQUEST,
        "even the right date now"
    );

    let resent: IssuedInvitation = Api::expect_as(api.resend(id).await, StatusCode::OK).await;
    let new_code = resent.code.as_str();
    assert_ne!(new_code, code);
    assert_eq!(resent.id, created.id);
    assert_eq!(
        app.redeem(code, BIRTH).await.status(),
        StatusCode::BAD_REQUEST,
        "the old code is dead"
    );
    assert_eq!(
        app.redeem(new_code, BIRTH).await.status(),
        StatusCode::OK,
        "the new one works"
    );
    let read = api.invitation(id).await;
    assert_eq!(read.states(), ["draft", "locked", "draft"]);
    assert_eq!(read.failed_attempts, 0, "a re-send resets the count");
}

async fn an_invitation_expires_after_fourteen_days_and_a_resend_revives_it(app: &TestApp) {
    let api = app.practice_with_admin("Lakeside Clinic").await;
    let created = invite(&api, "Lee", "Park").await;
    let (id, code) = (created.id.as_str(), created.code.as_str());
    app.advance(Duration::from_secs(14 * 86_400 - 1));
    let read = api.invitation(id).await;
    assert_eq!(read.state, "draft", "still open one second before");
    app.advance(Duration::from_secs(1));
    let read = api.invitation(id).await;
    assert_eq!(read.state, "expired");
    assert_eq!(read.states(), ["draft", "expired"]);
    assert_eq!(read.history[1].actor, "system");
    assert_eq!(
        app.redeem(code, BIRTH).await.status(),
        StatusCode::BAD_REQUEST
    );
    let listed: InvitationPage =
        Api::expect_as(api.get("/invitations?state=expired").await, StatusCode::OK).await;
    assert_eq!(listed.items.len(), 1);

    let resent: IssuedInvitation = Api::expect_as(api.resend(id).await, StatusCode::OK).await;
    assert_eq!(resent.expires_at, "2026-12-16T11:06:40Z", "a fresh 14 days");
    assert_eq!(
        app.redeem(&resent.code, BIRTH).await.status(),
        StatusCode::OK
    );
}

async fn a_revoked_invitation_can_be_neither_redeemed_nor_resent(app: &TestApp) {
    let api = app.practice_with_admin("Lakeside Clinic").await;
    let created = invite(&api, "Sam", "Okafor").await;
    let (id, code) = (created.id.as_str(), created.code.as_str());
    let revoked: Invitation = Api::expect_as(api.revoke(id).await, StatusCode::OK).await;
    assert_eq!(revoked.state, "revoked");
    assert_eq!(revoked.states(), ["draft", "revoked"]);
    assert_eq!(
        app.redeem(code, BIRTH).await.status(),
        StatusCode::BAD_REQUEST
    );
    Api::expect(api.resend(id).await, StatusCode::CONFLICT).await;
    Api::expect(api.revoke(id).await, StatusCode::CONFLICT).await;
}

async fn anonymous_answers_for_expired_revoked_unknown_and_locked_codes_are_identical(
    app: &TestApp,
) {
    let api = app.practice_with_admin("Lakeside Clinic").await;
    let expired = invite(&api, "Eve", "Expired").await;
    let revoked = invite(&api, "Rob", "Revoked").await;
    let locked = invite(&api, "Lou", "Locked").await;
    api.revoke(&revoked.id).await;
    for _ in 0..5 {
        app.redeem(&locked.code, "2001-01-01").await;
    }
    app.advance(Duration::from_secs(15 * 86_400));
    // `expired` was made first, so only it... all are past 14 days now; revive the others' relevance:
    // each case is a different reason the code cannot be used.
    let cases = [
        ("expired", expired.code),
        ("revoked", revoked.code),
        ("locked", locked.code),
        ("unknown", "XYZ-234-ABC".to_owned()),
        ("malformed", "not a code".to_owned()),
        (
            "right code, wrong birth date",
            invite(&api, "Wes", "Wrong").await.code,
        ),
    ];
    let mut answers = Vec::new();
    for (case, code) in &cases {
        let res = app.redeem(code, "1990-05-06").await;
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
    let api = app.practice_with_admin("Lakeside Clinic").await;
    let created = invite(&api, "Ivy", "Link").await;
    let token = created.link_token();
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
    let body: Redeemed = Api::expect_as(right, StatusCode::OK).await;
    assert_eq!(body.prefill.first_name, "Ivy");
    // A birth date that is not a date is a plain form error, not a code answer.
    let bad = anon
        .post(
            "/public/invitations/redeem",
            &json!({ "code": "XYZ-234-ABC", "birth_date": "03/02/1980" }),
        )
        .await;
    let problem: Problem = Api::expect_as(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem.errors[0].field, "birth_date");
}

async fn the_database_never_holds_a_plain_code_or_token(app: &TestApp) {
    let api = app.practice_with_admin("Lakeside Clinic").await;
    let first = invite(&api, "Dina", "Dump").await;
    let resent: IssuedInvitation =
        Api::expect_as(api.resend(&first.id).await, StatusCode::OK).await;
    let second = invite(&api, "Tom", "Ticket").await;
    let redeemed: Redeemed =
        Api::expect_as(app.redeem(&second.code, BIRTH).await, StatusCode::OK).await;
    let practice_code = api.provider_code().await;

    let dump = app.dump_all_text().await;
    let mut secrets = vec![api.token.clone(), redeemed.ticket, practice_code];
    for issued in [&first, &resent, &second] {
        let code = &issued.code;
        secrets.push(code.to_owned());
        secrets.push(code.replace('-', ""));
        secrets.push(code.replace('-', "").to_lowercase());
        secrets.push(issued.link_token().to_owned());
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
    let a = app.practice_with_admin("Practice A").await;
    let b = app.practice_with_admin("Practice B").await;
    let theirs = invite(&b, "Bea", "Bee").await;
    let id = theirs.id.as_str();
    for res in [
        a.get(&format!("/invitations/{id}")).await,
        a.resend(id).await,
        a.revoke(id).await,
    ] {
        let problem: Problem = Api::expect_as(res, StatusCode::NOT_FOUND).await;
        assert_eq!(problem.status, 404);
    }
    let listed: InvitationPage = Api::expect_as(a.get("/invitations").await, StatusCode::OK).await;
    assert!(listed.items.is_empty(), "{listed:?}");
    // B's invitation is untouched and still works.
    assert_eq!(b.invitation(id).await.states(), ["draft"]);
    assert_eq!(
        app.redeem(&theirs.code, BIRTH).await.status(),
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
            &token_id(&a).await,
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

/// The id of a practice's API token, as its admin's token list shows it (the CLI printed it on
/// stderr only).
async fn token_id(practice: &Practice<'_>) -> String {
    let listed = Api::expect(
        practice
            .admin_session()
            .await
            .call(reqwest::Method::GET, "/tokens", json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    listed[0]["id"].as_str().expect("the token's id").to_owned()
}

async fn invitation_validation_lists_every_bad_field(app: &TestApp) {
    let api = app.practice_with_admin("Lakeside Clinic").await;
    let body = json!({
        "first_name": "", "last_name": "Lopez<script>", "birth_date": "2030-01-01",
        "email": "maria@", "channels": ["fax", "sms"], "consent_method": "telepathy",
        "provider_id": "00000000-0000-0000-0000-000000000000",
    });
    let problem: Problem = Api::expect_as(
        api.post("/invitations", &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let fields = problem.fields();
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
    let listed: InvitationPage =
        Api::expect_as(api.get("/invitations").await, StatusCode::OK).await;
    assert!(listed.items.is_empty(), "nothing half-written");
    // A national number is read with the practice's country.
    let created = api
        .invite(&patient("Nat", "Ional").phone("(415) 555-0123"))
        .await;
    let read = api.invitation(&created.id).await;
    assert_eq!(read.phone.as_deref(), Some(PHONE));
}

async fn household_caregiver_and_no_email_invitations_are_made_in_one_step(app: &TestApp) {
    let api = app.practice_with_admin("Lakeside Clinic").await;
    let mut body = json!({
        "first_name": "Joe", "last_name": "Moss", "birth_date": "1950-07-08", "phone": "+14155550124", "channels": ["sms"],
        "household": { "first_name": "Jan", "last_name": "Moss", "birth_date": "1952-01-02", "channels": [] },
        "caregiver": { "first_name": "Kim", "last_name": "Moss", "birth_date": "1980-03-04", "channels": ["email"] },
    });
    let problem: Problem = Api::expect_as(
        api.post("/invitations", &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(problem.fields().contains(&"caregiver.email"), "{problem:?}");

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
        let read = api.invitation(r["id"].as_str().unwrap()).await;
        assert_eq!(read.related_to.as_deref(), created["id"].as_str());
    }
    // Each code redeems with its own person's birth date.
    let hh: Redeemed = Api::expect_as(
        app.redeem(related[0]["code"].as_str().unwrap(), "1952-01-02")
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(hh.prefill.relation, "household");
    assert_eq!(
        hh.prefill.username.as_deref(),
        related[0]["username"].as_str()
    );
}

async fn the_list_filters_by_state_and_name_and_pages_with_a_cursor(app: &TestApp) {
    let api = app.practice_with_admin("Lakeside Clinic").await;
    for (first, last) in [("Anna", "Smith"), ("Ben", "Smithers"), ("Cleo", "Jones")] {
        invite(&api, first, last).await;
        app.advance(Duration::from_secs(1));
    }
    let list = |query: &str| {
        let path = format!("/invitations?{query}");
        let api = &api;
        async move { Api::expect_as::<InvitationPage>(api.get(&path).await, StatusCode::OK).await }
    };
    let jones = list("q=JON").await;
    assert_eq!(jones.items.len(), 1);
    let smiths = list("q=smith").await;
    let names: Vec<&str> = smiths.items.iter().map(|i| i.last_name.as_str()).collect();
    assert_eq!(names, ["Smithers", "Smith"], "newest first");
    let wild = list("q=%25").await;
    assert!(
        wild.items.is_empty(),
        "a % in the search is a literal character"
    );

    let page1 = list("limit=2").await;
    assert_eq!(page1.items.len(), 2);
    let cursor = page1.next_cursor.expect("more to come");
    let page2 = list(&format!("limit=2&cursor={cursor}")).await;
    assert_eq!(page2.items.len(), 1);
    assert_eq!(page2.items[0].first_name, "Anna");
    assert!(page2.next_cursor.is_none());

    let drafts = list("state=draft").await;
    assert_eq!(drafts.items.len(), 3);
    let problem: Problem = Api::expect_as(
        api.get("/invitations?state=pending&limit=0").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem.errors.len(), 2);
}

async fn wrong_codes_are_throttled_per_address_with_retry_after(app: &TestApp) {
    let api = app.practice_with_admin("Lakeside Clinic").await;
    let created = invite(&api, "Tia", "Throttle").await;
    for n in 0..20 {
        let code = format!("ABC-{}-XYZ", 234 + n % 5);
        assert_eq!(
            app.redeem(&code, BIRTH).await.status(),
            StatusCode::BAD_REQUEST
        );
    }
    let res = app.redeem(&created.code, BIRTH).await;
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even a good code waits"
    );
    let retry = retry_after(&res);
    assert!((1..=900).contains(&retry), "{retry}");
    let problem: Problem = res.json().await.unwrap();
    assert_eq!(problem.status, 429);
    app.advance(Duration::from_secs(15 * 60));
    assert_eq!(
        app.redeem(&created.code, BIRTH).await.status(),
        StatusCode::OK
    );
}

async fn concurrent_redemptions_each_open_a_registration(app: &TestApp) {
    // Two devices checking one code at once both get a ticket: only account creation is single
    // use (`registration/consent.rs` shows that exactly one account results).
    let api = app.practice_with_admin("Lakeside Clinic").await;
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
        let code = invite(&api, "Cora", "Current").await.code;
        let (a, b) = tokio::join!(app.redeem(&code, BIRTH), app.redeem(&code, BIRTH));
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
    let api = app.practice_with_admin("Lakeside Clinic").await;
    // Practice settings belong to a signed-in admin, not to an integration's token.
    let admin = api.admin_session().await;
    let patch = |body: Value| admin.call(reqwest::Method::PATCH, "/practice", body);
    let problem: Problem = Api::expect_as(
        patch(json!({ "invite_expiry_days": 0, "country": "Narnia", "time_zone": "Mars/Olympus" }))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem.errors.len(), 3);
    let zoned = Api::expect(
        patch(json!({ "time_zone": "america/chicago" })).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        zoned["time_zone"], "America/Chicago",
        "kept in the database's spelling"
    );
    let practice = Api::expect(
        patch(json!({ "invite_expiry_days": 7, "country": "ca" })).await,
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
        patch(json!({ "invite_expiry_days": 7 })).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(kept["country"], "CA", "a setting left out keeps its value");
    let created = invite(&api, "Sev", "Endays").await;
    assert_eq!(
        created.expires_at, "2026-11-25T11:06:40Z",
        "7 days after creation"
    );
    app.advance(Duration::from_secs(7 * 86_400));
    assert_eq!(
        app.redeem(&created.code, BIRTH).await.status(),
        StatusCode::BAD_REQUEST
    );
    // A query string that cannot be read is a problem document too.
    let bad = api.get("/invitations?limit=many").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert_eq!(bad.headers()["content-type"], "application/problem+json");
}
