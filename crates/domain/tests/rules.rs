//! The rules each domain type enforces, pinned one behaviour per test.

mod rules {
    mod birth_date;
    mod codes;
    mod email;
    mod name;
    mod one_time_code;
    mod password;
    mod phone;
    mod redaction;
    mod roles;

    use std::fmt::Debug;

    /// Each entry of `typed` is refused by `parse` with `expected`; a failure names the entry.
    pub(crate) fn each_refused<T: Debug, E: Debug + PartialEq>(
        parse: impl Fn(&str) -> Result<T, E>,
        expected: E,
        typed: &[&str],
    ) {
        for &typed in typed {
            assert_eq!(parse(typed).err().as_ref(), Some(&expected), "{typed:?}");
        }
    }
}
