//! The preview part of a template's page: the message a draft would send, filled with sample
//! values, with the SMS character and segment count; or what stops it (an unknown variable, a
//! mistake in the template), in words.

use portico_core::CoreError;
use portico_core::delivery::templates::{self, Language, TemplateText, TemplateView};
use portico_domain::Channel;

use super::words;
use crate::AppState;
use crate::platform::error::PageError;
use crate::platform::sessions::StaffSession;

pub(super) struct PreviewView {
    /// "Email", "Text message", "Voice call".
    pub label: &'static str,
    pub subject: Option<String>,
    pub body: String,
    /// Text messages: characters and segments.
    pub counts: Option<String>,
    /// Text messages of more than one segment.
    pub several_segments: bool,
    /// What stops the preview, in words.
    pub problems: Vec<String>,
    /// Nothing typed yet.
    pub empty: bool,
    pub spanish: bool,
}

impl PreviewView {
    /// What `draft` of `template` would send, as core previews it.
    pub(super) async fn of(
        state: &AppState,
        session: &StaffSession,
        template: &TemplateView,
        draft: &TemplateText,
    ) -> Result<PreviewView, PageError> {
        let mut view = PreviewView {
            label: words::channel(template.channel),
            subject: None,
            body: String::new(),
            counts: None,
            several_segments: false,
            problems: Vec::new(),
            empty: false,
            spanish: template.language == Language::Es,
        };
        // Core previews the template in use for a blank body; on this page a blank body is a
        // draft with nothing in it yet.
        if draft.body.trim().is_empty() {
            view.empty = true;
            return Ok(view);
        }
        let previewed = templates::preview(
            &state.core,
            &session.actor,
            template.kind.as_str(),
            template.language.as_str(),
            draft,
        )
        .await;
        match previewed {
            Ok(p) => {
                view.counts = p.sms_segments.map(|segments| {
                    format!(
                        "{} characters, {segments} SMS {}",
                        p.characters,
                        if segments == 1 { "segment" } else { "segments" }
                    )
                });
                view.several_segments = p.sms_segments.is_some_and(|n| n > 1);
                view.subject = p.subject;
                view.body = p.body;
                if p.channel == Channel::Voice {
                    view.label = "Voice call (read out)";
                }
            }
            Err(CoreError::Invalid(errors)) => {
                view.problems = errors.iter().map(|e| e.message.clone()).collect();
            }
            Err(other) => return Err(other.into()),
        }
        Ok(view)
    }
}
