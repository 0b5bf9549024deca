//! FHIR Bulk Data NDJSON: one resource a line. A line that is not JSON is that line's mistake and
//! the next is read; blank lines are passed over. Each line is bounded, so one enormous line
//! cannot take the memory a streaming read promises.

use std::io::{BufRead, BufReader, Read};

use crate::{Next, Place, ReadError, Row, Summary, fhir};

/// The longest line read (a Patient is a few kilobytes; a photo inside one can be more).
const MAX_LINE: u64 = 4 * 1024 * 1024;

pub(crate) fn read(
    input: impl Read,
    sink: &mut dyn FnMut(Row) -> Next,
) -> Result<Summary, ReadError> {
    let mut reader = BufReader::new(input);
    let mut line = Vec::new();
    let mut number = 0_u64;
    loop {
        line.clear();
        let read = reader
            .by_ref()
            .take(MAX_LINE + 1)
            .read_until(b'\n', &mut line)?;
        if read == 0 {
            return Ok(Summary::default());
        }
        number += 1;
        let place = Place::NdjsonLine(number);
        if line.last() != Some(&b'\n') && read as u64 > MAX_LINE {
            return Err(ReadError::NotThisFormat(format!(
                "Line {number} is longer than {} MB: this is not FHIR NDJSON as expected.",
                MAX_LINE / 1024 / 1024
            )));
        }
        let text = line
            .strip_prefix(b"\xef\xbb\xbf".as_slice())
            .unwrap_or(&line);
        let text = text.trim_ascii();
        if text.is_empty() {
            continue;
        }
        let row = match serde_json::from_slice::<serde_json::Value>(text) {
            Ok(resource) => fhir::row(&resource, place),
            Err(e) => Row::Bad {
                place,
                reason: format!("This line is not JSON ({e})."),
            },
        };
        sink(row)?;
    }
}

#[cfg(test)]
mod tests {
    use crate::{Format, Place, Row, read};

    #[test]
    fn each_line_is_a_resource_and_a_broken_line_does_not_stop_the_rest() {
        let file = concat!(
            "{\"birthDate\":\"1984-03-14\",\"name\":[{\"family\":\"Lopez\",\"given\":[\"Maria\"]}],\"resourceType\":\"Patient\"}\r\n",
            "\n",
            "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Silva\"\n",
            "{\"resourceType\":\"Encounter\",\"status\":\"finished\"}\n",
            "{\"resourceType\":\"Patient\",\"birthDate\":\"1990-01-02\",\"name\":[{\"family\":\"Nunez\",\"given\":[\"Jose\"]}]}"
        );
        let mut rows = Vec::new();
        read(Format::Ndjson, file.as_bytes(), &mut |r| {
            rows.push(r);
            Ok(())
        })
        .expect("readable");
        assert_eq!(rows.len(), 4);
        assert!(
            matches!(&rows[0], Row::Patient { place: Place::NdjsonLine(1), patient } if patient.last_name == "Lopez")
        );
        assert!(matches!(
            &rows[1],
            Row::Bad {
                place: Place::NdjsonLine(3),
                ..
            }
        ));
        assert_eq!(
            rows[2],
            Row::Skipped {
                place: Place::NdjsonLine(4),
                what: "Encounter".to_owned()
            }
        );
        assert!(matches!(
            &rows[3],
            Row::Patient {
                place: Place::NdjsonLine(5),
                ..
            }
        ));
    }
}
