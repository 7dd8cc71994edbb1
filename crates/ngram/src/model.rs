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
//! interpolated one. The fields scoring reads together sit together ([`Node`], [`Leaf`]) so that a
//! step costs few cache misses; the tokens stay in their own array for a dense binary search.
//!
//! A [`Ctx`] names the longest suffix of the history that is a context of the model (has
//! continuations): the next-token distribution depends on the history only through it.

use crate::dense::{DenseIndex, DENSE_MIN_CHILDREN};
use crate::tokenizer::Tokenizer;

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

/// An n-gram that may be a context (levels below the top).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[repr(C)]
pub struct Node {
    /// `ln P(w | h)`, interpolated.
    pub logp: f32,
    /// `ln γ` of this n-gram as a context; 0 when it has no continuations.
    pub backoff: f32,
    /// First child in the next level; the children end where the next node's start.
    pub child_start: u32,
    /// Longest proper suffix that is a context (a packed [`Ctx`]), plus [`HAS_CHILDREN`] when this
    /// n-gram is a context itself.
    pub link: u32,
}

/// An n-gram of the top level (never a context).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[repr(C)]
pub struct Leaf {
    /// `ln P(w | h)`, interpolated.
    pub logp: f32,
    /// Longest proper suffix that is a context (a packed [`Ctx`]): the next context.
    pub link: u32,
    /// Children range of the next context, copied here so that the next step does not have to
    /// read that context's node first (one cache miss less per token on well-predicted text).
    pub next_start: u32,
    /// End of that range.
    pub next_end: u32,
}

/// The most likely next token after a context, with its log-probability (kept together: one
/// cache line for the top-1).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[repr(C)]
pub struct Top {
    /// `ln P(word | context)`.
    pub logp: f32,
    /// An upper bound on the log-probability of every other token (for the mixture's top-1).
    pub second_logp: f32,
    /// The token.
    pub word: u32,
}

/// Where scoring stands: the context and its children range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    /// The context.
    pub ctx: Ctx,
    start: u32,
    end: u32,
}

/// The n-grams of one length.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Level {
    /// Last token of each n-gram (empty for level 1, where the index is the token).
    pub words: Vec<u16>,
    /// Levels below the top: one node per n-gram plus a final sentinel holding the end of the
    /// last children range.
    pub nodes: Vec<Node>,
    /// Top level: one leaf per n-gram.
    pub leaves: Vec<Leaf>,
    /// Levels above 1: within each context's children range, the children's offsets sorted by
    /// decreasing probability (ties: smaller token), for the top-k search.
    pub by_prob: Vec<u16>,
    /// Levels below the top: most likely next token after this n-gram, and its log-probability.
    pub top: Vec<Top>,
}

