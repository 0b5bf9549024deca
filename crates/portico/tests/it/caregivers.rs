//! Caregivers with proxy access (issue #20), over the API on both databases: a parent invited as
//! caregiver for two children keeps one account, sees a child's portal only once both have
//! registered, the child (or staff, recording the parent's authority) approved and the parent
//! confirmed the child's birth date; read-only access cannot act; a withdrawal closes the
//! child's portal to the parent with the very next request, the child's secure conversations
//! with it (which the parent read, and with full access wrote in for the child, and filled in an
//! intake form for them). Wrong birth dates end the access after five tries, even in a burst, and
//! another practice's staff find none of it.

use reqwest::StatusCode;
use serde_json::{Value, json};
use wiremock::MockServer;

use crate::common::patient::Patient;
use crate::common::responses::Problem;
use crate::common::{Api, Details, Practice, TestApp, with_provider};

with_provider!(
    a_parent_with_one_account_cares_for_two_children_until_one_withdraws,
    a_caregiver_code_joins_an_account_only_with_the_caregivers_birth_date,
    wrong_birth_dates_end_the_access_after_five_tries_even_in_a_burst,
    another_practice_and_other_patients_find_none_of_the_caregiver_links,
);

const PARENT_BIRTH_DATE: &str = "1980-01-02";

/// Invites a child with their parent, Pat Parent, as caregiver; answers the child's code and
/// the parent's.
async fn invite_child(
    practice: &Practice<'_>,
    first_name: &str,
    birth_date: &str,
) -> (String, String) {
    let body = json!({
        "first_name": first_name, "last_name": "Parent", "birth_date": birth_date,
        "email": format!("{}@example.org", first_name.to_lowercase()), "channels": [],
        "caregiver": { "first_name": "Pat", "last_name": "Parent",
                       "birth_date": PARENT_BIRTH_DATE, "email": "pat@example.org",
                       "channels": [] },
    });
    let created = Api::expect(
        practice.post("/invitations", &body).await,
        StatusCode::CREATED,
    )
    .await;
    let code = |v: &Value| v["code"].as_str().expect("a code").to_owned();
    (code(&created), code(&created["related"][0]))
}

/// Registers someone with an invitation's code; answers them signed in.
async fn register(
    app: &TestApp,
    provider: &MockServer,
    code: &str,
    first_name: &str,
    birth_date: &str,
    phone: &str,
) -> Patient {
    let details = Details::maria(&format!("{}@example.org", first_name.to_lowercase()))
        .first_name(first_name)
        .with_last_name("Parent")
        .birth_date(birth_date)
        .phone(phone);
    let registered = app
        .redeem_invitation(code, birth_date)
        .await
        .finish_with(provider, &details)
        .await;
    app.patient(&registered.session_token)
}

/// The caregiver confirms the birth date of the patient of `access`; the answer, whatever it is.
async fn confirm(caregiver: &Patient, access: &str, date: &str) -> reqwest::Response {
    caregiver
        .post(
            &format!("/patient/cared-for/{access}/birth-date"),
            &json!({ "birth_date": date }),
        )
        .await
}

/// The account enters a caregiver invitation's code; the answer, whatever it is.
async fn enter(account: &Patient, code: &str, birth_date: &str) -> reqwest::Response {
    account
        .post(
            "/patient/caregiver-invitations",
            &json!({ "code": code, "birth_date": birth_date }),
        )
        .await
}

/// The account's caregivers and the people it cares for.
async fn sharing(account: &Patient) -> Value {
    Api::expect(account.get("/patient/caregivers").await, StatusCode::OK).await
}

fn only(list: &Value) -> &Value {
    let items = list.as_array().expect("a list");
    assert_eq!(items.len(), 1, "{list}");
    &items[0]
}

/// The access of the list about the patient named `name`.
fn named<'a>(list: &'a Value, name: &str) -> &'a Value {
    list.as_array()
        .and_then(|items| items.iter().find(|a| a["patient_name"] == name))
        .unwrap_or_else(|| panic!("{name} in {list}"))
}

fn id(access: &Value) -> String {
    access["id"].as_str().expect("an id").to_owned()
}

async fn patient_id(practice: &Practice<'_>, search: &str) -> String {
    let page = Api::expect(
        practice.get(&format!("/patients?q={search}")).await,
        StatusCode::OK,
    )
    .await;
    page["items"][0]["id"].as_str().expect("found").to_owned()
}

