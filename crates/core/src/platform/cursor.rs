//! Keyset page cursors (the patient list, the invitation list, a staff member's inbox): the
//! values that place a row in a list's order, joined by `:` and written in base64url, so a page's
//! address carries them opaquely. Every part but the last must be free of `:` (ids, numbers,
//! order words); the last may hold any character (a name). Reading answers `None` for any text
//! that is not a cursor of that many parts; what the parts mean is the list's to check.

use super::secrets;

/// The cursor text of `parts`.
pub(crate) fn encode(parts: &[&str]) -> String {
    secrets::base64url(parts.join(":").as_bytes())
}

/// The `N` parts of a cursor, or `None`.
pub(crate) fn decode<const N: usize>(text: &str) -> Option<[String; N]> {
    let raw = String::from_utf8(secrets::from_base64url(text)?).ok()?;
    let mut parts = raw.splitn(N, ':');
    let mut read: [String; N] = std::array::from_fn(|_| String::new());
    for slot in &mut read {
        *slot = parts.next()?.to_owned();
    }
    Some(read)
}

#[cfg(test)]
mod tests {
    use super::{decode, encode};

    #[test]
    fn a_cursor_reads_back_with_a_last_part_holding_colons() {
        let text = encode(&["newest", "b05c75e6", "García: López"]);
        assert_eq!(
            decode::<3>(&text),
            Some(["newest".into(), "b05c75e6".into(), "García: López".into()])
        );
        // Too few parts, or text that is not base64url UTF-8: not a cursor.
        assert_eq!(decode::<3>(&encode(&["newest", "b05c75e6"])), None);
        assert_eq!(decode::<2>("not-ours"), None);
        assert_eq!(decode::<2>("%%%"), None);
    }
}
