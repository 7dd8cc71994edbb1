//! GPT-2 (OpenAI `r50k_base`) byte-pair tokenizer, through `tiktoken-rs`, which embeds the ranks:
//! nothing is downloaded at run time.
//!
//! [`Tokenizer::decode_pieces`] turns ids into text pieces whose concatenation is the decoded text.
//! GPT-2 tokens are byte sequences, so a token may end inside a multi-byte UTF-8 character (emoji,
//! `’`, accented letters). Such a token gets the empty piece `""` and the token that completes the
//! character carries the whole character. Bytes that never form valid UTF-8 (only possible with
//! hand-made id sequences, never with ids from [`Tokenizer::encode`]) become U+FFFD on the token
//! where the invalid sequence is detected.

use std::sync::{Arc, OnceLock};

use tiktoken_rs::CoreBPE;

use crate::error::NgramError;

/// Number of tokens in the GPT-2 vocabulary, end-of-text included.
pub const VOCAB_SIZE: usize = 50_257;

struct Inner {
    bpe: CoreBPE,
    /// The bytes of every token id, indexed by id.
    bytes: Vec<Box<[u8]>>,
}

/// GPT-2 r50k tokenizer. Cloning is cheap (a shared pointer).
#[derive(Clone)]
pub struct Tokenizer {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokenizer")
            .field("encoding", &"r50k_base")
            .finish()
    }
}

static SHARED: OnceLock<Result<Tokenizer, String>> = OnceLock::new();

impl Tokenizer {
    /// The end-of-text token `<|endoftext|>`, used as start-of-text context and end of a document.
    pub const EOT: u32 = 50_256;

    /// The GPT-2 tokenizer. Built once per process (about 0.1 s) and shared afterwards.
    pub fn gpt2() -> Result<Tokenizer, NgramError> {
        SHARED
            .get_or_init(|| Self::build().map_err(|e| e.to_string()))
            .clone()
            .map_err(NgramError::Tokenizer)
    }

    fn build() -> Result<Tokenizer, NgramError> {
        let bpe = tiktoken_rs::r50k_base().map_err(|e| NgramError::Tokenizer(e.to_string()))?;
        let mut bytes = Vec::with_capacity(VOCAB_SIZE);
        for id in 0..VOCAB_SIZE as u32 {
            let b = bpe
                .decode_bytes(&[id])
                .map_err(|e| NgramError::Tokenizer(format!("token {id}: {e:?}")))?;
            bytes.push(b.into_boxed_slice());
        }
        Ok(Tokenizer {
            inner: Arc::new(Inner { bpe, bytes }),
        })
    }

    /// Vocabulary size (50,257).
    pub fn vocab_size(&self) -> usize {
        VOCAB_SIZE
    }

    /// Encodes `text` as ordinary text: `<|endoftext|>` in the text is encoded as plain characters,
    /// never as the special token. Decoding the result gives `text` back exactly.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        self.inner.bpe.encode_ordinary(text)
    }

    /// The raw bytes of one token (empty for ids outside the vocabulary).
    pub fn token_bytes(&self, id: u32) -> &[u8] {
        self.inner
            .bytes
            .get(id as usize)
            .map(|b| &b[..])
            .unwrap_or(&[])
    }

    /// Decodes ids to text; invalid UTF-8 (only possible for hand-made id sequences) becomes U+FFFD.
    /// Ids outside the vocabulary decode to nothing.
    pub fn decode(&self, ids: &[u32]) -> String {
        self.decode_pieces(ids).concat()
    }

    /// One text piece per token; their concatenation is exactly [`Tokenizer::decode`]'s result.
    /// A token that ends inside a multi-byte character gets `""` and the token completing the
    /// character carries all of it (see the module documentation).
    pub fn decode_pieces(&self, ids: &[u32]) -> Vec<String> {
        likely_lm_types::decode_pieces(ids, |id| self.token_bytes(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_pieces() {
        let tok = Tokenizer::gpt2().expect("tokenizer");
        for text in [
            "Whether ’tis nobler in the mind to suffer",
            "emoji 🎉🦀 and café, naïve — “quotes”",
            "line\nbreaks\n\n  and   spaces\t",
            "<|endoftext|> stays text",
            "",
        ] {
            let ids = tok.encode(text);
            assert_eq!(tok.decode(&ids), text);
            let pieces = tok.decode_pieces(&ids);
            assert_eq!(pieces.len(), ids.len());
            assert_eq!(pieces.concat(), text);
            assert!(!ids.contains(&Tokenizer::EOT));
        }
    }

    #[test]
    fn split_character_goes_to_the_completing_token() {
        let tok = Tokenizer::gpt2().expect("tokenizer");
        let ids = tok.encode("’tis");
        let pieces = tok.decode_pieces(&ids);
        // ’ is three bytes, split over tokens by GPT-2: the first piece(s) are empty.
        assert!(ids.len() >= 2);
        assert_eq!(pieces.concat(), "’tis");
        let first_nonempty = pieces.iter().position(|p| !p.is_empty()).expect("piece");
        assert!(pieces[first_nonempty].starts_with('’'));
        let emoji = tok.encode("🦀");
        let p = tok.decode_pieces(&emoji);
        assert_eq!(p.last().map(String::as_str), Some("🦀"));
        assert!(p[..p.len() - 1].iter().all(String::is_empty));
    }

    #[test]
    fn eot_and_out_of_range_ids() {
        let tok = Tokenizer::gpt2().expect("tokenizer");
        assert_eq!(tok.decode(&[Tokenizer::EOT]), "<|endoftext|>");
        assert_eq!(tok.decode(&[60_000]), "");
        // A lone continuation byte decodes to U+FFFD rather than failing.
        let ids = tok.encode("’");
        assert_eq!(tok.decode(&ids[..1]), "\u{FFFD}");
    }
}
