//! CSV: a header naming the columns (in any order, any case; unknown columns ignored), then one
//! patient a record. The parser reads bytes and each field is decoded after: the structure of a
//! CSV file is ASCII, so line numbers are the file's own whatever its encoding. The encoding is
//! settled by the first field that is not plain ASCII (ASCII reads the same either way): valid
//! UTF-8 makes the file UTF-8, anything else Windows-1252; a later field that is not valid UTF-8
//! in a UTF-8 file is that row's mistake, never a silently replaced character.

use std::io::Read;

use crate::{CSV_COLUMNS, FoundPatient, Next, Place, ReadError, Row, Summary};

/// How the file's text is being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Text {
    /// Only ASCII so far.
    Undecided,
    Utf8,
    Windows1252,
}

impl Text {
    fn decode(&mut self, bytes: &[u8]) -> Option<String> {
        if bytes.is_ascii() {
            // Plain ASCII is valid UTF-8.
            return std::str::from_utf8(bytes).ok().map(str::to_owned);
        }
        if *self == Text::Undecided {
            *self = match std::str::from_utf8(bytes) {
                Ok(_) => Text::Utf8,
                Err(_) => Text::Windows1252,
            };
        }
        match self {
            Text::Windows1252 => Some(
                encoding_rs::WINDOWS_1252
                    .decode_without_bom_handling(bytes)
                    .0
                    .into_owned(),
            ),
            _ => std::str::from_utf8(bytes).ok().map(str::to_owned),
        }
    }
}

/// Where each column is.
struct Columns {
    at: [Option<usize>; 7],
}

impl Columns {
    fn of(header: &csv::ByteRecord) -> Result<Columns, ReadError> {
        let mut at = [None; 7];
        for (i, name) in header.iter().enumerate() {
            let name = String::from_utf8_lossy(name)
                .trim()
                .to_ascii_lowercase()
                .replace(' ', "_");
            if let Some(k) = CSV_COLUMNS.iter().position(|c| *c == name) {
                at[k].get_or_insert(i);
            }
        }
        let missing: Vec<&str> = ["first_name", "last_name", "birth_date"]
            .into_iter()
            .filter(|c| {
                CSV_COLUMNS
                    .iter()
                    .position(|k| k == c)
                    .is_some_and(|k| at[k].is_none())
            })
            .collect();
        if !missing.is_empty() {
            return Err(ReadError::NotThisFormat(format!(
                "The first line must name the columns; {} missing (the columns are {}).",
                match missing.as_slice() {
                    [one] => format!("{one} is"),
                    many => format!("{} are", many.join(", ")),
                },
                CSV_COLUMNS.join(", ")
            )));
        }
        Ok(Columns { at })
    }
}

pub(crate) fn read(
    input: impl Read,
    sink: &mut dyn FnMut(Row) -> Next,
) -> Result<Summary, ReadError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(LfOnly::new(input));
    let header = reader.byte_headers().map_err(csv_error)?.clone();
    let columns = Columns::of(&header)?;
    let mut text = Text::Undecided;
    let mut record = csv::ByteRecord::new();
    while reader.read_byte_record(&mut record).map_err(csv_error)? {
        // The parser's own record positions are taken before blank lines are skipped; its
        // position after the record is exact (every line ends in `\n`, see `LfOnly`): the
        // record began as many lines before it as it holds line breaks, plus one.
        let breaks: u64 = record
            .iter()
            .map(|f| f.iter().filter(|&&b| b == b'\n').count() as u64)
            .sum();
        let line = reader.position().line().saturating_sub(1 + breaks);
        let place = Place::CsvLine(line);
        sink(row(&columns, &record, &mut text, place))?;
    }
    Ok(Summary {
        windows_1252: text == Text::Windows1252,
    })
}

