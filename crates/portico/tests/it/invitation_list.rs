//! The invitation list through the API (and its page where the page has its own rules): each
//! filter, each order with keyset pages both ways, a search that folds case and accents alike on
//! both databases and finds email addresses and phone digits, the re-send of many expired and
//! locked invitations at once, and a practice that never sees another's invitations.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::common::responses::{BulkResent, InvitationPage, IssuedInvitation, Problem};
use crate::common::{Api, BIRTH_DATE as BIRTH, Browser, Invitee, TestApp, on_both};

on_both!(
    the_list_filters_by_state_provider_program_and_relation,
    the_list_sorts_four_ways_and_pages_forwards_and_back,
    search_folds_case_and_accents_and_finds_email_and_phone_digits,
    invitations_made_before_search_terms_are_indexed_when_the_service_starts,
    bulk_resend_renews_expired_and_locked_invitations_and_reports_the_rest,
    bulk_resend_refuses_an_empty_or_oversized_list,
    staff_of_one_practice_never_list_search_or_resend_anothers_invitations,
    the_list_page_answers_a_stale_address_calmly,
);

const DAY: Duration = Duration::from_secs(86_400);

/// A page of the list for `query`, which must be answered.
async fn list(api: &Api, query: &str) -> InvitationPage {
    Api::expect_as(
        api.get(&format!("/invitations?{query}")).await,
        StatusCode::OK,
    )
    .await
}

/// The names `query` lists (one page of up to 50).
async fn names(api: &Api, query: &str) -> Vec<String> {
    list(api, query).await.names()
}

fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names
}

