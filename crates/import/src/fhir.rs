//! A FHIR R4 resource, read into a row: a `Patient` into its fields, anything else skipped by
//! its type. Real exports bend the specification (a `family` as a list, a `suffix` as a string,
//! `"true"` as a string), so each field is read leniently from the JSON value and only what an
//! invitation needs is read at all: extensions, addresses, photos and the like are never looked at.

use serde_json::Value;

use crate::{FoundPatient, Place, Row};

/// The `type` coding of a medical record number (v2 table 0203), with its pre-R4 spelling.
const MR_SYSTEMS: &[&str] = &[
    "http://terminology.hl7.org/CodeSystem/v2-0203",
    "http://hl7.org/fhir/v2/0203",
];

pub(crate) fn row(resource: &Value, place: Place) -> Row {
    let kind = resource["resourceType"].as_str().unwrap_or_default();
    if kind.is_empty() {
        return Row::Bad {
            place,
            reason: "This is not a FHIR resource (it has no resourceType).".to_owned(),
        };
    }
    if kind != "Patient" {
        return Row::Skipped {
            place,
            what: kind.to_owned(),
        };
    }
    if let Some(why) = never_invited(resource) {
        return Row::Skipped {
            place,
            what: format!("Patient ({why})"),
        };
    }
    let Some(name) = name(resource) else {
        return Row::Bad {
            place,
            reason: "The patient has no name.".to_owned(),
        };
    };
    let birth_date = resource["birthDate"].as_str().unwrap_or_default().trim();
    if birth_date.is_empty() {
        return Row::Bad {
            place,
            reason: "The patient has no birthDate.".to_owned(),
        };
    }
    // `1980` and `1980-05` are dates in FHIR; an invitation needs the day, which the patient
    // proves at redemption: never guessed.
    if birth_date.len() < 10 && birth_date.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return Row::Bad {
            place,
            reason: format!(
                "The birthDate {birth_date} is partial: an invitation needs the full date of birth."
            ),
        };
    }
    Row::Patient {
        place,
        patient: FoundPatient {
            first_name: name.0,
            last_name: name.1,
            birth_date: birth_date.to_owned(),
            email: contact(resource, |system, _| system == "email"),
            phone: contact(resource, |system, usage| {
                system == "sms" || (system == "phone" && usage == "mobile")
            }),
            external_id: medical_record_number(resource),
            language: language(resource),
        },
    }
}

/// A patient who must never get an invitation: inactive, deceased, or merged into another.
fn never_invited(resource: &Value) -> Option<&'static str> {
    if flag(&resource["active"]) == Some(false) {
        return Some("inactive");
    }
    if flag(&resource["deceasedBoolean"]) == Some(true) || resource["deceasedDateTime"].is_string()
    {
        return Some("deceased");
    }
    let replaced = list(&resource["link"])
        .iter()
        .any(|l| l["type"].as_str() == Some("replaced-by"));
    replaced.then_some("merged into another record")
}

/// `true`, `false`, or the same as a string (seen in older exports).
fn flag(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// A list, or a single value read as a list of one.
fn list(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        one => vec![one],
    }
}

