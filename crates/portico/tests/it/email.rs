//! Email through a real SMTP server (aiosmtpd): the invitation arrives with its code, link and a
//! `Message-ID` made from the outbox id; a mail server that cannot be reached is retried with
//! back-off and finally dead-lettered; and a worker process killed in the middle of 500 emails
//! loses none of them once restarted, any duplicate recognisable by its `Message-ID`.

use std::collections::{HashMap, HashSet};
use std::process::{Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::responses::IssuedInvitation;
use crate::common::{Api, Backend, Practice, TestApp};
use crate::mailbox::{SmtpServer, free_port};

/// Runs each named `async fn(&TestApp, &SmtpServer)` on both databases, against a fresh server.
macro_rules! with_smtp {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::run(crate::common::Backend::Sqlite, |app, smtp| Box::pin(super::$name(app, smtp))).await } )*
        }
        mod postgres {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::run(crate::common::Backend::Postgres, |app, smtp| Box::pin(super::$name(app, smtp))).await } )*
        }
    };
}

type TestFuture<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + 'a>>;

async fn run(
    backend: Backend,
    test: impl for<'a> FnOnce(&'a TestApp, &'a SmtpServer) -> TestFuture<'a>,
) {
    let Some(smtp) = SmtpServer::start() else {
        return;
    };
    let Some(app) = TestApp::spawn_with(backend, &smtp.settings()).await else {
        return;
    };
    test(&app, &smtp).await;
    app.stop().await;
}

with_smtp!(
    an_invite_email_arrives_with_its_code_link_and_a_stable_message_id,
    a_worker_killed_mid_batch_loses_no_email
);

fn invitation(n: usize) -> Value {
    json!({ "first_name": "Maria", "last_name": format!("Lopez{n}"), "birth_date": "1980-02-03",
            "email": format!("maria{n}@example.org"), "channels": ["email"] })
}

/// Lakeside invites the `n`th Maria by email.
async fn invite(api: &Practice<'_>, n: usize) -> IssuedInvitation {
    Api::expect_as(
        api.post("/invitations", &invitation(n)).await,
        StatusCode::CREATED,
    )
    .await
}

async fn an_invite_email_arrives_with_its_code_link_and_a_stable_message_id(
    app: &TestApp,
    smtp: &SmtpServer,
) {
    let api = app.practice_with_admin("Lakeside Clinic").await;
    let created = invite(&api, 1).await;
    assert_eq!(app.deliver().await, 1);
    let mail = smtp.wait_for(1, Duration::from_secs(10));
    assert_eq!(mail.len(), 1);
    let m = &mail[0];
    assert_eq!(m.header("X-RcptTo").as_deref(), Some("maria1@example.org"));
    assert!(
        m.header("From")
            .unwrap()
            .contains("portal@lakeside.example")
    );
    assert!(m.header("Subject").unwrap().contains("Lakeside Clinic"));
    assert!(
        m.raw.contains("multipart/alternative")
            && m.raw.contains("text/plain")
            && m.raw.contains("text/html")
    );
    assert!(m.raw.contains(&created.code), "the code is in the email");
    assert!(m.raw.contains(&created.link), "and so is the link");

    let read = api.invitation(&created.id).await;
    assert_eq!(read.state, "sent");
    let outbox_id = &read.messages[0].id;
    assert_eq!(
        m.header("Message-ID").as_deref(),
        Some(format!("<{outbox_id}@lakeside.example>").as_str())
    );
    // Delivered by a real transport, the message keeps only its metadata.
    let dump = app.dump_all_text().await;
    assert!(!dump.contains(&created.code));
    assert_eq!(app.count_rows("outbox").await, 1);
}

