use std::collections::HashSet;

use portico_domain::{
    MAX_LEN, MIN_LEN_SINGLE_FACTOR, MIN_LEN_WITH_SECOND_FACTOR, Password, PasswordContext,
    PasswordRejection, strength, suggest_passphrase,
};
use rand::SeedableRng;
use rand::rngs::StdRng;

const JANE: &[&str] = &["Jane", "Okafor", "jane.okafor@example.com", "1985-04-12"];

fn single(raw: &str) -> Result<Password, PasswordRejection> {
    Password::parse(raw, &PasswordContext::single_factor(JANE))
}

use super::each_refused;

#[test]
fn minimums_follow_nist() {
    assert_eq!(MIN_LEN_SINGLE_FACTOR, 15);
    assert_eq!(MIN_LEN_WITH_SECOND_FACTOR, 8);
    assert_eq!(MAX_LEN, 128);
}

#[test]
fn fifteen_character_passphrase_is_accepted() {
    for raw in [
        "maple orbit candle drift",
        "correct horse battery staple",
        "tulip quarry 7 lantern",
    ] {
        let password = single(raw).expect(raw);
        assert_eq!(password.expose_secret(), raw);
    }
}

#[test]
fn fourteen_character_password_is_refused_with_its_length() {
    let rejection = single("kq8vz3mwp2tx7r").expect_err("14 characters");
    assert_eq!(
        rejection,
        PasswordRejection::TooShort {
            min: 15,
            actual: 14
        }
    );
    let message = rejection.to_string();
    assert!(
        message.contains("15") && message.contains("14"),
        "{message}"
    );
}

#[test]
fn eight_characters_are_enough_with_a_second_factor() {
    let ctx = PasswordContext::with_second_factor(JANE);
    assert!(Password::parse("otter vial jib", &ctx).is_ok());
    assert_eq!(
        Password::parse("otter vial jib", &PasswordContext::single_factor(JANE)).map(|_| ()),
        Err(PasswordRejection::TooShort {
            min: 15,
            actual: 14
        })
    );
    assert_eq!(
        Password::parse("kq8vz3m", &ctx).map(|_| ()),
        Err(PasswordRejection::TooShort { min: 8, actual: 7 })
    );
}

#[test]
fn password_longer_than_the_maximum_is_refused() {
    let raw = "maple orbit ".repeat(11);
    assert!(raw.chars().count() > MAX_LEN);
    assert_eq!(
        single(&raw).map(|_| ()),
        Err(PasswordRejection::TooLong { max: MAX_LEN })
    );
    assert_eq!(
        single(&"x".repeat(100_000)).map(|_| ()),
        Err(PasswordRejection::TooLong { max: MAX_LEN })
    );
}

#[test]
fn password_length_counts_code_points_after_nfkc() {
    // Fifteen "e" + combining acute pairs are thirty code points typed, fifteen after NFKC.
    let decomposed = "e\u{0301}".repeat(7) + "x";
    assert_eq!(
        single(&decomposed).map(|_| ()),
        Err(PasswordRejection::TooShort { min: 15, actual: 8 })
    );
    // The ligature "ﬁ" becomes the two letters "fi"; full-width letters become ASCII.
    let ligatures = Password::parse(
        "ﬁsh ＯＲＢＩＴ candle",
        &PasswordContext::single_factor(&[]),
    )
    .expect("valid after normalisation");
    assert_eq!(ligatures.expose_secret(), "fish ORBIT candle");
    // Emoji are one code point each, however many bytes.
    assert_eq!(
        single(&"🦊🌲".repeat(7)).map(|_| ()),
        Err(PasswordRejection::TooShort {
            min: 15,
            actual: 14
        })
    );
}

#[test]
fn common_fifteen_character_password_is_refused() {
    each_refused(
        single,
        PasswordRejection::Common,
        &[
            "manchesterunited",
            "Manchester United",
            "123456789123456",
            "friend of emily",
        ],
    );
}

