//! The invite form, `/staff/invitations/new` (docs/PRODUCT.md §3): one page for every variant — a
//! patient with or without email, sent by email, text or voice call or handed over in person,
//! with a related patient and a caregiver in the same step — and a live preview of the exact
//! messages (`…/new/preview` answers the preview part of the page for the page's script; without
//! JavaScript a Preview button posts the form back to itself).
//!
//! Posts follow POST/redirect/GET: a post that fails, or that needs the no-email question
//! answered, redirects to the form with what was typed in a sealed flash; one that creates
//! redirects to the invitation's page, which shows the new codes once (`show_once`). Each post
//! calls the core functions the API calls: `invitations::check`, `create` and `preview`.

mod form;
mod view;

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use portico_core::FieldErrors;
use portico_core::invitations::{self, Created};
use portico_core::practices;
use portico_domain::ConsentMethod;

use self::form::{CAREGIVER, HOUSEHOLD, Intent, InviteForm, PATIENT, merged};
use self::view::{NoEmailQuestion, PersonSection, PreviewView};
use super::{IssuedCode, show_once};
use crate::AppState;
use crate::pages::{FieldErrorsExt as _, field_errors, render};
use crate::platform::choices::{self, Choice};
use crate::platform::chrome::Chrome;
use crate::platform::csrf::CsrfForm;
use crate::platform::error::PageError;
use crate::platform::flash::{self, Flash};
use crate::platform::limits;
use crate::platform::sessions::{PageSession, StaffSession};

const PAGE: &str = "/staff/invitations/new";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(PAGE, get(page).post(create))
        .route("/staff/invitations/new/preview", post(preview))
}

