//! What every tokenizer of a model is: the [`ModelTokenizer`] trait (text to ids and back), its
//! special tokens and its error. GPT-2's and Hugging Face's files implement it.

use std::sync::Arc;
use thiserror::Error;

/// A tokenizer shared by the requests of one model.
pub type SharedTokenizer = Arc<dyn ModelTokenizer>;

/// The special tokens a tokenizer names (as text), as Hugging Face's `tokenizer_config.json` does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpecialTokens {
    /// End of sequence.
    pub eos: Option<String>,
    /// Beginning of sequence.
    pub bos: Option<String>,
    /// Padding.
    pub pad: Option<String>,
}

/// The one special token of GPT-2's and SmolLM2's tokenizers, in every role but padding.
pub const END_OF_TEXT: &str = "<|endoftext|>";

impl SpecialTokens {
    /// [`END_OF_TEXT`] as the end and the beginning of a sequence, no padding token.
    pub fn end_of_text() -> SpecialTokens {
        SpecialTokens {
            eos: Some(END_OF_TEXT.into()),
            bos: Some(END_OF_TEXT.into()),
            pad: None,
        }
    }
}

/// Why a text could not be encoded or a file read.
#[derive(Debug, Error)]
pub enum TokenizerError {
    /// The `tokenizers` crate refused the text or the file.
    #[error("{0}")]
    Failed(String),
}

/// A model's tokenizer: text to ids and back, with the pieces the completions answer lists.
pub trait ModelTokenizer: Send + Sync + std::fmt::Debug {
    /// A short public name (`gpt2`, or the folder of a `tokenizer.json`).
    fn name(&self) -> &str;
    /// How many ids there are: valid ids are `0..vocab_size()`.
    fn vocab_size(&self) -> usize;
    /// The ids of `text`; special tokens written in the text (`<|endoftext|>`) are recognised, as
    /// Hugging Face tokenizers and vLLM's `/tokenize` do. `add_special_tokens` adds what the tokenizer
    /// adds around a sequence (a BOS for Llama-style tokenizers; nothing for GPT-2).
    fn encode(&self, text: &str, add_special_tokens: bool) -> Result<Vec<u32>, TokenizerError>;
    /// The text of `ids` (special tokens written out). Ids must be in the vocabulary.
    fn decode(&self, ids: &[u32]) -> Result<String, TokenizerError>;
    /// One piece of text per id whose concatenation is [`ModelTokenizer::decode`]'s text; a token
    /// ending inside a character gets `""` and the token completing it the whole character.
    fn decode_pieces(&self, ids: &[u32]) -> Result<Vec<String>, TokenizerError>;
    /// Its special tokens.
    fn specials(&self) -> SpecialTokens;
    /// The longest sequence the tokenizer's files name, if any.
    fn max_len(&self) -> Option<usize>;
}
