//! Practices as their own staff see them.

pub mod providers;
pub mod setup;
pub mod staff;

use portico_domain::{ConsentMethod, DisplayName, SubjectKind, TimeZone};
use portico_store::practices::{self, PracticeRow};

use crate::audit::{self, Action};
use crate::platform::actor::StaffActor;
use crate::{Core, CoreError, FieldErrors};

#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Practice {
    pub id: String,
    pub name: String,
    pub country: String,
    pub invite_expiry_days: i64,
    /// Where verification codes may be sent: `country` unless the practice chose a list.
    pub phone_countries: Vec<String>,
    /// IANA name (default `America/New_York`): the dates in the practice's messages are its own.
    pub time_zone: String,
    /// How its patients usually give consent: the invite form starts from it, and an invitation
    /// that names no consent method takes it (default `in_app`).
    pub default_consent_method: ConsentMethod,
}

/// The practice's time zone as stored; a name the database no longer knows is corrupt data.
pub(crate) fn time_zone(row: &PracticeRow) -> Result<TimeZone, CoreError> {
    TimeZone::parse(&row.time_zone)
        .map_err(|_| CoreError::Internal(format!("unknown time zone {:?}", row.time_zone)))
}

/// The practice's name when this deployment serves exactly one, for the patients' door; `None`
/// when it serves several (or none yet). Public: the name is on every invitation anyway.
pub async fn served_alone(core: &Core) -> Result<Option<String>, CoreError> {
    let mut names = practices::some_names(core.store(), 2).await?;
    Ok(if names.len() == 1 { names.pop() } else { None })
}

/// The practice's default consent method as stored; a word the service does not know is corrupt
/// data, never silently "in app".
pub(crate) fn default_consent_method(row: &PracticeRow) -> Result<ConsentMethod, CoreError> {
    ConsentMethod::parse(&row.default_consent_method).map_err(|_| {
        CoreError::Internal(format!(
            "unknown consent method {:?}",
            row.default_consent_method
        ))
    })
}

/// The actor's own practice (there is no way to name another).
pub async fn current(core: &Core, actor: &StaffActor) -> Result<Practice, CoreError> {
    let row = practices::find(core.store(), &actor.practice_id)
        .await?
        .ok_or(CoreError::NotFound)?;
    Ok(Practice {
        default_consent_method: default_consent_method(&row)?,
        id: row.id,
        name: row.name,
        phone_countries: match row.phone_countries {
            Some(list) => list.split(',').map(str::to_owned).collect(),
            None => vec![row.country.clone()],
        },
        country: row.country,
        invite_expiry_days: row.invite_expiry_days,
        time_zone: row.time_zone,
    })
}

/// The practice as its admins edit it on the settings page: the same as [`current`], for
/// signed-in admins only (other staff read the practice through the pages that need it).
pub async fn for_settings(core: &Core, actor: &StaffActor) -> Result<Practice, CoreError> {
    actor.require_staff_admin()?;
    current(core, actor).await
}

/// A change of the practice's settings; absent fields stay as they are.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct PracticeSettingsInput {
    /// The practice's name as patients read it in messages and on the portal; no two practices
    /// of a deployment share one (in any case).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<DisplayName>))]
    pub name: Option<String>,
    /// Days an invitation stays redeemable (1 to 90); applies to invitations sent from now on.
    #[serde(deserialize_with = "portico_domain::json::optional_whole_number")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 90))]
    pub invite_expiry_days: Option<i64>,
    /// ISO 3166 country code (e.g. `US`) used to read phone numbers typed without `+`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<portico_domain::Country>))]
    pub country: Option<String>,
    /// The countries whose mobile numbers may get verification texts and calls (each costs the
    /// practice money); by default only `country`. At least one.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<Vec<portico_domain::Country>>, min_items = 1)
    )]
    pub phone_countries: Option<Vec<String>>,
    /// IANA time zone name, e.g. `America/Chicago`: the dates in the practice's messages are on
    /// its clock.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<TimeZone>))]
    pub time_zone: Option<String>,
    /// `in_app`, `tablet` or `paper`: how the practice's patients usually give consent. The
    /// invite form starts from it; invitations that name none take it.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ConsentMethod>))]
    pub default_consent_method: Option<String>,
}

