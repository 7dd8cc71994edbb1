//! One custom model's training, from the parsed upload to the adapted model: split off the validation
//! documents (reading), tokenize with the base's tokenizer, check the size, then likely-ngram's
//! [`train_adapted_capped`], the same training as `custom-base-light`'s (a network base scores at
//! most [`super::base::MAX_NETWORK_TUNING_TOKENS`] tuning tokens).

use super::base::Base;
use super::settings::CustomSettings;
use likely_core::custom_model::{
    MAX_VALIDATION_SNIPPETS, MAX_VALIDATION_TOKENS, MIN_TRAINING_TOKENS, VALIDATION_EVERY,
};
use likely_core::{DocumentCounts, ValidationCounts, ValidationSource};
use likely_ngram::adaptation::train_adapted_capped;
use likely_ngram::pipeline::ORDER;
use likely_ngram::{
    held_out_indices, split_picked, tokenize_observed, Adapted, NgramError, Progress, TrainingStage,
};

/// One training document in this many is held out of the probe model to tune λ (as
/// `custom-base-light` holds out every twelfth play).
pub const TUNING_EVERY: usize = 10;

/// Shares of the whole training: reading, tokenizing, adapting (the rest is saving).
const READ_END: f64 = 0.02;
const TOKENIZE_END: f64 = 0.2;
const ADAPT_END: f64 = 0.97;

/// A checked request to train a model.
#[derive(Debug, Clone)]
pub struct Submission {
    /// The new model's name (valid and free).
    pub name: String,
    /// The base model's name (a trainable base).
    pub base: String,
    /// The training file's name.
    pub train_file: String,
    /// The training file's documents.
    pub train: Vec<String>,
    /// The validation file's documents, when one was given.
    pub validation: Option<Vec<String>>,
}

impl Submission {
    /// Documents used for training (the upload minus the held-out split).
    pub fn training_documents(&self) -> usize {
        match self.validation {
            Some(_) => self.train.len(),
            None => self.train.len() - held_out_indices(self.train.len(), VALIDATION_EVERY).len(),
        }
    }

    /// Validation documents and where they come from.
    pub fn validation_counts(&self) -> ValidationCounts {
        match &self.validation {
            Some(docs) => ValidationCounts {
                source: ValidationSource::File,
                documents: docs.len(),
                tokens: 0,
            },
            None => ValidationCounts {
                source: ValidationSource::Split,
                documents: held_out_indices(self.train.len(), VALIDATION_EVERY).len(),
                tokens: 0,
            },
        }
    }
}

/// Why a training did not produce a model.
#[derive(Debug, thiserror::Error)]
pub enum TrainingError {
    /// Refused on its data (too little, too large).
    #[error("{0}")]
    Refused(String),
    /// The model library failed, or the training was cancelled.
    #[error(transparent)]
    Ngram(#[from] NgramError),
}

/// What training learns besides the model, reported as soon as it is known (after tokenizing).
#[derive(Debug, Clone)]
pub struct Counted {
    /// Training documents and tokens.
    pub training: DocumentCounts,
    /// Validation documents and tokens.
    pub validation: ValidationCounts,
    /// The validation texts, capped (see [`cap_validation`]).
    pub snippets: Vec<String>,
    /// All validation documents.
    pub total_validation: usize,
}

/// The first validation documents within [`MAX_VALIDATION_SNIPPETS`] documents and
/// [`MAX_VALIDATION_TOKENS`] tokens (the first one always).
pub fn cap_validation(docs: &[String], tokens: &[Vec<u32>]) -> Vec<String> {
    let mut total = 0usize;
    let mut out = Vec::new();
    for (doc, ids) in docs.iter().zip(tokens).take(MAX_VALIDATION_SNIPPETS) {
        total += ids.len();
        if total > MAX_VALIDATION_TOKENS && !out.is_empty() {
            break;
        }
        out.push(doc.clone());
    }
    out
}

/// Splits, tokenizes and trains over `base`; `counted` hears the counts once known.
pub fn train(
    submission: &Submission,
    base: &Base,
    settings: &CustomSettings,
    progress: &Progress<'_>,
    counted: &dyn Fn(Counted),
) -> Result<Adapted, TrainingError> {
    progress.report(TrainingStage::Reading, 0.0)?;
    let (train_docs, validation_docs, source) = match &submission.validation {
        Some(docs) => (
            submission.train.clone(),
            docs.clone(),
            ValidationSource::File,
        ),
        None => {
            let held = held_out_indices(submission.train.len(), VALIDATION_EVERY);
            let (train, validation) = split_picked(&submission.train, &held);
            (train, validation, ValidationSource::Split)
        }
    };
    progress
        .part(0.0, READ_END)
        .report(TrainingStage::Reading, 1.0)?;

    let tokenizing = progress.part(READ_END, TOKENIZE_END);
    let tokenizer = &base.tokenizer;
    let train_tokens = tokenize_observed(tokenizer, &train_docs, &tokenizing.part(0.0, 0.9))?;
    let validation_tokens =
        tokenize_observed(tokenizer, &validation_docs, &tokenizing.part(0.9, 1.0))?;
    let tokens: usize = train_tokens.iter().map(Vec::len).sum();
    counted(Counted {
        training: DocumentCounts {
            documents: train_docs.len(),
            tokens,
        },
        validation: ValidationCounts {
            source,
            documents: validation_docs.len(),
            tokens: validation_tokens.iter().map(Vec::len).sum(),
        },
        snippets: cap_validation(&validation_docs, &validation_tokens),
        total_validation: validation_docs.len(),
    });
    if tokens < MIN_TRAINING_TOKENS {
        return Err(TrainingError::Refused(format!(
            "too little training data: {tokens} tokens in {} documents; at least {MIN_TRAINING_TOKENS} are needed",
            train_docs.len()
        )));
    }
    let estimate = CustomSettings::estimated_model_bytes(tokens);
    if estimate > settings.max_model_bytes {
        return Err(TrainingError::Refused(format!(
            "too much training data for this server: {tokens} tokens make a model of about {} MB, over its cap of {} MB",
            estimate >> 20,
            settings.max_model_bytes >> 20
        )));
    }
    let tuning = held_out_indices(train_tokens.len(), TUNING_EVERY);
    Ok(train_adapted_capped(
        base.language_model(),
        &train_tokens,
        &tuning,
        ORDER,
        base.max_tuning_tokens(),
        &progress.part(TOKENIZE_END, ADAPT_END),
    )?)
}

/// The share of the whole training where saving starts.
pub const SAVING_FROM: f64 = ADAPT_END;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_validation_cap_keeps_whole_documents_within_the_budget() {
        let docs: Vec<String> = (0..300).map(|i| format!("doc {i}")).collect();
        let small: Vec<Vec<u32>> = (0..300).map(|_| vec![1; 10]).collect();
        assert_eq!(cap_validation(&docs, &small).len(), MAX_VALIDATION_SNIPPETS);
        let big: Vec<Vec<u32>> = (0..300).map(|_| vec![1; 20_000]).collect();
        assert_eq!(cap_validation(&docs, &big), vec!["doc 0", "doc 1"]);
        let huge: Vec<Vec<u32>> = (0..300).map(|_| vec![1; 60_000]).collect();
        assert_eq!(cap_validation(&docs, &huge), vec!["doc 0"]);
    }
}
