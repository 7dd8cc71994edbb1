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
//! records of [`crate::packed`] ([`crate::quantize`], [`crate::storage`]); unigram values are
//! exact in both. The scoring primitives are written once (`View`), generic over how the levels
//! are stored (`Store`), and the arrays are owned or views into a memory-mapped file
//! (`crate::mapped::Array`).
//!
//! A mapped file is not validated when it is loaded, so the primitives trust nothing they read
//! from it: every index is checked against the bounds of the array it addresses (a link must name a
//! shorter context of the model, a children range must lie inside the next level, a token inside
//! the vocabulary), and a bad one reads as "absent" (no child, the empty context). A corrupt file
//! gives wrong figures, never a panic, an out-of-bounds read or an endless loop.
//!
//! A [`Ctx`] names the longest suffix of the history that is a context of the model (has
//! continuations): the next-token distribution depends on the history only through it.

pub use crate::codes::{Books, Code, Codebook};
pub(crate) use crate::ctx::HAS_CHILDREN;
pub use crate::ctx::{Ctx, MAX_LEVEL_LEN, MAX_ORDER};
use crate::dense::{DenseIndex, DENSE_MIN_CHILDREN};
use crate::mapped::{prefetch_read, Array};
use crate::packed::{Packed, TOP_BEST_STORED, TOP_LOWER};
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
    /// Longest proper suffix that is a context (a packed [`Ctx`]), plus `HAS_CHILDREN` when this
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
    /// Longest proper suffix that is a context (a packed [`Ctx`]): the next context.
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

/// A context's children in decreasing probability, ready for a search ([`KnModel::nth_child`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct SortedChildren {
    ctx: Ctx,
    kind: Order,
    small: [(f32, u32); SORT_MAX],
}

/// Where a context's children order comes from.
#[derive(Debug, Clone, Copy)]
enum Order {
    /// The empty context: the tokens by unigram probability.
    Root,
    /// This many children, sorted in `small`.
    Small(usize),
    /// The stored order: `len` children from `start`, their order at `at` in `by_prob`.
    Big { at: usize, start: usize, len: usize },
}

/// Where scoring stands: the context and its children range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    /// The context.
    pub ctx: Ctx,
    /// Start of the children range ([`PENDING`] until read: see [`KnModel::resolve`]).
    start: u32,
    end: u32,
    /// Where the context's record is (the storage's own index).
    rec: u32,
}

/// `State::start` of a state whose children range is not read yet.
const PENDING: u32 = u32::MAX;

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
    /// 8-bit codes in bit-packed records (after loading; see [`crate::quantize`],
    /// [`crate::packed`]).
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

/// Runs `$e` with `$v` bound to a [`View`] of the model's trie, whichever its representation.
macro_rules! with_view {
    ($self:expr, $v:ident => $e:expr) => {
        match &$self.repr {
            Repr::Exact(t) => {
                let $v = View { m: $self, t };
                $e
            }
            Repr::Coded(t) => {
                let $v = View { m: $self, t };
                $e
            }
        }
    };
}

impl KnModel {
    /// Builds the derived lookup tables after the levels are filled in (reads every context).
    /// `vocab.size()` is the length of the unigram arrays.
    pub(crate) fn from_repr(order: usize, vocab: Vocab, repr: Repr) -> KnModel {
        let dense = match &repr {
            Repr::Exact(t) => dense_contexts(order, t),
            Repr::Coded(t) => dense_contexts(order, t),
        };
        KnModel::with_dense(order, vocab, repr, &dense)
    }

    /// Builds the derived lookup tables, the dense indices of the contexts `dense` (packed
    /// [`Ctx`]s) only: reads the unigrams and those contexts' children, nothing else.
    pub(crate) fn with_dense(order: usize, vocab: Vocab, repr: Repr, dense: &[u32]) -> KnModel {
        let uni = match &repr {
            Repr::Exact(t) => t.uni_logp.to_vec(),
            Repr::Coded(t) => t.uni_logp.to_vec(),
        };
        let mut by_unigram: Vec<u16> = (0..uni.len() as u32).map(|w| w as u16).collect();
        by_unigram.sort_by(|&a, &b| uni[b as usize].total_cmp(&uni[a as usize]).then(a.cmp(&b)));
        let unigram_p = uni.iter().map(|&l| f64::from(l).exp()).collect();
        let mut model = KnModel {
            order,
            vocab,
            repr,
            by_unigram,
            unigram_p,
            dense: DenseIndex::new(uni.len()),
        };
        let mut index = DenseIndex::new(uni.len());
        for &c in dense {
            let ctx = Ctx(c);
            // Only contexts that scoring would look up in a dense index (a list read from a
            // corrupt file must not allocate tables for nothing).
            let large = model.children(ctx).len() >= DENSE_MIN_CHILDREN;
            if ctx.level() == 0 || ctx.level() >= order || !large || index.has(c) {
                continue;
            }
            let level = ctx.level() + 1;
            let words = model.children(ctx).map(|j| model.child_word(level, j));
            index.add(c, words);
        }
        model.dense = index;
        model
    }

