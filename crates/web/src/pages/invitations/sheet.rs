//! A code just issued, as the invitation page shows it once and prints it on a hand-over sheet:
//! the code in large type, the link as a QR code (inline SVG, sharp on paper), the registration
//! address for those who type, and a few plain steps.

use qrcode::QrCode;
use qrcode::render::svg;

use super::IssuedCode;
use crate::platform::local_time::LocalTime;

pub(super) struct Handover {
    pub code: IssuedCode,
    /// Who the code is for.
    pub person: String,
    pub relation: &'static str,
    pub practice_name: String,
    /// Where to type the code by hand: the registration page.
    pub register_url: String,
    pub expires_on: String,
    /// The link as a QR code, an `<svg>` element (empty if the link could not be encoded).
    pub qr_svg: String,
}

impl Handover {
    pub fn new(
        code: IssuedCode,
        person: String,
        practice_name: &str,
        public_url: &str,
        when: &LocalTime,
    ) -> Handover {
        Handover {
            qr_svg: qr_svg(&code.link, &person),
            expires_on: when.day(&code.expires_at),
            relation: code.relation.label(),
            register_url: format!("{}/register", public_url.trim_end_matches('/')),
            practice_name: practice_name.to_owned(),
            person,
            code,
        }
    }
}

/// The link as an inline SVG QR code, labelled for screen readers.
fn qr_svg(link: &str, person: &str) -> String {
    let Ok(qr) = QrCode::new(link.as_bytes()) else {
        // A link longer than a QR code holds; the printed address and code still work.
        return String::new();
    };
    let svg = qr
        .render::<svg::Color<'_>>()
        .min_dimensions(176, 176)
        .quiet_zone(true)
        .build();
    // The renderer starts with an XML declaration, which has no place inside HTML.
    let svg = match svg.find("<svg") {
        Some(start) => &svg[start..],
        None => return String::new(),
    };
    let label = format!("QR code: opens the invitation of {}", escape(person));
    svg.replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{label}\" class=\"qr\" "),
        1,
    )
}

/// The few characters that matter inside an attribute: the name is staff-typed text.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_code_is_an_inline_labelled_svg() {
        let svg = qr_svg("https://portal.example.com/i/abc", "Ana \"<b>\" Ruiz");
        assert!(svg.starts_with("<svg role=\"img\""), "{svg}");
        assert!(svg.contains(
            "aria-label=\"QR code: opens the invitation of Ana &quot;&lt;b&gt;&quot; Ruiz\""
        ));
        assert!(!svg.contains("<?xml"));
    }
}