fn row(columns: &Columns, record: &csv::ByteRecord, text: &mut Text, place: Place) -> Row {
    let mut values: [String; 7] = Default::default();
    for (k, at) in columns.at.iter().enumerate() {
        let Some(bytes) = at.and_then(|i| record.get(i)) else {
            continue;
        };
        match text.decode(bytes) {
            Some(value) => values[k] = value.trim().to_owned(),
            None => {
                return Row::Bad {
                    place,
                    reason: format!(
                        "The {} is not valid UTF-8 text, though the lines before it were: save \
                         the file again as “CSV UTF-8”.",
                        CSV_COLUMNS[k].replace('_', " ")
                    ),
                };
            }
        }
    }
    let [
        first_name,
        last_name,
        birth_date,
        email,
        phone,
        external_id,
        language,
    ] = values;
    let some = |s: String| (!s.is_empty()).then_some(s);
    Row::Patient {
        place,
        patient: FoundPatient {
            first_name,
            last_name,
            birth_date,
            email: some(email),
            phone: some(phone),
            external_id: some(external_id),
            language: some(language),
        },
    }
}

/// The input with each CR LF read as LF and a last line break added where the file has none, so
/// that every line ends in `\n` and the parser's line count is the file's. (A CR LF inside a
/// quoted field becomes LF too, which changes nothing a name or an address needs.)
struct LfOnly<R> {
    inner: R,
    /// Bytes ready to hand out, from `at`.
    ready: Vec<u8>,
    at: usize,
    /// A CR at the end of the last chunk, not yet known to come before an LF.
    held_cr: bool,
    last: u8,
    done: bool,
}

impl<R: Read> LfOnly<R> {
    fn new(inner: R) -> LfOnly<R> {
        LfOnly {
            inner,
            ready: Vec::with_capacity(64 * 1024),
            at: 0,
            held_cr: false,
            last: b'\n',
            done: false,
        }
    }

