//! A signed consent form, scanned (docs/PRODUCT.md §5, consent on paper): a PDF, JPEG or PNG
//! file, told apart by its first bytes — never by its name or the type the browser claims — and
//! at most [`ConsentScan::MAX_BYTES`] long.

use std::fmt;

use crate::FileKind;

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
    kind: FileKind,
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
        let kind = FileKind::sniff(&bytes).ok_or(ScanError::NotAScan)?;
        Ok(ConsentScan { kind, bytes })
    }

    pub fn kind(&self) -> FileKind {
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
        assert_eq!(ConsentScan::parse(pdf).unwrap().kind(), FileKind::Pdf);
        assert_eq!(ConsentScan::parse(jpeg).unwrap().kind(), FileKind::Jpeg);
        assert_eq!(ConsentScan::parse(png).unwrap().kind(), FileKind::Png);
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
}
