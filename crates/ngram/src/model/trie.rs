//! The model's data: the n-gram records ([`Node`], [`Leaf`]), one length's n-grams ([`Level`]), a
//! model's levels with one value representation ([`Trie`]), the two representations ([`Repr`]) and
//! the model itself ([`KnModel`]): its levels and the look-up tables derived from them.

use super::codes::{Books, Code};
use super::dense::DenseIndex;
use super::mapped::Array;
use super::packed::Packed;
use crate::vocab::Vocab;

/// Contexts with more children than this store their children's order by probability
/// ([`Level::by_prob`]); smaller ranges (nearly all: most contexts have one child) are sorted when a
/// search asks.
pub const SORT_MAX: usize = 16;

/// An n-gram that may be a context (levels below the top), with what scoring reads together.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[repr(C)]
pub struct Node<C> {
    /// First child in the next level; the children end where the next node's start.
    pub child_start: u32,
    /// Longest proper suffix that is a context (a packed [`Ctx`](super::ctx::Ctx)), plus `HAS_CHILDREN` when this
    /// n-gram is a context itself.
    pub link: u32,
    /// `ln P(top_word | this context)`, exact in the model's own values.
    pub top_logp: f32,
    /// The most likely next token after this n-gram.
    pub top_word: u16,
    /// `ln P(w | h)`, interpolated (level 1: unused, see `Trie::uni_logp`).
    pub logp: C,
    /// `ln γ` of this n-gram as a context; 0 when it has no continuations (level 1: unused).
    pub backoff: C,
}

/// An n-gram of the top level (never a context).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[repr(C)]
pub struct Leaf<C> {
    /// Longest proper suffix that is a context (a packed [`Ctx`](super::ctx::Ctx)): the next context.
    pub link: u32,
    /// Children range of the next context, copied here so that the next step does not have to
    /// read that context's node first (one cache miss less per token on well-predicted text).
    pub next_start: u32,
    /// Length of that range (a context has at most one child per vocabulary token).
    pub next_len: u16,
    /// `ln P(w | h)`, interpolated.
    pub logp: C,
    /// Unused (keeps the packed record free of padding).
    pub pad: C,
}

/// The n-grams of one length.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Level<C: Code> {
    /// Last token of each n-gram (empty for level 1, where the index is the token).
    pub words: Array<u16>,
    /// Levels below the top: one node per n-gram plus a final sentinel holding the end of the
    /// last children range.
    pub nodes: Array<Node<C>>,
    /// Top level: one leaf per n-gram.
    pub leaves: Array<Leaf<C>>,
    /// Levels above 1: for each context with more than [`SORT_MAX`] children, its children's
    /// offsets sorted by decreasing probability (ties: smaller token), for the top-k and rank
    /// searches; the contexts' lists one after the other. Smaller ranges are sorted when asked.
    pub by_prob: Array<u16>,
    /// The children range start (in this level) of each context listed in `by_prob`, ascending.
    pub big_start: Array<u32>,
    /// Where each of those contexts' list begins in `by_prob`.
    pub big_at: Array<u32>,
    /// Levels below the top: an upper bound on `ln P` of every token after this n-gram but the
    /// top one (rounded up when coded).
    pub second: Array<C>,
    /// Codebooks of the coded fields.
    pub books: Books<C>,
}

impl<C: Code> Level<C> {
    /// Number of n-grams in the level.
    pub fn len(&self) -> usize {
        if self.leaves.is_empty() {
            self.nodes.len().saturating_sub(1)
        } else {
            self.leaves.len()
        }
    }

    /// Whether the level is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The levels of a model with one value representation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trie<C: Code> {
    /// `levels[n - 1]` holds the n-grams of length n.
    pub levels: Vec<Level<C>>,
    /// `ln P(w)` of every token, always exact.
    pub uni_logp: Array<f32>,
    /// `ln γ(w)` of every token as a context, always exact.
    pub uni_backoff: Array<f32>,
}

/// The two representations of a model's values.
#[derive(Debug, Clone, PartialEq)]
pub enum Repr {
    /// Exact values (after training).
    Exact(Trie<f32>),
    /// 8-bit codes in bit-packed records (after loading; see [`crate::format::quantize`],
    /// [`crate::model::packed`]).
    Coded(Packed),
}

/// An interpolated modified Kneser-Ney model in backoff form.
#[derive(Debug, Clone, PartialEq)]
pub struct KnModel {
    pub(crate) order: usize,
    /// The ids and the end-of-text id (the start-of-text context, the end of every document).
    pub(crate) vocab: Vocab,
    pub(crate) repr: Repr,
    /// Token ids sorted by decreasing unigram probability (ties: smaller id first).
    pub(crate) by_unigram: Vec<u16>,
    /// Unigram probabilities (not logs), for full distributions.
    pub(crate) unigram_p: Vec<f64>,
    /// Direct child look-up for the contexts with many children.
    pub(crate) dense: DenseIndex,
}
