//! The `portico` binary as an operator meets it: configuration errors, the start-up lines that
//! scripts read, the secret key file, and logs free of personal data.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;

use crate::common::{Backend, TestApp, csrf_token, on_both};

fn portico() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_portico"));
    cmd.env_remove("DATABASE_URL");
    cmd
}

#[test]
fn a_bad_configuration_value_stops_the_start_and_names_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("PORTICO_LISTEN", "localhost:http", "server.listen"),
        (
            "PORTICO_SESSION_IDLE_MINUTES",
            "forever",
            "security.session_idle_minutes",
        ),
        ("PORTICO_SECRET_KEY", "tooshort", "security.secret_key"),
        (
            "PORTICO_PUBLIC_URL",
            "portal.example.org",
            "server.public_url",
        ),
        ("DATABASE_URL", "mysql://db/portico", "database.url"),
    ];
    for (var, value, key) in cases {
        let out = portico()
            .arg("--data-dir")
            .arg(dir.path())
            .arg("serve")
            .env(var, value)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{var}: {stderr}");
        assert!(
            stderr.contains(key) && stderr.contains(var),
            "{var}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "nothing starts");
    }
    // A typo in the file is named with its key.
    let file = dir.path().join("portico.toml");
    std::fs::write(
        &file,
        "[server]\nlisten = \"127.0.0.1:0\"\nlistne = \"x\"\n",
    )
    .unwrap();
    let out = portico()
        .arg("--config")
        .arg(&file)
        .arg("serve")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("listne"), "{stderr}");
}

on_both!(
    serve_prints_its_address_and_set_up_link_and_logs_no_personal_data,
    admin_create_reads_the_password_from_stdin_and_checks_it
);

async fn serve_prints_its_address_and_set_up_link_and_logs_no_personal_data(app: &TestApp) {
    let data = tempfile::tempdir().unwrap();
    let mut cmd = portico();
    cmd.arg("--data-dir")
        .arg(data.path())
        .args(["serve", "--listen", "127.0.0.1:0"]);
    cmd.env("PORTICO_LOG", "debug");
    if app.backend == Backend::Postgres {
        // A database of its own: the in-process app already holds this test's.
        cmd.env("DATABASE_URL", app.database_url());
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let listening = lines.next().unwrap().unwrap();
    let url = listening
        .strip_prefix("listening on ")
        .expect("first line says where it listens")
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{listening}");
    let mut link = String::new();
    for line in lines.by_ref().take(3) {
        let line = line.unwrap();
        if line.starts_with("http") {
            link = line;
            break;
        }
    }
    if app.backend == Backend::Sqlite {
        assert!(
            link.starts_with(&format!("{url}/setup/")),
            "set-up link on its own line: {link}"
        );
    }

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.path().join("secret.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the secret key is private");
    }

    // A failed sign-in with an identifying email, then stop the server and read its logs.
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let page = client
        .get(format!("{url}/staff/sign-in"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let res = client
        .post(format!("{url}/staff/sign-in"))
        .form(&[
            ("csrf_token", csrf_token(&page).as_str()),
            ("email", "jane.patient@example.org"),
            ("password", "Jane's secret 1985-04-12"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    if !link.is_empty() {
        assert_eq!(
            client.get(&link).send().await.unwrap().status(),
            StatusCode::OK
        );
    }

    unsafe_terminate(&child);
    let status = wait_with_timeout(&mut child, Duration::from_secs(10));
    assert!(status, "serve stops on SIGTERM");
    let mut logs = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut logs).unwrap();
    assert!(logs.contains("served"), "request lines are logged: {logs}");
    for secret in [
        "jane.patient",
        "Jane's secret",
        "1985-04-12",
        link.rsplit('/').next().unwrap_or("-"),
    ] {
        assert!(!logs.contains(secret), "logs must not contain {secret:?}");
    }
}

fn unsafe_terminate(child: &std::process::Child) {
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
}

fn wait_with_timeout(child: &mut std::process::Child, limit: Duration) -> bool {
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if let Ok(Some(status)) = child.try_wait() {
            return status.success();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    false
}

async fn admin_create_reads_the_password_from_stdin_and_checks_it(app: &TestApp) {
    let out = app.cli(
        &[
            "admin",
            "create",
            "--practice",
            "Bay Clinic",
            "--email",
            "lee@bay.example",
        ],
        Some("too short"),
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("password") && stderr.contains("15"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "no practice id on failure");

    let id = app.cli_admin_create("Bay Clinic", "lee@bay.example", "copper kettle winter song");
    assert_eq!(id.len(), 36, "prints the practice id: {id}");
    // A second admin for the same practice (any case) joins it rather than making another.
    let again = app.cli_admin_create("bay clinic", "kim@bay.example", "copper kettle winter song");
    assert_eq!(again, id);
    let (browser, res) = app
        .sign_in("kim@bay.example", "copper kettle winter song")
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        browser
            .get("/staff")
            .await
            .text()
            .await
            .unwrap()
            .contains("Bay Clinic")
    );
}
