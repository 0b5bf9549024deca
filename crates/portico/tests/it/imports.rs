//! Bulk imports from the command line, as a practice's operator runs them: a CSV export with
//! mistakes in it, run twice; a Windows-1252 file; FHIR Bundles and Bulk Data NDJSON among other
//! resources; a dry run; and a run killed half way, then run again.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{TestApp, on_both};

on_both!(
    a_csv_with_ten_bad_rows_invites_the_others_and_a_second_run_invites_nobody,
    a_windows_1252_file_imports_with_its_accents,
    fhir_bundles_and_ndjson_import_patients_with_their_languages_and_record_numbers,
    a_dry_run_reports_what_a_run_would_do_and_invites_nobody,
    an_import_killed_half_way_resumes_and_invites_each_patient_once,
);

const HEADER: &str = "first_name,last_name,birth_date,email,phone,external_id,language";

/// Row `i` of a generated export: every patient different, all with email, some without.
fn good_row(i: usize) -> String {
    let language = if i.is_multiple_of(4) { "es" } else { "en" };
    format!(
        "Pat{i},Import,1970-01-{:02},pat{i}@example.org,,MRN-{i},{language}",
        i % 28 + 1
    )
}

/// The ten mistakes staff find in real exports, one of each, with what the report must say.
const BAD_ROWS: [(&str, &str); 10] = [
    (",Nofirst,1980-05-01,a@example.org,,,", "first name"),
    ("Nolast,,1980-05-01,b@example.org,,,", "last name"),
    ("123,Digits,1980-05-01,c@example.org,,,", "first name"),
    ("Ann,Smith,05/01/1980,d@example.org,,,", "date of birth"),
    ("Ann,Smith,1980-02-30,e@example.org,,,", "date of birth"),
    ("Ann,Smith,2999-01-01,f@example.org,,,", "date of birth"),
    ("Ann,Smith,,g@example.org,,,", "date of birth"),
    ("Ann,Smith,1980-05-01,not-an-email,,,", "email"),
    ("Ann,Smith,1980-05-01,h@example.org,12,,", "phone"),
    ("Ann,Smith<b>,1980-05-01,i@example.org,,,", "last name"),
];

fn write(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

fn import(app: &TestApp, practice: &str, file: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["import", file.to_str().unwrap(), "--practice", practice];
    args.extend_from_slice(extra);
    app.cli(&args, None)
}

/// The summary line `what: N` of an import's standard output.
fn count(out: &Output, what: &str) -> u64 {
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{what}: ")))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no `{what}` in {stdout}"))
}

