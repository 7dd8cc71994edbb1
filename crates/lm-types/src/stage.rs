//! The steps of training a model from text, as the trainer reports them and the server's
//! `/v1/custom-models` answers show them (lower-case on the wire with the `serde` feature).

/// A step of training a model from text, in the order they happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "lowercase")
)]
pub enum TrainingStage {
    /// Splitting the upload into training and validation documents (the caller's step).
    Reading,
    /// GPT-2 tokenization.
    Tokenizing,
    /// Counting n-grams (for the probe model, then for the final one).
    Counting,
    /// Kneser-Ney estimation (probe, then final).
    Estimating,
    /// Choosing the interpolation weight λ on held-out training documents.
    Tuning,
    /// Writing the model to disk (the caller's step).
    Saving,
}
