//! A file as a caller uploaded it, before any feature has checked it.

use std::fmt;

/// The name the browser (or API caller) gave the file, and its bytes. Not yet checked: the
/// feature that takes it parses it into its own type (an attachment, a consent scan).
#[derive(Clone, Default)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

impl fmt::Debug for Upload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A patient's file and its name are health data: neither is logged.
        write!(f, "Upload({} bytes)", self.bytes.len())
    }
}
