//! The kind of an uploaded file — PDF, JPEG or PNG — told apart by its first bytes, never by its
//! name or the type the browser claims. Consent scans and thread attachments take these three.

/// What kind of file an upload is, read from its content: the three kinds a practice takes
/// (a scanned form, a photo, a document).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Jpeg,
    Png,
}

impl FileKind {
    pub const ALL: &'static [FileKind] = &[FileKind::Pdf, FileKind::Jpeg, FileKind::Png];

    /// The kind whose signature starts `bytes`, if any: `%PDF-`, JPEG's start-of-image marker
    /// `FF D8 FF`, or PNG's eight-byte signature.
    pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
        if bytes.starts_with(b"%PDF-") {
            Some(FileKind::Pdf)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(FileKind::Jpeg)
        } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
            Some(FileKind::Png)
        } else {
            None
        }
    }

    /// The media type stored with the scan and sent when it is downloaded.
    pub fn media_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
        }
    }

    /// The file name extension of a download.
    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Jpeg => "jpg",
            FileKind::Png => "png",
        }
    }

    /// The kind a stored media type names.
    pub fn from_media_type(stored: &str) -> Option<FileKind> {
        FileKind::ALL
            .iter()
            .copied()
            .find(|k| k.media_type() == stored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_media_type_reads_back() {
        for kind in FileKind::ALL {
            assert_eq!(FileKind::from_media_type(kind.media_type()), Some(*kind));
        }
        assert_eq!(FileKind::from_media_type("text/html"), None);
    }
}
