//! `sample_until`: each sampled token carries the model's top-1 token at its position (the argmax
//! of the very distribution it was drawn from), a seed makes the draw repeatable, and `done` ends the
//! generation right after the token it accepts.

use crate::common::random_model;
use std::sync::atomic::AtomicBool;

use likely_ngram::{generate, sample_until, KnModel, LanguageModel, SampleParams};

fn model() -> KnModel {
    random_model(9, 30)
}

fn params(seed: u64) -> SampleParams {
    SampleParams {
        max_tokens: 30,
        temperature: 1.0,
        k: 0,
        p: 0.9,
        seed: Some(seed),
    }
}

#[test]
fn each_token_names_the_argmax_of_its_distribution() {
    let model = model();
    let never = AtomicBool::new(false);
    let context = [3, 4, 5];
    let sampled = sample_until(&model, &context, &params(7), &never, |_| false).expect("runs");
    assert!(!sampled.is_empty());
    let mut history = context.to_vec();
    for token in &sampled {
        let dist = model.next_distribution(&history);
        let best = dist.iter().cloned().fold(f64::MIN, f64::max);
        assert_eq!(dist[token.top.0 as usize], best, "top-1 is the argmax");
        assert!((token.top.1 - best.ln()).abs() < 1e-12);
        assert!((token.logprob - dist[token.id as usize].ln()).abs() < 1e-12);
        assert!(token.logprob <= token.top.1);
        history.push(token.id);
    }
}

#[test]
fn the_same_seed_draws_the_same_tokens_as_generate() {
    let model = model();
    let never = AtomicBool::new(false);
    let a = sample_until(&model, &[1, 2], &params(11), &never, |_| false).expect("runs");
    let b = generate(&model, &[1, 2], &params(11));
    let ids: Vec<(u32, f64)> = a.iter().map(|s| (s.id, s.logprob)).collect();
    assert_eq!(ids, b);
}

#[test]
fn done_stops_right_after_the_token_it_accepts() {
    let model = model();
    let never = AtomicBool::new(false);
    let all = sample_until(&model, &[1, 2], &params(5), &never, |_| false).expect("runs");
    assert!(all.len() > 3);
    let third = all[2].id;
    let mut seen = 0;
    let cut = sample_until(&model, &[1, 2], &params(5), &never, |_| {
        seen += 1;
        seen == 3
    })
    .expect("runs");
    assert_eq!(cut.len(), 3);
    assert_eq!(cut[2].id, third);
}
