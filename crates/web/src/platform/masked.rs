//! Contact points as a list seen over a shoulder should show them: "m…@example.org",
//! "•••• 0123", and the username of a patient without email. A record's own page shows them
//! whole; a list of many people shows only enough to tell them apart.

/// An email address, masked, a phone number's last four digits, and a username, joined; "—"
/// when there is none.
pub fn contact(email: Option<&str>, phone: Option<&str>, username: Option<&str>) -> String {
    let email = email.map(|e| match e.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}…@{domain}")
        }
        None => "…".to_owned(),
    });
    let phone = phone.map(|p| {
        let digits: Vec<char> = p.chars().filter(char::is_ascii_digit).collect();
        let last: String = digits[digits.len().saturating_sub(4)..].iter().collect();
        format!("•••• {last}")
    });
    let username = username.map(|u| format!("username {u}"));
    let parts: Vec<String> = [email, phone, username].into_iter().flatten().collect();
    if parts.is_empty() {
        "—".to_owned()
    } else {
        parts.join(" · ")
    }
}

#[cfg(test)]
mod tests {
    use super::contact;

    #[test]
    fn a_list_shows_enough_to_tell_people_apart_and_no_more() {
        assert_eq!(
            contact(Some("maria@example.org"), Some("+14155550123"), None),
            "m…@example.org · •••• 0123"
        );
        assert_eq!(
            contact(None, Some("+14155550123"), Some("mlopez7")),
            "•••• 0123 · username mlopez7"
        );
        assert_eq!(contact(None, None, None), "—");
    }
}