    /// The contexts with a dense child index (packed [`Ctx`]s, ascending), for the model file.
    pub fn dense_contexts(&self) -> Vec<u32> {
        self.dense.contexts()
    }

    /// Whether the values are 8-bit codes (a loaded model) rather than exact (a trained one).
    pub fn is_quantized(&self) -> bool {
        matches!(self.repr, Repr::Coded(_))
    }

    /// The coded levels (a loaded model), for size reports.
    pub fn coded_trie(&self) -> Option<&Packed> {
        match &self.repr {
            Repr::Coded(t) => Some(t),
            Repr::Exact(_) => None,
        }
    }

    /// Number of contexts with a dense child index, and its size in bytes.
    pub fn dense_index_size(&self) -> (usize, usize) {
        (self.dense.len(), self.dense.bytes())
    }

    /// The model's order (longest n-gram length).
    pub fn order(&self) -> usize {
        self.order
    }

    /// Number of n-grams of each length, from unigrams up.
    pub fn ngram_counts(&self) -> Vec<usize> {
        with_view!(self, v => (1..=self.order).map(|l| v.t.len(l)).collect())
    }

    /// Vocabulary size.
    pub fn vocab(&self) -> usize {
        self.unigram_p.len()
    }

    /// The end-of-text id: the start-of-text context and the token that ends a document.
    pub fn eot(&self) -> u32 {
        self.vocab.eot()
    }

    /// The vocabulary: its size and end-of-text id.
    pub fn vocabulary(&self) -> Vocab {
        self.vocab
    }

    /// The context after the start-of-text token alone.
    pub fn start(&self) -> Ctx {
        with_view!(self, v => v.start())
    }

    /// The children range of a context (in level `ctx.level() + 1`).
    #[inline]
    pub(crate) fn children(&self, ctx: Ctx) -> std::ops::Range<usize> {
        with_view!(self, v => v.children(ctx))
    }

    /// The token of entry `j` of `level`.
    #[inline]
    pub(crate) fn child_word(&self, level: usize, j: usize) -> u32 {
        with_view!(self, v => v.child_word(level, j))
    }

    /// `ln P(w | h)` stored for entry `j` of `level`.
    #[inline]
    pub(crate) fn child_logp(&self, level: usize, j: usize) -> f32 {
        with_view!(self, v => v.child_logp(level, j))
    }

    /// The children of `ctx` in decreasing probability (ties: smaller token), resolved once for
    /// a search: sorted at once when there are at most [`SORT_MAX`], else the stored order.
    #[inline]
    pub(crate) fn sorted_children(&self, ctx: Ctx) -> SortedChildren {
        with_view!(self, v => v.sorted_children(ctx))
    }

    /// The `rank`-th (0 = best) of `s` with its stored log-probability.
    #[inline]
    pub(crate) fn nth_child(&self, s: &SortedChildren, rank: usize) -> Option<(u32, f32)> {
        with_view!(self, v => v.nth_child(s, rank))
    }

    /// `ln γ(ctx)`: the weight of the lower order (0 for the empty context, which never backs off).
    #[inline]
    pub(crate) fn backoff(&self, ctx: Ctx) -> f32 {
        with_view!(self, v => v.backoff(ctx))
    }

    /// The longest proper suffix of `ctx` that is a context (the empty context for level ≤ 1).
    #[inline]
    pub(crate) fn suffix(&self, ctx: Ctx) -> Ctx {
        with_view!(self, v => v.suffix(ctx))
    }

    /// Most likely next token after `ctx` and its natural-log probability.
    #[inline]
    pub fn top1(&self, ctx: Ctx) -> (u32, f64) {
        with_view!(self, v => v.top1(ctx))
    }

    /// Upper bound on the natural-log probability of every token after a state's context but the
    /// top-1.
    #[inline]
    pub(crate) fn second_bound_state(&self, state: &State) -> f64 {
        with_view!(self, v => v.second_bound_state(state))
    }

