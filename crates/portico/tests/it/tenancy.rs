//! Tenant isolation, tested from the outside: a practice's staff cannot reach another practice's
//! records by any id, through pages or the API, and roles limit who may change what.

use reqwest::{Method, StatusCode};

use crate::common::{
    Browser, CLI_ADMIN_PASSWORD, STAFF_PASSWORD, TestApp, id_from_location, on_both,
};

on_both!(
    staff_of_one_practice_get_404_for_every_record_of_another,
    staff_who_are_not_admins_cannot_add_staff_or_providers,
    a_practice_keeps_at_least_one_active_admin,
);

async fn add_provider(admin: &Browser, name: &str) -> String {
    let csrf = admin.csrf_for("/staff/providers").await;
    let res = admin
        .post_form(
            "/staff/providers",
            &[
                ("csrf_token", &csrf),
                ("display_name", name),
                ("staff_id", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "provider added");
    id_from_location(&res)
}

async fn staff_of_one_practice_get_404_for_every_record_of_another(app: &TestApp) {
    let a = app.set_up_practice("Practice A").await;
    app.cli_admin_create("Practice B", "admin@b.example", CLI_ADMIN_PASSWORD);
    let (b, _) = app.sign_in("admin@b.example", CLI_ADMIN_PASSWORD).await;

    let b_staff = b.add_staff("Bo Staff", "bo@b.example", "staff").await;
    let b_provider = add_provider(&b, "Dr. Bea Banner").await;
    let a_provider = add_provider(&a, "Dr. Al Archer").await;

    // B sees its own records.
    assert_eq!(
        b.get(&format!("/staff/members/{b_staff}")).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        b.get(&format!("/staff/providers/{b_provider}"))
            .await
            .status(),
        StatusCode::OK
    );

    // A gets 404 for B's, through pages and API, exactly as for ids that never existed.
    for path in [
        format!("/staff/members/{b_staff}"),
        format!("/staff/providers/{b_provider}"),
        "/staff/members/no-such-id".into(),
    ] {
        assert_eq!(
            a.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "page {path}"
        );
    }
    for path in [
        format!("/staff/{b_staff}"),
        format!("/providers/{b_provider}"),
    ] {
        let res = a.api(Method::GET, &path).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "api {path}");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
    }
    // Changing B's staff member from A is refused the same way, and changes nothing.
    let csrf = a.csrf_for("/staff/members").await;
    let res = a
        .post_form(
            &format!("/staff/members/{b_staff}"),
            &[("csrf_token", &csrf), ("role", "admin"), ("active", "true")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let bo = b
        .api(Method::GET, &format!("/staff/{b_staff}"))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(bo["role"], "staff");

    // Lists hold only the practice's own records.
    let a_list = a
        .api(Method::GET, "/providers")
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    let ids: Vec<&str> = a_list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![a_provider.as_str()]);
    let a_staff = a.get("/staff/members").await.text().await.unwrap();
    assert!(!a_staff.contains("bo@b.example") && !a_staff.contains("admin@b.example"));
    // A provider may only be tied to a staff account of the same practice.
    let csrf = a.csrf_for("/staff/providers").await;
    let res = a
        .post_form(
            "/staff/providers",
            &[
                ("csrf_token", &csrf),
                ("display_name", "Dr. X"),
                ("staff_id", &b_staff),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn staff_who_are_not_admins_cannot_add_staff_or_providers(app: &TestApp) {
    let admin = app.set_up_practice("Practice A").await;
    admin.add_staff("Sam Staff", "sam@a.example", "staff").await;
    let (sam, _) = app.sign_in("sam@a.example", STAFF_PASSWORD).await;
    // Sam can see the staff list but has no add form, and a crafted post is refused.
    let page = sam.get("/staff/members").await.text().await.unwrap();
    assert!(!page.contains("Add a staff member"));
    let csrf = sam.csrf_for("/staff").await;
    let res = sam
        .post_form(
            "/staff/members",
            &[
                ("csrf_token", &csrf),
                ("display_name", "Mal Ory"),
                ("email", "mal@a.example"),
                ("role", "admin"),
                ("password", STAFF_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = sam
        .post_form(
            "/staff/providers",
            &[("csrf_token", &csrf), ("display_name", "Dr. Mal")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(
        !admin
            .get("/staff/members")
            .await
            .text()
            .await
            .unwrap()
            .contains("mal@a.example")
    );
}

async fn a_practice_keeps_at_least_one_active_admin(app: &TestApp) {
    let admin = app.set_up_practice("Practice A").await;
    let me = admin
        .api(Method::GET, "/staff")
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    let my_id = me[0]["id"].as_str().unwrap().to_owned();
    let path = format!("/staff/members/{my_id}");
    let csrf = admin.csrf_for(&path).await;
    let res = admin
        .post_form(
            &path,
            &[("csrf_token", &csrf), ("role", "staff"), ("active", "true")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("at least one active admin")
    );
}
