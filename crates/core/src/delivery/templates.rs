//! Message templates (docs/PRODUCT.md §4): per practice, per kind and per language, with shipped English
//! and Spanish defaults. Practices edit them safely: the engine (minijinja) has no file loader, no
//! custom functions and a fuel limit, so a template can neither read anything it was not given
//! nor run away; unknown variables are refused when saving, naming the variable. A preview renders
//! exactly what would be sent, with sample data, and counts SMS segments.

use portico_domain::SubjectKind;
use std::collections::BTreeMap;

use minijinja::{Environment, UndefinedBehavior, Value};
use portico_domain::Channel;
use portico_store::delivery::templates::{self as store, TemplateRow};

use crate::audit::{self, Action};
use crate::platform::actor::StaffActor;
use crate::platform::clock::Timestamp;
use crate::{Core, CoreError, FieldErrors};

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
            "{{ practice_name }} invites you to its patient portal: {{ link }} Code {{ code }} (valid until {{ expires_on }}).",
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

/// Work a template may do before it is stopped (loops, filters): far above any honest message.
const FUEL: u64 = 20_000;
const MAX_SUBJECT: usize = 200;
const MAX_BODY: usize = 5_000;
/// The longest message a template may render to, in bytes. The fuel limit alone would let a short
/// template such as `{{ "x" * 1000000 }}` write a megabyte; no honest message comes near this.
const MAX_RENDERED: usize = 4 * MAX_BODY;

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RenderError(String);

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_fuel(Some(FUEL));
    // A variable nobody supplied is an error, not silent emptiness in a patient's message.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env
}

fn render_one(env: &Environment<'_>, source: &str, vars: &Vars) -> Result<String, RenderError> {
    let template = env
        .template_from_str(source)
        .map_err(|e| RenderError(e.to_string()))?;
    let ctx: BTreeMap<&str, Value> = vars
        .iter()
        .map(|(k, v)| (*k, Value::from(v.as_str())))
        .collect();
    let mut out = Bounded(Vec::new());
    let rendered = template
        .render_captured_to(Value::from(ctx), &mut out)
        .map(drop);
    if out.0.len() > MAX_RENDERED {
        return Err(RenderError(format!(
            "the message would be longer than {MAX_RENDERED} characters"
        )));
    }
    match rendered {
        Ok(_) => String::from_utf8(out.0).map_err(|e| RenderError(e.to_string())),
        Err(e) if e.kind() == minijinja::ErrorKind::OutOfFuel => Err(RenderError(
            "the template does too much work (a loop or a repetition too large)".into(),
        )),
        Err(e) => Err(RenderError(e.to_string())),
    }
}

/// Collects rendered output and fails once it passes `MAX_RENDERED`, which stops the render.
struct Bounded(Vec<u8>);

