//! Delivery through the outbox: an invitation's messages are queued with it, sealed while they
//! wait, delivered by the worker (here the development `log` transport), shown on /dev/outbox,
//! and a claim left by a worker that died is taken over once its lease runs out.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{Api, TestApp, on_both};

on_both!(
    an_invite_goes_out_through_the_outbox_and_the_invitation_becomes_sent,
    a_waiting_message_holds_no_plain_code_or_link,
    a_resend_queues_the_new_code_and_the_old_message_keeps_nothing_usable,
    a_claim_left_by_a_dead_worker_is_taken_over_after_its_lease,
    two_workers_deliver_every_message_exactly_once,
);

const ADMIN: (&str, &str) = ("admin@lakeside.example", "quiet meadow lantern river");

async fn invite_everywhere(api: &Api) -> Value {
    let body = json!({
        "first_name": "Maria", "last_name": "Lopez", "birth_date": "1980-02-03",
        "email": "maria@example.org", "phone": "+14155550123", "channels": ["email", "sms", "voice"],
    });
    Api::expect(api.post("/invitations", &body).await, StatusCode::CREATED).await
}

async fn an_invite_goes_out_through_the_outbox_and_the_invitation_becomes_sent(app: &TestApp) {
    let api = app.integrator("Lakeside Clinic", ADMIN.0).await;
    let created = invite_everywhere(&api).await;
    let id = created["id"].as_str().unwrap();
    let read = Api::expect(api.get(&format!("/invitations/{id}")).await, StatusCode::OK).await;
    assert_eq!(read["state"], "draft");
    let waiting: Vec<(&str, &str)> = read["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["channel"].as_str().unwrap(), m["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        waiting,
        [
            ("email", "pending"),
            ("sms", "pending"),
            ("voice", "pending")
        ]
    );

    assert_eq!(app.deliver().await, 3);
    let read = Api::expect(api.get(&format!("/invitations/{id}")).await, StatusCode::OK).await;
    assert_eq!(
        read["state"], "sent",
        "a delivered invite moves the invitation to sent"
    );
    let history: Vec<(&str, &str)> = read["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["state"].as_str().unwrap(), h["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(history[1], ("sent", "system"));
    assert_eq!(history.len(), 2, "three messages, one transition");
    for m in read["messages"].as_array().unwrap() {
        assert_eq!(
            (m["state"].as_str(), m["attempts"].as_i64()),
            (Some("sent"), Some(1))
        );
    }
    assert_eq!(app.deliver().await, 0, "nothing is sent twice");

    // A newcomer reads the messages on the development page, code and link included.
    let (staff, _) = app.sign_in(ADMIN.0, ADMIN.1).await;
    let page = staff.get("/dev/outbox").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    let code = created["code"].as_str().unwrap();
    assert!(html.contains(code), "the email and SMS show the code");
    assert!(
        html.contains(created["link"].as_str().unwrap()),
        "and the link"
    );
    let spoken: Vec<String> = code
        .chars()
        .filter(|c| *c != '-')
        .map(String::from)
        .collect();
    assert_eq!(
        html.matches(&spoken.join(", ")).count(),
        2,
        "the voice call reads the code twice, character by character"
    );
    assert!(html.contains("maria@example.org") && html.contains("+14155550123"));
    // Another practice's staff see none of it.
    app.cli_admin_create(
        "Other Clinic",
        "admin@other.example",
        "quiet meadow lantern river",
    );
    let (other, _) = app
        .sign_in("admin@other.example", "quiet meadow lantern river")
        .await;
    assert!(
        !other
            .get("/dev/outbox")
            .await
            .text()
            .await
            .unwrap()
            .contains(code)
    );
}

async fn a_waiting_message_holds_no_plain_code_or_link(app: &TestApp) {
    let api = app.integrator("Lakeside Clinic", ADMIN.0).await;
    let created = invite_everywhere(&api).await;
    let dump = app.dump_all_text().await;
    let code = created["code"].as_str().unwrap();
    let token = created["link"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap();
    for secret in [code.to_owned(), code.replace('-', ""), token.to_owned()] {
        assert!(
            !dump.contains(&secret),
            "a queued message exposes {secret:?}"
        );
    }
    assert_eq!(app.count_rows("outbox").await, 3);
}

async fn a_resend_queues_the_new_code_and_the_old_message_keeps_nothing_usable(app: &TestApp) {
    let api = app.integrator("Lakeside Clinic", ADMIN.0).await;
    let body = json!({ "first_name": "Ana", "last_name": "Silva", "birth_date": "1980-02-03", "email": "ana@example.org", "channels": ["email"] });
    let created = Api::expect(api.post("/invitations", &body).await, StatusCode::CREATED).await;
    let id = created["id"].as_str().unwrap();
    app.deliver().await;
    let resent = Api::expect(
        api.post(&format!("/invitations/{id}/resend"), &json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        resent["state"], "draft",
        "the new code waits for its own delivery"
    );
    assert_eq!(app.deliver().await, 1);
    let read = Api::expect(api.get(&format!("/invitations/{id}")).await, StatusCode::OK).await;
    assert_eq!(read["messages"].as_array().unwrap().len(), 2);
    assert_eq!(read["state"], "sent");
    let (staff, _) = app.sign_in(ADMIN.0, ADMIN.1).await;
    let html = staff.get("/dev/outbox").await.text().await.unwrap();
    assert!(
        html.contains(resent["code"].as_str().unwrap()),
        "the new code went out"
    );
}

async fn a_claim_left_by_a_dead_worker_is_taken_over_after_its_lease(app: &TestApp) {
    let api = app.integrator("Lakeside Clinic", ADMIN.0).await;
    let created = invite_everywhere(&api).await;
    // A worker claims the batch and dies before sending anything.
    let core = app.core();
    let now = core.now().as_millis();
    let claimed =
        portico_store::outbox::claim(core.store(), "worker-that-died", now, now + 60_000, 50)
            .await
            .unwrap();
    assert_eq!(claimed.len(), 3);
    assert_eq!(app.deliver().await, 0, "the lease still holds");
    app.advance(Duration::from_secs(61));
    assert_eq!(app.deliver().await, 3, "taken over once the lease ran out");
    let read = Api::expect(
        api.get(&format!("/invitations/{}", created["id"].as_str().unwrap()))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(read["state"], "sent");
    for m in read["messages"].as_array().unwrap() {
        assert_eq!(
            (m["state"].as_str(), m["attempts"].as_i64()),
            (Some("sent"), Some(2)),
            "the dead worker's claim counts as an attempt"
        );
    }
}

async fn two_workers_deliver_every_message_exactly_once(app: &TestApp) {
    let api = app.integrator("Lakeside Clinic", ADMIN.0).await;
    // 2,001 messages on PostgreSQL (667 invitations on three channels); fewer on SQLite, whose
    // single writer makes the race less interesting.
    let invitations = if app.backend == crate::common::Backend::Postgres {
        667
    } else {
        100
    };
    for _ in 0..invitations {
        invite_everywhere(&api).await;
    }
    let core = app.core();
    let settings = portico_delivery::WorkerSettings {
        batch: 25,
        ..Default::default()
    };
    let (a, b) = (
        portico_delivery::Worker::new(
            core.clone(),
            portico_delivery::Transports::log(),
            settings.clone(),
        ),
        portico_delivery::Worker::new(core.clone(), portico_delivery::Transports::log(), settings),
    );
    let drain = |w: portico_delivery::Worker| async move {
        let mut handled = 0;
        loop {
            match w.run_once().await.expect("delivery round") {
                0 => return handled,
                n => handled += n,
            }
        }
    };
    let (by_a, by_b) = tokio::join!(tokio::spawn(drain(a)), tokio::spawn(drain(b)));
    let (by_a, by_b) = (by_a.unwrap(), by_b.unwrap());
    let total = invitations * 3;
    assert_eq!(
        by_a + by_b,
        total,
        "every message claimed once between them ({by_a} + {by_b})"
    );
    assert!(
        by_a > 0 && by_b > 0,
        "both workers took part ({by_a} + {by_b})"
    );
    assert_eq!(app.count_rows("outbox").await, total);
    let sent_once = count_where(app, "state = 'sent' AND attempts = 1").await;
    assert_eq!(sent_once, total, "no message was claimed twice");
}

async fn count_where(app: &TestApp, condition: &str) -> usize {
    use sqlx::Connection;
    let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM outbox WHERE {condition}"));
    let (n,): (i64,) = match app.backend {
        crate::common::Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&app.database_url())
                .await
                .unwrap();
            sqlx::query_as(sql).fetch_one(&mut c).await.unwrap()
        }
        crate::common::Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&app.database_url())
                .await
                .unwrap();
            sqlx::query_as(sql).fetch_one(&mut c).await.unwrap()
        }
    };
    usize::try_from(n).unwrap()
}
