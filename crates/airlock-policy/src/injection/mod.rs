//! Prompt-injection detection for the `guard` workflow step, which runs
//! before any model sees the input. Two signals:
//!
//! - [`InjectionHeuristics`]: weighted patterns for known attack shapes
//!   (instruction overrides, system-prompt extraction, jailbreak personas,
//!   fake role markers, smuggled instructions, encoding tricks,
//!   exfiltration links) over a normalised text; a score in [0, 1] and the
//!   names of the rules that matched.
//! - the learned detector: an `injection` / `benign` classifier over
//!   sentence embeddings (trained and run outside this crate, which does
//!   no I/O); its calibrated probability of [`INJECTION_LABEL`] is passed
//!   to [`combine`].
//!
//! [`combine`] merges both into the score the engine compares with the
//! step's threshold ([`DEFAULT_THRESHOLD`] unless configured). How the
//! rules, training data and threshold were chosen and measured:
//! docs/injection.md.

mod combine;
mod heuristics;
mod normalize;
mod rules;

pub use combine::{combine, InjectionScore, COMBINATION, MODEL_WEIGHT};
pub use heuristics::{
    noisy_or, HeuristicReport, InjectionHeuristics, BIDI, ENCODED_PAYLOAD, HOMOGLYPHS, LEETSPEAK,
    ZERO_WIDTH,
};
pub use normalize::{normalize, NormalizedText};
pub use rules::{Rule, RULES};

/// Score at or above which a text is treated as an injection attempt,
/// chosen from the evaluation in docs/injection.md.
pub const DEFAULT_THRESHOLD: f64 = 0.5;

/// The learned detector's label for attacks (the other is `benign`).
pub const INJECTION_LABEL: &str = "injection";

/// The learned detector's label for ordinary text.
pub const BENIGN_LABEL: &str = "benign";
