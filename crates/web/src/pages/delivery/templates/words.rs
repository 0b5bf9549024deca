//! What the template pages call each kind, language and channel, in a practice manager's words.

use portico_core::delivery::templates::{Language, TemplateKind};
use portico_domain::Channel;

/// The name of a kind of message, saying how it is sent.
pub(super) fn kind(kind: TemplateKind) -> &'static str {
    match kind {
        TemplateKind::InviteEmail => "Invitation by email",
        TemplateKind::InviteSms => "Invitation by text message",
        TemplateKind::InviteVoice => "Invitation by voice call",
        TemplateKind::VerificationCode => "Phone verification code by text message",
        TemplateKind::NewMessageNotification => "New message notice by email",
        TemplateKind::VisitRequestNotification => "Visit request notice by email",
    }
}

/// When a kind of message goes out, for the admin deciding whether to change it.
pub(super) fn when_sent(kind: TemplateKind) -> &'static str {
    match kind {
        TemplateKind::InviteEmail | TemplateKind::InviteSms | TemplateKind::InviteVoice => {
            "Sent when you invite a patient, and again with a new code when you re-send."
        }
        TemplateKind::VerificationCode => {
            "Sent while a patient registers, to prove their mobile number (by text, or read out in a call)."
        }
        TemplateKind::NewMessageNotification => {
            "Not sent yet: for secure messages to patients, which Portico does not have yet."
        }
        TemplateKind::VisitRequestNotification => {
            "Not sent yet: for visit requests to your staff, which Portico does not have yet."
        }
    }
}

pub(super) fn language(language: Language) -> &'static str {
    match language {
        Language::En => "English",
        Language::Es => "Spanish",
    }
}

pub(super) fn channel(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => "Email",
        Channel::Sms => "Text message",
        Channel::Voice => "Voice call",
    }
}
