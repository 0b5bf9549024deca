//! Intake forms (issue #21), over the API on both databases. Bea builds "New patient history"
//! with every kind of question (a form with a one-choice question of one choice is refused by
//! field first), sends it to Maria in their conversation, and changes the form afterwards: Maria's
//! keeps the version she was sent. Maria keeps a draft (Bea does not see it), submits wrong
//! answers (refused by question, kept as her draft), then right ones, once. Bea reads the
//! answers; Sam of the same practice and another practice get 404; the answers are sealed at rest
//! and their reading is audited.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use wiremock::MockServer;

use crate::audit::audit_events;
use crate::common::practice::StaffSession;
use crate::common::responses::Problem;
use crate::common::{Api, STAFF_PASSWORD, TestApp, with_provider};

with_provider!(an_intake_form_goes_to_a_patient_and_comes_back_answered_once);

async fn expect(res: reqwest::Response, status: StatusCode) -> Value {
    Api::expect(res, status).await
}

fn history(title: &str) -> Value {
    json!({
        "title": title,
        "questions": [
            { "prompt": "Your pharmacy", "kind": "short_text" },
            { "prompt": "Anything else we should know?", "kind": "long_text" },
            { "prompt": "Do you smoke?", "kind": "yes_no", "required": true },
            { "prompt": "How would you like to be seen?", "kind": "single_choice",
              "required": true, "choices": ["In person", "Video"] },
            { "prompt": "Conditions", "kind": "multiple_choice",
              "choices": ["Asthma", "Diabetes", "Heart disease"] },
            { "prompt": "Date of your last visit", "kind": "date" },
            { "prompt": "Weight in kg", "kind": "number", "required": true },
        ]
    })
}

