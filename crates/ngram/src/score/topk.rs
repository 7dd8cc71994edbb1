//! Exact top-k of a mixture of Kneser-Ney models (one model being a mixture of one), without
//! scanning the vocabulary: a threshold algorithm over sorted lists.
//!
//! In one model, with the chain of contexts `c0` (longest) … `cL` (empty), a token whose longest
//! context among them is `ct` has probability `Γt · P(w | ct)`, `Γt` being the product of the
//! backoff weights of `c0 … c(t-1)`. So every model offers one list per chain level (the children
//! of `ct`, stored sorted by probability, scaled by `Γt`), and `Γt · max P(· | ct)` (the stored
//! top-1) bounds every token not in the levels above `t`. The search takes the best head among all
//! lists of all models, evaluates that token exactly in the mixture, and stops as soon as the k-th
//! best exact value is at least the mixture of the models' bounds on everything not evaluated.
//! For a single model and k = 1 it is a table look-up.

use crate::model::{Ctx, KnModel, SortedChildren, State, MAX_ORDER};

/// One model of a mixture, with its weight and current context.
#[derive(Clone, Copy)]
pub(crate) struct Part<'a> {
    pub weight: f64,
    pub model: &'a KnModel,
    /// The model's scoring state (its context and where its record is).
    pub state: State,
    /// `model.top1_state(&state)`, found while scoring.
    pub top: (u32, f64),
}

/// Reusable buffers: "already evaluated" marks over the vocabulary.
pub(crate) struct Scratch {
    stamp: Vec<u32>,
    generation: u32,
}

impl Scratch {
    pub(crate) fn new(vocab: usize) -> Scratch {
        Scratch {
            stamp: vec![0; vocab],
            generation: 0,
        }
    }

    /// The vocabulary size the marks cover.
    pub(crate) fn vocab(&self) -> usize {
        self.stamp.len()
    }

    fn next_generation(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.generation = 1;
        }
    }

    /// Marks `w`; true if it was not marked yet in this generation.
    fn mark(&mut self, w: u32) -> bool {
        match self.stamp.get_mut(w as usize) {
            Some(s) if *s != self.generation => {
                *s = self.generation;
                true
            }
            _ => false,
        }
    }
}

/// Mixture probability of `w` (not log); `known` gives part `i`'s probability when already known.
fn mixture_prob(parts: &[Part<'_>], w: u32, known: Option<(usize, f64)>) -> f64 {
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let q = match known {
                Some((k, q)) if k == i => q,
                _ => p.model.step_state(p.state, w).0.exp(),
            };
            p.weight * q
        })
        .sum()
}

