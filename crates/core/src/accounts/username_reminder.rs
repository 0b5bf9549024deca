//! "Forgot your username?" (docs/PRODUCT.md §5): a patient without email types their mobile phone
//! number and every username account with that (verified) number gets its username by SMS. The
//! answer is the same whether or not an account matched, and both cases do the same reads, so
//! neither the answer nor its timing tells who has an account; a username is not a secret like a
//! password, but the text says nothing else.

use portico_domain::{Channel, PhoneNumber, SubjectKind};
use portico_store::{accounts::patients, links};

use crate::accounts::recovery;
use crate::audit::{self, Action};
use crate::delivery::messages;
use crate::delivery::outbox::{self, About, MessageKind};
use crate::platform::actor::ClientInfo;
use crate::platform::throttle::{self, Rule};
use crate::{Core, CoreError, FieldErrors};

/// Numbers are read as US numbers unless they start with `+` and a country code: before sign-in
/// there is no practice whose country could say otherwise, and Portico serves US practices first.
const DEFAULT_REGION: &str = "US";

/// What the patient reads after asking, whatever the number (on the page and in the API).
pub const ANSWER: &str = "If an account without email has this mobile number, we have sent its \
                          username to it by text message.";

/// Reminders one number may receive per day (the recovery codes' budget); more are answered
/// alike but send nothing, so a script cannot pump texts to one phone.
fn per_number(core: &Core) -> Rule {
    Rule {
        scope: "username-reminder-number",
        limit: core.settings().recovery_per_account,
    }
}

/// The mobile phone number the account was registered with.
#[derive(Debug, Clone, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsernameReminder {
    /// A US number, or any number with `+` and its country code.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = PhoneNumber, required = true))]
    pub phone: String,
}

/// Texts the username of every username account that has the number as its verified phone.
pub async fn send(
    core: &Core,
    input: &UsernameReminder,
    client: &ClientInfo,
) -> Result<(), CoreError> {
    let phone = PhoneNumber::parse(&input.phone, Some(DEFAULT_REGION))
        .map_err(|e| CoreError::Invalid(FieldErrors::single("phone", e.to_string())))?;
    // Every request counts against the address's recovery budget: each one can send a text.
    throttle::attempt(core, recovery::per_address(core), &client.address_key()).await?;
    let within_budget = match throttle::attempt(core, per_number(core), phone.as_e164()).await {
        Ok(()) => true,
        Err(CoreError::Throttled { .. }) => false,
        Err(other) => return Err(other),
    };

    let now = core.now();
    let accounts = patients::with_username_and_phone(core.store(), phone.as_e164()).await?;
    // The practice that sends the text: the first account's first link (a decoy id reads alike
    // when no account matched).
    let decoy = crate::new_id();
    let subject = accounts
        .first()
        .map_or(decoy.as_str(), |row| row.id.as_str());
    let practice = links::cards_for_patient(core.store(), subject, now.as_millis())
        .await?
        .into_iter()
        .next();
    let usernames: Vec<&str> = accounts
        .iter()
        .filter_map(|row| row.username.as_deref())
        .collect();

    let mut tx = core.store().begin().await?;
    let mut event = audit::by_anonymous(Action::PatientUsernameReminded, now, client);
    match (accounts.first(), practice) {
        (Some(row), Some(card)) if within_budget => {
            let message =
                messages::username_reminder(phone.as_e164(), &card.practice_name, &usernames);
            outbox::enqueue(
                &mut tx,
                core.keys(),
                About {
                    practice_id: &card.practice_id,
                    subject: SubjectKind::Patient,
                    id: &row.id,
                },
                MessageKind::UsernameReminder,
                Channel::Sms,
                &message,
                now,
            )
            .await?;
            event = event.patient(&row.id);
        }
        _ => event = event.outcome(audit::FAILURE),
    }
    event.append(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}
