//! Message templates: shipped in English and Spanish, edited by a practice's admin with every
//! mistake named before anything is saved, previewed exactly as sent, and used for invitations.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Api, Invitee, PHONE, Practice, StaffSession, TestApp, on_both};

on_both!(
    every_kind_ships_in_english_and_spanish,
    a_template_with_a_mistake_is_refused_naming_it,
    a_saved_template_is_used_for_the_next_invitation_and_can_be_reset,
    a_preview_renders_what_would_be_sent_and_counts_sms_segments,
    string_repetition_in_a_preview_is_refused_naming_the_body,
    spanish_invitations_go_out_in_spanish,
    an_api_token_cannot_edit_templates,
);

/// The practice, and its signed-in admin who edits templates through the API.
async fn admin(app: &TestApp) -> (Practice<'_>, StaffSession) {
    let api = app.practice_with_admin("Lakeside Clinic").await;
    let admin = api.admin_session().await;
    (api, admin)
}

async fn every_kind_ships_in_english_and_spanish(app: &TestApp) {
    let (api, _) = admin(app).await;
    let list = Api::expect(api.get("/templates").await, StatusCode::OK).await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 12, "six kinds, two languages");
    assert!(list.iter().all(|t| t["customized"] == false));
    let invite_es = list
        .iter()
        .find(|t| t["kind"] == "invite_email" && t["language"] == "es")
        .unwrap();
    assert!(
        invite_es["subject"]
            .as_str()
            .unwrap()
            .contains("invitación")
    );
    let notify = list
        .iter()
        .find(|t| t["kind"] == "new_message_notification" && t["language"] == "en")
        .unwrap();
    assert_eq!(
        notify["variables"],
        json!(["first_name", "practice_name", "link"]),
        "no message text can reach a notification"
    );
}

async fn a_template_with_a_mistake_is_refused_naming_it(app: &TestApp) {
    let (_, admin) = admin(app).await;
    let cases = [
        (
            json!({ "body": "Hi {{ first_name }}, about your {{ diagnosis }}" }),
            "`diagnosis`",
        ),
        (json!({ "body": "Hi {{ first_name " }), "error"),
        (
            json!({ "body": "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}" }),
            "cannot be rendered",
        ),
        (
            json!({ "subject": "Hi", "body": "{{ code }}" }),
            "Only emails have a subject",
        ),
    ];
    for (body, says) in cases {
        let res = admin
            .call(Method::PUT, "/templates/invite_sms/en", body.clone())
            .await;
        let problem = Api::expect(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        let text = problem["errors"].to_string();
        assert!(text.contains(says), "{body}: {text}");
    }
    let missing_subject = admin
        .call(
            Method::PUT,
            "/templates/invite_email/en",
            json!({ "body": "{{ link }}" }),
        )
        .await;
    let problem = Api::expect(missing_subject, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["field"], "subject");
    let unknown = admin
        .call(
            Method::PUT,
            "/templates/fax_cover/en",
            json!({ "body": "x" }),
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let list = admin
        .browser
        .api(Method::GET, "/templates")
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|t| t["customized"] == false),
        "nothing was saved"
    );
}

async fn a_saved_template_is_used_for_the_next_invitation_and_can_be_reset(app: &TestApp) {
    let (api, admin) = admin(app).await;
    let body = json!({ "body": "{{ practice_name }} te espera, {{ first_name }}! {{ link }} Code: {{ code }}" });
    let saved = Api::expect(
        admin
            .call(Method::PUT, "/templates/invite_sms/en", body)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(saved["customized"], true);
    let created = api
        .invite(&Invitee::maria().phone(PHONE).by(&["sms"]))
        .await;
    app.deliver().await;
    let outbox = admin.browser.get("/dev/outbox").await.text().await.unwrap();
    assert!(
        outbox.contains("Lakeside Clinic te espera, Maria!"),
        "the practice's own words went out"
    );
    assert!(outbox.contains(&created.code));

    let reset = Api::expect(
        admin
            .call(Method::DELETE, "/templates/invite_sms/en", json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(reset["customized"], false);
    assert!(
        reset["body"]
            .as_str()
            .unwrap()
            .contains("patient portal: {{ link }}")
    );
}

async fn string_repetition_in_a_preview_is_refused_naming_the_body(app: &TestApp) {
    let (_, admin) = admin(app).await;
    for (body, says) in [
        // A megabyte: within the fuel limit, so today it is rendered and sent back whole.
        (r#"{{ first_name }} {{ "x" * 1000000 }}"#, "longer than"),
        (r#"{{ "x" * 100000000 }}"#, "too much work"),
        (
            r#"{% for i in range(999) %}{{ "ab" * 999 }}{% endfor %}"#,
            "longer than",
        ),
    ] {
        let problem = Api::expect(
            admin
                .call(
                    Method::POST,
                    "/templates/invite_sms/en/preview",
                    json!({ "body": body }),
                )
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], "body", "{problem}");
        let message = problem["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(says), "{body}: {message}");
    }
}

async fn a_preview_renders_what_would_be_sent_and_counts_sms_segments(app: &TestApp) {
    let (_, admin) = admin(app).await;
    let current = Api::expect(
        admin
            .call(Method::POST, "/templates/invite_sms/en/preview", json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        current["body"].as_str().unwrap().contains("XYZ-234-ABC"),
        "sample values: {current}"
    );
    assert_eq!(
        current["sms_segments"], 1,
        "the shipped English SMS fits one segment, even with the sample's long link"
    );
    let draft = json!({ "body": "Código {{ code }} — {{ practice_name }}" });
    let preview = Api::expect(
        admin
            .call(Method::POST, "/templates/invite_sms/es/preview", draft)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        preview["body"],
        "Código XYZ-234-ABC — Lakeside Family Clinic"
    );
    assert_eq!(preview["sms_segments"], 1);
    let email = Api::expect(
        admin
            .call(
                Method::POST,
                "/templates/invite_email/en/preview",
                json!({}),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        email["subject"]
            .as_str()
            .unwrap()
            .contains("Lakeside Family Clinic")
    );
    assert!(
        email["html"]
            .as_str()
            .unwrap()
            .contains("<a href=\"https://portal.example.org/i/"),
        "the HTML part as sent"
    );
    assert!(email["sms_segments"].is_null());
}

async fn spanish_invitations_go_out_in_spanish(app: &TestApp) {
    let (api, admin) = admin(app).await;
    let invite = json!({ "first_name": "José", "last_name": "Pérez", "birth_date": "1970-05-06", "email": "jose@example.org",
                         "channels": ["email"], "language": "es" });
    Api::expect(api.post("/invitations", &invite).await, StatusCode::CREATED).await;
    let wrong = json!({ "first_name": "Ann", "last_name": "Lee", "birth_date": "1970-05-06", "channels": [], "language": "fr" });
    let problem = Api::expect(
        api.post("/invitations", &wrong).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "language");
    app.deliver().await;
    let outbox = admin.browser.get("/dev/outbox").await.text().await.unwrap();
    assert!(
        outbox.contains("su invitación al portal de pacientes") && outbox.contains("Hola José"),
        "{outbox}"
    );
    assert!(outbox.contains(" de diciembre de 2026"), "dates in Spanish");
}

async fn an_api_token_cannot_edit_templates(app: &TestApp) {
    let api = app.practice_with_admin("Lakeside Clinic").await;
    let res = api
        .put(
            "/templates/invite_sms/en",
            &json!({ "body": "Click {{ link }} now!" }),
        )
        .await;
    Api::expect(res, StatusCode::FORBIDDEN).await;
}
