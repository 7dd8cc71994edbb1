//! The models a custom model may adapt: `base-light` (a Kneser-Ney model: the custom model is the
//! joint interpolation of the two n-gram models) and `smollm2-135m` (the on-board transformer: the
//! custom model is the network mixed token by token with the n-gram trained on the upload over
//! SmolLM2's ids), each with its tokenizer.

use crate::embedded::EmbeddedTokenizer;
use likely_ngram::{InterpolatedModel, KnModel, LanguageModel, MixedModel, NgramError};
use std::sync::Arc;

/// Tuning tokens scored with a network base: a transformer scores about a hundred tokens a second
/// on the training's one core, so λ is tuned in seconds (EM on this many tokens pins it within a
/// few hundredths). An n-gram base scores the whole tuning split.
pub const MAX_NETWORK_TUNING_TOKENS: usize = 2_000;

/// What a custom model is adapted from.
#[derive(Clone)]
pub enum BaseModel {
    /// A Kneser-Ney model (`base-light`).
    Ngram(Arc<KnModel>),
    /// Any other language model (the on-board transformer).
    Network(Arc<dyn LanguageModel>),
}

/// A base: its name in the model table, the model and its tokenizer.
#[derive(Clone)]
pub struct Base {
    /// The name custom models give as their `base`.
    pub name: String,
    /// The model.
    pub model: BaseModel,
    /// The tokenizer the upload is encoded with (the base's own).
    pub tokenizer: EmbeddedTokenizer,
}

impl std::fmt::Debug for Base {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Base")
            .field("name", &self.name)
            .field("tokenizer", &self.tokenizer.name())
            .finish_non_exhaustive()
    }
}

impl Base {
    /// The base as a language model (what λ is tuned against).
    pub fn language_model(&self) -> &dyn LanguageModel {
        match &self.model {
            BaseModel::Ngram(model) => model.as_ref(),
            BaseModel::Network(model) => model.as_ref(),
        }
    }

    /// Most tuning tokens scored with this base.
    pub fn max_tuning_tokens(&self) -> usize {
        match self.model {
            BaseModel::Ngram(_) => usize::MAX,
            BaseModel::Network(_) => MAX_NETWORK_TUNING_TOKENS,
        }
    }

    /// The custom model: `lambda · domain + (1 − lambda) · base`, token by token. An error when
    /// the domain model is not over the base's vocabulary.
    pub fn adapted(
        &self,
        domain: Arc<KnModel>,
        lambda: f64,
    ) -> Result<Arc<dyn LanguageModel>, NgramError> {
        Ok(match &self.model {
            BaseModel::Ngram(base) => {
                Arc::new(InterpolatedModel::new(Arc::clone(base), domain, lambda)?)
            }
            BaseModel::Network(base) => {
                Arc::new(MixedModel::new(domain, Arc::clone(base), lambda)?)
            }
        })
    }
}
