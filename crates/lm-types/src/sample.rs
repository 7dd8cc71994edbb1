//! How to sample, and a sampled token. Reported likelihoods are always under the untruncated
//! distribution.

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
