//! Model tests on small hand-made and synthetic corpora (no big corpus needed): hand-computed
//! modified Kneser-Ney probabilities, proper distributions, exact top-k and ranks, determinism,
//! unknown tokens, storage round trip, adaptation and sampling.

use crate::common::{
    by_probability, check_hand_computed_kneser_ney, check_top_k_and_ranks, close, lp,
};
use std::sync::Arc;

use likely_ngram::format::quantize::quantize;
use likely_ngram::{
    generate, storage, train_model, InterpolatedModel, KnModel, LanguageModel, SampleParams,
    ScoreOptions, Tokenizer, Vocab,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const EOT: u32 = Tokenizer::EOT;
const A: u32 = 1;
const B: u32 = 2;
const C: u32 = 3;
const D: u32 = 4;

/// Documents "a b c", "a b d", "b c", order 3. Every count-of-counts table lacks n3 and n4, so
/// all orders use the fallback discounts D1 = 0.5, D2 = 1, D3+ = 1.5.
fn tiny() -> KnModel {
    train_model(&[vec![A, B, C], vec![A, B, D], vec![B, C]], Vocab::GPT2, 3)
        .expect("train")
        .0
}

#[test]
fn hand_computed_kneser_ney() {
    check_hand_computed_kneser_ney(&tiny(), [A, B, C], EOT, 1000);
}

/// A synthetic corpus with some structure: sentences over a Zipf-like vocabulary of 400 tokens.
fn synthetic(seed: u64, docs: usize) -> Vec<Vec<u32>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..docs)
        .map(|_| {
            let len = rng.random_range(3..60);
            let mut d = Vec::with_capacity(len);
            let mut prev = 0u32;
            for _ in 0..len {
                let r: f64 = rng.random();
                let t = if r < 0.3 {
                    (prev * 7 + 3) % 400 + 10 // a likely successor
                } else {
                    ((400.0 * r * r * r) as u32) + 10 // Zipf-like
                };
                d.push(t);
                prev = t;
            }
            d
        })
        .collect()
}

fn models() -> (Arc<KnModel>, Arc<KnModel>) {
    let base = train_model(&synthetic(1, 3000), Vocab::GPT2, 4)
        .expect("base")
        .0;
    let domain = train_model(&synthetic(2, 300), Vocab::GPT2, 4)
        .expect("domain")
        .0;
    (Arc::new(base), Arc::new(domain))
}

#[test]
fn distributions_sum_to_one_and_match_scores() {
    let (base, domain) = models();
    let mix = InterpolatedModel::new(base.clone(), domain, 0.3).expect("same vocabulary");
    let tiny = tiny();
    let text = synthetic(9, 1).remove(0);
    let contexts: Vec<Vec<u32>> = vec![
        vec![],
        vec![A],
        vec![A, B],
        vec![99_999 % 50_000],
        text[..5].to_vec(),
        text.clone(),
    ];
    for model in [&*base as &dyn LanguageModel, &mix, &tiny] {
        for ctx in &contexts {
            let dist = model.next_distribution(ctx);
            assert_eq!(dist.len(), 50_257);
            let sum: f64 = dist.iter().sum();
            assert!((sum - 1.0).abs() < 1e-6, "sum {sum}");
            assert!(dist.iter().all(|&p| p > 0.0));
            // Scoring the next token agrees with the distribution.
            for w in [A, text[0], 12, EOT, 3000] {
                let mut seq = ctx.clone();
                seq.push(w);
                let s = lp(model, &seq);
                close(*s.last().expect("score"), dist[w as usize].ln());
            }
        }
    }
}

#[test]
fn top_k_and_ranks_are_exact() {
    let (base, domain) = models();
    let mix = InterpolatedModel::new(base.clone(), domain, 0.4).expect("same vocabulary");
    let mut text: Vec<u32> = synthetic(5, 3).concat();
    // Never-seen tokens share one probability: ties must not count as "more likely".
    text.insert(7, 45_000);
    text.insert(20, 45_001);
    for model in [&*base as &dyn LanguageModel, &mix] {
        for k in [1usize, 3, 5] {
            check_top_k_and_ranks(model, &text, k, 0.0);
        }
    }
}

