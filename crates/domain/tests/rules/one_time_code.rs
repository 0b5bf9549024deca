use portico_domain::{ONE_TIME_CODE_LEN, OneTimeCode};

#[test]
fn a_code_is_six_digits_typed_with_or_without_spaces_and_dashes() {
    for typed in ["123456", " 123 456 ", "123-456", "0 0 0 0 0 1"] {
        let code = OneTimeCode::parse(typed).expect(typed);
        assert_eq!(code.expose_digits().len(), ONE_TIME_CODE_LEN);
    }
    assert_eq!(
        OneTimeCode::parse("123-456").unwrap().expose_digits(),
        "123456"
    );
}

#[test]
fn anything_but_six_digits_is_refused_with_a_plain_message() {
    for typed in ["", "12345", "1234567", "12345a", "１２３４５６", "12 34 5"] {
        let refused = OneTimeCode::parse(typed).expect_err(typed);
        assert_eq!(refused.to_string(), "Enter the 6-digit code we sent you.");
    }
}

#[test]
fn generated_codes_keep_their_leading_zeros_and_vary() {
    let mut rng = rand::rng();
    let codes: std::collections::HashSet<String> = (0..200)
        .map(|_| OneTimeCode::generate(&mut rng).expose_digits().to_owned())
        .collect();
    assert!(
        codes
            .iter()
            .all(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()))
    );
    assert!(
        codes.len() > 190,
        "200 draws from a million values rarely repeat"
    );
}

#[test]
fn a_code_never_shows_in_debug_output() {
    let code = OneTimeCode::parse("123456").unwrap();
    assert_eq!(format!("{code:?}"), "OneTimeCode(***)");
}
