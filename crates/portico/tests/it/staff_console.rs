//! The staff console's invitation page and dashboard over HTTP, as a front desk's browser uses
//! them (issue #18): the page tells an invitation's story in words and shows a new code once;
//! re-send, a new hand-over sheet and revoke work from the page; the dashboard puts a locked
//! invitation and an undelivered message first; another practice's invitations answer 404 on
//! every page and route. Also the patients' door at `/`, error pages in their frame, the icon.

use reqwest::StatusCode;
use serde_json::json;
use wiremock::MockServer;

use crate::common::BIRTH_DATE;
use crate::common::provider::refuse_texts;
use crate::common::{Browser, Invitee, TestApp, location, on_both, with_provider};

on_both!(
    the_invitation_page_tells_the_story_and_shows_a_new_code_only_once,
    a_new_hand_over_sheet_issues_a_code_and_sends_nothing,
    revoking_from_the_page_kills_the_code,
    staff_of_another_practice_get_404_for_every_invitation_page_and_route,
    the_patients_door_names_the_practice_when_it_serves_one,
    error_pages_keep_their_frame_and_the_icon_answers,
    the_api_resends_in_another_language_or_for_a_hand_over,
);

mod undelivered {
    use super::*;
    with_provider!(the_dashboard_puts_locked_and_undelivered_invitations_first);
}

/// The code shown on a page's hand-over sheet, if any.
fn shown_code(html: &str) -> Option<String> {
    let start = html.find("data-code>")? + "data-code>".len();
    let end = html[start..].find('<')? + start;
    Some(html[start..end].to_owned())
}

