//! `/staff/imports` (admins): bulk invitations from a patient file. The page takes the upload
//! (CSV, FHIR Bundle, FHIR NDJSON) with what every invitation of it shares, to check first (a
//! dry run) or to import; it lists past imports and offers the CSV template. An import's page
//! shows its progress live (server-sent events: rows read, invited, skipped, bad, time left)
//! while it runs in the background, then its report, with the bad rows as a CSV download.

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use portico_core::imports::{self, Import, ImportChoices, ImportState, Problem};
use portico_core::practices;
use portico_core::{CoreError, FieldErrors};
use portico_domain::ConsentMethod;

use crate::AppState;
use crate::pages::{FieldErrorsExt as _, render};
use crate::platform::body::MAX_UPLOAD;
use crate::platform::choices::{self, Choice};
use crate::platform::chrome::Chrome;
use crate::platform::csrf::{CsrfForm, CsrfUpload, NoFields};
use crate::platform::csv;
use crate::platform::error::PageError;
use crate::platform::local_time::LocalTime;
use crate::platform::sessions::{PageSession, StaffSession};

const PATH: &str = "/staff/imports";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            PATH,
            get(list)
                .post(upload)
                .layer(DefaultBodyLimit::max(MAX_UPLOAD)),
        )
        .route("/staff/imports/template.csv", get(template))
        .route("/staff/imports/{id}", get(show))
        .route("/staff/imports/{id}/events", get(events))
        .route("/staff/imports/{id}/bad-rows.csv", get(bad_rows))
        .route("/staff/imports/{id}/run", post(run_for_real))
}

/// What the upload form had chosen, to show it again after a refusal.
#[derive(Default)]
struct Chosen {
    provider_id: String,
    program_id: String,
    channels: Vec<String>,
    consent_method: String,
}

