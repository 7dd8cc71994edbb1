//! Small evaluations for the charts' unit tests.

use likely_core::{
    Evaluation, GenerateParams, ModelSpec, Outcome, ScoredToken, Snippet, SnippetResult,
};

/// Tokens `t0`, `t1`, … with `t0` unscored (it has no context) and the others scored `logprobs`.
pub fn tokens(logprobs: &[f64]) -> Vec<ScoredToken> {
    std::iter::once(None)
        .chain(logprobs.iter().copied().map(Some))
        .enumerate()
        .map(|(i, logprob)| ScoredToken {
            text: format!("t{i}"),
            logprob,
            top: None,
            rank: None,
            id: None,
            top_k: None,
        })
        .collect()
}

/// An evaluation of models named in `runs` (the first is the baseline), each with its log-likelihoods
/// per snippet; snippets a model has no list for stay pending. At least one snippet.
pub fn with_models(runs: &[(&str, &[&[f64]])]) -> Evaluation {
    let snippets = runs
        .iter()
        .map(|(_, per_snippet)| per_snippet.len())
        .max()
        .unwrap_or(0)
        .max(1);
    let mut specs = runs.iter().map(|(name, _)| ModelSpec::named(*name));
    let baseline = specs.next().unwrap_or_else(|| ModelSpec::named("base"));
    let mut evaluation = Evaluation::new(
        (0..snippets)
            .map(|i| Snippet::pasted(format!("snippet {i}")))
            .collect(),
        GenerateParams::default(),
        baseline,
        specs.collect(),
    )
    .expect("distinct model names");
    for (name, per_snippet) in runs {
        for (snippet, logprobs) in per_snippet.iter().enumerate() {
            let result = SnippetResult::single(tokens(logprobs));
            evaluation
                .set_outcome(name, snippet, Outcome::Scored(result))
                .expect("a known model and snippet");
        }
    }
    evaluation
}

/// A baseline `base` and one custom model `tuned`.
pub fn evaluation(baseline: &[&[f64]], custom: &[&[f64]]) -> Evaluation {
    with_models(&[("base", baseline), ("tuned", custom)])
}
