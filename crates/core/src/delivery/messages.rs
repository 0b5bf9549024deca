//! The words of each message a patient receives: the facts of one message put through the
//! practice's template for its kind and language (see `templates`).
//! Messages carry no clinical detail: a practice name, a first name, a code, a link, a date.

use portico_domain::{Channel, InviteCode, OneTimeCode, TimeZone};

use crate::delivery::email_html;
use crate::delivery::outbox::OutgoingMessage;
use crate::delivery::templates::{self, Language, RenderError, TemplateKind, TemplateText, Vars};
use crate::platform::clock::Timestamp;

/// What an invitation message says.
pub struct InviteFacts<'a> {
    pub practice_name: &'a str,
    pub first_name: &'a str,
    pub code: &'a InviteCode,
    pub link: &'a str,
    pub expires_at: Timestamp,
    /// The practice's: the patient reads the date on the practice's clock, not UTC's.
    pub time_zone: &'a TimeZone,
    pub language: Language,
}

/// A date as people read it in their language, on the clock of `zone`: "2 December 2026",
/// "2 de diciembre de 2026".
fn day(t: Timestamp, zone: &TimeZone, language: Language) -> String {
    let d = zone.date_at(t.as_millis());
    match language {
        Language::En => format!("{} {} {}", d.day(), d.month(), d.year()),
        Language::Es => {
            const MONTHS: [&str; 12] = [
                "enero",
                "febrero",
                "marzo",
                "abril",
                "mayo",
                "junio",
                "julio",
                "agosto",
                "septiembre",
                "octubre",
                "noviembre",
                "diciembre",
            ];
            format!(
                "{} de {} de {}",
                d.day(),
                MONTHS[usize::from(u8::from(d.month())) - 1],
                d.year()
            )
        }
    }
}