#[test]
fn scoring_is_deterministic_and_independent_of_chunking() {
    let (base, domain) = models();
    let mix = InterpolatedModel::new(base.clone(), domain, 0.5).expect("same vocabulary");
    let text: Vec<u32> = synthetic(7, 20).concat();
    for model in [&*base as &dyn LanguageModel, &mix] {
        let opts = ScoreOptions {
            top_k: 1,
            ranks: false,
        };
        let a = model.score(&text, &opts);
        let b = model.score(&text, &opts);
        assert_eq!(a, b);
        // Long sequences are scored in interleaved segments: compare with prefix-by-prefix scoring.
        for i in [0usize, 1, 2, 3, 50, 97, 200, text.len() - 1] {
            let prefix = model.score(&text[..=i], &opts);
            assert_eq!(prefix[i], a[i], "position {i}");
        }
    }
}

#[test]
fn short_documents_score_as_a_single_pass() {
    // Documents of a few dozen tokens are cut into segments too, each finding its first context
    // from the tokens before it: every score and top-1 must be the left-to-right pass's, for a
    // trained and a saved (bit-packed) model.
    let (base, _) = models();
    let (dir, path, _) = saved(&base, "short");
    let loaded = storage::load(&path).expect("load").0;
    let _ = std::fs::remove_dir_all(&dir);
    let text: Vec<u32> = synthetic(11, 12).concat();
    let opts = ScoreOptions {
        top_k: 1,
        ranks: false,
    };
    for model in [&*base, &loaded] {
        for len in (1..=70).chain([97, 131]) {
            let doc = &text[..len.min(text.len())];
            let scores = model.score(doc, &opts);
            let mut ctx = model.start();
            for (i, (&w, s)) in doc.iter().zip(&scores).enumerate() {
                let (lp, next) = model.step(ctx, w);
                assert_eq!(s.logprob, lp, "length {len}, position {i}");
                assert_eq!(s.top, vec![model.top1(ctx)], "length {len}, position {i}");
                ctx = next;
            }
        }
    }
}

#[test]
fn unknown_and_out_of_range_tokens() {
    let m = tiny();
    let s = lp(&m, &[A, 40_000, B, 60_000, C]);
    assert!(s.iter().all(|x| x.is_finite() && *x < 0.0), "{s:?}");
    // A never-seen token resets the context: b after it is scored from the empty context.
    let after_unknown = lp(&m, &[40_000, B])[1];
    let unigram = m.next_distribution(&[40_000])[B as usize].ln();
    close(after_unknown, unigram);
}