/// The field a refused list query names.
async fn refused(api: &Api, query: &str) -> Vec<String> {
    let problem: Problem = Api::expect_as(
        api.get(&format!("/invitations?{query}")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    problem.fields().iter().map(|f| (*f).to_owned()).collect()
}

/// Someone invited by email (so a re-send has somewhere to go).
fn by_email(first: &str, last: &str) -> Invitee {
    let email = format!(
        "{}.{}@example.org",
        first.to_lowercase(),
        last.to_lowercase()
    );
    Invitee::new(first, last).email(&email).by(&["email"])
}

/// Five wrong birth dates lock an invitation.
async fn lock(app: &TestApp, code: &str) {
    for _ in 0..5 {
        assert_eq!(
            app.redeem(code, "1980-02-04").await.status(),
            StatusCode::BAD_REQUEST
        );
    }
}

async fn the_list_filters_by_state_provider_program_and_relation(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let rivera = lakeside.add_provider("Dr. Rivera").await;
    let heart = lakeside
        .add_program("Heart health", "Heart2026", "notify")
        .await;
    lakeside.invite(&Invitee::new("Olga", "Old")).await;
    app.advance(15 * DAY);
    lakeside
        .invite(&Invitee::new("Ana", "Silva").with("provider_id", rivera.id.as_str()))
        .await;
    app.advance(Duration::from_secs(1));
    let household = json!({ "first_name": "Jan", "last_name": "Okafor", "birth_date": "1952-01-02", "channels": [] });
    lakeside
        .invite(
            &Invitee::new("Ben", "Okafor")
                .with("program_id", heart.as_str())
                .with("household", household),
        )
        .await;
    let locked = lakeside.invite(&by_email("Lou", "Locked")).await;
    lock(app, &locked.code).await;

    assert_eq!(names(&lakeside, "state=expired").await, ["Olga Old"]);
    let locked_page = list(&lakeside, "state=locked").await;
    assert_eq!(locked_page.names(), ["Lou Locked"]);
    assert_eq!(
        (
            locked_page.items[0].id.as_str(),
            locked_page.items[0].state.as_str()
        ),
        (locked.id.as_str(), "locked")
    );
    let sent = names(&lakeside, "state=sent").await;
    assert_eq!(
        sent[2], "Ana Silva",
        "handed over, so counted as sent; newest first: {sent:?}"
    );
    assert_eq!(
        sorted(sent),
        ["Ana Silva", "Ben Okafor", "Jan Okafor"],
        "Ben and Jan were made together"
    );
    assert_eq!(
        names(&lakeside, &format!("provider_id={}", rivera.id)).await,
        ["Ana Silva"]
    );
    assert_eq!(
        sorted(names(&lakeside, &format!("program_id={heart}")).await),
        ["Ben Okafor", "Jan Okafor"],
        "the household member shares the program"
    );
    assert_eq!(names(&lakeside, "relation=household").await, ["Jan Okafor"]);
    assert_eq!(
        names(&lakeside, &format!("relation=patient&program_id={heart}")).await,
        ["Ben Okafor"],
        "filters add up"
    );
    assert!(
        names(&lakeside, "state=expired&relation=household")
            .await
            .is_empty()
    );
    assert_eq!(
        names(&lakeside, "state=&relation=&provider_id=&sort=")
            .await
            .len(),
        5,
        "blank filters are no filters"
    );
    assert_eq!(
        refused(&lakeside, "relation=cousin&sort=random&state=lost").await,
        ["state", "relation", "sort"],
        "every bad parameter is named at once"
    );
    // Each page's reads were audited, one event per invitation shown, under one claim of the
    // chain's head per page: the chain still holds.
    assert!(
        app.count_rows("audit_events WHERE action = 'invitation.listed'")
            .await
            >= 15
    );
    let verified = app.cli(&["audit", "verify"], None);
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );
}

async fn the_list_sorts_four_ways_and_pages_forwards_and_back(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let mut made: Vec<IssuedInvitation> = Vec::new();
    for (first, last) in [
        ("Carla", "Diaz"),
        ("Émile", "Zola"),
        ("Ana", "Álvarez"),
        ("Bo", "Berg"),
        ("Li", "Chen"),
    ] {
        made.push(lakeside.invite(&Invitee::new(first, last)).await);
        app.advance(Duration::from_secs(1));
    }
    let newest = [
        "Li Chen",
        "Bo Berg",
        "Ana Álvarez",
        "Émile Zola",
        "Carla Diaz",
    ];
    assert_eq!(names(&lakeside, "").await, newest);
    assert_eq!(names(&lakeside, "sort=newest").await, newest);
    let oldest: Vec<&str> = newest.iter().rev().copied().collect();
    assert_eq!(names(&lakeside, "sort=oldest").await, oldest);
    assert_eq!(
        names(&lakeside, "sort=name").await,
        [
            "Ana Álvarez",
            "Bo Berg",
            "Li Chen",
            "Carla Diaz",
            "Émile Zola"
        ],
        "by last name, accents folded, alike on both databases"
    );

    // Carla's re-send gives her a fresh expiry; Li's revocation takes him out of the open ones.
    app.advance(DAY);
    Api::expect(lakeside.resend(&made[0].id).await, StatusCode::OK).await;
    Api::expect(lakeside.revoke(&made[4].id).await, StatusCode::OK).await;
    assert_eq!(
        names(&lakeside, "sort=expiring").await,
        ["Émile Zola", "Ana Álvarez", "Bo Berg", "Carla Diaz"],
        "open invitations only, the soonest to expire first"
    );

    // Keyset pages, forwards to the end and back to the start.
    let page1 = list(&lakeside, "limit=2").await;
    assert_eq!(page1.names(), newest[..2]);
    assert!(page1.previous_cursor.is_none(), "the first page");
    let next = page1.next_cursor.expect("more to come");
    let page2 = list(&lakeside, &format!("limit=2&cursor={next}")).await;
    assert_eq!(page2.names(), newest[2..4]);
    let next = page2.next_cursor.expect("more to come");
    let page3 = list(&lakeside, &format!("limit=2&cursor={next}")).await;
    assert_eq!(page3.names(), newest[4..]);
    assert!(page3.next_cursor.is_none(), "the last page");
    let back = page3.previous_cursor.expect("a page before");
    let again2 = list(&lakeside, &format!("limit=2&before={back}")).await;
    assert_eq!(again2.names(), newest[2..4], "the same page as on the way");
    assert!(again2.next_cursor.is_some());
    let back = again2.previous_cursor.expect("a page before");
    let again1 = list(&lakeside, &format!("limit=2&before={back}")).await;
    assert_eq!(again1.names(), newest[..2]);
    assert!(
        again1.previous_cursor.is_none(),
        "nothing before the first page"
    );

    // By name, a page at a time; a cursor holds to the order it was given in.
    let by_name = list(&lakeside, "sort=name&limit=3").await;
    assert_eq!(by_name.names(), ["Ana Álvarez", "Bo Berg", "Li Chen"]);
    let next = by_name.next_cursor.expect("more to come");
    assert_eq!(
        names(&lakeside, &format!("sort=name&limit=3&cursor={next}")).await,
        ["Carla Diaz", "Émile Zola"]
    );
    assert_eq!(
        refused(&lakeside, &format!("sort=oldest&cursor={next}")).await,
        ["cursor"]
    );
    assert_eq!(
        refused(&lakeside, &format!("sort=name&cursor={next}&before={next}")).await,
        ["before"]
    );
}

async fn search_folds_case_and_accents_and_finds_email_and_phone_digits(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    for invitee in [
        Invitee::new("Émile", "Zola")
            .email("Emile.Zola@Example.org")
            .phone("+1 415 555 0123"),
        Invitee::new("María", "López").email("maria@example.org"),
        Invitee::new("Maria", "Lopez")
            .email("mlopez@example.net")
            .phone("+1 415 555 0199"),
        Invitee::new("Jean-Luc", "O'Brien"),
    ] {
        lakeside.invite(&invitee).await;
        app.advance(Duration::from_secs(1));
    }
    let no_email = lakeside.invite(&Invitee::new("Lu", "Kim")).await;
    let username = no_email.username.expect("a patient without email gets one");

    let search = |q: &str| {
        let query = serde_urlencoded::to_string([("q", q)]).unwrap();
        let api = &lakeside;
        async move { names(api, &query).await }
    };
    for q in [
        "emile",
        "ÉMILE",
        "zola emile",
        "Zol",
        "emile.zola@ex",
        "EMILE.ZOLA@EXAMPLE.ORG",
        "emile.zo",
    ] {
        assert_eq!(search(q).await, ["Émile Zola"], "{q}");
    }
    for q in ["lopez", "LOPEZ", "lópez maría", "maria lo"] {
        assert_eq!(search(q).await, ["Maria Lopez", "María López"], "{q}");
    }
    for q in [
        "0123",
        "555-0123",
        "(415) 555-0123",
        "+1 415 555 0123",
        "14155550123",
    ] {
        assert_eq!(search(q).await, ["Émile Zola"], "{q}");
    }
    assert_eq!(search("415 555").await, ["Maria Lopez", "Émile Zola"]);
    for q in ["obrien", "o'brien", "luc", "jean-luc"] {
        assert_eq!(search(q).await, ["Jean-Luc O'Brien"], "{q}");
    }
    assert_eq!(search(&username.to_uppercase()).await, ["Lu Kim"]);
    assert_eq!(
        search("mlopez").await,
        ["Maria Lopez"],
        "an address's own words find it"
    );
    assert!(
        search("mith").await.is_empty(),
        "words match from their start"
    );
    assert!(
        search("emile lopez").await.is_empty(),
        "every word must match"
    );
    assert!(search("_").await.is_empty());
    assert!(
        names(&lakeside, "q=lopez&state=locked").await.is_empty(),
        "the search and the filters add up"
    );
    assert_eq!(
        sorted(names(&lakeside, "q=lopez&sort=name").await),
        ["Maria Lopez", "María López"],
        "the same name folded: ordered by id"
    );
    assert_eq!(refused(&lakeside, "q=a+b+c+d+e").await, ["q"]);

    // A search a page at a time, both ways, and in each order.
    let first = list(&lakeside, "q=lopez&limit=1").await;
    assert_eq!(first.names(), ["Maria Lopez"]);
    let next = first.next_cursor.expect("another match");
    let second = list(&lakeside, &format!("q=lopez&limit=1&cursor={next}")).await;
    assert_eq!(second.names(), ["María López"]);
    assert!(second.next_cursor.is_none());
    let back = second.previous_cursor.expect("a page before");
    assert_eq!(
        names(&lakeside, &format!("q=lopez&limit=1&before={back}")).await,
        ["Maria Lopez"]
    );
    assert_eq!(
        names(&lakeside, "q=lopez&sort=oldest").await,
        ["María López", "Maria Lopez"]
    );
    assert_eq!(
        names(&lakeside, "q=lopez&sort=expiring&limit=1").await,
        ["María López"]
    );
    assert_eq!(
        names(&lakeside, "q=lopez&state=sent&relation=patient").await,
        ["Maria Lopez", "María López"],
        "handed over, both count as sent"
    );
    assert!(names(&lakeside, "q=lopez&state=draft").await.is_empty());
}

async fn invitations_made_before_search_terms_are_indexed_when_the_service_starts(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    lakeside.invite(&Invitee::new("Émile", "Zola")).await;
    lakeside.invite(&Invitee::new("Ana", "Álvarez")).await;
    // As the rows were before migration 0011 (which adds the terms, and an empty sort key).
    app.raw_sql("DELETE FROM invitation_search_terms; UPDATE invitations SET sort_name = ''")
        .await;
    assert!(names(&lakeside, "q=emile").await.is_empty());

    let out = app.cli(&["migrate"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(names(&lakeside, "q=emile").await, ["Émile Zola"]);
    assert_eq!(
        names(&lakeside, "sort=name").await,
        ["Ana Álvarez", "Émile Zola"]
    );
}

/// Asks for a bulk re-send; the answer, whatever it is.
async fn resend_many(api: &Api, ids: &[&str]) -> reqwest::Response {
    api.post("/invitations/resend", &json!({ "ids": ids }))
        .await
}

/// The code in the newest invitation message to `email`, read on the practice's development
/// outbox (the `log` transport keeps what it would have sent).
async fn newest_code_to(admin: &Browser, email: &str) -> String {
    let html = admin.get("/dev/outbox").await.text().await.unwrap();
    let to = format!("<dd>{email}</dd>");
    html.split("<article")
        .filter(|a| a.contains(&to))
        .filter_map(|a| {
            a.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .find(|w| crate::mailbox::is_invite_code(w))
                .map(str::to_owned)
        })
        .next()
        .expect("an invitation message to this address")
}

async fn bulk_resend_renews_expired_and_locked_invitations_and_reports_the_rest(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let hillside = app.practice_with_admin("Hillside Clinic").await;
    let expired = lakeside.invite(&by_email("Eve", "Expired")).await;
    let handed = lakeside.invite(&Invitee::new("Hal", "Handed")).await;
    let theirs = hillside.invite(&by_email("Tom", "Theirs")).await;
    app.advance(15 * DAY);
    let locked = lakeside.invite(&by_email("Lou", "Locked")).await;
    lock(app, &locked.code).await;
    let registered = lakeside.invite(&by_email("Reg", "Istered")).await;
    // As a completed registration leaves it (the long way is registration's own tests).
    app.raw_sql(&format!(
        "UPDATE invitations SET state = 'redeemed', code_hash = NULL WHERE id = '{}'",
        registered.id
    ))
    .await;
    let open = lakeside.invite(&by_email("Otto", "Open")).await;
    app.advance(Duration::from_secs(60));

    let ids = [
        expired.id.as_str(),
        locked.id.as_str(),
        registered.id.as_str(),
        open.id.as_str(),
        handed.id.as_str(),
        theirs.id.as_str(),
        expired.id.as_str(),
    ];
    let done: BulkResent = Api::expect_as(resend_many(&lakeside, &ids).await, StatusCode::OK).await;
    let outcomes: Vec<(&str, &str)> = done
        .items
        .iter()
        .map(|i| (i.id.as_str(), i.outcome.as_str()))
        .collect();
    assert_eq!(
        outcomes,
        [
            (ids[0], "resent"),
            (ids[1], "resent"),
            (ids[2], "redeemed"),
            (ids[3], "still_open"),
            (ids[4], "handed_over"),
            (ids[5], "not_found"),
        ],
        "each id once, in the order asked"
    );

    // The old codes are dead, the new ones (sent by email) work.
    let admin = lakeside.admin().await;
    for (old, email) in [
        (&expired, "eve.expired@example.org"),
        (&locked, "lou.locked@example.org"),
    ] {
        let new = newest_code_to(&admin, email).await;
        assert_ne!(new, old.code);
        assert_eq!(
            app.redeem(&old.code, BIRTH).await.status(),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(app.redeem(&new, BIRTH).await.status(), StatusCode::OK);
    }
    assert_eq!(lakeside.invitation(&open.id).await.states(), ["draft"]);
    assert_eq!(lakeside.invitation(&handed.id).await.state, "expired");
    let theirs_now = hillside.invitation(&theirs.id).await;
    assert_eq!(
        (theirs_now.state.as_str(), theirs_now.states().len()),
        ("expired", 2),
        "another practice's invitation is untouched"
    );
    assert_eq!(
        app.redeem(&theirs.code, BIRTH).await.status(),
        StatusCode::BAD_REQUEST,
        "and its code was not renewed"
    );
}

async fn bulk_resend_refuses_an_empty_or_oversized_list(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let problem: Problem = Api::expect_as(
        resend_many(&lakeside, &[]).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem.fields(), ["ids"]);
    let many: Vec<String> = (0..201).map(|i| format!("id-{i}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let problem: Problem = Api::expect_as(
        resend_many(&lakeside, &many).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        problem.message_for("ids"),
        "Re-send at most 200 invitations at a time."
    );
}

async fn staff_of_one_practice_never_list_search_or_resend_anothers_invitations(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let hillside = app.practice_with_admin("Hillside Clinic").await;
    lakeside.invite(&by_email("Ana", "Lakeside")).await;
    let theirs = hillside.invite(&by_email("Emile", "Hillside")).await;
    app.advance(15 * DAY);

    assert_eq!(names(&lakeside, "").await, ["Ana Lakeside"]);
    assert!(names(&lakeside, "q=emile").await.is_empty());
    assert!(names(&lakeside, "q=hillside").await.is_empty());
    assert!(
        names(&lakeside, "q=emile.hillside@example.org")
            .await
            .is_empty()
    );
    assert_eq!(names(&hillside, "q=emile").await, ["Emile Hillside"]);

    // Lakeside's staff on their pages: the list and a bulk re-send with Hillside's id.
    let staff = lakeside.admin().await;
    let page = staff
        .get("/staff/invitations?q=emile")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("No invitations match"), "{page}");
    assert!(!page.contains("Hillside"));
    let csrf = staff.csrf_for("/staff/invitations").await;
    let res = staff
        .post_form(
            "/staff/invitations/resend",
            &[("csrf_token", csrf.as_str()), ("ids", theirs.id.as_str())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let back = staff.get("/staff/invitations").await.text().await.unwrap();
    assert!(
        back.contains(
            "No invitation was re-sent. 1 could not be re-sent: An invitation (not found)."
        ),
        "{back}"
    );
    let untouched = hillside.invitation(&theirs.id).await;
    assert_eq!(untouched.states(), ["draft", "expired"]);
}

async fn the_list_page_answers_a_stale_address_calmly(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    lakeside.invite(&Invitee::maria()).await;
    let staff = lakeside.admin().await;
    for query in [
        "cursor=not-a-cursor",
        "state=pending",
        "sort=name&cursor=bm9wZTp4OjE",
        "state=locked&state=expired&q=%ZZ",
    ] {
        let res = staff.get(&format!("/staff/invitations?{query}")).await;
        let status = res.status();
        let page = res.text().await.unwrap();
        assert!(
            status == StatusCode::BAD_REQUEST || status == StatusCode::OK,
            "{query}: {status}"
        );
        if status == StatusCode::BAD_REQUEST {
            assert!(
                page.contains("Show all invitations from the first page"),
                "{query}: {page}"
            );
        }
    }
    let page = staff
        .get("/staff/invitations?cursor=not-a-cursor")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("This page link is not one we gave out"),
        "{page}"
    );
    let fine = staff.get("/staff/invitations?state=sent").await;
    assert_eq!(fine.status(), StatusCode::OK);
    assert!(fine.text().await.unwrap().contains("Maria Lopez"));
}
