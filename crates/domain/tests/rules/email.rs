use portico_domain::{EmailAddress, EmailError};

use super::each_refused;

#[test]
fn email_keeps_the_local_part_and_lowercases_the_domain() {
    let email = EmailAddress::parse("  Jane.Doe@Example.COM ").expect("valid");
    assert_eq!(email.as_str(), "Jane.Doe@example.com");
    assert_eq!(email.lookup_key(), "jane.doe@example.com");
}

#[test]
fn email_with_plus_tag_and_subdomain_is_accepted() {
    assert!(EmailAddress::parse("jane+portal@mail.clinic.example.org").is_ok());
}

#[test]
fn email_without_a_dot_in_the_domain_is_refused() {
    assert_eq!(
        EmailAddress::parse("jane@localhost"),
        Err(EmailError::Invalid)
    );
}

#[test]
fn malformed_email_is_refused() {
    each_refused(
        EmailAddress::parse,
        EmailError::Invalid,
        &[
            "jane",
            "jane@",
            "@example.com",
            "jane@@example.com",
            "jane doe@example.com",
            "jane@example..com",
            "jane@example.com.",
            "\"jane\"@example.com",
            "Jane <jane@example.com>",
            "jane@[192.168.0.1]",
            "jane@exa\u{0007}mple.com",
        ],
    );
}

#[test]
fn empty_email_is_refused() {
    assert_eq!(EmailAddress::parse("   "), Err(EmailError::Empty));
}

#[test]
fn email_longer_than_254_characters_is_refused() {
    let local = "a".repeat(64);
    let label = "b".repeat(60);
    let long = format!("{local}@{label}.{label}.{label}.{}.com", "c".repeat(10));
    assert!(long.len() > 254);
    assert_eq!(EmailAddress::parse(&long), Err(EmailError::TooLong));
}
