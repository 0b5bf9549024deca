use portico_domain::{BirthDate, BirthDateError};
use time::macros::date;

use super::each_refused;

const TODAY: time::Date = date!(2025 - 06 - 15);

#[test]
fn birth_date_in_iso_format_is_accepted() {
    let birth = BirthDate::parse(" 1985-04-12\n", TODAY).expect("valid");
    assert_eq!(birth.date(), date!(1985 - 04 - 12));
    assert_eq!(birth.expose_iso(), "1985-04-12");
}

#[test]
fn birth_date_in_other_formats_is_refused() {
    each_refused(
        |typed| BirthDate::parse(typed, TODAY),
        BirthDateError::Format,
        &[
            "12/04/1985",
            "1985-4-12",
            "85-04-12",
            "19850412",
            "+1985-04-12",
            "1985-04-12T00:00",
            "",
        ],
    );
}

#[test]
fn birth_date_that_is_not_on_the_calendar_is_refused() {
    each_refused(
        |typed| BirthDate::parse(typed, TODAY),
        BirthDateError::NotACalendarDate,
        &[
            "2023-02-29",
            "1985-13-01",
            "1985-00-10",
            "1985-04-31",
            "1985-04-00",
        ],
    );
    assert!(BirthDate::parse("2024-02-29", TODAY).is_ok());
}

#[test]
fn birth_date_in_the_future_is_refused() {
    assert_eq!(
        BirthDate::parse("2025-06-16", TODAY),
        Err(BirthDateError::InFuture)
    );
}

#[test]
fn birth_date_of_today_is_accepted() {
    assert!(BirthDate::parse("2025-06-15", TODAY).is_ok());
}

#[test]
fn birth_date_more_than_130_years_ago_is_refused() {
    assert_eq!(
        BirthDate::parse("1895-06-14", TODAY),
        Err(BirthDateError::TooLongAgo)
    );
    assert!(BirthDate::parse("1895-06-15", TODAY).is_ok());
}

#[test]
fn birth_date_from_a_date_is_checked_the_same_way() {
    assert_eq!(
        BirthDate::from_date(date!(2030 - 01 - 01), TODAY),
        Err(BirthDateError::InFuture)
    );
    let stored = BirthDate::from_date(date!(1985 - 04 - 12), TODAY).expect("valid");
    assert_eq!(BirthDate::parse("1985-04-12", TODAY), Ok(stored));
}

#[test]
fn birth_date_format_message_shows_the_format() {
    assert_eq!(
        BirthDateError::Format.to_string(),
        "Enter your date of birth: day, month and year."
    );
}
