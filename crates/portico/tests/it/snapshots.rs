//! Snapshots of what people read (issue #16, item 6), so that a change of wording shows up in
//! review as a changed file under `snapshots/`:
//! - every shipped template in both languages through the preview API (`preview_*`);
//! - the messages as really sent: email text and HTML as the SMTP server (aiosmtpd) received
//!   them, SMS bodies and voice TwiML as the provider stand-in (wiremock) received them
//!   (`message_*`);
//! - the JSON API's problem documents (`problem_*`) and the main error pages (`page_*`).
//!
//! Values that change from run to run (codes, link tokens, ids, request ids, the port, CSRF
//! tokens) are replaced by placeholders such as `[invite-code]`, so that SQLite and PostgreSQL
//! match the same snapshot. For review, email HTML gets a line break after each `</p>` and TwiML
//! one between elements; nothing else is changed.
//!
//! A changed wording fails these tests with a diff (in CI, `CI=true`, insta never writes a file).
//! To accept it: `INSTA_UPDATE=always cargo test -p portico --test it snapshots::` rewrites the
//! `.snap` files in place; read `git diff` on `snapshots/`, run the same command again without
//! `INSTA_UPDATE` (both databases must agree on each file), and commit the files with the change.
//! Without `INSTA_UPDATE` and outside CI, a mismatch leaves `NAME.snap.new` beside `NAME.snap`:
//! compare the two and rename the new one over the old to accept it.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{Api, Backend, Browser, STAFF_PASSWORD, TestApp, csrf_token, on_both};
use crate::mailbox::{Received, SmtpServer};

/// Low limits, so that one or two wrong tries show the "too many attempts" answers.
const LIMITS: &[(&str, &str)] = &[
    ("PORTICO_LIMIT_INVITE_CODE_ATTEMPTS", "2"),
    ("PORTICO_LIMIT_ACCOUNT_FAILURES_BEFORE_WAIT", "1"),
];

on_both!(
    settings: crate::snapshots::LIMITS;
    every_shipped_template_previewed_in_both_languages,
    problem_documents,
    error_pages,
);

// --- snapshot helpers ------------------------------------------------------------------------

/// The insta settings of this file: snapshot files named after the snapshot alone, and filters
/// for what no test knows in advance.
fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s.add_filter(r"http://127\.0\.0\.1:\d+", "http://[host]");
    s.add_filter(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "[uuid]",
    );
    s.add_filter(
        r#"name="csrf_token" value="[^"]*""#,
        r#"name="csrf_token" value="[csrf]""#,
    );
    s
}

/// Also used by feature tests whose message needs a set-up this file does not make.
pub(crate) fn snapshot(name: &str, text: &str) {
    settings().bind(|| insta::assert_snapshot!(name, text));
}

fn snapshot_json(name: &str, value: &Value) {
    settings().bind(|| insta::assert_json_snapshot!(name, value));
}

/// Values that differ per run, each replaced by its placeholder (longest value first, so that a
/// link is replaced whole before the token inside it).
#[derive(Default)]
struct Redact(Vec<(String, String)>);

impl Redact {
    fn add(&mut self, value: &str, placeholder: &str) -> &mut Redact {
        if !value.is_empty() {
            self.0.push((value.to_owned(), format!("[{placeholder}]")));
            self.0.sort_by_key(|(v, _)| std::cmp::Reverse(v.len()));
        }
        self
    }

    fn apply(&self, text: &str) -> String {
        self.0
            .iter()
            .fold(text.to_owned(), |t, (value, placeholder)| {
                t.replace(value, placeholder)
            })
    }
}

/// A code read out one character at a time, as the service speaks it.
fn spoken(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(String::from)
        .collect::<Vec<_>>()
        .join(", ")
}

// --- template previews -----------------------------------------------------------------------

