//! Finding people staff invited by what the front desk has at hand: part of a name, an email
//! address or a phone number, typed without accents or capitals ("emile" finds "Émile").
//!
//! Both databases must answer a search alike, and SQLite's `lower()` folds ASCII only. So the
//! folding happens here, once, on each side: [`terms`] gives the words an invitation is found by
//! (stored beside it), [`SearchQuery::parse`] the words a search looks for, both through
//! [`fold`]. The databases then only compare bytes: a needle matches a term that starts with it.

use std::fmt;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::{PhoneNumber, TextLimit};

/// Lower case, compatibility forms spelled out (full-width letters and digits, ligatures), accents
/// dropped: "Émile" and "EMILE" both fold to "emile", "Ｌópez" to "lopez".
pub fn fold(text: &str) -> String {
    text.to_lowercase()
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .collect()
}

/// Marks a contact point stored whole (an email address or username as written, folded): only a
/// needle that looks like one ([`Needle::contact`]) is looked for among them, so a name typed
/// in a search ("maria") does not also walk every address that starts with it.
pub const CONTACT_TAG: char = '@';

/// The terms an invitation is found by: each word of its names, without the punctuation inside
/// it and piece by piece ("O'Brien" is found by "obrien", "Mary-Jane" by "jane"); the pieces of
/// its email address's local part and of its username, split at punctuation and between letters
/// and digits ("emile.zola42@…" by "zola"); its email address and username whole, tagged with
/// [`CONTACT_TAG`]; and its phone number's digits whole, without the country code, and the last
/// seven and last four (a needle matches the start of a term, so "555-0123" finds
/// +1 415 555 0123). Sorted, without repeats.
pub fn terms(
    first_name: &str,
    last_name: &str,
    email: Option<&str>,
    username: Option<&str>,
    phone: Option<&PhoneNumber>,
) -> Vec<String> {
    let mut terms = Vec::new();
    // A search word loses its punctuation, so names are found without it too.
    for word in [first_name, last_name].into_iter().flat_map(|w| {
        fold(w)
            .split_whitespace()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    }) {
        let pieces: Vec<&str> = word
            .split(|c: char| !c.is_alphanumeric())
            .filter(|p| !p.is_empty())
            .collect();
        terms.push(pieces.concat());
        if pieces.len() > 1 {
            // A lone letter ("O" of O'Brien) would only repeat what the whole word's term finds.
            terms.extend(
                pieces
                    .iter()
                    .filter(|p| p.chars().count() > 1)
                    .map(|p| (*p).to_owned()),
            );
        }
    }
    // An address's pieces find it by the name it usually spells ("garcia" in "maria.garcia1");
    // typed whole, with its dots and digits, it is looked for among the tagged contact points.
    let local_part = email.map(|e| e.split('@').next().unwrap_or_default());
    for written in [local_part, username].into_iter().flatten() {
        terms.extend(
            letter_and_digit_runs(&fold(written))
                .into_iter()
                .filter(|p| p.chars().count() > 1),
        );
    }
    for contact in [email, username]
        .into_iter()
        .flatten()
        .filter(|c| !c.is_empty())
    {
        terms.push(format!("{CONTACT_TAG}{}", fold(contact)));
    }
    if let Some(phone) = phone {
        let digits = &phone.as_e164()[1..];
        terms.push(digits.to_owned());
        terms.push(phone.national_digits().to_owned());
        // Invariant: the digits are ASCII, so any byte index is a character boundary.
        for last in [7, 4] {
            terms.push(digits[digits.len().saturating_sub(last)..].to_owned());
        }
    }
    terms.retain(|t| !t.is_empty());
    terms.sort();
    terms.dedup();
    terms
}