    /// [`KnModel::top1`] of a state's context.
    #[inline]
    pub fn top1_state(&self, state: &State) -> (u32, f64) {
        with_view!(self, v => v.top1_state(state))
    }

    /// The scoring state of a context.
    #[inline]
    pub fn state(&self, ctx: Ctx) -> State {
        with_view!(self, v => v.state(ctx))
    }

    /// Scores `w` after `ctx`: its natural-log probability and the context that follows it.
    /// Ids outside the vocabulary get the probability of the least likely token and reset the
    /// context.
    #[inline]
    pub fn step(&self, ctx: Ctx, w: u32) -> (f64, Ctx) {
        let (lp, st) = self.step_state(self.state(ctx), w);
        (lp, st.ctx)
    }

    /// [`KnModel::step`] on a [`State`].
    #[inline]
    pub fn step_state(&self, state: State, w: u32) -> (f64, State) {
        with_view!(self, v => v.step_state(state, w))
    }

    /// Index (in level `ctx.level() + 1`) of the child `w` of a context that is not the root.
    #[inline]
    pub(crate) fn child_index(&self, ctx: Ctx, w: u32) -> Option<usize> {
        with_view!(self, v => v.child_index(ctx, w))
    }

    /// Hints the processor to fetch what the top-1 search after `state` reads next.
    #[inline]
    pub(crate) fn prefetch_top(&self, state: &State) {
        with_view!(self, v => v.prefetch_top(state))
    }

    /// Hints the processor to fetch what the next step from `state` reads first to find `w`: the
    /// block of the context's dense index that holds `w`, else the first probes of the binary
    /// search among its children's tokens.
    #[inline]
    pub(crate) fn prefetch_state(&self, state: &State, w: u32) {
        with_view!(self, v => v.prefetch_state(state, w))
    }

    /// A state whose children range is read (a step may leave it to be read later, after a hint
    /// to fetch it, so that its cache miss overlaps other work).
    #[inline]
    pub(crate) fn resolve(&self, state: State) -> State {
        with_view!(self, v => v.resolve(state))
    }

    /// `ln P(w | ctx)` without the next context.
    #[inline]
    pub fn logprob(&self, ctx: Ctx, w: u32) -> f64 {
        self.step(ctx, w).0
    }

    /// The context after the start-of-text token and `tokens`.
    pub fn context_after(&self, tokens: &[u32]) -> Ctx {
        tokens.iter().fold(self.start(), |c, &w| self.step(c, w).1)
    }

    /// Writes the full next-token distribution after `ctx` (probabilities) into `out`
    /// (length = vocabulary size).
    pub fn distribution_into(&self, ctx: Ctx, out: &mut [f64]) {
        out.copy_from_slice(&self.unigram_p[..out.len()]);
        // The chain of contexts from the longest to the empty one.
        let mut chain = [Ctx::ROOT; MAX_ORDER];
        let mut len = 0;
        let mut c = ctx;
        while c.level() > 0 && len < MAX_ORDER {
            chain[len] = c;
            len += 1;
            c = self.suffix(c);
        }
        // Walk up from the shortest context; `out` holds P(w | current) / scale.
        let mut scale = 1.0f64;
        for &c in chain[..len].iter().rev() {
            scale *= f64::from(self.backoff(c)).exp();
            let level = c.level() + 1;
            let inv = 1.0 / scale;
            for j in self.children(c) {
                let w = self.child_word(level, j) as usize;
                out[w] = f64::from(self.child_logp(level, j)).exp() * inv;
            }
        }
        if scale != 1.0 {
            for o in out.iter_mut() {
                *o *= scale;
            }
        }
    }
}

/// The contexts with at least [`DENSE_MIN_CHILDREN`] children (packed [`Ctx`]s, ascending).
fn dense_contexts<S: Store>(order: usize, t: &S) -> Vec<u32> {
    let mut out = Vec::new();
    for level in 1..order {
        for i in 0..t.len(level) {
            if !t.has_children(level, i) {
                continue;
            }
            let (s, e, _) = t.range(level, i);
            if (e as usize).saturating_sub(s as usize) >= DENSE_MIN_CHILDREN {
                out.push(Ctx::new(level, i as u32).0);
            }
        }
    }
    out
}

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

