//! An invitation's facts, history and messages in the words a front desk reads ("Sent by email
//! to m…@example.com", "Delivered, Today, 10:42 AM"), with names instead of ids and times on the
//! practice's clock. Contact points are shown masked in the history; the facts show them whole.

use portico_core::invitations::Invitation;
use portico_core::practices::staff::StaffMember;
use portico_domain::{Channel, InvitationState, OutboxState};

use crate::platform::local_time::LocalTime;

/// One line of the history: when, and what happened in words.
pub(super) struct Line {
    pub when: String,
    pub what: String,
}

/// One message sent for the invitation and how its delivery went.
pub(super) struct MessageLine {
    pub what: String,
    pub outcome: String,
    /// The provider's or mail server's reason, for a failed or abandoned message.
    pub reason: Option<String>,
    /// Failed or abandoned: staff should look.
    pub problem: bool,
}

pub(super) fn facts(
    inv: &Invitation,
    provider: Option<String>,
    program: Option<String>,
    when: &LocalTime,
) -> Vec<(&'static str, String)> {
    let mut facts = vec![
        ("Date of birth", inv.birth_date.clone()),
        ("Invited as", inv.relation.label().to_owned()),
    ];
    let mut optional = |label: &'static str, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            facts.push((label, v));
        }
    };
    optional("Email", inv.email.clone());
    optional("Mobile phone", inv.phone.clone());
    optional("Username", inv.username.clone());
    optional("Provider", provider);
    optional("Program", program);
    optional("Best time to call", inv.contact_time.clone());
    optional("Notes", inv.notes.clone());
    facts.push(("Sent by", sent_by(&inv.channels)));
    facts.push((
        "Language",
        match inv.language.as_str() {
            "es" => "Spanish",
            _ => "English",
        }
        .to_owned(),
    ));
    facts.push(("Consent", inv.consent_method.label().to_owned()));
    let expiry = if inv.state.is_open() || inv.state == InvitationState::Expired {
        let verb = if when.is_past(&inv.expires_at) {
            "Expired"
        } else {
            "Works until"
        };
        Some(format!("{verb} {}", when.day(&inv.expires_at)))
    } else {
        None
    };
    if let Some(expiry) = expiry {
        facts.push(("Code", expiry));
    }
    if let Some(corrected) = &inv.name_corrected_to {
        facts.push((
            "Name on the account",
            format!(
                "{} {} (corrected by the patient while registering)",
                corrected.first_name, corrected.last_name
            ),
        ));
    }
    facts
}

fn sent_by(channels: &[Channel]) -> String {
    if channels.is_empty() {
        return "Handed over in person".into();
    }
    let words: Vec<&str> = channels.iter().map(|c| c.label()).collect();
    let words = match words.as_slice() {
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        [] => String::new(),
    };
    let mut s = words;
    if let Some(first) = s.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    s
}

/// What the state means for the front desk, when it needs saying.
pub(super) fn state_note(inv: &Invitation) -> Option<&'static str> {
    match inv.state {
        InvitationState::Locked => Some(
            "Locked: a wrong date of birth was entered too many times, so the code no longer \
             works. Check the date of birth with the patient, then re-send to give them a new code.",
        ),
        InvitationState::Expired => {
            Some("Expired: the code no longer works. Re-send to give the patient a new one.")
        }
        InvitationState::Redeemed => Some("The patient used this invitation and registered."),
        InvitationState::Revoked => {
            Some("Revoked: the code and link no longer work. Invite the patient again if needed.")
        }
        InvitationState::Draft => {
            Some("Waiting to be sent: the message is in the outbox and goes out shortly.")
        }
        InvitationState::Sent | InvitationState::Delivered => None,
    }
}

