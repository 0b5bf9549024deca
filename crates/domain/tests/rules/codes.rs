use portico_domain::{CodeError, InviteCode, ProviderCode, SignupCode};
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::each_refused;

#[test]
fn invite_code_ignores_case_spaces_and_dashes() {
    for typed in [
        "XYZ-234-ABC",
        "xyz234abc",
        " xyz 234 abc ",
        "Xyz–234—aBc",
        "x-y-z-2-3-4-a-b-c",
    ] {
        let code = InviteCode::parse(typed).expect(typed);
        assert_eq!(code.expose_normalized(), "XYZ234ABC");
        assert_eq!(code.expose_display(), "XYZ-234-ABC");
    }
}

#[test]
fn invite_code_ignores_no_break_spaces() {
    let code = InviteCode::parse("XYZ\u{00A0}234\u{00A0}ABC").expect("no-break spaces");
    assert_eq!(code.expose_normalized(), "XYZ234ABC");
}

#[test]
fn invite_code_with_groups_in_the_wrong_order_is_refused() {
    assert_eq!(InviteCode::parse("234-XYZ-ABC"), Err(CodeError::Malformed));
    assert_eq!(InviteCode::parse("XYZ-ABC-234"), Err(CodeError::Malformed));
}

#[test]
fn invite_code_of_the_wrong_length_is_refused() {
    each_refused(
        InviteCode::parse,
        CodeError::Malformed,
        &["", "XYZ-234-AB", "XYZ-234-ABCD", "-- --"],
    );
}

#[test]
fn invite_code_with_confusable_characters_is_refused() {
    each_refused(
        InviteCode::parse,
        CodeError::Malformed,
        &[
            "XYZ-230-ABC",
            "XYZ-231-ABC",
            "OYZ-234-ABC",
            "XYZ-234-ABI",
            "LYZ-234-ABC",
        ],
    );
}

#[test]
fn invite_code_with_non_ascii_lookalikes_is_refused() {
    // Cyrillic А and Greek Χ look like A and X.
    assert_eq!(InviteCode::parse("ХYZ-234-АBC"), Err(CodeError::Malformed));
}

#[test]
fn very_long_entry_is_refused_without_fuss() {
    assert_eq!(
        InviteCode::parse(&"-".repeat(10_000)),
        Err(CodeError::Malformed)
    );
    assert_eq!(
        ProviderCode::parse(&" ".repeat(10_000)),
        Err(CodeError::Malformed)
    );
}

#[test]
fn generated_invite_codes_differ() {
    let mut rng = StdRng::seed_from_u64(7);
    let a = InviteCode::generate(&mut rng);
    let b = InviteCode::generate(&mut rng);
    assert_ne!(a, b);
}

#[test]
fn generation_accepts_an_unsized_rng() {
    let mut rng = StdRng::seed_from_u64(7);
    let dyn_rng: &mut dyn rand::RngCore = &mut rng;
    let code = ProviderCode::generate(dyn_rng);
    assert_eq!(code.expose_normalized().len(), 6);
}

#[test]
fn provider_code_ignores_case_spaces_and_dashes() {
    for typed in ["ABC234", "abc234", "abc-234", " a b c 2 3 4 "] {
        let code = ProviderCode::parse(typed).expect(typed);
        assert_eq!(code.expose_normalized(), "ABC234");
        assert_eq!(code.expose_display(), "ABC234");
    }
}

#[test]
fn provider_code_mixes_letters_and_digits_freely() {
    assert!(ProviderCode::parse("2A3B4C").is_ok());
    assert!(ProviderCode::parse("222222").is_ok());
    assert!(ProviderCode::parse("ZZZZZZ").is_ok());
}

#[test]
fn provider_code_of_the_wrong_length_or_alphabet_is_refused() {
    each_refused(
        ProviderCode::parse,
        CodeError::Malformed,
        &["ABC23", "ABC2345", "ABC230", "ABCI23", "AB C2!3"],
    );
}

#[test]
fn signup_code_keeps_the_practice_spelling() {
    let code = SignupCode::parse("Welcome-123").expect("valid");
    assert_eq!(code.as_chosen(), "Welcome123");
    assert_eq!(code.normalized(), "WE1C0ME123");
}

#[test]
fn signup_code_matches_confusable_typing() {
    let chosen = SignupCode::parse("Welcome123").expect("valid");
    for typed in ["WELC0ME123", "welcome l23", "wel-come-I23", "WELCOME123"] {
        let entry = SignupCode::parse_entry(typed).expect(typed);
        assert_eq!(entry.normalized(), chosen.normalized(), "{typed:?}");
        assert_eq!(entry, chosen);
    }
}

#[test]
fn signup_code_length_is_explained_to_the_chooser() {
    let expected = Err(CodeError::SignupCodeLength { min: 6, max: 32 });
    assert_eq!(SignupCode::parse("Hi-12"), expected);
    assert_eq!(SignupCode::parse(&"A".repeat(33)), expected);
    assert!(SignupCode::parse(&"A".repeat(32)).is_ok());
    assert!(SignupCode::parse("Abc123").is_ok());
}

#[test]
fn signup_code_characters_are_explained_to_the_chooser() {
    for chosen in ["Welcome!23", "Bienvenüe1", "Spring_2025"] {
        assert_eq!(
            SignupCode::parse(chosen),
            Err(CodeError::SignupCodeCharacters)
        );
    }
}

#[test]
fn signup_code_entry_errors_are_generic() {
    assert_eq!(SignupCode::parse_entry("Hi"), Err(CodeError::Malformed));
    assert_eq!(
        SignupCode::parse_entry("Welcome!23"),
        Err(CodeError::Malformed)
    );
}

#[test]
fn generic_code_message_points_to_the_office() {
    assert_eq!(
        CodeError::Malformed.to_string(),
        "That code doesn't look right. Check the code you received from your doctor's office."
    );
}
