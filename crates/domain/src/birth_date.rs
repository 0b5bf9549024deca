//! A person's date of birth, as typed on a form or stored with an invitation. It is one of the two
//! things that unlock an invitation, so it is personal data: `Debug` is redacted and there is no
//! `Display`. "Today" is always passed in; this module never reads the clock.

use std::fmt;

use time::{Date, Month};

/// The oldest age we accept, in years. Nobody has lived longer; anything earlier is a typo.
pub const MAX_AGE_YEARS: i32 = 130;

/// Why a date of birth was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BirthDateError {
    #[error("Enter your date of birth: day, month and year.")]
    Format,
    #[error("That date doesn't exist. Check the day and the month.")]
    NotACalendarDate,
    #[error("A date of birth can't be in the future. Check the year.")]
    InFuture,
    #[error("That date of birth is more than {MAX_AGE_YEARS} years ago. Check the year.")]
    TooLongAgo,
}

/// A date of birth that is a real calendar date, not in the future and at most 130 years ago.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct BirthDate(Date);

impl BirthDate {
    /// `YYYY-MM-DD` is ten characters; the rest is room for surrounding whitespace.
    pub const LIMIT: crate::TextLimit = crate::TextLimit {
        typed: 32,
        told: 10,
    };

    /// Reads `YYYY-MM-DD`, ignoring surrounding whitespace, and checks it against `today`.
    pub fn parse(input: &str, today: Date) -> Result<BirthDate, BirthDateError> {
        if BirthDate::LIMIT.exceeded_by(input) {
            return Err(BirthDateError::Format);
        }
        let (year, month, day) = split_iso(input.trim()).ok_or(BirthDateError::Format)?;
        let month = Month::try_from(month).map_err(|_| BirthDateError::NotACalendarDate)?;
        let date = Date::from_calendar_date(year, month, day)
            .map_err(|_| BirthDateError::NotACalendarDate)?;
        Self::from_date(date, today)
    }

    /// Checks a date that is already a `time::Date`, e.g. one read back from storage.
    pub fn from_date(date: Date, today: Date) -> Result<BirthDate, BirthDateError> {
        if date > today {
            return Err(BirthDateError::InFuture);
        }
        if date < earliest_accepted(today) {
            return Err(BirthDateError::TooLongAgo);
        }
        Ok(BirthDate(date))
    }

    /// The date itself.
    pub fn date(&self) -> Date {
        self.0
    }

    /// The date as `YYYY-MM-DD`, the form it is parsed from.
    pub fn expose_iso(&self) -> String {
        let d = self.0;
        format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
    }
}

impl fmt::Debug for BirthDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BirthDate(***)")
    }
}

/// Splits exactly `DDDD-DD-DD` into numbers. Done by hand rather than with a format description so
/// that nothing looser (a sign, a short year, a time part) slips through.
pub(crate) fn split_iso(s: &str) -> Option<(i32, u8, u8)> {
    let b = s.as_bytes();
    let shape_ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape_ok {
        return None;
    }
    // All ten bytes are ASCII, so slicing by byte index is safe and the numbers parse.
    Some((
        s[..4].parse().ok()?,
        s[5..7].parse().ok()?,
        s[8..].parse().ok()?,
    ))
}

/// The same day `MAX_AGE_YEARS` years before `today`; 29 February falls back to the 28th.
fn earliest_accepted(today: Date) -> Date {
    let year = today.year() - MAX_AGE_YEARS;
    today
        .replace_year(year)
        .or_else(|_| today.replace_day(28).and_then(|d| d.replace_year(year)))
        // Only reachable for a `today` near the start of `time`'s supported range; accepting
        // everything up to today is then the only meaningful answer.
        .unwrap_or(Date::MIN)
}

/// The schema states the shape `split_iso` reads and, in words, the checks against today.
#[cfg(feature = "openapi")]
mod schema {
    use utoipa::openapi::schema::{KnownFormat, SchemaFormat};

    use super::{BirthDate, MAX_AGE_YEARS};

    crate::schema::built_once!(BirthDate, || {
        crate::schema::text(&format!(
            "A date of birth as YYYY-MM-DD: a real calendar date, not in the future and at \
             most {MAX_AGE_YEARS} years ago (checked against today, so the service answers \
             422 for other dates)."
        ))
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
        .pattern(Some("^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))
        .into()
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn earliest_accepted_date_handles_leap_day() {
        assert_eq!(
            earliest_accepted(date!(2024 - 02 - 29)),
            date!(1894 - 02 - 28)
        );
        assert_eq!(
            earliest_accepted(date!(2025 - 06 - 15)),
            date!(1895 - 06 - 15)
        );
    }
}