#[derive(Template)]
#[template(path = "imports.html")]
struct ListPage {
    chrome: Option<Chrome>,
    when: LocalTime,
    imports: Vec<Import>,
    providers: Vec<Choice>,
    programs: Vec<Choice>,
    consent_methods: [(ConsentMethod, &'static str); 3],
    chosen: Chosen,
    errors: FieldErrors,
    columns: &'static [&'static str],
}

impl ListPage {
    fn channel_checked(&self, channel: &str) -> bool {
        self.chosen.channels.iter().any(|c| c == channel)
    }
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    chrome: Option<Chrome>,
    when: LocalTime,
    import: Import,
    time_left: String,
    problems: Vec<Problem>,
    /// More bad rows than shown: the download has them all.
    more_problems: bool,
    /// The invitations to hand over in person (the first `imports::LISTED`).
    handed_over: Vec<imports::HandedOver>,
}

async fn list_page(
    state: &AppState,
    session: &StaffSession,
    chosen: Chosen,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let core = &state.core;
    let actor = &session.actor;
    actor.require_admin()?;
    let practice = practices::current(core, actor).await?;
    let chosen = Chosen {
        consent_method: match chosen.consent_method.is_empty() {
            true => practice.default_consent_method.as_str().to_owned(),
            false => chosen.consent_method,
        },
        ..chosen
    };
    let (providers, programs) = choices::providers_and_programs(core, actor).await?;
    let status = match errors.is_empty() {
        true => StatusCode::OK,
        false => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let page = ListPage {
        chrome: Some(Chrome::of(session)),
        when: LocalTime::of_staff(state, actor).await?,
        imports: imports::list(core, actor).await?,
        providers,
        programs,
        consent_methods: [
            (ConsentMethod::InApp, "In the app, while registering"),
            (ConsentMethod::Tablet, "On a tablet at the front desk"),
            (ConsentMethod::Paper, "On paper, uploaded by staff"),
        ],
        chosen,
        errors,
        columns: imports::CSV_COLUMNS,
    };
    render(status, &page)
}

async fn list(
    State(state): State<AppState>,
    PageSession(session): PageSession,
) -> Result<Response, PageError> {
    let chosen = Chosen {
        channels: vec!["email".into(), "sms".into()],
        ..Chosen::default()
    };
    list_page(&state, &session, chosen, FieldErrors::new()).await
}

async fn upload(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    CsrfUpload(fields): CsrfUpload,
) -> Result<Response, PageError> {
    let text = |name: &str| fields.text(name).unwrap_or_default();
    let blank_to_none = |v: String| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
    let chosen = Chosen {
        provider_id: text("provider_id"),
        program_id: text("program_id"),
        channels: fields.texts("channels"),
        consent_method: text("consent_method"),
    };
    let (file_name, bytes) = fields
        .file("file")
        .map(|f| (f.file_name, f.bytes))
        .unwrap_or_default();
    let upload = imports::Upload {
        file_name,
        bytes,
        dry_run: text("mode") != "import",
        choices: ImportChoices {
            provider_id: blank_to_none(chosen.provider_id.clone()),
            program_id: blank_to_none(chosen.program_id.clone()),
            channels: chosen.channels.clone(),
            consent_method: blank_to_none(chosen.consent_method.clone()),
        },
    };
    match state.imports.start(&session.actor, upload).await {
        Ok(import) => Ok(Redirect::to(&format!("{PATH}/{}", import.id)).into_response()),
        Err(CoreError::Invalid(errors)) => list_page(&state, &session, chosen, errors).await,
        Err(e) => Err(e.into()),
    }
}

/// The CSV template: the documented columns and one example row.
async fn template(PageSession(session): PageSession) -> Result<Response, PageError> {
    session.actor.require_admin()?;
    Ok(csv::download(
        "patients-template.csv",
        imports::csv_template(),
    ))
}

/// The bad rows shown on the page; the download has them all.
const SHOWN_PROBLEMS: usize = 100;

async fn show(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let core = &state.core;
    let actor = &session.actor;
    actor.require_admin()?;
    let import = imports::get(core, actor, &id).await?;
    let (mut problems, next) = imports::problems(core, actor, &id, 0).await?;
    let more_problems = next.is_some() || problems.len() > SHOWN_PROBLEMS;
    problems.truncate(SHOWN_PROBLEMS);
    let handed_over = match import.dry_run {
        true => Vec::new(),
        false => imports::handed_over(core, actor, &id).await?,
    };
    let page = ImportPage {
        chrome: Some(Chrome::of(&session)),
        when: LocalTime::of_staff(&state, actor).await?,
        time_left: time_left_words(import.seconds_left(core.now())),
        handed_over,
        import,
        problems,
        more_problems,
    };
    render(StatusCode::OK, &page)
}

/// How long the rest will take, in words.
fn time_left_words(seconds: Option<u64>) -> String {
    match seconds {
        None => String::new(),
        Some(0..60) => "Less than a minute left.".to_owned(),
        Some(60..120) => "About a minute left.".to_owned(),
        Some(s) if s < 3600 => format!("About {} minutes left.", s.div_ceil(60)),
        Some(s) => format!("About {} hours left.", s.div_ceil(3600)),
    }
}

/// The import's progress, live: a `progress` event with its counts whenever they move (read
/// each second from the database, so whichever node runs it), until it ends or the service
/// stops.
async fn events(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path(id): Path<String>,
) -> Result<Sse<impl futures_util::Stream<Item = Result<Event, std::convert::Infallible>>>, PageError>
{
    session.actor.require_admin()?;
    let first = imports::get(&state.core, &session.actor, &id).await?;
    let follow = Follow {
        core: state.core.clone(),
        actor: session.actor.clone(),
        id,
        last: None,
        ended: false,
        stopping: state.imports.stopping(),
        tick: tokio::time::interval(std::time::Duration::from_secs(1)),
    };
    drop(first);
    let stream = futures_util::stream::unfold(follow, |mut follow| async move {
        let event = follow.next().await?;
        Some((Ok(event), follow))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// One page following one import.
struct Follow {
    core: portico_core::Core,
    actor: portico_core::platform::actor::StaffActor,
    id: String,
    last: Option<imports::Counts>,
    ended: bool,
    stopping: tokio::sync::watch::Receiver<bool>,
    tick: tokio::time::Interval,
}

impl Follow {
    async fn next(&mut self) -> Option<Event> {
        loop {
            if self.ended {
                return None;
            }
            tokio::select! {
                _ = self.tick.tick() => {}
                _ = self.stopping.wait_for(|stop| *stop) => return None,
            }
            let import = imports::get(&self.core, &self.actor, &self.id).await.ok()?;
            self.ended = import.state != ImportState::Running;
            if self.last == Some(import.counts) && !self.ended {
                continue;
            }
            self.last = Some(import.counts);
            let data = serde_json::json!({
                "state": import.state,
                "counts": import.counts,
                "time_left": time_left_words(import.seconds_left(self.core.now())),
            });
            return Some(Event::default().event("progress").data(data.to_string()));
        }
    }
}

/// Every bad row of the import, where it is and why, as a spreadsheet.
async fn bad_rows(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    session.actor.require_admin()?;
    let header = ["Place".to_owned(), "Reason".to_owned()];
    let mut rows = Vec::new();
    let mut after = 0;
    loop {
        let (page, next) = imports::problems(&state.core, &session.actor, &id, after).await?;
        rows.extend(page.into_iter().map(|p| vec![p.place, p.reason]));
        match next {
            Some(next) => after = next,
            None => break,
        }
    }
    Ok(csv::download("bad-rows.csv", csv::table(&header, &rows)))
}

/// Imports for real the file a dry run checked.
async fn run_for_real(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let import = state.imports.run_for_real(&session.actor, &id).await?;
    Ok(Redirect::to(&format!("{PATH}/{}", import.id)).into_response())
}