/// How the levels of a model are stored: the primitives the scoring code reads, for levels
/// `1..=order`. Nothing here is trusted to be in range (a mapped file is not validated): the
/// callers check what they use as an index.
pub(crate) trait Store {
    /// `ln P(w)` of every token.
    fn uni_logp(&self) -> &[f32];
    /// `ln γ(w)` of every token.
    fn uni_backoff(&self) -> &[f32];
    /// Number of n-grams of `level` (0 when the model has none).
    fn len(&self, level: usize) -> usize;
    /// `words`, `by_prob`, `big_start`, `big_at` of `level`.
    fn arrays(&self, level: usize) -> Option<LevelArrays<'_>>;
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

impl Store for Trie<f32> {
    fn uni_logp(&self) -> &[f32] {
        &self.uni_logp
    }

    fn uni_backoff(&self) -> &[f32] {
        &self.uni_backoff
    }

    #[inline]
    fn len(&self, level: usize) -> usize {
        self.levels.get(level.wrapping_sub(1)).map_or(0, Level::len)
    }

    #[inline]
    fn arrays(&self, level: usize) -> Option<LevelArrays<'_>> {
        let l = self.levels.get(level.wrapping_sub(1))?;
        Some((&l.words, &l.by_prob, &l.big_start, &l.big_at))
    }

    #[inline]
    fn entry(&self, level: usize, j: usize) -> Option<(f32, Next)> {
        let l = self.levels.get(level.wrapping_sub(1))?;
        if level == self.levels.len() {
            let x = l.leaves.get(j)?;
            let end = x.next_start.saturating_add(u32::from(x.next_len));
            return Some((x.logp, Next::LinkRange(x.link, x.next_start, end)));
        }
        let n = l.nodes.get(j)?;
        let next = if n.link & HAS_CHILDREN != 0 {
            let end = l.nodes.get(j + 1).map_or(0, |x| x.child_start);
            Next::Range(n.child_start, end, j as u32)
        } else {
            Next::Link(n.link)
        };
        Some((n.logp, next))
    }

    #[inline]
    fn range(&self, level: usize, i: usize) -> (u32, u32, u32) {
        let Some(l) = self.levels.get(level.wrapping_sub(1)) else {
            return (0, 0, 0);
        };
        match (l.nodes.get(i), l.nodes.get(i + 1)) {
            (Some(a), Some(b)) => (a.child_start, b.child_start, i as u32),
            _ => (0, 0, 0),
        }
    }

    #[inline]
    fn record_of(&self, _: usize, i: usize) -> u32 {
        i as u32
    }

    #[inline]
    fn range_at(&self, level: usize, rec: u32) -> (u32, u32) {
        let (s, e, _) = self.range(level, rec as usize);
        (s, e)
    }

    #[inline]
    fn has_children(&self, level: usize, i: usize) -> bool {
        self.levels
            .get(level.wrapping_sub(1))
            .and_then(|l| l.nodes.get(i))
            .is_some_and(|n| n.link & HAS_CHILDREN != 0)
    }

    #[inline]
    fn backoff_link(&self, level: usize, i: usize) -> (f32, u32) {
        self.levels
            .get(level.wrapping_sub(1))
            .and_then(|l| l.nodes.get(i))
            .map_or((0.0, 0), |n| (n.backoff, n.link))
    }

    #[inline]
    fn second(&self, level: usize, i: usize) -> f32 {
        self.levels
            .get(level.wrapping_sub(1))
            .and_then(|l| l.second.get(i))
            .copied()
            .unwrap_or(0.0)
    }

    #[inline]
    fn second_at(&self, level: usize, rec: u32) -> f32 {
        self.second(level, rec as usize)
    }

    #[inline]
    fn backoff_link_at(&self, level: usize, rec: u32) -> (f32, u32) {
        self.backoff_link(level, rec as usize)
    }

    #[inline]
    fn top_at(&self, level: usize, rec: u32) -> Top {
        let n = self
            .levels
            .get(level.wrapping_sub(1))
            .and_then(|l| l.nodes.get(rec as usize))
            .copied()
            .unwrap_or_default();
        Top::Stored(n.top_word, n.top_logp)
    }

    #[inline]
    fn logp(&self, level: usize, j: usize) -> Option<f32> {
        self.entry(level, j).map(|e| e.0)
    }

    #[inline]
    fn prefetch(&self, _: usize, _: usize) {}

    fn best_child(&self, _: Ctx) -> Option<usize> {
        None
    }
}

impl Store for Packed {
    fn uni_logp(&self) -> &[f32] {
        &self.uni_logp
    }

