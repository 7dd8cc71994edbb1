//! Naming a context of the model: [`Ctx`], a level and an index in one `u32`, and the bit layout
//! the stores share (the level's bits, the children flag of a node's link, the largest level and
//! order). A leaf: both stores (the trie of `model` and the bit-packed records of `packed`)
//! build on it.

/// A context node: `level` (0 = the empty context, 1 = one token, ...) and index in that level,
/// packed in one `u32` (level in the top 3 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ctx(pub(crate) u32);

const LEVEL_SHIFT: u32 = 29;
/// In a node's `link`: set when the node itself has continuations.
pub(crate) const HAS_CHILDREN: u32 = 1 << 28;
const INDEX_MASK: u32 = HAS_CHILDREN - 1;
/// Largest number of n-grams one level may hold (the index must fit in 28 bits).
pub const MAX_LEVEL_LEN: usize = INDEX_MASK as usize;
/// Highest supported order (the level must fit in 3 bits, level 0 being the empty context).
pub const MAX_ORDER: usize = 7;

impl Ctx {
    /// The empty context (unigram distribution).
    pub const ROOT: Ctx = Ctx(0);

    /// Packs a level and an index.
    pub fn new(level: usize, index: u32) -> Ctx {
        Ctx(((level as u32) << LEVEL_SHIFT) | (index & INDEX_MASK))
    }

    /// From a node's `link` field (drops the flag).
    #[inline]
    pub(crate) fn from_link(link: u32) -> Ctx {
        Ctx(link & !HAS_CHILDREN)
    }

    /// Number of tokens in the context.
    #[inline]
    pub fn level(self) -> usize {
        (self.0 >> LEVEL_SHIFT) as usize
    }

    /// Index of the context's n-gram in its level.
    #[inline]
    pub fn index(self) -> usize {
        (self.0 & INDEX_MASK) as usize
    }
}