#[test]
fn predictable_long_passwords_are_refused() {
    for raw in [
        "passwordpassword",
        "password password",
        "123456789012345",
        "1234567890123456",
        "iloveyou12345678",
        "qwertyuiopasdfgh",
        "abcdefghijklmnop",
        "aaaaaaaaaaaaaaaaaaaa",
        "Password12345678",
    ] {
        let rejection = single(raw).map(|_| ()).expect_err(raw);
        assert!(
            matches!(
                rejection,
                PasswordRejection::Common | PasswordRejection::Guessable { .. }
            ),
            "{raw}: {rejection:?}"
        );
    }
}

#[test]
fn one_repeated_character_is_refused_however_long() {
    let rejection = single(&"#".repeat(64)).map(|_| ()).expect_err("repeated");
    assert!(matches!(
        rejection,
        PasswordRejection::Guessable {
            suggestion: Some(_)
        }
    ));
}

#[test]
fn password_containing_own_first_name_is_refused() {
    assert_eq!(
        single("JANE river orbit candle").map(|_| ()),
        Err(PasswordRejection::ContainsPersonalInfo)
    );
}

#[test]
fn password_containing_own_email_local_part_or_birth_year_is_refused() {
    each_refused(
        single,
        PasswordRejection::ContainsPersonalInfo,
        &[
            "jane.okafor rides a bike",
            "okafor maple orbit drift",
            "maple orbit candle 1985",
        ],
    );
}

#[test]
fn email_domain_does_not_count_as_personal() {
    let ctx = PasswordContext::single_factor(&["Jane", "jane@example.com"]);
    assert!(Password::parse("example orbit candle drift", &ctx).is_ok());
}

#[test]
fn guessable_password_explains_what_to_do() {
    let rejection = single("summer summer summer")
        .map(|_| ())
        .expect_err("guessable");
    match rejection {
        PasswordRejection::Guessable { .. } => {
            assert!(
                rejection
                    .to_string()
                    .starts_with("This password would be easy to guess.")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn messages_say_why_and_what_to_do() {
    let too_short = PasswordRejection::TooShort { min: 15, actual: 9 }.to_string();
    assert!(too_short.contains("at least 15 characters"));
    assert!(too_short.contains("passphrase"));
    let guessable = PasswordRejection::Guessable { suggestion: None }.to_string();
    assert!(guessable.contains("Add another word"));
}

#[test]
fn strength_meter_agrees_with_the_rules() {
    assert_eq!(strength("", &[]), 0);
    assert_eq!(strength("passwordpassword", &[]), 0);
    assert_eq!(strength("jane river orbit candle", JANE), 0);
    assert!(strength("password1", &[]) <= 1);
    assert!(strength("maple orbit candle drift", JANE) >= 3);
}

/// The passphrase word list, read here on its own so the tests check the data, not the parser.
fn passphrase_words() -> HashSet<&'static str> {
    include_str!("../../data/passphrase-words.txt")
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
}

#[test]
fn suggested_passphrase_is_four_words_from_the_list() {
    let words = passphrase_words();
    assert_eq!(words.len(), 7_772);
    let mut rng = StdRng::seed_from_u64(2025);
    for _ in 0..200 {
        let suggestion = suggest_passphrase(&mut rng);
        let parts: Vec<&str> = suggestion.split(' ').collect();
        assert_eq!(parts.len(), 4, "{suggestion}");
        for part in parts {
            assert!(words.contains(part), "{part:?} in {suggestion}");
        }
    }
}

#[test]
fn suggested_passphrase_passes_the_single_factor_rules() {
    let mut rng = StdRng::seed_from_u64(15);
    for _ in 0..200 {
        let suggestion = suggest_passphrase(&mut rng);
        let password = Password::parse(&suggestion, &PasswordContext::single_factor(&[]))
            .unwrap_or_else(|e| panic!("{suggestion}: {e}"));
        assert_eq!(password.expose_secret(), suggestion);
        assert!(strength(&suggestion, &[]) >= 3, "{suggestion}");
    }
}

#[test]
fn suggestions_differ_from_one_another() {
    let mut rng = StdRng::seed_from_u64(7);
    let suggestions: HashSet<String> = (0..100).map(|_| suggest_passphrase(&mut rng)).collect();
    assert_eq!(suggestions.len(), 100);
}
