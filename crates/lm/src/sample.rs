//! Sampling continuations over a KV-cached [`crate::Session`]: temperature, top-k and nucleus (top-p)
//! shaping, seeded for reproducibility (ChaCha8, one uniform draw per token). Reported likelihoods
//! are always under the untruncated distribution.

use std::sync::atomic::{AtomicBool, Ordering};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::{LmError, Stopped};
use crate::model::Model;
use crate::tokenizer::EOS;

pub use likely_lm_types::{SampleParams, Sampled};

impl Model {
    /// Generates up to `params.max_tokens` tokens after `<|endoftext|>` and `context`, stopping after
    /// the end-of-text token or when `done(token)` says so (a stop sequence was written). Checks
    /// `stop` before every token (and between layers) and gives up with [`LmError::Stopped`].
    pub fn sample_until(
        &self,
        context: &[u32],
        params: &SampleParams,
        stop: &AtomicBool,
        mut done: impl FnMut(u32) -> bool,
    ) -> Result<Vec<Sampled>, LmError> {
        let mut rng = ChaCha8Rng::seed_from_u64(params.seed.unwrap_or_else(rand::random));
        let mut session = self.session(context, stop)?;
        let mut out = Vec::with_capacity(params.max_tokens);
        for _ in 0..params.max_tokens {
            if stop.load(Ordering::Relaxed) {
                return Err(Stopped.into());
            }
            let dist = session.distribution(stop)?;
            let token = pick(dist, params, &mut rng);
            let top = top_one(dist);
            out.push(Sampled {
                id: token,
                logprob: dist[token as usize].ln(),
                top: (top, dist[top as usize].ln()),
            });
            if token == EOS || done(token) {
                break;
            }
            session.push(token);
        }
        Ok(out)
    }
}

/// The most likely token of `dist` (the lowest id among equals).
pub(crate) fn top_one(dist: &[f64]) -> u32 {
    let mut best = 0;
    for (id, p) in dist.iter().enumerate() {
        if *p > dist[best] {
            best = id;
        }
    }
    best as u32
}

/// Draws one token from `dist` shaped by `params`: temperature first, then top-k, then nucleus.
pub fn pick(dist: &[f64], params: &SampleParams, rng: &mut impl Rng) -> u32 {
    if params.temperature <= 0.0 {
        return top_one(dist);
    }
    let better = |a: &u32, b: &u32| {
        dist[*b as usize]
            .total_cmp(&dist[*a as usize])
            .then(a.cmp(b))
    };
    let mut order: Vec<u32> = (0..dist.len() as u32)
        .filter(|&t| dist[t as usize] > 0.0)
        .collect();
    if order.is_empty() {
        return top_one(dist);
    }
    if params.k > 0 && params.k < order.len() {
        order.select_nth_unstable_by(params.k - 1, better);
        order.truncate(params.k);
    }
    let nucleus = params.p < 1.0;
    if params.k > 0 || nucleus {
        order.sort_unstable_by(better);
    }
    let inv_t = 1.0 / params.temperature;
    let lmax =
        dist[order[0] as usize].max(order.iter().map(|&t| dist[t as usize]).fold(0.0, f64::max));
    let lmax = lmax.ln();
    let weight = |t: u32| {
        if inv_t == 1.0 {
            dist[t as usize]
        } else {
            ((dist[t as usize].ln() - lmax) * inv_t).exp()
        }
    };
    let mut weights: Vec<f64> = order.iter().map(|&t| weight(t)).collect();
    if nucleus {
        let total: f64 = weights.iter().sum();
        let mut acc = 0.0;
        let mut keep = weights.len();
        for (i, w) in weights.iter().enumerate() {
            acc += w / total;
            if acc >= params.p {
                keep = i + 1;
                break;
            }
        }
        order.truncate(keep.max(1));
        weights.truncate(keep.max(1));
    }
    let total: f64 = weights.iter().sum();
    let mut x = rng.random::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return order[i];
        }
        x -= w;
    }
    order[order.len() - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greedy_top_k_and_nucleus_keep_the_right_tokens() {
        let dist = [0.1, 0.5, 0.05, 0.3, 0.05];
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let greedy = SampleParams {
            temperature: 0.0,
            ..SampleParams::default()
        };
        assert_eq!(pick(&dist, &greedy, &mut rng), 1);
        let k2 = SampleParams {
            k: 2,
            ..SampleParams::default()
        };
        let nucleus = SampleParams {
            p: 0.7,
            ..SampleParams::default()
        };
        for _ in 0..200 {
            assert!([1, 3].contains(&pick(&dist, &k2, &mut rng)));
            assert!([1, 3].contains(&pick(&dist, &nucleus, &mut rng)));
        }
    }
}