/// The mixture's top-1 when one of the models' top-1 tokens beats the bound on every other token
/// (the weighted sum of the models' second-best bounds): true for most positions, with one look-up
/// per model and candidate. `None` when the bound does not settle it.
pub(crate) fn quick_top1(parts: &[Part<'_>]) -> Option<(u32, f64)> {
    let mut bound = 0.0;
    let mut best: Option<(u32, f64)> = None;
    for (i, p) in parts.iter().enumerate() {
        bound += p.weight * p.model.second_bound_state(&p.state).exp();
        let (w, lp) = p.top;
        if best.is_some_and(|b| b.0 == w) {
            continue;
        }
        let v = mixture_prob(parts, w, Some((i, lp.exp())));
        if best.is_none_or(|b| v > b.1 || (v == b.1 && w < b.0)) {
            best = Some((w, v));
        }
    }
    let (w, v) = best?;
    // Strictly above the bound: a token tied with it could have a smaller id.
    (v > bound * (1.0 + 1e-12)).then(|| (w, v.ln()))
}

/// Keeps the k best (token, probability) pairs, best first, ties by smaller token.
struct Best {
    k: usize,
    items: Vec<(u32, f64)>,
}

impl Best {
    fn offer(&mut self, w: u32, p: f64) {
        let better = |a: &(u32, f64), b: &(u32, f64)| a.1 > b.1 || (a.1 == b.1 && a.0 < b.0);
        if self.items.len() == self.k {
            match self.items.last() {
                Some(last) if better(&(w, p), last) => {
                    self.items.pop();
                }
                _ => return,
            }
        }
        let pos = self.items.partition_point(|x| better(x, &(w, p)));
        self.items.insert(pos, (w, p));
    }

    fn kth(&self) -> f64 {
        if self.items.len() < self.k {
            0.0
        } else {
            self.items.last().map_or(0.0, |x| x.1)
        }
    }
}

/// The search state in one model: its chain of contexts (discovered lazily, longest first) and a
/// cursor in each started level.
struct Lists {
    chain: [Ctx; MAX_ORDER + 1],
    /// `Γt` of each started chain level.
    scale: [f64; MAX_ORDER + 1],
    /// Next rank to take in each started level.
    cursor: [usize; MAX_ORDER + 1],
    /// Head value (scaled probability of the next child) of each started level; 0 when exhausted.
    head: [f64; MAX_ORDER + 1],
    /// Number of levels started (taken in chain order).
    started: usize,
    /// Bound on the tokens of the levels not started yet (0 once the empty context is started).
    unstarted: f64,
    /// The children of each started level, resolved when the level starts.
    sorted: [Option<SortedChildren>; MAX_ORDER + 1],
}

impl Lists {
    fn new(ctx: Ctx, top: (u32, f64)) -> Lists {
        let mut l = Lists {
            chain: [Ctx::ROOT; MAX_ORDER + 1],
            scale: [1.0; MAX_ORDER + 1],
            cursor: [0; MAX_ORDER + 1],
            head: [0.0; MAX_ORDER + 1],
            started: 0,
            unstarted: top.1.exp(),
            sorted: [None; MAX_ORDER + 1],
        };
        l.chain[0] = ctx;
        l
    }

    /// Starts the next level of the chain (whose context and scale are already set).
    fn start_next(&mut self, model: &KnModel) {
        let t = self.started;
        self.started += 1;
        self.sorted[t] = Some(model.sorted_children(self.chain[t]));
        self.refresh_head(model, t);
        let c = self.chain[t];
        if c.level() == 0 || self.started > MAX_ORDER {
            self.unstarted = 0.0;
            return;
        }
        let next = model.suffix(c);
        let g = self.scale[t] * f64::from(model.backoff(c)).exp();
        self.chain[self.started] = next;
        self.scale[self.started] = g;
        self.unstarted = g * model.top1(next).1.exp();
    }

    /// The `rank`-th most likely child of started level `t`, with its log-probability.
    fn child(&self, model: &KnModel, t: usize, rank: usize) -> Option<(u32, f32)> {
        model.nth_child(self.sorted[t].as_ref()?, rank)
    }

    fn refresh_head(&mut self, model: &KnModel, t: usize) {
        self.head[t] = match self.child(model, t, self.cursor[t]) {
            Some((_, lp)) => self.scale[t] * f64::from(lp).exp(),
            None => 0.0,
        };
    }

    /// The largest head: (level, or `None` for "start the next level", value).
    fn best(&self) -> (Option<usize>, f64) {
        let mut best = (None, self.unstarted);
        for t in 0..self.started {
            if self.head[t] > best.1 {
                best = (Some(t), self.head[t]);
            }
        }
        best
    }
}

/// The exact `k` most likely tokens of the mixture, best first, as natural logs.
pub(crate) fn top_k(parts: &[Part<'_>], k: usize, scratch: &mut Scratch) -> Vec<(u32, f64)> {
    if k == 0 || parts.is_empty() {
        return Vec::new();
    }
    if k == 1 && parts.len() == 1 {
        let p = parts[0];
        let (w, lp) = p.top;
        return vec![(w, lp + p.weight.ln())];
    }
    if k == 1 {
        if let Some(found) = quick_top1(parts) {
            return vec![found];
        }
    }
    scratch.next_generation();
    let mut best = Best {
        k,
        items: Vec::with_capacity(k + 1),
    };
    let mut lists: Vec<Lists> = parts
        .iter()
        .map(|p| Lists::new(p.state.ctx, p.top))
        .collect();
    // Level 0 of every model first: its children are the usual winners.
    for (l, p) in lists.iter_mut().zip(parts) {
        l.start_next(p.model);
    }
    // The top-1 of each model is a strong first candidate (its probability there is stored).
    for (i, p) in parts.iter().enumerate() {
        let (w, lp) = p.top;
        if scratch.mark(w) {
            best.offer(w, mixture_prob(parts, w, Some((i, lp.exp()))));
        }
    }
    loop {
        let mut rest = 0.0;
        let mut pick: Option<(usize, Option<usize>, f64)> = None;
        for (i, (l, p)) in lists.iter().zip(parts).enumerate() {
            let (t, v) = l.best();
            rest += p.weight * v;
            if v > 0.0 && pick.is_none_or(|(_, _, b)| p.weight * v > b) {
                pick = Some((i, t, p.weight * v));
            }
        }
        let Some((i, t, _)) = pick else { break };
        if best.kth() >= rest {
            break;
        }
        let model = parts[i].model;
        let l = &mut lists[i];
        let Some(t) = t else {
            l.start_next(model);
            continue;
        };
        if let Some((w, lp)) = l.child(model, t, l.cursor[t]) {
            if scratch.mark(w) {
                // A child of the longest context has its stored probability in this model.
                let known = (t == 0).then(|| (i, f64::from(lp).exp()));
                best.offer(w, mixture_prob(parts, w, known));
            }
        }
        l.cursor[t] += 1;
        l.refresh_head(model, t);
    }
    best.items.into_iter().map(|(w, p)| (w, p.ln())).collect()
}
