//! The practice's settings, `/staff/settings` (docs/PRODUCT.md §10), for its signed-in admins:
//! the practice's name, time zone, invitation expiry, usual consent method, phone country and
//! the countries verification texts may go to (`practices::update_settings`, as
//! `PATCH /api/v1/practice`); the practice id integrators need; and the texts patients agree to,
//! the terms of use and the consent text, each with its versions and a form publishing the next
//! (`texts`). Core refuses other staff (403).
//!
//! Every post redirects back to the page (POST/redirect/GET) with what was done, or with what
//! was typed and the messages, in a sealed flash; a text too long for a cookie is answered with
//! the page itself, which asks the browser to remember the page's address instead of the post.

mod form;
mod texts;

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use portico_core::practices::{self, staff};
use portico_core::registration::{consent, terms};
use portico_core::{CoreError, FieldErrors};
use portico_domain::{ConsentMethod, TimeZone};

use self::form::{FIELDS, PracticeForm};
use self::texts::TextSection;
use crate::AppState;
use crate::pages::{FieldErrorsExt as _, field_errors, render};
use crate::platform::chrome::Chrome;
use crate::platform::csrf::CsrfForm;
use crate::platform::error::PageError;
use crate::platform::flash::{self, Flash};
use crate::platform::local_time::LocalTime;
use crate::platform::sessions::{PageSession, StaffSession};

const PAGE: &str = "/staff/settings";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(PAGE, get(page).post(save_practice))
        .route("/staff/settings/terms", post(publish_terms))
        .route("/staff/settings/consent", post(publish_consent))
}

