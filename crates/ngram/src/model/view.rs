//! The scoring primitives, written once over how the levels are stored ([`Store`]): a model's
//! levels seen with their storage's type ([`View`]), where scoring stands ([`State`]), and a
//! context's children in decreasing probability ([`SortedChildren`]).
//!
//! Nothing read from a store is trusted to be in range (a model file is mapped, not validated):
//! every index is checked against the bounds of the array it addresses, and a bad one reads as
//! "absent" (no child, the empty context).

use super::ctx::Ctx;
use super::dense::DENSE_MIN_CHILDREN;
use super::mapped::prefetch_read;
use super::store::{Next, Store, Top};
use super::trie::{KnModel, SORT_MAX};

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

/// A model's levels seen with their storage's type: the scoring primitives, written once.
pub(crate) struct View<'a, S: Store> {
    pub(super) m: &'a KnModel,
    pub(super) t: &'a S,
}

impl<S: Store> View<'_, S> {
    pub(super) fn vocab(&self) -> usize {
        self.m.unigram_p.len()
    }

    /// The children range of n-gram `i` of `level`, within the next level's bounds (empty when
    /// the stored bounds are not: a model file is mapped, not checked, so nothing read from it is
    /// trusted to be in range).
    #[inline]
    pub(super) fn range(&self, level: usize, i: usize) -> (u32, u32, u32) {
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
    pub(super) fn link_ctx(&self, link: u32, below: usize) -> Ctx {
        let c = Ctx::from_link(link);
        if c.level() < below && c.index() < self.t.len(c.level()) {
            c
        } else {
            Ctx::ROOT
        }
    }

    /// A token read from the file, kept inside the vocabulary.
    #[inline]
    pub(super) fn token(&self, w: u16) -> u32 {
        u32::from(w).min(self.vocab().saturating_sub(1) as u32)
    }

    pub(super) fn start(&self) -> Ctx {
        let w = self.m.vocab.eot() as usize;
        if self.t.has_children(1, w) {
            Ctx::new(1, w as u32)
        } else {
            Ctx::ROOT
        }
    }

    #[inline]
    pub(super) fn children(&self, ctx: Ctx) -> std::ops::Range<usize> {
        let level = ctx.level();
        if level == 0 {
            return 0..self.vocab();
        }
        let (s, e, _) = self.range(level, ctx.index());
        s as usize..e as usize
    }

    #[inline]
    pub(super) fn child_word(&self, level: usize, j: usize) -> u32 {
        if level == 1 {
            j as u32
        } else {
            self.token(self.t.words(level).get(j).copied().unwrap_or(0))
        }
    }

    #[inline]
    pub(super) fn child_logp(&self, level: usize, j: usize) -> f32 {
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
    pub(super) fn sorted_children(&self, ctx: Ctx) -> SortedChildren {
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
    pub(super) fn nth_child(&self, s: &SortedChildren, rank: usize) -> Option<(u32, f32)> {
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
    pub(super) fn backoff_at(&self, level: usize, index: usize) -> f32 {
        if level == 1 {
            self.t.uni_backoff().get(index).copied().unwrap_or(0.0)
        } else {
            self.t.backoff_link(level, index).0
        }
    }

    #[inline]
    pub(super) fn backoff(&self, ctx: Ctx) -> f32 {
        match ctx.level() {
            0 => 0.0,
            l => self.backoff_at(l, ctx.index()),
        }
    }

    #[inline]
    pub(super) fn suffix(&self, ctx: Ctx) -> Ctx {
        match ctx.level() {
            0 => Ctx::ROOT,
            l => self.link_ctx(self.t.backoff_link(l, ctx.index()).1, l),
        }
    }

    #[inline]
    pub(super) fn second_bound(&self, ctx: Ctx) -> f64 {
        match ctx.level() {
            0 => self.m.by_unigram.get(1).map_or(f64::NEG_INFINITY, |&w| {
                f64::from(self.t.uni_logp()[w as usize])
            }),
            l => f64::from(self.t.second(l, ctx.index())),
        }
    }

    #[inline]
    pub(super) fn top1(&self, ctx: Ctx) -> (u32, f64) {
        self.top1_state(&self.state(ctx))
    }

    #[inline]
    pub(super) fn second_bound_state(&self, state: &State) -> f64 {
        match state.ctx.level() {
            0 => self.second_bound(state.ctx),
            l => f64::from(self.t.second_at(l, state.rec)),
        }
    }

    /// The top-1 after a state (its record and children range are known).
    #[inline]
    pub(super) fn top1_state(&self, state: &State) -> (u32, f64) {
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
    pub(super) fn state(&self, ctx: Ctx) -> State {
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
    pub(super) fn pending(&self, ctx: Ctx) -> State {
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
    pub(super) fn resolve(&self, state: State) -> State {
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
    pub(super) fn find(
        &self,
        ctx: Ctx,
        words: &[u16],
        s: usize,
        e: usize,
        w: u32,
    ) -> Option<usize> {
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
    pub(super) fn step_state(&self, state: State, w: u32) -> (f64, State) {
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
    pub(super) fn child_index(&self, ctx: Ctx, w: u32) -> Option<usize> {
        let level = ctx.level();
        if level == 0 || level >= self.m.order {
            return None;
        }
        let r = self.children(ctx);
        self.find(ctx, self.t.words(level + 1), r.start, r.end, w)
            .map(|k| r.start + k)
    }

    #[inline]
    pub(super) fn prefetch_state(&self, state: &State, w: u32) {
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
    pub(super) fn prefetch_top(&self, state: &State) {
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
