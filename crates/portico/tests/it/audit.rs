//! The audit log: every sign-in and change is recorded, the chain verifies, and an edit or a
//! deletion made behind the service's back is caught by `portico audit verify`.

use portico_store::audit::AuditEvent;

use crate::common::{ADMIN_EMAIL, ADMIN_PASSWORD, Backend, STAFF_PASSWORD, TestApp, on_both};

on_both!(
    the_chain_verifies_after_sign_ins_and_changes,
    a_hand_edited_audit_row_is_caught_by_audit_verify,
    a_deleted_audit_row_is_caught_by_audit_verify,
    an_edit_with_a_recomputed_plain_chain_is_caught_by_audit_verify,
    audit_verify_under_another_secret_key_fails_naming_the_key,
    the_database_refuses_edits_to_the_audit_log,
    the_audit_log_and_the_database_hold_no_plain_secrets,
);

/// A practice with a few audited events: set-up, a failed and a good sign-in, a new staff member.
async fn some_history(app: &TestApp) {
    let admin = app.set_up_practice("Audited Clinic").await;
    app.sign_in(ADMIN_EMAIL, "not the password at all").await;
    app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    admin
        .add_staff("Sam Staff", "sam@clinic.example", "staff")
        .await;
}

fn verify(app: &TestApp) -> (bool, String) {
    let out = app.cli(&["audit", "verify"], None);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

async fn the_chain_verifies_after_sign_ins_and_changes(app: &TestApp) {
    some_history(app).await;
    let (ok, out) = verify(app);
    assert!(ok, "{out}");
    assert!(out.contains("audit chain intact"), "{out}");
    assert!(
        out.contains("keyed from event 1"),
        "a new database starts keyed: {out}"
    );
    // practice.created, staff.created, sign-in at set-up, failed sign-in, sign-in, staff.created
    let count: u64 = out.split_whitespace().find_map(|w| w.parse().ok()).unwrap();
    assert!(count >= 6, "{out}");

    // The admin reads those events on the audit page in words, the failed sign-in among them.
    let (admin, _) = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = admin.get("/staff/audit").await.text().await.unwrap();
    for said in [
        "Ada Admin (with the set-up link) set up the practice.",
        "Ada Admin (with the set-up link) added themselves to the staff.",
        "Ada Admin added Sam Staff to the staff.",
        "Ada Admin signed in.",
        "Someone could not sign in as Ada Admin (wrong password).",
        "Failed",
    ] {
        assert!(page.contains(said), "audit page says {said:?}: {page}");
    }
}

fn disable_guard(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;"
        }
        Backend::Postgres => "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only;",
    }
}

async fn a_hand_edited_audit_row_is_caught_by_audit_verify(app: &TestApp) {
    some_history(app).await;
    app.raw_sql(disable_guard(app.backend)).await;
    app.raw_sql("UPDATE audit_events SET outcome = 'success' WHERE seq = 4")
        .await;
    let (ok, out) = verify(app);
    assert!(!ok, "verify must fail: {out}");
    assert!(out.contains("BROKEN at event 4"), "{out}");
}

async fn a_deleted_audit_row_is_caught_by_audit_verify(app: &TestApp) {
    some_history(app).await;
    app.raw_sql(disable_guard(app.backend)).await;
    app.raw_sql("DELETE FROM audit_events WHERE seq = 3").await;
    let (ok, out) = verify(app);
    assert!(!ok, "{out}");
    assert!(out.contains("BROKEN at event 3"), "{out}");

    // Cutting off the newest events is caught too.
    let app_tail = app;
    app_tail
        .raw_sql("DELETE FROM audit_events WHERE seq >= 3")
        .await;
    let (ok, out) = verify(app_tail);
    assert!(!ok, "{out}");
    assert!(out.contains("ends early"), "{out}");
}