/// The signed-in admin's browser and the CSRF token its API calls carry.
async fn admin(app: &TestApp) -> (Browser, String) {
    let browser = app.set_up_practice("Lakeside Clinic").await;
    let csrf = browser.csrf_for("/staff").await;
    (browser, csrf)
}

async fn every_shipped_template_previewed_in_both_languages(app: &TestApp) {
    let (browser, csrf) = admin(app).await;
    let list: Value = browser
        .api(Method::GET, "/templates")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let list = list.as_array().expect("a list of templates");
    let mut seen = Vec::new();
    for template in list {
        let (kind, language) = (
            template["kind"].as_str().unwrap(),
            template["language"].as_str().unwrap(),
        );
        assert_eq!(
            template["customized"], false,
            "{kind}/{language} as shipped"
        );
        let res = browser
            .api(
                Method::POST,
                &format!("/templates/{kind}/{language}/preview"),
            )
            .header("x-csrf-token", &csrf)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        let preview = Api::expect(res, StatusCode::OK).await;
        snapshot(
            &format!("preview_{kind}_{language}"),
            &preview_text(&preview),
        );
        seen.push(format!("{kind}/{language}"));
    }
    assert_eq!(seen.len(), 12, "six kinds in two languages: {seen:?}");
}

fn preview_text(p: &Value) -> String {
    let mut out = format!("channel: {}\n", p["channel"].as_str().unwrap());
    if let Some(subject) = p["subject"].as_str() {
        out.push_str(&format!("subject: {subject}\n"));
    }
    out.push_str(&format!("characters: {}\n", p["characters"]));
    if let Some(segments) = p["sms_segments"].as_u64() {
        out.push_str(&format!("sms segments: {segments}\n"));
    }
    out.push_str("--- body ---\n");
    out.push_str(p["body"].as_str().unwrap());
    if let Some(html) = p["html"].as_str() {
        out.push_str("\n--- html ---\n");
        out.push_str(&readable_html(html));
    }
    out
}

fn readable_html(html: &str) -> String {
    html.replace("</p>", "</p>\n")
}

// --- messages as sent --------------------------------------------------------------------------

/// A service sending email to a real SMTP server and SMS and calls to the provider's stand-in.
struct Sent {
    app: TestApp,
    smtp: SmtpServer,
    provider: MockServer,
}

type TestFuture<'a> = Pin<Box<dyn Future<Output = ()> + 'a>>;

/// Runs each named `async fn(&Sent)` on both databases; skipped (with a note, outside CI) where
/// aiosmtpd or PostgreSQL is missing, as the other tests are.
macro_rules! with_transports {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::run(crate::common::Backend::Sqlite, |sent| Box::pin(super::$name(sent))).await } )*
        }
        mod postgres {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::run(crate::common::Backend::Postgres, |sent| Box::pin(super::$name(sent))).await } )*
        }
    };
}

mod sent {
    use super::*;

    with_transports!(invitations_in_both_languages, one_time_codes_and_notices);
}

const SID: &str = "AC00000000000000000000000000snap";
const SMS_FROM: &str = "+15005550006";

async fn run(backend: Backend, test: impl for<'a> FnOnce(&'a Sent) -> TestFuture<'a>) {
    let Some(smtp) = SmtpServer::start() else {
        return;
    };
    let provider = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({ "sid": "SM0001", "status": "queued" })),
        )
        .mount(&provider)
        .await;
    let base = provider.uri();
    let mut settings: Vec<(&str, String)> = smtp.settings();
    settings.extend([
        ("PORTICO_SMS_TRANSPORT", "http".to_owned()),
        ("PORTICO_SMS_BASE_URL", base),
        ("PORTICO_SMS_ACCOUNT_SID", SID.to_owned()),
        ("PORTICO_SMS_AUTH_TOKEN", "snapshot-auth-token".to_owned()),
        ("PORTICO_SMS_FROM", SMS_FROM.to_owned()),
    ]);
    let settings: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let Some(app) = TestApp::spawn_with(backend, &settings).await else {
        return;
    };
    let sent = Sent {
        app,
        smtp,
        provider,
    };
    test(&sent).await;
    sent.app.stop().await;
}

