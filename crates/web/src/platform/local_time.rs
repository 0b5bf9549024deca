//! Times on staff pages, read on the practice's clock: core hands out RFC 3339 instants (UTC);
//! a page shows them as "Today, 10:42 AM" or "Dec 3, 2026, 10:42 AM" in the practice's time zone.

use portico_core::practices::Practice;
use portico_domain::TimeZone;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The practice's clock, as a page's template uses it (`when.at(item.created_at)`).
#[derive(Debug, Clone)]
pub struct LocalTime {
    zone: TimeZone,
    now_millis: i64,
}

impl LocalTime {
    /// The clock of `practice` at `now_millis`; a zone the database no longer knows reads as the
    /// default rather than failing the page (the stored name is checked when it is saved).
    pub fn of(practice: &Practice, now_millis: i64) -> LocalTime {
        let zone = TimeZone::parse(&practice.time_zone)
            .or_else(|_| TimeZone::parse(portico_domain::DEFAULT_TIME_ZONE))
            .expect("the default time zone is in the built-in database");
        LocalTime { zone, now_millis }
    }

    /// The clock of the signed-in staff member's practice, now.
    pub async fn of_staff(
        state: &crate::AppState,
        actor: &portico_core::StaffActor,
    ) -> Result<LocalTime, portico_core::CoreError> {
        let practice = portico_core::practices::current(&state.core, actor).await?;
        Ok(LocalTime::of(&practice, state.core.now().as_millis()))
    }

    /// An instant with its time of day ("Today, 10:42 AM"); text that is not RFC 3339 is shown as
    /// it is.
    pub fn at(&self, rfc3339: &str) -> String {
        match millis(rfc3339) {
            Some(at) => self.zone.readable(at, self.now_millis),
            None => rfc3339.to_owned(),
        }
    }

    /// The day of an instant ("Dec 17, 2026"), for expiry dates.
    pub fn day(&self, rfc3339: &str) -> String {
        match millis(rfc3339) {
            Some(at) => self.zone.readable_day(at),
            None => rfc3339.to_owned(),
        }
    }

    /// Today on the practice's calendar, as a date field takes it (`2026-12-04`).
    pub fn today(&self) -> String {
        let d = self.zone.date_at(self.now_millis);
        format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
    }

    /// Whether the instant is already past (an expiry, say).
    pub fn is_past(&self, rfc3339: &str) -> bool {
        millis(rfc3339).is_some_and(|at| at <= self.now_millis)
    }
}

fn millis(rfc3339: &str) -> Option<i64> {
    let at = OffsetDateTime::parse(rfc3339, &Rfc3339).ok()?;
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn practice(zone: &str) -> Practice {
        Practice {
            id: "p".into(),
            name: "Lakeside".into(),
            country: "US".into(),
            invite_expiry_days: 14,
            phone_countries: vec!["US".into()],
            time_zone: zone.into(),
            default_consent_method: portico_domain::ConsentMethod::InApp,
        }
    }

    #[test]
    fn instants_read_on_the_practices_clock() {
        let now = 1_796_871_600_000 + 3_600_000; // 2026-12-10 04:00 UTC
        let chicago = LocalTime::of(&practice("America/Chicago"), now);
        assert_eq!(chicago.at("2026-12-10T03:00:00Z"), "Today, 9:00 PM");
        assert_eq!(chicago.day("2026-12-24T03:00:00Z"), "Dec 23, 2026");
        assert_eq!(chicago.at("not a time"), "not a time");
        assert!(chicago.is_past("2026-12-10T03:00:00Z"));
    }
}
