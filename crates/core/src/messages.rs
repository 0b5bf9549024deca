//! The words of each message a patient receives. Built-in English texts for now; practice-editable
//! templates (with Spanish defaults and previews) take their place as the delivery work continues.
//! Messages carry no clinical detail: a practice name, a first name, a code, a link, a date.

use portico_domain::{Channel, InviteCode};

use crate::clock::Timestamp;
use crate::outbox::OutgoingMessage;

/// What an invitation message says.
pub struct InviteFacts<'a> {
    pub practice_name: &'a str,
    pub first_name: &'a str,
    pub code: &'a InviteCode,
    pub link: &'a str,
    pub expires_at: Timestamp,
}

fn day(t: Timestamp) -> String {
    let d = t.date();
    format!("{} {} {}", d.day(), d.month(), d.year())
}

/// Reads a code out one character at a time, e.g. "X, Y, Z, 2, 3, 4".
fn spoken(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(String::from)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The invitation for one channel, addressed to `to`.
pub fn invite(channel: Channel, to: &str, facts: &InviteFacts<'_>) -> OutgoingMessage {
    let code = facts.code.expose_display();
    let until = day(facts.expires_at);
    match channel {
        Channel::Email => OutgoingMessage {
            to: to.to_owned(),
            subject: Some(format!(
                "{}: your invitation to the patient portal",
                facts.practice_name
            )),
            text: format!(
                "Hello {first},\n\n{practice} invites you to its patient portal.\n\nOpen this link to register:\n{link}\n\n\
                 Or enter your invitation code {code} together with your date of birth.\n\n\
                 The invitation is valid until {until}. If you did not expect it, you can ignore this message.\n",
                first = facts.first_name,
                practice = facts.practice_name,
                link = facts.link,
            ),
            html: None,
        },
        Channel::Sms => OutgoingMessage {
            to: to.to_owned(),
            subject: None,
            text: format!(
                "{practice} invites you to its patient portal: {link} Code {code} (valid until {until}).",
                practice = facts.practice_name,
                link = facts.link,
            ),
            html: None,
        },
        Channel::Voice => {
            let spoken = spoken(&code);
            OutgoingMessage {
                to: to.to_owned(),
                subject: None,
                text: format!(
                    "Hello {first}. This is {practice}. You are invited to the patient portal. \
                     Your invitation code is: {spoken}. Again, your code is: {spoken}.",
                    first = facts.first_name,
                    practice = facts.practice_name,
                ),
                html: None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_voice_message_reads_the_code_character_by_character_twice() {
        let code = InviteCode::parse("XYZ-234-ABC").unwrap();
        let facts = InviteFacts {
            practice_name: "Lakeside",
            first_name: "Ana",
            code: &code,
            link: "https://x/i/t",
            expires_at: Timestamp::from_millis(0),
        };
        let m = invite(Channel::Voice, "+14155550123", &facts);
        assert_eq!(
            m.text.matches("X, Y, Z, 2, 3, 4, A, B, C").count(),
            2,
            "{}",
            m.text
        );
        assert!(!m.text.contains("https://"), "no link read aloud");
    }

    #[test]
    fn email_and_sms_carry_the_code_and_the_link() {
        let code = InviteCode::parse("XYZ-234-ABC").unwrap();
        let facts = InviteFacts {
            practice_name: "Lakeside",
            first_name: "Ana",
            code: &code,
            link: "https://x/i/t",
            expires_at: Timestamp::from_millis(0),
        };
        for channel in [Channel::Email, Channel::Sms] {
            let m = invite(channel, "to", &facts);
            assert!(
                m.text.contains("XYZ-234-ABC") && m.text.contains("https://x/i/t"),
                "{channel:?}"
            );
        }
        assert!(
            invite(Channel::Sms, "to", &facts).text.chars().count() <= 160,
            "one SMS segment"
        );
    }
}
