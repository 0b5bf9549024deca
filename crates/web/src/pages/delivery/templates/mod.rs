//! The practice's message templates, `/staff/templates` (docs/PRODUCT.md §4), for its admins:
//! every kind in English and Spanish with which are the practice's own (`list`); one template's
//! page (`edit`) with the variables it may use and what each means, a live preview with the SMS
//! character and segment count (`…/preview` answers the preview part of the page for the page's
//! script; without JavaScript a button posts the form back to itself), saving, and going back to
//! the default after a confirmation. Each calls the core function the API calls
//! (`templates::list`, `get`, `preview`, `save`, `reset`), and core refuses other staff (403).
//!
//! Posts follow POST/redirect/GET: what was typed and the messages, or what was done, travel to
//! the template's page in a sealed flash. A draft too long for a cookie is answered with the page
//! itself, which asks the browser to remember the page's address instead of the post.

mod preview;
mod words;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use portico_core::FieldErrors;
use portico_core::delivery::templates::{self, Language, TemplateText, TemplateView};

use self::preview::PreviewView;
use crate::AppState;
use crate::pages::{FieldErrorsExt as _, field_errors, render};
use crate::platform::chrome::Chrome;
use crate::platform::csrf::{CsrfForm, NoFields};
use crate::platform::error::PageError;
use crate::platform::flash::{self, Flash};
use crate::platform::local_time::LocalTime;
use crate::platform::sessions::{PageSession, StaffSession};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/templates", get(list))
        .route("/staff/templates/{kind}/{language}", get(edit).post(save))
        .route("/staff/templates/{kind}/{language}/preview", post(preview))
        .route("/staff/templates/{kind}/{language}/reset", post(reset))
}

/// The address of one template's page.
fn page_of(t: &TemplateView) -> String {
    format!(
        "/staff/templates/{}/{}",
        t.kind.as_str(),
        t.language.as_str()
    )
}

/// One kind of message in the list, with its template in each language.
struct Row {
    kind: &'static str,
    when_sent: &'static str,
    languages: Vec<Cell>,
}

/// One kind's template in one language.
struct Cell {
    href: String,
    language: &'static str,
    customized: bool,
    updated_at: Option<String>,
}

#[derive(Template)]
#[template(path = "templates.html")]
struct ListPage {
    chrome: Option<Chrome>,
    rows: Vec<Row>,
    languages: Vec<&'static str>,
    when: LocalTime,
}

async fn list(
    State(state): State<AppState>,
    PageSession(session): PageSession,
) -> Result<Response, PageError> {
    let mut rows: Vec<Row> = Vec::new();
    // Core lists each kind in every language, one kind after the other.
    for t in templates::list(&state.core, &session.actor).await? {
        let cell = Cell {
            href: page_of(&t),
            language: words::language(t.language),
            customized: t.customized,
            updated_at: t.updated_at,
        };
        match rows.last_mut() {
            Some(row) if row.kind == words::kind(t.kind) => row.languages.push(cell),
            _ => rows.push(Row {
                kind: words::kind(t.kind),
                when_sent: words::when_sent(t.kind),
                languages: vec![cell],
            }),
        }
    }
    let page = ListPage {
        when: LocalTime::of_staff(&state, &session.actor).await?,
        chrome: Some(Chrome::of(&session)),
        languages: Language::ALL.iter().map(|l| words::language(*l)).collect(),
        rows,
    };
    render(StatusCode::OK, &page)
}

/// The template form as posted: the subject (emails only), the body, and whether the post only
/// asks for the preview (the button of a page without JavaScript).
#[derive(Debug, Default, serde::Deserialize)]
struct TemplateForm {
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    body: String,
    #[serde(default)]
    intent: Option<String>,
}

impl TemplateForm {
    fn text(&self) -> TemplateText {
        TemplateText {
            subject: self.subject.clone(),
            body: self.body.clone(),
        }
    }

    /// What a flash keeps of it, to give back what was typed.
    fn fields(&self) -> Flash {
        let flash = Flash::default().with_field("body", &self.body);
        match &self.subject {
            Some(subject) => flash.with_field("subject", subject),
            None => flash,
        }
    }
}

