//! Filling a template in, safely: minijinja without a file loader or custom functions, with a
//! fuel limit and a cap on the rendered size, so a practice's template can neither read anything
//! it was not given nor run away; and the checks a template passes before it is saved.

use std::collections::BTreeMap;

use minijinja::{Environment, UndefinedBehavior, Value};

use super::{TemplateKind, TemplateText, Vars, sample_vars};
use crate::{CoreError, FieldErrors};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::templates::{Language, default_template};

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