async fn a_worker_killed_mid_batch_loses_no_email(app: &TestApp, smtp: &SmtpServer) {
    const EMAILS: usize = 500;
    let api = app.practice_with_admin("Lakeside Clinic").await;
    for n in 0..EMAILS {
        invite(&api, n).await;
    }
    let worker = || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_portico"));
        cmd.arg("--data-dir").arg(app.data_dir()).arg("worker");
        cmd.env_remove("DATABASE_URL")
            .env("PORTICO_DELIVERY_LEASE_SECONDS", "2")
            .env("PORTICO_LOG", "warn");
        if app.backend == Backend::Postgres {
            cmd.env("DATABASE_URL", app.database_url());
        }
        for (k, v) in smtp.settings() {
            cmd.env(k, v);
        }
        cmd.stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start portico worker")
    };
    let mut first = worker();
    let before_kill = smtp.wait_for(20, Duration::from_secs(30)).len();
    first.kill().expect("SIGKILL the worker"); // Child::kill sends SIGKILL on Unix.
    first.wait().unwrap();
    let at_kill = smtp.received().len();
    assert!(
        before_kill >= 20 && at_kill < EMAILS,
        "killed mid-batch: {at_kill} of {EMAILS} had arrived"
    );

    let mut second = worker();
    let all = wait_for_distinct(smtp, EMAILS, Duration::from_secs(90));
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(second.id().to_string())
        .status();
    second.wait().unwrap();

    let mut by_id: HashMap<String, usize> = HashMap::new();
    for m in &all {
        *by_id
            .entry(
                m.header("Message-ID")
                    .expect("every email has a Message-ID"),
            )
            .or_default() += 1;
    }
    assert_eq!(
        by_id.len(),
        EMAILS,
        "every one of the {EMAILS} emails arrived ({} messages in all)",
        all.len()
    );
    let recipients: HashSet<String> = all.iter().filter_map(|m| m.header("X-RcptTo")).collect();
    assert_eq!(recipients.len(), EMAILS, "to {EMAILS} different patients");
    let duplicates = all.len() - EMAILS;
    assert!(
        duplicates <= 50,
        "at most one batch is sent twice: {duplicates}"
    );
}

fn wait_for_distinct(
    smtp: &SmtpServer,
    n: usize,
    limit: Duration,
) -> Vec<crate::mailbox::Received> {
    let started = std::time::Instant::now();
    loop {
        let got = smtp.received();
        let distinct: HashSet<Option<String>> =
            got.iter().map(|m| m.header("Message-ID")).collect();
        if distinct.len() >= n || started.elapsed() > limit {
            return got;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Nothing listens on the configured port: each attempt fails, is retried later with growing
/// waits, and after a day the message is given up with the reason staff can read.
async fn an_unreachable_mail_server_is_retried_then_dead_lettered(backend: Backend) {
    let port = free_port().to_string();
    let settings = [
        ("PORTICO_EMAIL_TRANSPORT", "smtp"),
        ("PORTICO_SMTP_HOST", "127.0.0.1"),
        ("PORTICO_SMTP_PORT", port.as_str()),
        ("PORTICO_SMTP_TLS", "none"),
        ("PORTICO_EMAIL_FROM", "portal@lakeside.example"),
    ];
    let Some(app) = TestApp::spawn_with(backend, &settings).await else {
        return;
    };
    let api = app.practice_with_admin("Lakeside Clinic").await;
    let id = invite(&api, 1).await.id;

    assert_eq!(app.deliver().await, 1);
    let read = api.invitation(&id).await;
    let m = &read.messages[0];
    assert_eq!((m.state.as_str(), m.attempts), ("pending", 1));
    assert!(
        m.last_error().contains("could not take the message now"),
        "{m:?}"
    );
    assert_eq!(read.state, "draft", "not sent until a server takes it");
    assert_eq!(app.deliver().await, 0, "the retry waits for its back-off");

    app.advance(Duration::from_secs(60));
    assert_eq!(app.deliver().await, 1);
    app.advance(Duration::from_secs(25 * 3600));
    assert_eq!(app.deliver().await, 1);
    let read = api.invitation(&id).await;
    let m = &read.messages[0];
    assert_eq!((m.state.as_str(), m.attempts), ("dead", 3));
    assert!(
        m.last_error().starts_with("gave up after 3 attempts"),
        "{m:?}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_mail_server_is_retried_then_dead_lettered_sqlite() {
    an_unreachable_mail_server_is_retried_then_dead_lettered(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_mail_server_is_retried_then_dead_lettered_postgres() {
    an_unreachable_mail_server_is_retried_then_dead_lettered(Backend::Postgres).await;
}
