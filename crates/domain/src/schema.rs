//! JSON Schemas of the domain's types, for the OpenAPI document the web crate serves (feature
//! `openapi`). Each type writes its schema next to its parsing rule, from the same constants and
//! character tables, so the document states what `parse` accepts; this module holds only the
//! builder they share and the way a character rule becomes a regular-expression class.
//!
//! Patterns use only what ECMA-262, Rust's `regex` and Python's `re` all read the same way:
//! `\uXXXX` escapes, character classes and `\p{L}`. Where JSON Schema cannot state a rule (a date
//! relative to today, a phone number's numbering plan, a password's strength), the description
//! says it in words and the service answers 422 naming the field.

use std::borrow::Cow;
use std::marker::PhantomData;
use std::sync::LazyLock;

use utoipa::ToSchema;
use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Type};
use utoipa::openapi::{Ref, RefOr, Schema};

/// Declares a type's schema (`PartialSchema` and `ToSchema`), built by `$build` once per process
/// and handed out as copies: patterns are found by scanning the Basic Multilingual Plane, and the
/// router asks for a schema once for every route that names it.
macro_rules! built_once {
    ($ty:ty, $build:expr) => {
        impl utoipa::PartialSchema for $ty {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
                static SCHEMA: std::sync::OnceLock<
                    utoipa::openapi::RefOr<utoipa::openapi::Schema>,
                > = std::sync::OnceLock::new();
                SCHEMA.get_or_init($build).clone()
            }
        }

        impl utoipa::ToSchema for $ty {}
    };
}
pub(crate) use built_once;

/// Unicode's White_Space, which Rust's `trim` and `split_whitespace` use, as a class.
static WHITESPACE: LazyLock<String> = LazyLock::new(|| class_of(char::is_whitespace));

/// A string schema with a description; callers add lengths, a pattern or a format.
pub fn text(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
}

/// Text with at least one character that is not whitespace (what "not blank" means in every rule:
/// Rust's `trim`, which is Unicode's White_Space).
pub fn filled(description: &str) -> ObjectBuilder {
    text(description)
        .min_length(Some(1))
        .pattern(Some(format!("[^{}]", *WHITESPACE)))
}

/// A string that is one of `values`.
pub fn one_of<'a>(description: &str, values: impl IntoIterator<Item = &'a str>) -> RefOr<Schema> {
    text(description)
        .enum_values(Some(values.into_iter().collect::<Vec<_>>()))
        .into()
}

/// A `T`, or text that is empty or only whitespace, which the service reads as "none": optional
/// form fields (an email address, a phone number, a language) are sent blank as often as left out.
pub struct OrBlank<T>(PhantomData<T>);

// A generic type named in `#[schema(value_type = ...)]` is built through utoipa's composition
// trait (which also gives it `PartialSchema`); `OrBlank` takes nothing from its caller's generics.
impl<T: ToSchema> utoipa::__dev::ComposeSchema for OrBlank<T> {
    fn compose(_: Vec<RefOr<Schema>>) -> RefOr<Schema> {
        let blank = text("Blank: empty or only whitespace, read as none.")
            .pattern(Some(format!("^[{}]*$", *WHITESPACE)));
        AnyOfBuilder::new()
            .item(Ref::from_schema_name(T::name()))
            .item(blank)
            .into()
    }
}

impl<T: ToSchema> ToSchema for OrBlank<T> {
    // utoipa names a generic schema after its arguments too: `OrBlank_EmailAddress`.
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("OrBlank")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((T::name().into_owned(), T::schema()));
        T::schemas(schemas);
    }
}

/// The characters of the Basic Multilingual Plane for which `member` holds, as the inside of a
/// regular-expression class (`\u0000-\u0008\u000E-…`). Whitespace, control characters and the
/// characters names refuse all lie in that plane, so those classes are exact. Classes of what NFKC
/// folds into a code's alphabet leave out the supplementary-plane forms (mathematical
/// alphanumerics such as 𝐀) and the characters NFKC expands into several (㎑ becomes kHz): the
/// schema is stricter than the parser there, and nobody types them into a code.
pub(crate) fn class_of(member: impl Fn(char) -> bool) -> String {
    let mut class = String::new();
    let mut run: Option<(u32, u32)> = None;
    let close = |class: &mut String, (low, high): (u32, u32)| {
        class.push_str(&format!("\\u{low:04X}"));
        if high > low {
            class.push_str(&format!("-\\u{high:04X}"));
        }
    };
    for code in 0..=0xFFFF_u32 {
        let hit = char::from_u32(code).is_some_and(&member);
        run = match (run, hit) {
            (Some((low, high)), true) if high + 1 == code => Some((low, code)),
            (Some(done), true) => {
                close(&mut class, done);
                Some((code, code))
            }
            (None, true) => Some((code, code)),
            (Some(done), false) => {
                close(&mut class, done);
                None
            }
            (None, false) => None,
        };
    }
    if let Some(done) = run {
        close(&mut class, done);
    }
    class
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_class_lists_runs_as_ranges() {
        let class = class_of(|c| matches!(c, 'a'..='c' | 'x' | '\u{FEFF}'));
        assert_eq!(class, "\\u0061-\\u0063\\u0078\\uFEFF");
    }
}