/// The runs of letters and of digits in `text`: "maria.garcia42" gives "maria", "garcia", "42".
fn letter_and_digit_runs(text: &str) -> Vec<String> {
    let mut runs: Vec<String> = Vec::new();
    let mut last_was_digit = None;
    for c in text.chars() {
        if !c.is_alphanumeric() {
            last_was_digit = None;
            continue;
        }
        let is_digit = c.is_numeric();
        match runs.last_mut() {
            Some(run) if last_was_digit == Some(is_digit) => run.push(c),
            _ => runs.push(c.to_string()),
        }
        last_was_digit = Some(is_digit);
    }
    runs
}

/// The key the list sorts by last name with: the folded last name, then the folded first name
/// (after a separator that sorts before any letter, so "Li, Zoe" comes before "Lian, Al").
pub fn sort_name(first_name: &str, last_name: &str) -> String {
    format!("{}\u{1}{}", fold(last_name), fold(first_name))
}

/// Why a search was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    #[error("Search with at most {max} characters.")]
    TooLong { max: usize },
    #[error("Search with at most {max} words.")]
    TooManyWords { max: usize },
}

/// One word of a search: the starts of terms it looks for, any of which matches.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Needle {
    /// Among names, address pieces and phone digits: the word without its punctuation.
    pub word: Option<String>,
    /// Among whole email addresses and usernames (tagged with [`CONTACT_TAG`]), as typed.
    pub contact: Option<String>,
}

impl Needle {
    /// The starts of terms this needle matches, one or two.
    pub fn prefixes(&self) -> Vec<String> {
        [self.word.clone(), self.contact.clone()]
            .into_iter()
            .flatten()
            .collect()
    }

    fn len(&self) -> usize {
        self.word
            .as_deref()
            .or(self.contact.as_deref())
            .map_or(0, |w| w.chars().count())
    }
}

/// What a search looks for: one to [`SearchQuery::MAX_WORDS`] needles, each folded; an
/// invitation matches when every needle starts one of its [`terms`].
#[derive(Clone, PartialEq, Eq)]
pub struct SearchQuery {
    needles: Vec<Needle>,
}

impl SearchQuery {
    /// Enough for a full name, or a name and a phone number's last digits.
    pub const MAX_WORDS: usize = 4;
    pub const LIMIT: TextLimit = TextLimit {
        typed: 200,
        told: 200,
    };

    /// Reads a search as typed; `None` when it is blank. Text made only of digits and the
    /// characters phone numbers are written with ("(555) 555-0123", "+1 555…") looks for those
    /// digits as one number. Otherwise each word is folded: a word with an `@` looks for an email
    /// address as typed; a word of letters only, or of digits only, for a name or a piece of an
    /// address; any other ("o'brien", "maria.garcia1") for both: without its punctuation among
    /// the words, and as typed among the addresses. A word of punctuation only is looked for as
    /// it is, and so finds nothing.
    pub fn parse(input: &str) -> Result<Option<SearchQuery>, SearchError> {
        if SearchQuery::LIMIT.exceeded_by(input) {
            return Err(SearchError::TooLong {
                max: SearchQuery::LIMIT.told,
            });
        }
        let folded = fold(input);
        if folded.trim().is_empty() {
            return Ok(None);
        }
        let is_phone_char = |c: char| c.is_ascii_digit() || " -().+/".contains(c);
        if folded.chars().all(is_phone_char) && folded.chars().any(|c| c.is_ascii_digit()) {
            let digits: String = folded.chars().filter(char::is_ascii_digit).collect();
            return Ok(Some(SearchQuery {
                needles: vec![Needle {
                    word: Some(digits),
                    contact: None,
                }],
            }));
        }
        let mut needles: Vec<Needle> = Vec::new();
        for word in folded.split_whitespace() {
            let contact = Some(format!("{CONTACT_TAG}{word}"));
            let letters: String = word.chars().filter(|c| c.is_alphanumeric()).collect();
            let plain = word.chars().all(char::is_alphabetic) || word.chars().all(char::is_numeric);
            let needle = if word.contains('@') {
                Needle {
                    word: None,
                    contact,
                }
            } else if letters.is_empty() {
                Needle {
                    word: Some(word.to_owned()),
                    contact: None,
                }
            } else if plain {
                Needle {
                    word: Some(letters),
                    contact: None,
                }
            } else {
                Needle {
                    word: Some(letters),
                    contact,
                }
            };
            if !needles.contains(&needle) {
                needles.push(needle);
            }
        }
        if needles.len() > SearchQuery::MAX_WORDS {
            return Err(SearchError::TooManyWords {
                max: SearchQuery::MAX_WORDS,
            });
        }
        Ok(Some(SearchQuery { needles }))
    }

