//! Message templates (docs/PRODUCT.md §4): per practice, per kind and per language, with shipped English
//! and Spanish defaults. Practices edit them safely: the engine (minijinja) has no file loader, no
//! custom functions and a fuel limit, so a template can neither read anything it was not given
//! nor run away; unknown variables are refused when saving, naming the variable. A preview renders
//! exactly what would be sent, with sample data, and counts SMS segments.
//!
//! This module is the catalogue (the kinds, languages and shipped texts); `engine` fills and
//! checks a template safely, `practice` is what staff do with their practice's templates.

mod engine;
mod practice;

use std::collections::BTreeMap;

use portico_domain::Channel;

pub use engine::{RenderError, render, sms_segments, validate};
pub use practice::{Preview, TemplateView, for_sending, get, list, preview, reset, save};

/// What a template is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TemplateKind {
    InviteEmail,
    InviteSms,
    InviteVoice,
    VerificationCode,
    NewMessageNotification,
    VisitRequestNotification,
}

impl TemplateKind {
    pub const ALL: &'static [TemplateKind] = &[
        TemplateKind::InviteEmail,
        TemplateKind::InviteSms,
        TemplateKind::InviteVoice,
        TemplateKind::VerificationCode,
        TemplateKind::NewMessageNotification,
        TemplateKind::VisitRequestNotification,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TemplateKind::InviteEmail => "invite_email",
            TemplateKind::InviteSms => "invite_sms",
            TemplateKind::InviteVoice => "invite_voice",
            TemplateKind::VerificationCode => "verification_code",
            TemplateKind::NewMessageNotification => "new_message_notification",
            TemplateKind::VisitRequestNotification => "visit_request_notification",
        }
    }

    pub fn parse(s: &str) -> Option<TemplateKind> {
        TemplateKind::ALL.iter().copied().find(|k| k.as_str() == s)
    }

    /// The medium a kind is sent by (a verification code goes by SMS; a voice call reads the same text).
    pub fn channel(self) -> Channel {
        match self {
            TemplateKind::InviteEmail
            | TemplateKind::NewMessageNotification
            | TemplateKind::VisitRequestNotification => Channel::Email,
            TemplateKind::InviteSms | TemplateKind::VerificationCode => Channel::Sms,
            TemplateKind::InviteVoice => Channel::Voice,
        }
    }

    /// The variables a template of this kind may use — and nothing clinical: notifications only
    /// say that something is waiting.
    pub fn variables(self) -> &'static [&'static str] {
        match self {
            TemplateKind::InviteEmail | TemplateKind::InviteSms | TemplateKind::InviteVoice => &[
                "first_name",
                "practice_name",
                "code",
                "code_spoken",
                "link",
                "expires_on",
            ],
            TemplateKind::VerificationCode => {
                &["practice_name", "code", "code_spoken", "minutes_valid"]
            }
            TemplateKind::NewMessageNotification => &["first_name", "practice_name", "link"],
            TemplateKind::VisitRequestNotification => &["provider_name", "practice_name", "link"],
        }
    }

    /// What a variable of this kind stands for, in words for the admin who writes the template.
    pub fn meaning(self, variable: &str) -> &'static str {
        let invitation = matches!(
            self,
            TemplateKind::InviteEmail | TemplateKind::InviteSms | TemplateKind::InviteVoice
        );
        match variable {
            "first_name" if invitation => "The first name of the person invited.",
            "first_name" => "The patient's first name.",
            "practice_name" => "Your practice's name, as on the settings page.",
            "provider_name" => "The name of the provider the visit is asked for.",
            "code" if invitation => "The invitation code, such as XYZ-234-ABC.",
            "code" => "The six-digit code the patient types to prove the number.",
            "code_spoken" => "The code one character at a time, for a voice call to read out.",
            "link" if invitation => {
                "The personal invitation link, which opens registration with the code filled in."
            }
            "link" => "The link to the patient portal.",
            "expires_on" => "The last day the invitation can be used, such as 9 December 2026.",
            "minutes_valid" => "How many minutes the code works.",
            _ => "",
        }
    }

    fn has_subject(self) -> bool {
        self.channel() == Channel::Email
    }
}

/// The languages templates ship in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Language {
    En,
    Es,
}

impl Language {
    pub const ALL: &'static [Language] = &[Language::En, Language::Es];

    pub fn as_str(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Es => "es",
        }
    }

    pub fn parse(s: &str) -> Option<Language> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Language::En),
            "es" => Some(Language::Es),
            _ => None,
        }
    }
}

/// A template's text: an optional subject (email) and the body. Saving needs a body; each given
/// part must not be blank, must parse and may use only the kind's variables (otherwise 422).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct TemplateText {
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub subject: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 5000, default))]
    pub body: String,
}

