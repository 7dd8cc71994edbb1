//! Custom models ("create a model from your own data"): the name rule and the limits the page and the
//! server both check, and the wire types of `/v1/custom-models` (documented in ARCHITECTURE.md).

pub use likely_lm_types::TrainingStage;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The longest model name, in characters.
pub const MAX_NAME_CHARS: usize = 64;
/// The fewest training tokens (GPT-2 tokens of the training documents) a custom model is trained on.
pub const MIN_TRAINING_TOKENS: usize = 1_000;
/// When no validation file is given, document `i` (0-based) of the upload is held out for
/// validation when `i % VALIDATION_EVERY == VALIDATION_EVERY / 2` (every 10th: 5, 15, 25, …), or the
/// last document when that picks none.
pub const VALIDATION_EVERY: usize = 10;
/// The fewest training documents (λ is tuned on a held-out one): an upload without a validation file
/// needs one more.
pub const MIN_TRAINING_DOCUMENTS: usize = 2;
/// `GET /v1/custom-models/{name}/validation` returns at most this many documents …
pub const MAX_VALIDATION_SNIPPETS: usize = 200;
/// … and stops before the document that would take it past this many tokens (the first document is
/// always returned).
pub const MAX_VALIDATION_TOKENS: usize = 50_000;

/// Why a name cannot name a new model.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ModelNameError {
    /// The name is empty.
    #[error("the model name is empty")]
    Empty,
    /// The name is longer than [`MAX_NAME_CHARS`].
    #[error("the model name is {0} characters long; at most {MAX_NAME_CHARS} are allowed")]
    TooLong(usize),
    /// The name does not start with a letter or a digit.
    #[error("the model name must start with a lowercase letter or a digit")]
    BadStart,
    /// The name holds a character outside `a-z 0-9 - _ .`.
    #[error("the model name may hold only lowercase letters, digits, `-`, `_` and `.`; `{0}` is not allowed")]
    BadChar(char),
}

/// Checks the name rule of new models: 1 to [`MAX_NAME_CHARS`] characters among lowercase ASCII letters,
/// digits, `-`, `_` and `.`, starting with a letter or a digit. (Whether the name is already taken is
/// the server's question.)
pub fn validate_name(name: &str) -> Result<(), ModelNameError> {
    let Some(first) = name.chars().next() else {
        return Err(ModelNameError::Empty);
    };
    let chars = name.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(ModelNameError::TooLong(chars));
    }
    if !(first.is_ascii_lowercase() || first.is_ascii_digit()) {
        return Err(ModelNameError::BadStart);
    }
    match name
        .chars()
        .find(|&c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c)))
    {
        Some(c) => Err(ModelNameError::BadChar(c)),
        None => Ok(()),
    }
}

/// Where a custom model's training stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrainingStatus {
    /// Waiting for the trainings ahead of it.
    Queued,
    /// Being trained.
    Running,
    /// Trained, saved and served.
    Done,
    /// Stopped by an error (`reason` says which).
    Failed,
    /// Stopped by `DELETE`.
    Cancelled,
}

/// Counts of a set of documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DocumentCounts {
    /// Documents.
    pub documents: usize,
    /// GPT-2 tokens (0 until tokenized).
    pub tokens: usize,
}

/// Where the validation documents come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ValidationSource {
    /// The separate `validation` file.
    File,
    /// Every [`VALIDATION_EVERY`]-th document of the training upload, held out of training.
    Split,
}

/// The validation documents' origin and size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationCounts {
    /// File or split.
    pub source: ValidationSource,
    /// Documents.
    pub documents: usize,
    /// GPT-2 tokens (0 until tokenized).
    pub tokens: usize,
}

/// The average loss (nats per token) of held-out training documents at one interpolation weight.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LambdaPoint {
    /// The in-domain model's weight.
    pub lambda: f64,
    /// −average natural-log likelihood per token.
    pub loss: f64,
}

/// One custom model, as `GET /v1/custom-models/{name}` answers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomModel {
    /// Its name (also its name in `/v1/models` once done).
    pub name: String,
    /// The model it adapts.
    pub base: String,
    /// Where its training stands.
    pub status: TrainingStatus,
    /// The current step while running (`null` otherwise).
    pub stage: Option<TrainingStage>,
    /// The whole training's progress, 0 to 1 (1 when done).
    pub progress: f64,
    /// While queued: 1 = next to run.
    pub queue_position: Option<usize>,
    /// Why it failed (failed), or that it was cancelled.
    pub reason: Option<String>,
    /// When it was submitted, Unix seconds.
    pub created_at: u64,
    /// The training file's name.
    pub train_file: String,
    /// Training documents and tokens (the held-out split excluded).
    pub training: DocumentCounts,
    /// Validation documents and tokens.
    pub validation: ValidationCounts,
    /// The in-domain model's interpolation weight (when done).
    pub lambda: Option<f64>,
    /// Loss of the held-out training documents against λ (when done).
    pub lambda_curve: Vec<LambdaPoint>,
    /// Size on disk, and about its memory when loaded, in bytes (when done).
    pub size_bytes: Option<u64>,
}

/// `GET /v1/custom-models`: every custom model (finished, queued, running, failed or cancelled).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomModelList {
    /// Oldest first.
    pub models: Vec<CustomModel>,
}

/// `GET /v1/custom-models/{name}/validation`: the validation documents to evaluate base and custom
/// model on (at most [`MAX_VALIDATION_SNIPPETS`] documents and [`MAX_VALIDATION_TOKENS`] tokens).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationSnippets {
    /// The model.
    pub name: String,
    /// Its base.
    pub base: String,
    /// File or split.
    pub source: ValidationSource,
    /// The documents' texts, in upload order.
    pub snippets: Vec<String>,
    /// How many validation documents there are in all.
    pub total_documents: usize,
    /// Whether `snippets` stops short of `total_documents`.
    pub truncated: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_rule() {
        assert_eq!(validate_name("legal-v2.1_b"), Ok(()));
        assert_eq!(validate_name("7b"), Ok(()));
        assert_eq!(validate_name(""), Err(ModelNameError::Empty));
        assert_eq!(validate_name("-x"), Err(ModelNameError::BadStart));
        assert_eq!(validate_name(".x"), Err(ModelNameError::BadStart));
        assert_eq!(validate_name("Legal"), Err(ModelNameError::BadStart));
        assert_eq!(validate_name("a b"), Err(ModelNameError::BadChar(' ')));
        assert_eq!(validate_name("a/b"), Err(ModelNameError::BadChar('/')));
        assert_eq!(validate_name("aé"), Err(ModelNameError::BadChar('é')));
        assert_eq!(validate_name(&"a".repeat(64)), Ok(()));
        assert_eq!(
            validate_name(&"a".repeat(65)),
            Err(ModelNameError::TooLong(65))
        );
    }

    #[test]
    fn statuses_and_stages_are_lowercase_on_the_wire() {
        let json = serde_json::to_string(&(TrainingStatus::Cancelled, TrainingStage::Tokenizing))
            .expect("json");
        assert_eq!(json, r#"["cancelled","tokenizing"]"#);
        let source = serde_json::to_string(&ValidationSource::Split).expect("json");
        assert_eq!(source, r#""split""#);
    }
}