fn succeeded(out: &Output) {
    assert!(
        out.status.success(),
        "import failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn invitations(app: &TestApp, practice: &str) -> usize {
    app.count_rows(&format!("invitations WHERE practice_id = '{practice}'"))
        .await
}

async fn a_csv_with_ten_bad_rows_invites_the_others_and_a_second_run_invites_nobody(app: &TestApp) {
    let practice = app.cli_admin_create(
        "Lakeside Clinic",
        "ops@lakeside.example",
        "maple orbit candle drift",
    );
    let dir = tempfile::tempdir().unwrap();
    // 990 good rows with a bad one every 99 rows; the bad rows' lines are known (header = 1).
    let mut lines = vec![HEADER.to_owned()];
    let mut bad_lines = Vec::new();
    let mut good = 0;
    for slot in 0..1000 {
        if slot % 100 == 50 {
            let (row, _) = BAD_ROWS[slot / 100];
            lines.push(row.to_owned());
            bad_lines.push(lines.len());
        } else {
            lines.push(good_row(good));
            good += 1;
        }
    }
    assert_eq!((good, bad_lines.len()), (990, 10));
    let file = write(
        dir.path(),
        "export.csv",
        (lines.join("\r\n") + "\r\n").as_bytes(),
    );

    let first = import(app, &practice, &file, &[]);
    succeeded(&first);
    assert_eq!(count(&first, "invited"), 990);
    assert_eq!(count(&first, "bad"), 10);
    assert_eq!(invitations(app, &practice).await, 990);
    // Every invitation is queued on its channel: an email each.
    assert_eq!(app.count_rows("outbox WHERE channel = 'email'").await, 990);

    // The bad rows are beside the file, by line, each with its reason in words.
    let report = std::fs::read_to_string(dir.path().join("export.csv.bad-rows.csv")).unwrap();
    let reported: Vec<&str> = report.lines().skip(1).collect();
    assert_eq!(reported.len(), 10, "{report}");
    for ((line, (_, why)), text) in bad_lines.iter().zip(BAD_ROWS).zip(&reported) {
        assert!(text.starts_with(&format!("\"line {line}\",")), "{text}");
        assert!(text.to_lowercase().contains(why), "line {line}: {text}");
    }

    // Run again (the same file, as an operator re-runs a script): nobody is invited twice.
    let second = import(app, &practice, &file, &[]);
    succeeded(&second);
    assert_eq!(count(&second, "invited"), 0);
    assert_eq!(count(&second, "already invited"), 990);
    assert_eq!(count(&second, "bad"), 10);
    assert_eq!(invitations(app, &practice).await, 990);
    assert_eq!(app.count_rows("outbox").await, 990);

    // A later export overlaps the first: names respelled in another case, new patients added.
    let mut later = vec![HEADER.to_owned()];
    for i in 980..1010 {
        later.push(good_row(i).replace("Pat", "PAT"));
    }
    let file = write(dir.path(), "later.csv", later.join("\n").as_bytes());
    let third = import(app, &practice, &file, &[]);
    succeeded(&third);
    assert_eq!(count(&third, "already invited"), 10);
    assert_eq!(count(&third, "invited"), 20);
    assert_eq!(invitations(app, &practice).await, 1010);
}

async fn a_windows_1252_file_imports_with_its_accents(app: &TestApp) {
    let practice = app.cli_admin_create(
        "Lakeside Clinic",
        "ops@lakeside.example",
        "maple orbit candle drift",
    );
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = format!("{HEADER}\r\n").into_bytes();
    // "José,Müller" and "Renée,Núñez" as an older EHR writes them: one byte per accent.
    bytes.extend_from_slice(b"Jos\xe9,M\xfcller,1961-07-04,jose@example.org,,,es\r\n");
    bytes.extend_from_slice(b"Ren\xe9e,N\xfa\xf1ez,1975-11-30,renee@example.org,,,\r\n");
    let file = write(dir.path(), "old-ehr.csv", &bytes);
    let out = import(app, &practice, &file, &[]);
    succeeded(&out);
    assert_eq!(count(&out, "invited"), 2);
    let names: Vec<(String, String, String)> = app
        .fetch_all("SELECT first_name, last_name, language FROM invitations ORDER BY first_name")
        .await;
    assert_eq!(
        names,
        [
            ("José".into(), "Müller".into(), "es".into()),
            ("Renée".into(), "Núñez".into(), "en".into())
        ]
    );
}

fn fhir_patient(
    id: &str,
    mrn: &str,
    given: &str,
    email: Option<&str>,
    language: &str,
) -> serde_json::Value {
    let mut telecom =
        vec![serde_json::json!({"system": "phone", "use": "home", "value": "608-271-9000"})];
    if let Some(email) = email {
        telecom.push(serde_json::json!({"system": "email", "value": email}));
    }
    serde_json::json!({
        "resourceType": "Patient", "id": id,
        "extension": [{"url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex", "valueCode": "F"}],
        "identifier": [
            {"system": "https://github.com/synthetichealth/synthea", "value": id},
            {"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]},
             "system": "http://hospital.example", "value": mrn},
            {"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "SS"}]},
             "system": "http://hl7.org/fhir/sid/us-ssn", "value": "999-12-3456"}
        ],
        "name": [{"use": "official", "family": "García López", "given": [given, "José"], "prefix": ["Mrs."]}],
        "telecom": telecom,
        "birthDate": "1980-05-17",
        "communication": [{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": language}]}}]
    })
}

async fn fhir_bundles_and_ndjson_import_patients_with_their_languages_and_record_numbers(
    app: &TestApp,
) {
    let practice = app.cli_admin_create(
        "Lakeside Clinic",
        "ops@lakeside.example",
        "maple orbit candle drift",
    );
    let dir = tempfile::tempdir().unwrap();
    let mut dead = fhir_patient("p3", "MR-3", "Late", Some("late@example.org"), "en");
    dead["deceasedDateTime"] = "2020-01-01T00:00:00Z".into();
    let bundle = serde_json::json!({
        "resourceType": "Bundle", "type": "transaction",
        "entry": [
            {"resource": {"resourceType": "Organization", "id": "o1", "name": "Lakeside"}},
            {"fullUrl": "urn:uuid:p1", "resource": fhir_patient("p1", "MR-1", "María", Some("maria@example.org"), "es-MX")},
            {"resource": {"resourceType": "Encounter", "id": "e1", "status": "finished"}},
            {"resource": fhir_patient("p2", "MR-2", "Ana", None, "en-US")},
            {"resource": dead},
            {"resource": {"resourceType": "Observation", "id": "ob1", "status": "final"}}
        ]
    });
    let file = write(dir.path(), "bundle.json", bundle.to_string().as_bytes());
    let out = import(app, &practice, &file, &[]);
    succeeded(&out);
    assert_eq!(count(&out, "invited"), 1);
    // Ana has only a home phone: no address to send to, so staff hand her invitation over.
    assert_eq!(count(&out, "to hand over in person"), 1);
    // Three other resources and one deceased patient.
    assert_eq!(count(&out, "skipped"), 4);
    // All given names are the first name, as the patient will type it.
    let rows: Vec<(String, String, String)> = app
        .fetch_all("SELECT first_name, language, channels FROM invitations ORDER BY first_name")
        .await;
    assert_eq!(
        rows,
        [
            ("Ana José".into(), "en".into(), "".into()),
            ("María José".into(), "es".into(), "email".into())
        ]
    );
    // The social security number is never kept.
    assert!(!app.dump_all_text().await.contains("999-12-3456"));

    // A Bulk Data export, later: the same record numbers under changed names and addresses are
    // the same patients; a new one is invited; a line that is not JSON is reported by its line.
    let lines = [
        fhir_patient("p1", "MR-1", "Mary", Some("mary@example.org"), "es").to_string(),
        fhir_patient("p4", "MR-4", "Zoë", Some("zoe@example.org"), "es").to_string(),
        "{not json".to_owned(),
        fhir_patient("p2", "MR-2", "Anna", Some("anna@example.org"), "en").to_string(),
    ];
    let file = write(dir.path(), "Patient.ndjson", lines.join("\n").as_bytes());
    let out = import(app, &practice, &file, &[]);
    succeeded(&out);
    assert_eq!(count(&out, "invited"), 1);
    assert_eq!(count(&out, "already invited"), 2);
    assert_eq!(count(&out, "bad"), 1);
    let report = std::fs::read_to_string(dir.path().join("Patient.ndjson.bad-rows.csv")).unwrap();
    assert!(report.contains("\"line 3\""), "{report}");
    let zoe: Vec<(String, String)> = app
        .fetch_all("SELECT first_name, language FROM invitations WHERE email = 'zoe@example.org'")
        .await;
    assert_eq!(zoe, [("Zoë José".into(), "es".into())]);
}

async fn a_dry_run_reports_what_a_run_would_do_and_invites_nobody(app: &TestApp) {
    let practice = app.cli_admin_create(
        "Lakeside Clinic",
        "ops@lakeside.example",
        "maple orbit candle drift",
    );
    let dir = tempfile::tempdir().unwrap();
    let mut lines = vec![HEADER.to_owned()];
    lines.extend((0..20).map(good_row));
    // The same patient twice in one file is one invitation.
    lines.push(good_row(3));
    lines.push(BAD_ROWS[0].0.to_owned());
    let file = write(dir.path(), "export.csv", lines.join("\n").as_bytes());
    let dry = import(app, &practice, &file, &["--dry-run"]);
    succeeded(&dry);
    assert_eq!(count(&dry, "invited"), 20);
    assert_eq!(count(&dry, "already invited"), 1);
    assert_eq!(count(&dry, "bad"), 1);
    assert_eq!(invitations(app, &practice).await, 0);
    assert_eq!(app.count_rows("outbox").await, 0);
    let real = import(app, &practice, &file, &[]);
    succeeded(&real);
    for what in ["invited", "already invited", "bad"] {
        assert_eq!(count(&real, what), count(&dry, what), "{what}");
    }
    assert_eq!(invitations(app, &practice).await, 20);

    // Choices that cannot be: refused before anything is read, naming the option.
    let out = import(
        app,
        &practice,
        &file,
        &["--provider", "nobody", "--channels", "fax"],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--provider") && stderr.contains("--channels"),
        "{stderr}"
    );
    let out = import(app, &practice, &write(dir.path(), "x.pdf", b"%PDF"), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--format"));
}

async fn an_import_killed_half_way_resumes_and_invites_each_patient_once(app: &TestApp) {
    let practice = app.cli_admin_create(
        "Lakeside Clinic",
        "ops@lakeside.example",
        "maple orbit candle drift",
    );
    let dir = tempfile::tempdir().unwrap();
    const ROWS: usize = 6000;
    let mut lines = vec![HEADER.to_owned()];
    lines.extend((0..ROWS).map(good_row));
    let file = write(dir.path(), "big.csv", lines.join("\n").as_bytes());
    let mut child = app
        .cli_command(&["import", file.to_str().unwrap(), "--practice", &practice])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until some batches are in, then kill it without warning.
    let done = loop {
        let done: Vec<(i64,)> = app.fetch_all("SELECT rows_done FROM imports").await;
        if let Some(&(n,)) = done.first()
            && n >= 500
        {
            break n;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import ended too soon"
        );
        tokio::task::yield_now().await;
    };
    child.kill().unwrap();
    child.wait().unwrap();
    assert!((done as usize) < ROWS, "killed half way");
    let written = invitations(app, &practice).await;
    assert!(written < ROWS, "{written}");

    let again = import(app, &practice, &file, &[]);
    succeeded(&again);
    assert!(String::from_utf8_lossy(&again.stderr).contains("resuming import"));
    assert_eq!(invitations(app, &practice).await, ROWS);
    let once: Vec<(i64,)> = app
        .fetch_all("SELECT COUNT(DISTINCT email) FROM invitations")
        .await;
    assert_eq!(
        once[0].0 as usize, ROWS,
        "each patient invited exactly once"
    );
    let state: Vec<(String, i64, i64)> = app
        .fetch_all("SELECT state, rows_done, invited FROM imports")
        .await;
    assert_eq!(state, [("done".into(), ROWS as i64, ROWS as i64)]);
}
