//! The invited path's first step: the invitation link fills in the code, the date of birth opens
//! the registration, and the details form that follows keeps what was typed through errors.

use reqwest::StatusCode;
use wiremock::MockServer;

use serde_json::json;

use crate::common::responses::Problem;
use crate::common::{
    Api, BIRTH_DATE, Details, Invitee, PASSPHRASE, PHONE, TestApp, csrf_token, location,
    with_provider,
};

with_provider!(
    the_invitation_link_opens_the_invited_path_and_a_typed_form_survives_errors,
    an_invited_patient_may_correct_the_name_but_not_the_birth_date_and_staff_see_it
);

async fn the_invitation_link_opens_the_invited_path_and_a_typed_form_survives_errors(
    app: &TestApp,
    _provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let invitation = lakeside
        .invite(
            &Invitee::maria()
                .email("maria.lopez@example.org")
                .phone(PHONE)
                .by(&["email"]),
        )
        .await;
    let browser = app.browser();
    let page = browser.get_url(&invitation.link).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Your invitation from Lakeside Clinic"));
    assert!(
        !html.contains("I will register myself"),
        "the link opens the invited path only"
    );
    let token = invitation.link_token();
    let csrf = csrf_token(&html);
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
                ("birth_date", BIRTH_DATE),
            ],
        )
        .await;
    assert_eq!(location(&res), "/register/details");
    let html = browser.get("/register/details").await.text().await.unwrap();
    assert!(
        html.contains("value=\"Maria\""),
        "pre-filled from the invitation"
    );
    assert!(html.contains("autocomplete=\"new-password\""));

    // Field errors come back next to their fields with everything typed, except a password
    // that broke the rules. The failed post redirects to the form (Back never re-posts it).
    // A form with a wrong email address and this password.
    let send = |password: &'static str| {
        let (browser, csrf) = (&browser, &csrf);
        async move {
            let form = [
                ("csrf_token", csrf.as_str()),
                ("first_name", "Maria"),
                ("last_name", "Lopez"),
                ("birth_date", BIRTH_DATE),
                ("email", "not an address"),
                ("phone", "(415) 555-0123"),
                ("password", password),
            ];
            browser.post_form("/register/details", &form).await
        }
    };
    let res = send("short secret").await;
    assert_eq!(location(&res), "/register/details");
    let html = browser.get("/register/details").await.text().await.unwrap();
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
    // The errors were shown once: reloading shows the form as it stands.
    let again = browser.get("/register/details").await.text().await.unwrap();
    assert!(!again.contains("id=\"email-error\""));

    // A password that passed the rules is kept while another field is fixed.
    let res = send(PASSPHRASE).await;
    assert_eq!(location(&res), "/register/details");
    let html = browser.get("/register/details").await.text().await.unwrap();
    assert!(html.contains("id=\"email-error\"") && !html.contains("id=\"password-error\""));
    assert!(html.contains(&format!("value=\"{PASSPHRASE}\"")), "{html}");
}

/// The invitation's birth date was just proved, so it is fixed; a misspelt name may be corrected,
/// and the practice sees the name the account got next to the one it typed.
async fn an_invited_patient_may_correct_the_name_but_not_the_birth_date_and_staff_see_it(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let invitee = Invitee::maria()
        .email("maria@example.org")
        .phone(PHONE)
        .by(&["email"]);
    let (invitation, registration) = lakeside.invited_patient(&invitee).await;
    let typed = Details::maria("maria@example.org");
    let moved: Problem = Api::expect_as(
        registration
            .send_details(&typed.clone().birth_date("1985-04-13"))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(moved.errors[0].field, "birth_date");
    assert_eq!(
        moved.errors[0].message,
        "This must be the date of birth your invitation was checked with."
    );
    // The form shows the date as fixed.
    let untouched = lakeside.invitation(&invitation.id).await;
    assert_eq!(untouched.name_corrected_to, None);

    registration
        .finish_with(provider, &typed.first_name("María"))
        .await;
    let seen = lakeside.invitation(&invitation.id).await;
    assert_eq!(
        seen.name_corrected_to,
        Some(json!({"first_name": "María", "last_name": "Lopez"}))
    );
}
