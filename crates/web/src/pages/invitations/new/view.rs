//! What the invite page's template shows, worked out here so the template stays plain: each
//! person's inputs (the same for the patient, a related patient and a caregiver, under their
//! prefix), the no-email question, and the preview of the messages with its sample code and link
//! marked.

use portico_core::invitations::{FIRST_NAME_STAND_IN, InvitePreview, MessagePreview};
use portico_core::{CoreError, FieldErrors};
use portico_domain::{Channel, Relation};

use super::form::{CAREGIVER, HOUSEHOLD, InviteForm, PATIENT, SENDS};
use crate::platform::error::PageError;

/// One text input: what `form.html`'s `field` macro takes.
pub(super) struct TextField {
    pub id: String,
    pub label: &'static str,
    pub kind: &'static str,
    pub value: String,
    pub hint: &'static str,
    /// Across both columns where the fields stand two by two.
    pub wide: bool,
}

/// One checkbox of a person's channels.
pub(super) struct ChannelBox {
    pub id: String,
    pub name: String,
    pub label: &'static str,
    pub checked: bool,
}

/// One person's inputs, named with their prefix.
pub(super) struct PersonSection {
    pub fields: Vec<TextField>,
    /// The id of the channels' group: its first box, which the error summary links to.
    pub channels_id: String,
    pub channels: Vec<ChannelBox>,
}

impl PersonSection {
    pub(super) fn of(form: &InviteForm, prefix: &'static str) -> PersonSection {
        // Names stand side by side, and the patient's email beside its confirmation.
        let field = |name: &str, label, kind, hint| TextField {
            id: format!("{prefix}{name}"),
            label,
            kind,
            value: form.value(&format!("{prefix}{name}")).to_owned(),
            hint,
            wide: !(name.ends_with("_name") || (prefix == PATIENT && name.starts_with("email"))),
        };
        let mut fields = vec![
            field("first_name", "First name", "text", ""),
            field("last_name", "Last name", "text", ""),
            field(
                "birth_date",
                "Date of birth",
                "date",
                "They type it with their code, so it must be right.",
            ),
        ];
        let email_hint = match prefix {
            CAREGIVER => "Needed: a caregiver signs in with their own email address.",
            _ => "Leave empty if they have none: they get a username to sign in with instead.",
        };
        fields.push(field("email", "Email address", "email", email_hint));
        if prefix == PATIENT {
            fields.push(field(
                "email_confirm",
                "Email address again",
                "email",
                "To catch a typing mistake.",
            ));
        }
        fields.push(field(
            "phone",
            "Mobile phone number",
            "tel",
            "For a text message or a voice call. A number from another country starts with + and its country code.",
        ));
        let labels = [
            "Email",
            "Text message (SMS)",
            "Voice call (reads the code aloud)",
        ];
        let mut channels: Vec<ChannelBox> = SENDS
            .iter()
            .zip(labels)
            .map(|((flag, _), label)| (*flag, label))
            .chain([(
                "hand_over",
                "Hand it over in person: nothing is sent, you print a sheet",
            )])
            .map(|(flag, label)| ChannelBox {
                id: format!("{prefix}{flag}"),
                name: format!("{prefix}{flag}"),
                label,
                checked: form.checked(&format!("{prefix}{flag}")),
            })
            .collect();
        // The error summary links to `…channels`: the group's first box carries that id.
        let channels_id = format!("{prefix}channels");
        if let Some(first) = channels.first_mut() {
            first.id.clone_from(&channels_id);
        }
        PersonSection {
            fields,
            channels_id,
            channels,
        }
    }
}

/// The question asked before inviting someone without an email address.
pub(super) struct NoEmailQuestion {
    pub title: String,
    pub lines: Vec<String>,
    /// The patient is one of them: staff may type the username they will sign in with.
    pub offer_username: bool,
}

impl NoEmailQuestion {
    pub(super) fn of(form: &InviteForm) -> Option<NoEmailQuestion> {
        let without = form.without_email();
        if without.is_empty() {
            return None;
        }
        let name = |prefix: &str, fallback: &str| {
            let first = form.value(&format!("{prefix}first_name")).trim();
            if first.is_empty() {
                fallback.to_owned()
            } else {
                first.to_owned()
            }
        };
        let lines = without
            .iter()
            .map(|&prefix| match prefix {
                HOUSEHOLD => {
                    let who = name(HOUSEHOLD, "The related patient");
                    format!(
                        "{who} has no email address either: {who} will sign in with a username that we make up."
                    )
                }
                _ => {
                    let who = name(PATIENT, "The patient");
                    format!(
                        "{who} has no email address: {who} will sign in with a username that we make up, or that you type below."
                    )
                }
            })
            .collect();
        let offer_username = without.contains(&PATIENT);
        Some(NoEmailQuestion {
            title: if without.len() > 1 || !offer_username {
                "No email address: create the invitations?".into()
            } else {
                "No email address: create the invitation?".into()
            },
            lines,
            offer_username,
        })
    }
}

/// A piece of a previewed text: as sent, or a stand-in (the sample code or link) to mark.
pub(super) struct Piece {
    pub text: String,
    pub sample: bool,
}

