//! The practice's patients as staff see them (issue #20), over the API and the pages, on both
//! databases: the list searched the way the front desk types (accents and capitals aside, phone
//! digits, a username, a date of birth) and paged; one patient's record; and the end of a
//! patient's access — the practice disappears from their portal, and with no practice left they
//! cannot sign in and are told why. Another practice's staff find none of it.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use wiremock::MockServer;

use crate::common::{Api, Details, PASSPHRASE, Practice, TestApp, with_provider};

with_provider!(
    staff_find_patients_the_way_the_front_desk_types_and_page_through_them,
    an_end_date_hides_the_practice_and_with_no_practice_left_the_patient_cannot_sign_in,
    an_end_date_ahead_keeps_access_until_that_day_and_staff_can_lift_it,
    another_practice_finds_none_of_the_patients_or_their_end_dates,
    a_household_invited_in_one_step_shows_on_both_records,
);

/// Today on the practice's calendar: the test clock starts at 2026-11-18 11:06 UTC, which is the
/// morning of the same day in New York, the practices' default time zone.
const TODAY: &str = "2026-11-18";

/// The ids and names of a page of `GET /patients…`.
async fn listed(practice: &Practice<'_>, query: &str) -> (Vec<String>, Value) {
    let page = Api::expect(
        practice.get(&format!("/patients{query}")).await,
        StatusCode::OK,
    )
    .await;
    let names = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|p| format!("{} {}", p["first_name"], p["last_name"]).replace('"', ""))
        .collect();
    (names, page)
}

async fn patient_id(practice: &Practice<'_>, search: &str) -> String {
    let (_, page) = listed(practice, &format!("?q={search}")).await;
    page["items"][0]["id"].as_str().expect("found").to_owned()
}

