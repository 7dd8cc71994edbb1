//! Long work stops when its stop flag is set: scoring and sampling look at the flag as they go (the
//! server sets it when the request that started the work is gone), and sampling's cost does not grow
//! with the context (only the last `order - 1` tokens are read).

use crate::common::{by_probability, random_model};
use likely_testkit::model::Stepped;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use likely_ngram::{
    generate, generate_until, KnModel, LanguageModel, SampleParams, ScoreOptions, Stopped, Text,
};

/// A synthetic corpus over a small alphabet, order 3.
fn model() -> KnModel {
    random_model(5, 40)
}

#[test]
fn sampling_stops_at_the_next_token_once_the_flag_is_set() {
    let inner = model();
    let stop = AtomicBool::new(false);
    // The real model, counting the distributions asked of it and setting the flag after ten.
    let steps = AtomicUsize::new(0);
    let counting = Stepped::new(&inner, |_: &mut Vec<f64>| {
        if steps.fetch_add(1, Ordering::SeqCst) + 1 >= 10 {
            stop.store(true, Ordering::SeqCst);
        }
    });
    let params = SampleParams {
        max_tokens: 4096,
        temperature: 1.0,
        k: 0,
        p: 0.75,
        seed: Some(1),
    };
    assert_eq!(
        generate_until(&counting, &[1, 2, 3], &params, &stop),
        Err(Stopped)
    );
    assert_eq!(steps.load(Ordering::SeqCst), 10, "no step after the flag");
}

#[test]
fn scoring_stops_once_the_flag_is_set() {
    let m = model();
    let tokens: Vec<u32> = (0..20_000).map(|i| 1 + (i * 7 % 39) as u32).collect();
    let stop = AtomicBool::new(true);
    for options in [
        ScoreOptions::default(),
        ScoreOptions {
            top_k: 3,
            ranks: true,
        },
    ] {
        assert_eq!(
            m.score_until(Text::new(&tokens, &stop), &options),
            Err(Stopped)
        );
    }
    let running = AtomicBool::new(false);
    let scores = m.score_until(Text::new(&tokens, &running), &ScoreOptions::default());
    assert_eq!(scores.map(|s| s.len()), Ok(tokens.len()));
}

#[test]
fn a_long_context_gives_the_distribution_of_its_last_tokens() {
    let m = model();
    let long: Vec<u32> = (0..5_000).map(|i| 1 + (i * 11 % 39) as u32).collect();
    // Stepping through every token from the start of text, as scoring does.
    let scored = m.score(&[long.as_slice(), &[5]].concat(), &ScoreOptions::default());
    let last = scored.last().map(|s| s.logprob).unwrap_or(f64::NAN);
    let dist = m.next_distribution(&long);
    assert!(
        (dist[5].ln() - last).abs() < 1e-9,
        "{} vs {last}",
        dist[5].ln()
    );
    assert_eq!(dist, m.next_distribution(&long[long.len() - 2..]));
}

#[test]
fn the_partial_nucleus_keeps_samples_within_the_nucleus() {
    let m = model();
    let context = [1, 2, 3];
    let dist = m.next_distribution(&context);
    let order = by_probability(&dist);
    let p = 0.5;
    let mut acc = 0.0;
    let nucleus: Vec<u32> = order
        .iter()
        .copied()
        .take_while(|&t| {
            let inside = acc < p;
            acc += dist[t as usize];
            inside
        })
        .collect();
    for seed in 0..200 {
        let params = SampleParams {
            max_tokens: 1,
            temperature: 1.0,
            k: 0,
            p,
            seed: Some(seed),
        };
        let token = generate(&m, &context, &params)[0].0;
        assert!(nucleus.contains(&token), "{token} outside {nucleus:?}");
    }
}