#[derive(Template)]
#[template(path = "template_edit.html")]
struct EditPage {
    chrome: Option<Chrome>,
    csrf: String,
    action: String,
    kind: &'static str,
    when_sent: &'static str,
    language: &'static str,
    channel: &'static str,
    customized: bool,
    updated_at: Option<String>,
    /// The subject input's value; `None` for kinds without a subject (text messages, calls).
    subject: Option<String>,
    body: String,
    /// Each variable as written in a template (`{{ first_name }}`) and what it stands for.
    variables: Vec<(String, &'static str)>,
    errors: FieldErrors,
    notice: Option<String>,
    preview: PreviewView,
    /// Set when a post is answered with the page itself: the address the browser's history
    /// should hold instead of the post.
    history_page: Option<String>,
    when: LocalTime,
}

/// The preview part of the page, for the page's script to swap in.
#[derive(Template)]
#[template(path = "template_preview.html")]
struct PreviewPart {
    preview: PreviewView,
}

async fn edit(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    jar: CookieJar,
    Path((kind, language)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let template = templates::get(&state.core, &session.actor, &kind, &language).await?;
    let (jar, flash) = flash::take(&state, jar, &page_of(&template));
    let page = edit_page(&state, &session, template, flash.unwrap_or_default(), None).await?;
    Ok((jar, render(StatusCode::OK, &page)?).into_response())
}

/// The template's page: the template as saved, or as typed in a post that came back (`flash`).
async fn edit_page(
    state: &AppState,
    session: &StaffSession,
    template: TemplateView,
    flash: Flash,
    history_page: Option<String>,
) -> Result<EditPage, PageError> {
    let typed = !flash.fields.is_empty();
    let (subject, body) = if typed {
        let subject = template.subject.as_ref().map(|_| flash.field("subject"));
        (subject, flash.field("body"))
    } else {
        (template.subject.clone(), template.body.clone())
    };
    let draft = TemplateText {
        subject: subject.clone(),
        body: body.clone(),
    };
    let preview = PreviewView::of(state, session, &template, &draft).await?;
    Ok(EditPage {
        chrome: Some(Chrome::of(session)),
        csrf: session.csrf.clone(),
        action: page_of(&template),
        kind: words::kind(template.kind),
        when_sent: words::when_sent(template.kind),
        language: words::language(template.language),
        channel: words::channel(template.channel),
        customized: template.customized,
        updated_at: template.updated_at.clone(),
        subject,
        body,
        variables: template
            .variables
            .iter()
            .map(|v| (format!("{{{{ {v} }}}}"), template.kind.meaning(v)))
            .collect(),
        errors: flash.errors,
        notice: flash.message,
        preview,
        history_page,
        when: LocalTime::of_staff(state, &session.actor).await?,
    })
}

async fn save(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    jar: CookieJar,
    Path((kind, language)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<TemplateForm>,
) -> Result<Response, PageError> {
    let actor = &session.actor;
    if form.intent.as_deref() == Some("preview") {
        // Only the preview was asked for: the page comes back with what was typed.
        let template = templates::get(&state.core, actor, &kind, &language).await?;
        return back(&state, &session, jar, template, form.fields()).await;
    }
    match templates::save(&state.core, actor, &kind, &language, &form.text()).await {
        Ok(saved) => {
            let done = Flash {
                message: Some("Saved. Messages sent from now on use your version.".into()),
                ..Flash::default()
            };
            Ok(flash::redirect(&state, jar, &page_of(&saved), done))
        }
        Err(e) => {
            let errors = field_errors(e)?;
            let template = templates::get(&state.core, actor, &kind, &language).await?;
            back(
                &state,
                &session,
                jar,
                template,
                form.fields().with_errors(errors),
            )
            .await
        }
    }
}

async fn reset(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    jar: CookieJar,
    Path((kind, language)): Path<(String, String)>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let template = templates::reset(&state.core, &session.actor, &kind, &language).await?;
    let done = Flash {
        message: Some("Back to the default text. Messages sent from now on use it.".into()),
        ..Flash::default()
    };
    Ok(flash::redirect(&state, jar, &page_of(&template), done))
}

async fn preview(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path((kind, language)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<TemplateForm>,
) -> Result<Response, PageError> {
    let template = templates::get(&state.core, &session.actor, &kind, &language).await?;
    let preview = PreviewView::of(&state, &session, &template, &form.text()).await?;
    render(StatusCode::OK, &PreviewPart { preview })
}

/// The largest sealed flash sent as a cookie: browsers drop a cookie past 4,096 bytes.
const LARGEST_FLASH: usize = 3_000;

/// Back to the template's page with `flash` (what was typed and the messages): a redirect, or,
/// for a draft too long for a cookie, the page itself.
async fn back(
    state: &AppState,
    session: &StaffSession,
    jar: CookieJar,
    template: TemplateView,
    flash: Flash,
) -> Result<Response, PageError> {
    let size = serde_json::to_string(&flash).map_or(usize::MAX, |json| json.len());
    let page = page_of(&template);
    // Sealing adds a nonce and a tag, then base64 grows it by a third.
    if (size + 120) * 4 / 3 <= LARGEST_FLASH {
        return Ok(flash::redirect(state, jar, &page, flash));
    }
    let status = if flash.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = edit_page(state, session, template, flash, Some(page)).await?;
    render(status, &page)
}