fn text(subject: Option<&str>, body: &str) -> TemplateText {
    TemplateText {
        subject: subject.map(str::to_owned),
        body: body.to_owned(),
    }
}

/// The shipped template for a kind and language.
pub fn default_template(kind: TemplateKind, language: Language) -> TemplateText {
    use Language::{En, Es};
    use TemplateKind::*;
    match (kind, language) {
        (InviteEmail, En) => text(
            Some("{{ practice_name }}: your invitation to the patient portal"),
            "Hello {{ first_name }},\n\n{{ practice_name }} invites you to its patient portal.\n\nOpen this link to register:\n{{ link }}\n\nOr enter your invitation code {{ code }} together with your date of birth.\n\nThe invitation is valid until {{ expires_on }}. If you did not expect it, you can ignore this message.\n",
        ),
        (InviteEmail, Es) => text(
            Some("{{ practice_name }}: su invitación al portal de pacientes"),
            "Hola {{ first_name }}:\n\n{{ practice_name }} le invita a su portal de pacientes.\n\nAbra este enlace para registrarse:\n{{ link }}\n\nO escriba su código de invitación {{ code }} junto con su fecha de nacimiento.\n\nLa invitación es válida hasta el {{ expires_on }}. Si no la esperaba, puede ignorar este mensaje.\n",
        ),
        (InviteSms, En) => text(
            None,
            // One GSM-7 segment (160 characters) with a 30-character practice name, a link on a
            // 33-character base URL and the code: the expiry date is left to the email and to the
            // page the link opens (tests/it/snapshots.rs measures it).
            "Join {{ practice_name }}'s patient portal: {{ link }} Code {{ code }}",
        ),
        (InviteSms, Es) => text(
            None,
            "{{ practice_name }} le invita a su portal de pacientes: {{ link }} Código {{ code }} (válido hasta el {{ expires_on }}).",
        ),
        (InviteVoice, En) => text(
            None,
            "Hello {{ first_name }}. This is {{ practice_name }}. You are invited to the patient portal. Your invitation code is: {{ code_spoken }}. Again, your code is: {{ code_spoken }}.",
        ),
        (InviteVoice, Es) => text(
            None,
            "Hola {{ first_name }}. Le llama {{ practice_name }}. Está invitado al portal de pacientes. Su código de invitación es: {{ code_spoken }}. Repito, su código es: {{ code_spoken }}.",
        ),
        (VerificationCode, En) => text(
            None,
            "{{ practice_name }}: your verification code is {{ code }}. It is valid for {{ minutes_valid }} minutes.",
        ),
        (VerificationCode, Es) => text(
            None,
            "{{ practice_name }}: su código de verificación es {{ code }}. Es válido durante {{ minutes_valid }} minutos.",
        ),
        (NewMessageNotification, En) => text(
            Some("A new message is waiting for you"),
            "Hello {{ first_name }},\n\nYou have a new message from {{ practice_name }} in the patient portal:\n{{ link }}\n",
        ),
        (NewMessageNotification, Es) => text(
            Some("Tiene un mensaje nuevo"),
            "Hola {{ first_name }}:\n\nTiene un mensaje nuevo de {{ practice_name }} en el portal de pacientes:\n{{ link }}\n",
        ),
        (VisitRequestNotification, En) => text(
            Some("New visit request"),
            "A patient asked for a visit with {{ provider_name }} at {{ practice_name }}. See it in Portico:\n{{ link }}\n",
        ),
        (VisitRequestNotification, Es) => text(
            Some("Nueva solicitud de visita"),
            "Un paciente pidió una visita con {{ provider_name }} en {{ practice_name }}. Véala en Portico:\n{{ link }}\n",
        ),
    }
}

/// Values to fill a template with.
pub type Vars = BTreeMap<&'static str, String>;

/// Sample values for previews.
pub fn sample_vars(kind: TemplateKind) -> Vars {
    let mut vars = Vars::new();
    for &name in kind.variables() {
        let value = match name {
            "first_name" => "Maria",
            "practice_name" => "Lakeside Family Clinic",
            "provider_name" => "Dr. Ana Ruiz",
            "code" => "XYZ-234-ABC",
            "code_spoken" => "X, Y, Z, 2, 3, 4, A, B, C",
            "link" => "https://portal.example.org/i/6q0fAbCdEfGhIjKmNoPqRsTuVwXyZ0123456789abc",
            "expires_on" => "9 December 2026",
            "minutes_valid" => "10",
            _ => "…",
        };
        vars.insert(name, value.to_owned());
    }
    vars
}
