//! What a model knows of its tokenizer: the number of token ids and which one is end-of-text
//! ([`Vocab`]), and the tokenizer abstraction training takes ([`TokenIds`]), so that the same
//! Kneser-Ney code serves GPT-2's ids (`base-light`, `custom-base-light`) and any other tokenizer's
//! (SmolLM2's 49,152 ids, end-of-text 0).
//!
//! Tokens are stored in 16 bits (the trie's token arrays, the packed n-gram keys while counting),
//! so a vocabulary holds at most [`MAX_VOCAB`] ids.

use crate::error::NgramError;
use crate::tokenizer::{Tokenizer, VOCAB_SIZE};

/// Largest vocabulary a model can have (its ids must fit in 16 bits).
pub const MAX_VOCAB: usize = 1 << 16;

/// A vocabulary's shape: ids `0..size`, one of which ends a document (and, before the first
/// token, stands for the start of the text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Vocab {
    size: u32,
    eot: u32,
}

impl Vocab {
    /// GPT-2's `r50k_base`: 50,257 ids, `<|endoftext|>` = 50,256 (the last one).
    pub const GPT2: Vocab = Vocab {
        size: VOCAB_SIZE as u32,
        eot: Tokenizer::EOT,
    };

    /// A vocabulary of `size` ids whose end-of-text id is `eot`; an error unless
    /// `1 ≤ size ≤ MAX_VOCAB` and `eot < size`.
    pub fn new(size: usize, eot: u32) -> Result<Vocab, NgramError> {
        if !(1..=MAX_VOCAB).contains(&size) {
            return Err(NgramError::Vocabulary(format!(
                "{size} token ids (a model holds 1 to {MAX_VOCAB})"
            )));
        }
        if eot as usize >= size {
            return Err(NgramError::Vocabulary(format!(
                "end-of-text id {eot} outside the {size} ids"
            )));
        }
        Ok(Vocab {
            size: size as u32,
            eot,
        })
    }

    /// Number of ids.
    pub const fn size(self) -> usize {
        self.size as usize
    }

    /// The end-of-text id.
    pub const fn eot(self) -> u32 {
        self.eot
    }

    /// Whether `id` is one of the vocabulary's ids.
    pub const fn contains(self, id: u32) -> bool {
        id < self.size
    }
}

/// A tokenizer as training sees it: text to ids, and the vocabulary those ids belong to.
/// [`Tokenizer`] (GPT-2) implements it; so can any other tokenizer (SmolLM2's).
pub trait TokenIds: Send + Sync {
    /// A short stable name (it enters the fingerprints of cached models trained over it).
    fn name(&self) -> &str;
    /// Encodes `text` as ordinary text: never emits the end-of-text id.
    fn encode(&self, text: &str) -> Vec<u32>;
    /// Number of ids.
    fn vocab_size(&self) -> usize;
    /// The end-of-text id.
    fn eot(&self) -> u32;
    /// The vocabulary as a [`Vocab`] (an error when it is too large for a model).
    fn vocab(&self) -> Result<Vocab, NgramError> {
        Vocab::new(self.vocab_size(), self.eot())
    }
}

impl TokenIds for Tokenizer {
    fn name(&self) -> &str {
        "gpt2-r50k"
    }

    fn encode(&self, text: &str) -> Vec<u32> {
        Tokenizer::encode(self, text)
    }

    fn vocab_size(&self) -> usize {
        VOCAB_SIZE
    }

    fn eot(&self) -> u32 {
        Tokenizer::EOT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_are_checked() {
        assert_eq!(Vocab::new(50_257, 50_256).expect("gpt2"), Vocab::GPT2);
        let smol = Vocab::new(49_152, 0).expect("smollm2");
        assert_eq!((smol.size(), smol.eot()), (49_152, 0));
        assert!(smol.contains(49_151) && !smol.contains(49_152));
        assert!(Vocab::new(MAX_VOCAB, 5).is_ok());
        for (size, eot) in [(0, 0), (10, 10), (MAX_VOCAB + 1, 0)] {
            assert!(matches!(
                Vocab::new(size, eot),
                Err(NgramError::Vocabulary(_))
            ));
        }
    }

    #[test]
    fn the_gpt2_tokenizer_is_token_ids() {
        let tok = Tokenizer::gpt2().expect("tokenizer");
        let ids: &dyn TokenIds = &tok;
        assert_eq!(ids.vocab().expect("vocab"), Vocab::GPT2);
        assert_eq!(ids.encode("To be"), tok.encode("To be"));
    }
}
