//! The synthetic evaluation the benchmarks time: one snippet of `tokens` tokens scored by every
//! model named, with full-precision likelihoods, top tokens and ranks.

use likely_core::testing::HAMLET_WORDS as WORDS;
use likely_core::SnippetResult;
use likely_core::{Evaluation, GenerateParams, ModelSpec, Outcome, ScoredToken, Snippet};

/// A xorshift stream for the likelihoods (only sizes and timings matter here).
fn uniform(state: &mut u64) -> f64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    (*state >> 11) as f64 / (1u64 << 53) as f64
}

/// One snippet of `tokens` tokens scored by `names` (the baseline first).
pub(crate) fn evaluation(tokens: usize, names: &[&str]) -> Option<Evaluation> {
    let text: String = (0..tokens).map(|i| WORDS[i % WORDS.len()]).collect();
    let (base, customs) = names.split_first()?;
    let mut evaluation = Evaluation::new(
        vec![Snippet::pasted(text)],
        GenerateParams::default(),
        ModelSpec::named(*base),
        customs.iter().map(|n| ModelSpec::named(*n)).collect(),
    )
    .ok()?;
    let mut state = 0x9e37_79b9_7f4a_7c15;
    for (m, name) in names.iter().enumerate() {
        let scored = (0..tokens)
            .map(|i| {
                let logprob = (i > 0)
                    .then(|| -10.0 * uniform(&mut state) * uniform(&mut state) - m as f64 * 0.01);
                ScoredToken {
                    text: WORDS[i % WORDS.len()].to_string(),
                    logprob,
                    top: logprob.map(|l| (" the".to_string(), l.max(-1.0))),
                    rank: logprob.map(|_| 1 + (uniform(&mut state) * 30.0) as u32),
                    id: None,
                    top_k: None,
                }
            })
            .collect();
        let outcome = Outcome::Scored(SnippetResult::single(scored));
        evaluation.set_outcome(name, 0, outcome).ok()?;
    }
    Some(evaluation)
}
