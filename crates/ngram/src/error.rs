//! The crate's error type: every fallible operation returns [`NgramError`].

use std::path::PathBuf;

/// What can go wrong while tokenizing, training, storing or loading the models.
#[derive(Debug, thiserror::Error)]
pub enum NgramError {
    /// The embedded GPT-2 BPE tables could not be built.
    #[error("cannot build the GPT-2 tokenizer: {0}")]
    Tokenizer(String),
    /// A file or folder could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done ("reading", "writing", ...).
        action: &'static str,
        /// The file or folder concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A training corpus is missing; the message says how to install it.
    #[error("corpus missing: {what} (expected at {path}); run scripts/fetch-corpora.sh")]
    CorpusMissing {
        /// Which corpus.
        what: &'static str,
        /// Where it was looked for.
        path: PathBuf,
    },
    /// A corpus file does not have the expected shape.
    #[error("malformed corpus {path}: {reason}")]
    CorpusFormat {
        /// The file concerned.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A cached model file is truncated, of another version, or otherwise unusable.
    #[error("invalid model file {path}: {reason}")]
    ModelFormat {
        /// The file concerned.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Training was asked for something impossible (e.g. an unsupported order or an empty corpus).
    #[error("invalid training setup: {0}")]
    Training(String),
    /// A vocabulary a model cannot have (too many ids, end-of-text outside it), or two models
    /// of different vocabularies put together.
    #[error("unsupported vocabulary: {0}")]
    Vocabulary(String),
    /// The training was cancelled (see [`crate::progress::Progress`]).
    #[error("the training was cancelled")]
    Cancelled,
}

impl NgramError {
    /// Wraps an I/O error with the action and the path it concerned.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        NgramError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
