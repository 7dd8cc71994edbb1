//! The model's mechanics on a tiny generated GGUF of the same architecture (random weights): loading,
//! windows, the KV cache, sampling, the stop flag and error messages. No real weights needed.

mod common;

use std::sync::atomic::AtomicBool;

use likely_lm::{LmError, Model, SampleParams, ScoreOptions};

fn text_tokens(model: &Model, n: usize) -> Vec<u32> {
    let text =
        "the theory that the other thing is there, then 12 thirsty thrushes thought the throne. ";
    let ids = model
        .tokenizer()
        .encode(&text.repeat(8))
        .expect("ordinary text encodes");
    assert!(ids.len() >= n);
    ids[..n].to_vec()
}

#[test]
fn the_tiny_model_loads_with_its_hyper_parameters() {
    let (_dir, model) = common::tiny_model(1);
    let c = model.config();
    assert_eq!((c.layers, c.dim, c.heads, c.kv_heads, c.ffn), common::TINY);
    assert_eq!(c.head_dim(), 8);
    assert_eq!(model.vocab_size(), 260);
    assert_eq!(model.eos(), 0);
    let clone = model.with_window(16, 4);
    assert!(clone.shares_weights_with(&model));
    assert_eq!((clone.window(), clone.overlap()), (16, 4));
}

#[test]
fn the_byte_level_tokenizer_round_trips_and_splits_digits() {
    let (_dir, model) = common::tiny_model(1);
    let tok = model.tokenizer();
    let ids = tok.encode("the 2024 crab 🦀").unwrap();
    // "the" is one merged token, digits are single tokens, the crab's four bytes are four tokens.
    assert_eq!(ids[0], 258);
    assert_eq!(tok.decode(&ids), "the 2024 crab 🦀");
    let pieces = tok.decode_pieces(&ids);
    assert_eq!(pieces.concat(), "the 2024 crab 🦀");
    assert_eq!(&pieces[pieces.len() - 4..], ["", "", "", "🦀"]);
    assert!(pieces.contains(&"2".to_string()) && pieces.contains(&"4".to_string()));
}