pub const MAX_INVITE_EXPIRY_DAYS: i64 = 90;

/// Changes the practice's settings (admins).
pub async fn update_settings(
    core: &Core,
    actor: &StaffActor,
    input: &PracticeSettingsInput,
) -> Result<Practice, CoreError> {
    actor.require_staff_admin()?;
    let mut current = current(core, actor).await?;
    let mut errors = FieldErrors::new();
    let name = match input.name.as_deref().map(DisplayName::parse) {
        Some(Ok(name)) => {
            current.name = name.as_str().to_owned();
            Some(name)
        }
        Some(Err(e)) => {
            errors.add("name", e.to_string());
            None
        }
        None => None,
    };
    if let Some(days) = input.invite_expiry_days {
        if (1..=MAX_INVITE_EXPIRY_DAYS).contains(&days) {
            current.invite_expiry_days = days;
        } else {
            errors.add(
                "invite_expiry_days",
                format!("Choose 1 to {MAX_INVITE_EXPIRY_DAYS} days."),
            );
        }
    }
    if let Some(country) = input.country.as_deref().map(str::trim) {
        if portico_domain::is_known_region(country) {
            current.country = country.to_ascii_uppercase();
        } else {
            errors.add(
                "country",
                "Use a two-letter country code such as US, CA or MX.",
            );
        }
    }
    let phone_countries = match &input.phone_countries {
        Some(list) => {
            let upper: Vec<String> = list.iter().map(|c| c.trim().to_ascii_uppercase()).collect();
            if upper.is_empty() || !upper.iter().all(|c| portico_domain::is_known_region(c)) {
                errors.add(
                    "phone_countries",
                    "List two-letter country codes such as US, CA or MX (at least one).",
                );
            }
            Some(upper.join(","))
        }
        None => None,
    };
    let time_zone = match input.time_zone.as_deref().map(TimeZone::parse) {
        Some(Ok(zone)) => {
            current.time_zone = zone.as_str().to_owned();
            Some(zone)
        }
        Some(Err(e)) => {
            errors.add("time_zone", e.to_string());
            None
        }
        None => None,
    };
    if let Some(method) = input.default_consent_method.as_deref()
        && let Some(method) = errors.take("default_consent_method", ConsentMethod::parse(method))
    {
        current.default_consent_method = method;
    }
    errors.into_result()?;
    let now = core.now();
    let mut tx = core.store().begin().await?;
    let change = practices::SettingsChange {
        name: name.as_ref().map(DisplayName::as_str),
        invite_expiry_days: input.invite_expiry_days,
        country: input.country.as_deref().map(|_| current.country.as_str()),
        phone_countries: phone_countries.as_deref(),
        time_zone: time_zone.as_ref().map(TimeZone::as_str),
        default_consent_method: input
            .default_consent_method
            .as_deref()
            .map(|_| current.default_consent_method.as_str()),
    };
    match practices::update_settings(&mut tx, &actor.practice_id, &change, now.as_millis()).await {
        // Practice names are unique in a deployment (`portico admin create` finds a practice by
        // its name). Names are on every invitation anyway, so saying one is taken tells nothing.
        Err(e) if e.is_conflict() => {
            return Err(FieldErrors::single(
                "name",
                "Another practice already uses this name. Choose another one.",
            )
            .into());
        }
        other => other?,
    }
    audit::by_staff(actor, Action::PracticeSettingsChanged, now)
        .subject(SubjectKind::Practice, &actor.practice_id)
        .detail("name_changed", name.is_some())
        .detail("invite_expiry_days", current.invite_expiry_days)
        .detail("country", current.country.clone())
        .detail("time_zone", current.time_zone.clone())
        .detail(
            "default_consent_method",
            current.default_consent_method.as_str(),
        )
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    // Read back: a concurrent change of the other setting is kept, and shown.
    self::current(core, actor).await
}
