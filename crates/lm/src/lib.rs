//! Likely's on-board transformer: SmolLM2-135M (a llama-architecture GGUF) run on the CPU with candle,
//! pure Rust. The matrices stay quantized as the file stores them, loaded once and shared by every clone of a [`Model`]; [`Model::score_until`] gives
//! every token's log-probability, top-K and rank (in overlapping windows, see [`model`]), [`Model::sample_until`] samples with a KV cache, and
//! [`Model::next_distribution`] gives one full next-token distribution.
//!
//! The weights come from `scripts/fetch-smollm2.sh` ([`default_path`] says where it puts them).

// Unsafe code only where it is needed, each use allowed by name and its soundness said.
#![deny(unsafe_code)]

pub mod allocator;
mod attention;
mod batch;
pub mod config;
pub mod error;
mod forward;
pub mod model;
mod quant;
mod rowwise;
pub mod sample;
pub mod score;
mod softmax;
pub mod threads;
pub mod tokenizer;
mod weights;

#[cfg(test)]
mod tests;

use std::path::PathBuf;

pub use allocator::tune_allocator;
pub use batch::PassCounts;
pub use config::Config;
pub use error::{LmError, Stopped, FETCH_COMMAND};
pub use forward::KvCache;
pub use model::{Model, Session, DEFAULT_OVERLAP, DEFAULT_WINDOW};
pub use sample::{SampleParams, Sampled};
pub use score::{ScoreOptions, TokenScore};
pub use threads::tune_threads;
pub use tokenizer::{LmTokenizer, EOS};

/// Where `scripts/fetch-smollm2.sh` installs the weights: `$LIKELY_DATA_DIR/models/smollm2-135m.gguf`,
/// `LIKELY_DATA_DIR` defaulting to `$HOME/.cache/likely` (`None` when neither variable is set).
pub fn default_path() -> Option<PathBuf> {
    let data = match std::env::var_os("LIKELY_DATA_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(std::env::var_os("HOME")?).join(".cache/likely"),
    };
    Some(data.join("models").join("smollm2-135m.gguf"))
}
