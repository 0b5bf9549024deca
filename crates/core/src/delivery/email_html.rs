//! The one place that turns a message's text into the HTML part of an email: paragraphs at blank
//! lines, line breaks kept, everything escaped, and web addresses made clickable. Practices edit
//! templates as plain text, so no template ever carries markup of its own.

/// Characters that end a sentence or a bracket after an address, which belong to the text and
/// not to the link ("sign in at https://…/sign-in, then…").
const TRAILING_PUNCTUATION: &[char] = &['.', ',', ';', ':', '!', '?', ')', ']', '"', '\''];

/// The HTML part of an email whose text part is `text`.
pub fn from_text(text: &str) -> String {
    let mut html = String::from(
        "<!doctype html><html><body style=\"font-family: sans-serif; line-height: 1.5\">",
    );
    for paragraph in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        html.push_str("<p>");
        let lines: Vec<String> = paragraph
            .lines()
            .map(|line| line.split(' ').map(word_html).collect::<Vec<_>>().join(" "))
            .collect();
        html.push_str(&lines.join("<br>"));
        html.push_str("</p>");
    }
    html.push_str("</body></html>");
    html
}

fn word_html(word: &str) -> String {
    if !(word.starts_with("https://") || word.starts_with("http://")) {
        return escape(word);
    }
    let address = word.trim_end_matches(TRAILING_PUNCTUATION);
    let after = &word[address.len()..];
    let address = escape(address);
    format!("<a href=\"{address}\">{address}</a>{}", escape(after))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_html_part_escapes_text_and_links_urls() {
        let html = from_text("Hello <Ana> & co,\n\nOpen https://x.example/i/abc\nthanks");
        assert!(
            html.contains("<p>Hello &lt;Ana&gt; &amp; co,</p>"),
            "{html}"
        );
        assert!(
            html.contains(
                "<a href=\"https://x.example/i/abc\">https://x.example/i/abc</a><br>thanks"
            ),
            "{html}"
        );
    }

    #[test]
    fn punctuation_after_an_address_stays_outside_the_link() {
        let html = from_text("Sign in at https://x.example/portal/sign-in, then add the code.");
        assert!(
            html.contains(
                "<a href=\"https://x.example/portal/sign-in\">https://x.example/portal/sign-in</a>, then"
            ),
            "{html}"
        );
    }
}
