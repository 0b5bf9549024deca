//! How JSON numbers are read where a whole number is wanted. JSON has one kind of number, so `62`
//! and `62.0` are the same value, and JSON Schema calls both an integer; serde alone would refuse
//! `62.0` for an `i64`. Fields documented as integers read both, and still refuse `62.5`.

use std::fmt;

use serde::Deserializer;
use serde::de::{self, Visitor};

/// Reads a whole number written as `62` or `62.0`.
pub fn whole_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    deserializer.deserialize_any(WholeNumber)
}

/// Reads an optional whole number (`null` or absent is `None`).
pub fn optional_whole_number<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<i64>, D::Error> {
    deserializer.deserialize_option(OptionalWholeNumber)
}

/// 2^53: every whole number below it has an exact `f64`.
const MAX_EXACT: f64 = 9_007_199_254_740_992.0;

struct WholeNumber;

impl Visitor<'_> for WholeNumber {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a whole number")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
        // serde_json also hands over integers too large for an i64 as floats, rounded: only
        // floats that hold a whole number exactly (below 2^53) are taken.
        let whole = v.fract() == 0.0 && v.abs() < MAX_EXACT;
        if whole {
            Ok(v as i64)
        } else {
            Err(E::invalid_value(de::Unexpected::Float(v), &self))
        }
    }
}

struct OptionalWholeNumber;

impl<'de> Visitor<'de> for OptionalWholeNumber {
    type Value = Option<i64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a whole number or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<i64>, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<i64>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<i64>, D::Error> {
        whole_number(d).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Days {
        #[serde(deserialize_with = "super::whole_number")]
        days: i64,
        #[serde(default, deserialize_with = "super::optional_whole_number")]
        version: Option<i64>,
    }

    fn read(json: &str) -> Result<(i64, Option<i64>), serde_json::Error> {
        serde_json::from_str::<Days>(json).map(|d| (d.days, d.version))
    }

    #[test]
    fn a_whole_number_may_be_written_with_a_fraction_of_zero() {
        assert_eq!(read(r#"{"days": 62}"#).unwrap(), (62, None));
        assert_eq!(
            read(r#"{"days": 62.0, "version": 3.0}"#).unwrap(),
            (62, Some(3))
        );
        assert_eq!(
            read(r#"{"days": -1e3, "version": null}"#).unwrap(),
            (-1000, None)
        );
    }

    #[test]
    fn fractions_text_and_numbers_out_of_range_are_refused() {
        for bad in [
            r#"{"days": 62.5}"#,
            r#"{"days": "62"}"#,
            r#"{"days": 1e300}"#,
            r#"{"days": 18446744073709551615}"#,
            r#"{"days": -9223372036854775809}"#,
            r#"{"days": 1, "version": 0.5}"#,
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }
}
