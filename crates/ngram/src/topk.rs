//! Exact top-k of a mixture of Kneser-Ney models (one model is a mixture of one), without scanning
//! the vocabulary.
//!
//! For one model and a context `h`, every token outside the children of `h` has probability
//! `γ(h) · P(w | h')`, so the best of those is bounded by `γ(h) · max P(· | h')`, and the builder
//! stores `max P(· | h)` (the top-1) of every context. The search expands the children of the
//! chain of contexts, longest first, always in the model whose bound is largest, until the k-th
//! best exact candidate is at least the bound on everything not yet seen. For a single model and
//! k = 1 this is a table look-up.

use crate::model::{Ctx, KnModel};

/// One model of a mixture, with its weight and current context.
#[derive(Clone, Copy)]
pub(crate) struct Part<'a> {
    pub weight: f64,
    pub model: &'a KnModel,
    pub ctx: Ctx,
}

/// Reusable buffers: "already evaluated" marks over the vocabulary.
pub(crate) struct Scratch {
    stamp: Vec<u32>,
    generation: u32,
}

impl Scratch {
    pub fn new(vocab: usize) -> Scratch {
        Scratch {
            stamp: vec![0; vocab],
            generation: 0,
        }
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

/// Mixture probability of `w` (not log).
pub(crate) fn mixture_prob(parts: &[Part<'_>], w: u32) -> f64 {
    parts
        .iter()
        .map(|p| p.weight * p.model.logprob(p.ctx, w).exp())
        .sum()
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

/// Where the search stands in one model's chain of contexts.
struct Chain {
    /// The contexts still to expand, longest first; the empty context is handled last.
    ctx: Ctx,
    /// Product of the backoff weights of the contexts already expanded.
    scale: f64,
    /// At the empty context: position in the model's tokens sorted by unigram probability.
    unigram_pos: usize,
    done: bool,
}

impl Chain {
    /// Upper bound on the probability, in this model, of any token not expanded yet.
    fn bound(&self, model: &KnModel) -> f64 {
        if self.done {
            return 0.0;
        }
        if self.ctx.level() == 0 {
            return match model.by_unigram.get(self.unigram_pos) {
                Some(&w) => self.scale * f64::from(model.levels[0].logp[w as usize]).exp(),
                None => 0.0,
            };
        }
        self.scale * model.top1(self.ctx).1.exp()
    }
}

/// The exact `k` most likely tokens of the mixture, best first, as natural logs.
pub(crate) fn top_k(parts: &[Part<'_>], k: usize, scratch: &mut Scratch) -> Vec<(u32, f64)> {
    if k == 0 || parts.is_empty() {
        return Vec::new();
    }
    if k == 1 && parts.len() == 1 {
        let p = parts[0];
        let (w, lp) = p.model.top1(p.ctx);
        return vec![(w, lp + p.weight.ln())];
    }
    scratch.next_generation();
    let mut best = Best {
        k,
        items: Vec::with_capacity(k + 1),
    };
    let eval = |w: u32, best: &mut Best, scratch: &mut Scratch| {
        if scratch.mark(w) {
            best.offer(w, mixture_prob(parts, w));
        }
    };
    for p in parts {
        eval(p.model.top1(p.ctx).0, &mut best, scratch);
    }
    let mut chains: Vec<Chain> = parts
        .iter()
        .map(|p| Chain {
            ctx: p.ctx,
            scale: 1.0,
            unigram_pos: 0,
            done: false,
        })
        .collect();
    loop {
        // The part whose unexpanded tokens could weigh the most.
        let mut rest = 0.0;
        let mut pick = None;
        let mut pick_bound = -1.0;
        for (i, (c, p)) in chains.iter().zip(parts).enumerate() {
            let b = p.weight * c.bound(p.model);
            rest += b;
            if !c.done && b > pick_bound {
                pick_bound = b;
                pick = Some(i);
            }
        }
        let Some(i) = pick else { break };
        if best.kth() >= rest {
            break;
        }
        let model = parts[i].model;
        let c = &mut chains[i];
        if c.ctx.level() == 0 {
            // Tokens in decreasing unigram order; each is evaluated exactly.
            match model.by_unigram.get(c.unigram_pos) {
                Some(&w) => {
                    c.unigram_pos += 1;
                    eval(u32::from(w), &mut best, scratch);
                }
                None => c.done = true,
            }
            continue;
        }
        let level = c.ctx.level() + 1;
        for j in model.children(c.ctx) {
            eval(model.child_word(level, j), &mut best, scratch);
        }
        c.scale *= f64::from(model.backoff(c.ctx)).exp();
        c.ctx = model.suffix(c.ctx);
        let next_top = model.top1(c.ctx).0;
        eval(next_top, &mut best, scratch);
    }
    best.items.into_iter().map(|(w, p)| (w, p.ln())).collect()
}
