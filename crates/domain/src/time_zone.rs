//! A practice's time zone: an IANA name such as `America/New_York`, checked against the time zone
//! database built into the binary (no file is read, so every node and every test knows the same
//! zones). The dates in a practice's messages are the dates of its own clock.

use time::{Date, Month};

use crate::TextLimit;

/// The zone of a practice that has not chosen one: US Eastern, where most US people live, so the
/// first US practices read the right dates without a setting.
pub const DEFAULT_TIME_ZONE: &str = "America/New_York";

/// A time zone the database knows.
#[derive(Debug, Clone)]
pub struct TimeZone {
    name: String,
    zone: jiff::tz::TimeZone,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Use a time zone name such as America/New_York, America/Chicago or America/Los_Angeles.")]
pub struct TimeZoneError;

impl TimeZone {
    /// The longest IANA name is 32 characters (`America/Argentina/ComodRivadavia`).
    pub const LIMIT: TextLimit = TextLimit {
        typed: 64,
        told: 64,
    };

    /// Reads an IANA name in any case, kept in the database's spelling.
    pub fn parse(input: &str) -> Result<TimeZone, TimeZoneError> {
        let name = input.trim();
        if name.is_empty() || TimeZone::LIMIT.exceeded_by(name) {
            return Err(TimeZoneError);
        }
        let zone = jiff::tz::db().get(name).map_err(|_| TimeZoneError)?;
        Ok(TimeZone {
            name: zone.iana_name().unwrap_or(name).to_owned(),
            zone,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// The zones a practice chooses from: every `Area/Place` name of the built-in database
    /// (`America/Chicago`, `Europe/Madrid`), sorted, without the legacy aliases (`US/Eastern`,
    /// `EST5EDT`), which name the same clocks; and `UTC`. Each parses.
    pub fn choices() -> Vec<String> {
        const AREAS: [&str; 9] = [
            "Africa/",
            "America/",
            "Antarctica/",
            "Asia/",
            "Atlantic/",
            "Australia/",
            "Europe/",
            "Indian/",
            "Pacific/",
        ];
        let mut names: Vec<String> = jiff::tz::db()
            .available()
            .map(|name| name.to_string())
            .filter(|name| name == "UTC" || AREAS.iter().any(|area| name.starts_with(area)))
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// The calendar date in this zone at `unix_millis` (milliseconds since 1970 UTC).
    pub fn date_at(&self, unix_millis: i64) -> Date {
        let local = jiff::Timestamp::from_millisecond(unix_millis)
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
            .to_zoned(self.zone.clone())
            .date();
        Month::try_from(u8::try_from(local.month()).unwrap_or(1))
            .ok()
            .and_then(|month| {
                Date::from_calendar_date(i32::from(local.year()), month, local.day().unsigned_abs())
                    .ok()
            })
            .unwrap_or(Date::MIN)
    }

    /// `unix_millis` as people at the practice read it on a staff page: "Dec 3, 2026, 10:42 AM",
    /// or "Today, 10:42 AM" / "Yesterday, 4:05 PM" relative to `now_millis` on the zone's clock.
    pub fn readable(&self, unix_millis: i64, now_millis: i64) -> String {
        let at = self.zoned(unix_millis);
        let today = self.zoned(now_millis).date();
        let clock = at.strftime("%-I:%M %p");
        if at.date() == today {
            format!("Today, {clock}")
        } else if today.yesterday().is_ok_and(|y| y == at.date()) {
            format!("Yesterday, {clock}")
        } else {
            format!("{}, {clock}", at.strftime("%b %-d, %Y"))
        }
    }

    /// The calendar day of `unix_millis` on the zone's clock, written out: "Dec 17, 2026".
    pub fn readable_day(&self, unix_millis: i64) -> String {
        self.zoned(unix_millis).strftime("%b %-d, %Y").to_string()
    }

    /// The instant (Unix milliseconds) the calendar day `date` begins on the zone's clock: its
    /// midnight, or the first moment after it when a clock change skips midnight.
    pub fn start_of_day(&self, date: Date) -> i64 {
        let day = jiff::civil::Date::new(
            i16::try_from(date.year()).unwrap_or(i16::MAX),
            i8::try_from(u8::from(date.month())).unwrap_or(1),
            i8::try_from(date.day()).unwrap_or(1),
        )
        .unwrap_or(jiff::civil::Date::MIN);
        day.to_zoned(self.zone.clone())
            .and_then(|start| start.start_of_day())
            .map_or(0, |start| start.timestamp().as_millisecond())
    }

    /// `unix_millis` on the zone's clock with its offset, for files other programs read:
    /// "2026-12-09 22:00:00 -05:00".
    pub fn local_timestamp(&self, unix_millis: i64) -> String {
        self.zoned(unix_millis)
            .strftime("%Y-%m-%d %H:%M:%S %:z")
            .to_string()
    }

    /// The instant (Unix milliseconds) a date and time as a browser's `datetime-local` field sends
    /// it ("2026-12-09T14:30") names on the zone's clock; `None` when it is not one. A time a
    /// clock change skips is read as the moment after the gap.
    pub fn instant_of_local(&self, local: &str) -> Option<i64> {
        let civil: jiff::civil::DateTime = local.trim().parse().ok()?;
        civil
            .to_zoned(self.zone.clone())
            .ok()
            .map(|at| at.timestamp().as_millisecond())
    }

    /// `unix_millis` as a `datetime-local` field shows it on the zone's clock: "2026-12-09T14:30".
    pub fn local_input(&self, unix_millis: i64) -> String {
        self.zoned(unix_millis)
            .strftime("%Y-%m-%dT%H:%M")
            .to_string()
    }

    fn zoned(&self, unix_millis: i64) -> jiff::Zoned {
        jiff::Timestamp::from_millisecond(unix_millis)
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
            .to_zoned(self.zone.clone())
    }
}

#[cfg(feature = "openapi")]
mod schema {
    use super::{DEFAULT_TIME_ZONE, TimeZone};

    crate::schema::built_once!(TimeZone, || {
        crate::schema::text(&format!(
            "An IANA time zone name, e.g. {DEFAULT_TIME_ZONE} (the default), America/Chicago \
             or America/Los_Angeles: the dates in the practice's messages are its own."
        ))
        .min_length(Some(1))
        .max_length(Some(TimeZone::LIMIT.typed))
        .into()
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_is_the_date_on_the_zones_clock() {
        // 2026-12-10 03:00 UTC is still the 9th in New York, already the 10th in Madrid.
        let at = 1_796_871_600_000;
        let new_york = TimeZone::parse("America/New_York").unwrap();
        let madrid = TimeZone::parse("Europe/Madrid").unwrap();
        assert_eq!(new_york.date_at(at).to_string(), "2026-12-09");
        assert_eq!(madrid.date_at(at).to_string(), "2026-12-10");
    }

    #[test]
    fn staff_read_times_on_the_practices_clock() {
        let new_york = TimeZone::parse("America/New_York").unwrap();
        // 2026-12-10 03:00 UTC is 10 PM on the 9th in New York.
        let at = 1_796_871_600_000;
        let hour = 3_600_000;
        assert_eq!(new_york.readable(at, at + hour), "Today, 10:00 PM");
        assert_eq!(new_york.readable(at, at + 3 * hour), "Yesterday, 10:00 PM");
        assert_eq!(
            new_york.readable(at, at + 72 * hour),
            "Dec 9, 2026, 10:00 PM"
        );
        assert_eq!(new_york.readable_day(at), "Dec 9, 2026");
    }

    #[test]
    fn a_day_begins_at_midnight_on_the_zones_clock() {
        let new_york = TimeZone::parse("America/New_York").unwrap();
        let day = Date::from_calendar_date(2026, Month::December, 9).unwrap();
        // Midnight in New York in December is 05:00 UTC.
        assert_eq!(new_york.start_of_day(day), 1_796_792_400_000);
        assert_eq!(
            new_york.local_timestamp(1_796_871_600_000),
            "2026-12-09 22:00:00 -05:00"
        );
    }

    #[test]
    fn every_choice_parses_and_the_legacy_aliases_are_left_out() {
        let choices = TimeZone::choices();
        assert!(choices.len() > 300, "{}", choices.len());
        assert!(choices.iter().any(|z| z == DEFAULT_TIME_ZONE));
        assert!(!choices.iter().any(|z| z == "US/Eastern" || z == "EST5EDT"));
        for zone in &choices {
            assert_eq!(TimeZone::parse(zone).unwrap().as_str(), zone);
        }
    }

    #[test]
    fn only_names_the_database_knows_parse() {
        for name in ["", "Mars/Olympus", "EST5EDT;", "America/New York"] {
            assert!(TimeZone::parse(name).is_err(), "{name:?}");
        }
        assert_eq!(
            TimeZone::parse(" america/chicago ").unwrap().as_str(),
            "America/Chicago"
        );
    }
}
