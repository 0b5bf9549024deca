//! Delivery through the outbox: an invitation's messages are queued with it, sealed while they
//! wait, delivered by the worker (here the development `log` transport), shown on /dev/outbox,
//! and a claim left by a worker that died is taken over once its lease runs out.

use std::time::Duration;

use reqwest::StatusCode;

use crate::common::responses::IssuedInvitation;
use crate::common::{Api, Backend, Invitee, PHONE, Practice, TestApp, on_both};

on_both!(
    an_invite_goes_out_through_the_outbox_and_the_invitation_becomes_sent,
    a_waiting_message_holds_no_plain_code_or_link,
    a_resend_queues_the_new_code_and_the_old_message_keeps_nothing_usable,
    a_claim_left_by_a_dead_worker_is_taken_over_after_its_lease,
    two_workers_deliver_every_message_exactly_once,
);

/// Maria, invited by email, SMS and voice call.
async fn invite_everywhere(api: &Practice<'_>) -> IssuedInvitation {
    let maria = Invitee::maria()
        .email("maria@example.org")
        .phone(PHONE)
        .by(&["email", "sms", "voice"]);
    api.invite(&maria).await
}

async fn an_invite_goes_out_through_the_outbox_and_the_invitation_becomes_sent(app: &TestApp) {
    let api = app.practice_with_admin("Lakeside Clinic").await;
    let created = invite_everywhere(&api).await;
    let id = created.id.as_str();
    let read = api.invitation(id).await;
    assert_eq!(read.state, "draft");
    let waiting: Vec<(&str, &str)> = read
        .messages
        .iter()
        .map(|m| (m.channel.as_str(), m.state.as_str()))
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
    let read = api.invitation(id).await;
    assert_eq!(
        read.state, "sent",
        "a delivered invite moves the invitation to sent"
    );
    let history: Vec<(&str, &str)> = read
        .history
        .iter()
        .map(|h| (h.state.as_str(), h.actor.as_str()))
        .collect();
    assert_eq!(history[1], ("sent", "system"));
    assert_eq!(history.len(), 2, "three messages, one transition");
    for m in &read.messages {
        assert_eq!((m.state.as_str(), m.attempts), ("sent", 1));
    }
    assert_eq!(app.deliver().await, 0, "nothing is sent twice");

    // A newcomer reads the messages on the development page, code and link included.
    let staff = api.admin().await;
    let page = staff.get("/dev/outbox").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    let code = created.code.as_str();
    assert!(html.contains(code), "the email and SMS show the code");
    assert!(html.contains(&created.link), "and the link");
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
    assert!(html.contains("maria@example.org") && html.contains(PHONE));
    // Another practice's staff see none of it.
    let other = app.practice_with_admin("Other Clinic").await.admin().await;
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
    let api = app.practice_with_admin("Lakeside Clinic").await;
    let created = invite_everywhere(&api).await;
    let dump = app.dump_all_text().await;
    let code = created.code.as_str();
    let token = created.link_token();
    for secret in [code.to_owned(), code.replace('-', ""), token.to_owned()] {
        assert!(
            !dump.contains(&secret),
            "a queued message exposes {secret:?}"
        );
    }
    assert_eq!(app.count_rows("outbox").await, 3);
}

async fn a_resend_queues_the_new_code_and_the_old_message_keeps_nothing_usable(app: &TestApp) {
    let api = app.practice_with_admin("Lakeside Clinic").await;
    let ana = Invitee::new("Ana", "Silva")
        .email("ana@example.org")
        .by(&["email"]);
    let id = api.invite(&ana).await.id;
    app.deliver().await;
    let resent: IssuedInvitation = Api::expect_as(api.resend(&id).await, StatusCode::OK).await;
    assert_eq!(
        resent.state, "draft",
        "the new code waits for its own delivery"
    );
    assert_eq!(app.deliver().await, 1);
    let read = api.invitation(&id).await;
    assert_eq!(read.messages.len(), 2);
    assert_eq!(read.state, "sent");
    let html = api
        .admin()
        .await
        .get("/dev/outbox")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(&resent.code), "the new code went out");
}

async fn a_claim_left_by_a_dead_worker_is_taken_over_after_its_lease(app: &TestApp) {
    let api = app.practice_with_admin("Lakeside Clinic").await;
    let created = invite_everywhere(&api).await;
    // A worker claims the batch and dies before sending anything.
    let core = app.core();
    let now = core.now().as_millis();
    let claimed = portico_store::delivery::outbox::claim(
        core.store(),
        "worker-that-died",
        now,
        now + 60_000,
        50,
    )
    .await
    .unwrap();
    assert_eq!(claimed.len(), 3);
    assert_eq!(app.deliver().await, 0, "the lease still holds");
    app.advance(Duration::from_secs(61));
    assert_eq!(app.deliver().await, 3, "taken over once the lease ran out");
    let read = api.invitation(&created.id).await;
    assert_eq!(read.state, "sent");
    for m in &read.messages {
        assert_eq!(
            (m.state.as_str(), m.attempts),
            ("sent", 2),
            "the dead worker's claim counts as an attempt"
        );
    }
}

async fn two_workers_deliver_every_message_exactly_once(app: &TestApp) {
    let api = app.practice_with_admin("Lakeside Clinic").await;
    // 2,001 messages on PostgreSQL (667 invitations on three channels); fewer on SQLite, whose
    // single writer makes the race less interesting.
    let invitations = if app.backend == Backend::Postgres {
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
    let sent_once = app
        .count_rows("outbox WHERE state = 'sent' AND attempts = 1")
        .await;
    assert_eq!(sent_once, total, "no message was claimed twice");
}
