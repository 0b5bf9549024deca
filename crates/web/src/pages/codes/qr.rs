//! A provider code's registration address as a QR code: an inline SVG (sharp on paper at any
//! size, no image request), labelled for screen readers. The invitation sheet draws its own for
//! its link; pages do not import each other.

use qrcode::QrCode;
use qrcode::render::svg;

/// `url` as an `<svg>` element, or an empty string when it does not fit in a QR code (the card
/// still prints the address and the code).
pub(super) fn svg(url: &str, label: &str) -> String {
    let Ok(qr) = QrCode::new(url.as_bytes()) else {
        return String::new();
    };
    let svg = qr
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // The renderer starts with an XML declaration, which has no place inside HTML.
    let Some(start) = svg.find("<svg") else {
        return String::new();
    };
    // The renderer already asks for crisp edges, so modules never blur into each other.
    svg[start..].replacen(
        "<svg ",
        &format!(
            "<svg role=\"img\" aria-label=\"{}\" class=\"qr\" ",
            escape(label)
        ),
        1,
    )
}

/// The few characters that matter inside an attribute: names are staff-typed text.
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
        let svg = svg(
            "https://portal.example.com/register?code=ABC234",
            "QR code: \"<b>\" & co",
        );
        assert!(svg.starts_with("<svg role=\"img\""), "{svg}");
        assert!(svg.contains("aria-label=\"QR code: &quot;&lt;b&gt;&quot; &amp; co\""));
        assert!(svg.contains("shape-rendering=\"crispEdges\""));
        assert!(!svg.contains("<?xml"));
    }
}
