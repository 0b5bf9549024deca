//! What an invitation will say before it exists: the invite form's live preview and
//! `POST /invitations/preview`. Each person's message on each chosen channel is rendered exactly
//! as [`create`](super::create) would queue it — the practice's own template in the chosen
//! language, the typed first name, the practice's name, the expiry an invitation made now would
//! have — except for the code and the link, which exist only once the invitation is made. A
//! sample code and link of the real ones' shape stand in (so a text message counts the same
//! characters and segments), listed in `samples` so a page can mark them. Nothing is written.
//!
//! Only what changes the words is checked here (a first name once typed, the language, the
//! channels, and that the provider and program are the practice's own); `create` checks the rest.

use portico_domain::{Channel, EmailAddress, InviteCode, PersonName, PhoneNumber, Relation};

use super::input::{PersonInput, blank_to_none, check_choices};
use super::{NewInvitationInput, expiry, invite_message, practice_of};
use crate::delivery::messages::{InviteFacts, spoken};
use crate::delivery::templates::{Language, sms_segments};
use crate::platform::actor::StaffActor;
use crate::{Core, CoreError, FieldErrors};

/// The code shown in previews: a real code is drawn only when the invitation is made.
pub const SAMPLE_CODE: &str = "XYZ-234-ABC";
/// The token of the sample link: as long as a real one, and plainly not one.
const SAMPLE_LINK_TOKEN: &str = "PREVIEW-ONLY-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
/// Stands in for a first name not typed yet.
pub const FIRST_NAME_STAND_IN: &str = "[first name]";

/// One message as the person will get it.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessagePreview {
    pub channel: Channel,
    /// The address it goes to, once a valid one is typed (phone numbers in E.164).
    pub to: Option<String>,
    /// Email only.
    pub subject: Option<String>,
    /// The text as sent (for a voice call, the words read out).
    pub body: String,
    /// Text messages only: how many SMS segments the text takes.
    pub sms_segments: Option<u32>,
    pub characters: usize,
}

/// The messages one person of the invitation gets.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonPreview {
    pub relation: Relation,
    /// As it goes into the messages (a stand-in until typed).
    pub first_name: String,
    /// One per chosen channel, in the order email, SMS, voice; none when the invitation is
    /// handed over in person.
    pub messages: Vec<MessagePreview>,
}

/// The messages of a new invitation, before it is made.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitePreview {
    /// The patient first, then the household member and the caregiver when they are invited too.
    pub people: Vec<PersonPreview>,
    /// The language of the messages: it chose the practice's templates.
    pub language: Language,
    /// The stand-ins the messages carry: the sample code (also as read out), the sample link, and
    /// a first name not typed yet. The real code and link are made when the invitation is.
    pub samples: Vec<String>,
    /// When an invitation made now would expire (RFC 3339).
    pub expires_at: String,
}

/// Renders the messages `input` would send, with a sample code and link; writes nothing.
pub async fn preview(
    core: &Core,
    actor: &StaffActor,
    input: &NewInvitationInput,
) -> Result<InvitePreview, CoreError> {
    let practice = practice_of(core, actor).await?;
    let mut errors = FieldErrors::new();
    let choices = check_choices(core, &practice.id, input, &mut errors).await?;
    let mut people = vec![(Relation::Patient, &input.patient, "")];
    if let Some(household) = &input.household {
        people.push((Relation::Household, household, "household."));
    }
    if let Some(caregiver) = &input.caregiver {
        people.push((Relation::Caregiver, caregiver, "caregiver."));
    }
    let read: Vec<_> = people
        .into_iter()
        .map(|(relation, person, prefix)| {
            let typed = read_person(person, prefix, &practice.country, &mut errors);
            (relation, typed)
        })
        .collect();
    errors.into_result()?;
    let Some(choices) = choices else {
        return Err(CoreError::Internal("field errors were not recorded".into()));
    };

    let now = core.now();
    let expires_at = expiry(&practice, now);
    let time_zone = crate::practices::time_zone(&practice)?;
    let code = InviteCode::parse(SAMPLE_CODE)
        .map_err(|_| CoreError::Internal("the sample code does not parse".into()))?;
    let link = format!("{}/i/{SAMPLE_LINK_TOKEN}", core.settings().public_url);
    let mut samples = vec![SAMPLE_CODE.to_owned(), spoken(SAMPLE_CODE), link.clone()];
    let mut out = Vec::new();
    for (relation, typed) in read {
        let first_name = typed.first_name.unwrap_or_else(|| {
            samples.push(FIRST_NAME_STAND_IN.to_owned());
            FIRST_NAME_STAND_IN.to_owned()
        });
        let facts = InviteFacts {
            practice_name: &practice.name,
            first_name: &first_name,
            code: &code,
            link: &link,
            expires_at,
            time_zone: &time_zone,
            language: choices.language,
        };
        let mut messages = Vec::new();
        for channel in [Channel::Email, Channel::Sms, Channel::Voice] {
            if !typed.channels.contains(&channel) {
                continue;
            }
            let to = match channel {
                Channel::Email => typed.email.clone(),
                Channel::Sms | Channel::Voice => typed.phone.clone(),
            };
            let message = invite_message(
                core,
                &practice.id,
                channel,
                to.as_deref().unwrap_or_default(),
                &facts,
            )
            .await?;
            messages.push(MessagePreview {
                channel,
                to,
                subject: message.subject,
                sms_segments: (channel == Channel::Sms).then(|| sms_segments(&message.text)),
                characters: message.text.chars().count(),
                body: message.text,
            });
        }
        out.push(PersonPreview {
            relation,
            first_name,
            messages,
        });
    }
    samples.dedup();
    Ok(InvitePreview {
        people: out,
        language: choices.language,
        samples,
        expires_at: expires_at.to_rfc3339(),
    })
}

/// What of one person the messages use.
struct Typed {
    first_name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    channels: Vec<Channel>,
}

/// Reads what the messages use of one person: a first name once typed (a bad one is an error),
/// the channels, and the addresses when they are valid (a bad one is `create`'s to report).
fn read_person(p: &PersonInput, prefix: &str, country: &str, errors: &mut FieldErrors) -> Typed {
    let typed_name = Some(p.first_name.trim()).filter(|n| !n.is_empty());
    let first_name = typed_name.and_then(|name| {
        errors
            .take(format!("{prefix}first_name"), PersonName::parse(name))
            .map(|n| n.as_str().to_owned())
    });
    let channels = p
        .channels
        .iter()
        .filter_map(|c| errors.take(format!("{prefix}channels"), Channel::parse(c)))
        .collect();
    Typed {
        first_name,
        email: blank_to_none(&p.email)
            .and_then(|e| EmailAddress::parse(e).ok())
            .map(|e| e.as_str().to_owned()),
        phone: blank_to_none(&p.phone)
            .and_then(|ph| PhoneNumber::parse(ph, Some(country)).ok())
            .map(|ph| ph.as_e164().to_owned()),
        channels,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::secrets::SecretToken;

    #[test]
    fn the_sample_link_is_as_long_as_a_real_one() {
        // An SMS preview counts the same characters and segments as the message really sent.
        assert_eq!(SAMPLE_LINK_TOKEN.len(), SecretToken::LEN);
        assert!(SecretToken::parse(SAMPLE_LINK_TOKEN).is_some());
        assert!(InviteCode::parse(SAMPLE_CODE).is_ok());
    }
}
