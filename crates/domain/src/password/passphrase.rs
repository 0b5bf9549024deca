//! Suggested passphrases: four words drawn at random from the EFF's large word list (see
//! `data/passphrase-words.txt`), offered to people choosing a password so the easy choice is a
//! strong one. A suggestion always passes the rules of `Password::parse` for a single-factor
//! account.
//!
//! Randomness comes in as an argument, so this module stays pure and tests can seed it. It never
//! keeps or logs a suggestion.

use std::sync::LazyLock;

use rand::distr::{Distribution, Uniform};

use super::{Password, PasswordContext};

/// The EFF large word list: `#` comment lines, then one lower-case word (a–z only) per line.
static LIST: &str = include_str!("../../data/passphrase-words.txt");

static WORDS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    LIST.lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

/// Words in a suggestion. Each word adds log2(7,772) ≈ 12.9 bits, so four give about 51.7 bits:
/// some 3.6 × 10^15 passphrases, far beyond online guessing and well above the ~10^8 guesses
/// that zxcvbn's score of 3 stands for. Even the shortest words (three letters) make 15
/// characters with the spaces, the single-factor minimum.
const WORD_COUNT: usize = 4;

/// A draw is refused only when zxcvbn finds a pattern in it (a word repeated, say), which is
/// rare: none of 20,000 random draws was. This many refusals in a row means the random number
/// generator is broken.
const MAX_ATTEMPTS: usize = 64;

/// A passphrase of four words from the EFF large word list, separated by single spaces, each
/// word chosen uniformly and independently with `rng`, e.g. `"maple orbit candle drift"`.
///
/// The result passes `Password::parse` with `PasswordContext::single_factor(&[])`: a draw the
/// rules would refuse is discarded and drawn again. Discarding the rare weak draw costs a
/// negligible fraction of a bit, so the entropy stays about 51.7 bits (4 × log2 7,772). It is
/// not checked against the person's own details, which this function does not know; the caller
/// parses it again with them, as it would any password.
///
/// # Panics
///
/// If 64 draws in a row are refused, which only happens when `rng` is not random (for example,
/// one that returns the same number every time).
pub fn suggest_passphrase(rng: &mut impl rand::Rng) -> String {
    let words = WORDS.as_slice();
    // Uniform samples by rejection, so there is no modulo bias (see `codes::random_chars`).
    let index = Uniform::new(0, words.len()).expect("the passphrase word list is not empty");
    let ctx = PasswordContext::single_factor(&[]);
    for _ in 0..MAX_ATTEMPTS {
        let candidate = (0..WORD_COUNT)
            .map(|_| words[index.sample(rng)])
            .collect::<Vec<_>>()
            .join(" ");
        if Password::parse(&candidate, &ctx).is_ok() {
            return candidate;
        }
    }
    panic!("{MAX_ATTEMPTS} passphrase draws in a row were refused: the RNG is not random");
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    #[test]
    fn list_is_loaded_without_comments_or_odd_characters() {
        assert_eq!(WORDS.len(), 7_772);
        assert!(
            WORDS
                .iter()
                .all(|w| (3..=9).contains(&w.len()) && w.bytes().all(|b| b.is_ascii_lowercase())),
        );
        assert_eq!(WORDS.first(), Some(&"abacus"));
        assert_eq!(WORDS.last(), Some(&"zoom"));
    }

    #[test]
    fn list_has_no_duplicates() {
        let unique: std::collections::HashSet<_> = WORDS.iter().collect();
        assert_eq!(unique.len(), WORDS.len());
    }

    #[test]
    fn same_seed_gives_the_same_suggestion() {
        let a = suggest_passphrase(&mut StdRng::seed_from_u64(42));
        let b = suggest_passphrase(&mut StdRng::seed_from_u64(42));
        assert_eq!(a, b);
    }

    /// A "random" number generator whose bits are all ones, every time. (All zeros would not do:
    /// `Uniform` rejects that draw and would ask again forever.)
    struct Stuck;

    impl rand::RngCore for Stuck {
        fn next_u32(&mut self) -> u32 {
            u32::MAX
        }
        fn next_u64(&mut self) -> u64 {
            u64::MAX
        }
        fn fill_bytes(&mut self, dest: &mut [u8]) {
            dest.fill(u8::MAX);
        }
    }

    #[test]
    #[should_panic(expected = "the RNG is not random")]
    fn a_constant_rng_is_caught_rather_than_looping_forever() {
        // Always the last word: "zoom zoom zoom zoom" is a repeat zxcvbn sees through.
        suggest_passphrase(&mut Stuck);
    }
}