#[test]
fn scores_are_normalised_and_match_the_next_distribution() {
    let (_dir, model) = common::tiny_model(2);
    let tokens = text_tokens(&model, 12);
    let scores = model
        .score(
            &tokens,
            &ScoreOptions {
                top_k: 5,
                ranks: true,
            },
        )
        .unwrap();
    assert_eq!(scores.len(), tokens.len());
    for (i, s) in scores.iter().enumerate() {
        let dist = model.next_distribution(&tokens[..i]).unwrap();
        assert_eq!(dist.len(), 260);
        assert!((dist.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert!(
            (dist[tokens[i] as usize].ln() - s.logprob).abs() < 1e-4,
            "token {i}"
        );
        assert_eq!(s.top.len(), 5);
        assert!(s.top.windows(2).all(|w| w[0].1 >= w[1].1));
        let better = dist
            .iter()
            .filter(|&&p| p > dist[tokens[i] as usize])
            .count();
        assert_eq!(s.rank, Some(better as u32 + 1), "token {i}");
    }
}

#[test]
fn windows_give_each_token_the_score_of_its_own_window() {
    let (_dir, model) = common::tiny_model(3);
    let tokens = text_tokens(&model, 70);
    let (window, overlap) = (16, 5);
    let small = model.with_window(window, overlap);
    let mut windows = 0;
    let windowed = small
        .score_with_progress(
            &tokens,
            &ScoreOptions::default(),
            &AtomicBool::new(false),
            |_, _| windows += 1,
        )
        .unwrap();
    // First window: 15 tokens; each later one 10 new tokens: 15 + 6 · 10 = 75 >= 70.
    assert_eq!(windows, 7);
    // A window longer than the text is one long pass.
    let long = model.with_window(256, 5);
    let whole = long.score(&tokens, &ScoreOptions::default()).unwrap();
    let mut done = 0;
    while done < tokens.len() {
        let from = done.saturating_sub(overlap);
        let to = (from + window - 1).min(tokens.len());
        let slice = long
            .score(&tokens[from..to], &ScoreOptions::default())
            .unwrap();
        for i in done..to {
            let d = (windowed[i].logprob - slice[i - from].logprob).abs();
            assert!(d < 1e-4, "token {i}: {d}");
        }
        done = to;
    }
    // The first window's tokens see the same context as in the long pass.
    for i in 0..window - 1 {
        assert!((windowed[i].logprob - whole[i].logprob).abs() < 1e-4);
    }
    // Later tokens see less context, so some differ.
    assert!((window..tokens.len()).any(|i| (windowed[i].logprob - whole[i].logprob).abs() > 1e-3));
}

#[test]
fn greedy_generation_with_the_kv_cache_equals_the_full_forward_argmax() {
    let (_dir, model) = common::tiny_model(4);
    let context = text_tokens(&model, 9);
    let params = SampleParams {
        max_tokens: 24,
        temperature: 0.0,
        ..SampleParams::default()
    };
    let never = AtomicBool::new(false);
    let out = model
        .sample_until(&context, &params, &never, |_| false)
        .unwrap();
    assert!(!out.is_empty());
    let mut history = context.clone();
    for s in &out {
        let dist = model.next_distribution(&history).unwrap();
        let best = (0..dist.len())
            .max_by(|&a, &b| dist[a].total_cmp(&dist[b]).then(b.cmp(&a)))
            .unwrap();
        assert_eq!(s.id as usize, best);
        assert_eq!(s.top.0, s.id);
        assert!((dist[best].ln() - s.logprob).abs() < 1e-4);
        history.push(s.id);
    }
}

#[test]
fn seeded_sampling_repeats_and_runs_past_the_window() {
    let (_dir, model) = common::tiny_model(5);
    let small = model.with_window(12, 4);
    let context = text_tokens(&model, 5);
    let params = SampleParams {
        max_tokens: 40,
        temperature: 0.8,
        k: 50,
        p: 0.95,
        seed: Some(7),
    };
    let never = AtomicBool::new(false);
    // Never ends early: the end-of-text token is the only way out and `done` never says stop.
    let a = small
        .sample_until(&context, &params, &never, |_| false)
        .unwrap();
    let b = small
        .sample_until(&context, &params, &never, |_| false)
        .unwrap();
    assert_eq!(a, b);
    assert!(a.len() == 40 || a.last().map(|s| s.id) == Some(0));
    for s in &a {
        assert!(s.logprob <= 0.0 && s.top.1 >= s.logprob);
    }
    // `done` stops after the token it accepts.
    let mut seen = 0;
    let c = small
        .sample_until(&context, &params, &never, |_| {
            seen += 1;
            seen == 3
        })
        .unwrap();
    assert!(c.len() <= 3);
    assert_eq!(c[..], a[..c.len()]);
}

#[test]
fn texts_scored_at_the_same_time_share_passes_and_score_as_alone() {
    let (_dir, model) = common::tiny_model(9);
    let tokens = text_tokens(&model, 90);
    // Texts of different lengths, one longer than a window (its windows batch with the others'),
    // two asked twice (as two models over the same network ask the same snippet).
    let small = model.with_window(64, 8);
    let texts: Vec<&[u32]> = (0..8)
        .map(|i| i % 6)
        .map(|i| &tokens[i..20 + 9 * i])
        .collect();
    let options = ScoreOptions {
        top_k: 3,
        ranks: true,
    };
    let alone: Vec<_> = texts
        .iter()
        .map(|t| small.score(t, &options).unwrap())
        .collect();
    let before = small.pass_counts();
    let start = std::sync::Barrier::new(texts.len());
    let together: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = texts
            .iter()
            .map(|t| {
                let (small, start, options) = (&small, &start, &options);
                scope.spawn(move || {
                    start.wait();
                    (0..20)
                        .map(|_| small.score(t, options).unwrap())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let after = small.pass_counts();
    assert!(
        after.passes - before.passes < after.windows - before.windows,
        "no two windows shared a pass: {before:?} → {after:?}"
    );
    assert!(
        after.computed - before.computed < after.windows - before.windows,
        "no window asked twice in a pass was computed once: {before:?} → {after:?}"
    );
    for (t, (alone, runs)) in alone.iter().zip(&together).enumerate() {
        for run in runs {
            assert_eq!(run.len(), alone.len());
            for (i, (a, b)) in alone.iter().zip(run).enumerate() {
                assert!((a.logprob - b.logprob).abs() < 1e-4, "text {t} token {i}");
                assert_eq!(a.rank, b.rank, "text {t} token {i}");
                assert_eq!(
                    a.top.iter().map(|x| x.0).collect::<Vec<_>>(),
                    b.top.iter().map(|x| x.0).collect::<Vec<_>>()
                );
            }
        }
    }
}

#[test]
fn a_caller_that_stops_while_others_score_leaves_at_once() {
    let (_dir, model) = common::tiny_model(10);
    let tokens = text_tokens(&model, 60);
    let options = ScoreOptions::default();
    let alone = model.score(&tokens, &options).unwrap();
    let stop = AtomicBool::new(true);
    let start = std::sync::Barrier::new(5);
    std::thread::scope(|scope| {
        for _ in 0..4 {
            let (model, tokens, options, start, alone) =
                (&model, &tokens, &options, &start, &alone);
            scope.spawn(move || {
                start.wait();
                for _ in 0..20 {
                    let scores = model.score(tokens, options).unwrap();
                    assert!((scores[59].logprob - alone[59].logprob).abs() < 1e-4);
                }
            });
        }
        start.wait();
        for _ in 0..20 {
            let r = model.score_until(&tokens, &options, &stop);
            assert!(matches!(r, Err(LmError::Stopped(_))));
        }
    });
}

#[test]
fn a_set_stop_flag_ends_scoring_and_sampling() {
    let (_dir, model) = common::tiny_model(6);
    let tokens = text_tokens(&model, 30);
    let stop = AtomicBool::new(true);
    let scored = model.score_until(&tokens, &ScoreOptions::default(), &stop);
    assert!(matches!(scored, Err(LmError::Stopped(_))));
    let sampled = model.sample_until(&tokens, &SampleParams::default(), &stop, |_| false);
    assert!(matches!(sampled, Err(LmError::Stopped(_))));
    // Stopping after the first window of three.
    let small = model.with_window(12, 2);
    let flag = AtomicBool::new(false);
    let mut windows = 0;
    let r = small.score_with_progress(&tokens, &ScoreOptions::default(), &flag, |_, _| {
        windows += 1;
        flag.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    assert!(matches!(r, Err(LmError::Stopped(_))));
    assert_eq!(windows, 1);
}

#[test]
fn out_of_vocabulary_ids_are_an_error_not_a_panic() {
    let (_dir, model) = common::tiny_model(7);
    let r = model.score(&[1, 2, 999], &ScoreOptions::default());
    assert!(matches!(
        r,
        Err(LmError::BadToken {
            id: 999,
            vocab: 260
        })
    ));
}

#[test]
fn a_missing_or_corrupt_file_names_the_fetch_script() {
    let dir = tempfile::tempdir().unwrap();
    let missing = Model::load(dir.path().join("none.gguf")).unwrap_err();
    assert!(matches!(missing, LmError::Missing { .. }));
    assert!(
        missing.to_string().contains("scripts/fetch-smollm2.sh"),
        "{missing}"
    );
    let bad = dir.path().join("bad.gguf");
    std::fs::write(&bad, b"not a gguf at all").unwrap();
    let corrupt = Model::load(&bad).unwrap_err();
    assert!(matches!(corrupt, LmError::Corrupt { .. }));
    assert!(
        corrupt.to_string().contains("scripts/fetch-smollm2.sh"),
        "{corrupt}"
    );
    // A truncated file.
    let tiny = dir.path().join("tiny.gguf");
    common::write_tiny(&tiny, 1);
    let bytes = std::fs::read(&tiny).unwrap();
    std::fs::write(&tiny, &bytes[..bytes.len() - 100]).unwrap();
    let cut = Model::load(&tiny).unwrap_err();
    assert!(matches!(cut, LmError::Corrupt { .. }), "{cut}");
}

#[test]
fn next_distribution_continues_its_cache_and_gives_the_fresh_result() {
    let (_dir, model) = common::tiny_model(8);
    let tokens = text_tokens(&model, 20);
    // Growing contexts continue the kept session; another model (its own cache) asked in reverse
    // order never can, so it computes every context from scratch.
    let incremental = model.with_window(64, 8);
    let fresh = model.with_window(64, 8);
    let grown: Vec<Vec<f64>> = (0..=tokens.len())
        .map(|n| incremental.next_distribution(&tokens[..n]).unwrap())
        .collect();
    for n in (0..=tokens.len()).rev() {
        let want = fresh.next_distribution(&tokens[..n]).unwrap();
        let worst = grown[n]
            .iter()
            .zip(&want)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(worst < 1e-5, "context {n}: {worst}");
    }
    // A context that does not extend the kept one starts over.
    let other = incremental.next_distribution(&tokens[5..9]).unwrap();
    let want = fresh.next_distribution(&tokens[5..9]).unwrap();
    assert!(other.iter().zip(&want).all(|(a, b)| (a - b).abs() < 1e-5));
}

#[test]
fn the_distribution_after_a_scored_text_comes_from_its_scoring_pass() {
    let (_dir, model) = common::tiny_model(8);
    let tokens = text_tokens(&model, 30);
    let scored = model.with_window(64, 8);
    let fresh = model.with_window(64, 8);
    let worst = |a: &[f64], b: &[f64]| {
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max)
    };
    // A text that fits one window: its scoring pass keeps the window's cache and last state.
    scored
        .score(&tokens[..20], &ScoreOptions::default())
        .unwrap();
    let after = scored.next_distribution(&tokens[..20]).unwrap();
    let want = fresh.next_distribution(&tokens[..20]).unwrap();
    assert!(worst(&after, &want) < 1e-6, "{}", worst(&after, &want));
    // Sampling continues from there, one position a token.
    let next = scored.next_distribution(&tokens[..21]).unwrap();
    let want = fresh.next_distribution(&tokens[..21]).unwrap();
    assert!(worst(&next, &want) < 1e-5, "{}", worst(&next, &want));
    // A text longer than a window is scored in windows; the distribution after it is still right.
    let long = text_tokens(&model, 70);
    let short_window = model.with_window(32, 8);
    short_window.score(&long, &ScoreOptions::default()).unwrap();
    let after = short_window.next_distribution(&long).unwrap();
    let want = model.with_window(32, 8).next_distribution(&long).unwrap();
    assert!(worst(&after, &want) < 1e-6, "{}", worst(&after, &want));
}
