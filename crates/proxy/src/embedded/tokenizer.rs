//! The tokenizer of one embedded model: GPT-2's for the n-gram models, SmolLM2's own for the
//! transformer and the models mixed with it. Texts sent to a model are encoded as ordinary text
//! (`<|endoftext|>` written in a prompt is plain characters); the token routes' tokenizer
//! ([`EmbeddedTokenizer::shared`]) reads it as the special token, as Hugging Face tokenizers do.

use crate::tokenizers::{
    Gpt2, ModelTokenizer, SharedTokenizer, SpecialTokens, TokenizerError, END_OF_TEXT,
};
use likely_lm::Model;
use likely_ngram::{TokenIds, Tokenizer};
use std::sync::Arc;

/// The public name of SmolLM2's tokenizer (`/v1/models`' `tokenizer`: models that share it compare
/// token by token).
pub const SMOLLM2_NAME: &str = "smollm2";

/// An embedded model's tokenizer. Clones are cheap (shared pointers).
#[derive(Debug, Clone)]
pub enum EmbeddedTokenizer {
    /// GPT-2's (r50k): `base-light`, `custom-base-light` and their custom models.
    Gpt2(Tokenizer),
    /// SmolLM2's byte-level BPE, read from the model's GGUF.
    SmolLm2(Model),
}

impl EmbeddedTokenizer {
    /// The public name (`gpt2`, `smollm2`).
    pub fn name(&self) -> &'static str {
        match self {
            EmbeddedTokenizer::Gpt2(_) => "gpt2",
            EmbeddedTokenizer::SmolLm2(_) => SMOLLM2_NAME,
        }
    }

    /// The ids of `text` as ordinary text.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        match self {
            EmbeddedTokenizer::Gpt2(tokenizer) => tokenizer.encode(text),
            EmbeddedTokenizer::SmolLm2(model) => {
                model.tokenizer().encode(text).unwrap_or_else(|error| {
                    // The byte-level BPE encodes every string; this is not reached in practice.
                    tracing::error!(%error, "SmolLM2's tokenizer refused a text");
                    Vec::new()
                })
            }
        }
    }

    /// The text of `ids`.
    pub fn decode(&self, ids: &[u32]) -> String {
        match self {
            EmbeddedTokenizer::Gpt2(tokenizer) => tokenizer.decode(ids),
            EmbeddedTokenizer::SmolLm2(model) => model.tokenizer().decode(ids),
        }
    }

    /// One piece per id, concatenating to [`EmbeddedTokenizer::decode`]'s text.
    pub fn decode_pieces(&self, ids: &[u32]) -> Vec<String> {
        match self {
            EmbeddedTokenizer::Gpt2(tokenizer) => tokenizer.decode_pieces(ids),
            EmbeddedTokenizer::SmolLm2(model) => model.tokenizer().decode_pieces(ids),
        }
    }

    /// The end-of-text id: the start-of-text context and the end of a generation.
    pub fn eot(&self) -> u32 {
        match self {
            EmbeddedTokenizer::Gpt2(_) => Tokenizer::EOT,
            EmbeddedTokenizer::SmolLm2(model) => model.eos(),
        }
    }

    /// The tokenizer the token routes use.
    pub fn shared(&self) -> SharedTokenizer {
        match self {
            EmbeddedTokenizer::Gpt2(tokenizer) => Arc::new(Gpt2::new(tokenizer.clone())),
            EmbeddedTokenizer::SmolLm2(model) => Arc::new(SmolLm2Tokens(model.clone())),
        }
    }
}

/// SmolLM2's tokenizer as the token routes and n-gram training see it.
#[derive(Debug, Clone)]
pub struct SmolLm2Tokens(pub Model);

impl ModelTokenizer for SmolLm2Tokens {
    fn name(&self) -> &str {
        SMOLLM2_NAME
    }

    fn vocab_size(&self) -> usize {
        self.0.vocab_size()
    }

    fn encode(&self, text: &str, _add_special_tokens: bool) -> Result<Vec<u32>, TokenizerError> {
        let mut ids = Vec::new();
        for (index, part) in text.split(END_OF_TEXT).enumerate() {
            if index > 0 {
                ids.push(self.0.eos());
            }
            ids.extend(
                self.0
                    .tokenizer()
                    .encode(part)
                    .map_err(|error| TokenizerError::Failed(error.to_string()))?,
            );
        }
        Ok(ids)
    }

    fn decode(&self, ids: &[u32]) -> Result<String, TokenizerError> {
        Ok(self.0.tokenizer().decode(ids))
    }

    fn decode_pieces(&self, ids: &[u32]) -> Result<Vec<String>, TokenizerError> {
        Ok(self.0.tokenizer().decode_pieces(ids))
    }

    fn specials(&self) -> SpecialTokens {
        SpecialTokens::end_of_text()
    }

    fn max_len(&self) -> Option<usize> {
        Some(self.0.config().context)
    }
}

impl TokenIds for SmolLm2Tokens {
    fn name(&self) -> &str {
        SMOLLM2_NAME
    }

    fn encode(&self, text: &str) -> Vec<u32> {
        EmbeddedTokenizer::SmolLm2(self.0.clone()).encode(text)
    }

    fn vocab_size(&self) -> usize {
        self.0.vocab_size()
    }

    fn eot(&self) -> u32 {
        self.0.eos()
    }
}

impl TokenIds for EmbeddedTokenizer {
    fn name(&self) -> &str {
        match self {
            EmbeddedTokenizer::Gpt2(tokenizer) => TokenIds::name(tokenizer),
            EmbeddedTokenizer::SmolLm2(_) => SMOLLM2_NAME,
        }
    }

    fn encode(&self, text: &str) -> Vec<u32> {
        EmbeddedTokenizer::encode(self, text)
    }

    fn vocab_size(&self) -> usize {
        match self {
            EmbeddedTokenizer::Gpt2(tokenizer) => TokenIds::vocab_size(tokenizer),
            EmbeddedTokenizer::SmolLm2(model) => model.vocab_size(),
        }
    }

    fn eot(&self) -> u32 {
        EmbeddedTokenizer::eot(self)
    }
}
