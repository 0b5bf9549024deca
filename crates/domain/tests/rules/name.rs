use portico_domain::{DisplayName, NameError, PersonName};

use super::each_refused;

#[test]
fn name_is_trimmed_and_inner_whitespace_collapsed() {
    let name = PersonName::parse("  Mary \t Ann\u{00A0}\u{00A0}O'Neil-Smith \n").expect("valid");
    assert_eq!(name.as_str(), "Mary Ann O'Neil-Smith");
}

#[test]
fn name_is_nfc_normalised() {
    let decomposed = PersonName::parse("Zoe\u{0301}").expect("valid");
    let composed = PersonName::parse("Zo\u{00E9}").expect("valid");
    assert_eq!(decomposed, composed);
    assert_eq!(decomposed.as_str(), "Zo\u{00E9}");
}

#[test]
fn names_in_any_script_are_accepted() {
    for typed in [
        "José",
        "Nguyễn",
        "李小龍",
        "Љубица",
        "محمد",
        "Søren",
        "Mary-Kate",
        "J. R.",
    ] {
        assert!(PersonName::parse(typed).is_ok(), "{typed:?}");
    }
}

#[test]
fn empty_name_is_refused() {
    assert_eq!(PersonName::parse(" \t "), Err(NameError::Empty));
}

#[test]
fn name_longer_than_100_characters_is_refused() {
    assert!(PersonName::parse(&"é".repeat(100)).is_ok());
    assert_eq!(
        PersonName::parse(&"é".repeat(101)),
        Err(NameError::TooLong { max: 100 })
    );
}

#[test]
fn name_with_markup_or_delimiters_is_refused() {
    each_refused(
        PersonName::parse,
        NameError::ForbiddenCharacters,
        &[
            "<script>",
            "Ann}",
            "Bob\"",
            "a/b",
            "a\\b",
            "Ann; DROP",
            "{x",
        ],
    );
}

#[test]
fn name_with_control_or_bidi_characters_is_refused() {
    each_refused(
        PersonName::parse,
        NameError::ForbiddenCharacters,
        &[
            "Ann\u{0000}",
            "Ann\u{001B}[31m",
            "Ann\u{0007}",
            "Ann\u{202E}nnA",
            "A\u{2066}nn",
        ],
    );
}

#[test]
fn control_characters_that_are_whitespace_become_spaces() {
    // Tabs, newlines and NEL are whitespace: pasted names are forgiven, not refused.
    let name = PersonName::parse("Ann\u{0085}Lee\r\nSmith").expect("valid");
    assert_eq!(name.as_str(), "Ann Lee Smith");
}

#[test]
fn name_without_a_letter_is_refused() {
    assert_eq!(PersonName::parse("123 -'"), Err(NameError::NoLetter));
}

#[test]
fn display_name_allows_120_characters() {
    assert!(DisplayName::parse(&"a".repeat(120)).is_ok());
    assert_eq!(
        DisplayName::parse(&"a".repeat(121)),
        Err(NameError::TooLong { max: 120 })
    );
    let practice = DisplayName::parse(" Riverside   Family Practice ").expect("valid");
    assert_eq!(practice.as_str(), "Riverside Family Practice");
    assert!(format!("{practice:?}").contains("Riverside"));
}