/// Reads a code out one character at a time, e.g. "X, Y, Z, 2, 3, 4".
pub fn spoken(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(String::from)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The template kind that carries an invitation on a channel.
pub fn invite_kind(channel: Channel) -> TemplateKind {
    match channel {
        Channel::Email => TemplateKind::InviteEmail,
        Channel::Sms => TemplateKind::InviteSms,
        Channel::Voice => TemplateKind::InviteVoice,
    }
}

/// The invitation for one channel, addressed to `to`, written with `template`.
pub fn invite(
    channel: Channel,
    to: &str,
    facts: &InviteFacts<'_>,
    template: &TemplateText,
) -> Result<OutgoingMessage, RenderError> {
    let code = facts.code.expose_display();
    let mut vars = Vars::new();
    vars.insert("first_name", facts.first_name.to_owned());
    vars.insert("practice_name", facts.practice_name.to_owned());
    vars.insert("code_spoken", spoken(&code));
    vars.insert("code", code);
    vars.insert("link", facts.link.to_owned());
    vars.insert(
        "expires_on",
        day(facts.expires_at, facts.time_zone, facts.language),
    );
    let rendered = templates::render(template, &vars)?;
    Ok(OutgoingMessage {
        to: to.to_owned(),
        subject: (channel == Channel::Email).then(|| rendered.subject.unwrap_or_default()),
        text: rendered.body,
        html: None,
    })
}

/// A six-digit code for `purpose` ("verify your phone number", "reset your password"), by SMS,
/// voice call (read out slowly, twice) or email. Fixed wording: practices do not edit these.
fn one_time_code(
    channel: Channel,
    to: &str,
    practice_name: &str,
    purpose: &str,
    code: &OneTimeCode,
) -> OutgoingMessage {
    let digits = code.expose_digits();
    let minutes = portico_domain::one_time_code::ONE_TIME_CODE_TTL.as_secs() / 60;
    let text = match channel {
        Channel::Voice => {
            let spoken = spoken(digits);
            format!(
                "Hello. This is {practice_name}. Your code to {purpose} is: {spoken}. \
                 Again, your code is: {spoken}. It expires in {minutes} minutes. Goodbye."
            )
        }
        Channel::Sms | Channel::Email => format!(
            "{digits} is your {practice_name} code to {purpose}. It expires in {minutes} minutes. \
             Do not share it with anyone: we will never ask you for it."
        ),
    };
    OutgoingMessage {
        to: to.to_owned(),
        subject: (channel == Channel::Email).then(|| format!("Your {practice_name} code")),
        html: (channel == Channel::Email).then(|| email_html::from_text(&text)),
        text,
    }
}

/// The code that proves a phone number during registration.
pub fn verification_code(
    channel: Channel,
    to: &str,
    practice_name: &str,
    code: &OneTimeCode,
) -> OutgoingMessage {
    one_time_code(channel, to, practice_name, "verify your phone number", code)
}

/// The code that resets a forgotten password.
pub fn recovery_code(
    channel: Channel,
    to: &str,
    practice_name: &str,
    code: &OneTimeCode,
) -> OutgoingMessage {
    one_time_code(channel, to, practice_name, "reset your password", code)
}

/// Tells the owner of an account that someone started a registration with their email address.
/// Fixed wording, no code and no detail of the attempt beyond the practice's name.
pub fn account_exists(to: &str, practice_name: &str, public_url: &str) -> OutgoingMessage {
    let text = format!(
        "Someone started registering for {practice_name}'s patient portal with this email \
         address, which already has an account.\n\n\
         If it was you: sign in at {public_url}/portal/sign-in, then use \"Add provider code\" to \
         link {practice_name}. If you forgot your password, choose \"Forgot password\" there.\n\n\
         If it was not you, you can ignore this message: nothing was changed in your account."
    );
    OutgoingMessage {
        to: to.to_owned(),
        subject: Some(format!(
            "Registration attempt with your email at {practice_name}"
        )),
        html: Some(email_html::from_text(&text)),
        text,
    }
}

/// The usernames of the accounts that have the phone number `to`, by SMS, and nothing else: no
/// link and no other detail of the accounts.
pub fn username_reminder(to: &str, practice_name: &str, usernames: &[&str]) -> OutgoingMessage {
    let text = match usernames {
        [one] => format!("Your {practice_name} patient portal username is {one}"),
        many => format!(
            "Your {practice_name} patient portal usernames are {}",
            many.join(", ")
        ),
    };
    OutgoingMessage {
        to: to.to_owned(),
        subject: None,
        html: None,
        text,
    }
}

/// An email, or a text message, that says one thing and where to read it; nothing clinical.
fn notice(channel: Channel, to: &str, subject: String, text: String) -> OutgoingMessage {
    let html = (channel == Channel::Email).then(|| email_html::from_text(&text));
    OutgoingMessage {
        to: to.to_owned(),
        subject: (channel == Channel::Email).then_some(subject),
        html,
        text,
    }
}

/// Tells a provider that a patient asked them for a visit: not who, not why (an email or a
/// text can be read by others), only where to look.
pub fn visit_requested(
    channel: Channel,
    to: &str,
    practice_name: &str,
    public_url: &str,
) -> OutgoingMessage {
    notice(
        channel,
        to,
        format!("A visit request is waiting at {practice_name}"),
        format!(
            "A patient asked {practice_name} for a visit. \
             See the waiting list: {public_url}/staff/visits"
        ),
    )
}

/// Tells one side of a secure conversation that a message waits for them: not who wrote it or
/// what, only the link to it (which asks them to sign in first).
pub fn thread_message(
    channel: Channel,
    to: &str,
    practice_name: &str,
    link: &str,
) -> OutgoingMessage {
    notice(
        channel,
        to,
        format!("A secure message is waiting at {practice_name}"),
        format!("You have a new secure message at {practice_name}. Sign in to read it: {link}"),
    )
}

/// Tells whoever asked for a visit that the practice answered: not the answer, the time or the
/// note, only where to read it after signing in.
pub fn visit_answered(
    channel: Channel,
    to: &str,
    practice_name: &str,
    public_url: &str,
) -> OutgoingMessage {
    notice(
        channel,
        to,
        format!("{practice_name} answered your visit request"),
        format!(
            "{practice_name} answered your visit request. \
             Sign in to read the answer: {public_url}/portal"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts<'a>(code: &'a InviteCode, zone: &'a TimeZone, language: Language) -> InviteFacts<'a> {
        InviteFacts {
            practice_name: "Lakeside",
            first_name: "Ana",
            code,
            link: "https://x/i/t",
            expires_at: Timestamp::from_millis(0),
            time_zone: zone,
            language,
        }
    }

    fn utc() -> TimeZone {
        TimeZone::parse("UTC").unwrap()
    }

    fn shipped(channel: Channel, language: Language) -> TemplateText {
        templates::default_template(invite_kind(channel), language)
    }

    #[test]
    fn the_voice_message_reads_the_code_character_by_character_twice() {
        let code = InviteCode::parse("XYZ-234-ABC").unwrap();
        let m = invite(
            Channel::Voice,
            "+14155550123",
            &facts(&code, &utc(), Language::En),
            &shipped(Channel::Voice, Language::En),
        )
        .unwrap();
        assert_eq!(
            m.text.matches("X, Y, Z, 2, 3, 4, A, B, C").count(),
            2,
            "{}",
            m.text
        );
        assert!(!m.text.contains("https://"), "no link read aloud");
    }

    #[test]
    fn email_and_sms_carry_the_code_and_the_link_in_the_patients_language() {
        let code = InviteCode::parse("XYZ-234-ABC").unwrap();
        for channel in [Channel::Email, Channel::Sms] {
            let m = invite(
                channel,
                "to",
                &facts(&code, &utc(), Language::Es),
                &shipped(channel, Language::Es),
            )
            .unwrap();
            assert!(
                m.text.contains("XYZ-234-ABC") && m.text.contains("https://x/i/t"),
                "{channel:?}"
            );
            assert!(m.text.contains("1 de enero de 1970"), "{}", m.text);
        }
        let email = invite(
            Channel::Email,
            "to",
            &facts(&code, &utc(), Language::En),
            &shipped(Channel::Email, Language::En),
        )
        .unwrap();
        assert_eq!(
            email.subject.as_deref(),
            Some("Lakeside: your invitation to the patient portal")
        );
    }
}
