//! How the levels of a model are stored, as the scoring primitives read them: the [`Store`] trait
//! (implemented by the exact trie of a trained model in `exact` and by the bit-packed records of a
//! loaded one in `coded`), and what an entry says follows it ([`Next`]) and where a context's top-1
//! comes from ([`Top`]).

use super::ctx::Ctx;

/// What follows an n-gram found in a context.
pub(crate) enum Next {
    /// It is a context itself, with these children (unchecked) and this record.
    Range(u32, u32, u32),
    /// The next context is this link (a packed [`Ctx`], unchecked).
    Link(u32),
    /// The next context is this link, and its children range is this one (both unchecked).
    LinkRange(u32, u32, u32),
}

/// Where a context's top-1 token and its log-probability come from.
pub(crate) enum Top {
    /// Stored as they are.
    Stored(u16, f32),
    /// The child at this offset.
    Child(usize),
    /// The child whose offset [`Store::best_child`] gives.
    BestStored,
    /// The top-1 of the suffix context, with this context's backoff added.
    Lower,
}

/// The tokens and children order arrays of a level (see [`Level`]).
pub(crate) type LevelArrays<'a> = (&'a [u16], &'a [u16], &'a [u32], &'a [u32]);

/// What both layouts of a level hold alike: their n-grams' count and the tokens and children
/// order arrays.
pub(crate) trait LevelLayout {
    /// Number of n-grams.
    fn len(&self) -> usize;
    /// `words`, `by_prob`, `big_start`, `big_at`.
    fn arrays(&self) -> LevelArrays<'_>;
}

/// How the levels of a model are stored: the primitives the scoring code reads, for levels
/// `1..=order`. Nothing here is trusted to be in range (a mapped file is not validated): the
/// callers check what they use as an index.
pub(crate) trait Store {
    /// How a level is laid out.
    type Level: LevelLayout;
    /// The levels: `levels()[n - 1]` holds the n-grams of length n.
    fn levels(&self) -> &[Self::Level];
    /// Level `level` (`1..=order`), `None` outside them.
    #[inline]
    fn level(&self, level: usize) -> Option<&Self::Level> {
        self.levels().get(level.wrapping_sub(1))
    }
    /// `ln P(w)` of every token.
    fn uni_logp(&self) -> &[f32];
    /// `ln γ(w)` of every token.
    fn uni_backoff(&self) -> &[f32];
    /// Number of n-grams of `level` (0 when the model has none).
    #[inline]
    fn len(&self, level: usize) -> usize {
        self.level(level).map_or(0, LevelLayout::len)
    }
    /// `words`, `by_prob`, `big_start`, `big_at` of `level`.
    #[inline]
    fn arrays(&self, level: usize) -> Option<LevelArrays<'_>> {
        self.level(level).map(LevelLayout::arrays)
    }
    /// Last tokens of the n-grams of `level` (≥ 2).
    #[inline]
    fn words(&self, level: usize) -> &[u16] {
        self.arrays(level).map_or(&[][..], |a| a.0)
    }
    /// `by_prob`, `big_start`, `big_at` of `level` (≥ 2).
    #[inline]
    fn orders(&self, level: usize) -> (&[u16], &[u32], &[u32]) {
        self.arrays(level)
            .map_or((&[][..], &[][..], &[][..]), |a| (a.1, a.2, a.3))
    }
    /// N-gram `j` of `level` (≥ 2): `ln P` and what follows it.
    fn entry(&self, level: usize, j: usize) -> Option<(f32, Next)>;
    /// Children range of n-gram `i` of `level` (empty or anything when it has none) and where its
    /// record is.
    fn range(&self, level: usize, i: usize) -> (u32, u32, u32);
    /// Whether n-gram `i` of `level` is a context.
    fn has_children(&self, level: usize, i: usize) -> bool;
    /// `ln γ` (levels ≥ 2) and link of n-gram `i` of `level`.
    fn backoff_link(&self, level: usize, i: usize) -> (f32, u32);
    /// Upper bound on `ln P` of every token but the top-1 after context `i` of `level`.
    fn second(&self, level: usize, i: usize) -> f32;
    /// [`Store::second`] of the context whose record is `rec`.
    fn second_at(&self, level: usize, rec: u32) -> f32;
    /// Where n-gram `i`'s record is, without reading it (a hint to fetch it).
    fn record_of(&self, level: usize, i: usize) -> u32;
    /// Children range of the context whose record is `rec` (unchecked).
    fn range_at(&self, level: usize, rec: u32) -> (u32, u32);
    /// `ln γ` (levels ≥ 2) and link of the context whose record is `rec`.
    fn backoff_link_at(&self, level: usize, rec: u32) -> (f32, u32);
    /// Where the top-1 of the context whose record is `rec` (see [`Store::range`]) comes from.
    fn top_at(&self, level: usize, rec: u32) -> Top;
    /// `ln P` of n-gram `j` of `level` (≥ 2).
    fn logp(&self, level: usize, j: usize) -> Option<f32>;
    /// Hints the processor to fetch n-gram `j`'s record (when that needs no rank).
    fn prefetch(&self, level: usize, j: usize);
    /// Offset of the top-1 child of `ctx` when its source is [`Top::BestStored`].
    fn best_child(&self, ctx: Ctx) -> Option<usize>;
}
