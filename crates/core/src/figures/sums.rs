//! One model's sums over some tokens, which every figure is a ratio of: the one place where accuracy,
//! loss, average log-likelihood and bits per byte are computed, for the figures table, the paired
//! bootstrap and the per-snippet comparisons alike.

use crate::figures::metric::Metric;
use crate::wire::scores::ScoredToken;
use std::f64::consts::LN_2;

/// One model's sums over a set of tokens (a token, a segment, a snippet, a resample).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Sums {
    /// Sum of natural-log likelihoods of the scored tokens.
    pub loglik: f64,
    /// Scored tokens.
    pub tokens: f64,
    /// UTF-8 bytes of the scored tokens.
    pub bytes: f64,
    /// Scored tokens that were the model's top choice.
    pub correct: f64,
    /// Scored tokens whose top choice is known.
    pub known: f64,
}

impl Sums {
    /// The sums over `tokens` (unscored tokens count for nothing).
    pub fn of(tokens: &[ScoredToken]) -> Sums {
        let mut sums = Sums::default();
        for token in tokens {
            sums.add_token(token);
        }
        sums
    }

    /// Adds one token, when it is scored.
    pub fn add_token(&mut self, token: &ScoredToken) {
        let Some(loglik) = token.logprob else {
            return;
        };
        self.loglik += loglik;
        self.tokens += 1.0;
        self.bytes += token.byte_len() as f64;
        if let Some(top) = token.is_top_choice() {
            self.known += 1.0;
            self.correct += f64::from(u8::from(top));
        }
    }

    /// Adds `other` into these sums.
    pub fn add(&mut self, other: &Sums) {
        self.loglik += other.loglik;
        self.tokens += other.tokens;
        self.bytes += other.bytes;
        self.correct += other.correct;
        self.known += other.known;
    }

    /// The value of `metric`; `None` where undefined (no known top choice, no scored token).
    pub fn value(&self, metric: Metric) -> Option<f64> {
        let per_token = (self.tokens > 0.0).then(|| self.loglik / self.tokens);
        match metric {
            Metric::Accuracy => (self.known > 0.0).then(|| self.correct / self.known),
            Metric::Loss => per_token.map(|v| -v),
            Metric::AvgLoglik => per_token,
            Metric::Bpb => (self.bytes > 0.0).then(|| -self.loglik / (self.bytes * LN_2)),
        }
    }

    /// Every metric's value, indexed by [`Metric::index`].
    pub fn values(&self) -> [Option<f64>; 4] {
        Metric::ALL.map(|metric| self.value(metric))
    }

    /// Custom − baseline of `metric`: the one place a difference is taken.
    pub fn delta(baseline: &Sums, custom: &Sums, metric: Metric) -> Option<f64> {
        Some(custom.value(metric)? - baseline.value(metric)?)
    }

    /// Custom − baseline of every metric, indexed by [`Metric::index`].
    pub fn deltas(baseline: &Sums, custom: &Sums) -> [Option<f64>; 4] {
        Metric::ALL.map(|metric| Sums::delta(baseline, custom, metric))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_by_hand() {
        let s = Sums {
            loglik: -6.0,
            tokens: 3.0,
            bytes: 6.0,
            correct: 1.0,
            known: 2.0,
        };
        assert_eq!(s.value(Metric::Accuracy), Some(0.5));
        assert_eq!(s.value(Metric::Loss), Some(2.0));
        assert_eq!(s.value(Metric::AvgLoglik), Some(-2.0));
        assert!((s.value(Metric::Bpb).unwrap() - 1.0 / LN_2).abs() < 1e-12);
        assert_eq!(Sums::default().values(), [None; 4]);
        let better = Sums { loglik: -3.0, ..s };
        assert_eq!(Sums::delta(&s, &better, Metric::AvgLoglik), Some(1.0));
        assert_eq!(Sums::deltas(&s, &better)[Metric::Loss.index()], Some(-1.0));
    }
}
