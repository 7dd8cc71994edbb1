//! [`KnModel`]'s methods: building its look-up tables, its figures, and the scoring primitives of
//! [`View`] for whichever representation its levels have.

use super::ctx::{Ctx, MAX_ORDER};
use super::dense::{DenseIndex, DENSE_MIN_CHILDREN};
use super::packed::Packed;
use super::store::Store;
use super::trie::{KnModel, Repr};
use super::view::{SortedChildren, State, View};
use crate::vocab::Vocab;

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
    /// a search: sorted at once when there are at most [`SORT_MAX`](super::SORT_MAX), else the stored order.
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