impl Sent {
    /// The form bodies the provider received at its endpoint ending in `endpoint` for `to`.
    async fn provider_forms(&self, endpoint: &str, to: &str) -> Vec<Vec<(String, String)>> {
        self.provider
            .received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .filter(|r| r.url.path().ends_with(endpoint))
            .map(|r| serde_urlencoded::from_bytes::<Vec<(String, String)>>(&r.body).unwrap())
            .filter(|form| field(form, "To") == to)
            .collect()
    }

    /// The newest SMS to `to`.
    async fn sms(&self, to: &str) -> Vec<(String, String)> {
        let mut forms = self.provider_forms("/Messages.json", to).await;
        forms.pop().unwrap_or_else(|| panic!("an SMS to {to}"))
    }

    /// The newest call to `to`.
    async fn call(&self, to: &str) -> Vec<(String, String)> {
        let mut forms = self.provider_forms("/Calls.json", to).await;
        forms.pop().unwrap_or_else(|| panic!("a call to {to}"))
    }

    /// The emails that arrived since `seen` was taken, once `n` of them are there.
    fn new_mail(&self, seen: &mut HashSet<String>, n: usize) -> Vec<Received> {
        let all = self.smtp.wait_for(seen.len() + n, Duration::from_secs(10));
        let fresh: Vec<Received> = all.into_iter().filter(|m| !seen.contains(&m.raw)).collect();
        assert_eq!(fresh.len(), n, "{n} new emails");
        seen.extend(fresh.iter().map(|m| m.raw.clone()));
        fresh
    }
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// An SMS as the provider received it.
fn sms_text(form: &[(String, String)]) -> String {
    let body = field(form, "Body");
    format!(
        "To: {}\nFrom: {}\n--- body ---\n{body}",
        field(form, "To"),
        field(form, "From"),
    )
}

/// A call as the provider received it: the TwiML, one element a line.
fn call_text(form: &[(String, String)]) -> String {
    format!(
        "To: {}\nFrom: {}\n--- twiml ---\n{}",
        field(form, "To"),
        field(form, "From"),
        field(form, "Twiml").replace("><", ">\n<"),
    )
}

/// An email as the SMTP server received it: the headers people see, then each part decoded.
fn email_text(m: &Received) -> String {
    let raw = m.raw.replace("\r\n", "\n");
    let (head, body) = raw.split_once("\n\n").expect("headers and a body");
    let headers = unfold(head);
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut out = String::new();
    for name in ["From", "To", "Subject"] {
        out.push_str(&format!("{name}: {}\n", decode_words(&header(name))));
    }
    let content_type = header("Content-Type");
    out.push_str(&format!(
        "Content-Type: {}\n",
        content_type.split(';').next().unwrap_or_default()
    ));
    let boundary = content_type
        .split("boundary=")
        .nth(1)
        .expect("a multipart email")
        .trim_matches('"')
        .to_owned();
    for part in body.split(&format!("--{boundary}")).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let (part_head, part_body) = part
            .trim_start_matches('\n')
            .split_once("\n\n")
            .expect("a part with headers");
        let part_headers = unfold(part_head);
        let get = |name: &str| {
            part_headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let kind = get("Content-Type");
        let text = decode_body(
            part_body.trim_end_matches('\n'),
            &get("Content-Transfer-Encoding"),
        );
        out.push_str(&format!("--- {kind} ---\n"));
        if kind.starts_with("text/html") {
            out.push_str(&readable_html(&text));
        } else {
            out.push_str(&text);
        }
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// Header lines with their continuation lines joined.
fn unfold(head: &str) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    headers
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`); the space between two
/// encoded words is not part of the text. The mailbox helper has already dropped an `=` before
/// a line break, so a word's closing `?=` may have lost its `=`.
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    let mut after_word = false;
    while let Some(start) = rest.find("=?") {
        let between = &rest[..start];
        if !(after_word && between.trim().is_empty()) {
            out.push_str(between);
        }
        // charset ? encoding ? text ?=
        let mut parts = rest[start + 2..].splitn(3, '?');
        let (_charset, encoding, tail) = match (parts.next(), parts.next(), parts.next()) {
            (Some(c), Some(e), Some(t)) => (c, e, t),
            _ => panic!("a broken encoded word in {value}"),
        };
        let end = tail.find('?').unwrap_or(tail.len());
        let bytes = if encoding.eq_ignore_ascii_case("b") {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(pad_base64(&tail[..end]))
                .expect("base64 in an encoded word")
        } else {
            quoted_printable(&tail[..end].replace('_', " "))
        };
        out.push_str(&String::from_utf8(bytes).expect("UTF-8 in an encoded word"));
        rest = &tail[(end + 1).min(tail.len())..];
        rest = rest.strip_prefix('=').unwrap_or(rest);
        after_word = true;
    }
    out.push_str(rest);
    out
}

fn pad_base64(text: &str) -> String {
    let mut t = text.trim_end_matches('=').to_owned();
    while !t.len().is_multiple_of(4) {
        t.push('=');
    }
    t
}

/// A part's body by its transfer encoding. The mailbox helper has already undone soft line
/// breaks and `=3D`; what is left are `=XX` escapes of other bytes.
fn decode_body(body: &str, encoding: &str) -> String {
    match encoding.to_ascii_lowercase().as_str() {
        "quoted-printable" => String::from_utf8(quoted_printable(body)).expect("UTF-8 text"),
        "" | "7bit" | "8bit" => body.to_owned(),
        other => panic!("a part in {other}: teach the snapshot test to decode it"),
    }
}

fn quoted_printable(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let hex = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    };
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(hi * 16 + lo);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// The one email in `mail` addressed to `to`.
fn mail_to<'a>(mail: &'a [Received], to: &str) -> &'a Received {
    mail.iter()
        .find(|m| m.header("X-RcptTo").as_deref() == Some(to))
        .unwrap_or_else(|| panic!("an email to {to}"))
}

const EN: (&str, &str, &str) = ("maria@example.org", "+14155550123", "Maria");
const ES: (&str, &str, &str) = ("jose@example.org", "+14155550124", "José");

async fn invitations_in_both_languages(sent: &Sent) {
    // Invited at 01:06 UTC, the invitations expire on 3 December in UTC but at 20:06 on 2 December
    // on the practice's clock (America/New_York, the default): the messages must say the 2nd.
    sent.app.advance(Duration::from_secs(14 * 60 * 60));
    let api = sent
        .app
        .integrator("Lakeside Clinic", "admin@lakeside.example")
        .await;
    let mut invited = Vec::new();
    for (language, (email, phone, first_name)) in [("en", EN), ("es", ES)] {
        let body = json!({
            "first_name": first_name, "last_name": "Lopez", "birth_date": "1980-02-03",
            "email": email, "phone": phone, "channels": ["email", "sms", "voice"],
            "language": language,
        });
        let created = Api::expect(api.post("/invitations", &body).await, StatusCode::CREATED).await;
        let code = created["code"].as_str().unwrap().to_owned();
        let link = created["link"].as_str().unwrap().to_owned();
        let token = link.rsplit('/').next().unwrap().to_owned();
        let mut redact = Redact::default();
        redact
            .add(&link, "invite-link")
            .add(&token, "link-token")
            .add(&code, "invite-code")
            .add(&spoken(&code), "invite-code-spoken");
        invited.push((language, email, phone, redact));
    }
    assert_eq!(sent.app.deliver().await, 6, "three channels, two patients");
    let mail = sent.new_mail(&mut HashSet::new(), 2);
    for (email, date) in [(EN.0, "2 December 2026"), (ES.0, "2 de diciembre de 2026")] {
        let text = email_text(mail_to(&mail, email));
        assert!(
            text.contains(date),
            "the practice's date, not UTC's: {text}"
        );
    }
    for (language, email, phone, redact) in &invited {
        snapshot(
            &format!("message_invite_email_{language}"),
            &redact.apply(&email_text(mail_to(&mail, email))),
        );
        let sms = sms_text(&sent.sms(phone).await);
        if *language == "en" {
            one_gsm7_segment_as_really_sent(&sent.app.url, &sms);
        }
        snapshot(
            &format!("message_invite_sms_{language}"),
            &redact.apply(&sms),
        );
        snapshot(
            &format!("message_invite_voice_{language}"),
            &redact.apply(&call_text(&sent.call(phone).await)),
        );
    }
}

/// The English SMS invitation as sent, its link moved to a realistic public address and the
/// practice renamed to a 30-character name, must still be one GSM-7 segment.
fn one_gsm7_segment_as_really_sent(test_url: &str, sms: &str) {
    let body = sms
        .split_once("--- body ---\n")
        .map_or(sms, |(_, body)| body);
    let realistic = body
        .trim_end()
        .replace(test_url, "https://portal.lakesideclinic.com")
        .replace("Lakeside Clinic", "Lakeside Family Medicine Group");
    assert!(
        realistic.contains("https://portal.lakesideclinic.com/i/"),
        "{realistic}"
    );
    assert!(
        realistic.contains("Lakeside Family Medicine Group"),
        "{realistic}"
    );
    let length = realistic.chars().count();
    eprintln!("English SMS invitation: {length} characters: {realistic}");
    assert_eq!(
        portico_core::delivery::templates::sms_segments(&realistic),
        1,
        "{length} characters: {realistic}"
    );
}

/// The six digits of a one-time code in a message's text, written ("123456", not part of a
/// longer number) or spoken ("1, 2, 3, 4, 5, 6").
fn six_digits(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let digit = |i: usize| chars.get(i).is_some_and(char::is_ascii_digit);
    for start in 0..chars.len() {
        if !digit(start) || (start > 0 && (digit(start - 1) || chars[start - 1] == '+')) {
            continue;
        }
        if (start..start + 6).all(digit) && !digit(start + 6) {
            return chars[start..start + 6].iter().collect();
        }
        let spoken_form: String = chars[start..].iter().take(16).collect();
        let digits: String = spoken_form.chars().filter(char::is_ascii_digit).collect();
        if digits.len() == 6 && spoken_form == spoken(&digits) && !digit(start + 16) {
            return digits;
        }
    }
    panic!("no six-digit code in {text}")
}

fn code_redactions(code: &str) -> Redact {
    let mut redact = Redact::default();
    redact
        .add(code, "six-digit-code")
        .add(&spoken(code), "six-digit-code-spoken");
    redact
}

async fn one_time_codes_and_notices(sent: &Sent) {
    let (email, phone, _) = EN;
    let api = sent
        .app
        .integrator("Lakeside Clinic", "admin@lakeside.example")
        .await;
    let codes = Api::expect(api.get("/provider-codes").await, StatusCode::OK).await;
    let provider_code = codes[0]["code"].as_str().unwrap().to_owned();
    let public = sent.app.anonymous_api();
    let start = |code: String| {
        let public = &public;
        async move {
            let started = Api::expect(
                public
                    .post("/public/registrations", &json!({ "code": code }))
                    .await,
                StatusCode::CREATED,
            )
            .await;
            started["ticket"].as_str().unwrap().to_owned()
        }
    };
    let details = |ticket: &str| {
        json!({
            "ticket": ticket, "first_name": "Maria", "last_name": "Lopez", "birth_date": "1980-02-03",
            "email": email, "phone": phone, "password": "copper lantern orbit meadow",
        })
    };
    let ticket = start(provider_code.clone()).await;
    Api::expect(
        public
            .post("/public/registrations/details", &details(&ticket))
            .await,
        StatusCode::OK,
    )
    .await;

    // The phone code, by SMS and then by a call.
    let send = |channel: &'static str| {
        let (public, ticket) = (&public, &ticket);
        async move {
            Api::expect(
                public
                    .post(
                        "/public/registrations/phone/send",
                        &json!({ "ticket": ticket, "channel": channel }),
                    )
                    .await,
                StatusCode::ACCEPTED,
            )
            .await;
        }
    };
    send("sms").await;
    assert_eq!(sent.app.deliver().await, 1);
    let sms = sms_text(&sent.sms(phone).await);
    snapshot(
        "message_verification_code_sms",
        &code_redactions(&six_digits(&sms)).apply(&sms),
    );
    sent.app.advance(Duration::from_secs(10 * 60));
    send("voice").await;
    assert_eq!(sent.app.deliver().await, 1);
    let call = call_text(&sent.call(phone).await);
    let code = six_digits(&call);
    snapshot(
        "message_verification_code_voice",
        &code_redactions(&code).apply(&call),
    );

    // The account is made, then someone registers again with its email address.
    let view = Api::expect(
        public
            .post(
                "/public/registrations/phone/verify",
                &json!({ "ticket": ticket, "code": code }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    Api::expect(
        public
            .post(
                "/public/registrations/terms",
                &json!({ "ticket": ticket, "version": view["terms"]["version"] }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    Api::expect(
        public
            .post(
                "/public/registrations/complete",
                &json!({ "ticket": ticket }),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    let mut seen = HashSet::new();
    let again = start(provider_code).await;
    Api::expect(
        public
            .post("/public/registrations/details", &details(&again))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(sent.app.deliver().await, 1);
    let mail = sent.new_mail(&mut seen, 1);
    snapshot("message_account_exists_email", &email_text(&mail[0]));

    // Password recovery, by email and by SMS.
    for channel in ["email", "sms"] {
        sent.app.advance(Duration::from_secs(10 * 60));
        Api::expect(
            public
                .post(
                    "/public/password-recovery",
                    &json!({ "name": email, "channel": channel }),
                )
                .await,
            StatusCode::ACCEPTED,
        )
        .await;
        assert_eq!(sent.app.deliver().await, 1);
        let text = if channel == "email" {
            email_text(&sent.new_mail(&mut seen, 1)[0])
        } else {
            sms_text(&sent.sms(phone).await)
        };
        snapshot(
            &format!("message_recovery_code_{channel}"),
            &code_redactions(&six_digits(&text)).apply(&text),
        );
    }
}

// --- problem documents -----------------------------------------------------------------------

/// A response as a snapshot: status, the headers a client acts on, and the body.
async fn problem(res: reqwest::Response) -> Value {
    let status = res.status().as_u16();
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (content_type, retry_after) = (header("content-type"), header("retry-after"));
    let body: Value = res.json().await.expect("a JSON body");
    let mut out = json!({ "status": status, "content-type": content_type, "body": body });
    if let Some(after) = retry_after {
        out["retry-after"] = json!(after);
    }
    out
}

/// The same view as [`problem`], of an answer read off a raw connection (HTTP/1.1, one response
/// with a `Content-Length`).
fn raw_problem(answer: &str) -> Value {
    let (head, body) = answer
        .split_once("\r\n\r\n")
        .expect("a response head and body");
    let mut lines = head.lines();
    let status: u16 = (lines.next().expect("a status line").split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .expect("a status code");
    let content_type = lines
        .filter_map(|line| line.split_once(": "))
        .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
        .map(|(_, value)| value.to_owned());
    let body: Value = serde_json::from_str(body).expect("a JSON body");
    json!({ "status": status, "content-type": content_type, "body": body })
}

async fn problem_documents(app: &TestApp) {
    let api = app
        .integrator("Lakeside Clinic", "admin@lakeside.example")
        .await;

    let invalid = json!({
        "first_name": "", "last_name": "Lopez", "birth_date": "31/12/1980",
        "email": "maria@", "phone": "12", "channels": ["email", "sms"],
    });
    snapshot_json(
        "problem_invalid_fields",
        &problem(api.post("/invitations", &invalid).await).await,
    );
    let too_long = json!({
        "first_name": "M".repeat(101), "last_name": "Lopez", "birth_date": "1980-02-03",
        "channels": [],
    });
    snapshot_json(
        "problem_field_too_long",
        &problem(api.post("/invitations", &too_long).await).await,
    );
    snapshot_json(
        "problem_not_found",
        &problem(
            api.get("/invitations/00000000-0000-4000-8000-000000000000")
                .await,
        )
        .await,
    );
    snapshot_json(
        "problem_no_such_address",
        &problem(api.get("/no-such-thing").await).await,
    );
    snapshot_json(
        "problem_sign_in_required",
        &problem(app.anonymous_api().get("/invitations").await).await,
    );
    snapshot_json(
        "problem_forbidden",
        &problem(
            api.put("/templates/invite_sms/en", &json!({ "body": "{{ link }}" }))
                .await,
        )
        .await,
    );
    let malformed = api
        .request(Method::POST, "/invitations")
        .header("content-type", "application/json")
        .body("{\"first_name\": ")
        .send()
        .await
        .unwrap();
    snapshot_json("problem_malformed_body", &problem(malformed).await);
    // Declared over the limit, so it is refused before a byte is read. (Sending the 2 MiB itself
    // would race the early answer: the server may close while the client is still writing.)
    let over_limit = format!(
        "POST /api/v1/invitations HTTP/1.1\r\nHost: portico\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        2 * 1024 * 1024 + 1
    );
    let answer = crate::common::raw_exchange(app, over_limit.into_bytes()).await;
    snapshot_json("problem_body_too_large", &raw_problem(&answer));

    // A revoked invitation cannot be sent again.
    let created = Api::expect(
        api.post(
            "/invitations",
            &json!({ "first_name": "Maria", "last_name": "Lopez", "birth_date": "1980-02-03", "channels": [] }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let id = created["id"].as_str().unwrap();
    Api::expect(
        api.post(&format!("/invitations/{id}/revoke"), &json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    let mut redact = Redact::default();
    redact.add(id, "invitation-id");
    let conflict = problem(
        api.post(&format!("/invitations/{id}/resend"), &json!({}))
            .await,
    )
    .await;
    let conflict: Value = serde_json::from_str(&redact.apply(&conflict.to_string())).unwrap();
    snapshot_json("problem_state_conflict", &conflict);

    // A staff session without the page's CSRF token.
    let (browser, _) = app
        .sign_in("admin@lakeside.example", "quiet meadow lantern river")
        .await;
    let no_csrf = browser
        .api(Method::POST, "/invitations")
        .json(&json!({ "first_name": "Maria", "last_name": "Lopez", "birth_date": "1980-02-03", "channels": [] }))
        .send()
        .await
        .unwrap();
    snapshot_json("problem_csrf", &problem(no_csrf).await);

    // A patient's sign-in with a wrong password.
    let public = app.anonymous_api();
    snapshot_json(
        "problem_patient_sign_in_failed",
        &problem(
            public
                .post(
                    "/public/patient-sessions",
                    &json!({ "name": "maria@example.org", "password": "not the password at all" }),
                )
                .await,
        )
        .await,
    );
    // A registration whose ticket is unknown or used up.
    snapshot_json(
        "problem_registration_expired",
        &problem(
            public
                .post(
                    "/public/registrations/status",
                    &json!({ "ticket": "A".repeat(43) }),
                )
                .await,
        )
        .await,
    );
    // Wrong invitation codes: refused alike, then refused for a while (the limit here is 2).
    let redeem = json!({ "code": "ABC-234-XYZ", "birth_date": "1980-02-03" });
    snapshot_json(
        "problem_code_not_accepted",
        &problem(public.post("/public/invitations/redeem", &redeem).await).await,
    );
    public.post("/public/invitations/redeem", &redeem).await;
    snapshot_json(
        "problem_too_many_attempts",
        &problem(public.post("/public/invitations/redeem", &redeem).await).await,
    );
}

// --- error pages -------------------------------------------------------------------------------

/// A page as a snapshot: its status, its title and its main content (the frame around it is the
/// same on every page).
async fn page(res: reqwest::Response) -> String {
    let status = res.status();
    let html = res.text().await.unwrap();
    let title = between(&html, "<title>", "</title>").unwrap_or_default();
    let main = between(&html, "<main", "</main>")
        .map(|m| format!("<main{m}</main>"))
        .unwrap_or_else(|| html.clone());
    format!("status: {status}\ntitle: {title}\n{main}\n")
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let to = from + text[from..].find(end)?;
    Some(&text[from..to])
}

/// Posts a page's form with its CSRF token.
async fn post_form(
    browser: &Browser,
    form_page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let csrf = csrf_token(&browser.get(form_page).await.text().await.unwrap());
    let mut form = vec![("csrf_token", csrf.as_str())];
    form.extend_from_slice(fields);
    browser.post_form(action, &form).await
}

async fn error_pages(app: &TestApp) {
    let anonymous = app.browser();
    snapshot(
        "page_not_found",
        &page(anonymous.get("/no-such-page").await).await,
    );
    snapshot(
        "page_form_expired",
        &page(
            anonymous
                .post_form(
                    "/staff/sign-in",
                    &[("email", "a@b.example"), ("password", "x")],
                )
                .await,
        )
        .await,
    );
    snapshot(
        "page_setup_link_expired",
        &page(anonymous.get("/setup/not-a-real-link").await).await,
    );

    // Staff: a wrong password, then too many; a member who is not an admin.
    let admin = app.set_up_practice("Lakeside Clinic").await;
    admin
        .add_staff("Sam Staff", "sam@clinic.example", "staff")
        .await;
    let wrong = [
        ("email", "sam@clinic.example"),
        ("password", "not the password at all"),
    ];
    let browser = app.browser();
    snapshot(
        "page_staff_sign_in_failed",
        &page(post_form(&browser, "/staff/sign-in", "/staff/sign-in", &wrong).await).await,
    );
    snapshot(
        "page_too_many_attempts",
        &page(post_form(&browser, "/staff/sign-in", "/staff/sign-in", &wrong).await).await,
    );
    app.advance(Duration::from_secs(3600));
    let (staff, _) = app.sign_in("sam@clinic.example", STAFF_PASSWORD).await;
    snapshot(
        "page_not_allowed",
        &page(staff.get("/staff/audit").await).await,
    );

    // Patients: a registration that expired, an invitation link that does not work (the limit
    // of wrong tries here is 2), a wrong password.
    let patient = app.browser();
    let expired = patient.get("/register/details").await;
    let to = crate::common::location(&expired);
    snapshot(
        "page_registration_expired",
        &format!(
            "redirect: {} {to}\n{}",
            expired.status(),
            page(patient.get(&to).await).await
        ),
    );
    // A made-up invite code: the one answer for any code that is not accepted.
    let fields = [("code", "XYZ-234-ABC"), ("birth_date", "1980-02-03")];
    let try_code = || post_form(&patient, "/register", "/register/invited", &fields);
    snapshot(
        "page_invitation_not_accepted",
        &page(try_code().await).await,
    );
    try_code().await;
    snapshot(
        "page_invitation_too_many_attempts",
        &page(try_code().await).await,
    );
    snapshot(
        "page_patient_sign_in_failed",
        &page(
            post_form(
                &patient,
                "/portal/sign-in",
                "/portal/sign-in",
                &[
                    ("name", "maria@example.org"),
                    ("password", "not the password at all"),
                ],
            )
            .await,
        )
        .await,
    );
}