/// Strings of a string-or-list field, trimmed, blank ones left out.
fn strings(value: &Value) -> Vec<String> {
    list(value)
        .into_iter()
        .filter_map(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Whether a period has ended (an end date is given, so the entry is history).
fn ended(entry: &Value) -> bool {
    entry["period"]["end"].is_string()
}

/// First and last name: the official name, else the usual one, else the first not out of use;
/// every given name as the first name ("María José").
fn name(resource: &Value) -> Option<(String, String)> {
    let names: Vec<&Value> = list(&resource["name"])
        .into_iter()
        .filter(|n| !matches!(n["use"].as_str(), Some("old" | "maiden" | "anonymous")))
        .filter(|n| !ended(n))
        .collect();
    let pick = names
        .iter()
        .find(|n| n["use"].as_str() == Some("official"))
        .or_else(|| names.iter().find(|n| n["use"].as_str() == Some("usual")))
        .or_else(|| names.first())?;
    let given = strings(&pick["given"]).join(" ");
    let family = strings(&pick["family"]).join(" ");
    match (given.is_empty(), family.is_empty()) {
        (false, false) => Some((given, family)),
        _ => None,
    }
}

/// The best contact point of a kind: not out of use, by `rank` (1 first), then in order.
fn contact(resource: &Value, wanted: impl Fn(&str, &str) -> bool) -> Option<String> {
    let mut found: Vec<(u64, usize, String)> = list(&resource["telecom"])
        .into_iter()
        .enumerate()
        .filter(|(_, t)| {
            let usage = t["use"].as_str().unwrap_or_default();
            usage != "old" && !ended(t) && wanted(t["system"].as_str().unwrap_or_default(), usage)
        })
        .filter_map(|(i, t)| {
            let value = t["value"].as_str()?.trim();
            let value = value
                .strip_prefix("mailto:")
                .or_else(|| value.strip_prefix("tel:"))
                .unwrap_or(value);
            (!value.is_empty())
                .then(|| (t["rank"].as_u64().unwrap_or(u64::MAX), i, value.to_owned()))
        })
        .collect();
    found.sort();
    found.into_iter().next().map(|(_, _, v)| v)
}

/// The medical record number: an identifier typed `MR` (by coding, or by text as some EHRs send
/// it), not out of use. Other identifiers (social security, licences) are never read.
fn medical_record_number(resource: &Value) -> Option<String> {
    list(&resource["identifier"])
        .into_iter()
        .filter(|id| id["use"].as_str() != Some("old") && !ended(id))
        .find(|id| {
            let coded = list(&id["type"]["coding"]).into_iter().any(|c| {
                c["code"].as_str() == Some("MR")
                    && c["system"].as_str().is_some_and(|s| {
                        MR_SYSTEMS.iter().any(|m| {
                            s.trim_start_matches("https://") == m.trim_start_matches("http://")
                        }) || MR_SYSTEMS.contains(&s)
                    })
            });
            let by_text = id["type"]["text"].as_str().is_some_and(|t| {
                ["mr", "mrn", "medical record number"].contains(&t.trim().to_lowercase().as_str())
            });
            coded || by_text
        })
        .and_then(|id| {
            let value = id["value"].as_str()?.trim();
            (!value.is_empty()).then(|| value.to_owned())
        })
}

/// The language the patient prefers: the `preferred` communication, else the first, as its primary
/// subtag (`es-MX` → `es`); three-letter codes of older systems and a few names are read too.
fn language(resource: &Value) -> Option<String> {
    let all = list(&resource["communication"]);
    let chosen = all
        .iter()
        .find(|c| flag(&c["preferred"]) == Some(true))
        .or_else(|| all.first())?;
    let code = list(&chosen["language"]["coding"])
        .into_iter()
        .find_map(|c| c["code"].as_str())
        .or_else(|| chosen["language"]["text"].as_str())?;
    let primary = code
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_lowercase();
    let primary = match primary.as_str() {
        "spa" | "spanish" | "español" | "espanol" => "es".to_owned(),
        "eng" | "english" => "en".to_owned(),
        _ => primary,
    };
    (!primary.is_empty()).then_some(primary)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::row;
    use crate::{Place, Row};

    const AT: Place = Place::BundleEntry(3);

    fn maria() -> serde_json::Value {
        json!({
            "resourceType": "Patient", "active": true,
            "extension": [{ "url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex", "valueCode": "F" }],
            "identifier": [
                { "type": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "SS" }] },
                  "system": "http://hl7.org/fhir/sid/us-ssn", "value": "999-12-3456" },
                { "use": "old", "type": { "text": "MRN" }, "value": "OLD-1" },
                { "type": { "coding": [
                    { "system": "https://fhir.cerner.com/x/codeSet/4", "code": "2" },
                    { "system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR" } ] },
                  "system": "urn:oid:1.2.3", "value": " 0012345 " }
            ],
            "name": [
                { "use": "maiden", "family": "Vega", "given": ["María"] },
                { "use": "usual", "given": ["Majo"], "family": "García" },
                { "use": "official", "family": ["García", "López"], "given": ["María", "José"],
                  "prefix": ["Mrs."], "suffix": "Jr." }
            ],
            "telecom": [
                { "system": "phone", "value": "608-271-9000", "use": "home" },
                { "system": "phone", "value": "(608) 555-0199", "use": "mobile", "rank": 2 },
                { "system": "sms", "value": "tel:+16085550101", "rank": 1 },
                { "system": "email", "value": "old@example.org", "use": "old" },
                { "system": "email", "value": "maria@example.org" }
            ],
            "birthDate": "1980-05-17",
            "communication": [
                { "language": { "coding": [{ "system": "urn:ietf:bcp:47", "code": "en-US" }] } },
                { "language": { "coding": [{ "system": "urn:ietf:bcp:47", "code": "es-MX" }] }, "preferred": "true" }
            ]
        })
    }

    #[test]
    fn a_patient_reads_as_the_invitation_needs_it() {
        let Row::Patient { place, patient } = row(&maria(), AT) else {
            panic!("a patient");
        };
        assert_eq!(place, AT);
        assert_eq!(patient.first_name, "María José");
        assert_eq!(patient.last_name, "García López");
        assert_eq!(patient.birth_date, "1980-05-17");
        assert_eq!(
            patient.phone.as_deref(),
            Some("+16085550101"),
            "the first-ranked mobile"
        );
        assert_eq!(
            patient.email.as_deref(),
            Some("maria@example.org"),
            "not the old one"
        );
        assert_eq!(
            patient.external_id.as_deref(),
            Some("0012345"),
            "the MR, never the SSN"
        );
        assert_eq!(patient.language.as_deref(), Some("es"));
    }

    #[test]
    fn a_partial_birth_date_is_refused_never_guessed() {
        let mut partial = maria();
        partial["birthDate"] = json!("1980-05");
        let Row::Bad { reason, .. } = row(&partial, AT) else {
            panic!("refused");
        };
        assert!(reason.contains("1980-05 is partial"), "{reason}");
    }

    #[test]
    fn deceased_inactive_and_merged_patients_and_other_resources_are_skipped() {
        for (field, value, why) in [
            ("deceasedBoolean", json!(true), "Patient (deceased)"),
            (
                "deceasedDateTime",
                json!("2020-01-01"),
                "Patient (deceased)",
            ),
            ("active", json!(false), "Patient (inactive)"),
            (
                "link",
                json!([{ "type": "replaced-by" }]),
                "Patient (merged into another record)",
            ),
        ] {
            let mut p = maria();
            p[field] = value;
            assert_eq!(
                row(&p, AT),
                Row::Skipped {
                    place: AT,
                    what: why.to_owned()
                }
            );
        }
        let obs = json!({ "resourceType": "Observation", "status": "final" });
        assert_eq!(
            row(&obs, AT),
            Row::Skipped {
                place: AT,
                what: "Observation".to_owned()
            }
        );
    }

    #[test]
    fn an_epic_style_record_with_text_typed_ids_and_no_contact_points() {
        let epic = json!({
            "resourceType": "Patient",
            "identifier": [{ "type": { "text": "EPI" }, "value": "E1" },
                           { "type": { "text": "MRN" }, "value": "203177" }],
            "name": [{ "use": "official", "family": "Nguyen", "given": ["Lan"] }],
            "birthDate": "1955-11-30",
            "communication": [{ "language": { "text": "Spanish" } }]
        });
        let Row::Patient { patient, .. } = row(&epic, AT) else {
            panic!("a patient");
        };
        assert_eq!(patient.external_id.as_deref(), Some("203177"));
        assert_eq!((patient.email, patient.phone), (None, None));
        assert_eq!(patient.language.as_deref(), Some("es"));
    }
}
