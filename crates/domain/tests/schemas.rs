//! The schemas the API document states agree with the parsers they describe, on generated input:
//! codes match their schemas exactly, a name the schema accepts is a name (and a refused one is
//! refused by the schema), and an email address the parser takes fits the schema. Only with the `openapi` feature (which `cargo test --workspace` turns on through the
//! web crate).
#![cfg(feature = "openapi")]

use portico_domain::{
    DisplayName, EmailAddress, InviteCode, OneTimeCode, PersonName, ProviderCode, SignupCode,
};
use std::sync::LazyLock;

use proptest::prelude::*;
use regex::Regex;
use unicode_normalization::UnicodeNormalization;
use utoipa::PartialSchema;

/// A string schema's length bounds and pattern, as a JSON Schema validator reads them.
struct Rule {
    min: usize,
    max: usize,
    pattern: Regex,
}

impl Rule {
    fn of<T: PartialSchema>() -> Rule {
        let schema = serde_json::to_value(T::schema()).unwrap();
        let bound = |key: &str| schema[key].as_u64().map(|n| n as usize);
        Rule {
            min: bound("minLength").unwrap_or(0),
            max: bound("maxLength").expect("every text schema has a maximum"),
            pattern: Regex::new(schema["pattern"].as_str().expect("a pattern")).unwrap(),
        }
    }

    fn accepts(&self, s: &str) -> bool {
        (self.min..=self.max).contains(&s.chars().count()) && self.pattern.is_match(s)
    }
}

// Building a schema scans the Basic Multilingual Plane: once per type.
static PERSON_NAME: LazyLock<Rule> = LazyLock::new(Rule::of::<PersonName>);
static DISPLAY_NAME: LazyLock<Rule> = LazyLock::new(Rule::of::<DisplayName>);
static EMAIL: LazyLock<Rule> = LazyLock::new(Rule::of::<EmailAddress>);
static INVITE_CODE: LazyLock<Rule> = LazyLock::new(Rule::of::<InviteCode>);
static PROVIDER_CODE: LazyLock<Rule> = LazyLock::new(Rule::of::<ProviderCode>);
static SIGNUP_CODE: LazyLock<Rule> = LazyLock::new(Rule::of::<SignupCode>);
static ONE_TIME_CODE: LazyLock<Rule> = LazyLock::new(Rule::of::<OneTimeCode>);

/// Text from the characters the rules are about: letters (also full-width and accented), digits,
/// separators of several kinds, the characters names refuse, and anything else of the plane.
fn typed(max: usize) -> impl Strategy<Value = String> {
    let pick = prop_oneof![
        4 => prop::sample::select(
            "ABCDEFGHJKMNPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzIiLlOo".chars().collect::<Vec<_>>()
        ),
        3 => prop::sample::select("0123456789".chars().collect::<Vec<_>>()),
        2 => prop::sample::select(vec![
            ' ', '-', '\t', '\u{00A0}', '\u{2013}', '\u{200B}', '\u{FEFF}', '\u{00AD}',
        ]),
        1 => prop::sample::select(vec![
            'é', 'Ö', 'ß', 'ñ', 'Ａ', 'ｚ', '２', '９', '①', '<', '>', '"', '/', '\\', ';', '{',
            '@', '.', '+', '(', ')', '\u{0000}', '\u{0007}', '\u{202E}', '\u{037E}', '\u{0301}',
        ]),
        // The schemas scan the Basic Multilingual Plane and leave out characters that NFKC
        // expands into several (㎑ becomes kHz): see `class_of`.
        1 => prop::char::range('\u{0}', '\u{FFFF}')
            .prop_filter("one character after NFKC", |&c| std::iter::once(c).nfkc().count() <= 1),
    ];
    prop::collection::vec(pick, 0..max).prop_map(|chars| chars.into_iter().collect())
}

/// An invite code's shape with random case and separators, so generated input reaches both sides.
fn near_invite_code() -> impl Strategy<Value = String> {
    (
        typed(4),
        "[a-zA-Z]{3}",
        typed(2),
        "[2-9]{3}",
        "[a-zA-Z ]{3,4}",
    )
        .prop_map(|(a, letters, b, digits, rest)| format!("{a}{letters}{b}{digits}{rest}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn a_name_the_schema_accepts_is_a_name(s in typed(120)) {
        if PERSON_NAME.accepts(&s) {
            prop_assert!(PersonName::parse(&s).is_ok(), "{s:?}");
        }
        if DISPLAY_NAME.accepts(&s) {
            prop_assert!(DisplayName::parse(&s).is_ok(), "{s:?}");
        }
    }

    #[test]
    fn a_name_the_parser_refuses_is_refused_by_the_schema(s in typed(60)) {
        // Below the limit, whitespace folding cannot matter; the schema's `\p{L}` is narrower than
        // Rust's `is_alphabetic` only for marks and letter-numbers, which `typed` does not draw
        // alone.
        if PersonName::parse(&s).is_err() {
            prop_assert!(!PERSON_NAME.accepts(&s), "{s:?}");
        }
    }

    #[test]
    fn an_email_address_the_parser_accepts_fits_the_schema(
        local in "[a-zA-Z0-9._%+-]{1,20}",
        domain in "[a-z0-9-]{1,20}(\\.[a-z]{2,6}){1,2}",
        noise in typed(6),
    ) {
        // The pattern and length say what `parse` refuses outright (whitespace, quotes, control
        // characters, a domain without a dot); `format: email` says the rest.
        for s in [format!("{local}@{domain}"), format!("{local}{noise}@{domain}")] {
            if EmailAddress::parse(&s).is_ok() && s.trim() == s {
                prop_assert!(EMAIL.accepts(&s), "{s:?}");
            }
        }
    }

    #[test]
    fn codes_match_their_schemas_exactly(s in typed(40), near in near_invite_code()) {
        for s in [s, near] {
            prop_assert_eq!(
                INVITE_CODE.accepts(&s),
                InviteCode::parse(&s).is_ok(),
                "invite code {:?}", s
            );
            prop_assert_eq!(
                PROVIDER_CODE.accepts(&s),
                ProviderCode::parse(&s).is_ok(),
                "provider code {:?}", s
            );
            prop_assert_eq!(
                SIGNUP_CODE.accepts(&s),
                SignupCode::parse(&s).is_ok(),
                "sign-up code {:?}", s
            );
            prop_assert_eq!(
                ONE_TIME_CODE.accepts(&s),
                OneTimeCode::parse(&s).is_ok(),
                "one-time code {:?}", s
            );
        }
    }
}
