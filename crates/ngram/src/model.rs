//! The trained n-gram model in memory and its scoring primitives.
//!
//! Layout (a forward trie in flat arrays, one [`Level`] per n-gram length, as in KenLM's trie but
//! with a suffix link per node, so scoring needs one walk and no repeated lookups from the root):
//! - level 1 holds every vocabulary token, indexed by id;
//! - level n > 1 holds the seen n-grams sorted by (index of their context in level n-1, last word);
//!   the children of a context are therefore a contiguous range, found by `child_start`.
//!
//! Each n-gram stores its **interpolated** modified Kneser-Ney log-probability `ln P(w | h)` (the
//! lower orders already folded in), so that for an unseen `h w` the probability is
//! `γ(h) · P(w | h')` with `h'` the context without its first token: the model is stored in backoff
//! form, exactly equal to the interpolated one. A node that is a context also stores `ln γ`, its
//! most likely next token (for the fast top-1) and a link to its longest proper suffix that is
//! itself a context.
//!
//! A [`Ctx`] names the longest suffix of the history that is a context of the model: the next-token
//! distribution depends on the history only through it.

use crate::tokenizer::Tokenizer;

/// A context node: `level` (0 = the empty context, 1 = one token, ...) and index in that level,
/// packed in one `u32` (level in the top 3 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ctx(pub(crate) u32);

const LEVEL_SHIFT: u32 = 29;
const INDEX_MASK: u32 = (1 << LEVEL_SHIFT) - 1;
/// Largest number of n-grams one level may hold (the index must fit in 29 bits).
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

    /// Number of tokens in the context.
    pub fn level(self) -> usize {
        (self.0 >> LEVEL_SHIFT) as usize
    }

    /// Index of the context's n-gram in its level.
    pub fn index(self) -> usize {
        (self.0 & INDEX_MASK) as usize
    }
}

/// The n-grams of one length.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Level {
    /// Last token of each n-gram (empty for level 1, where the index is the token).
    pub words: Vec<u16>,
    /// `ln P(w | h)`, interpolated.
    pub logp: Vec<f32>,
    /// `ln γ(this n-gram as a context)`; 0 for n-grams without continuations. Empty at the top level.
    pub backoff: Vec<f32>,
    /// Children of n-gram `i` are `child_start[i]..child_start[i + 1]` in the next level.
    /// Empty at the top level.
    pub child_start: Vec<u32>,
    /// Most likely next token after this n-gram, and its log-probability. Empty at the top level.
    pub top_word: Vec<u16>,
    /// See `top_word`.
    pub top_logp: Vec<f32>,
    /// Longest proper suffix of this n-gram that is a context (has children), as a packed [`Ctx`].
    /// Empty for level 1 (whose suffix is the empty context).
    pub link: Vec<u32>,
}

impl Level {
    /// Number of n-grams in the level.
    pub fn len(&self) -> usize {
        self.logp.len()
    }

    /// Whether the level is empty.
    pub fn is_empty(&self) -> bool {
        self.logp.is_empty()
    }
}

/// An interpolated modified Kneser-Ney model in backoff form.
#[derive(Debug, Clone, PartialEq)]
pub struct KnModel {
    pub(crate) order: usize,
    /// `levels[n - 1]` holds the n-grams of length n.
    pub(crate) levels: Vec<Level>,
    /// Most likely token of the unigram distribution.
    pub(crate) root_top: (u16, f32),
    /// Token ids sorted by decreasing unigram probability (ties: smaller id first).
    pub(crate) by_unigram: Vec<u16>,
}

impl KnModel {
    /// Builds the derived lookup tables after the levels are filled in.
    pub(crate) fn from_levels(order: usize, levels: Vec<Level>) -> KnModel {
        let uni = &levels[0].logp;
        let mut by_unigram: Vec<u16> = (0..uni.len() as u32).map(|w| w as u16).collect();
        by_unigram.sort_by(|&a, &b| uni[b as usize].total_cmp(&uni[a as usize]).then(a.cmp(&b)));
        let top = by_unigram.first().copied().unwrap_or(0);
        let root_top = (
            top,
            uni.get(top as usize).copied().unwrap_or(f32::NEG_INFINITY),
        );
        KnModel {
            order,
            levels,
            root_top,
            by_unigram,
        }
    }

    /// The model's order (longest n-gram length).
    pub fn order(&self) -> usize {
        self.order
    }

    /// Number of n-grams of each length, from unigrams up.
    pub fn ngram_counts(&self) -> Vec<usize> {
        self.levels.iter().map(Level::len).collect()
    }

    /// The context after the start-of-text token alone.
    pub fn start(&self) -> Ctx {
        self.context_of_node(1, Tokenizer::EOT as usize)
    }

    /// `node` itself if it is a context, else its longest suffix that is one.
    fn context_of_node(&self, level: usize, index: usize) -> Ctx {
        if level < self.order && self.has_children(level, index) {
            Ctx::new(level, index as u32)
        } else {
            self.link_of(level, index)
        }
    }

