//! Errors: a missing or unreadable GGUF (with the command that fetches it), a run that was stopped,
//! bad input, and failures inside candle.

use std::path::PathBuf;

/// The script that installs the SmolLM2 weights; named in every "file missing or corrupt" message.
pub const FETCH_COMMAND: &str = "scripts/fetch-smollm2.sh";

pub use likely_lm_types::Stopped;

/// Everything that can go wrong loading or running the model.
#[derive(Debug, thiserror::Error)]
pub enum LmError {
    /// The weights file is not there.
    #[error("the SmolLM2 weights are missing: {path} does not exist (run {FETCH_COMMAND} to fetch them)")]
    Missing {
        /// Where the file was looked for.
        path: PathBuf,
    },
    /// The weights file is there but is not a usable GGUF of the expected architecture.
    #[error("the SmolLM2 weights at {path} are unusable ({detail}); run {FETCH_COMMAND} to fetch them again")]
    Corrupt {
        /// The file read.
        path: PathBuf,
        /// What was wrong with it.
        detail: String,
    },
    /// The caller set the stop flag.
    #[error(transparent)]
    Stopped(#[from] Stopped),
    /// A token id outside the vocabulary was passed in.
    #[error("token id {id} is outside the vocabulary of {vocab} tokens")]
    BadToken {
        /// The offending id.
        id: u32,
        /// The vocabulary size.
        vocab: usize,
    },
    /// The tokenizer failed on a text.
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    /// A tensor operation failed (a bug, not bad input: shapes are checked before).
    #[error("tensor operation failed: {0}")]
    Tensor(#[from] candle_core::Error),
}
