//! Sampling continuations: temperature, top-k and nucleus (top-p) shaping, seeded for
//! reproducibility. Reported likelihoods are always under the untruncated model distribution.
//!
//! Cost per token: one distribution over the vocabulary, plus, for a nucleus, a partial sort of
//! only as many of the best tokens as reach the mass `p` (usually a few dozen, not the 50,257).

use std::sync::atomic::AtomicBool;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::lm::{check, LanguageModel, Stopped};
use crate::tokenizer::Tokenizer;

/// How to sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampleParams {
    /// Most tokens to generate.
    pub max_tokens: usize,
    /// Softmax temperature; 0 (or less) means greedy decoding.
    pub temperature: f64,
    /// Keep only the `k` most likely tokens (0 = off).
    pub k: usize,
    /// Keep the smallest set of most likely tokens whose probability reaches `p` (1.0 = off).
    pub p: f64,
    /// Seed for reproducible samples; `None` draws one from the operating system.
    pub seed: Option<u64>,
}

impl Default for SampleParams {
    fn default() -> Self {
        SampleParams {
            max_tokens: 20,
            temperature: 1.0,
            k: 0,
            p: 1.0,
            seed: None,
        }
    }
}

/// Generates up to `max_tokens` tokens after the start-of-text context and `context`, stopping
/// after the end-of-text token. Returns each token with its natural-log probability under the
/// model's untruncated distribution.
pub fn generate(
    model: &dyn LanguageModel,
    context: &[u32],
    params: &SampleParams,
) -> Vec<(u32, f64)> {
    let never = AtomicBool::new(false);
    generate_until(model, context, params, &never).unwrap_or_default()
}

/// [`generate`] that looks at `stop` before every token and gives up with [`Stopped`] once it is
/// set.
pub fn generate_until(
    model: &dyn LanguageModel,
    context: &[u32],
    params: &SampleParams,
    stop: &AtomicBool,
) -> Result<Vec<(u32, f64)>, Stopped> {
    let sampled = sample_until(model, context, params, stop, |_| false)?;
    Ok(sampled.into_iter().map(|s| (s.id, s.logprob)).collect())
}

/// One sampled token: its id and natural-log probability under the untruncated distribution, and
/// the model's most likely token at that position with its natural-log probability.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sampled {
    /// The token drawn.
    pub id: u32,
    /// Its natural-log probability.
    pub logprob: f64,
    /// The most likely token there (ties go to the lower id) and its natural-log probability.
    pub top: (u32, f64),
}

/// [`generate_until`] that also names each position's top-1 token (found in the distribution the
/// draw needs anyway: one pass over the vocabulary) and asks `done` after each token whether to stop
/// there (a stop sequence was written). It still stops after the end-of-text token.
pub fn sample_until(
    model: &dyn LanguageModel,
    context: &[u32],
    params: &SampleParams,
    stop: &AtomicBool,
    mut done: impl FnMut(u32) -> bool,
) -> Result<Vec<Sampled>, Stopped> {
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed.unwrap_or_else(rand::random));
    let mut history = context.to_vec();
    let mut out = Vec::with_capacity(params.max_tokens);
    for _ in 0..params.max_tokens {
        check(stop)?;
        let dist = model.next_distribution(&history);
        let Some(token) = pick(&dist, params, &mut rng) else {
            break;
        };
        let top = top_one(&dist);
        out.push(Sampled {
            id: token,
            logprob: dist[token as usize].ln(),
            top: (top, dist[top as usize].ln()),
        });
        history.push(token);
        if token == Tokenizer::EOT || done(token) {
            break;
        }
    }
    Ok(out)
}

/// The most likely token of `dist` (the lowest id among equals).
fn top_one(dist: &[f64]) -> u32 {
    let mut best = 0;
    for (id, p) in dist.iter().enumerate() {
        if *p > dist[best] {
            best = id;
        }
    }
    best as u32
}

/// How many of the best tokens make up the nucleus of mass `p`; on return `order` starts with them,
/// best first. Sorts only a growing head of `order` (64, 512, … tokens) until its mass reaches
/// `p`: the same nucleus as a full sort, without sorting the long tail.
fn nucleus_len(
    order: &mut [u32],
    weight: &impl Fn(u32) -> f64,
    p: f64,
    better: &impl Fn(&u32, &u32) -> std::cmp::Ordering,
) -> usize {
    let total: f64 = order.iter().map(|&t| weight(t)).sum();
    let mut head = 64;
    loop {
        let whole = head >= order.len();
        if !whole {
            order.select_nth_unstable_by(head - 1, better);
        }
        let head_len = head.min(order.len());
        order[..head_len].sort_unstable_by(better);
        let mut acc = 0.0;
        for (i, &t) in order[..head_len].iter().enumerate() {
            acc += weight(t) / total;
            if acc >= p {
                return i + 1;
            }
        }
        if whole {
            return order.len();
        }
        head *= 8;
    }
}

/// Draws one token from `dist` shaped by `params`: temperature first, then top-k, then nucleus.
fn pick(dist: &[f64], params: &SampleParams, rng: &mut impl Rng) -> Option<u32> {
    let better = |a: &u32, b: &u32| {
        dist[*b as usize]
            .total_cmp(&dist[*a as usize])
            .then(a.cmp(b))
    };
    if params.temperature <= 0.0 {
        return (0..dist.len() as u32).min_by(better);
    }
    // Candidates: all tokens, or the k most likely; sorted (best first) only when a cut needs it.
    let mut order: Vec<u32> = (0..dist.len() as u32)
        .filter(|&t| dist[t as usize] > 0.0)
        .collect();
    if params.k > 0 && params.k < order.len() {
        order.select_nth_unstable_by(params.k - 1, better);
        order.truncate(params.k);
    }
    let nucleus = params.p < 1.0;
    if params.k > 0 {
        order.sort_unstable_by(better);
    }
    let inv_t = 1.0 / params.temperature;
    // Scaled by the largest probability so that low temperatures cannot overflow.
    let lmax = order
        .iter()
        .map(|&t| dist[t as usize])
        .fold(0.0, f64::max)
        .ln();
    let weight = |t: u32| {
        if inv_t == 1.0 {
            dist[t as usize]
        } else {
            ((dist[t as usize].ln() - lmax) * inv_t).exp()
        }
    };
    if nucleus {
        let keep = nucleus_len(&mut order, &weight, params.p, &better);
        order.truncate(keep.max(1));
    }
    let weights: Vec<f64> = order.iter().map(|&t| weight(t)).collect();
    let total: f64 = weights.iter().sum();
    let mut x = rng.random::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return Some(order[i]);
        }
        x -= w;
    }
    order.last().copied()
}
