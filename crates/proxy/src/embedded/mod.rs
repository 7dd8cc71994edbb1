//! The on-board transformer wired into the embedded backend: SmolLM2-135M (`likely-lm`) as a
//! `likely_ngram::LanguageModel` ([`transformer`]), its tokenizer for the backend, the token routes
//! and n-gram training ([`tokenizer`]), and loading both embedded SmolLM2 models ([`load`]).

pub mod load;
pub mod tokenizer;
pub mod transformer;

pub use load::{load_transformers, TRANSFORMER_BASE_NAME, TRANSFORMER_CUSTOM_NAME};
pub use tokenizer::EmbeddedTokenizer;
pub use transformer::Transformer;
