//! The weight of a two-model mixture `λ P_a + (1 − λ) P_b`, chosen by expectation-maximisation to
//! maximise the likelihood of held-out text, from per-token probability pairs: any two models of
//! one vocabulary (two Kneser-Ney models, a transformer and a Kneser-Ney model).

use std::sync::atomic::AtomicBool;

use crate::lm::{LanguageModel, ScoreOptions, Stopped, Text};
use crate::score::sequence::log_mix;

/// Chooses the interpolation weight of `domain` against `base` that maximises the likelihood of
/// `held_out` (documents of in-domain text, each scored from the start of text), by EM. Returns
/// (λ, average natural-log likelihood per token at that λ); (0.5, NaN) when `held_out` holds no
/// token.
pub fn tune_lambda(
    base: &dyn LanguageModel,
    domain: &dyn LanguageModel,
    held_out: &[Vec<u32>],
) -> (f64, f64) {
    let never = AtomicBool::new(false);
    let mut pairs: Vec<(f64, f64)> = Vec::new();
    for doc in held_out {
        if let Ok(p) = logprob_pairs(domain, base, doc, &never) {
            pairs.extend(p);
        }
    }
    tune_lambda_pairs(&pairs)
}

/// [`tune_lambda`] on per-token pairs `(ln P_a, ln P_b)`: (the weight λ of `a`, average
/// natural-log likelihood per token of the mixture at λ); (0.5, NaN) for no pairs.
pub fn tune_lambda_pairs(pairs: &[(f64, f64)]) -> (f64, f64) {
    if pairs.is_empty() {
        return (0.5, f64::NAN);
    }
    let lambda = em_lambda(pairs);
    (lambda, -mixture_loss(pairs, lambda))
}

/// `(ln P_a, ln P_b)` of every token of `doc`, scored from the start of text by each model.
pub fn logprob_pairs(
    a: &dyn LanguageModel,
    b: &dyn LanguageModel,
    doc: &[u32],
    stop: &AtomicBool,
) -> Result<Vec<(f64, f64)>, Stopped> {
    let plain = ScoreOptions::default();
    let doc = Text::new(doc, stop);
    let x = a.score_until(doc, &plain)?;
    let y = b.score_until(doc, &plain)?;
    Ok(x.iter()
        .zip(&y)
        .map(|(x, y)| (x.logprob, y.logprob))
        .collect())
}

/// The mixture's loss (−average natural-log likelihood per token) at weight `lambda` of `a`, from
/// pairs `(ln P_a, ln P_b)`.
pub fn mixture_loss(pairs: &[(f64, f64)], lambda: f64) -> f64 {
    -pairs
        .iter()
        .map(|&(a, b)| log_mix(&[lambda, 1.0 - lambda], &[a, b]))
        .sum::<f64>()
        / pairs.len() as f64
}

/// The weight of `a` maximising the likelihood of pairs `(ln P_a, ln P_b)`, by EM from 0.5 (the
/// likelihood is concave in λ, so EM converges to the maximum).
pub fn em_lambda(pairs: &[(f64, f64)]) -> f64 {
    let n = pairs.len() as f64;
    let mut lambda = 0.5;
    for _ in 0..200 {
        let next = pairs
            .iter()
            .map(|&(a, b)| {
                let num = lambda * a.exp();
                let den = num + (1.0 - lambda) * b.exp();
                if den > 0.0 {
                    num / den
                } else {
                    0.5
                }
            })
            .sum::<f64>()
            / n;
        let done = (next - lambda).abs() < 1e-7;
        lambda = next;
        if done {
            break;
        }
    }
    lambda
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two "models" over two outcomes: `a` says x with 0.9, `b` says x with 0.2. Text where x
    /// has frequency f is best fitted by the mixture with 0.9λ + 0.2(1 − λ) = f.
    #[test]
    fn em_finds_the_weight_of_a_toy_mixture() {
        let (x, y) = ((0.9f64.ln(), 0.2f64.ln()), (0.1f64.ln(), 0.8f64.ln()));
        for (xs, ys) in [(55usize, 45usize), (34, 66), (83, 17)] {
            let f = xs as f64 / (xs + ys) as f64;
            let pairs: Vec<(f64, f64)> = std::iter::repeat_n(x, xs)
                .chain(std::iter::repeat_n(y, ys))
                .collect();
            let (lambda, avg) = tune_lambda_pairs(&pairs);
            let expected = (f - 0.2) / 0.7;
            assert!((lambda - expected).abs() < 1e-4, "{lambda} vs {expected}");
            // At the optimum the mixture's likelihood is the data's own entropy.
            let entropy = f * f.ln() + (1.0 - f) * (1.0 - f).ln();
            assert!((avg - entropy).abs() < 1e-6, "{avg} vs {entropy}");
            // And it is a maximum of the loss curve.
            for other in [expected - 0.05, expected + 0.05] {
                assert!(mixture_loss(&pairs, other) > mixture_loss(&pairs, lambda));
            }
        }
        // All the evidence for one model: λ goes to its bound.
        let only_a: Vec<(f64, f64)> = vec![(0.0, f64::NEG_INFINITY); 10];
        assert!(em_lambda(&only_a) > 0.999);
        assert_eq!(tune_lambda_pairs(&[]).0, 0.5);
    }
}
