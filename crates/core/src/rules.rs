//! The validity rules both sides of the wire need, written once: the ranges of the Generate parameters
//! (the page's form clamps to them, the server's validation answers 400 outside them, a share link is
//! refused outside them), the range of a model's context length, and what counts as a log-likelihood.
//!
//! A log-likelihood is valid when it is finite, not above [`LOGPROB_TOLERANCE`] (rounding slightly
//! above 0 is tolerated and read as 0), and not below [`MIN_LOGPROB`]: e^−10,000 is far below any
//! probability a model can express in floating point (vLLM's stand-in for −∞, −9,999, still passes), so
//! a lower value is an upstream's garbage, which would otherwise print 300-digit figures and stretch
//! chart axes to infinity.

use std::fmt;
use thiserror::Error;

/// The most a log-likelihood may exceed 0 (rounding) and still count as one; it is then read as 0.
pub const LOGPROB_TOLERANCE: f64 = 1e-6;
/// The lowest log-likelihood accepted (nats). Lower values are refused as absurd.
pub const MIN_LOGPROB: f64 = -1e4;

/// A closed numeric range one Generate parameter (or a model's context length) must lie in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    /// The JSON field's name, as messages quote it.
    pub field: &'static str,
    /// The smallest value allowed.
    pub min: f64,
    /// The largest value allowed.
    pub max: f64,
}

impl Range {
    /// The range of `field`, from `min` to `max` inclusive.
    pub const fn new(field: &'static str, min: f64, max: f64) -> Range {
        Range { field, min, max }
    }

    /// Whether `value` is finite and within the range.
    pub fn contains(&self, value: f64) -> bool {
        value.is_finite() && value >= self.min && value <= self.max
    }

    /// `value` brought into the range (NaN becomes the minimum), as a form does with what was typed.
    pub fn clamp(&self, value: f64) -> f64 {
        if value.is_nan() {
            self.min
        } else {
            value.clamp(self.min, self.max)
        }
    }

    /// `value` brought into the range, as a whole number.
    pub fn clamp_u32(&self, value: f64) -> u32 {
        self.clamp(value).round() as u32
    }

    /// Ok when `value` is within the range, otherwise the error naming the field and the range.
    pub fn check(&self, value: f64) -> Result<(), RangeError> {
        if self.contains(value) {
            Ok(())
        } else {
            Err(RangeError {
                range: *self,
                value,
            })
        }
    }
}

/// Generate requests in one `POST /v1/generate/batch` at most: the server's 400 above it, and the
/// page's batch size (`src/api/batch.rs`).
pub const MAX_BATCH_REQUESTS: usize = 64;
/// Tokens generated after the prompt (never scored).
pub const MAX_TOKENS: Range = Range::new("max_tokens", 0.0, 4096.0);
/// Generations per request, as at Cohere.
pub const NUM_GENERATIONS: Range = Range::new("num_generations", 1.0, 5.0);
/// Sampling temperature.
pub const TEMPERATURE: Range = Range::new("temperature", 0.0, 5.0);
/// Top-k sampling (0 = off).
pub const K: Range = Range::new("k", 0.0, 500.0);
/// Nucleus sampling mass.
pub const P: Range = Range::new("p", 0.0, 1.0);
/// The `top_logprobs` extension: how many of the most likely tokens (with their ids) an answer lists at
/// each position, for the whole-distribution figures ([`crate::comparison::distribution`]). 20 is vLLM's default
/// `--max-logprobs`, the page's default K, and what the embedded models answer at a few times the cost
/// of plain scoring (docs/distribution.md).
pub const TOP_LOGPROBS: Range = Range::new("top_logprobs", 1.0, 20.0);
/// The page's (and `likely eval`'s) K when the compared models share a tokenizer.
pub const DEFAULT_TOP_LOGPROBS: u32 = 20;
/// A model's context length in tokens: below 16 no window holds a useful prompt (and the page would
/// send a request per couple of bytes); above 100 million no model exists.
pub const CONTEXT_LENGTH: Range = Range::new("context_length", 16.0, 1e8);

/// The most stop sequences one request may carry, as at Cohere.
pub const MAX_STOP_SEQUENCES: usize = 5;
/// The longest stop sequence, in characters.
pub const MAX_STOP_SEQUENCE_CHARS: usize = 100;

/// Stop sequences a request may not carry.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StopSequencesError {
    /// More than [`MAX_STOP_SEQUENCES`].
    #[error("`stop_sequences` holds {0} sequences; at most {MAX_STOP_SEQUENCES} are allowed")]
    TooMany(usize),
    /// An empty sequence (it would stop before the first token).
    #[error("`stop_sequences` holds an empty sequence")]
    Empty,
    /// A sequence longer than [`MAX_STOP_SEQUENCE_CHARS`].
    #[error(
        "a stop sequence is {0} characters long; at most {MAX_STOP_SEQUENCE_CHARS} are allowed"
    )]
    TooLong(usize),
}

