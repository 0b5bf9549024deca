//! The audit log a practice manager reads (issue #19): events told in words with the names they
//! are about, on the practice's clock, newest first, in keyset pages; narrowed by who, what,
//! which patient (found by name: the events about them and their invitations) and which days;
//! downloaded as a CSV file that holds the filter's events with the chain's fields, safe to open
//! in a spreadsheet, the download itself audited. Admins only; a practice never sees another's
//! events or names.

use reqwest::StatusCode;
use serde::Deserialize;
use wiremock::MockServer;

use crate::common::{
    Browser, Details, Invitee, STAFF_PASSWORD, TestApp, location, on_both, with_provider,
};

on_both!(
    the_log_tells_events_in_words_with_names_newest_first,
    a_name_that_means_several_people_asks_which_one,
    the_log_filters_by_who_what_and_days_and_pages_with_keyset_links,
    the_csv_export_holds_the_filtered_events_with_the_chain_fields_and_is_audited,
    a_bad_filter_is_a_message_next_to_it_not_an_error_page,
    staff_who_are_not_admins_get_403_on_the_audit_log_and_its_export,
);

mod registered {
    use super::*;
    with_provider!(
        the_log_filtered_to_one_patient_shows_their_events_and_their_invitations_only,
        the_csv_makes_a_patient_named_like_a_formula_harmless,
        staff_of_another_practice_never_see_its_events_or_names,
    );
}

/// A staff member as the API lists them.
#[derive(Debug, Deserialize)]
struct Member {
    id: String,
    display_name: String,
}

async fn page(browser: &Browser, path: &str) -> String {
    let res = browser.get(path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.text().await.expect("page")
}

/// The sentences of a log page, in the order shown.
fn sentences(html: &str) -> Vec<String> {
    let marker = "<td data-label=\"What happened\">";
    html.match_indices(marker)
        .map(|(at, _)| {
            let start = at + marker.len();
            let end = html[start..].find("</td>").expect("a closed cell") + start;
            unescape(&html[start..end])
        })
        .collect()
}

/// The text of HTML as askama escapes it.
fn unescape(text: &str) -> String {
    text.replace("&#39;", "'")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&#60;", "<")
        .replace("&gt;", ">")
        .replace("&#62;", ">")
        .replace("&amp;", "&")
        .replace("&#38;", "&")
}

/// The address of the link whose text is `text`.
fn link(html: &str, text: &str) -> Option<String> {
    let text_at = html.find(&format!(">{text}</a>"))?;
    let start = html[..text_at].rfind("href=\"")? + "href=\"".len();
    let end = html[start..].find('"')? + start;
    Some(unescape(&html[start..end]))
}

/// The cells of a CSV file (RFC 4180: quoted cells, doubled quotes, CR LF), its BOM dropped.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark");
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    assert!(
        row.is_empty() && cell.is_empty(),
        "the file ends with a line end"
    );
    rows
}

