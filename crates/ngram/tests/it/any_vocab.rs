//! Models over a vocabulary other than GPT-2's: a toy tokenizer of 10 ids whose end-of-text is 0
//! (as SmolLM2's is), through the public API: hand-computed Kneser-Ney probabilities, proper
//! distributions, exact top-k and ranks, the vocabulary kept by a saved file, sampling that stops
//! at this end-of-text, adaptation, and a mixture of any two models (one of them using the
//! trait's default look-ups) with its exact top-k and ranks.

use crate::common::{check_hand_computed_kneser_ney, check_top_k_and_ranks, close, lp, toy, Toy};
use likely_testkit::model::Stepped;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use likely_ngram::score::figures::evaluate;
use likely_ngram::{
    generate, progress, storage, train_adapted, train_model, tune_lambda, InterpolatedModel,
    KnModel, LanguageModel, MixedModel, NgramError, Text, TokenIds, Vocab,
};

const EOT: u32 = 0;

fn train(texts: &[&str], order: usize) -> KnModel {
    let docs: Vec<Vec<u32>> = texts.iter().map(|t| Toy.encode(t)).collect();
    train_model(&docs, toy(), order).expect("train").0
}

/// Longer toy texts with some structure.
fn texts(seed: u32, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let i = i as u32 + seed;
            (0..(5 + i % 17))
                .map(|j| char::from(b'a' + ((i * 3 + j * j * 7 + j * seed) % 8) as u8))
                .collect()
        })
        .collect()
}

fn train_texts(texts: &[String], order: usize) -> KnModel {
    let docs: Vec<Vec<u32>> = texts.iter().map(|t| Toy.encode(t)).collect();
    train_model(&docs, toy(), order).expect("train").0
}

/// The hand-computed case of the GPT-2 tests (documents "a b c", "a b d", "b c", order 3, the
/// fallback discounts 0.5/1/1.5) over the toy vocabulary, end-of-text 0 sorting before the
/// letters: the same formulas with V = 10.
#[test]
fn hand_computed_kneser_ney_over_a_toy_vocabulary() {
    let m = train(&["abc", "abd", "bc"], 3);
    assert_eq!((m.vocab(), m.eot(), m.vocabulary()), (10, 0, toy()));
    // An id never seen: i = 9.
    check_hand_computed_kneser_ney(&m, [1, 2, 3], EOT, 9);
}

#[test]
fn toy_distributions_sum_to_one_and_top_k_and_ranks_are_exact() {
    let m = train_texts(&texts(1, 80), 4);
    let text = Toy.encode(&texts(5, 3).concat());
    for ctx_len in [0, 1, 2, 5, text.len()] {
        let dist = m.next_distribution(&text[..ctx_len]);
        assert_eq!(dist.len(), 10);
        let sum: f64 = dist.iter().sum();
        assert!((sum - 1.0).abs() < 1e-6, "sum {sum}");
        assert!(dist.iter().all(|&p| p > 0.0));
    }
    for k in [1usize, 3, 10] {
        check_top_k_and_ranks(&m, &text, k, 0.0);
    }
    // The look-ups at given positions are the scores' values.
    let never = AtomicBool::new(false);
    let asks: Vec<(usize, u32)> = (0..text.len()).rev().map(|i| (i, text[i])).collect();
    let got = m
        .logprobs_at(Text::new(&text, &never), &asks)
        .expect("look-ups");
    let scores = lp(&m, &text);
    for (&(i, _), l) in asks.iter().zip(got) {
        assert_eq!(l, scores[i]);
    }
    // The figures of a text through the toy tokenizer.
    let figures = evaluate(&m, &Toy, &texts(7, 4));
    assert!(figures.tokens > 0 && figures.avg_logprob < 0.0);
}