    fn has_children(&self, level: usize, index: usize) -> bool {
        let cs = &self.levels[level - 1].child_start;
        index + 1 < cs.len() && cs[index + 1] > cs[index]
    }

    fn link_of(&self, level: usize, index: usize) -> Ctx {
        if level <= 1 {
            Ctx::ROOT
        } else {
            Ctx(self.levels[level - 1].link[index])
        }
    }

    /// The children range of a context (in level `ctx.level() + 1`).
    #[inline]
    pub(crate) fn children(&self, ctx: Ctx) -> std::ops::Range<usize> {
        let level = ctx.level();
        if level == 0 {
            return 0..self.levels[0].len();
        }
        let cs = &self.levels[level - 1].child_start;
        let i = ctx.index();
        cs[i] as usize..cs[i + 1] as usize
    }

    /// The token of child `j` of a level-`level - 1` context.
    #[inline]
    pub(crate) fn child_word(&self, level: usize, j: usize) -> u32 {
        if level == 1 {
            j as u32
        } else {
            u32::from(self.levels[level - 1].words[j])
        }
    }

    /// `ln P(w | ctx)` stored for child `j` at `level`.
    #[inline]
    pub(crate) fn child_logp(&self, level: usize, j: usize) -> f32 {
        self.levels[level - 1].logp[j]
    }

    /// `ln γ(ctx)`: the weight of the lower order (0 for the empty context, which never backs off).
    #[inline]
    pub(crate) fn backoff(&self, ctx: Ctx) -> f32 {
        match ctx.level() {
            0 => 0.0,
            l => self.levels[l - 1].backoff[ctx.index()],
        }
    }

    /// The longest proper suffix of `ctx` that is a context (the empty context for level ≤ 1).
    #[inline]
    pub(crate) fn suffix(&self, ctx: Ctx) -> Ctx {
        self.link_of(ctx.level(), ctx.index())
    }

    /// Most likely next token after `ctx` and its natural-log probability.
    #[inline]
    pub fn top1(&self, ctx: Ctx) -> (u32, f64) {
        match ctx.level() {
            0 => (u32::from(self.root_top.0), f64::from(self.root_top.1)),
            l => {
                let lv = &self.levels[l - 1];
                let i = ctx.index();
                (u32::from(lv.top_word[i]), f64::from(lv.top_logp[i]))
            }
        }
    }

    /// Index of `w` among the children of `ctx`, if `ctx w` was seen.
    #[inline]
    fn find_child(&self, ctx: Ctx, w: u32) -> Option<usize> {
        let level = ctx.level();
        if level == 0 {
            return ((w as usize) < self.levels[0].len()).then_some(w as usize);
        }
        let range = self.children(ctx);
        let words = &self.levels[level].words[range.clone()];
        let w = u16::try_from(w).ok()?;
        words.binary_search(&w).ok().map(|k| range.start + k)
    }

    /// Scores `w` after `ctx`: its natural-log probability and the context that follows it.
    /// Ids outside the vocabulary get the probability of a never-seen token and reset the context.
    #[inline]
    pub fn step(&self, ctx: Ctx, w: u32) -> (f64, Ctx) {
        let mut acc = 0.0f64;
        let mut c = ctx;
        loop {
            if let Some(j) = self.find_child(c, w) {
                let level = c.level() + 1;
                let lp = acc + f64::from(self.child_logp(level, j));
                return (lp, self.context_of_node(level, j));
            }
            if c.level() == 0 {
                // Out of the vocabulary: as unlikely as the least likely token.
                let floor = self
                    .by_unigram
                    .last()
                    .map(|&t| f64::from(self.levels[0].logp[t as usize]))
                    .unwrap_or(f64::NEG_INFINITY);
                return (acc + floor, Ctx::ROOT);
            }
            acc += f64::from(self.backoff(c));
            c = self.suffix(c);
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
        let uni = &self.levels[0].logp;
        for (o, &lp) in out.iter_mut().zip(uni) {
            *o = f64::from(lp).exp();
        }
        // The chain of contexts from the longest to the empty one.
        let mut chain = Vec::with_capacity(self.order);
        let mut c = ctx;
        while c.level() > 0 {
            chain.push(c);
            c = self.suffix(c);
        }
        // Walk up from the shortest context. `out` holds P(w | current) / scale.
        let mut scale = 1.0f64;
        for &c in chain.iter().rev() {
            scale *= f64::from(self.backoff(c)).exp();
            let level = c.level() + 1;
            for j in self.children(c) {
                let w = self.child_word(level, j) as usize;
                out[w] = f64::from(self.child_logp(level, j)).exp() / scale;
            }
        }
        if scale != 1.0 {
            for o in out.iter_mut() {
                *o *= scale;
            }
        }
    }

    /// Vocabulary size.
    pub fn vocab(&self) -> usize {
        self.levels[0].len()
    }
}
