//! The tokenizers behind the token routes (`/tokenize`, `/detokenize`, `/tokenizer_info`) and behind
//! token-id prompts: one [`ModelTokenizer`] per model that has one. The embedded models use GPT-2's
//! ([`Gpt2`], built in); a model of the configuration names its own with `tokenizer`: `"gpt2"` (built
//! in) or the path of a Hugging Face `tokenizer.json` ([`HfTokenizer`], read with the `tokenizers`
//! crate). Any other value is only a name (models sharing it compare token by token) and gives no
//! tokenizer: the token routes then answer 501 saying what to configure.
//!
//! Another tokenizer (a transformer's own) is one more implementation of the trait.

mod gpt2;
mod hf;
mod model_tokenizer;
pub mod wire;

#[cfg(test)]
mod fuzz_tests;

pub use gpt2::Gpt2;
pub use hf::HfTokenizer;
pub use model_tokenizer::{
    ModelTokenizer, SharedTokenizer, SpecialTokens, TokenizerError, END_OF_TEXT,
};

use std::path::Path;
use std::sync::Arc;

/// The first id of `ids` outside `tokenizer`'s vocabulary, with its position.
pub fn first_unknown(tokenizer: &dyn ModelTokenizer, ids: &[u32]) -> Option<(usize, u32)> {
    let size = tokenizer.vocab_size();
    ids.iter()
        .enumerate()
        .find(|(_, &id)| id as usize >= size)
        .map(|(index, &id)| (index, id))
}

/// What a model's `tokenizer` setting gives: a tokenizer (`"gpt2"` or a `.json` path, relative paths
/// from `base_dir`), or none for a plain name.
pub fn from_setting(value: &str, base_dir: &Path) -> Result<Option<SharedTokenizer>, String> {
    if value == gpt2::NAME {
        return Gpt2::shared()
            .map(|tokenizer| Some(Arc::new(tokenizer) as SharedTokenizer))
            .map_err(|error| format!("the built-in GPT-2 tokenizer: {error}"));
    }
    if !is_path(value) {
        return Ok(None);
    }
    let path = base_dir.join(value);
    HfTokenizer::from_file(&path)
        .map(|tokenizer| Some(Arc::new(tokenizer) as SharedTokenizer))
        .map_err(|error| format!("cannot read the tokenizer {}: {error}", path.display()))
}

/// Whether a `tokenizer` setting names a file rather than a tokenizer family.
pub fn is_path(value: &str) -> bool {
    value.ends_with(".json") || value.contains('/') || value.contains(std::path::MAIN_SEPARATOR)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_not_paths_and_give_no_tokenizer() {
        assert!(from_setting("llama3", Path::new(".")).unwrap().is_none());
        assert!(is_path("tokenizers/llama/tokenizer.json"));
        assert!(!is_path("qwen2.5"));
        let gpt2 = from_setting("gpt2", Path::new(".")).unwrap().unwrap();
        assert_eq!(gpt2.name(), "gpt2");
        assert_eq!(
            first_unknown(gpt2.as_ref(), &[1, 50_256, 50_257, 3]),
            Some((2, 50_257))
        );
        let error = from_setting("missing/tokenizer.json", Path::new("/nonexistent")).unwrap_err();
        assert!(error.contains("missing/tokenizer.json"), "{error}");
    }
}