#[derive(Template)]
#[template(path = "invitation_new.html")]
struct NewPage {
    chrome: Option<Chrome>,
    csrf: String,
    form: InviteForm,
    errors: FieldErrors,
    question: Option<NoEmailQuestion>,
    patient: PersonSection,
    household: PersonSection,
    caregiver: PersonSection,
    providers: Vec<Choice>,
    programs: Vec<Choice>,
    consent_methods: [(ConsentMethod, &'static str); 3],
    default_consent: ConsentMethod,
    preview: PreviewView,
    /// Set when a failed post is answered with the page itself (see `back`): the address the
    /// browser's history should hold instead of the post.
    history_page: Option<&'static str>,
}

/// The preview part of the page, for the page's script to swap in.
#[derive(Template)]
#[template(path = "invitation_preview.html")]
struct PreviewPart {
    preview: PreviewView,
}

async fn page(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let (jar, flash) = flash::take(&state, jar, PAGE);
    let (form, errors) = match flash {
        Some(flash) => (InviteForm::from_posted(flash.fields).0, flash.errors),
        None => (InviteForm::fresh(), FieldErrors::new()),
    };
    let page = new_page(&state, &session, form, errors, None).await?;
    Ok((jar, render(StatusCode::OK, &page)?).into_response())
}

async fn new_page(
    state: &AppState,
    session: &StaffSession,
    mut form: InviteForm,
    errors: FieldErrors,
    history_page: Option<&'static str>,
) -> Result<NewPage, PageError> {
    let core = &state.core;
    let actor = &session.actor;
    let practice = practices::current(core, actor).await?;
    let default_consent = practice.default_consent_method;
    // A fresh form starts from the practice's usual way of consenting.
    if form.value("consent_method").is_empty() {
        form.set("consent_method", default_consent.as_str());
    }
    let (providers, programs) = choices::providers_and_programs(core, actor).await?;
    let input = form.to_input();
    let preview = limits::within(&input, invitations::preview(core, actor, &input)).await;
    Ok(NewPage {
        chrome: Some(Chrome::of(session)),
        csrf: session.csrf.clone(),
        question: form
            .checked("confirming")
            .then(|| NoEmailQuestion::of(&form))
            .flatten(),
        patient: PersonSection::of(&form, PATIENT),
        household: PersonSection::of(&form, HOUSEHOLD),
        caregiver: PersonSection::of(&form, CAREGIVER),
        preview: PreviewView::new(&form, preview)?,
        form,
        errors,
        providers,
        programs,
        consent_methods: [
            (
                ConsentMethod::InApp,
                "In the app: they sign the consent while registering",
            ),
            (
                ConsentMethod::Tablet,
                "On a tablet at the front desk: the account is made when they sign there",
            ),
            (
                ConsentMethod::Paper,
                "On paper: the account is made when you upload the signed form",
            ),
        ],
        default_consent,
        history_page,
    })
}

async fn create(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    jar: CookieJar,
    CsrfForm(posted): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let (form, intent) = InviteForm::from_posted(posted);
    let input = form.to_input();
    let own = form.own_errors();
    if let Err(e) = limits::check(&input) {
        let errors = merged(own, field_errors(e)?);
        return back(&state, &session, jar, form.confirming(false), errors).await;
    }
    if intent == Intent::Preview {
        // The page comes back as it was, the question included if it was asked.
        return back(&state, &session, jar, form, FieldErrors::new()).await;
    }
    if own.is_empty() && !form.needs_confirming() {
        return match invitations::create(&state.core, &session.actor, &input).await {
            Ok(created) => Ok(show_once(&state, jar, codes(&state, created))),
            Err(e) => {
                let errors = merged(FieldErrors::new(), field_errors(e)?);
                let asking = asks(&form, &errors);
                let form = form.confirming(asking);
                back(&state, &session, jar, form, errors).await
            }
        };
    }
    // Something to fix or to confirm: every check at once, so all errors show together, and
    // the no-email question only once everything else is right.
    let core = match invitations::check(&state.core, &session.actor, &input).await {
        Ok(()) => FieldErrors::new(),
        Err(e) => field_errors(e)?,
    };
    let errors = merged(own, core);
    let asking = asks(&form, &errors);
    let form = form.confirming(asking);
    back(&state, &session, jar, form, errors).await
}

/// Whether to ask the no-email question: someone has no email address and nothing but the
/// username the question offers is wrong.
fn asks(form: &InviteForm, errors: &FieldErrors) -> bool {
    !form.without_email().is_empty() && errors.iter().all(|e| e.field == "username")
}

/// The codes of what was just made, the patient's first, for the invitation page to show once.
fn codes(state: &AppState, created: Created) -> Vec<IssuedCode> {
    std::iter::once(&created.invitation)
        .chain(&created.related)
        .map(|issued| IssuedCode::new(state, issued))
        .collect()
}

/// The largest sealed flash sent as a cookie: browsers drop a cookie past 4,096 bytes.
const LARGEST_FLASH: usize = 3_000;

/// Back to the form with what was typed and `errors`. Normally a redirect with a flash; a form
/// too large for a cookie (long notes) is answered with the page itself, which asks the browser
/// to remember the form's address instead of the post.
async fn back(
    state: &AppState,
    session: &StaffSession,
    jar: CookieJar,
    form: InviteForm,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let fields = form.clone().into_fields();
    let size: usize = fields
        .iter()
        .map(|(k, v)| k.len() + v.len() + 6)
        .sum::<usize>()
        + errors
            .iter()
            .map(|e| e.field.len() + e.message.len() + 24)
            .sum::<usize>();
    // Sealing adds a nonce and a tag, then base64 grows it by a third.
    if (size + 120) * 4 / 3 <= LARGEST_FLASH {
        let flash = Flash {
            fields,
            errors,
            message: None,
        };
        return Ok(flash::redirect(state, jar, PAGE, flash));
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = new_page(state, session, form, errors, Some(PAGE)).await?;
    render(status, &page)
}

async fn preview(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    CsrfForm(posted): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let (form, _) = InviteForm::from_posted(posted);
    let input = form.to_input();
    let work = invitations::preview(&state.core, &session.actor, &input);
    let preview = PreviewView::new(&form, limits::within(&input, work).await)?;
    render(StatusCode::OK, &PreviewPart { preview })
}