/// A database owner edits an event and recomputes every hash after it the way the chain used to
/// be computed (plain SHA-256, a public formula), head included: the keyed chain still catches it.
async fn an_edit_with_a_recomputed_plain_chain_is_caught_by_audit_verify(app: &TestApp) {
    some_history(app).await;
    app.raw_sql(disable_guard(app.backend)).await;
    let mut events = audit_events(app).await;
    let mut sql = String::new();
    let mut prev_hash = events[2].hash.clone();
    for e in events.iter_mut().skip(3) {
        if e.seq == 4 {
            e.outcome = "success".into();
        }
        e.prev_hash = prev_hash;
        e.hash = e.unkeyed_hash();
        prev_hash = e.hash.clone();
        sql.push_str(&format!(
            "UPDATE audit_events SET outcome = '{}', prev_hash = '{}', hash = '{}' WHERE seq = {};\n",
            e.outcome, e.prev_hash, e.hash, e.seq
        ));
    }
    sql.push_str(&format!(
        "UPDATE audit_head SET last_hash = '{prev_hash}' WHERE id = 1;"
    ));
    app.raw_sql(&sql).await;
    let (ok, out) = verify(app);
    assert!(!ok, "verify must fail: {out}");
    assert!(out.contains("BROKEN at event 4"), "{out}");
}

async fn audit_verify_under_another_secret_key_fails_naming_the_key(app: &TestApp) {
    some_history(app).await;
    // The CLI reads the data folder's key; the running service keeps the one it started with.
    let key_file = app.data_dir().join("secret.key");
    std::fs::write(&key_file, "ab".repeat(32)).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let (ok, out) = verify(app);
    assert!(!ok, "verify must fail under another key: {out}");
    assert!(
        out.contains("another key") && out.contains("security.secret_key"),
        "{out}"
    );
}

async fn the_database_refuses_edits_to_the_audit_log(app: &TestApp) {
    some_history(app).await;
    let update = app
        .try_raw_sql("UPDATE audit_events SET outcome = 'success' WHERE seq = 4")
        .await;
    assert!(update.is_err(), "UPDATE of an audit row must fail");
    let delete = app
        .try_raw_sql("DELETE FROM audit_events WHERE seq = 1")
        .await;
    assert!(delete.is_err(), "DELETE of an audit row must fail");
    assert!(verify(app).0);
}

async fn the_audit_log_and_the_database_hold_no_plain_secrets(app: &TestApp) {
    some_history(app).await;
    let dump = app.dump_all_text().await;
    assert!(
        !dump.contains(ADMIN_PASSWORD) && !dump.contains(STAFF_PASSWORD),
        "no plain passwords"
    );
    let link = app.setup_link.clone().unwrap();
    let token = link.rsplit('/').next().unwrap();
    assert!(
        !dump.contains(token),
        "the set-up token is stored only as a keyed hash"
    );
    let (admin, _) = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let cookie = admin.cookie_header();
    let session = cookie
        .split("portico_session=")
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap();
    assert!(
        !dump.contains(session),
        "session tokens are stored only as keyed hashes"
    );
    let audit = audit_text(app).await;
    assert!(
        !audit.contains("Sam Staff") && !audit.contains("Ada Admin"),
        "names stay out of the audit log"
    );
    assert!(
        !audit.contains("sam@clinic.example") && !audit.contains(ADMIN_EMAIL),
        "emails stay out of the audit log"
    );
}

/// Every audit row, oldest first, as someone reading the database would see it.
pub(crate) async fn audit_events(app: &TestApp) -> Vec<AuditEvent> {
    app.fetch_all(
        "SELECT seq, at, practice_id, actor_kind, actor_id, actor_role, action, subject_kind, \
         subject_id, patient_id, ip, user_agent, outcome, details, prev_hash, hash \
         FROM audit_events ORDER BY seq",
    )
    .await
}

/// The audit table alone, every column as text.
async fn audit_text(app: &TestApp) -> String {
    let rows: Vec<(String,)> = app
        .fetch_all(
            "SELECT action || '|' || COALESCE(actor_id,'') || '|' || COALESCE(subject_id,'') \
             || '|' || details FROM audit_events",
        )
        .await;
    rows.into_iter().map(|r| r.0).collect::<Vec<_>>().join("\n")
}
