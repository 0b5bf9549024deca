//! The schemas of the three codes, built from the same alphabets, separators and lengths the
//! parsers use: a code matches its pattern exactly when its parser reads it (typed in any case,
//! full-width forms folded, spaces and dashes anywhere).

use unicode_normalization::UnicodeNormalization;
use utoipa::openapi::{RefOr, Schema};

use super::{
    CODE_DIGITS, CODE_LETTERS, InviteCode, MAX_ENTRY_LEN, ProviderCode, SIGNUP_CODE_MAX_LEN,
    SIGNUP_CODE_MIN_LEN, SignupCode, is_separator,
};

/// Characters that NFKC turns into separators only: they may stand anywhere in an entry.
fn separators() -> String {
    crate::schema::class_of(|c| {
        let folded: String = std::iter::once(c).nfkc().collect();
        !folded.is_empty() && folded.chars().all(is_separator)
    })
}

/// Characters that NFKC turns into one character of `alphabet` (compared in upper case).
fn one_of(alphabet: impl Fn(char) -> bool) -> String {
    crate::schema::class_of(|c| {
        let mut folded = std::iter::once(c).nfkc();
        matches!((folded.next(), folded.next()), (Some(x), None) if alphabet(x.to_ascii_uppercase()))
    })
}

fn in_alphabet(alphabet: &'static str) -> impl Fn(char) -> bool {
    move |c| alphabet.contains(c)
}

/// `count` characters of `class`, with separators before, between and after them.
fn run(class: &str, count: &str, separators: &str) -> String {
    format!("(?:[{class}][{separators}]*){count}")
}

fn code(description: &str, pattern: String) -> RefOr<Schema> {
    crate::schema::text(description)
        .max_length(Some(MAX_ENTRY_LEN))
        .pattern(Some(pattern))
        .into()
}

crate::schema::built_once!(InviteCode, || {
    let s = separators();
    let letters = one_of(in_alphabet(CODE_LETTERS));
    let digits = one_of(in_alphabet(CODE_DIGITS));
    code(
        "A personal invite code, e.g. ABC-234-XYZ: three letters, three digits, three \
         letters (no I, L, O, 0 or 1), in any case, with or without spaces and dashes.",
        format!(
            "^[{s}]*{}{}{}$",
            run(&letters, "{3}", &s),
            run(&digits, "{3}", &s),
            run(&letters, "{3}", &s)
        ),
    )
});

crate::schema::built_once!(ProviderCode, || {
    let s = separators();
    let both = one_of(|c| CODE_LETTERS.contains(c) || CODE_DIGITS.contains(c));
    code(
        "A provider code, e.g. K7M2QX: six letters and digits (no I, L, O, 0 or 1), in any \
         case, with or without spaces and dashes.",
        format!("^[{s}]*{}$", run(&both, "{6}", &s)),
    )
});

crate::schema::built_once!(SignupCode, || {
    let s = separators();
    let alphanumeric = one_of(|c| c.is_ascii_alphanumeric());
    code(
        &format!(
            "A program's sign-up code, e.g. Welcome123: {SIGNUP_CODE_MIN_LEN} to \
             {SIGNUP_CODE_MAX_LEN} letters A to Z and digits, in any case, with or without \
             spaces and dashes. Unique across the service regardless of case and of O/0 and \
             I/L/1."
        ),
        format!(
            "^[{s}]*{}$",
            run(
                &alphanumeric,
                &format!("{{{SIGNUP_CODE_MIN_LEN},{SIGNUP_CODE_MAX_LEN}}}"),
                &s
            )
        ),
    )
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alphabet_class_takes_case_and_full_width_forms() {
        let class = one_of(in_alphabet(CODE_DIGITS));
        // 2-9, and the full-width digits 2-9 (U+FF12-U+FF19), among others.
        assert!(class.starts_with("\\u0032-\\u0039"), "{class}");
        assert!(class.contains("\\uFF12-\\uFF19"), "{class}");
        let letters = one_of(in_alphabet(CODE_LETTERS));
        assert!(letters.contains("\\u0061"), "lower-case a: {letters}");
    }
}