    fn uni_backoff(&self) -> &[f32] {
        &self.uni_backoff
    }

    #[inline]
    fn len(&self, level: usize) -> usize {
        self.levels.get(level.wrapping_sub(1)).map_or(0, |l| l.len)
    }

    #[inline]
    fn arrays(&self, level: usize) -> Option<LevelArrays<'_>> {
        let l = self.levels.get(level.wrapping_sub(1))?;
        Some((&l.words, &l.by_prob, &l.big_start, &l.big_at))
    }

    #[inline]
    fn entry(&self, level: usize, j: usize) -> Option<(f32, Next)> {
        let l = self.levels.get(level.wrapping_sub(1))?;
        if j >= l.len {
            return None;
        }
        let (code, next) = l.entry(j);
        let next = match next {
            Ok((s, e, r)) => Next::Range(s, e, r),
            Err(link) => Next::Link(link),
        };
        Some((code.value(&l.books.logp), next))
    }

    #[inline]
    fn range(&self, level: usize, i: usize) -> (u32, u32, u32) {
        match self.levels.get(level.wrapping_sub(1)) {
            Some(l) if i < l.len => l.locate(i),
            _ => (0, 0, u32::MAX),
        }
    }

    #[inline]
    fn record_of(&self, level: usize, i: usize) -> u32 {
        match self.levels.get(level.wrapping_sub(1)) {
            Some(l) if i < l.len => l.record_of(i),
            _ => u32::MAX,
        }
    }

    #[inline]
    fn range_at(&self, level: usize, rec: u32) -> (u32, u32) {
        self.levels
            .get(level.wrapping_sub(1))
            .map_or((0, 0), |l| l.range_at(rec as usize))
    }

    #[inline]
    fn has_children(&self, level: usize, i: usize) -> bool {
        self.levels
            .get(level.wrapping_sub(1))
            .is_some_and(|l| i < l.len && l.is_ctx(i))
    }

    #[inline]
    fn backoff_link(&self, level: usize, i: usize) -> (f32, u32) {
        match self.levels.get(level.wrapping_sub(1)) {
            Some(l) if i < l.len => {
                let (code, link) = l.backoff_link(i);
                (code.value(&l.books.backoff), link)
            }
            _ => (0.0, 0),
        }
    }

    #[inline]
    fn second(&self, level: usize, i: usize) -> f32 {
        match self.levels.get(level.wrapping_sub(1)) {
            Some(l) if i < l.len => l.second(i).map_or(0.0, |c| c.value(&l.books.second)),
            _ => 0.0,
        }
    }

    #[inline]
    fn second_at(&self, level: usize, rec: u32) -> f32 {
        self.levels
            .get(level.wrapping_sub(1))
            .map_or(0.0, |l| l.second_at(rec as usize).value(&l.books.second))
    }

    #[inline]
    fn backoff_link_at(&self, level: usize, rec: u32) -> (f32, u32) {
        match self.levels.get(level.wrapping_sub(1)) {
            Some(l) => {
                let (code, link) = l.backoff_link_at(rec as usize);
                (code.value(&l.books.backoff), link)
            }
            None => (0.0, 0),
        }
    }

    #[inline]
    fn top_at(&self, level: usize, rec: u32) -> Top {
        let code = self
            .levels
            .get(level.wrapping_sub(1))
            .map_or(TOP_LOWER, |l| l.top_at(rec as usize));
        match code {
            TOP_LOWER => Top::Lower,
            TOP_BEST_STORED => Top::BestStored,
            k => Top::Child(usize::from(k)),
        }
    }

    #[inline]
    fn logp(&self, level: usize, j: usize) -> Option<f32> {
        let l = self.levels.get(level.wrapping_sub(1))?;
        (j < l.len).then(|| l.logp(j).value(&l.books.logp))
    }

    #[inline]
    fn best_child(&self, ctx: Ctx) -> Option<usize> {
        Packed::best_child(self, ctx)
    }

    #[inline]
    fn prefetch(&self, level: usize, j: usize) {
        if let Some(w) = self
            .levels
            .get(level.wrapping_sub(1))
            .and_then(|l| l.word_of(j))
        {
            prefetch_read(w as *const u64 as *const i8);
        }
    }
}

/// A model's levels seen with their storage's type: the scoring primitives, written once.
pub(crate) struct View<'a, S: Store> {
    m: &'a KnModel,
    t: &'a S,
}

