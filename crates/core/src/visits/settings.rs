//! A provider's visit settings (docs/PRODUCT.md §7): the questions a patient answers when asking
//! that provider for a visit ("Which tooth hurts?"), and how the provider hears of a new request
//! at once — by email or by text message, through the outbox — besides the live waiting list.
//! Any staff member of the practice reads them; admins change them.

use portico_domain::{Channel, EmailAddress, PhoneNumber, SubjectKind, VisitPrompts};
use portico_store::practices::{self, providers};
use portico_store::visits::settings::{self as store, VisitSettingsRow};

use crate::audit::{self, Action};
use crate::platform::actor::StaffActor;
use crate::{Core, CoreError, FieldErrors};

/// How a provider hears of a new visit request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum NotifyBy {
    Email,
    Sms,
}

impl NotifyBy {
    fn parse(stored: &str) -> Option<NotifyBy> {
        match stored {
            "email" => Some(NotifyBy::Email),
            "sms" => Some(NotifyBy::Sms),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        self.channel().as_str()
    }

    /// The outbox channel that carries the message.
    pub fn channel(self) -> Channel {
        match self {
            NotifyBy::Email => Channel::Email,
            NotifyBy::Sms => Channel::Sms,
        }
    }
}

/// A provider's visit settings as staff see them.
#[derive(Debug, Clone, Default, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitSettings {
    /// The questions asked with every request to this provider, in order (at most five).
    pub prompts: Vec<String>,
    /// How the provider hears of a new request; none: the waiting list only.
    pub notify_by: Option<NotifyBy>,
    /// The email address or mobile number (E.164) told.
    pub notify_to: Option<String>,
}

impl VisitSettings {
    fn from_row(row: Option<VisitSettingsRow>) -> Result<VisitSettings, CoreError> {
        let Some(row) = row else {
            return Ok(VisitSettings::default());
        };
        let prompts: Vec<String> = serde_json::from_str(&row.prompts)
            .map_err(|e| CoreError::Internal(format!("stored visit prompts: {e}")))?;
        let notify_by = match row.notify_channel.as_deref() {
            None => None,
            Some(word) => Some(NotifyBy::parse(word).ok_or_else(|| {
                CoreError::Internal(format!("unknown notification channel {word:?}"))
            })?),
        };
        Ok(VisitSettings {
            prompts,
            notify_by,
            notify_to: row.notify_to,
        })
    }
}

/// What an admin saves.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct VisitSettingsInput {
    /// The questions, in order: at most five, each at most 200 characters; blank ones are left
    /// out. Refusals name the field `prompts`.
    pub prompts: Vec<String>,
    /// `none`, `email` or `sms`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^(none|email|sms)$"))]
    #[cfg_attr(feature = "openapi", schema(required = true, default))]
    pub notify_by: String,
    /// The address or mobile number told (required unless `notify_by` is `none`). A number
    /// without `+` is read in the practice's country.
    pub notify_to: Option<String>,
}

/// The settings of a provider of the actor's practice (empty until saved); another practice's
/// provider is not found.
pub async fn of_provider(
    core: &Core,
    actor: &StaffActor,
    provider_id: &str,
) -> Result<VisitSettings, CoreError> {
    providers::find_in_practice(core.store(), &actor.practice_id, provider_id)
        .await?
        .ok_or(CoreError::NotFound)?;
    VisitSettings::from_row(store::find(core.store(), &actor.practice_id, provider_id).await?)
}

/// Saves a provider's settings (admins only).
pub async fn save(
    core: &Core,
    actor: &StaffActor,
    provider_id: &str,
    input: &VisitSettingsInput,
) -> Result<VisitSettings, CoreError> {
    actor.require_admin()?;
    providers::find_in_practice(core.store(), &actor.practice_id, provider_id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let practice = practices::find(core.store(), &actor.practice_id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let mut errors = FieldErrors::new();
    let prompts = errors.take(
        "prompts",
        VisitPrompts::parse(input.prompts.iter().map(String::as_str)),
    );
    let to = input
        .notify_to
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let notify = match (input.notify_by.trim(), to) {
        // Left out is not "none": the page always sends its choice.
        ("none", _) => None,
        ("email", Some(to)) => errors
            .take("notify_to", EmailAddress::parse(to))
            .map(|e| (NotifyBy::Email, e.as_str().to_owned())),
        ("sms", Some(to)) => errors
            .take("notify_to", PhoneNumber::parse(to, Some(&practice.country)))
            .map(|p| (NotifyBy::Sms, p.as_e164().to_owned())),
        ("email" | "sms", None) => {
            errors.add(
                "notify_to",
                "Enter the email address or mobile number to tell.",
            );
            None
        }
        _ => {
            errors.add("notify_by", "Choose email, text message or none.");
            None
        }
    };
    errors.into_result()?;
    let prompts =
        prompts.ok_or_else(|| CoreError::Internal("field errors were not recorded".into()))?;
    let now = core.now();
    let row = VisitSettingsRow {
        provider_id: provider_id.to_owned(),
        practice_id: actor.practice_id.clone(),
        prompts: serde_json::to_string(prompts.as_slice())
            .map_err(|e| CoreError::Internal(format!("visit prompts: {e}")))?,
        notify_channel: notify.as_ref().map(|(by, _)| by.as_str().to_owned()),
        notify_to: notify.map(|(_, to)| to),
        updated_at: now.as_millis(),
    };
    let mut tx = core.store().begin().await?;
    store::save(&mut tx, &row).await?;
    audit::by_staff(actor, Action::ProviderVisitSettingsSaved, now)
        .subject(SubjectKind::Provider, provider_id)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    VisitSettings::from_row(Some(row))
}

/// The settings a request to `provider_id` is made under (none for a card of the practice as a
/// whole).
pub(crate) async fn for_request(
    core: &Core,
    practice_id: &str,
    provider_id: Option<&str>,
) -> Result<VisitSettings, CoreError> {
    match provider_id {
        None => Ok(VisitSettings::default()),
        Some(id) => VisitSettings::from_row(store::find(core.store(), practice_id, id).await?),
    }
}
