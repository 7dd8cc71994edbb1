//! The trained n-gram model in memory and its scoring primitives.
//!
//! Layout (a forward trie in flat arrays, one [`Level`] per n-gram length, as in KenLM's trie but
//! with a suffix link per node, so that scoring is one walk with no look-ups from the root):
//! - level 1 holds every vocabulary token, indexed by id;
//! - level n > 1 holds the seen n-grams sorted by (index of their context in level n-1, last
//!   token); the children of a context are a contiguous range.
//!
//! Each n-gram stores its **interpolated** modified Kneser-Ney log-probability `ln P(w | h)` (lower
//! orders folded in), so that for an unseen `h w` the probability is `γ(h) · P(w | h')`, `h'` being
//! `h` without its first token: the model is stored in backoff form, exactly equal to the
//! interpolated one. The fields scoring reads together sit together ([`Node`], [`Leaf`] after training,
//! bit-packed records after a save) so that a step costs few cache misses; the tokens stay in their
//! own array for a dense binary search.
//!
//! Models come in two representations ([`Repr`]): after training, exact `f32` values in the
//! records above; after a save and load, 8-bit codes into per-level codebooks in the bit-packed
//! records of [`crate::model::packed`] ([`crate::format::quantize`], [`crate::format::storage`]); unigram values are
//! exact in both. The scoring primitives are written once (`View`), generic over how the levels
//! are stored (`Store`), and the arrays are owned or views into a memory-mapped file
//! (`crate::model::mapped::Array`).
//!
//! A mapped file is not validated when it is loaded, so the primitives trust nothing they read
//! from it: every index is checked against the bounds of the array it addresses (a link must name a
//! shorter context of the model, a children range must lie inside the next level, a token inside
//! the vocabulary), and a bad one reads as "absent" (no child, the empty context). A corrupt file
//! gives wrong figures, never a panic, an out-of-bounds read or an endless loop.
//!
//! A [`Ctx`] names the longest suffix of the history that is a context of the model (has
//! continuations): the next-token distribution depends on the history only through it.
//!
//! The files: `trie` (the data and [`KnModel`]), `store` (how the levels are stored, implemented
//! by `exact` and `coded`), `view` (the scoring primitives), `kn` (the model's methods); the leaves
//! `ctx` (a context's name), `codes` (exact values or 8-bit codes), `dense` (the direct child
//! index), `mapped` (owned or memory-mapped arrays) and `packed` (the bit-packed records).

mod coded;
pub(crate) mod codes;
pub(crate) mod ctx;
pub(crate) mod dense;
mod exact;
mod kn;
pub(crate) mod mapped;
pub mod packed;
pub(crate) mod store;
pub mod trie;
pub(crate) mod view;

pub use codes::{Books, Code, Codebook};
pub(crate) use ctx::HAS_CHILDREN;
pub use ctx::{Ctx, MAX_LEVEL_LEN, MAX_ORDER};
pub use trie::{KnModel, Leaf, Level, Node, Repr, Trie, SORT_MAX};
pub(crate) use view::SortedChildren;
pub use view::State;
