//! How long a typed field may be. Every type that parses outside input states its limit here, so
//! the web edge can refuse an over-long field before any work is done on it, with the same numbers
//! the type itself applies.

/// The length limits of one kind of field, in characters (Unicode code points).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextLimit {
    /// The most characters accepted as typed, before trimming, folding whitespace or normalising:
    /// longer input cannot become valid, so it is refused without looking further.
    pub typed: usize,
    /// The limit a person is told ("Use at most … characters"): what the rules count after cleaning.
    pub told: usize,
}

impl TextLimit {
    /// Whether `input` is longer than may be typed. Counting stops one past the limit, so an
    /// enormous input costs no more than a short one.
    pub fn exceeded_by(self, input: &str) -> bool {
        input.chars().nth(self.typed).is_some()
    }
}