#[test]
fn a_saved_toy_model_keeps_its_vocabulary_and_gpt2_files_keep_their_header() {
    let dir = std::env::temp_dir().join(format!("likely-ngram-toy-{}", std::process::id()));
    let path = dir.join("toy.lkm");
    let m = train_texts(&texts(2, 60), 3);
    let meta = storage::ModelMeta {
        fingerprint: 3,
        weight: 0.5,
    };
    storage::save(&path, &m, &meta).expect("save");
    let (loaded, _) = storage::load(&path).expect("load");
    assert_eq!(loaded.vocabulary(), toy());
    let text = Toy.encode(&texts(9, 2).concat());
    for (x, y) in lp(&loaded, &text).iter().zip(lp(&m, &text)) {
        assert!((x - y).abs() < 0.05, "{x} vs {y}");
    }
    let bytes = std::fs::read(&path).expect("read");
    // The end-of-text field: id + 1 (0 would mean the last id, 9).
    assert_eq!(bytes[20..24], 1u32.to_le_bytes());
    for (field, loads) in [(0u32, true), (10, true), (11, false), (u32::MAX, false)] {
        let mut changed = bytes.clone();
        changed[20..24].copy_from_slice(&field.to_le_bytes());
        std::fs::write(&path, &changed).expect("write");
        let got = storage::load(&path);
        assert_eq!(got.is_ok(), loads, "field {field}");
        if let Ok((model, _)) = got {
            // 0: the last id; otherwise the id + 1.
            let expected = if field == 0 { 9 } else { field - 1 };
            assert_eq!(model.eot(), expected);
        }
    }
    // GPT-2 models keep the field at 0, as every file written before it meant something.
    let gpt2 = train_model(&[vec![1, 2, 3], vec![2, 3]], Vocab::GPT2, 3)
        .expect("train")
        .0;
    storage::save(&path, &gpt2, &meta).expect("save");
    let bytes = std::fs::read(&path).expect("read");
    assert_eq!(
        bytes[16..24],
        [50_257u32.to_le_bytes(), [0; 4]].concat()[..]
    );
    assert_eq!(
        storage::load(&path).expect("load").0.vocabulary(),
        Vocab::GPT2
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sampling_stops_at_the_toy_end_of_text() {
    let m = train(&["ab", "abc", "b"], 3);
    let mut stopped = 0;
    for seed in 0..30 {
        let params = likely_ngram::SampleParams {
            max_tokens: 40,
            seed: Some(seed),
            ..Default::default()
        };
        let out = generate(&m, &[1], &params);
        assert!(out.iter().all(|&(t, _)| t < 10));
        if let Some(pos) = out.iter().position(|&(t, _)| t == EOT) {
            assert_eq!(pos, out.len() - 1);
            stopped += 1;
        }
    }
    assert!(stopped > 20, "end-of-text ends most samples: {stopped}");
}

#[test]
fn adapting_and_mixing_refuse_other_vocabularies() {
    let toy_model = Arc::new(train(&["abc", "bcd"], 3));
    let gpt2 = Arc::new(
        train_model(&[vec![1, 2, 3]], Vocab::GPT2, 3)
            .expect("train")
            .0,
    );
    assert!(matches!(
        InterpolatedModel::new(gpt2.clone(), toy_model.clone(), 0.5),
        Err(NgramError::Vocabulary(_))
    ));
    assert!(matches!(
        MixedModel::new(gpt2, toy_model, 0.5),
        Err(NgramError::Vocabulary(_))
    ));
    // Training ids outside the vocabulary, or its end-of-text inside a document, is refused.
    assert!(train_model(&[vec![1, 10]], toy(), 3).is_err());
    assert!(train_model(&[vec![1, 0, 2]], toy(), 3).is_err());
}

#[test]
fn a_mixture_of_any_two_models_is_exact() {
    let general = Arc::new(train_texts(&texts(1, 200), 4));
    let domain = Arc::new(train_texts(&texts(3, 50), 3));
    let text = Toy.encode(&texts(3, 60)[50..].concat());
    // λ by EM on in-domain text favours the domain model; any two models will do.
    let (lambda, _) = tune_lambda(
        &Stepped::plain(general.clone()),
        &*domain,
        std::slice::from_ref(&text),
    );
    assert!(lambda > 0.5 && lambda < 1.0, "{lambda}");
    let mix = MixedModel::new(
        domain.clone(),
        Arc::new(Stepped::plain(general.clone())),
        lambda,
    )
    .expect("same vocabulary");
    assert_eq!((mix.vocab_size(), mix.eot()), (10, 0));
    // The same mixture of two Kneser-Ney models, scored jointly: the same figures.
    let joint = InterpolatedModel::new(general.clone(), domain.clone(), lambda).expect("joint");
    for (x, y) in lp(&mix, &text).iter().zip(lp(&joint, &text)) {
        assert!((x - y).abs() < 1e-12, "{x} vs {y}");
    }
    for context in [&text[..0], &text[..3], &text[..]] {
        let d = mix.next_distribution(context);
        let sum: f64 = d.iter().sum();
        assert!((sum - 1.0).abs() < 1e-6, "sum {sum}");
        let (a, b) = (
            domain.next_distribution(context),
            general.next_distribution(context),
        );
        for w in 0..10 {
            close(d[w], lambda * a[w] + (1.0 - lambda) * b[w]);
        }
    }
    for k in [1usize, 2, 5] {
        check_top_k_and_ranks(&mix, &text, k, 1e-12);
    }
    // A base of another kind adapted to a domain over its vocabulary.
    let docs: Vec<Vec<u32>> = texts(3, 40).iter().map(|t| Toy.encode(t)).collect();
    let adapted = progress::silent(|p| {
        train_adapted(&Stepped::plain(general.clone()), &docs, &[5, 15], 3, &p)
    })
    .expect("adapted");
    assert_eq!(adapted.domain.vocabulary(), toy());
    assert!(adapted.lambda > 0.5, "{}", adapted.lambda);
}