#[test]
fn storage_round_trip() {
    let (base, _) = models();
    let dir = std::env::temp_dir().join(format!("likely-ngram-test-{}", std::process::id()));
    let path = dir.join("m.lkm");
    let meta = storage::ModelMeta {
        fingerprint: 42,
        weight: 0.25,
    };
    storage::save(&path, &base, &meta).expect("save");
    assert_eq!(storage::peek(&path).expect("peek"), Some(meta));
    let (loaded, m2) = storage::load(&path).expect("load");
    assert_eq!(m2, meta);
    // Saving quantizes: the loaded model is the quantized one, bit for bit, with the same n-grams.
    assert!(loaded.is_quantized() && !base.is_quantized());
    assert_eq!(&loaded, &quantize(&base));
    assert_eq!(loaded.ngram_counts(), base.ngram_counts());
    // Quantization costs little: average log-likelihood within 0.01 nats on held-out text.
    let text: Vec<u32> = synthetic(13, 40).concat();
    let avg = |m: &dyn LanguageModel| lp(m, &text).iter().sum::<f64>() / text.len() as f64;
    let (exact, coded) = (avg(&*base), avg(&loaded));
    assert!((exact - coded).abs() < 0.01, "{exact} vs {coded}");
    // A truncated file is rejected, not a panic.
    let bytes = std::fs::read(&path).expect("read");
    std::fs::write(&path, &bytes[..bytes.len() / 2]).expect("write");
    assert!(storage::load(&path).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

/// `model` saved into a new temporary folder `name`: (folder, file, the file's bytes).
fn saved(model: &KnModel, name: &str) -> (std::path::PathBuf, std::path::PathBuf, Vec<u8>) {
    let dir = std::env::temp_dir().join(format!("likely-ngram-{name}-{}", std::process::id()));
    let path = dir.join("m.lkm");
    let meta = storage::ModelMeta {
        fingerprint: 7,
        weight: 1.0,
    };
    storage::save(&path, model, &meta).expect("save");
    let bytes = std::fs::read(&path).expect("read");
    (dir, path, bytes)
}

#[test]
fn old_foreign_and_truncated_files_are_refused() {
    let (base, _) = models();
    let (dir, path, good) = saved(&base, "old");
    let refused = |bytes: &[u8], what: &str| {
        std::fs::write(&path, bytes).expect("write");
        assert!(storage::load(&path).is_err(), "{what} was loaded");
    };
    // Older format versions (7: a 16-byte record per n-gram with the exact top-1; 6: every
    // context's children order stored) are refused, and `peek` reports no usable cache, so the
    // cache (or a saved custom model) is rebuilt, never misread.
    assert_eq!(storage::FORMAT_VERSION, 8);
    for version in [6u32, 7] {
        let mut old = good.clone();
        old[8..12].copy_from_slice(&version.to_le_bytes());
        refused(&old, &format!("a version {version} file"));
        assert_eq!(storage::peek(&path).expect("peek"), None);
    }
    // Foreign bytes, an empty file, a truncated one, one with trailing bytes.
    refused(
        b"PK\x03\x04 not a model at all, just some bytes",
        "a foreign file",
    );
    refused(&[], "an empty file");
    refused(&good[..good.len() - 1], "a truncated file");
    let mut long = good.clone();
    long.extend_from_slice(&[0; 8]);
    refused(&long, "a file with trailing bytes");
    // The intact file still loads.
    std::fs::write(&path, &good).expect("write");
    assert!(storage::load(&path).is_ok());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Loading reads the header and checks the sections' bounds, not the indices inside them: a
/// corrupt body must still be safe to use (wrong figures, never a panic or an endless loop).
#[test]
fn corrupt_model_files_never_make_scoring_panic() {
    let (base, domain) = models();
    let (dir, path, good) = saved(&base, "corrupt");
    let text: Vec<u32> = synthetic(31, 4).concat();
    let options = ScoreOptions {
        top_k: 3,
        ranks: true,
    };
    let exercise = |bytes: &[u8]| {
        std::fs::write(&path, bytes).expect("write");
        let Ok((model, _)) = storage::load(&path) else {
            return;
        };
        let model = Arc::new(model);
        let mix =
            InterpolatedModel::new(model.clone(), domain.clone(), 0.5).expect("same vocabulary");
        for m in [&*model as &dyn LanguageModel, &mix] {
            let scores = m.score(&text, &options);
            assert_eq!(scores.len(), text.len());
            let _ = m.next_distribution(&text[..10]);
            let params = SampleParams {
                max_tokens: 5,
                seed: Some(1),
                ..SampleParams::default()
            };
            let _ = generate(m, &text[..3], &params);
        }
    };
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    // The unigram values take most of the file: corrupt the structure after them most of the
    // time (the last quarter), and anywhere after the header otherwise.
    let body = 200..good.len();
    let tail = good.len() * 3 / 4..good.len();
    for trial in 0..40 {
        let mut bytes = good.clone();
        let range = if trial % 4 == 0 {
            body.clone()
        } else {
            tail.clone()
        };
        if trial % 5 == 4 {
            // A run of 0xFF: every index in it is out of range.
            let at = rng.random_range(range.clone());
            let end = (at + 4096).min(bytes.len());
            bytes[at..end].fill(0xFF);
        } else {
            for _ in 0..2000 {
                let at = rng.random_range(range.clone());
                bytes[at] = rng.random();
            }
        }
        exercise(&bytes);
    }
    // Each array of each level on its own (tokens, children order, context bits, bit-packed
    // context and plain records): random bytes, a run of 0xFF, zeros.
    std::fs::write(&path, &good).expect("write");
    let (_, _, spans) = storage::load_with_layout(&path).expect("layout");
    let spans: Vec<_> = spans
        .into_iter()
        .filter(|s| s.level > 0 && !s.bytes.is_empty() && s.name != "codebook")
        .collect();
    assert!(spans.iter().any(|s| s.name == "context records"));
    assert!(spans.iter().any(|s| s.name == "plain records"));
    assert!(spans.iter().any(|s| s.name == "context bits"));
    for span in &spans {
        for fill in [None, Some(0xFFu8), Some(0)] {
            let mut bytes = good.clone();
            match fill {
                None => {
                    for _ in 0..span.bytes.len().min(500) {
                        let at = rng.random_range(span.bytes.clone());
                        bytes[at] = rng.random();
                    }
                }
                Some(b) => {
                    let at = rng.random_range(span.bytes.clone());
                    let end = (at + 4096).min(span.bytes.end);
                    bytes[at..end].fill(b);
                }
            }
            exercise(&bytes);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn quantized_models_keep_exact_top_k_ranks_and_distributions() {
    let (base, domain) = models();
    let (base, domain) = (Arc::new(quantize(&base)), Arc::new(quantize(&domain)));
    let mix = InterpolatedModel::new(base.clone(), domain, 0.4).expect("same vocabulary");
    let text: Vec<u32> = synthetic(21, 2).concat();
    for model in [&*base as &dyn LanguageModel, &mix] {
        check_top_k_and_ranks(model, &text, 3, 0.0);
    }
}

#[test]
fn adaptation_weight_is_tuned_towards_the_domain() {
    let (base, domain) = models();
    let held_out = synthetic(2, 330)[300..].to_vec(); // same generator as the domain
    let (lambda, _) = likely_ngram::tune_lambda(&*base, &*domain, &held_out);
    assert!(lambda > 0.0 && lambda < 1.0);
    let held_other = synthetic(11, 30);
    let (lambda_other, _) = likely_ngram::tune_lambda(&*base, &*domain, &held_other);
    assert!(lambda > lambda_other, "{lambda} vs {lambda_other}");
}

#[test]
fn sampling_is_seeded_and_stops_at_end_of_text() {
    let m = tiny();
    let params = SampleParams {
        max_tokens: 50,
        temperature: 1.0,
        k: 0,
        p: 1.0,
        seed: Some(7),
    };
    let a = generate(&m, &[A], &params);
    let b = generate(&m, &[A], &params);
    assert_eq!(a, b);
    assert!(!a.is_empty() && a.len() <= 50);
    if let Some(pos) = a.iter().position(|x| x.0 == EOT) {
        assert_eq!(pos, a.len() - 1);
    }
    // Likelihoods are under the untruncated distribution.
    let mut ctx = vec![A];
    for &(t, l) in &a {
        close(l, m.next_distribution(&ctx)[t as usize].ln());
        ctx.push(t);
    }
    // Greedy decoding follows the top-1.
    let g = generate(
        &m,
        &[A],
        &SampleParams {
            temperature: 0.0,
            max_tokens: 1,
            ..params
        },
    );
    assert_eq!(g[0].0, B);
    let k1 = generate(
        &m,
        &[A],
        &SampleParams {
            k: 1,
            max_tokens: 1,
            seed: Some(3),
            ..params
        },
    );
    assert_eq!(k1[0].0, B);
}

#[test]
fn sampling_shapes_respect_k_p_and_low_temperatures() {
    let (base, _) = models();
    let ctx = synthetic(3, 1).remove(0)[..3].to_vec();
    let dist = base.next_distribution(&ctx);
    let order = by_probability(&dist);
    for seed in 0..20 {
        let k3 = generate(
            &*base,
            &ctx,
            &SampleParams {
                max_tokens: 1,
                temperature: 1.0,
                k: 3,
                p: 1.0,
                seed: Some(seed),
            },
        );
        assert!(order[..3].contains(&k3[0].0));
        let cold = generate(
            &*base,
            &ctx,
            &SampleParams {
                max_tokens: 1,
                temperature: 0.001,
                k: 0,
                p: 1.0,
                seed: Some(seed),
            },
        );
        assert_eq!(cold[0].0, order[0]);
        let nucleus = generate(
            &*base,
            &ctx,
            &SampleParams {
                max_tokens: 1,
                temperature: 1.0,
                k: 0,
                p: 1e-9,
                seed: Some(seed),
            },
        );
        assert_eq!(nucleus[0].0, order[0]);
    }
}
