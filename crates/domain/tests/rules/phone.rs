use portico_domain::{PhoneError, PhoneNumber, is_known_region};

use super::each_refused;

#[test]
fn national_number_uses_the_default_region() {
    let phone = PhoneNumber::parse("(201) 555-0123", Some("US")).expect("valid US number");
    assert_eq!(phone.as_e164(), "+12015550123");
}

#[test]
fn international_number_ignores_the_default_region() {
    let phone = PhoneNumber::parse("+44 7400 123456", Some("US")).expect("valid UK mobile");
    assert_eq!(phone.as_e164(), "+447400123456");
    let phone = PhoneNumber::parse("+44 7400 123456", None).expect("valid UK mobile");
    assert_eq!(phone.as_e164(), "+447400123456");
}

#[test]
fn national_number_keeps_leading_zeros_of_the_country() {
    let phone = PhoneNumber::parse("06 12 34 56 78", Some("FR")).expect("valid French mobile");
    assert_eq!(phone.as_e164(), "+33612345678");
}

#[test]
fn national_number_without_a_region_is_refused() {
    assert_eq!(
        PhoneNumber::parse("2015550123", None),
        Err(PhoneError::Invalid)
    );
}

#[test]
fn phone_number_with_letters_or_extension_is_refused() {
    each_refused(
        |typed| PhoneNumber::parse(typed, Some("US")),
        PhoneError::Invalid,
        &[
            "+1 201 555 CALL",
            "+1 201 555 0123 ext 4",
            "+1 201 555 0123;ext=4",
            "12+3",
        ],
    );
}

#[test]
fn phone_number_with_too_few_digits_is_refused() {
    assert_eq!(
        PhoneNumber::parse("555-0123", Some("US")),
        Err(PhoneError::Invalid)
    );
    assert_eq!(PhoneNumber::parse("+1", None), Err(PhoneError::Invalid));
}

#[test]
fn empty_phone_number_is_refused() {
    assert_eq!(PhoneNumber::parse("  ", Some("US")), Err(PhoneError::Empty));
}

#[test]
fn odd_input_never_panics() {
    // Inputs of the kind that made older versions of the phonenumber crate panic.
    for typed in [
        "  2 22#:",
        "003-836-4618x3001",
        "+",
        "++1",
        "(((",
        "+0",
        "+999 999",
        "0",
    ] {
        assert!(PhoneNumber::parse(typed, Some("CH")).is_err(), "{typed:?}");
        assert!(PhoneNumber::parse(typed, None).is_err(), "{typed:?}");
    }
}

#[test]
fn masked_number_shows_only_the_last_four_digits() {
    let phone = PhoneNumber::parse("+1 201 555 0123", None).expect("valid");
    assert_eq!(phone.expose_masked(), "•••• •••• 0123");
}

#[test]
fn unknown_default_region_is_a_configuration_error() {
    assert_eq!(
        PhoneNumber::parse("2015550123", Some("XX")),
        Err(PhoneError::UnknownRegion)
    );
    assert!(is_known_region("US"));
    assert!(is_known_region("gb"));
    assert!(!is_known_region("XX"));
    assert!(!is_known_region("USA"));
    assert!(!is_known_region(""));
}

#[test]
fn a_number_knows_its_country_for_the_practices_allowed_list() {
    let us = PhoneNumber::parse("(415) 555-0123", Some("US")).expect("valid US number");
    assert_eq!(us.region(), Some("US"));
    let uk = PhoneNumber::parse("+44 7400 123456", Some("US")).expect("valid UK mobile");
    assert_eq!(uk.region(), Some("GB"));
    // Read back from storage (E.164, no default region) it still knows its country.
    let again = PhoneNumber::parse(uk.as_e164(), None).expect("stored form parses");
    assert_eq!(again.region(), Some("GB"));
}