async fn a_parent_with_one_account_cares_for_two_children_until_one_withdraws(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let rivera = lakeside.add_provider("Dr. Ana Rivera").await;
    let (emma_code, pat_for_emma) = invite_child(&lakeside, "Emma", "2012-03-04").await;
    let (liam_code, pat_for_liam) = invite_child(&lakeside, "Liam", "2015-05-06").await;

    // Pat registers once, with the first caregiver code, and adds the second to the same account.
    let pat = register(
        app,
        provider,
        &pat_for_emma,
        "Pat",
        PARENT_BIRTH_DATE,
        "(415) 555-0101",
    )
    .await;
    let added = Api::expect(
        pat.post(
            "/patient/caregiver-invitations",
            &json!({ "code": pat_for_liam, "birth_date": PARENT_BIRTH_DATE }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(added["state"], "awaiting_patient", "{added}");
    let cared_for = sharing(&pat).await["cared_for"].clone();
    assert_eq!(cared_for.as_array().map(Vec::len), Some(2), "{cared_for}");
    let (emma_access, liam_access) = (
        id(named(&cared_for, "Emma Parent")),
        id(named(&cared_for, "Liam Parent")),
    );
    assert_eq!(
        named(&cared_for, "Emma Parent")["state"],
        "awaiting_patient"
    );

    // Emma registers and sees her parent's request; nothing is open to Pat before she approves.
    let emma = register(
        app,
        provider,
        &emma_code,
        "Emma",
        "2012-03-04",
        "(415) 555-0102",
    )
    .await;
    let request = sharing(&emma).await;
    let request = only(&request["caregivers"]);
    assert_eq!(request["caregiver_name"], "Pat Parent");
    assert_eq!(request["state"], "awaiting_approval");
    let path = format!("/patient/cared-for/{emma_access}");
    Api::expect(pat.get(&path).await, StatusCode::NOT_FOUND).await;
    let refused: Problem = Api::expect_as(
        pat.post(
            &format!("/patient/caregivers/{emma_access}/approval"),
            &json!({ "level": "full" }),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(
        refused.status, 404,
        "a caregiver cannot approve their own access"
    );

    // Her birth date is asked for only once she has approved.
    Api::expect(
        confirm(&pat, &emma_access, "2012-03-04").await,
        StatusCode::CONFLICT,
    )
    .await;

    // Emma approves read-only access; Pat confirms her birth date (a wrong one first).
    let approved = Api::expect(
        emma.post(
            &format!("/patient/caregivers/{emma_access}/approval"),
            &json!({ "level": "read_only" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(approved["state"], "awaiting_birth_date");

    let wrong: Problem = Api::expect_as(
        confirm(&pat, &emma_access, "2012-04-03").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(wrong.fields(), ["birth_date"]);
    assert!(
        wrong.errors[0].message.contains("4 tries left"),
        "{wrong:?}"
    );
    let confirmed = Api::expect(
        confirm(&pat, &emma_access, "2012-03-04").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(confirmed["state"], "active");
    assert_eq!(confirmed["level"], "read_only");

    // Pat sees Emma's practice, read only: adding a provider for her is refused.
    let portal = Api::expect(pat.get(&path).await, StatusCode::OK).await;
    assert_eq!(portal["access"]["level"], "read_only");
    assert_eq!(
        portal["cards"][0]["practice_name"], "Lakeside Clinic",
        "{portal}"
    );
    Api::expect(
        pat.post(
            &format!("{path}/provider-codes"),
            &json!({ "code": rivera.code }),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // Liam registers; staff record Pat's authority as his parent, with full access.
    register(
        app,
        provider,
        &liam_code,
        "Liam",
        "2015-05-06",
        "(415) 555-0103",
    )
    .await;
    let liam = patient_id(&lakeside, "liam").await;
    let missing: Problem = Api::expect_as(
        lakeside
            .post(
                &format!("/patients/{liam}/caregivers/{liam_access}/authority"),
                &json!({ "authority": "", "level": "everything" }),
            )
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(missing.fields(), ["authority", "level"]);
    let recorded = Api::expect(
        lakeside
            .post(
                &format!("/patients/{liam}/caregivers/{liam_access}/authority"),
                &json!({ "authority": "parent_of_minor", "level": "full" }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(recorded["approved_by"], "staff");
    assert_eq!(recorded["authority"], "parent_of_minor");
    Api::expect(
        pat.post(
            &format!("/patient/cared-for/{liam_access}/birth-date"),
            &json!({ "birth_date": "2015-05-06" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;

    // With full access, Pat adds Dr. Rivera for Liam, as Pat acting for Liam.
    let card = Api::expect(
        pat.post(
            &format!("/patient/cared-for/{liam_access}/provider-codes"),
            &json!({ "code": rivera.code }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(card["provider_name"], "Dr. Ana Rivera");
    let liam_record = Api::expect(
        lakeside.get(&format!("/patients/{liam}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        liam_record["links"].as_array().map(Vec::len),
        Some(2),
        "{liam_record}"
    );
    assert_eq!(
        liam_record["caregiver_access"][0]["caregiver_name"],
        "Pat Parent"
    );
    let trail = lakeside
        .admin()
        .await
        .get(&format!("/staff/patients/{liam}"))
        .await
        .text()
        .await
        .expect("Liam's record");
    assert!(
        trail.contains("Pat Parent (caregiver) added a provider code for Liam Parent"),
        "the trail says who acted for Liam: {trail}"
    );

    // Pat asks for a visit for Liam (full access), not for Emma (read only).
    let liam_portal = Api::expect(
        pat.get(&format!("/patient/cared-for/{liam_access}")).await,
        StatusCode::OK,
    )
    .await;
    let liam_card = liam_portal["cards"][0]["id"].as_str().expect("a card");
    let asked = Api::expect(
        pat.post(
            &format!("/patient/cared-for/{liam_access}/visit-requests"),
            &json!({ "link_id": liam_card, "when": "now", "reason": "Earache" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(asked["patient_name"], "Liam Parent");
    assert_eq!(asked["by_caregiver"], true);
    let emma_card = portal["cards"][0]["id"].as_str().expect("a card");
    Api::expect(
        pat.post(
            &format!("/patient/cared-for/{emma_access}/visit-requests"),
            &json!({ "link_id": emma_card, "when": "now", "reason": "Rash" }),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // Bea writes to Emma and to Liam. Pat reads both; writes for Liam (full access), shown as
    // Pat acting for him, and not for Emma (read only).
    let bea = lakeside.admin_session().await;
    let emma_id = patient_id(&lakeside, "emma").await;
    let start = |patient: String, subject: &'static str| {
        let bea = &bea;
        async move {
            let started = Api::expect(
                bea.call(
                    reqwest::Method::POST,
                    "/threads",
                    json!({ "patient_id": patient, "subject": subject, "body": "Please call us." }),
                )
                .await,
                StatusCode::CREATED,
            )
            .await;
            started["id"].as_str().expect("a thread").to_owned()
        }
    };
    let emma_thread = start(emma_id, "School form").await;
    let liam_thread = start(liam.clone(), "Ear check").await;
    let emma_threads = format!("/patient/cared-for/{emma_access}/threads");
    let liam_threads = format!("/patient/cared-for/{liam_access}/threads");
    let listed = Api::expect(pat.get(&emma_threads).await, StatusCode::OK).await;
    assert_eq!(listed[0]["subject"], "School form");
    Api::expect(
        pat.get(&format!("{emma_threads}/{emma_thread}")).await,
        StatusCode::OK,
    )
    .await;
    Api::expect(
        pat.post(
            &format!("{emma_threads}/{emma_thread}/messages"),
            &json!({ "body": "Will do." }),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // Liam's thread is not reachable through Emma's access, nor Emma's through Liam's.
    Api::expect(
        pat.get(&format!("{emma_threads}/{liam_thread}")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    app.advance(std::time::Duration::from_secs(60));
    let written = Api::expect(
        pat.post(
            &format!("{liam_threads}/{liam_thread}/messages"),
            &json!({ "body": "I will call this afternoon." }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(written["messages"][1]["author_name"], "Pat Parent");
    assert_eq!(written["messages"][1]["by_caregiver"], true);
    let seen_by_bea = Api::expect(
        bea.call(
            reqwest::Method::GET,
            &format!("/threads/{liam_thread}"),
            Value::Null,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(seen_by_bea["messages"][1]["by_caregiver"], true);
    assert_eq!(seen_by_bea["patient_name"], "Liam Parent");

    // Bea sends an intake form in both conversations. Pat fills Liam's in and submits it for
    // him (shown as Pat, for Liam); Emma's he may read, not fill in (read only).
    let form = Api::expect(
        bea.call(
            reqwest::Method::POST,
            "/forms",
            json!({ "title": "Allergies", "questions": [
                { "prompt": "Any allergies?", "kind": "yes_no", "required": true }
            ] }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let send = |thread: String| {
        let (bea, form_id) = (&bea, form["id"].clone());
        async move {
            let sent = Api::expect(
                bea.call(
                    reqwest::Method::POST,
                    &format!("/threads/{thread}/forms"),
                    json!({ "form_id": form_id }),
                )
                .await,
                StatusCode::CREATED,
            )
            .await;
            let last = sent["messages"].as_array().and_then(|m| m.last()).cloned();
            last.and_then(|m| m["form"]["id"].as_str().map(str::to_owned))
                .expect("a form in the last message")
        }
    };
    let liam_form = format!(
        "{liam_threads}/{liam_thread}/forms/{}",
        send(liam_thread.clone()).await
    );
    let emma_form = format!(
        "{emma_threads}/{emma_thread}/forms/{}",
        send(emma_thread.clone()).await
    );
    let yes = json!({ "answers": [["yes"]] });
    let submitted = Api::expect(
        pat.post(&format!("{liam_form}/submission"), &yes).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(submitted["submitted_by"], "Pat Parent (caregiver)");
    assert_eq!(submitted["patient_name"], "Liam Parent");
    Api::expect(pat.get(&emma_form).await, StatusCode::OK).await;
    for res in [
        pat.put(&format!("{emma_form}/draft"), &yes).await,
        pat.post(&format!("{emma_form}/submission"), &yes).await,
    ] {
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    }

    // Emma withdraws Pat's access: her portal is closed to Pat at once; Liam's stays open.
    let ended = Api::expect(
        emma.delete(&format!("/patient/caregivers/{emma_access}"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ended["state"], "ended");
    Api::expect(pat.get(&path).await, StatusCode::NOT_FOUND).await;
    Api::expect(
        pat.get(&format!("/patient/cared-for/{liam_access}")).await,
        StatusCode::OK,
    )
    .await;
    Api::expect(
        pat.get(&format!("{emma_threads}/{emma_thread}")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    Api::expect(pat.get(&emma_threads).await, StatusCode::NOT_FOUND).await;
    Api::expect(pat.get(&emma_form).await, StatusCode::NOT_FOUND).await;
    let after = sharing(&pat).await["cared_for"].clone();
    assert_eq!(named(&after, "Emma Parent")["state"], "ended");
    assert_eq!(named(&after, "Liam Parent")["state"], "active");
}

async fn a_caregiver_code_joins_an_account_only_with_the_caregivers_birth_date(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let (_, pat_for_emma) = invite_child(&lakeside, "Emma", "2012-03-04").await;
    let (liam_code, pat_for_liam) = invite_child(&lakeside, "Liam", "2015-05-06").await;
    let pat = register(
        app,
        provider,
        &pat_for_emma,
        "Pat",
        PARENT_BIRTH_DATE,
        "(415) 555-0101",
    )
    .await;

    // The child's birth date is not the caregiver's: the code is refused as any wrong one is.
    let wrong: Problem = Api::expect_as(
        enter(&pat, &pat_for_liam, "2015-05-06").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(wrong.status, 400);
    // A patient's own invitation is not a caregiver's: it is for registering that patient.
    let not_caregiver: Problem = Api::expect_as(
        enter(&pat, &liam_code, "2015-05-06").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(not_caregiver.fields(), ["code"]);
    assert_eq!(
        sharing(&pat).await["cared_for"].as_array().map(Vec::len),
        Some(1)
    );

    // A caregiver code of a practice the account is not with adds nothing: no consent was
    // given there.
    let hillside = app.practice_with_admin("Hillside Clinic").await;
    let (_, pat_at_hillside) = invite_child(&hillside, "Noa", "2016-07-08").await;
    let elsewhere: Problem = Api::expect_as(
        enter(&pat, &pat_at_hillside, PARENT_BIRTH_DATE).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        elsewhere.detail.contains("Ask the practice"),
        "{elsewhere:?}"
    );

    // The right date adds it, once: the invitation is redeemed.
    Api::expect(
        enter(&pat, &pat_for_liam, PARENT_BIRTH_DATE).await,
        StatusCode::CREATED,
    )
    .await;
    Api::expect(
        enter(&pat, &pat_for_liam, PARENT_BIRTH_DATE).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(
        sharing(&pat).await["cared_for"].as_array().map(Vec::len),
        Some(2)
    );
}

async fn wrong_birth_dates_end_the_access_after_five_tries_even_in_a_burst(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let (emma_code, pat_for_emma) = invite_child(&lakeside, "Emma", "2012-03-04").await;
    let pat = register(
        app,
        provider,
        &pat_for_emma,
        "Pat",
        PARENT_BIRTH_DATE,
        "(415) 555-0101",
    )
    .await;
    let emma = register(
        app,
        provider,
        &emma_code,
        "Emma",
        "2012-03-04",
        "(415) 555-0102",
    )
    .await;
    let access = id(only(&sharing(&pat).await["cared_for"]));
    Api::expect(
        emma.post(
            &format!("/patient/caregivers/{access}/approval"),
            &json!({ "level": "full" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;

    // Eight wrong dates at once: four are told how many tries are left, the fifth ends the
    // access, the rest find it ended.
    let path = format!("/patient/cared-for/{access}/birth-date");
    let answers = Api::all_at_once((0..8).map(|_| {
        pat.request(reqwest::Method::POST, &path)
            .json(&json!({ "birth_date": "2001-01-01" }))
    }))
    .await;
    let count = |status: StatusCode| answers.iter().filter(|s| **s == status).count();
    assert_eq!(count(StatusCode::UNPROCESSABLE_ENTITY), 4, "{answers:?}");
    assert_eq!(count(StatusCode::CONFLICT), 4, "{answers:?}");
    let ended = only(&sharing(&pat).await["cared_for"]).clone();
    assert_eq!(ended["state"], "ended");
    // Even the right date opens nothing now.
    Api::expect(
        pat.post(
            &format!("/patient/cared-for/{access}/birth-date"),
            &json!({ "birth_date": "2012-03-04" }),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    Api::expect(
        pat.get(&format!("/patient/cared-for/{access}")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

async fn another_practice_and_other_patients_find_none_of_the_caregiver_links(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let hillside = app.practice_with_admin("Hillside Clinic").await;
    let (emma_code, pat_for_emma) = invite_child(&lakeside, "Emma", "2012-03-04").await;
    let pat = register(
        app,
        provider,
        &pat_for_emma,
        "Pat",
        PARENT_BIRTH_DATE,
        "(415) 555-0101",
    )
    .await;
    let emma = register(
        app,
        provider,
        &emma_code,
        "Emma",
        "2012-03-04",
        "(415) 555-0102",
    )
    .await;
    let access = id(only(&sharing(&pat).await["cared_for"]));
    let emma_id = patient_id(&lakeside, "emma").await;

    // Hillside's staff: not found, whatever they try; nothing changes.
    let base = format!("/patients/{emma_id}/caregivers/{access}");
    Api::expect(
        hillside
            .post(
                &format!("{base}/authority"),
                &json!({ "authority": "legal_guardian", "level": "full" }),
            )
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    Api::expect(
        hillside
            .put(&format!("{base}/level"), &json!({ "level": "full" }))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    Api::expect(hillside.delete(&base).await, StatusCode::NOT_FOUND).await;
    Api::expect(
        hillside.get(&format!("/patients/{emma_id}")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Lakeside's staff reach it only through a record it names.
    let stranger = register_stranger(provider, &lakeside).await;
    Api::expect(
        lakeside
            .delete(&format!("/patients/{stranger}/caregivers/{access}"))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Emma cannot open it as if she were the caregiver, nor can Pat answer for Emma.
    Api::expect(
        emma.get(&format!("/patient/cared-for/{access}")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    Api::expect(
        pat.delete(&format!("/patient/caregivers/{access}")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let still = only(&sharing(&emma).await["caregivers"]).clone();
    assert_eq!(still["state"], "awaiting_approval", "{still}");
}

/// Another patient of Lakeside, registered with its provider code; answers their id.
async fn register_stranger(provider: &MockServer, lakeside: &Practice<'_>) -> String {
    lakeside
        .registered_patient(provider, "olga@example.org")
        .await;
    patient_id(lakeside, "olga@example.org").await
}