/// The time zones most US practices are in, first in the list, in words.
const US_ZONES: [(&str, &str); 8] = [
    ("America/New_York", "Eastern (New York)"),
    ("America/Chicago", "Central (Chicago)"),
    ("America/Denver", "Mountain (Denver)"),
    ("America/Phoenix", "Arizona (Phoenix, no daylight saving)"),
    ("America/Los_Angeles", "Pacific (Los Angeles)"),
    ("America/Anchorage", "Alaska (Anchorage)"),
    ("Pacific/Honolulu", "Hawaii (Honolulu)"),
    ("America/Puerto_Rico", "Atlantic (Puerto Rico)"),
];

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    chrome: Option<Chrome>,
    csrf: String,
    practice_id: String,
    form: PracticeForm,
    us_zones: &'static [(&'static str, &'static str)],
    /// Every other zone, by its IANA name.
    other_zones: Vec<String>,
    consent_methods: [(ConsentMethod, &'static str); 3],
    terms: TextSection,
    terms_confirmed: bool,
    consent: TextSection,
    errors: FieldErrors,
    notice: Option<String>,
    /// Set when a post is answered with the page itself: the address the browser's history
    /// should hold instead of the post.
    history_page: Option<&'static str>,
}

async fn page(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let (jar, flash) = flash::take(&state, jar, PAGE);
    let page = settings_page(&state, &session, flash.unwrap_or_default(), None).await?;
    Ok((jar, render(StatusCode::OK, &page)?).into_response())
}

/// The page, with what a post that came back left in `flash`.
async fn settings_page(
    state: &AppState,
    session: &StaffSession,
    flash: Flash,
    history_page: Option<&'static str>,
) -> Result<SettingsPage, PageError> {
    let core = &state.core;
    let actor = &session.actor;
    let practice = practices::for_settings(core, actor).await?;
    let when = LocalTime::of(&practice, core.now().as_millis());
    let staff = staff::list(core, actor).await?;
    let typed = |name: &str| flash.fields.get(name).cloned();
    let form = if FIELDS.iter().any(|f| flash.fields.contains_key(*f)) {
        PracticeForm::from_posted(flash.fields.clone())
    } else {
        PracticeForm::of(&practice)
    };
    let terms = TextSection::new(
        terms::history(core, actor).await?,
        typed("terms_body"),
        &staff,
        &when,
    );
    let consent = TextSection::new(
        consent::history(core, actor).await?,
        typed("consent_body"),
        &staff,
        &when,
    );
    Ok(SettingsPage {
        chrome: Some(Chrome::of(session)),
        csrf: session.csrf.clone(),
        practice_id: practice.id,
        us_zones: &US_ZONES,
        other_zones: TimeZone::choices()
            .into_iter()
            .filter(|zone| !US_ZONES.iter().any(|(us, _)| us == zone))
            .collect(),
        consent_methods: [
            (
                ConsentMethod::InApp,
                "In the app: they sign the consent while registering",
            ),
            (ConsentMethod::Tablet, "On a tablet at the front desk"),
            (ConsentMethod::Paper, "On paper, scanned by staff"),
        ],
        terms,
        terms_confirmed: typed("terms_confirm").is_some(),
        consent,
        form,
        errors: flash.errors,
        notice: flash.message,
        history_page,
    })
}

async fn save_practice(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    jar: CookieJar,
    CsrfForm(posted): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let form = PracticeForm::from_posted(posted);
    let saved = match form.to_input() {
        Ok(input) => practices::update_settings(&state.core, &session.actor, &input).await,
        Err(own) => {
            // Nothing is saved while a field cannot even be read; only admins hear why.
            practices::for_settings(&state.core, &session.actor).await?;
            Err(CoreError::Invalid(own))
        }
    };
    let flash = match saved {
        Ok(_) => done("Settings saved."),
        Err(e) => Flash {
            fields: form.into_fields(),
            errors: field_errors(e)?,
            message: None,
        },
    };
    back(&state, &session, jar, flash).await
}

#[derive(serde::Deserialize)]
struct TermsForm {
    #[serde(default)]
    terms_body: String,
    #[serde(default)]
    terms_confirm: Option<String>,
}

async fn publish_terms(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<TermsForm>,
) -> Result<Response, PageError> {
    let actor = &session.actor;
    let published = if form.terms_confirm.is_some() {
        terms::publish(&state.core, actor, &form.terms_body)
            .await
            .map(|t| t.version)
    } else {
        // The confirmation is the form's own question; only admins are asked it.
        practices::for_settings(&state.core, actor).await?;
        Err(FieldErrors::single(
            "terms_confirm",
            "Tick the box to confirm that every patient will be asked to accept the new terms.",
        )
        .into())
    };
    let flash = match published {
        Ok(version) => done(&format!(
            "Terms of use version {version} published. Every patient will be asked to accept them at their next sign-in."
        )),
        Err(e) => {
            let mut flash = typed_text(field_errors(e)?, "terms_body", &form.terms_body);
            if form.terms_confirm.is_some() {
                flash = flash.with_field("terms_confirm", "yes");
            }
            flash
        }
    };
    back(&state, &session, jar, flash).await
}

#[derive(serde::Deserialize)]
struct ConsentForm {
    #[serde(default)]
    consent_body: String,
}

async fn publish_consent(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<ConsentForm>,
) -> Result<Response, PageError> {
    let flash = match consent::publish(&state.core, &session.actor, &form.consent_body).await {
        Ok(text) => done(&format!(
            "Consent text version {} published. Patients who reach the consent step from now on sign it.",
            text.version
        )),
        Err(e) => typed_text(field_errors(e)?, "consent_body", &form.consent_body),
    };
    back(&state, &session, jar, flash).await
}

/// What a successful post says back.
fn done(message: &str) -> Flash {
    Flash {
        message: Some(message.to_owned()),
        ..Flash::default()
    }
}

/// A text that was not published, kept as typed in `field`, with core's messages about its
/// `body` moved to that field (the page has two texts).
fn typed_text(errors: FieldErrors, field: &str, typed: &str) -> Flash {
    let mut moved = FieldErrors::new();
    for e in errors.iter() {
        let name = if e.field == "body" { field } else { &e.field };
        moved.add(name, e.message.clone());
    }
    Flash::default().with_field(field, typed).with_errors(moved)
}

/// The largest sealed flash sent as a cookie: browsers drop a cookie past 4,096 bytes.
const LARGEST_FLASH: usize = 3_000;

/// Back to the page with `flash`: a redirect, or, for a text too long for a cookie, the page
/// itself.
async fn back(
    state: &AppState,
    session: &StaffSession,
    jar: CookieJar,
    flash: Flash,
) -> Result<Response, PageError> {
    let size = serde_json::to_string(&flash).map_or(usize::MAX, |json| json.len());
    // Sealing adds a nonce and a tag, then base64 grows it by a third.
    if (size + 120) * 4 / 3 <= LARGEST_FLASH {
        return Ok(flash::redirect(state, jar, PAGE, flash));
    }
    let status = if flash.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = settings_page(state, session, flash, Some(PAGE)).await?;
    render(status, &page)
}
