//! What every on-board language model of Likely speaks, written once for the Kneser-Ney models of
//! `likely-ngram` and the transformer of `likely-lm` (neither depends on the other): what to score
//! and a token's score ([`ScoreOptions`], [`TokenScore`]), the stop flag's error ([`Stopped`],
//! [`check`]), how to sample and a sampled token ([`SampleParams`], [`Sampled`]), and the text
//! pieces of byte-level tokens ([`decode_pieces`], [`split_complete_utf8`]), and the steps of a
//! training ([`TrainingStage`], also the server's wire value with the `serde` feature). Both crates
//! re-export these.

mod sample;
mod score;
mod stage;
mod stop;
mod utf8;

pub use sample::{SampleParams, Sampled};
pub use score::{rank_of, top_of, ScoreOptions, TokenScore};
pub use stage::TrainingStage;
pub use stop::{check, Stopped};
pub use utf8::{decode_pieces, split_complete_utf8};