pub(super) struct MessageView {
    pub label: &'static str,
    /// "To …" for a message, "Read out to …" for a call; empty until an address is typed.
    pub to: String,
    pub subject: Option<Vec<Piece>>,
    pub body: Vec<Piece>,
    /// Text messages: characters and segments.
    pub counts: Option<String>,
}

pub(super) struct PersonView {
    pub heading: String,
    pub messages: Vec<MessageView>,
    /// What is said instead of messages: handed over, or no way chosen yet.
    pub instead: Option<String>,
}

/// The preview as the page shows it: each person's messages, or why there are none yet.
pub(super) struct PreviewView {
    pub people: Vec<PersonView>,
    /// What stops the preview (a field it cannot use), in words.
    pub problems: Vec<String>,
    pub spanish: bool,
}

impl PreviewView {
    /// The preview core made for `form`, or the field errors that stopped it.
    pub(super) fn new(
        form: &InviteForm,
        preview: Result<InvitePreview, CoreError>,
    ) -> Result<PreviewView, PageError> {
        let preview = match preview {
            Ok(preview) => preview,
            Err(CoreError::Invalid(errors)) => return Ok(PreviewView::stopped(&errors)),
            Err(other) => return Err(other.into()),
        };
        let several = preview.people.len() > 1;
        let people = preview
            .people
            .iter()
            .map(|person| {
                let prefix = match person.relation {
                    Relation::Patient => PATIENT,
                    Relation::Household => HOUSEHOLD,
                    Relation::Caregiver => CAREGIVER,
                };
                let named = person.first_name != FIRST_NAME_STAND_IN;
                let who = match (person.relation, named) {
                    (_, true) => person.first_name.clone(),
                    (Relation::Patient, false) => "the patient".to_owned(),
                    (Relation::Household, false) => "the related patient".to_owned(),
                    (Relation::Caregiver, false) => "the caregiver".to_owned(),
                };
                let heading = match (several, person.relation) {
                    (false, _) | (true, Relation::Patient) => format!("To {who}"),
                    (true, Relation::Household) => format!("To {who} (related patient)"),
                    (true, Relation::Caregiver) => format!("To {who} (caregiver)"),
                };
                let instead = person.messages.is_empty().then(|| {
                    if form.checked(&format!("{prefix}hand_over")) {
                        format!(
                            "Nothing is sent to {who}: you hand the invitation over in person. The next page has a sheet to print with the code, a QR code for the link and simple instructions."
                        )
                    } else {
                        format!("Choose how the invitation reaches {who} to see the message.")
                    }
                });
                PersonView {
                    heading,
                    messages: person
                        .messages
                        .iter()
                        .map(|m| message_view(m, &preview.samples))
                        .collect(),
                    instead,
                }
            })
            .collect();
        Ok(PreviewView {
            people,
            problems: Vec::new(),
            spanish: preview.language == portico_core::delivery::templates::Language::Es,
        })
    }

    fn stopped(errors: &FieldErrors) -> PreviewView {
        PreviewView {
            people: Vec::new(),
            problems: errors.iter().map(|e| e.message.clone()).collect(),
            spanish: false,
        }
    }
}

fn message_view(m: &MessagePreview, samples: &[String]) -> MessageView {
    let (label, to) = match m.channel {
        Channel::Email => ("Email", "To"),
        Channel::Sms => ("Text message", "To"),
        Channel::Voice => ("Voice call", "Read out to"),
    };
    MessageView {
        label,
        to: m
            .to
            .as_deref()
            .map(|address| format!("{to} {address}"))
            .unwrap_or_default(),
        subject: m.subject.as_deref().map(|s| pieces(s, samples)),
        body: pieces(&m.body, samples),
        counts: m.sms_segments.map(|segments| {
            format!(
                "{} characters, {segments} SMS {}",
                m.characters,
                if segments == 1 { "segment" } else { "segments" }
            )
        }),
    }
}

/// Splits `text` where a sample stands, so the page can mark each one.
fn pieces(text: &str, samples: &[String]) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        // The earliest sample in what is left; the longest one where two start together.
        let next = samples
            .iter()
            .filter(|s| !s.is_empty())
            .filter_map(|s| rest.find(s.as_str()).map(|at| (at, s.len())))
            .min_by_key(|&(at, len)| (at, std::cmp::Reverse(len)));
        let Some((at, len)) = next else {
            if !rest.is_empty() {
                out.push(Piece {
                    text: rest.to_owned(),
                    sample: false,
                });
            }
            return out;
        };
        if at > 0 {
            out.push(Piece {
                text: rest[..at].to_owned(),
                sample: false,
            });
        }
        out.push(Piece {
            text: rest[at..at + len].to_owned(),
            sample: true,
        });
        rest = &rest[at + len..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_split_out_of_the_text() {
        let samples = vec!["XYZ-234-ABC".to_owned(), "https://x/i/SAMPLE".to_owned()];
        let got = pieces("Open https://x/i/SAMPLE or type XYZ-234-ABC.", &samples);
        let marked: Vec<(&str, bool)> = got.iter().map(|p| (p.text.as_str(), p.sample)).collect();
        assert_eq!(
            marked,
            [
                ("Open ", false),
                ("https://x/i/SAMPLE", true),
                (" or type ", false),
                ("XYZ-234-ABC", true),
                (".", false),
            ]
        );
    }
}