async fn page(staff: &Browser, path: &str) -> String {
    let res = staff.get(path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.text().await.expect("page")
}

/// Posts one of the invitation page's buttons; answers where it redirects.
async fn press(staff: &Browser, id: &str, action: &str, extra: &[(&str, &str)]) -> String {
    let page_path = format!("/staff/invitations/{id}");
    let csrf = staff.csrf_for(&page_path).await;
    let mut form = vec![("csrf_token", csrf.as_str())];
    form.extend_from_slice(extra);
    let res = staff
        .post_form(&format!("{page_path}/{action}"), &form)
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{action}");
    location(&res)
}

async fn the_invitation_page_tells_the_story_and_shows_a_new_code_only_once(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let created = lakeside
        .invite(&Invitee::maria().email("maria@example.org").by(&["email"]))
        .await;
    app.deliver().await;
    let desk = lakeside.admin().await;
    let path = format!("/staff/invitations/{}", created.id);

    let html = page(&desk, &path).await;
    assert!(html.contains("Maria Lopez"), "{html}");
    assert!(html.contains("Created by an integration (API token)"));
    assert!(html.contains("Sent by email to m…@example.org"));
    assert!(html.contains("Works until Dec 17, 2026") || html.contains("Works until"));
    assert_eq!(shown_code(&html), None, "a code is never shown again");
    assert!(!html.contains(&created.code));

    // Five wrong dates of birth lock it; the page says so and what to do.
    for _ in 0..5 {
        app.redeem(&created.code, "1979-01-01").await;
    }
    let html = page(&desk, &path).await;
    assert!(html.contains("state-locked\">Locked"), "{html}");
    assert!(html.contains("Check the date of birth with the patient, then re-send"));
    assert!(html.contains("Locked after too many wrong dates of birth"));

    // Re-send in Spanish: the new code is shown on the page the button leads to, once.
    let to = press(&desk, &created.id, "resend", &[("language", "es")]).await;
    assert_eq!(to, format!("{path}?done=resent"));
    let html = page(&desk, &to).await;
    let new_code = shown_code(&html).expect("the new code is shown");
    assert_ne!(new_code, created.code);
    assert!(html.contains("Sent again with a new code"));
    assert!(
        html.contains("Re-sent by Lakeside Clinic admin with a new code")
            || html.contains("Re-sent by")
    );
    let again = page(&desk, &to).await;
    assert_eq!(shown_code(&again), None, "reloading does not show it again");

    assert_eq!(
        app.redeem(&created.code, BIRTH_DATE).await.status(),
        StatusCode::BAD_REQUEST,
        "the old code is dead"
    );
    assert_eq!(
        app.redeem(&new_code, BIRTH_DATE).await.status(),
        StatusCode::OK,
        "the new one works"
    );
    let api_read: serde_json::Value = lakeside
        .get(&format!("/invitations/{}", created.id))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(api_read["language"], "es", "the re-send chose Spanish");
}

async fn a_new_hand_over_sheet_issues_a_code_and_sends_nothing(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let created = lakeside
        .invite(&Invitee::maria().email("maria@example.org").by(&["email"]))
        .await;
    app.deliver().await;
    let queued = app.count_rows("outbox").await;
    let desk = lakeside.admin().await;

    let to = press(&desk, &created.id, "sheet", &[]).await;
    let html = page(&desk, &to).await;
    let code = shown_code(&html).expect("the sheet shows the new code");
    assert!(html.contains("class=\"handover-sheet\""));
    assert!(html.contains("<svg role=\"img\""), "the link as a QR code");
    assert!(html.contains("Keep this sheet private"));
    assert!(html.contains("New code issued by"), "{html}");
    assert_eq!(
        app.count_rows("outbox").await,
        queued,
        "nothing is sent for a hand-over"
    );
    assert_eq!(app.deliver().await, 0);
    assert_eq!(app.redeem(&code, BIRTH_DATE).await.status(), StatusCode::OK);
}

async fn revoking_from_the_page_kills_the_code(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let created = lakeside.invite(&Invitee::maria()).await;
    let desk = lakeside.admin().await;
    let to = press(&desk, &created.id, "revoke", &[]).await;
    let html = page(&desk, &to).await;
    assert!(html.contains("Invitation revoked. Its code and link no longer work."));
    assert!(html.contains("Revoked by"));
    assert!(
        !html.contains("/resend\"") && !html.contains("/revoke\""),
        "nothing more can be done with it"
    );
    assert_eq!(
        app.redeem(&created.code, BIRTH_DATE).await.status(),
        StatusCode::BAD_REQUEST
    );
    // A stale page's button: refused with the reason, not a 500.
    let csrf = desk.csrf_for("/staff").await;
    let res = desk
        .post_form(
            &format!("/staff/invitations/{}/resend", created.id),
            &[("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.unwrap().contains("was revoked"));
}

async fn staff_of_another_practice_get_404_for_every_invitation_page_and_route(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let hillside = app.practice_with_admin("Hillside Clinic").await;
    let theirs = hillside
        .invite(
            &Invitee::new("Hana", "Hill")
                .email("hana@example.org")
                .by(&["email"]),
        )
        .await;
    let desk = lakeside.admin().await;
    let csrf = desk.csrf_for("/staff").await;
    let id = &theirs.id;
    assert_eq!(
        desk.get(&format!("/staff/invitations/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
    for action in ["resend", "sheet", "revoke"] {
        let res = desk
            .post_form(
                &format!("/staff/invitations/{id}/{action}"),
                &[("csrf_token", &csrf), ("language", "en")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{action}");
    }
    let read = hillside.invitation(id).await;
    assert_eq!(read.states(), ["draft"], "nothing happened to it");
    assert_eq!(
        app.redeem(&theirs.code, BIRTH_DATE).await.status(),
        StatusCode::OK,
        "its code still works"
    );
    let dashboard = page(&desk, "/staff").await;
    assert!(
        !dashboard.contains("Hana"),
        "another practice's patients never show"
    );
}

async fn the_dashboard_puts_locked_and_undelivered_invitations_first(
    app: &TestApp,
    provider: &MockServer,
) {
    refuse_texts(
        provider,
        "The 'To' number +14155550123 is not a valid phone number.",
    )
    .await;
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let texted = lakeside
        .invite(
            &Invitee::new("Tom", "Text")
                .phone("+14155550123")
                .by(&["sms"]),
        )
        .await;
    let locked = lakeside.invite(&Invitee::new("Lena", "Lock")).await;
    lakeside.invite(&Invitee::new("Olga", "Open")).await;
    for _ in 0..5 {
        app.redeem(&locked.code, "1979-01-01").await;
    }
    app.deliver().await;

    let desk = lakeside.admin().await;
    let html = page(&desk, "/staff").await;
    let attention = &html[html.find("Needs attention").expect("section")..];
    let attention = &attention[..attention.find("states-title").expect("next section")];
    assert!(attention.contains("Lena Lock"), "{attention}");
    assert!(attention.contains(&format!("/staff/invitations/{}/resend", locked.id)));
    assert!(attention.contains("Tom Text"));
    assert!(attention.contains("invitation by text message was not delivered"));
    assert!(
        attention.contains("is not a valid phone number"),
        "the provider's reason"
    );
    assert!(
        !attention.contains("Olga"),
        "an open invitation needs nothing"
    );
    assert!(html.contains(
        "href=\"/staff/invitations?state=locked\"><span class=\"count\">1</span> Locked"
    ));

    // The dashboard's Re-send unlocks it; a re-sent SMS that goes through clears the other.
    let csrf = desk.csrf_for("/staff").await;
    let res = desk
        .post_form(
            &format!("/staff/invitations/{}/resend", locked.id),
            &[("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    provider.reset().await;
    crate::common::provider::accept_all(provider).await;
    lakeside.resend(&texted.id).await;
    app.deliver().await;
    let html = page(&desk, "/staff").await;
    let attention = &html[html.find("Needs attention").expect("section")..];
    let attention = &attention[..attention.find("states-title").expect("next section")];
    assert!(
        attention.contains("Nothing needs attention right now."),
        "{attention}"
    );
}

async fn the_patients_door_names_the_practice_when_it_serves_one(app: &TestApp) {
    let visitor = app.browser();
    let html = visitor.get("/").await.text().await.unwrap();
    assert!(
        html.contains("Your patient portal"),
        "no practice yet: {html}"
    );
    app.practice_with_admin("Lakeside Clinic").await;
    let res = visitor.get("/").await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("<h1>Lakeside Clinic<span class=\"door-sub\">Patient portal</span></h1>")
    );
    for link in ["/portal/sign-in", "/register", "/portal/forgot", "/staff"] {
        assert!(html.contains(&format!("href=\"{link}\"")), "{link}");
    }
    app.practice_with_admin("Hillside Clinic").await;
    let html = visitor.get("/").await.text().await.unwrap();
    assert!(
        html.contains("Your patient portal") && !html.contains("Lakeside"),
        "with several practices the door names none"
    );
}

async fn error_pages_keep_their_frame_and_the_icon_answers(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let desk = lakeside.admin().await;
    let res = desk.get("/staff/invitations/no-such-invitation").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("aria-label=\"Staff pages\""),
        "the staff navigation: {html}"
    );
    assert!(html.contains("href=\"/staff/invitations/new\""));

    let res = app.browser().get("/portal/no-such-page").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("href=\"/\">Go to the patient portal's start page"),
        "{html}"
    );
    assert!(
        !html.contains("Staff pages"),
        "patients do not see the staff navigation"
    );

    for icon in ["/favicon.ico", "/assets/favicon.svg"] {
        let res = app.browser().get(icon).await;
        assert_eq!(res.status(), StatusCode::OK, "{icon}");
        assert_eq!(res.headers()["content-type"], "image/svg+xml");
    }
}

async fn the_api_resends_in_another_language_or_for_a_hand_over(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let created = lakeside
        .invite(&Invitee::maria().email("maria@example.org").by(&["email"]))
        .await;
    app.deliver().await;
    let path = format!("/invitations/{}/resend", created.id);

    let refused = crate::common::Api::expect_as::<crate::common::responses::Problem>(
        lakeside.post(&path, &json!({ "language": "fr" })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(refused.fields(), ["language"]);

    let sent = app.count_rows("outbox").await;
    crate::common::Api::expect(
        lakeside.post(&path, &json!({ "hand_over": true })).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        app.count_rows("outbox").await,
        sent,
        "a hand-over sends nothing"
    );

    crate::common::Api::expect(
        lakeside.post(&path, &json!({ "language": "es" })).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        app.count_rows("outbox").await,
        sent + 1,
        "one email, in Spanish"
    );
    let read: serde_json::Value = lakeside
        .get(&format!("/invitations/{}", created.id))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(read["language"], "es");
    assert_eq!(read["channels"], json!(["email"]), "the channels stay");
}
