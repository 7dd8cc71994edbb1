//! Sampling continuations: temperature, top-k and nucleus (top-p) shaping, seeded for
//! reproducibility. Reported likelihoods are always under the untruncated model distribution.
//!
//! Cost per token: one distribution over the vocabulary, plus, for a nucleus, partial selections
//! and a sort of only as many of the best tokens as reach the mass `p` (usually a few dozen, not the
//! whole vocabulary; a flat distribution's nucleus of thousands is found by halving, not by sorting the rest).

use std::sync::atomic::AtomicBool;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::lm::{check, LanguageModel, Stopped, Text};

pub use likely_lm_types::{SampleParams, Sampled};

/// Generates up to `max_tokens` tokens after the start-of-text context and `context`, stopping
/// after the model's end-of-text token. Returns each token with its natural-log probability under the
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
    let eot = model.eot();
    for _ in 0..params.max_tokens {
        check(stop)?;
        let dist = model.next_distribution_until(Text::new(&history, stop))?;
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
        if token == eot || done(token) {
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
/// best first, exactly as a full sort would put them. A peaked distribution's nucleus lies in the best
/// 64 tokens (one partial selection); a flat one's is bounded by halving (each step one partial
/// selection of what is left, and the mass of its better half), and only that bound is sorted.
fn nucleus_len(
    order: &mut [u32],
    weight: &impl Fn(u32) -> f64,
    p: f64,
    better: &impl Fn(&u32, &u32) -> std::cmp::Ordering,
) -> usize {
    let total: f64 = order.iter().map(|&t| weight(t)).sum();
    let head = HEAD.min(order.len());
    if head < order.len() {
        order.select_nth_unstable_by(head - 1, better);
    }
    order[..head].sort_unstable_by(better);
    if let Some(len) = reach(&order[..head], weight, total, p) {
        return len;
    }
    if head == order.len() {
        return order.len();
    }
    // order[..lo] is the best lo, sorted up to `head`; the nucleus ends at or before `hi`.
    let head_mass: f64 = order[..head].iter().map(|&t| weight(t) / total).sum();
    // A margin, so that summing in another order cannot end the bound short of the nucleus.
    let mut need = p - head_mass + 1e-9;
    let (mut lo, mut hi) = (head, order.len());
    while hi - lo > HEAD {
        let mid = lo + (hi - lo) / 2;
        order[lo..hi].select_nth_unstable_by(mid - lo, better);
        let left: f64 = order[lo..=mid].iter().map(|&t| weight(t) / total).sum();
        if left >= need {
            hi = mid + 1;
        } else {
            need -= left;
            lo = mid + 1;
        }
    }
    order[head..hi].sort_unstable_by(better);
    if let Some(len) = reach(&order[..hi], weight, total, p) {
        return len;
    }
    order[hi..].sort_unstable_by(better);
    reach(order, weight, total, p).unwrap_or(order.len())
}

/// Tokens selected and sorted at once before a nucleus search goes wider.
const HEAD: usize = 64;

/// The length of the shortest prefix of `sorted` whose share of `total` reaches `p`, if one does.
fn reach(sorted: &[u32], weight: &impl Fn(u32) -> f64, total: f64, p: f64) -> Option<usize> {
    let mut acc = 0.0;
    for (i, &t) in sorted.iter().enumerate() {
        acc += weight(t) / total;
        if acc >= p {
            return Some(i + 1);
        }
    }
    None
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

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    /// The nucleus as a full sort finds it.
    fn sorted_nucleus(weights: &[f64], p: f64) -> Vec<u32> {
        let better = |a: &u32, b: &u32| {
            weights[*b as usize]
                .total_cmp(&weights[*a as usize])
                .then(a.cmp(b))
        };
        let mut order: Vec<u32> = (0..weights.len() as u32).collect();
        order.sort_by(better);
        let total: f64 = weights.iter().sum();
        let len = reach(&order, &|t| weights[t as usize], total, p).unwrap_or(order.len());
        order.truncate(len);
        order
    }

    #[test]
    fn the_nucleus_is_the_one_a_full_sort_finds_in_the_same_order() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for case in 0..60 {
            let n = [10, 100, 5_000, 50_257][case % 4];
            // Flat, peaked and tied distributions.
            let weights: Vec<f64> = (0..n)
                .map(|_| match case % 3 {
                    0 => rng.random::<f64>(),
                    1 => rng.random::<f64>().powi(40),
                    _ => f64::from(rng.random_range(1..4u32)),
                })
                .collect();
            for p in [0.01, 0.3, 0.75, 0.9, 0.999, 1.0 - 1e-12] {
                let better = |a: &u32, b: &u32| {
                    weights[*b as usize]
                        .total_cmp(&weights[*a as usize])
                        .then(a.cmp(b))
                };
                let mut order: Vec<u32> = (0..n as u32).collect();
                let len = nucleus_len(&mut order, &|t| weights[t as usize], p, &better);
                assert_eq!(
                    order[..len],
                    sorted_nucleus(&weights, p)[..],
                    "case {case}, n {n}, p {p}"
                );
            }
        }
    }
}
