//! SmolLM2's tokenizer: a GPT-2-style byte-level BPE built with the `tokenizers` crate from the GGUF's
//! own vocabulary (`tokenizer.ggml.tokens`) and merges (`tokenizer.ggml.merges`).
//!
//! Pre-tokenization is `Sequence[Digits(individual_digits), ByteLevel(add_prefix_space = false,
//! trim_offsets = false)]`, as the model was trained: every digit is its own token and no space is
//! added in front of the text. No start token is added; `<|endoftext|>` (id 0) is the start-of-text
//! context and the end of a document. Text is always encoded as ordinary text: `<|endoftext|>`
//! written in a text is plain characters, never the control token.
//!
//! [`LmTokenizer::decode_pieces`] turns ids into text pieces whose concatenation is the decoded
//! text. A token may end inside a multi-byte UTF-8 character: it gets the empty piece `""` and the
//! token completing the character carries the whole character. Bytes that never form valid UTF-8
//! (only possible with hand-made id sequences) become U+FFFD where the invalid sequence is found.

use std::collections::HashMap;

use tokenizers::decoders::byte_level::ByteLevel as ByteLevelDecoder;
use tokenizers::models::bpe::{Vocab, BPE};
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::digits::Digits;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::pre_tokenizers::PreTokenizerWrapper;
use tokenizers::Tokenizer;

/// The end-of-text token `<|endoftext|>`.
pub const EOS: u32 = 0;

/// SmolLM2's byte-level BPE tokenizer.
pub struct LmTokenizer {
    inner: Tokenizer,
    /// The bytes of every token id, indexed by id.
    bytes: Vec<Box<[u8]>>,
}

impl std::fmt::Debug for LmTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LmTokenizer")
            .field("vocab", &self.bytes.len())
            .finish()
    }
}

impl LmTokenizer {
    /// Builds the tokenizer from the GGUF's token strings (in id order) and merges (`"a b"` each).
    pub(crate) fn new(tokens: Vec<String>, merges: &[String]) -> Result<LmTokenizer, String> {
        let to_byte = unicode_to_byte();
        let bytes = tokens
            .iter()
            .map(|t| {
                t.chars()
                    .flat_map(|c| match to_byte.get(&c) {
                        Some(b) => vec![*b],
                        None => c.to_string().into_bytes(),
                    })
                    .collect::<Vec<u8>>()
                    .into_boxed_slice()
            })
            .collect();
        let vocab: Vocab = tokens
            .into_iter()
            .enumerate()
            .map(|(id, token)| u32::try_from(id).map(|id| (token, id)))
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?;
        let merges = merges
            .iter()
            .map(|m| {
                m.split_once(' ')
                    .map(|(a, b)| (a.to_string(), b.to_string()))
                    .ok_or_else(|| format!("merge {m:?} has no space"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let bpe = BPE::builder()
            .vocab_and_merges(vocab, merges)
            .build()
            .map_err(|e| format!("BPE: {e}"))?;
        let mut inner = Tokenizer::new(bpe);
        inner.with_pre_tokenizer(Some(Sequence::new(vec![
            PreTokenizerWrapper::Digits(Digits::new(true)),
            PreTokenizerWrapper::ByteLevel(ByteLevel::new(false, false, true)),
        ])));
        inner.with_decoder(Some(ByteLevelDecoder::default()));
        Ok(LmTokenizer { inner, bytes })
    }

    /// Number of token ids (49,152).
    pub fn vocab_size(&self) -> usize {
        self.bytes.len()
    }

    /// The end-of-text token id (0).
    pub fn eos(&self) -> u32 {
        EOS
    }

    /// Encodes `text` as ordinary text (no start token). Decoding the result gives `text` back.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>, crate::LmError> {
        self.inner
            .encode_fast(text, false)
            .map(|e| e.get_ids().to_vec())
            .map_err(|e| crate::LmError::Tokenizer(e.to_string()))
    }

    /// The raw bytes of one token (empty for ids outside the vocabulary).
    pub fn token_bytes(&self, id: u32) -> &[u8] {
        self.bytes.get(id as usize).map(|b| &b[..]).unwrap_or(&[])
    }

    /// Decodes ids to text; invalid UTF-8 becomes U+FFFD; ids outside the vocabulary decode to nothing.
    pub fn decode(&self, ids: &[u32]) -> String {
        self.decode_pieces(ids).concat()
    }

    /// One text piece per token; their concatenation is exactly [`LmTokenizer::decode`]'s result
    /// (see the module documentation for characters split across tokens).
    pub fn decode_pieces(&self, ids: &[u32]) -> Vec<String> {
        likely_lm_types::decode_pieces(ids, |id| self.token_bytes(id))
    }
}

/// GPT-2's byte-to-character table, inverted: the printable character each byte is written as.
fn unicode_to_byte() -> HashMap<char, u8> {
    let mut map = HashMap::with_capacity(256);
    let mut shifted = 0u32;
    for b in 0..=255u8 {
        let printable = matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
        let c = if printable {
            char::from(b)
        } else {
            shifted += 1;
            char::from_u32(255 + shifted).unwrap_or(char::REPLACEMENT_CHARACTER)
        };
        map.insert(c, b);
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_table_covers_every_byte_once() {
        let map = unicode_to_byte();
        assert_eq!(map.len(), 256);
        assert_eq!(map[&'Ġ'], b' ');
        assert_eq!(map[&'Ċ'], b'\n');
        assert_eq!(map[&'a'], b'a');
    }
}
