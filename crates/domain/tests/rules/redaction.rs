//! Personal data and secrets must never reach a log through `{:?}`.

use portico_domain::{
    BirthDate, EmailAddress, InviteCode, Password, PasswordContext, PersonName, PhoneNumber,
    ProviderCode,
};
use time::macros::date;

fn assert_redacted(debug: String, secrets: &[&str]) {
    for secret in secrets {
        assert!(!debug.contains(secret), "{debug:?} shows {secret:?}");
    }
    assert!(debug.contains("***"), "{debug:?}");
}

#[test]
fn debug_output_hides_personal_data_and_secrets() {
    let invite = InviteCode::parse("XYZ-234-ABC").expect("valid");
    assert_redacted(format!("{invite:?}"), &["XYZ", "234", "ABC"]);

    let provider = ProviderCode::parse("ABC234").expect("valid");
    assert_redacted(format!("{provider:?}"), &["ABC", "234"]);

    let name = PersonName::parse("Gwendolyn").expect("valid");
    assert_redacted(format!("{name:?}"), &["Gwendolyn", "Gwen"]);

    let birth = BirthDate::parse("1985-04-12", date!(2025 - 06 - 15)).expect("valid");
    assert_redacted(format!("{birth:?}"), &["1985", "04", "12"]);

    let email = EmailAddress::parse("gwen@example.com").expect("valid");
    assert_redacted(format!("{email:?}"), &["gwen", "example"]);

    let phone = PhoneNumber::parse("+1 201 555 0123", None).expect("valid");
    assert_redacted(format!("{phone:?}"), &["201", "555", "0123"]);

    let password = Password::parse(
        "maple orbit candle drift",
        &PasswordContext::single_factor(&[]),
    )
    .expect("valid");
    assert_redacted(
        format!("{password:?}"),
        &["maple", "orbit", "candle", "drift"],
    );

    let inputs = ["Gwendolyn", "gwen@example.com"];
    let ctx = PasswordContext::single_factor(&inputs);
    let debug = format!("{ctx:?}");
    assert!(
        !debug.contains("Gwendolyn") && !debug.contains("gwen"),
        "{debug}"
    );

    // Inside a struct's derived Debug too, which is how they usually end up in logs.
    let form = format!("{:?}", (&name, &email, &birth));
    assert_redacted(form, &["Gwendolyn", "gwen", "1985"]);
}
