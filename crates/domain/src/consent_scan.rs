//! A signed consent form, scanned (docs/PRODUCT.md §5, consent on paper): a PDF, JPEG or PNG
//! file, told apart by its first bytes — never by its name or the type the browser claims — and
//! at most [`ConsentScan::MAX_BYTES`] long.

use std::fmt;

/// What kind of file a scan is, read from its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanKind {
    Pdf,
    Jpeg,
    Png,
}

impl ScanKind {
    pub const ALL: &'static [ScanKind] = &[ScanKind::Pdf, ScanKind::Jpeg, ScanKind::Png];

    /// The kind whose signature starts `bytes`, if any: `%PDF-`, JPEG's start-of-image marker
    /// `FF D8 FF`, or PNG's eight-byte signature.
    pub fn sniff(bytes: &[u8]) -> Option<ScanKind> {
        if bytes.starts_with(b"%PDF-") {
            Some(ScanKind::Pdf)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ScanKind::Jpeg)
        } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
            Some(ScanKind::Png)
        } else {
            None
        }
    }

    /// The media type stored with the scan and sent when it is downloaded.
    pub fn media_type(self) -> &'static str {
        match self {
            ScanKind::Pdf => "application/pdf",
            ScanKind::Jpeg => "image/jpeg",
            ScanKind::Png => "image/png",
        }
    }

    /// The file name extension of a download.
    pub fn extension(self) -> &'static str {
        match self {
            ScanKind::Pdf => "pdf",
            ScanKind::Jpeg => "jpg",
            ScanKind::Png => "png",
        }
    }

    /// The kind a stored media type names.
    pub fn from_media_type(stored: &str) -> Option<ScanKind> {
        ScanKind::ALL
            .iter()
            .copied()
            .find(|k| k.media_type() == stored)
    }
}

/// Why a file is not taken as a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ScanError {
    #[error("Choose the scanned consent form to upload.")]
    Empty,
    #[error(
        "This file is larger than {} MB. Scan the form again at a lower resolution, or as a \
         PDF, and upload that.", ConsentScan::MAX_BYTES / 1_000_000
    )]
    TooLarge,
    #[error(
        "This file is not a PDF, JPEG or PNG. Scan the signed form to one of those and upload that."
    )]
    NotAScan,
}

/// A scan that passed: its kind and its bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct ConsentScan {
    kind: ScanKind,
    bytes: Vec<u8>,
}

impl ConsentScan {
    /// 5 MB: a page scanned at 300 dpi, or a phone's photo of it, with room to spare.
    pub const MAX_BYTES: usize = 5_000_000;

    pub fn parse(bytes: Vec<u8>) -> Result<ConsentScan, ScanError> {
        if bytes.is_empty() {
            return Err(ScanError::Empty);
        }
        if bytes.len() > ConsentScan::MAX_BYTES {
            return Err(ScanError::TooLarge);
        }
        let kind = ScanKind::sniff(&bytes).ok_or(ScanError::NotAScan)?;
        Ok(ConsentScan { kind, bytes })
    }

    pub fn kind(&self) -> ScanKind {
        self.kind
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl fmt::Debug for ConsentScan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A signed form names the patient: its bytes never go to a log.
        write!(
            f,
            "ConsentScan({:?}, {} bytes)",
            self.kind,
            self.bytes.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scan_is_told_by_its_first_bytes_not_its_name() {
        let pdf = b"%PDF-1.7\n...".to_vec();
        let jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F'];
        let png = vec![
            0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D,
        ];
        assert_eq!(ConsentScan::parse(pdf).unwrap().kind(), ScanKind::Pdf);
        assert_eq!(ConsentScan::parse(jpeg).unwrap().kind(), ScanKind::Jpeg);
        assert_eq!(ConsentScan::parse(png).unwrap().kind(), ScanKind::Png);
        for other in [
            b"GIF89a".to_vec(),
            b"<html>%PDF-".to_vec(),
            b"PK\x03\x04 a zip named form.pdf".to_vec(),
            b"%PD".to_vec(),
        ] {
            assert_eq!(ConsentScan::parse(other), Err(ScanError::NotAScan));
        }
    }

    #[test]
    fn an_empty_or_oversized_file_is_refused() {
        assert_eq!(ConsentScan::parse(Vec::new()), Err(ScanError::Empty));
        let mut big = b"%PDF-".to_vec();
        big.resize(ConsentScan::MAX_BYTES + 1, b' ');
        assert_eq!(ConsentScan::parse(big), Err(ScanError::TooLarge));
        let mut fits = b"%PDF-".to_vec();
        fits.resize(ConsentScan::MAX_BYTES, b' ');
        assert!(ConsentScan::parse(fits).is_ok());
    }

    #[test]
    fn a_stored_media_type_reads_back() {
        for kind in ScanKind::ALL {
            assert_eq!(ScanKind::from_media_type(kind.media_type()), Some(*kind));
        }
        assert_eq!(ScanKind::from_media_type("text/html"), None);
    }
}