async fn an_intake_form_goes_to_a_patient_and_comes_back_answered_once(
    app: &TestApp,
    sms: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let maria = lakeside.registered_patient(sms, "maria@example.org").await;
    let found = expect(lakeside.get("/patients?q=maria").await, StatusCode::OK).await;
    let maria_id = found["items"][0]["id"].as_str().expect("Maria").to_owned();
    let bea = lakeside.admin_session().await;

    // A form that cannot be asked is refused by field, nothing saved.
    let mut bad = history(" ");
    bad["questions"][3]["choices"] = json!(["Only one"]);
    bad["questions"][0]["kind"] = json!("colour");
    let refused: Problem = Api::expect_as(
        bea.call(Method::POST, "/forms", bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        refused.fields(),
        ["title", "questions[0].kind", "questions[3].choices"]
    );
    assert_eq!(
        expect(
            bea.call(Method::GET, "/forms", Value::Null).await,
            StatusCode::OK
        )
        .await,
        json!([])
    );

    let form = expect(
        bea.call(Method::POST, "/forms", history("New patient history"))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let form_id = form["id"].as_str().expect("an id").to_owned();
    assert_eq!(form["version"], 1);
    assert_eq!(form["questions"].as_array().map(Vec::len), Some(7));
    assert_eq!(form["questions"][4]["kind"], "multiple_choice");

    // Bea writes to Maria and sends the form in the conversation.
    let thread = bea
        .start_thread(&maria_id, "Your first visit", "Welcome!")
        .await;
    let thread_id = thread["id"].as_str().expect("an id").to_owned();
    let unknown: Problem = Api::expect_as(
        bea.call(
            Method::POST,
            &format!("/threads/{thread_id}/forms"),
            json!({ "form_id": "no-such-form" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(unknown.fields(), ["form_id"]);
    let sent = expect(
        bea.call(
            Method::POST,
            &format!("/threads/{thread_id}/forms"),
            json!({ "form_id": form_id }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let message = &sent["messages"][1];
    assert!(
        message["body"]
            .as_str()
            .is_some_and(|b| b.contains("New patient history")),
        "{message}"
    );
    let sent_form_id = message["form"]["id"].as_str().expect("a form").to_owned();
    assert_eq!(message["form"]["submitted_at"], Value::Null);

    // Bea changes the form: version 2 asks one more question. Saving from version 1 again is
    // refused (someone saved since); saving it unchanged keeps version 2.
    let mut changed = history("New patient history");
    changed["questions"]
        .as_array_mut()
        .expect("questions")
        .push(json!({ "prompt": "Allergies", "kind": "long_text" }));
    changed["version"] = json!(1);
    let v2 = expect(
        bea.call(Method::PUT, &format!("/forms/{form_id}"), changed.clone())
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["versions"].as_array().map(Vec::len), Some(2));
    let stale: Problem = Api::expect_as(
        bea.call(Method::PUT, &format!("/forms/{form_id}"), changed.clone())
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        stale.detail.contains("Someone else saved"),
        "{}",
        stale.detail
    );
    changed["version"] = json!(2);
    let same = expect(
        bea.call(Method::PUT, &format!("/forms/{form_id}"), changed)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(same["version"], 2);

    // Maria's form is the version she was sent: seven questions.
    let path = format!("/patient/threads/{thread_id}/forms/{sent_form_id}");
    let mine = expect(maria.get(&path).await, StatusCode::OK).await;
    assert_eq!(mine["version"], 1);
    assert_eq!(mine["questions"].as_array().map(Vec::len), Some(7));
    assert_eq!(mine["submitted_at"], Value::Null);

    // Her draft is kept as typed, and is hers: Bea sees no values before she submits.
    let draft = json!({ "answers": [["Main Street Pharmacy"], [], ["maybe"]] });
    assert_eq!(
        maria.put(&format!("{path}/draft"), &draft).await.status(),
        StatusCode::NO_CONTENT
    );
    let mine = expect(maria.get(&path).await, StatusCode::OK).await;
    assert_eq!(
        mine["questions"][0]["values"],
        json!(["Main Street Pharmacy"])
    );
    assert_eq!(mine["questions"][2]["values"], json!(["maybe"]));
    let staff_path = format!("/threads/{thread_id}/forms/{sent_form_id}");
    let hers = expect(
        bea.call(Method::GET, &staff_path, Value::Null).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(hers["questions"][0]["values"], json!([]));

    // Wrong answers are refused by question, and kept as her draft.
    let wrong = json!({ "answers": [
        ["Main Street Pharmacy"], [], ["maybe"], ["In person"], ["Gout"], ["2026-02-30"], ["70"]
    ] });
    let refused: Problem = Api::expect_as(
        maria.post(&format!("{path}/submission"), &wrong).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(refused.fields(), ["answers[2]", "answers[4]", "answers[5]"]);
    let mine = expect(maria.get(&path).await, StatusCode::OK).await;
    assert_eq!(mine["questions"][5]["values"], json!(["2026-02-30"]));
    assert_eq!(mine["submitted_at"], Value::Null);

    let right = json!({ "answers": [
        ["Main Street Pharmacy"], ["Knee surgery in 2019"], ["no"], ["Video"],
        ["Heart disease", "Asthma"], ["2026-03-14"], ["72,5"]
    ] });
    let submitted = expect(
        maria.post(&format!("{path}/submission"), &right).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(submitted["questions"][4]["answer"], "Asthma, Heart disease");
    assert_eq!(submitted["questions"][6]["values"], json!(["72.5"]));
    assert_eq!(submitted["submitted_by"], "Maria Lopez");

    // Once: a second submission and a late draft are refused, the answers stay.
    for res in [
        maria.post(&format!("{path}/submission"), &wrong).await,
        maria.put(&format!("{path}/draft"), &draft).await,
    ] {
        assert_eq!(res.status(), StatusCode::CONFLICT);
    }

    // Bea's inbox has a new message; she reads the answers, and the thread says it was submitted.
    let inbox = expect(
        bea.call(Method::GET, "/threads", Value::Null).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(inbox["items"][0]["unread"], 1, "{inbox}");
    let answers = expect(
        bea.call(Method::GET, &staff_path, Value::Null).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(answers["questions"][2]["answer"], "No");
    assert_eq!(answers["questions"][3]["answer"], "Video");
    let thread = expect(
        bea.call(Method::GET, &format!("/threads/{thread_id}"), Value::Null)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(thread["messages"][1]["form"]["submitted_at"].is_string());
    // The submission is said in the conversation, nothing of the answers in it.
    assert_eq!(
        thread["messages"][2]["body"],
        "I have filled in the form “New patient history”."
    );
    assert_eq!(thread["messages"][2]["from_practice"], false);

    // Nobody else reads it: Sam of the same practice, another practice, another patient.
    let admin = lakeside.admin().await;
    admin
        .add_staff("Sam Staff", "sam@lakeside.example", "staff")
        .await;
    let (sam, _) = app.sign_in("sam@lakeside.example", STAFF_PASSWORD).await;
    let sam = StaffSession::of(sam).await;
    let harbor = app.practice_with_admin("Harbor Clinic").await;
    let harbor_admin = harbor.admin_session().await;
    for who in [&sam, &harbor_admin] {
        assert_eq!(
            who.call(Method::GET, &staff_path, Value::Null)
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(
        harbor_admin
            .call(Method::GET, &format!("/forms/{form_id}"), Value::Null)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let ana = lakeside.registered_patient(sms, "ana@example.org").await;
    assert_eq!(ana.get(&path).await.status(), StatusCode::NOT_FOUND);

    // Sealed at rest; Bea's reading and Maria's submission are in the audit log.
    let dump = app.dump_all_text().await;
    for private in ["Main Street Pharmacy", "Knee surgery in 2019"] {
        assert!(!dump.contains(private), "{private} is sealed");
    }
    let events: Vec<_> = audit_events(app)
        .await
        .into_iter()
        .filter(|e| e.action.starts_with("thread.form") || e.action == "intake_form.saved")
        .map(|e| (e.action, e.patient_id))
        .collect();
    let of_maria = Some(maria_id.clone());
    assert_eq!(
        events,
        [
            ("intake_form.saved".to_owned(), None),
            ("thread.form_sent".to_owned(), of_maria.clone()),
            ("intake_form.saved".to_owned(), None),
            ("thread.form_submitted".to_owned(), of_maria.clone()),
            ("thread.form_read".to_owned(), of_maria),
        ]
    );
}
