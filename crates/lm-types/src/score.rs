//! What to score besides each token's log-probability, and a token's score (from a full
//! distribution when a model has one at hand: [`TokenScore::from_distribution`]).

/// What to compute besides each token's log-probability.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScoreOptions {
    /// How many of the most likely tokens to return per position: 0 = none, 1 = the top-1 token.
    /// Exact whatever the number; an n-gram model finds a few (up to about 5) without building the
    /// distribution, a transformer computes each position's whole distribution anyway.
    pub top_k: usize,
    /// Whether to compute each token's rank (1 = it was the model's top choice). An n-gram model
    /// needs the full distribution for it, so it is much slower there than plain scoring.
    pub ranks: bool,
}

/// The score of one token.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenScore {
    /// The token scored.
    pub token: u32,
    /// Natural-log probability under the full, untruncated distribution.
    pub logprob: f64,
    /// The `top_k` most likely tokens at this position with their natural-log probabilities, best
    /// first (ties broken by smaller id).
    pub top: Vec<(u32, f64)>,
    /// 1 + the number of tokens strictly more likely than the actual one; `Some` only when
    /// [`ScoreOptions::ranks`] was set.
    pub rank: Option<u32>,
}

impl TokenScore {
    /// `token`'s score under `dist`, the full next-token distribution at its position
    /// (probabilities indexed by id): its natural-log probability (−∞ for an id outside `dist`),
    /// and the top-k ([`top_of`]) and rank ([`rank_of`]) that `options` ask for.
    pub fn from_distribution(token: u32, dist: &[f64], options: &ScoreOptions) -> TokenScore {
        TokenScore {
            token,
            logprob: dist
                .get(token as usize)
                .map_or(f64::NEG_INFINITY, |p| p.ln()),
            top: top_of(dist, options.top_k),
            rank: options.ranks.then(|| rank_of(dist, token)),
        }
    }
}

/// The `k` most likely tokens of a distribution, best first (ties: smaller id), as natural logs:
/// one scan, a token entering the kept list only when it beats its last entry.
pub fn top_of(dist: &[f64], k: usize) -> Vec<(u32, f64)> {
    let k = k.min(dist.len());
    if k == 0 {
        return Vec::new();
    }
    let mut best: Vec<(u32, f64)> = Vec::with_capacity(k + 1);
    for (id, &p) in dist.iter().enumerate() {
        // Ids come in ascending order: an equal value later is never better.
        if best.len() == k && best.last().is_some_and(|last| p.total_cmp(&last.1).is_le()) {
            continue;
        }
        let at = best.partition_point(|b| b.1.total_cmp(&p).is_ge());
        best.insert(at, (id as u32, p));
        best.truncate(k);
    }
    best.into_iter().map(|(t, p)| (t, p.ln())).collect()
}

/// 1 + the number of tokens strictly more likely than `token` (the vocabulary size + 1 for an id
/// outside it).
pub fn rank_of(dist: &[f64], token: u32) -> u32 {
    match dist.get(token as usize) {
        Some(&p) => 1 + dist.iter().filter(|&&q| q > p).count() as u32,
        None => dist.len() as u32 + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_score_from_a_distribution_has_its_top_k_and_rank() {
        let dist = [0.1, 0.4, 0.2, 0.3];
        let options = ScoreOptions {
            top_k: 2,
            ranks: true,
        };
        let score = TokenScore::from_distribution(2, &dist, &options);
        assert_eq!(score.logprob, 0.2f64.ln());
        assert_eq!(score.top, vec![(1, 0.4f64.ln()), (3, 0.3f64.ln())]);
        assert_eq!(score.rank, Some(3));
        let outside = TokenScore::from_distribution(9, &dist, &ScoreOptions::default());
        assert_eq!(outside.logprob, f64::NEG_INFINITY);
        assert_eq!((outside.top.len(), outside.rank), (0, None));
        assert_eq!(rank_of(&dist, 9), 5);
    }
}