impl<S: Store> View<'_, S> {
    fn vocab(&self) -> usize {
        self.m.unigram_p.len()
    }

    /// The children range of n-gram `i` of `level`, within the next level's bounds (empty when
    /// the stored bounds are not: a model file is mapped, not checked, so nothing read from it is
    /// trusted to be in range).
    #[inline]
    fn range(&self, level: usize, i: usize) -> (u32, u32, u32) {
        let (s, e, rec) = self.t.range(level, i);
        if s <= e && e as usize <= self.t.len(level + 1) {
            (s, e, rec)
        } else {
            (0, 0, rec)
        }
    }

    /// The context a `link` names, if it is a context of a level below `below` that the model
    /// has (else the empty context).
    #[inline]
    fn link_ctx(&self, link: u32, below: usize) -> Ctx {
        let c = Ctx::from_link(link);
        if c.level() < below && c.index() < self.t.len(c.level()) {
            c
        } else {
            Ctx::ROOT
        }
    }

    /// A token read from the file, kept inside the vocabulary.
    #[inline]
    fn token(&self, w: u16) -> u32 {
        u32::from(w).min(self.vocab().saturating_sub(1) as u32)
    }

    fn start(&self) -> Ctx {
        let w = self.m.vocab.eot() as usize;
        if self.t.has_children(1, w) {
            Ctx::new(1, w as u32)
        } else {
            Ctx::ROOT
        }
    }

    #[inline]
    fn children(&self, ctx: Ctx) -> std::ops::Range<usize> {
        let level = ctx.level();
        if level == 0 {
            return 0..self.vocab();
        }
        let (s, e, _) = self.range(level, ctx.index());
        s as usize..e as usize
    }

    #[inline]
    fn child_word(&self, level: usize, j: usize) -> u32 {
        if level == 1 {
            j as u32
        } else {
            self.token(self.t.words(level).get(j).copied().unwrap_or(0))
        }
    }

    #[inline]
    fn child_logp(&self, level: usize, j: usize) -> f32 {
        if level == 1 {
            return self
                .t
                .uni_logp()
                .get(j)
                .copied()
                .unwrap_or(f32::NEG_INFINITY);
        }
        self.t.logp(level, j).unwrap_or(f32::NEG_INFINITY)
    }

    #[inline]
    fn sorted_children(&self, ctx: Ctx) -> SortedChildren {
        let mut out = SortedChildren {
            ctx,
            kind: Order::Root,
            small: [(0.0, 0); SORT_MAX],
        };
        if ctx.level() == 0 {
            return out;
        }
        let r = self.children(ctx);
        let level = ctx.level() + 1;
        out.kind = if r.len() <= SORT_MAX {
            // A small range: sorted here, once for the whole search (a cache line or two).
            for (slot, j) in out.small.iter_mut().zip(r.clone()) {
                *slot = (self.child_logp(level, j), self.child_word(level, j));
            }
            out.small[..r.len()].sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            Order::Small(r.len())
        } else {
            let (_, big_start, big_at) = self.t.orders(level);
            let stored = big_start
                .binary_search(&(r.start as u32))
                .ok()
                .and_then(|i| big_at.get(i).map(|&at| at as usize));
            stored.map_or(Order::Small(0), |at| Order::Big {
                at,
                start: r.start,
                len: r.len(),
            })
        };
        out
    }

    #[inline]
    fn nth_child(&self, s: &SortedChildren, rank: usize) -> Option<(u32, f32)> {
        match s.kind {
            Order::Root => {
                let w = *self.m.by_unigram.get(rank)?;
                Some((u32::from(w), self.t.uni_logp()[w as usize]))
            }
            Order::Small(n) => s.small[..n].get(rank).map(|&(lp, w)| (w, lp)),
            Order::Big { at, start, len } => {
                let level = s.ctx.level() + 1;
                let (by_prob, _, _) = self.t.orders(level);
                let k = usize::from(*by_prob.get(at.checked_add(rank)?)?);
                if rank >= len || k >= len {
                    return None;
                }
                let j = start + k;
                Some((self.child_word(level, j), self.child_logp(level, j)))
            }
        }
    }

    /// `ln γ` of the context at `index` of `level` (≥ 1).
    #[inline]
    fn backoff_at(&self, level: usize, index: usize) -> f32 {
        if level == 1 {
            self.t.uni_backoff().get(index).copied().unwrap_or(0.0)
        } else {
            self.t.backoff_link(level, index).0
        }
    }

    #[inline]
    fn backoff(&self, ctx: Ctx) -> f32 {
        match ctx.level() {
            0 => 0.0,
            l => self.backoff_at(l, ctx.index()),
        }
    }

    #[inline]
    fn suffix(&self, ctx: Ctx) -> Ctx {
        match ctx.level() {
            0 => Ctx::ROOT,
            l => self.link_ctx(self.t.backoff_link(l, ctx.index()).1, l),
        }
    }

    #[inline]
    fn second_bound(&self, ctx: Ctx) -> f64 {
        match ctx.level() {
            0 => self.m.by_unigram.get(1).map_or(f64::NEG_INFINITY, |&w| {
                f64::from(self.t.uni_logp()[w as usize])
            }),
            l => f64::from(self.t.second(l, ctx.index())),
        }
    }

    #[inline]
    fn top1(&self, ctx: Ctx) -> (u32, f64) {
        self.top1_state(&self.state(ctx))
    }

    #[inline]
    fn second_bound_state(&self, state: &State) -> f64 {
        match state.ctx.level() {
            0 => self.second_bound(state.ctx),
            l => f64::from(self.t.second_at(l, state.rec)),
        }
    }

    /// The top-1 after a state (its record and children range are known).
    #[inline]
    fn top1_state(&self, state: &State) -> (u32, f64) {
        let mut acc = 0.0f64;
        let mut st = self.resolve(*state);
        // Each step goes to a shorter context: at most `order` steps.
        loop {
            let level = st.ctx.level();
            if level == 0 {
                let w = self.m.by_unigram.first().copied().unwrap_or(0);
                return (u32::from(w), acc + f64::from(self.t.uni_logp()[w as usize]));
            }
            let (s, e) = (st.start as usize, st.end as usize);
            let child = match self.t.top_at(level, st.rec) {
                Top::Stored(w, lp) => return (self.token(w), acc + f64::from(lp)),
                Top::Child(k) => Some(s + k).filter(|&j| j < e),
                Top::BestStored => self.t.best_child(st.ctx).map(|k| s + k).filter(|&j| j < e),
                Top::Lower => None,
            };
            if let Some(j) = child {
                let lp = self.child_logp(level + 1, j);
                return (self.child_word(level + 1, j), acc + f64::from(lp));
            }
            let (backoff, link) = self.t.backoff_link_at(level, st.rec);
            acc += f64::from(if level == 1 {
                self.t
                    .uni_backoff()
                    .get(st.ctx.index())
                    .copied()
                    .unwrap_or(0.0)
            } else {
                backoff
            });
            st = self.state(self.link_ctx(link, level));
        }
    }

    #[inline]
    fn state(&self, ctx: Ctx) -> State {
        let level = ctx.level();
        if level == 0 {
            return State {
                ctx,
                start: 0,
                end: self.vocab() as u32,
                rec: 0,
            };
        }
        let (start, end, rec) = self.range(level, ctx.index());
        State {
            ctx,
            start,
            end,
            rec,
        }
    }

    /// The state of context `ctx`, its record located and hinted, its range left [`PENDING`].
    #[inline]
    fn pending(&self, ctx: Ctx) -> State {
        let level = ctx.level();
        if level == 0 {
            return self.state(ctx);
        }
        State {
            ctx,
            start: PENDING,
            end: PENDING,
            rec: self.t.record_of(level, ctx.index()),
        }
    }

    /// A state with its children range read (checked).
    #[inline]
    fn resolve(&self, state: State) -> State {
        if state.start != PENDING {
            return state;
        }
        let level = state.ctx.level();
        let (s, e) = self.t.range_at(level, state.rec);
        let (start, end) = if s <= e && e as usize <= self.t.len(level + 1) {
            (s, e)
        } else {
            (0, 0)
        };
        State {
            start,
            end,
            ..state
        }
    }

    /// Offset of `w` among the children `s..e` (in `words`) of `ctx`, if there.
    #[inline]
    fn find(&self, ctx: Ctx, words: &[u16], s: usize, e: usize, w: u32) -> Option<usize> {
        let table = if e - s >= DENSE_MIN_CHILDREN {
            self.m.dense.find(ctx.0, w)
        } else {
            None
        };
        let k = table.unwrap_or_else(|| {
            u16::try_from(w)
                .ok()
                .and_then(|w16| words.get(s..e)?.binary_search(&w16).ok())
        });
        k.filter(|&k| k < e - s)
    }

    #[inline]
    fn step_state(&self, state: State, w: u32) -> (f64, State) {
        let mut acc = 0.0f64;
        let mut st = self.resolve(state);
        loop {
            let level = st.ctx.level();
            if level == 0 {
                if w as usize >= self.vocab() {
                    let floor = self.m.by_unigram.last().map_or(f64::NEG_INFINITY, |&t| {
                        f64::from(self.t.uni_logp()[t as usize])
                    });
                    return (acc + floor, self.state(Ctx::ROOT));
                }
                let next = if self.t.has_children(1, w as usize) {
                    self.state(Ctx::new(1, w))
                } else {
                    self.state(Ctx::ROOT)
                };
                return (acc + f64::from(self.t.uni_logp()[w as usize]), next);
            }
            let (s, e) = (st.start as usize, st.end as usize);
            if level >= self.m.order {
                st = self.state(Ctx::ROOT);
                continue;
            }
            let found = self.find(st.ctx, self.t.words(level + 1), s, e, w);
            if let Some((lp, next)) = found.and_then(|k| self.t.entry(level + 1, s + k)) {
                let j = s + found.unwrap_or(0);
                let below = level + 1;
                let next = match next {
                    Next::Range(a, b, rec) => {
                        // The children range, read here from the entry at hand.
                        if a <= b && b as usize <= self.t.len(level + 2) {
                            State {
                                ctx: Ctx::new(below, j as u32),
                                start: a,
                                end: b,
                                rec,
                            }
                        } else {
                            self.state(Ctx::ROOT)
                        }
                    }
                    // Read at the next step (the other segments' steps come first).
                    Next::Link(link) => self.pending(self.link_ctx(link, below)),
                    Next::LinkRange(link, a, b) => {
                        let ctx = self.link_ctx(link, below);
                        if ctx.level() > 0 && a <= b && b as usize <= self.t.len(ctx.level() + 1) {
                            // Only the exact levels copy the range: their records are the
                            // n-grams' indices.
                            State {
                                ctx,
                                start: a,
                                end: b,
                                rec: ctx.index() as u32,
                            }
                        } else {
                            self.state(ctx)
                        }
                    }
                };
                return (acc + f64::from(lp), next);
            }
            // Back off: γ of the context and its suffix link, from one read of its record.
            let idx = st.ctx.index();
            let (backoff, link) = self.t.backoff_link_at(level, st.rec);
            acc += f64::from(if level == 1 {
                self.t.uni_backoff().get(idx).copied().unwrap_or(0.0)
            } else {
                backoff
            });
            st = self.state(self.link_ctx(link, level));
        }
    }

    #[inline]
    fn child_index(&self, ctx: Ctx, w: u32) -> Option<usize> {
        let level = ctx.level();
        if level == 0 || level >= self.m.order {
            return None;
        }
        let r = self.children(ctx);
        self.find(ctx, self.t.words(level + 1), r.start, r.end, w)
            .map(|k| r.start + k)
    }

    #[inline]
    fn prefetch_state(&self, state: &State, w: u32) {
        let level = state.ctx.level();
        if level == 0 || state.start == PENDING {
            return;
        }
        let (s, e) = (state.start as usize, state.end as usize);
        let len = e.saturating_sub(s);
        if len >= DENSE_MIN_CHILDREN {
            if let Some(p) = self.m.dense.block_of(state.ctx.0, w) {
                prefetch_read(p);
                return;
            }
        }
        let words = self.t.words(level + 1);
        let hint = |j: usize| {
            if let Some(x) = words.get(j) {
                prefetch_read(x as *const u16 as *const i8);
            }
        };
        hint(s);
        // The binary search's first probes (a cache line holds 32 tokens).
        if len > 32 {
            hint(s + len / 2);
            if len > 128 {
                hint(s + len / 4);
                hint(s + len / 2 + len / 4);
            }
        }
    }

    /// Hints the processor to fetch the record the top-1 search after `state` reads next (its
    /// top-1 child's, or its suffix context's), from the state's own record (just read).
    #[inline]
    fn prefetch_top(&self, state: &State) {
        let level = state.ctx.level();
        if level == 0 || state.start == PENDING {
            return;
        }
        match self.t.top_at(level, state.rec) {
            Top::Child(k) => self
                .t
                .prefetch(level + 1, (state.start as usize).saturating_add(k)),
            Top::Lower => {
                let c = Ctx::from_link(self.t.backoff_link_at(level, state.rec).1);
                if c.level() > 0 {
                    self.t.prefetch(c.level(), c.index());
                }
            }
            Top::Stored(..) | Top::BestStored => {}
        }
    }
}