/// Downloads the CSV for `query`: its header and its lines, each as column name → cell.
async fn export(browser: &Browser, query: &str) -> Vec<std::collections::HashMap<String, String>> {
    let res = browser.get(&format!("/staff/audit/export?{query}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"audit-log-"),
        "{disposition}"
    );
    let rows = parse_csv(&res.text().await.unwrap());
    let header = rows[0].clone();
    assert_eq!(
        header[..4],
        ["Local time", "UTC time", "Who", "What happened"]
    );
    assert!(header.ends_with(&[
        "details".to_owned(),
        "prev_hash".to_owned(),
        "hash".to_owned()
    ]));
    rows[1..]
        .iter()
        .map(|r| {
            assert_eq!(r.len(), header.len(), "every line has every column");
            header.iter().cloned().zip(r.iter().cloned()).collect()
        })
        .collect()
}

async fn the_log_tells_events_in_words_with_names_newest_first(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let maria = lakeside
        .invite(&Invitee::maria().email("maria@example.org").by(&["email"]))
        .await;
    app.deliver().await;
    let admin = lakeside.admin().await;
    page(&admin, &format!("/staff/invitations/{}", maria.id)).await;
    let csrf = admin.csrf_for("/staff").await;
    let res = admin
        .post_form(
            &format!("/staff/invitations/{}/revoke", maria.id),
            &[("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let html = page(&admin, "/staff/audit").await;
    let said = sentences(&html);
    let at = |s: &str| {
        said.iter()
            .position(|x| x == s)
            .unwrap_or_else(|| panic!("{s:?} not in {said:#?}"))
    };
    let revoked = at("Bea Admin revoked the invitation of Maria Lopez.");
    let viewed = at("Bea Admin viewed the invitation of Maria Lopez.");
    let delivered = at("The invitation of Maria Lopez was sent.");
    let created = at("An integration (token ‘EHR’) created the invitation of Maria Lopez.");
    assert!(
        revoked < viewed && viewed < delivered && delivered < created,
        "newest first"
    );
    at("Bea Admin signed in.");
    at("An administrator at the command line set up the practice.");
    at("An administrator at the command line created the API token ‘EHR’.");
    assert!(html.contains("Today, "), "times on the practice's clock");
    assert!(
        said.iter().all(|s| !s.contains("invitation.")),
        "no developer names: {said:#?}"
    );

    // Reading the log is itself on record.
    let html = page(&admin, "/staff/audit").await;
    assert_eq!(sentences(&html)[0], "Bea Admin read the audit log.");
}

async fn the_log_filtered_to_one_patient_shows_their_events_and_their_invitations_only(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let (invitation, registration) = lakeside
        .invited_patient(&Invitee::maria().email("maria@example.org"))
        .await;
    let registered = registration.finish(provider, "maria@example.org").await;
    let tom = lakeside.invite(&Invitee::new("Tom", "Other")).await;
    let admin = lakeside.admin().await;
    for id in [&invitation.id, &tom.id] {
        page(&admin, &format!("/staff/invitations/{id}")).await;
    }
    page(&admin, "/staff/invitations").await;

    let html = page(&admin, "/staff/audit?patient_name=LÓPEZ").await;
    assert!(
        html.contains("Showing the events about <strong>Maria Lopez</strong> (registered patient) and their invitations."),
        "{html}"
    );
    let said = sentences(&html);
    for sentence in [
        "An integration (token ‘EHR’) created the invitation of Maria Lopez.",
        "Someone entered the code of the invitation of Maria Lopez with the right date of birth.",
        "The invitation of Maria Lopez was used to register.",
        "Maria Lopez registered and was linked to the practice.",
        "Maria Lopez accepted the terms of use.",
        "Bea Admin viewed the invitation of Maria Lopez.",
        "Bea Admin saw the invitation of Maria Lopez in a list.",
    ] {
        assert!(
            said.iter().any(|s| s == sentence),
            "{sentence:?} in {said:#?}"
        );
    }
    assert!(
        said.iter().all(|s| s.contains("Maria Lopez")),
        "only her events: {said:#?}"
    );
    // The form keeps her, by id, for the next filter; the name field is free for another search.
    let hidden = format!("name=\"patient\" value=\"{}\"", registered.patient_id);
    assert!(html.contains(&hidden), "{html}");

    // Her id alone narrows the same way (the links of the page carry it), and reading her trail
    // is itself about her.
    let html = page(
        &admin,
        &format!("/staff/audit?patient={}", registered.patient_id),
    )
    .await;
    let said = sentences(&html);
    assert_eq!(said[0], "Bea Admin read the audit log about Maria Lopez.");
    assert!(said.iter().all(|s| s.contains("Maria Lopez")), "{said:#?}");

    // Tom, invited and not registered, by his name.
    let html = page(&admin, "/staff/audit?patient_name=tom").await;
    assert!(html.contains("(invited, not registered)"), "{html}");
    let said = sentences(&html);
    assert!(!said.is_empty());
    assert!(said.iter().all(|s| s.contains("Tom Other")), "{said:#?}");
}

async fn a_name_that_means_several_people_asks_which_one(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    lakeside.invite(&Invitee::maria()).await;
    let garcia = lakeside.invite(&Invitee::new("María", "Garcia")).await;
    let admin = lakeside.admin().await;

    let html = page(&admin, "/staff/audit?patient_name=maria").await;
    assert!(html.contains("Several people have that name."), "{html}");
    assert!(
        sentences(&html).is_empty(),
        "nothing is listed until one is chosen"
    );
    assert!(!html.contains("Download these events"), "nor exported");
    let chosen = link(&html, "María Garcia").expect("a link to choose her");
    assert_eq!(chosen, format!("/staff/audit?invitation={}", garcia.id));
    let html = page(&admin, &chosen).await;
    let said = sentences(&html);
    assert!(!said.is_empty());
    assert!(said.iter().all(|s| s.contains("María Garcia")), "{said:#?}");

    let html = page(&admin, "/staff/audit?patient_name=zebedee").await;
    assert!(
        html.contains("No patient or invitation of this practice has that name."),
        "{html}"
    );
}

async fn the_log_filters_by_who_what_and_days_and_pages_with_keyset_links(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    for i in 0..55 {
        lakeside
            .invite(&Invitee::new("Patient", &format!("Number{i:02}")))
            .await;
    }
    let admin = lakeside.admin().await;

    // What: the creations only, fifty a page, then the rest, and back.
    let html = page(&admin, "/staff/audit?what=invitation.created").await;
    let first = sentences(&html);
    assert_eq!(first.len(), 50);
    assert!(
        first
            .iter()
            .all(|s| s.contains("created the invitation of"))
    );
    assert_eq!(
        first[0],
        "An integration (token ‘EHR’) created the invitation of Patient Number54."
    );
    assert!(
        html.contains("<option value=\"invitation.created\" selected>"),
        "the choice stays"
    );
    assert!(link(&html, "← Newer events").is_none(), "the newest page");
    let older = link(&html, "Older events →").expect("a next page");
    let html = page(&admin, &older).await;
    let second = sentences(&html);
    assert_eq!(second.len(), 5);
    assert_eq!(
        second[4],
        "An integration (token ‘EHR’) created the invitation of Patient Number00."
    );
    assert!(link(&html, "Older events →").is_none(), "the last page");
    let newer = link(&html, "← Newer events").expect("a page before");
    assert_eq!(sentences(&page(&admin, &newer).await), first);

    // Who: the admin, or the token.
    let staff: Vec<Member> =
        crate::common::Api::expect_as(lakeside.get("/staff").await, StatusCode::OK).await;
    let bea = staff
        .iter()
        .find(|m| m.display_name == "Bea Admin")
        .expect("Bea");
    let html = page(&admin, &format!("/staff/audit?who=staff:{}", bea.id)).await;
    let said = sentences(&html);
    assert!(!said.is_empty());
    assert!(said.iter().all(|s| s.starts_with("Bea Admin")), "{said:#?}");
    let html = page(&admin, "/staff/audit?who=portico").await;
    assert!(
        sentences(&html)
            .iter()
            .all(|s| s.starts_with("An administrator at the command line"))
    );

    // Days, on the practice's calendar (the test clock starts on Nov 18, 2026, in New York).
    app.advance(std::time::Duration::from_secs(2 * 86_400));
    lakeside.invite(&Invitee::new("Late", "Comer")).await;
    let admin = lakeside.admin().await;
    let html = page(
        &admin,
        "/staff/audit?what=invitation.created&from=2026-11-20",
    )
    .await;
    assert_eq!(
        sentences(&html),
        ["An integration (token ‘EHR’) created the invitation of Late Comer."]
    );
    let html = page(
        &admin,
        "/staff/audit?what=invitation.created&from=2026-11-18&to=2026-11-18",
    )
    .await;
    assert_eq!(sentences(&html).len(), 50);
    let html = page(&admin, "/staff/audit?to=2026-01-01").await;
    assert!(html.contains("No events match."), "{html}");
}

async fn the_csv_export_holds_the_filtered_events_with_the_chain_fields_and_is_audited(
    app: &TestApp,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    for name in ["Ann", "Ben", "Cy"] {
        lakeside.invite(&Invitee::new(name, "Lopez")).await;
    }
    let admin = lakeside.admin().await;
    let html = page(&admin, "/staff/audit?what=invitation.created").await;
    let download = link(&html, "Download these events (CSV)").expect("the export link");
    assert_eq!(download, "/staff/audit/export?what=invitation.created");

    let lines = export(&admin, "what=invitation.created").await;
    assert_eq!(lines.len(), 3, "the filter's events, not the whole log");
    assert_eq!(
        lines
            .iter()
            .map(|l| l["What happened"].as_str())
            .collect::<Vec<_>>(),
        [
            "An integration (token ‘EHR’) created the invitation of Cy Lopez.",
            "An integration (token ‘EHR’) created the invitation of Ben Lopez.",
            "An integration (token ‘EHR’) created the invitation of Ann Lopez.",
        ]
    );
    let stored: Vec<(i64, i64, String, String)> = app
        .fetch_all(
            "SELECT seq, at, prev_hash, hash FROM audit_events \
             WHERE action = 'invitation.created' ORDER BY seq DESC",
        )
        .await;
    for (line, (seq, at, prev_hash, hash)) in lines.iter().zip(&stored) {
        assert_eq!(line["seq"], seq.to_string());
        assert_eq!(line["at"], at.to_string());
        assert_eq!(&line["prev_hash"], prev_hash);
        assert_eq!(&line["hash"], hash);
        assert_eq!(line["action"], "invitation.created");
        assert_eq!(line["Who"], "An integration (token ‘EHR’)");
        assert_eq!(line["Result"], "Done");
        assert!(line["UTC time"].ends_with('Z'), "{}", line["UTC time"]);
        assert!(
            line["Local time"].starts_with("2026-11-18 ")
                && line["Local time"].ends_with(" -05:00"),
            "{}",
            line["Local time"]
        );
    }

    // The download is on record, with what it held.
    let html = page(&admin, "/staff/audit?what=audit.exported").await;
    assert_eq!(
        sentences(&html),
        ["Bea Admin exported the audit log as a spreadsheet (CSV)."]
    );
    let details: Vec<(String,)> = app
        .fetch_all("SELECT details FROM audit_events WHERE action = 'audit.exported'")
        .await;
    assert!(details[0].0.contains("\"events\":3"), "{}", details[0].0);
    let out = app.cli(&["audit", "verify"], None);
    assert!(out.status.success(), "the chain still holds");
}

async fn the_csv_makes_a_patient_named_like_a_formula_harmless(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let invitee = Invitee::new("=HYPERLINK(A1)", "Lopez").email("formula@example.org");
    let (_, registration) = lakeside.invited_patient(&invitee).await;
    let details = Details::maria("formula@example.org").first_name("=HYPERLINK(A1)");
    registration.finish_with(provider, &details).await;
    let admin = lakeside.admin().await;

    let html = page(&admin, "/staff/audit?patient_name=hyperlink").await;
    assert!(html.contains("=HYPERLINK(A1) Lopez"), "{html}");
    let res = admin
        .get("/staff/audit/export?patient_name=hyperlink")
        .await;
    let text = res.text().await.unwrap();
    let rows = parse_csv(&text);
    assert!(rows.len() > 3, "{text}");
    for cell in rows.iter().flatten() {
        assert!(
            !cell.starts_with(['=', '+', '-', '@']),
            "a cell a spreadsheet would run: {cell:?}"
        );
    }
    assert!(
        rows.iter()
            .flatten()
            .any(|c| c == "'=HYPERLINK(A1) Lopez registered and was linked to the practice."),
        "{text}"
    );
    assert!(
        rows.iter().flatten().any(|c| c == "'=HYPERLINK(A1) Lopez"),
        "{text}"
    );
}

async fn staff_of_another_practice_never_see_its_events_or_names(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let (invitation, registration) = lakeside
        .invited_patient(&Invitee::maria().email("maria@example.org"))
        .await;
    let registered = registration.finish(provider, "maria@example.org").await;
    let lakeside_staff: Vec<Member> =
        crate::common::Api::expect_as(lakeside.get("/staff").await, StatusCode::OK).await;
    let hillside = app.practice_with_admin("Hillside Clinic").await;
    let intruder = hillside.admin().await;

    let html = page(&intruder, "/staff/audit").await;
    assert!(!html.contains("Maria"), "{html}");
    assert!(!html.contains("Lakeside"), "{html}");
    let csv = intruder
        .get("/staff/audit/export")
        .await
        .text()
        .await
        .unwrap();
    for id in [
        &invitation.id,
        &registered.patient_id,
        &lakeside.practice_id,
    ] {
        assert!(!csv.contains(id.as_str()), "{id} in Hillside's export");
    }
    assert!(!csv.contains("Maria"));

    // Lakeside's people by id read as unknown, and nothing is listed or exported for them.
    for query in [
        format!("patient={}", registered.patient_id),
        format!("invitation={}", invitation.id),
    ] {
        let res = intruder.get(&format!("/staff/audit?{query}")).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{query}");
        let html = res.text().await.unwrap();
        assert!(html.contains("We could not find this patient."), "{html}");
        assert!(!html.contains("Maria"), "{html}");
        let res = intruder.get(&format!("/staff/audit/export?{query}")).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(!res.text().await.unwrap().contains("Maria"));
    }
    let html = page(&intruder, "/staff/audit?patient_name=maria").await;
    assert!(html.contains("No patient or invitation of this practice has that name."));
    let bea = &lakeside_staff[0];
    let html = page(&intruder, &format!("/staff/audit?who=staff:{}", bea.id)).await;
    assert!(sentences(&html).is_empty(), "{html}");
    assert!(html.contains("No events match."), "{html}");
}

async fn a_bad_filter_is_a_message_next_to_it_not_an_error_page(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let admin = lakeside.admin().await;
    for (query, field, message) in [
        (
            "from=2026-13-45",
            "from",
            "Enter a date as year, month and day, such as 2026-12-01.",
        ),
        (
            "from=2026-12-02&to=2026-12-01",
            "to",
            "The last day is before the first day.",
        ),
        ("who=root", "who", "Choose someone from the list."),
        (
            "what=invitation.teleported",
            "what",
            "Choose what happened from the list.",
        ),
    ] {
        let res = admin.get(&format!("/staff/audit?{query}")).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{query}");
        let html = res.text().await.unwrap();
        assert!(
            html.contains(&format!("id=\"{field}-error\"")),
            "{query}: {html}"
        );
        assert!(html.contains(message), "{query}: {html}");
        assert!(
            html.contains("nav aria-label=\"Staff pages\""),
            "the page, not an error page"
        );
    }
    let res = admin.get("/staff/audit?older=abc").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("This page link is not one we gave out")
    );
}

async fn staff_who_are_not_admins_get_403_on_the_audit_log_and_its_export(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    lakeside
        .admin()
        .await
        .add_staff("Dana Front", "dana@lakeside.example", "staff")
        .await;
    let (dana, _) = app.sign_in("dana@lakeside.example", STAFF_PASSWORD).await;
    for path in [
        "/staff/audit",
        "/staff/audit/export",
        "/staff/audit?patient_name=maria",
    ] {
        assert_eq!(
            dana.get(path).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let res = app.browser().get("/staff/audit/export").await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "signed out: to sign in"
    );
    assert!(location(&res).starts_with("/staff/sign-in"));
}
