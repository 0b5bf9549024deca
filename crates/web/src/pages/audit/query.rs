//! The audit log's filters in the page's address: read leniently (the first of a repeated
//! parameter counts, unknown ones are ignored, blank ones are none), and written back for the
//! links that keep them: the pages before and after, the people to choose from, the export.

use portico_core::audit::{Person, PersonKind, TrailQuery};

pub(super) const PATH: &str = "/staff/audit";
pub(super) const EXPORT_PATH: &str = "/staff/audit/export";

/// The filters of a query string; never fails, so no address breaks the page before core reads it.
pub(super) fn read(raw: &str) -> TrailQuery {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw).unwrap_or_default();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.trim().is_empty())
    };
    TrailQuery {
        who: get("who"),
        what: get("what"),
        patient: get("patient"),
        invitation: get("invitation"),
        patient_name: get("patient_name"),
        from: get("from"),
        to: get("to"),
        older: get("older"),
        newer: get("newer"),
    }
}

/// The query as asked, without its page, narrowed to `about` in place of a typed name (so the
/// links of a page keep the person it shows, not a search that might find someone else later).
pub(super) fn filters(query: &TrailQuery, about: Option<&Person>) -> Vec<(&'static str, String)> {
    let mut pairs: Vec<(&'static str, String)> = [
        ("who", &query.who),
        ("what", &query.what),
        ("from", &query.from),
        ("to", &query.to),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.clone().map(|v| (k, v)))
    .collect();
    match about {
        Some(person) => pairs.push((person_parameter(person.kind), person.id.clone())),
        None => {
            let typed = [
                ("patient_name", &query.patient_name),
                ("patient", &query.patient),
                ("invitation", &query.invitation),
            ];
            pairs.extend(
                typed
                    .into_iter()
                    .filter_map(|(k, v)| v.clone().map(|v| (k, v))),
            );
        }
    }
    pairs
}

pub(super) fn person_parameter(kind: PersonKind) -> &'static str {
    match kind {
        PersonKind::Patient => "patient",
        PersonKind::Invitation => "invitation",
    }
}

/// `path` with `pairs` and, when given, one more (a page's cursor, a chosen person).
pub(super) fn address(
    path: &str,
    pairs: &[(&'static str, String)],
    more: Option<(&str, &str)>,
) -> String {
    let mut all: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    all.extend(more);
    match serde_urlencoded::to_string(&all).unwrap_or_default() {
        q if q.is_empty() => path.to_owned(),
        q => format!("{path}?{q}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_reads_leniently_and_keeps_the_person_not_the_search() {
        let q = read("who=staff%3Aabc&who=other&what=&patient_name=maria&bogus=1");
        assert_eq!(q.who.as_deref(), Some("staff:abc"));
        assert_eq!(q.what, None);
        let maria = Person {
            kind: PersonKind::Patient,
            id: "p1".into(),
            name: "Maria Lopez".into(),
            since: String::new(),
        };
        let pairs = filters(&q, Some(&maria));
        assert_eq!(
            address(PATH, &pairs, Some(("older", "42"))),
            "/staff/audit?who=staff%3Aabc&patient=p1&older=42"
        );
        assert_eq!(
            address(PATH, &filters(&q, None), None),
            "/staff/audit?who=staff%3Aabc&patient_name=maria"
        );
    }
}