/// The history in words, oldest first.
pub(super) fn lines(inv: &Invitation, staff: &[StaffMember], when: &LocalTime) -> Vec<Line> {
    let who = |actor: &str| -> String {
        match actor.split_once(':') {
            Some(("staff", id)) => staff.iter().find(|m| m.id == id).map_or_else(
                || "a former staff member".to_owned(),
                |m| m.display_name.clone(),
            ),
            Some(("api_token", _)) => "an integration (API token)".into(),
            _ => match actor {
                "anonymous" => "the patient".into(),
                _ => "Portico".into(),
            },
        }
    };
    let to = contact(inv);
    inv.history
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let by_staff = e.actor.starts_with("staff:") || e.actor.starts_with("api_token:");
            let what = match e.state {
                InvitationState::Draft if i == 0 => format!("Created by {}", who(&e.actor)),
                InvitationState::Sent if i == 0 => format!(
                    "Created by {} to hand over in person (nothing sent)",
                    who(&e.actor)
                ),
                InvitationState::Draft => {
                    format!("Re-sent by {} with a new code", who(&e.actor))
                }
                InvitationState::Sent if by_staff => format!(
                    "New code issued by {} to hand over in person",
                    who(&e.actor)
                ),
                InvitationState::Sent => match &to {
                    Some(to) => format!("Sent {to}"),
                    None => "Sent".into(),
                },
                InvitationState::Delivered => "Delivered".into(),
                InvitationState::Redeemed => "Registered: the patient used the code".into(),
                InvitationState::Locked => "Locked after too many wrong dates of birth".into(),
                InvitationState::Revoked => format!("Revoked by {}", who(&e.actor)),
                InvitationState::Expired => "Expired".into(),
            };
            Line {
                when: when.at(&e.at),
                what,
            }
        })
        .collect()
}

/// "by email to m…@example.com and by text message to •••• 0123", from the invitation's channels.
fn contact(inv: &Invitation) -> Option<String> {
    let parts: Vec<String> = inv
        .channels
        .iter()
        .filter_map(|c| Some(format!("by {} to {}", c.label(), address_for(inv, *c)?)))
        .collect();
    (!parts.is_empty()).then(|| parts.join(" and "))
}

fn address_for(inv: &Invitation, channel: Channel) -> Option<String> {
    match channel {
        Channel::Email => inv.email.as_deref().map(masked_email),
        Channel::Sms | Channel::Voice => inv.phone.as_deref().map(masked_phone),
    }
}

/// `maria@example.com` → `m…@example.com`.
pub(super) fn masked_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}…@{domain}")
        }
        None => "…".into(),
    }
}

/// `+15555550123` → `•••• 0123`.
pub(super) fn masked_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    let last: String = digits[digits.len().saturating_sub(4)..].iter().collect();
    format!("•••• {last}")
}

/// The messages sent for the invitation, newest first, with how each one's delivery went.
pub(super) fn messages(inv: &Invitation, when: &LocalTime) -> Vec<MessageLine> {
    inv.messages
        .iter()
        .rev()
        .map(|m| {
            let channel = Channel::parse(&m.channel).ok();
            let what = match channel {
                Some(c) => {
                    let to = address_for(inv, c).map_or_else(String::new, |a| format!(" to {a}"));
                    format!("Invitation by {}{to}", c.label())
                }
                None => "Invitation".into(),
            };
            let at = when.at(&m.updated_at);
            let tries = |n: i64| {
                if n == 1 {
                    "1 try".to_owned()
                } else {
                    format!("{n} tries")
                }
            };
            let (outcome, problem) = match m.state {
                OutboxState::Pending if m.attempts == 0 => ("Waiting to send".to_owned(), false),
                OutboxState::Pending => (
                    format!("Trying again after {}; last try {at}", tries(m.attempts)),
                    true,
                ),
                OutboxState::Sending => ("Sending now".to_owned(), false),
                OutboxState::Sent => (format!("Sent {at}"), false),
                OutboxState::Delivered => (format!("Delivered {at}"), false),
                OutboxState::Failed => (format!("Not delivered ({at})"), true),
                OutboxState::Dead => (format!("Gave up after {} ({at})", tries(m.attempts)), true),
            };
            MessageLine {
                what,
                outcome,
                reason: m.last_error.clone().filter(|_| problem),
                problem,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_points_are_masked_in_the_history() {
        assert_eq!(masked_email("maria@example.com"), "m…@example.com");
        assert_eq!(masked_phone("+15555550123"), "•••• 0123");
        assert_eq!(masked_phone("12"), "•••• 12");
    }

    #[test]
    fn channels_read_as_a_sentence() {
        assert_eq!(sent_by(&[]), "Handed over in person");
        assert_eq!(sent_by(&[Channel::Email]), "Email");
        assert_eq!(
            sent_by(&[Channel::Email, Channel::Sms, Channel::Voice]),
            "Email, text message and voice call"
        );
    }
}
