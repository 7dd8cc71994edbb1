//! What to score besides each token's log-probability, and a token's score.

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
