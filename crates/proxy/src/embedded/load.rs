//! Loading the two embedded SmolLM2 models: `smollm2-135m`, the GGUF's network, and
//! `smollm2-135m-shakespeare`, the same network (one copy of the weights) mixed token by token with
//! a Kneser-Ney model of the Shakespeare plays over SmolLM2's ids (trained and tuned once, then
//! cached: `likely_ngram::plays_mix`). Without the weights the n-gram models are served alone and the
//! log says which command fetches them.

use super::tokenizer::{EmbeddedTokenizer, SmolLm2Tokens};
use super::transformer::Transformer;
use likely_lm::Model;
use likely_ngram::progress::silent;
use likely_ngram::{load_or_train_plays_mix, EmbeddedPaths, LanguageModel, PlaysMixSpec};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;

/// The network's name.
pub const TRANSFORMER_BASE_NAME: &str = "smollm2-135m";
/// The network adapted to the plays.
pub const TRANSFORMER_CUSTOM_NAME: &str = "smollm2-135m-shakespeare";

/// The loaded SmolLM2 models and their tokenizer.
pub struct Transformers {
    /// `smollm2-135m`.
    pub base: Arc<dyn LanguageModel>,
    /// `smollm2-135m-shakespeare`, when the plays could be read (or were cached).
    pub custom: Option<Arc<dyn LanguageModel>>,
    /// SmolLM2's tokenizer.
    pub tokenizer: EmbeddedTokenizer,
}

/// Set to `off` to serve the n-gram models alone (no 0.6 GB of weights, no seconds of loading).
pub const TRANSFORMER_ENV: &str = "LIKELY_TRANSFORMER";

/// Loads the weights from `likely_lm::default_path()`; `None` (logged with the command that fetches
/// them) when they are missing or unreadable, or when [`TRANSFORMER_ENV`] is `off`.
pub fn load_transformers(paths: &EmbeddedPaths) -> Option<Transformers> {
    if std::env::var(TRANSFORMER_ENV).is_ok_and(|v| v.trim().eq_ignore_ascii_case("off")) {
        tracing::info!("{TRANSFORMER_ENV}=off: the on-board transformer is not served");
        return None;
    }
    let path = likely_lm::default_path()?;
    let model = match Model::load(&path) {
        Ok(model) => model,
        Err(error) => {
            tracing::warn!(
                %error,
                "the on-board transformer is not served (the n-gram models are); run {} to fetch its weights",
                likely_lm::FETCH_COMMAND
            );
            return None;
        }
    };
    let base: Arc<dyn LanguageModel> = Arc::new(Transformer::new(model.clone()));
    let tokens = SmolLm2Tokens(model.clone());
    // The cached plays mix is keyed on the weights' content: other weights retune λ.
    let base_id = match file_sha256(&path) {
        Ok(hash) => format!("SmolLM2-135M-Instruct.Q4_1.gguf sha256 {hash}"),
        Err(error) => {
            tracing::warn!(%error, "the on-board transformer's weights cannot be read again");
            return None;
        }
    };
    let spec = PlaysMixSpec::new(TRANSFORMER_CUSTOM_NAME, &base_id);
    let custom = match silent(|progress| {
        load_or_train_plays_mix(paths, &spec, Arc::clone(&base), &tokens, &progress)
    }) {
        Ok(mix) => {
            tracing::info!(
                lambda = mix.lambda,
                "{TRANSFORMER_CUSTOM_NAME} ready (the plays' weight λ)"
            );
            Some(mix.model as Arc<dyn LanguageModel>)
        }
        Err(error) => {
            tracing::warn!(%error, "{TRANSFORMER_CUSTOM_NAME} is not served");
            None
        }
    };
    Some(Transformers {
        base,
        custom,
        tokenizer: EmbeddedTokenizer::SmolLm2(model),
    })
}

/// The sha256 of a file's content, in hex (the weights: about 0.3 s for 98 MB).
fn file_sha256(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher)?;
    Ok(format!("{:x}", hasher.finalize()))
}
