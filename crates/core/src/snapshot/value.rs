//! What a snapshot holds once read ([`Snapshot`], [`Shared`], [`Summary`]), which part of an
//! evaluation it keeps ([`Scope`]), and why one could not be written or read ([`SnapshotError`]):
//! the values the format versions' readers and writers share.

use crate::evaluation::{Evaluation, EvaluationError};
use crate::playground::{PlaygroundState, StateError};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// What a snapshot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The texts, tokens and figures: the whole evaluation.
    Everything,
    /// The figures only: no held-out text, no token strings.
    Figures,
}

impl Scope {
    /// `everything` or `figures`, as links and the API spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Everything => "everything",
            Scope::Figures => "figures",
        }
    }

    /// The scope spelled `text`.
    pub fn parse(text: &str) -> Option<Scope> {
        match text {
            "everything" => Some(Scope::Everything),
            "figures" => Some(Scope::Figures),
            _ => None,
        }
    }
}

/// A snapshot read back.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// What it holds.
    pub scope: Scope,
    /// The evaluation; with [`Scope::Figures`] its texts are placeholders of the same byte lengths.
    pub evaluation: Evaluation,
}

/// What a link holds: an evaluation or a playground.
#[derive(Debug, Clone, PartialEq)]
pub enum Shared {
    /// An evaluation (format version 2 or 4).
    Evaluation(Snapshot),
    /// A playground's state (format version 3).
    Playground(PlaygroundState),
}

/// What a server needs to know of a snapshot it keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// What it holds.
    pub scope: Scope,
    /// The models, baseline first.
    pub models: Vec<String>,
    /// Snippets.
    pub snippets: usize,
}

/// Why a snapshot could not be written or read.
#[derive(Debug, Error)]
pub enum SnapshotError {
    /// The value could not be encoded.
    #[error("could not encode the evaluation: {0}")]
    Encode(String),
    /// Not a snapshot at all.
    #[error("this is not a Likely snapshot")]
    NotASnapshot,
    /// A version this code does not read.
    #[error(
        "this snapshot has format version {found}; this page reads versions up to {supported}"
    )]
    UnsupportedVersion {
        /// The version found.
        found: u8,
        /// The newest version read here.
        supported: u8,
    },
    /// The compressed data is damaged.
    #[error("the snapshot is damaged (not compressed data: {0})")]
    NotDeflate(String),
    /// The data inflates past the limit.
    #[error("the snapshot expands to more than {max} bytes and was refused")]
    TooLarge {
        /// The limit.
        max: usize,
    },
    /// The inflated data does not decode.
    #[error("the snapshot is damaged ({0})")]
    Damaged(String),
    /// The fragment text is too long.
    #[error("the link is too long ({len} characters, at most {max})")]
    FragmentTooLong {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The fragment is not base64url.
    #[error("the link is damaged (not base64url: {0})")]
    NotBase64(String),
    /// The evaluation inside is inconsistent or holds impossible values.
    #[error("the snapshot holds an inconsistent evaluation: {0}")]
    Invalid(#[from] EvaluationError),
    /// The playground inside holds impossible values.
    #[error("the snapshot holds an impossible playground: {0}")]
    InvalidPlayground(#[from] StateError),
    /// A playground where an evaluation was expected.
    #[error("this link holds a playground, not an evaluation: open it at /playground")]
    IsPlayground,
}
