//! Reading the patient files a practice hands over for bulk invitations (docs/PRODUCT.md §3): a
//! CSV export (UTF-8 with or without a byte-order mark, or Windows-1252 from older EHRs), a FHIR
//! R4 `Bundle` (any type, with any resources besides `Patient`), or the NDJSON of a FHIR Bulk Data
//! `$export` (one resource per line). Each reader streams: it holds one row (one line, one Bundle
//! entry) at a time, whatever the file's size, and hands each to the caller's sink as it is read —
//! a patient's fields as found, a row it cannot use with where it is and why, or a resource that
//! is not a patient. Checking the fields (names, birth dates, contact points) is the caller's, with
//! the same domain types as the invite form; this crate only reads.
//!
//! Safety rules of reading that belong here: a partial FHIR birth date (`1980-05`) is refused, never
//! padded (the patient proves the date at redemption, and a guessed day would lock them out); a
//! deceased, inactive or merged-away patient is skipped, never invited; identifiers other than the
//! medical record number (social security, licences) are never read.

mod bundle;
mod csv_file;
mod fhir;
mod ndjson;

use std::fmt;
use std::io::Read;

/// A file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    /// A FHIR R4 `Bundle` as JSON.
    FhirBundle,
    /// FHIR Bulk Data NDJSON: one resource per line.
    Ndjson,
}

impl Format {
    /// The format a file's name says (`.csv`, `.json`, `.ndjson` / `.jsonl`), if any.
    pub fn of_file_name(name: &str) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        let ext = lower.rsplit_once('.').map(|(_, e)| e)?;
        match ext {
            "csv" | "txt" => Some(Format::Csv),
            "json" => Some(Format::FhirBundle),
            "ndjson" | "jsonl" => Some(Format::Ndjson),
            _ => None,
        }
    }

    /// The word the CLI and the pages use: `csv`, `fhir`, `ndjson`.
    pub fn parse(word: &str) -> Option<Format> {
        match word.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "fhir" | "bundle" | "json" => Some(Format::FhirBundle),
            "ndjson" | "jsonl" => Some(Format::Ndjson),
            _ => None,
        }
    }
}

/// Where a row is in its file, as a person finds it again: a CSV line (the record's first line,
/// the header being line 1), an NDJSON line, or a Bundle entry (`entry[0]` is the first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Place {
    CsvLine(u64),
    NdjsonLine(u64),
    BundleEntry(u64),
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::CsvLine(n) | Place::NdjsonLine(n) => write!(f, "line {n}"),
            Place::BundleEntry(i) => write!(f, "entry {i}"),
        }
    }
}

/// A patient's fields as the file gives them, not yet checked (blank ones are `None`).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct FoundPatient {
    pub first_name: String,
    pub last_name: String,
    /// As written (`YYYY-MM-DD` expected).
    pub birth_date: String,
    pub email: Option<String>,
    /// A mobile phone: what a text can reach.
    pub phone: Option<String>,
    /// The practice's medical record number (the EHR's own id for the patient).
    pub external_id: Option<String>,
    /// The language asked for, as a primary subtag (`en`, `es`, …) or as written.
    pub language: Option<String>,
}

// Names, dates of birth and contact points: never in a log.
impl fmt::Debug for FoundPatient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FoundPatient(***)")
    }
}

/// One row of a file, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    Patient {
        place: Place,
        patient: FoundPatient,
    },
    /// A row that cannot be a patient to invite, and why (in words for the practice's staff).
    Bad {
        place: Place,
        reason: String,
    },
    /// Not a patient to invite and not a mistake: another resource type (`Observation`), or a
    /// patient who must never be invited (deceased, inactive, merged into another record).
    Skipped {
        place: Place,
        what: String,
    },
}

/// Why a file could not be read on (the rows before it were handed over).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("the file could not be read: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    NotThisFormat(String),
    /// The caller's sink asked to stop.
    #[error("stopped")]
    Stopped,
}

/// What the caller's sink answers: go on, or stop reading.
pub type Next = Result<(), ReadError>;

/// Reads `input` as `format`, handing each row to `sink` as it is read.
pub fn read(
    format: Format,
    input: impl Read,
    sink: &mut dyn FnMut(Row) -> Next,
) -> Result<Summary, ReadError> {
    match format {
        Format::Csv => csv_file::read(input, sink),
        Format::FhirBundle => bundle::read(input, sink),
        Format::Ndjson => ndjson::read(input, sink),
    }
}

/// What the reading learnt about the file as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    /// A CSV file that was not UTF-8, read as Windows-1252.
    pub windows_1252: bool,
}

/// The CSV columns, as documented for practices and in the template file.
pub const CSV_COLUMNS: &[&str] = &[
    "first_name",
    "last_name",
    "birth_date",
    "email",
    "phone",
    "external_id",
    "language",
];

/// The template file offered for download: the header and one example row.
pub fn csv_template() -> String {
    format!(
        "{}\r\nMaria,Lopez,1984-03-14,maria@example.org,+1 202 555 0142,MRN-0042,es\r\n",
        CSV_COLUMNS.join(",")
    )
}