    /// Reads the next chunk into `ready` (empty at the end of the input).
    fn fill(&mut self) -> std::io::Result<()> {
        let mut chunk = [0_u8; 16 * 1024];
        self.ready.clear();
        self.at = 0;
        while self.ready.is_empty() && !self.done {
            let n = self.inner.read(&mut chunk)?;
            if n == 0 {
                self.done = true;
                if self.held_cr {
                    self.ready.push(b'\r');
                    self.last = b'\r';
                }
                if self.last != b'\n' {
                    self.ready.push(b'\n');
                }
                break;
            }
            let mut bytes = chunk[..n].iter().copied().peekable();
            if std::mem::take(&mut self.held_cr) && bytes.peek() != Some(&b'\n') {
                self.ready.push(b'\r');
            }
            while let Some(b) = bytes.next() {
                if b == b'\r' {
                    match bytes.peek() {
                        None => {
                            self.held_cr = true;
                            continue;
                        }
                        Some(b'\n') => continue,
                        Some(_) => {}
                    }
                }
                self.ready.push(b);
            }
            if let Some(&b) = self.ready.last() {
                self.last = b;
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for LfOnly<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.ready.len() {
            self.fill()?;
        }
        let n = out.len().min(self.ready.len() - self.at);
        out[..n].copy_from_slice(&self.ready[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

fn csv_error(e: csv::Error) -> ReadError {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => ReadError::Io(e),
        other => ReadError::NotThisFormat(format!("The file is not CSV as expected: {other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use crate::{Format, FoundPatient, Place, Row, read};

    fn rows(bytes: &[u8]) -> (Vec<Row>, bool) {
        let mut rows = Vec::new();
        let summary = read(Format::Csv, bytes, &mut |r| {
            rows.push(r);
            Ok(())
        })
        .expect("readable");
        (rows, summary.windows_1252)
    }

    fn patient(row: &Row) -> (&Place, &FoundPatient) {
        match row {
            Row::Patient { place, patient } => (place, patient),
            other => panic!("not a patient: {other:?}"),
        }
    }

    #[test]
    fn columns_are_found_by_name_in_any_order_with_a_byte_order_mark() {
        let file = "\u{feff}Last_Name,FIRST_NAME,birth date,Notes,email\r\n\
                    Lopez,Maria,1984-03-14,ignored,maria@example.org\r\n\
                    \r\n\
                    \"Núñez, Jr.\",\"José\nLuis\",1990-01-02,,\r\n\
                    Silva,Ana,1979-12-31,,\r\n";
        let (rows, cp1252) = rows(file.as_bytes());
        assert!(!cp1252);
        assert_eq!(rows.len(), 3);
        let (place, maria) = patient(&rows[0]);
        assert_eq!(*place, Place::CsvLine(2));
        assert_eq!(maria.first_name, "Maria");
        assert_eq!(maria.email.as_deref(), Some("maria@example.org"));
        assert_eq!(maria.phone, None);
        // A quoted field may hold a comma and a line break; the record is told by its first line,
        // and the blank line before it still counts.
        let (place, jose) = patient(&rows[1]);
        assert_eq!(*place, Place::CsvLine(4));
        assert_eq!(jose.last_name, "Núñez, Jr.");
        assert_eq!(patient(&rows[2]).0, &Place::CsvLine(6));
    }

    #[test]
    fn a_windows_1252_file_reads_with_its_accents() {
        let mut file = b"first_name,last_name,birth_date\r\nMaria,Lopez,1984-03-14\r\n".to_vec();
        // "José Peña" in Windows-1252: é = 0xE9, ñ = 0xF1.
        file.extend_from_slice(b"Jos\xe9,Pe\xf1a,1990-01-02\r\n");
        let (rows, cp1252) = rows(&file);
        assert!(cp1252);
        let (_, jose) = patient(&rows[1]);
        assert_eq!(
            (jose.first_name.as_str(), jose.last_name.as_str()),
            ("José", "Peña")
        );
    }

    #[test]
    fn a_utf8_file_with_one_broken_field_refuses_that_row_only() {
        let mut file = "first_name,last_name,birth_date\r\nJosé,Núñez,1990-01-02\r\n"
            .as_bytes()
            .to_vec();
        file.extend_from_slice(b"Ana,Sil\xe9va,1979-12-31\r\nLuis,Lopez,1970-05-06\r\n");
        let (rows, cp1252) = rows(&file);
        assert!(!cp1252);
        assert!(
            matches!(&rows[1], Row::Bad { place: Place::CsvLine(3), reason } if reason.contains("last name"))
        );
        assert_eq!(patient(&rows[2]).1.first_name, "Luis");
    }

    #[test]
    fn lines_are_counted_alike_with_cr_lf_lf_and_no_last_line_break() {
        for file in [
            "first_name,last_name,birth_date\r\n\r\nAna,Silva,1979-12-31\r\n\"Jo\r\nse\",Lopez,1990-01-02\r\nLuis,Vega,1970-05-06",
            "first_name,last_name,birth_date\n\nAna,Silva,1979-12-31\n\"Jo\nse\",Lopez,1990-01-02\nLuis,Vega,1970-05-06\n",
        ] {
            let (rows, _) = rows(file.as_bytes());
            let lines: Vec<Place> = rows.iter().map(|r| *patient(r).0).collect();
            assert_eq!(
                lines,
                [Place::CsvLine(3), Place::CsvLine(4), Place::CsvLine(6)],
                "{file:?}"
            );
        }
    }

    #[test]
    fn a_cr_split_across_reads_is_still_one_line_break() {
        use std::io::Read as _;
        let mut lf = super::LfOnly::new(std::io::Read::chain(&b"a,b\r"[..], &b"\nc,d\r\re"[..]));
        let mut out = Vec::new();
        lf.read_to_end(&mut out).expect("read");
        assert_eq!(out, b"a,b\nc,d\r\re\n");
    }

    #[test]
    fn a_file_without_the_needed_columns_is_refused_at_once() {
        let err = read(
            Format::Csv,
            &b"name,dob\r\nMaria,1984-03-14\r\n"[..],
            &mut |_| Ok(()),
        )
        .expect_err("no columns");
        let said = err.to_string();
        assert!(
            said.contains("first_name, last_name, birth_date are missing"),
            "{said}"
        );
    }
}