    /// The needles, longest first: the longest is likely the rarest, so a search walks its
    /// matches and checks the others against them.
    pub fn needles(&self) -> Vec<&Needle> {
        let mut needles: Vec<&Needle> = self.needles.iter().collect();
        needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        needles
    }
}

impl fmt::Debug for SearchQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // What staff search for is often a patient's name or number.
        write!(f, "SearchQuery({} needles)", self.needles.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each needle's prefixes, joined with " | ".
    fn needles(q: &str) -> Vec<String> {
        SearchQuery::parse(q)
            .unwrap()
            .map(|q| {
                q.needles()
                    .iter()
                    .map(|n| n.prefixes().join(" | "))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn case_and_accents_fold_alike() {
        assert_eq!(fold("Émile"), "emile");
        assert_eq!(fold("LÓPEZ"), "lopez");
        assert_eq!(fold("Ｍüller"), "muller");
        assert_eq!(fold("İpek"), "ipek");
        assert_eq!(fold("Nguyễn"), "nguyen");
    }

    #[test]
    fn an_invitation_is_found_by_its_name_words_contact_points_and_phone_digits() {
        let phone = PhoneNumber::parse("+1 415 555 0123", None).unwrap();
        let terms = terms(
            "Mary-Jane",
            "O'Brien López",
            Some("MJ@Example.org"),
            None,
            Some(&phone),
        );
        for t in [
            "maryjane",
            "mary",
            "jane",
            "obrien",
            "lopez",
            "@mj@example.org",
            "mj",
            "14155550123",
            "4155550123",
            "5550123",
            "0123",
        ] {
            assert!(terms.contains(&t.to_owned()), "{t} in {terms:?}");
        }
        assert!(!terms.contains(&"o".to_owned()), "{terms:?}");
    }

    #[test]
    fn an_address_is_found_by_its_pieces_and_whole_but_not_by_their_run_together() {
        let terms = terms(
            "Maria",
            "Garcia",
            Some("Maria.Garcia42@example.org"),
            Some("mgarcia7"),
            None,
        );
        assert_eq!(
            terms,
            [
                "42",
                "@maria.garcia42@example.org",
                "@mgarcia7",
                "garcia",
                "maria",
                "mgarcia"
            ],
            "one term per piece: a name needle meets each invitation once, not once per address"
        );
    }

    #[test]
    fn searches_read_names_emails_and_phone_numbers() {
        assert_eq!(needles("  Émile  "), ["emile"]);
        assert_eq!(needles("(555) 555-0123"), ["5555550123"]);
        assert_eq!(needles("555-0123"), ["5550123"]);
        assert_eq!(needles("Maria.Lo@Example"), ["@maria.lo@example"]);
        assert_eq!(needles("o'brien maría"), ["obrien | @o'brien", "maria"]);
        assert_eq!(
            needles("maria.garcia4"),
            ["mariagarcia4 | @maria.garcia4"],
            "an address typed without its domain is looked for as typed among the addresses"
        );
        assert_eq!(needles("%"), ["%"]);
        assert!(SearchQuery::parse("   ").unwrap().is_none());
        assert_eq!(
            SearchQuery::parse("a b c d e"),
            Err(SearchError::TooManyWords { max: 4 })
        );
        assert!(SearchQuery::parse(&"x".repeat(201)).is_err());
    }

    #[test]
    fn last_names_sort_before_first_names() {
        assert!(sort_name("Zoe", "Li") < sort_name("Al", "Lian"));
        assert_eq!(sort_name("Émile", "Zola"), "zola\u{1}emile");
    }
}