impl std::io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0.len() + buf.len() > MAX_RENDERED {
            // Keep one byte past the limit, so the caller can tell why the render stopped.
            self.0.resize(MAX_RENDERED + 1, 0);
            return Err(std::io::Error::other("rendered message too long"));
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Fills a template in; answers the subject (email) and the body.
pub fn render(text: &TemplateText, vars: &Vars) -> Result<TemplateText, RenderError> {
    let env = environment();
    let subject = match &text.subject {
        Some(s) => Some(render_one(&env, s, vars)?.trim().to_owned()),
        None => None,
    };
    Ok(TemplateText {
        subject,
        body: render_one(&env, &text.body, vars)?,
    })
}

/// Checks a template before it is saved: syntax, known variables only, lengths, and a trial
/// render with sample values (which also stops runaway loops through the fuel limit).
pub fn validate(kind: TemplateKind, text: &TemplateText) -> Result<(), CoreError> {
    let mut errors = FieldErrors::new();
    let env = environment();
    let allowed = kind.variables();
    for (field, source, max) in [
        ("subject", text.subject.as_deref(), MAX_SUBJECT),
        ("body", Some(text.body.as_str()), MAX_BODY),
    ] {
        let Some(source) = source else { continue };
        if source.trim().is_empty() {
            errors.add(field, "This cannot be empty.");
            continue;
        }
        if source.chars().count() > max {
            errors.add(field, format!("Keep this under {max} characters."));
            continue;
        }
        match env.template_from_str(source) {
            Err(e) => errors.add(field, format!("The template has an error: {e}")),
            Ok(template) => {
                // Built-in functions such as `range` are globals, not variables the caller must supply.
                let builtins: Vec<&str> = env.globals().map(|(name, _)| name).collect();
                let mut unknown: Vec<String> = template
                    .undeclared_variables(false)
                    .into_iter()
                    .filter(|v| !allowed.contains(&v.as_str()) && !builtins.contains(&v.as_str()))
                    .collect();
                unknown.sort();
                if let Some(first) = unknown.first() {
                    errors.add(
                        field,
                        format!(
                            "Unknown variable `{first}`. You can use: {}.",
                            allowed.join(", ")
                        ),
                    );
                } else if let Err(e) = render_one(&env, source, &sample_vars(kind)) {
                    errors.add(field, format!("The template cannot be rendered: {e}"));
                }
            }
        }
    }
    if kind.has_subject()
        && text.subject.as_deref().is_none_or(|s| s.trim().is_empty())
        && errors.get("subject").is_none()
    {
        errors.add("subject", "An email needs a subject.");
    }
    if !kind.has_subject() && text.subject.is_some() {
        errors.add("subject", "Only emails have a subject; leave it out.");
    }
    errors.into_result()
}

/// How many SMS segments a text takes: 160 GSM-7 characters in one, 153 each when split; any
/// character outside GSM-7 switches the whole message to UCS-2 (70, then 67 each).
pub fn sms_segments(body: &str) -> u32 {
    const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    const GSM_EXTENDED: &str = "^{}\\[~]|€\x0c";
    let gsm_len: Option<usize> = body
        .chars()
        .map(|c| {
            if GSM_BASIC.contains(c) {
                Some(1)
            } else if GSM_EXTENDED.contains(c) {
                Some(2)
            } else {
                None
            }
        })
        .sum();
    let (len, single, part) = match gsm_len {
        Some(len) => (len, 160, 153),
        None => (body.encode_utf16().count(), 70, 67),
    };
    if len <= single {
        1
    } else {
        len.div_ceil(part) as u32
    }
}

/// A template as staff see it.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateView {
    pub kind: TemplateKind,
    pub language: Language,
    pub channel: Channel,
    pub subject: Option<String>,
    pub body: String,
    /// False while the shipped default is in use.
    pub customized: bool,
    pub variables: Vec<&'static str>,
    pub updated_at: Option<String>,
}

fn view(kind: TemplateKind, language: Language, row: Option<TemplateRow>) -> TemplateView {
    let (text, customized, updated_at) = match row {
        Some(r) => (
            TemplateText {
                subject: r.subject,
                body: r.body,
            },
            true,
            Some(Timestamp::from_millis(r.updated_at).to_rfc3339()),
        ),
        None => (default_template(kind, language), false, None),
    };
    TemplateView {
        kind,
        language,
        channel: kind.channel(),
        subject: text.subject,
        body: text.body,
        customized,
        variables: kind.variables().to_vec(),
        updated_at,
    }
}

/// The template a practice sends for a kind and language: its own, or the shipped default.
pub async fn for_sending(
    core: &Core,
    practice_id: &str,
    kind: TemplateKind,
    language: Language,
) -> Result<TemplateText, CoreError> {
    Ok(
        match store::find(core.store(), practice_id, kind.as_str(), language.as_str()).await? {
            Some(row) => TemplateText {
                subject: row.subject,
                body: row.body,
            },
            None => default_template(kind, language),
        },
    )
}

/// Every kind in every language, as the practice has them.
pub async fn list(core: &Core, actor: &StaffActor) -> Result<Vec<TemplateView>, CoreError> {
    let rows = store::list_for_practice(core.store(), &actor.practice_id).await?;
    let mut out = Vec::new();
    for &kind in TemplateKind::ALL {
        for &language in Language::ALL {
            let row = rows
                .iter()
                .find(|r| r.kind == kind.as_str() && r.language == language.as_str())
                .cloned();
            out.push(view(kind, language, row));
        }
    }
    Ok(out)
}

fn parse_key(kind: &str, language: &str) -> Result<(TemplateKind, Language), CoreError> {
    match (TemplateKind::parse(kind), Language::parse(language)) {
        (Some(k), Some(l)) => Ok((k, l)),
        _ => Err(CoreError::NotFound),
    }
}

/// Saves a practice's own version of a template (admins), after every check.
pub async fn save(
    core: &Core,
    actor: &StaffActor,
    kind: &str,
    language: &str,
    input: &TemplateText,
) -> Result<TemplateView, CoreError> {
    actor.require_staff_admin()?;
    let (kind, language) = parse_key(kind, language)?;
    validate(kind, input)?;
    let now = core.now();
    let row = TemplateRow {
        practice_id: actor.practice_id.clone(),
        kind: kind.as_str().to_owned(),
        language: language.as_str().to_owned(),
        subject: input.subject.clone(),
        body: input.body.clone(),
        updated_at: now.as_millis(),
        updated_by: actor.staff_id.clone(),
    };
    let mut tx = core.store().begin().await?;
    store::upsert(&mut tx, &row).await?;
    audit::by_staff(actor, Action::TemplateSaved, now)
        .subject(
            SubjectKind::Template,
            &format!("{}/{}", kind.as_str(), language.as_str()),
        )
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(view(kind, language, Some(row)))
}

