//! A file attached to a message of a secure thread (docs/PRODUCT.md §7): a PDF, JPEG or PNG by
//! its content (`FileKind`), at most [`Attachment::MAX_BYTES`] long, with the name it was
//! uploaded under made safe to show. A letter, a lab result, a photo of a rash: health data, so
//! neither its bytes nor its name ever go to a log.

use std::fmt;

use crate::FileKind;

/// Why a file is not taken as an attachment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentError {
    #[error(
        "This file is larger than {} MB. Attach a smaller one: a photo taken at a lower \
         resolution, or a PDF.", Attachment::MAX_BYTES / 1_000_000
    )]
    TooLarge,
    #[error("Attach a PDF, JPEG or PNG file: this one is none of those.")]
    NotAllowed,
}

/// A file that passed: its kind, its shown name and its bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Attachment {
    kind: FileKind,
    name: String,
    bytes: Vec<u8>,
}

/// The longest name shown, in characters (a longer one is cut, its extension kept).
const NAME_MAX: usize = 100;

impl Attachment {
    /// 5 MB: a few scanned pages, or a phone's photo.
    pub const MAX_BYTES: usize = 5_000_000;

    /// `file_name` is the name the browser sent (it may carry a path, control characters, or be
    /// blank); the kind comes from the bytes alone. An empty file is the caller's "no file".
    pub fn parse(file_name: &str, bytes: Vec<u8>) -> Result<Attachment, AttachmentError> {
        if bytes.len() > Attachment::MAX_BYTES {
            return Err(AttachmentError::TooLarge);
        }
        let kind = FileKind::sniff(&bytes).ok_or(AttachmentError::NotAllowed)?;
        Ok(Attachment {
            name: shown_name(file_name, kind),
            kind,
            bytes,
        })
    }

    pub fn kind(&self) -> FileKind {
        self.kind
    }

    /// The name to show beside the message.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl fmt::Debug for Attachment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Attachment({:?}, {} bytes)", self.kind, self.bytes.len())
    }
}

/// The uploaded name without any folder, control characters, direction marks or surrounding spaces, at most
/// [`NAME_MAX`] characters; "attachment.pdf" (or .jpg, .png) when nothing is left.
fn shown_name(file_name: &str, kind: FileKind) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !is_direction_mark(*c))
        .collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() {
        return format!("attachment.{}", kind.extension());
    }
    if cleaned.chars().count() <= NAME_MAX {
        return cleaned.to_owned();
    }
    let (stem, extension) = match cleaned.rsplit_once('.') {
        Some((stem, ext)) if ext.chars().count() <= 5 => (stem, format!(".{ext}")),
        _ => (cleaned, String::new()),
    };
    let keep = NAME_MAX - extension.chars().count() - 1;
    let mut name: String = stem.chars().take(keep).collect();
    name.push('…');
    name.push_str(&extension);
    name
}

/// The marks that turn text right to left: in a name they would make "fdp.exe" read "exe.pdf".
fn is_direction_mark(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The name a download is saved under, in plain ASCII for the `Content-Disposition` header:
/// letters, digits, `.`, `-` and `_` kept, anything else `_`, ending in the kind's extension.
pub fn download_name(shown: &str, kind: FileKind) -> String {
    let mut name: String = shown
        .chars()
        .map(
            |c| match c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                true => c,
                false => '_',
            },
        )
        .collect();
    let lower = name.to_ascii_lowercase();
    let fits = match kind {
        FileKind::Jpeg => lower.ends_with(".jpg") || lower.ends_with(".jpeg"),
        _ => lower.ends_with(&format!(".{}", kind.extension())),
    };
    if !fits {
        name.push('.');
        name.push_str(kind.extension());
    }
    name
}

/// A size as a person reads it: "820 bytes", "240 KB", "1.2 MB".
pub fn size_words(bytes: i64) -> String {
    match bytes {
        ..1_000 => format!("{bytes} bytes"),
        1_000..1_000_000 => format!("{} KB", (bytes + 500) / 1_000),
        _ => format!("{:.1} MB", bytes as f64 / 1_000_000.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: [u8; 12] = [
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D,
    ];

    #[test]
    fn the_kind_comes_from_the_content_never_the_name() {
        let photo = Attachment::parse("rash.pdf", PNG.to_vec()).unwrap();
        assert_eq!(photo.kind(), FileKind::Png);
        assert_eq!(photo.name(), "rash.pdf");
        assert_eq!(download_name(photo.name(), photo.kind()), "rash.pdf.png");
        for other in [
            b"GIF89a".to_vec(),
            b"<script>alert(1)</script>".to_vec(),
            b"MZ\x90\x00 an .exe named letter.pdf".to_vec(),
        ] {
            assert_eq!(
                Attachment::parse("letter.pdf", other),
                Err(AttachmentError::NotAllowed)
            );
        }
    }

    #[test]
    fn a_file_over_five_megabytes_is_refused() {
        let mut big = b"%PDF-".to_vec();
        big.resize(Attachment::MAX_BYTES + 1, b' ');
        assert_eq!(
            Attachment::parse("scan.pdf", big),
            Err(AttachmentError::TooLarge)
        );
        let mut fits = b"%PDF-".to_vec();
        fits.resize(Attachment::MAX_BYTES, b' ');
        assert!(Attachment::parse("scan.pdf", fits).is_ok());
    }

    #[test]
    fn the_shown_name_loses_folders_and_control_characters() {
        let pdf = b"%PDF-1.7".to_vec();
        let named = |n: &str| Attachment::parse(n, pdf.clone()).unwrap().name().to_owned();
        assert_eq!(named(r"C:\Users\maria\Lab results.pdf"), "Lab results.pdf");
        assert_eq!(named("../../etc/passwd"), "passwd");
        assert_eq!(named("a\u{0}b\u{202e}fdp.exe"), "abfdp.exe");
        assert_eq!(named("   "), "attachment.pdf");
        let long = format!("{}.pdf", "x".repeat(300));
        let shown = named(&long);
        assert_eq!(shown.chars().count(), NAME_MAX);
        assert!(shown.ends_with("….pdf"));
    }

    #[test]
    fn a_download_name_is_plain_ascii_with_the_right_extension() {
        assert_eq!(
            download_name("Résultats d'analyse.PDF", FileKind::Pdf),
            "R_sultats_d_analyse.PDF"
        );
        assert_eq!(download_name("photo.jpeg", FileKind::Jpeg), "photo.jpeg");
        assert_eq!(download_name("x\"; y", FileKind::Png), "x___y.png");
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size_words(820), "820 bytes");
        assert_eq!(size_words(240_400), "240 KB");
        assert_eq!(size_words(1_240_000), "1.2 MB");
    }
}
