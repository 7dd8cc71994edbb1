//! Exact ranks without building the full distribution.
//!
//! In one model with the chain of contexts `c0` (longest) … `cL` (empty), a token that is not a
//! child of `c0 … c(L-1)` has probability `ΓL · P(w)`: a fixed multiple of its unigram
//! probability. So the rank of a token (1 + the number of strictly more likely tokens) is the
//! number of tokens whose "unigram-only" value beats it, corrected for the children of the chain,
//! whose true values are known. For one model the first count is a binary search in the tokens
//! sorted by unigram probability; for a mixture it is one vectorisable pass over the vocabulary.

use crate::model::{Ctx, KnModel};

/// Reusable buffers (per thread): per-model overlays of the chain's children and their values.
pub(crate) struct RankScratch {
    generation: u32,
    stamp: Vec<Vec<u32>>,
    value: Vec<Vec<f64>>,
    candidate_mark: Vec<u32>,
    candidates: Vec<u32>,
}

impl RankScratch {
    pub(crate) fn new() -> RankScratch {
        RankScratch {
            generation: 0,
            stamp: Vec::new(),
            value: Vec::new(),
            candidate_mark: Vec::new(),
            candidates: Vec::new(),
        }
    }

    fn reset(&mut self, models: usize, vocab: usize) {
        if self.stamp.len() != models || self.candidate_mark.len() != vocab {
            self.stamp = vec![vec![0; vocab]; models];
            self.value = vec![vec![0.0; vocab]; models];
            self.candidate_mark = vec![0; vocab];
            self.generation = 0;
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp
                .iter_mut()
                .for_each(|s| s.iter_mut().for_each(|x| *x = 0));
            self.candidate_mark.iter_mut().for_each(|x| *x = 0);
            self.generation = 1;
        }
        self.candidates.clear();
    }
}

/// The rank of `token` under the mixture `models` at contexts `ctxs`.
pub(crate) fn rank(
    models: &[(f64, &KnModel)],
    ctxs: &[Ctx],
    token: u32,
    scratch: &mut RankScratch,
) -> u32 {
    let vocab = models.first().map_or(0, |m| m.1.vocab());
    if models.is_empty() || token as usize >= vocab {
        return vocab as u32 + 1;
    }
    scratch.reset(models.len(), vocab);
    if let ([(weight, model)], [ctx]) = (models, ctxs) {
        return rank_one(*weight, model, *ctx, token, scratch);
    }
    let g = scratch.generation;
    // Weight of each model's unigram-only value: weight × product of the chain's backoffs.
    let mut coef = Vec::with_capacity(models.len());
    for (m, (&(weight, model), &ctx)) in models.iter().zip(ctxs).enumerate() {
        let mut c = ctx;
        let mut scale = 1.0f64;
        while c.level() > 0 {
            let level = c.level() + 1;
            for j in model.children(c) {
                let v = model.child_word(level, j) as usize;
                if scratch.stamp[m][v] != g {
                    scratch.stamp[m][v] = g;
                    scratch.value[m][v] = scale * f64::from(model.child_logp(level, j)).exp();
                    if scratch.candidate_mark[v] != g {
                        scratch.candidate_mark[v] = g;
                        scratch.candidates.push(v as u32);
                    }
                }
            }
            scale *= f64::from(model.backoff(c)).exp();
            c = model.suffix(c);
        }
        coef.push(weight * scale);
    }
    let unigram = |v: usize| -> f64 {
        models
            .iter()
            .zip(&coef)
            .map(|(m, a)| a * m.1.unigram_p[v])
            .sum()
    };
    let exact = |v: usize| -> f64 {
        models
            .iter()
            .zip(&coef)
            .enumerate()
            .map(|(i, (m, a))| {
                if scratch.stamp[i][v] == g {
                    m.0 * scratch.value[i][v]
                } else {
                    a * m.1.unigram_p[v]
                }
            })
            .sum()
    };
    let p = exact(token as usize);
    let mut count: i64 = if models.len() == 1 {
        let (a, model) = (coef[0], models[0].1);
        model
            .by_unigram
            .partition_point(|&v| a * model.unigram_p[v as usize] > p) as i64
    } else if let ([(_, m0), (_, m1)], [a0, a1]) = (models, &coef[..]) {
        // Two models (the adapted one): a tight loop the compiler vectorises.
        let (u0, u1) = (&m0.unigram_p[..vocab], &m1.unigram_p[..vocab]);
        u0.iter()
            .zip(u1)
            .map(|(x, y)| u32::from(a0 * x + a1 * y > p))
            .sum::<u32>() as i64
    } else {
        (0..vocab).filter(|&v| unigram(v) > p).count() as i64
    };
    for &v in &scratch.candidates {
        let v = v as usize;
        count += i64::from(exact(v) > p) - i64::from(unigram(v) > p);
    }
    1 + count.max(0) as u32
}

/// One model. Every token's probability is at least its unigram-only value (Kneser-Ney never
/// gives a seen continuation less than its backed-off value), so the only corrections are the
/// children more likely than `token` whose unigram-only value is not: they are enumerated from
/// the children lists sorted by probability, stopping at the first one not more likely.
fn rank_one(weight: f64, model: &KnModel, ctx: Ctx, token: u32, scratch: &mut RankScratch) -> u32 {
    let g = scratch.generation;
    let mut chain = [(Ctx::ROOT, 0.0f64); crate::model::MAX_ORDER + 1];
    let mut len = 0;
    let mut c = ctx;
    let mut scale = weight;
    while c.level() > 0 && len < chain.len() {
        chain[len] = (c, scale);
        len += 1;
        scale *= f64::from(model.backoff(c)).exp();
        c = model.suffix(c);
    }
    let a = scale;
    let root = |v: u32| a * model.unigram_p[v as usize];
    // The token's own probability, computed as the others' are.
    let mut p = root(token);
    for &(c, s) in &chain[..len] {
        if let Some(j) = model.child_index(c, token) {
            p = s * f64::from(model.child_logp(c.level() + 1, j)).exp();
            break;
        }
    }
    let mut count = model
        .by_unigram
        .partition_point(|&v| root(u32::from(v)) > p) as u64;
    for &(c, s) in &chain[..len] {
        let sorted = model.sorted_children(c);
        let mut r = 0;
        while let Some((v, lp)) = model.nth_child(&sorted, r) {
            if s * f64::from(lp).exp() <= p {
                break;
            }
            r += 1;
            let vi = v as usize;
            if scratch.stamp[0][vi] == g {
                continue;
            }
            scratch.stamp[0][vi] = g;
            if root(v) <= p {
                count += 1;
            }
        }
    }
    1 + count as u32
}