/// Goes back to the shipped default (admins).
pub async fn reset(
    core: &Core,
    actor: &StaffActor,
    kind: &str,
    language: &str,
) -> Result<TemplateView, CoreError> {
    actor.require_staff_admin()?;
    let (kind, language) = parse_key(kind, language)?;
    let now = core.now();
    let mut tx = core.store().begin().await?;
    store::delete(
        &mut tx,
        &actor.practice_id,
        kind.as_str(),
        language.as_str(),
    )
    .await?;
    audit::by_staff(actor, Action::TemplateReset, now)
        .subject(
            SubjectKind::Template,
            &format!("{}/{}", kind.as_str(), language.as_str()),
        )
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(view(kind, language, None))
}

/// What a template would send, filled with sample values.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Preview {
    pub channel: Channel,
    pub subject: Option<String>,
    pub body: String,
    /// Email only: the HTML part exactly as it will be sent.
    pub html: Option<String>,
    /// SMS only: how many segments the text takes.
    pub sms_segments: Option<u32>,
    pub characters: usize,
}

/// Previews a draft (or, when the draft is empty, the template in use), exactly as it would be sent.
pub async fn preview(
    core: &Core,
    actor: &StaffActor,
    kind: &str,
    language: &str,
    draft: &TemplateText,
) -> Result<Preview, CoreError> {
    let (kind, language) = parse_key(kind, language)?;
    let text = if draft.body.trim().is_empty() {
        for_sending(core, &actor.practice_id, kind, language).await?
    } else {
        validate(kind, draft)?;
        draft.clone()
    };
    let rendered = render(&text, &sample_vars(kind))
        .map_err(|e| CoreError::Invalid(FieldErrors::single("body", e.to_string())))?;
    let channel = kind.channel();
    Ok(Preview {
        channel,
        html: (channel == Channel::Email)
            .then(|| crate::delivery::email_html::from_text(&rendered.body)),
        sms_segments: (channel == Channel::Sms).then(|| sms_segments(&rendered.body)),
        characters: rendered.body.chars().count(),
        subject: rendered.subject,
        body: rendered.body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_template_is_valid_in_both_languages() {
        for &kind in TemplateKind::ALL {
            for &language in Language::ALL {
                let t = default_template(kind, language);
                assert!(validate(kind, &t).is_ok(), "{kind:?} {language:?}");
                assert!(!render(&t, &sample_vars(kind)).unwrap().body.contains("{{"));
            }
        }
    }

    #[test]
    fn an_unknown_variable_is_named() {
        let t = TemplateText {
            subject: None,
            body: "Hi {{ first_name }}, your diagnosis is {{ diagnosis }}".into(),
        };
        let Err(CoreError::Invalid(errors)) = validate(TemplateKind::InviteSms, &t) else {
            panic!("refused")
        };
        assert!(errors.get("body").unwrap().contains("`diagnosis`"));
    }

    #[test]
    fn a_runaway_loop_is_stopped() {
        let t = TemplateText {
            subject: None,
            body:
                "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}"
                    .into(),
        };
        assert!(validate(TemplateKind::InviteSms, &t).is_err());
    }

    #[test]
    fn string_repetition_cannot_make_a_huge_message() {
        for body in [
            r#"{{ "x" * 100000000 }}"#,
            r#"{{ "x" * 1000000 }}"#,
            r#"{% for i in range(200) %}{{ "y" * 900 }}{% endfor %}"#,
        ] {
            let t = TemplateText {
                subject: None,
                body: body.into(),
            };
            let Err(CoreError::Invalid(errors)) = validate(TemplateKind::InviteSms, &t) else {
                panic!("{body} refused")
            };
            assert!(errors.get("body").is_some(), "{body}");
        }
    }

    #[test]
    fn sms_segments_follow_gsm7_and_ucs2_rules() {
        assert_eq!(sms_segments(&"a".repeat(160)), 1);
        assert_eq!(sms_segments(&"a".repeat(161)), 2);
        assert_eq!(sms_segments(&"a".repeat(306)), 2);
        assert_eq!(sms_segments(&"a".repeat(307)), 3);
        assert_eq!(
            sms_segments(&format!("{}€", "a".repeat(158))),
            1,
            "€ counts twice in GSM-7"
        );
        assert_eq!(
            sms_segments(&format!("{}ó", "a".repeat(69))),
            1,
            "ó is not GSM-7: UCS-2"
        );
        assert_eq!(sms_segments(&format!("{}ó", "a".repeat(70))), 2);
    }
}