/// Ok when `stops` may be sent: at most [`MAX_STOP_SEQUENCES`], each 1 to
/// [`MAX_STOP_SEQUENCE_CHARS`] characters.
pub fn check_stop_sequences(stops: &[String]) -> Result<(), StopSequencesError> {
    if stops.len() > MAX_STOP_SEQUENCES {
        return Err(StopSequencesError::TooMany(stops.len()));
    }
    stops
        .iter()
        .try_for_each(|stop| match stop.chars().count() {
            0 => Err(StopSequencesError::Empty),
            n if n > MAX_STOP_SEQUENCE_CHARS => Err(StopSequencesError::TooLong(n)),
            _ => Ok(()),
        })
}

/// A value outside its [`Range`].
#[derive(Debug, Clone, Copy, PartialEq, Error)]
#[error("`{field}` is {value}; it must be {min} to {max}", field = range.field, min = range.min, max = range.max)]
pub struct RangeError {
    /// The range broken.
    pub range: Range,
    /// The value given.
    pub value: f64,
}

/// A value that is not a log-likelihood.
#[derive(Debug, Clone, Copy, PartialEq, Error)]
pub struct LogprobError {
    /// The value given.
    pub value: f64,
}

impl fmt::Display for LogprobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = if self.value.is_nan() || self.value > LOGPROB_TOLERANCE {
            "not a log-likelihood (a finite number at or below 0)".to_string()
        } else {
            format!("not a plausible log-likelihood (at least {MIN_LOGPROB})")
        };
        // A short form of absurd magnitudes: no 300-digit numbers in a message.
        write!(f, "{:e} is {why}", self.value)
    }
}

/// The log-likelihood `value` as it should be used (rounding above 0 read as 0), or why it is not one.
pub fn logprob(value: f64) -> Result<f64, LogprobError> {
    if value.is_finite() && (MIN_LOGPROB..=LOGPROB_TOLERANCE).contains(&value) {
        Ok(value.min(0.0))
    } else {
        Err(LogprobError { value })
    }
}

/// [`logprob`] of an optional value: `None` stays `None`.
pub fn optional_logprob(value: Option<f64>) -> Result<Option<f64>, LogprobError> {
    value.map(logprob).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_logprob_is_finite_not_positive_and_not_absurd() {
        assert_eq!(logprob(-2.5), Ok(-2.5));
        assert_eq!(logprob(0.0), Ok(0.0));
        assert_eq!(logprob(5e-7), Ok(0.0), "rounding above 0 reads as 0");
        assert_eq!(
            logprob(-9999.0),
            Ok(-9999.0),
            "vLLM's stand-in for −∞ passes"
        );
        assert_eq!(logprob(MIN_LOGPROB), Ok(MIN_LOGPROB));
        for bad in [
            1e-3,
            0.5,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -1e308,
            -10_000.5,
        ] {
            assert!(logprob(bad).is_err(), "{bad} passed");
        }
        assert_eq!(optional_logprob(None), Ok(None));
    }

    #[test]
    fn absurd_values_are_named_briefly() {
        let message = logprob(-1e308).unwrap_err().to_string();
        assert!(message.len() < 80, "{message}");
        assert!(
            message.contains("-1e308") && message.contains("plausible"),
            "{message}"
        );
        let message = logprob(0.5).unwrap_err().to_string();
        assert!(message.contains("not a log-likelihood"), "{message}");
    }

    #[test]
    fn stop_sequences_are_few_short_and_not_empty() {
        let list = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(check_stop_sequences(&[]).is_ok());
        assert!(check_stop_sequences(&list(&["\n", "."])).is_ok());
        assert_eq!(
            check_stop_sequences(&list(&["a"; 6])),
            Err(StopSequencesError::TooMany(6))
        );
        assert_eq!(
            check_stop_sequences(&list(&[""])),
            Err(StopSequencesError::Empty)
        );
        let long = "é".repeat(101);
        assert_eq!(
            check_stop_sequences(&[long]),
            Err(StopSequencesError::TooLong(101))
        );
    }

    #[test]
    fn ranges_check_and_clamp() {
        assert!(MAX_TOKENS.contains(4096.0) && !MAX_TOKENS.contains(4097.0));
        assert_eq!(MAX_TOKENS.clamp_u32(1e9), 4096);
        assert_eq!(K.clamp_u32(-3.0), 0);
        assert_eq!(P.clamp(f64::NAN), 0.0);
        assert!(!TEMPERATURE.contains(f64::INFINITY));
        assert!(NUM_GENERATIONS.check(0.0).is_err());
        let message = P.check(1.5).unwrap_err().to_string();
        assert_eq!(message, "`p` is 1.5; it must be 0 to 1");
        assert!(CONTEXT_LENGTH.check(0.0).is_err() && CONTEXT_LENGTH.check(4096.0).is_ok());
    }
}