impl Level {
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

/// An interpolated modified Kneser-Ney model in backoff form.
#[derive(Debug, Clone, PartialEq)]
pub struct KnModel {
    pub(crate) order: usize,
    /// `levels[n - 1]` holds the n-grams of length n.
    pub(crate) levels: Vec<Level>,
    /// Token ids sorted by decreasing unigram probability (ties: smaller id first).
    pub(crate) by_unigram: Vec<u16>,
    /// Unigram probabilities (not logs), for full distributions.
    pub(crate) unigram_p: Vec<f64>,
    /// Direct child look-up for the contexts with many children.
    pub(crate) dense: DenseIndex,
}

impl KnModel {
    /// Builds the derived lookup tables after the levels are filled in.
    pub(crate) fn from_levels(order: usize, levels: Vec<Level>) -> KnModel {
        let uni: Vec<f32> = levels[0]
            .nodes
            .iter()
            .take(levels[0].len())
            .map(|n| n.logp)
            .collect();
        let mut by_unigram: Vec<u16> = (0..uni.len() as u32).map(|w| w as u16).collect();
        by_unigram.sort_by(|&a, &b| uni[b as usize].total_cmp(&uni[a as usize]).then(a.cmp(&b)));
        let unigram_p = uni.iter().map(|&l| f64::from(l).exp()).collect();
        let mut dense = DenseIndex::new(uni.len());
        for (i, l) in levels.iter().enumerate().take(order - 1) {
            let child = &levels[i + 1];
            for (k, w) in l.nodes.windows(2).enumerate() {
                let (s, e) = (w[0].child_start as usize, w[1].child_start as usize);
                if e - s >= DENSE_MIN_CHILDREN {
                    let words = child.words[s..e].iter().map(|&x| u32::from(x));
                    dense.add(Ctx::new(i + 1, k as u32).0, words);
                }
            }
        }
        KnModel {
            order,
            levels,
            by_unigram,
            unigram_p,
            dense,
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
        self.levels.iter().map(Level::len).collect()
    }

    /// Vocabulary size.
    pub fn vocab(&self) -> usize {
        self.levels[0].len()
    }

    /// The context after the start-of-text token alone.
    pub fn start(&self) -> Ctx {
        let w = Tokenizer::EOT as usize;
        if self.levels[0].nodes[w].link & HAS_CHILDREN != 0 {
            Ctx::new(1, w as u32)
        } else {
            Ctx::ROOT
        }
    }

    #[inline]
    fn node(&self, ctx: Ctx) -> &Node {
        &self.levels[ctx.level() - 1].nodes[ctx.index()]
    }

    /// The children range of a context (in level `ctx.level() + 1`).
    #[inline]
    pub(crate) fn children(&self, ctx: Ctx) -> std::ops::Range<usize> {
        let level = ctx.level();
        if level == 0 {
            return 0..self.vocab();
        }
        let nodes = &self.levels[level - 1].nodes;
        let i = ctx.index();
        nodes[i].child_start as usize..nodes[i + 1].child_start as usize
    }

    /// The token of entry `j` of `level`.
    #[inline]
    pub(crate) fn child_word(&self, level: usize, j: usize) -> u32 {
        if level == 1 {
            j as u32
        } else {
            u32::from(self.levels[level - 1].words[j])
        }
    }

    /// `ln P(w | h)` stored for entry `j` of `level`.
    #[inline]
    pub(crate) fn child_logp(&self, level: usize, j: usize) -> f32 {
        let l = &self.levels[level - 1];
        if level == self.order {
            l.leaves[j].logp
        } else {
            l.nodes[j].logp
        }
    }

    /// The `rank`-th most likely child of `ctx` (0 = best) with its stored log-probability.
    #[inline]
    pub(crate) fn sorted_child(&self, ctx: Ctx, rank: usize) -> Option<(u32, f32)> {
        if ctx.level() == 0 {
            let w = *self.by_unigram.get(rank)?;
            return Some((u32::from(w), self.levels[0].nodes[w as usize].logp));
        }
        let r = self.children(ctx);
        if rank >= r.len() {
            return None;
        }
        let level = ctx.level() + 1;
        let j = r.start + usize::from(self.levels[level - 1].by_prob[r.start + rank]);
        Some((self.child_word(level, j), self.child_logp(level, j)))
    }

    /// `ln γ(ctx)`: the weight of the lower order (0 for the empty context, which never backs off).
    #[inline]
    pub(crate) fn backoff(&self, ctx: Ctx) -> f32 {
        match ctx.level() {
            0 => 0.0,
            _ => self.node(ctx).backoff,
        }
    }

    /// The longest proper suffix of `ctx` that is a context (the empty context for level ≤ 1).
    #[inline]
    pub(crate) fn suffix(&self, ctx: Ctx) -> Ctx {
        match ctx.level() {
            0 => Ctx::ROOT,
            _ => Ctx::from_link(self.node(ctx).link),
        }
    }

    /// Upper bound on the natural-log probability of every token after `ctx` but the top-1.
    #[inline]
    pub(crate) fn second_bound(&self, ctx: Ctx) -> f64 {
        match ctx.level() {
            0 => self.by_unigram.get(1).map_or(f64::NEG_INFINITY, |&w| {
                f64::from(self.levels[0].nodes[w as usize].logp)
            }),
            l => f64::from(self.levels[l - 1].top[ctx.index()].second_logp),
        }
    }

    /// Most likely next token after `ctx` and its natural-log probability.
    #[inline]
    pub fn top1(&self, ctx: Ctx) -> (u32, f64) {
        match ctx.level() {
            0 => {
                let w = self.by_unigram.first().copied().unwrap_or(0);
                (
                    u32::from(w),
                    f64::from(self.levels[0].nodes[w as usize].logp),
                )
            }
            l => {
                let lv = &self.levels[l - 1];
                let i = ctx.index();
                let t = lv.top[i];
                (t.word, f64::from(t.logp))
            }
        }
    }

    /// The scoring state of a context.
    #[inline]
    pub fn state(&self, ctx: Ctx) -> State {
        let level = ctx.level();
        if level == 0 {
            return State {
                ctx,
                start: 0,
                end: self.vocab() as u32,
            };
        }
        let nodes = &self.levels[level - 1].nodes;
        let i = ctx.index();
        State {
            ctx,
            start: nodes[i].child_start,
            end: nodes[i + 1].child_start,
        }
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
        let mut acc = 0.0f64;
        let mut st = state;
        loop {
            let level = st.ctx.level();
            if level == 0 {
                let Some(node) = self.levels[0].nodes[..self.vocab()].get(w as usize) else {
                    let floor = self.by_unigram.last().map_or(f64::NEG_INFINITY, |&t| {
                        f64::from(self.levels[0].nodes[t as usize].logp)
                    });
                    return (acc + floor, self.state(Ctx::ROOT));
                };
                let next = if node.link & HAS_CHILDREN != 0 {
                    State {
                        ctx: Ctx::new(1, w),
                        start: node.child_start,
                        end: self.levels[0].nodes[w as usize + 1].child_start,
                    }
                } else {
                    self.state(Ctx::ROOT)
                };
                return (acc + f64::from(node.logp), next);
            }
            let (s, e) = (st.start as usize, st.end as usize);
            let child = &self.levels[level];
            let found = if e - s >= DENSE_MIN_CHILDREN {
                self.dense.find(st.ctx.0, w).flatten()
            } else {
                u16::try_from(w)
                    .ok()
                    .and_then(|w16| child.words[s..e].binary_search(&w16).ok())
            };
            if let Some(k) = found {
                let j = s + k;
                if level + 1 == self.order {
                    let leaf = &child.leaves[j];
                    let next = State {
                        ctx: Ctx(leaf.link),
                        start: leaf.next_start,
                        end: leaf.next_end,
                    };
                    return (acc + f64::from(leaf.logp), next);
                }
                let n = &child.nodes[j];
                let next = if n.link & HAS_CHILDREN != 0 {
                    State {
                        ctx: Ctx::new(level + 1, j as u32),
                        start: n.child_start,
                        end: child.nodes[j + 1].child_start,
                    }
                } else {
                    self.state(Ctx::from_link(n.link))
                };
                return (acc + f64::from(n.logp), next);
            }
            let node = &self.levels[level - 1].nodes[st.ctx.index()];
            acc += f64::from(node.backoff);
            st = self.state(Ctx::from_link(node.link));
        }
    }

    /// Index (in level `ctx.level() + 1`) of the child `w` of a context that is not the root.
    #[inline]
    pub(crate) fn child_index(&self, ctx: Ctx, w: u32) -> Option<usize> {
        let level = ctx.level();
        if level == 0 {
            return None;
        }
        let r = self.children(ctx);
        let found = if r.len() >= DENSE_MIN_CHILDREN {
            self.dense.find(ctx.0, w).flatten()
        } else {
            u16::try_from(w)
                .ok()
                .and_then(|w16| self.levels[level].words[r.clone()].binary_search(&w16).ok())
        };
        found.map(|k| r.start + k)
    }

    /// Hints the processor to fetch the first tokens the next step from `state` searches.
    #[inline]
    pub(crate) fn prefetch_state(&self, state: &State) {
        let level = state.ctx.level();
        if level == 0 {
            return;
        }
        if let Some(w) = self.levels[level].words.get(state.start as usize) {
            prefetch_read(w as *const u16 as *const i8);
        }
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

/// A read prefetch hint (a no-op on other architectures).
#[inline(always)]
fn prefetch_read(p: *const i8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is only a hint: it never faults, even on an invalid address, and does
    // not change memory. `p` points into a live slice anyway.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}
