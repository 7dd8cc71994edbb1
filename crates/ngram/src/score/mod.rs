//! Scoring with the Kneser-Ney models: a token sequence under one model or a weighted set of them
//! scored side by side (`sequence`), the exact top-k (`topk`) and ranks (`rank`) found
//! without scanning the vocabulary, the [`crate::LanguageModel`] of a Kneser-Ney model
//! ([`language_model`]), and a model's figures on a text ([`figures`]).

pub mod figures;
pub mod language_model;
pub(crate) mod rank;
pub(crate) mod sequence;
pub(crate) mod topk;
