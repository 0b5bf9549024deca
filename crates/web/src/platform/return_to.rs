//! Where a patient returns after signing in: the portal page they asked for when the sign-in
//! page interrupted them (a message's link in an email, say). Only a plain path inside the
//! portal is taken — letters, digits, `/`, `-` and `_` after `/portal/` — so the sign-in page can
//! never send anyone to another site.

use portico_domain::TextLimit;

/// The longest path taken; a longer `next` is ignored, not refused.
pub(crate) const NEXT: TextLimit = TextLimit {
    typed: 400,
    told: 200,
};

/// `next` if it is a portal page, otherwise nothing.
pub(crate) fn after_sign_in(next: &str) -> Option<&str> {
    let rest = next.strip_prefix("/portal/")?;
    let plain = !rest.is_empty()
        && next.len() <= NEXT.told
        && !rest.starts_with('/')
        && !rest.contains("//")
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_'));
    plain.then_some(next)
}

#[cfg(test)]
mod tests {
    use super::after_sign_in;

    #[test]
    fn only_a_plain_portal_path_is_returned_to() {
        let thread = "/portal/messages/0b6c1f0e-2f5d-4f57-9a83-7f2bb5f1c0de";
        assert_eq!(after_sign_in(thread), Some(thread));
        for refused in [
            "",
            "/portal/",
            "/portal",
            "https://evil.example/portal/messages",
            "//evil.example/portal/x",
            "/portal//evil.example",
            "/portal/messages?x=1",
            "/portal/messages/../../staff",
            "/staff/messages/1",
            "/portal/messages/%2F%2Fevil",
        ] {
            assert_eq!(after_sign_in(refused), None, "{refused}");
        }
        assert_eq!(after_sign_in(&format!("/portal/{}", "a".repeat(300))), None);
    }
}