async fn staff_find_patients_the_way_the_front_desk_types_and_page_through_them(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let rivera = lakeside.add_provider("Dr. Ana Rivera").await;
    lakeside
        .registered_patient(provider, "maria@example.org")
        .await;
    let emile = Details::maria("emile@example.org")
        .first_name("Émile")
        .with_last_name("Zola")
        .birth_date("1975-06-07")
        .phone("(415) 555-0177");
    app.start_registration(&rivera.code)
        .await
        .finish_with(provider, &emile)
        .await;
    let ana = Details::maria("")
        .first_name("Ana")
        .with_last_name("Abbott")
        .birth_date("1990-01-01")
        .phone("(415) 555-0199")
        .without_email();
    let registered = lakeside
        .start_registration()
        .await
        .finish_with(provider, &ana)
        .await;
    let ana_username = registered.username.clone().expect("a username");

    // Everyone, by last name.
    let (names, page) = listed(&lakeside, "").await;
    assert_eq!(names, ["Ana Abbott", "Maria Lopez", "Émile Zola"]);
    assert_eq!(page["items"][1]["standing"], "active");
    assert_eq!(page["items"][1]["birth_date"], "1980-02-03");

    // As the front desk types: no accents, capitals, a phone's last digits, a username, a date.
    for (query, expected) in [
        ("?q=EMILE", "Émile Zola"),
        ("?q=zol%20emi", "Émile Zola"),
        ("?q=555-0177", "Émile Zola"),
        ("?q=maria%40example", "Maria Lopez"),
        (&format!("?q={ana_username}"), "Ana Abbott"),
        ("?birth_date=1980-02-03", "Maria Lopez"),
        (&format!("?provider_id={}", rivera.id), "Émile Zola"),
    ] {
        let (names, _) = listed(&lakeside, query).await;
        assert_eq!(names, [expected], "{query}");
    }
    let (names, _) = listed(&lakeside, "?standing=ended").await;
    assert!(names.is_empty(), "nobody's access has ended: {names:?}");

    // A page at a time: the cursor leads on, and the last page has none.
    let (names, first) = listed(&lakeside, "?limit=2").await;
    assert_eq!(names, ["Ana Abbott", "Maria Lopez"]);
    let cursor = first["next_cursor"].as_str().expect("a next page");
    let (names, last) = listed(&lakeside, &format!("?limit=2&cursor={cursor}")).await;
    assert_eq!(names, ["Émile Zola"]);
    assert!(last["next_cursor"].is_null());

    // What the list cannot read is named, and nothing is listed.
    for (query, field) in [
        ("?cursor=not-ours", "cursor"),
        ("?birth_date=02/03/1980", "birth_date"),
        ("?standing=gone", "standing"),
        ("?limit=0", "limit"),
    ] {
        let problem = Api::expect(
            lakeside.get(&format!("/patients{query}")).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], field, "{query}");
    }

    // One record: the link by the provider's code, and the trail of who looked.
    let id = patient_id(&lakeside, "zola").await;
    let record = Api::expect(
        lakeside.get(&format!("/patients/{id}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(record["first_name"], "Émile");
    assert_eq!(record["links"][0]["provider_name"], "Dr. Ana Rivera");
    assert_eq!(record["links"][0]["source"], "provider_code");

    // The page says the same, to a signed-in staff member, and its trail tells of the reads.
    let admin = lakeside.admin().await;
    let html = admin
        .get(&format!("/staff/patients/{id}"))
        .await
        .text()
        .await
        .expect("a page");
    assert!(html.contains("Émile Zola") && html.contains("Dr. Ana Rivera"));
    assert!(
        html.contains("Émile Zola registered and was linked to the practice"),
        "the record's trail tells what happened"
    );
    assert!(
        !html.contains("viewed the record of Émile Zola"),
        "reads are in the audit log, not in the record's trail"
    );
    let list = admin
        .get("/staff/patients?q=emile")
        .await
        .text()
        .await
        .expect("a page");
    assert!(list.contains("Zola, Émile") && !list.contains("Lopez, Maria"));
}

async fn an_end_date_hides_the_practice_and_with_no_practice_left_the_patient_cannot_sign_in(
    app: &TestApp,
    provider: &MockServer,
) {
    let (lakeside, maria) = app.registered_patient(provider).await;
    let harbor = app.practice_with_admin("Harbor Clinic").await;
    assert_eq!(
        maria
            .add_provider_code(&harbor.provider_code().await)
            .await
            .status(),
        StatusCode::OK
    );
    let id = patient_id(&lakeside, "maria").await;

    // A day already past is refused, and changes nothing.
    let refused = Api::expect(
        lakeside
            .put(
                &format!("/patients/{id}/access-end"),
                &json!({ "date": "2026-11-01" }),
            )
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(refused["errors"][0]["field"], "date");
    assert_eq!(maria.me().await.cards.len(), 2);

    // Lakeside ends her access today: its card goes at once; Harbor's stays, and she signs in.
    let res = lakeside
        .put(
            &format!("/patients/{id}/access-end"),
            &json!({ "date": TODAY }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let cards = maria.me().await.cards;
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0].practice_name, "Harbor Clinic");
    assert_eq!(
        app.sign_in_patient("maria@example.org", PASSPHRASE)
            .await
            .status(),
        StatusCode::CREATED
    );
    let (names, page) = listed(&lakeside, "?standing=ended").await;
    assert_eq!(names, ["Maria Lopez"], "Lakeside still lists her, as ended");
    assert!(page["items"][0]["access_ended_at"].is_string());
    // Lakeside's code does not bring her back.
    let again = maria
        .add_provider_code(&lakeside.provider_code().await)
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(maria.me().await.cards.len(), 1, "still only Harbor");

    // Harbor ends it too: her sessions end, and signing in says why — only with her password.
    let harbor_id = patient_id(&harbor, "maria").await;
    let res = harbor
        .put(
            &format!("/patients/{harbor_id}/access-end"),
            &json!({ "date": TODAY }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        maria.get("/patient").await.status(),
        StatusCode::UNAUTHORIZED,
        "her open session ended with her last practice"
    );
    let ended = Api::expect(
        app.sign_in_patient("maria@example.org", PASSPHRASE).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(ended["type"], "/problems/access-ended");
    assert!(
        ended["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("Your access to the patient portal has ended"),
        "{ended}"
    );
    let wrong = app
        .sign_in_patient("maria@example.org", "not her password at all")
        .await;
    assert_eq!(
        wrong.status(),
        StatusCode::UNAUTHORIZED,
        "a wrong password learns nothing about the account"
    );

    // Lakeside's record keeps her history, and tells who ended her access.
    let html = lakeside
        .admin()
        .await
        .get(&format!("/staff/patients/{id}"))
        .await
        .text()
        .await
        .expect("a page");
    assert!(html.contains("Access ended"), "the record says so");
    assert!(html.contains("set an end date on the access of Maria Lopez"));
}

async fn an_end_date_ahead_keeps_access_until_that_day_and_staff_can_lift_it(
    app: &TestApp,
    provider: &MockServer,
) {
    let (lakeside, maria) = app.registered_patient(provider).await;
    let id = patient_id(&lakeside, "maria").await;
    let res = lakeside
        .put(
            &format!("/patients/{id}/access-end"),
            &json!({ "date": "2026-11-20" }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    // Until that day she is an active patient, and the list says until when.
    assert_eq!(maria.me().await.cards.len(), 1);
    let (_, page) = listed(&lakeside, "?standing=active").await;
    assert!(page["items"][0]["access_ends_at"].is_string(), "{page}");

    // From that day she is listed as ended, and cannot sign in; an end already passed is lifted,
    // not quietly moved.
    app.advance(Duration::from_secs(3 * 24 * 3600));
    let (names, _) = listed(&lakeside, "?standing=ended").await;
    assert_eq!(names, ["Maria Lopez"]);
    let moved = lakeside
        .put(
            &format!("/patients/{id}/access-end"),
            &json!({ "date": "2026-12-31" }),
        )
        .await;
    assert_eq!(moved.status(), StatusCode::CONFLICT);
    assert_eq!(
        app.sign_in_patient("maria@example.org", PASSPHRASE)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    // Staff lift the end: she is back, and lifting twice says there is nothing to lift.
    assert_eq!(
        lakeside
            .delete(&format!("/patients/{id}/access-end"))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let maria = app.signed_in_patient("maria@example.org", PASSPHRASE).await;
    assert_eq!(maria.me().await.cards.len(), 1);
    assert_eq!(
        lakeside
            .delete(&format!("/patients/{id}/access-end"))
            .await
            .status(),
        StatusCode::CONFLICT
    );
}

async fn another_practice_finds_none_of_the_patients_or_their_end_dates(
    app: &TestApp,
    provider: &MockServer,
) {
    let (lakeside, maria) = app.registered_patient(provider).await;
    let id = patient_id(&lakeside, "maria").await;
    let harbor = app.practice_with_admin("Harbor Clinic").await;

    let (names, _) = listed(&harbor, "").await;
    assert!(names.is_empty(), "Harbor has no patients: {names:?}");
    let (names, _) = listed(&harbor, "?q=maria").await;
    assert!(names.is_empty());
    for res in [
        harbor.get(&format!("/patients/{id}")).await,
        harbor
            .put(
                &format!("/patients/{id}/access-end"),
                &json!({ "date": TODAY }),
            )
            .await,
        harbor.delete(&format!("/patients/{id}/access-end")).await,
        harbor.get("/patients/no-such-patient").await,
    ] {
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
    let harbor_admin = harbor.admin().await;
    assert_eq!(
        harbor_admin
            .get(&format!("/staff/patients/{id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        maria.me().await.cards.len(),
        1,
        "Lakeside's card is untouched"
    );
}

async fn a_household_invited_in_one_step_shows_on_both_records(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let body = json!({
        "first_name": "Maria", "last_name": "Lopez", "birth_date": "1980-02-03",
        "email": "maria@example.org", "channels": [],
        "household": { "first_name": "Jan", "last_name": "Lopez", "birth_date": "2012-05-06",
                       "email": "jan@example.org", "channels": [] },
    });
    let created = Api::expect(
        lakeside.post("/invitations", &body).await,
        StatusCode::CREATED,
    )
    .await;
    let code = |v: &Value| v["code"].as_str().expect("a code").to_owned();
    let (maria_code, jan_code) = (code(&created), code(&created["related"][0]));

    // Before Jan registers, Maria's record shows his invitation.
    app.redeem_invitation(&maria_code, "1980-02-03")
        .await
        .finish(provider, "maria@example.org")
        .await;
    let maria = patient_id(&lakeside, "maria").await;
    let record = Api::expect(
        lakeside.get(&format!("/patients/{maria}")).await,
        StatusCode::OK,
    )
    .await;
    let household = record["invitations"].as_array().expect("invitations");
    assert_eq!(household.len(), 2, "{record}");
    // His registration can be started on the front-desk tablet from Maria's record.
    let jan_invitation = created["related"][0]["id"].as_str().expect("an id");
    let page = lakeside
        .admin()
        .await
        .get(&format!("/staff/patients/{maria}"))
        .await
        .text()
        .await
        .expect("Maria's record");
    assert!(
        page.contains(&format!("/staff/invitations/{jan_invitation}/tablet")),
        "Start on tablet for Jan"
    );
    assert_eq!(household[0]["own"], true);
    assert_eq!(household[1]["relation"], "household");
    assert_eq!(household[1]["first_name"], "Jan");
    assert!(household[1]["patient_id"].is_null(), "not registered yet");

    // Once he has, each record leads to the other.
    let jan_details = Details::maria("jan@example.org")
        .first_name("Jan")
        .birth_date("2012-05-06")
        .phone("(415) 555-0166");
    app.redeem_invitation(&jan_code, "2012-05-06")
        .await
        .finish_with(provider, &jan_details)
        .await;
    let jan = patient_id(&lakeside, "jan").await;
    let record = Api::expect(
        lakeside.get(&format!("/patients/{maria}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(record["invitations"][1]["patient_id"], jan.as_str());
    let page = lakeside
        .admin()
        .await
        .get(&format!("/staff/patients/{jan}"))
        .await
        .text()
        .await
        .expect("Jan's record");
    assert!(
        page.contains(&format!("href=\"/staff/patients/{maria}\">Maria Lopez</a>")),
        "Jan's record leads to Maria's"
    );
    assert!(
        page.contains("Invited with: "),
        "Maria is named as the one he was invited with"
    );
}
