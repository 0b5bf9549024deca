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
}
