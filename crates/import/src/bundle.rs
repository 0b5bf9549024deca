//! A FHIR `Bundle` as JSON, read as a stream: the top-level object's keys are walked, and its
//! `entry` array is read one entry at a time (each handed over before the next is read), so the
//! memory held is one entry's, not the file's. Each entry's `resource` becomes a row, told by its
//! index (`entry 0` is the first). A file that is not JSON stops the reading, with where.

use std::fmt;
use std::io::Read;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::{Next, Place, ReadError, Row, Summary, fhir};

pub(crate) fn read(
    input: impl Read,
    sink: &mut dyn FnMut(Row) -> Next,
) -> Result<Summary, ReadError> {
    let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::new(input));
    let mut stopped = None;
    let mut walk = Walk {
        sink,
        stopped: &mut stopped,
        resource_type: None,
    };
    let outcome = de::Deserializer::deserialize_map(&mut de, &mut walk);
    let resource_type = walk.resource_type;
    if let Some(stop) = stopped {
        return Err(stop);
    }
    match outcome {
        Ok(()) => {}
        Err(e) if e.is_io() => return Err(ReadError::Io(e.into())),
        Err(e) => {
            return Err(ReadError::NotThisFormat(format!(
                "The file is not a FHIR Bundle as expected: {e}."
            )));
        }
    }
    de.end().map_err(|e| {
        ReadError::NotThisFormat(format!("The file goes on after its Bundle: {e}."))
    })?;
    match resource_type.as_deref() {
        Some("Bundle") => Ok(Summary::default()),
        Some(other) => Err(ReadError::NotThisFormat(format!(
            "The file holds a {other}, not a Bundle."
        ))),
        None => Err(ReadError::NotThisFormat(
            "The file is JSON but not a FHIR Bundle (it has no resourceType).".to_owned(),
        )),
    }
}

/// The top-level object: `resourceType` is kept, `entry` is walked, the rest passed over.
struct Walk<'a, 'b> {
    sink: &'a mut dyn FnMut(Row) -> Next,
    /// The sink's own stop, kept apart from JSON errors.
    stopped: &'b mut Option<ReadError>,
    resource_type: Option<String>,
}

impl<'de> Visitor<'de> for &mut Walk<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a FHIR Bundle object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "resourceType" => self.resource_type = Some(map.next_value()?),
                "entry" => map.next_value_seed(Entries { walk: &mut *self })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct Entries<'w, 'a, 'b> {
    walk: &'w mut Walk<'a, 'b>,
}

impl<'de> DeserializeSeed<'de> for Entries<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Entries<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the Bundle's entries")
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        let mut index = 0_u64;
        while let Some(entry) = seq.next_element::<Value>()? {
            let place = Place::BundleEntry(index);
            index += 1;
            let row = match entry.get("resource") {
                Some(resource) => fhir::row(resource, place),
                None => Row::Bad {
                    place,
                    reason: "This entry has no resource.".to_owned(),
                },
            };
            if let Err(stop) = (self.walk.sink)(row) {
                *self.walk.stopped = Some(stop);
                return Err(de::Error::custom("stopped"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::{Format, Place, ReadError, Row, read};

    fn patient(family: &str, birth: &str) -> serde_json::Value {
        json!({ "resource": { "resourceType": "Patient", "birthDate": birth,
                              "name": [{ "use": "official", "family": family, "given": ["A"] }] } })
    }

    #[test]
    fn patients_among_other_resources_are_read_by_entry_index() {
        let bundle = json!({
            "resourceType": "Bundle", "type": "transaction",
            "meta": { "security": [{ "code": "HTEST" }] },
            "entry": [
                { "fullUrl": "urn:uuid:1", "resource": { "resourceType": "Organization", "name": "Lakeside" } },
                patient("Lopez", "1984-03-14"),
                { "resource": { "resourceType": "Observation", "status": "final" } },
                patient("Silva", "1979"),
                { "request": { "method": "POST" } }
            ],
            "link": [{ "relation": "next", "url": "https://example.org/next" }]
        });
        let mut rows = Vec::new();
        read(
            Format::FhirBundle,
            bundle.to_string().as_bytes(),
            &mut |r| {
                rows.push(r);
                Ok(())
            },
        )
        .expect("readable");
        assert_eq!(rows.len(), 5);
        assert_eq!(
            rows[0],
            Row::Skipped {
                place: Place::BundleEntry(0),
                what: "Organization".to_owned()
            }
        );
        assert!(
            matches!(&rows[1], Row::Patient { place: Place::BundleEntry(1), patient } if patient.last_name == "Lopez")
        );
        assert!(matches!(
            &rows[3],
            Row::Bad {
                place: Place::BundleEntry(3),
                ..
            }
        ));
        assert!(
            matches!(&rows[4], Row::Bad { place: Place::BundleEntry(4), reason } if reason.contains("no resource"))
        );
    }

    #[test]
    fn a_file_that_is_not_a_bundle_is_told_so() {
        let not_json = read(
            Format::FhirBundle,
            &b"{\"resourceType\": \"Bundle\", \"entry\": [ {"[..],
            &mut |_| Ok(()),
        );
        assert!(matches!(not_json, Err(ReadError::NotThisFormat(_))));
        let a_patient = json!({ "resourceType": "Patient", "birthDate": "1984-03-14" }).to_string();
        let said = read(Format::FhirBundle, a_patient.as_bytes(), &mut |_| Ok(()))
            .expect_err("not a bundle")
            .to_string();
        assert!(said.contains("holds a Patient, not a Bundle"), "{said}");
    }

    #[test]
    fn the_sink_can_stop_the_reading() {
        let bundle = json!({ "resourceType": "Bundle", "entry": [patient("Lopez", "1984-03-14"), patient("Silva", "1979-12-31")] });
        let mut seen = 0;
        let stopped = read(
            Format::FhirBundle,
            bundle.to_string().as_bytes(),
            &mut |_| {
                seen += 1;
                Err(ReadError::Stopped)
            },
        );
        assert!(matches!(stopped, Err(ReadError::Stopped)));
        assert_eq!(seen, 1);
    }
}
