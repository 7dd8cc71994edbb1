//! Scoring a token sequence under a mixture of Kneser-Ney models (a single model being a mixture
//! of one): log-probabilities, optional top-k and ranks.

use crate::lm::{ScoreOptions, TokenScore};
use crate::model::{Ctx, KnModel};
use crate::tokenizer::VOCAB_SIZE;
use crate::topk::{top_k, Part, Scratch};

/// Natural log of `Σ weight_i · exp(logp_i)`, computed stably.
pub(crate) fn log_mix(weights: &[f64], logps: &[f64]) -> f64 {
    if weights.len() == 1 {
        return logps[0] + weights[0].ln();
    }
    let m = logps.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY {
        return m;
    }
    let s: f64 = weights
        .iter()
        .zip(logps)
        .map(|(w, lp)| w * (lp - m).exp())
        .sum();
    m + s.ln()
}

/// The full next-token distribution (probabilities) of the mixture.
pub(crate) fn distribution(
    models: &[(f64, &KnModel)],
    ctxs: &[Ctx],
    out: &mut Vec<f64>,
    tmp: &mut Vec<f64>,
) {
    out.clear();
    out.resize(VOCAB_SIZE, 0.0);
    for (&(weight, model), &ctx) in models.iter().zip(ctxs) {
        tmp.clear();
        tmp.resize(VOCAB_SIZE, 0.0);
        model.distribution_into(ctx, tmp);
        for (o, t) in out.iter_mut().zip(tmp.iter()) {
            *o += weight * t;
        }
    }
}

/// Scores `tokens` after the start-of-text context.
pub(crate) fn score(
    models: &[(f64, &KnModel)],
    tokens: &[u32],
    options: &ScoreOptions,
) -> Vec<TokenScore> {
    let weights: Vec<f64> = models.iter().map(|m| m.0).collect();
    let mut ctxs: Vec<Ctx> = models.iter().map(|m| m.1.start()).collect();
    let mut logps = vec![0f64; models.len()];
    let mut scratch = (options.top_k > 0 && !(options.top_k == 1 && models.len() == 1))
        .then(|| Scratch::new(VOCAB_SIZE));
    let (mut dist, mut tmp) = (Vec::new(), Vec::new());
    let mut out = Vec::with_capacity(tokens.len());
    for &w in tokens {
        let top = if options.top_k == 0 {
            Vec::new()
        } else {
            let parts: Vec<Part<'_>> = models
                .iter()
                .zip(&ctxs)
                .map(|(&(weight, model), &ctx)| Part { weight, model, ctx })
                .collect();
            match scratch.as_mut() {
                Some(s) => top_k(&parts, options.top_k, s),
                None => {
                    let (t, lp) = models[0].1.top1(ctxs[0]);
                    vec![(t, lp + weights[0].ln())]
                }
            }
        };
        let rank = options.ranks.then(|| {
            distribution(models, &ctxs, &mut dist, &mut tmp);
            let p = dist.get(w as usize).copied().unwrap_or(0.0);
            1 + dist.iter().filter(|&&q| q > p).count() as u32
        });
        for (i, &(_, model)) in models.iter().enumerate() {
            let (lp, next) = model.step(ctxs[i], w);
            logps[i] = lp;
            ctxs[i] = next;
        }
        out.push(TokenScore {
            token: w,
            logprob: log_mix(&weights, &logps),
            top,
            rank,
        });
    }
    out
}

/// The next-token distribution after the start-of-text context and `context`.
pub(crate) fn next_distribution(models: &[(f64, &KnModel)], context: &[u32]) -> Vec<f64> {
    let ctxs: Vec<Ctx> = models.iter().map(|m| m.1.context_after(context)).collect();
    let (mut dist, mut tmp) = (Vec::new(), Vec::new());
    distribution(models, &ctxs, &mut dist, &mut tmp);
    dist
}
