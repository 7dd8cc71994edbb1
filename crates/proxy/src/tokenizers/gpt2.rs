//! GPT-2's tokenizer (OpenAI `r50k_base`), built in: the embedded models' and `tokenizer = "gpt2"`.
//! `<|endoftext|>` written in a text is the special token, as in Hugging Face's GPT-2 tokenizer;
//! nothing is added around a sequence.

use super::{ModelTokenizer, SpecialTokens, TokenizerError, END_OF_TEXT};
use likely_ngram::Tokenizer;

/// The setting and public name.
pub(super) const NAME: &str = "gpt2";
/// GPT-2's context, as its `tokenizer_config.json` says.
const GPT2_MAX_LEN: usize = 1024;

/// GPT-2's tokenizer.
#[derive(Debug, Clone)]
pub struct Gpt2 {
    inner: Tokenizer,
}

impl Gpt2 {
    /// Wraps the embedded models' tokenizer.
    pub fn new(inner: Tokenizer) -> Gpt2 {
        Gpt2 { inner }
    }

    /// The process's shared GPT-2 tokenizer.
    pub fn shared() -> Result<Gpt2, likely_ngram::NgramError> {
        Tokenizer::gpt2().map(Gpt2::new)
    }
}

impl ModelTokenizer for Gpt2 {
    fn name(&self) -> &str {
        NAME
    }

    fn vocab_size(&self) -> usize {
        self.inner.vocab_size()
    }

    fn encode(&self, text: &str, _add_special_tokens: bool) -> Result<Vec<u32>, TokenizerError> {
        let mut ids = Vec::new();
        for (index, part) in text.split(END_OF_TEXT).enumerate() {
            if index > 0 {
                ids.push(Tokenizer::EOT);
            }
            ids.extend(self.inner.encode(part));
        }
        Ok(ids)
    }

    fn decode(&self, ids: &[u32]) -> Result<String, TokenizerError> {
        Ok(self.inner.decode(ids))
    }

    fn decode_pieces(&self, ids: &[u32]) -> Result<Vec<String>, TokenizerError> {
        Ok(self.inner.decode_pieces(ids))
    }

    fn specials(&self) -> SpecialTokens {
        SpecialTokens::end_of_text()
    }

    fn max_len(&self) -> Option<usize> {
        Some(GPT2_MAX_LEN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_special_token_in_text_is_one_id_and_decodes_back() {
        let gpt2 = Gpt2::shared().unwrap();
        assert_eq!(gpt2.encode(END_OF_TEXT, false).unwrap(), [Tokenizer::EOT]);
        let text = "To be<|endoftext|> or not";
        let ids = gpt2.encode(text, true).unwrap();
        assert_eq!(ids.iter().filter(|&&id| id == Tokenizer::EOT).count(), 1);
        assert_eq!(gpt2.decode(&ids).unwrap(), text);
        assert_eq!(gpt2.decode_pieces(&ids).unwrap().concat(), text);
        assert_eq!(gpt2.encode("", false).unwrap(), Vec::<u32>::new());
    }
}
