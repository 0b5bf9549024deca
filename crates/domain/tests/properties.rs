//! Properties that must hold for every input, not just the examples in `rules`.

use portico_domain::{
    BirthDate, CODE_DIGITS, CODE_LETTERS, InviteCode, Password, PasswordContext, PersonName,
    ProviderCode, SignupCode, suggest_passphrase,
};
use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use time::macros::date;

const TODAY: time::Date = date!(2025 - 06 - 15);

/// Spaces and dashes of the kinds people type or paste between groups.
fn separators() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![' ', '-', '\u{00A0}', '\u{2013}', '\u{2014}']),
        0..3,
    )
    .prop_map(|v| v.into_iter().collect())
}

/// `code` in lower case with random separators between its characters.
fn messy(code: &str, seps: &[String]) -> String {
    code.chars()
        .zip(seps.iter().cycle())
        .map(|(c, sep)| format!("{}{sep}", c.to_ascii_lowercase()))
        .collect()
}

proptest! {
    #[test]
    fn generated_invite_codes_parse_back_to_themselves(
        seed: u64,
        seps in prop::collection::vec(separators(), 9),
    ) {
        let code = InviteCode::generate(&mut StdRng::seed_from_u64(seed));
        prop_assert_eq!(&InviteCode::parse(&code.expose_display()).unwrap(), &code);
        prop_assert_eq!(&InviteCode::parse(code.expose_normalized()).unwrap(), &code);
        let typed = format!(" {} ", messy(code.expose_normalized(), &seps));
        prop_assert_eq!(&InviteCode::parse(&typed).unwrap(), &code);
    }

    #[test]
    fn generated_provider_codes_parse_back_to_themselves(
        seed: u64,
        seps in prop::collection::vec(separators(), 6),
    ) {
        let code = ProviderCode::generate(&mut StdRng::seed_from_u64(seed));
        prop_assert_eq!(&ProviderCode::parse(&code.expose_display()).unwrap(), &code);
        let typed = messy(code.expose_normalized(), &seps);
        prop_assert_eq!(&ProviderCode::parse(&typed).unwrap(), &code);
    }

    #[test]
    fn generated_codes_avoid_confusable_characters(seed: u64) {
        let mut rng = StdRng::seed_from_u64(seed);
        let invite = InviteCode::generate(&mut rng);
        let provider = ProviderCode::generate(&mut rng);
        for text in [invite.expose_normalized(), provider.expose_normalized()] {
            prop_assert!(!text.contains(['0', 'O', '1', 'I', 'L']), "{}", text);
            prop_assert!(text.chars().all(|c| CODE_LETTERS.contains(c) || CODE_DIGITS.contains(c)));
        }
    }

    #[test]
    fn a_character_outside_the_alphabet_never_parses(
        seed: u64,
        position in 0usize..9,
        intruder in any::<char>().prop_filter("outside the alphabet, not a separator", |c| {
            let upper = c.to_ascii_uppercase();
            !CODE_LETTERS.contains(upper) && !CODE_DIGITS.contains(upper)
                && !c.is_whitespace() && *c != '-'
                && !('\u{2010}'..='\u{2015}').contains(c)
                && !['\u{00AD}', '\u{2212}', '\u{FE58}', '\u{FE63}', '\u{FF0D}', '\u{200B}',
                     '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}'].contains(c)
                // Compatibility forms (full-width letters) fold to the alphabet by design.
                && unicode_normalization::UnicodeNormalization::nfkc(c.to_string().as_str())
                    .all(|n| !CODE_LETTERS.contains(n.to_ascii_uppercase())
                        && !CODE_DIGITS.contains(n))
        }),
    ) {
        let mut rng = StdRng::seed_from_u64(seed);
        let invite = InviteCode::generate(&mut rng).expose_normalized().to_owned();
        let mut chars: Vec<char> = invite.chars().collect();
        chars[position] = intruder;
        let typed: String = chars.iter().collect();
        prop_assert!(InviteCode::parse(&typed).is_err(), "{:?}", typed);
        let provider: String = chars[..6].iter().collect();
        if position < 6 {
            prop_assert!(ProviderCode::parse(&provider).is_err(), "{:?}", provider);
        }
    }

    #[test]
    fn signup_code_normalisation_is_idempotent(chosen in "[A-Za-z0-9]{6,32}") {
        let code = SignupCode::parse(&chosen).unwrap();
        let again = SignupCode::parse(&code.normalized()).unwrap();
        prop_assert_eq!(again.normalized(), code.normalized());
        prop_assert_eq!(code.as_chosen(), chosen.as_str());
        prop_assert!(!code.normalized().contains(['O', 'I', 'L']));
    }

    #[test]
    fn birth_dates_round_trip_through_iso(days_ago in 0i64..(130 * 365)) {
        let date = TODAY - time::Duration::days(days_ago);
        let birth = BirthDate::from_date(date, TODAY).unwrap();
        prop_assert_eq!(BirthDate::parse(&birth.expose_iso(), TODAY).unwrap(), birth);
        prop_assert_eq!(birth.date(), date);
    }

    #[test]
    fn parsed_names_never_contain_control_characters(input in any::<String>()) {
        if let Ok(name) = PersonName::parse(&input) {
            prop_assert!(!name.as_str().chars().any(char::is_control), "{:?}", name.as_str());
            prop_assert_eq!(name.as_str().trim(), name.as_str());
            prop_assert!(!name.as_str().contains("  "));
        }
    }

    #[test]
    fn suggested_passphrases_always_pass_the_password_rules(seed: u64) {
        let suggestion = suggest_passphrase(&mut StdRng::seed_from_u64(seed));
        prop_assert_eq!(suggestion.split(' ').count(), 4, "{}", suggestion);
        let parsed = Password::parse(&suggestion, &PasswordContext::single_factor(&[]));
        prop_assert!(parsed.is_ok(), "{}: {:?}", suggestion, parsed);
    }

    #[test]
    fn arbitrary_phone_input_never_panics(input in "[0-9+() .#:x/-]{0,24}") {
        let _ = portico_domain::PhoneNumber::parse(&input, Some("US"));
        let _ = portico_domain::PhoneNumber::parse(&input, None);
    }
}
