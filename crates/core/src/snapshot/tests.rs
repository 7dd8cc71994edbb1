use super::*;
use crate::evaluation::params::GenerateParams;
use crate::evaluation::results::{ModelSpec, Outcome, SnippetResult};
use crate::evaluation::{Snippet, SnippetSource};
use crate::testing::HAMLET_WORDS as WORDS;
use crate::wire::scores::ScoredToken;
use rand_pcg::rand_core::Rng;
use rand_pcg::Pcg32;

fn uniform(rng: &mut Pcg32) -> f64 {
    f64::from(rng.next_u32()) / f64::from(u32::MAX)
}

/// `models` models over `snippets` snippets of about `tokens` tokens each, with full-precision
/// likelihoods, top tokens, ranks on the last model, ids on the first, a failure and a window.
pub(super) fn evaluation(models: usize, snippets: usize, tokens: usize) -> Evaluation {
    let mut rng = Pcg32::new(7, 11);
    let texts: Vec<String> = (0..snippets)
        .map(|s| {
            (0..tokens + s % 5)
                .map(|i| WORDS[(i + s) % WORDS.len()])
                .collect()
        })
        .collect();
    let mut specs: Vec<ModelSpec> = (0..models)
        .map(|m| ModelSpec::named(format!("model-{m}")))
        .collect();
    specs[0].vocab_size = Some(50_257);
    specs[0].returns_top_token = true;
    let mut e = Evaluation::new(
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Snippet {
                text: t.clone(),
                source: SnippetSource {
                    file: Some("held-out.txt".into()),
                    line: Some(1 + 3 * i),
                },
            })
            .collect(),
        GenerateParams::default(),
        specs[0].clone(),
        specs[1..].to_vec(),
    )
    .unwrap();
    for (m, spec) in specs.iter().enumerate() {
        for (s, text) in texts.iter().enumerate() {
            if m == 1 && s == 1 {
                e.set_outcome(
                    &spec.name,
                    s,
                    Outcome::Failed {
                        reason: "upstream 500".into(),
                    },
                )
                .unwrap();
                continue;
            }
            let mut at = 0;
            let mut tokens = Vec::new();
            for i in 0..tokens_in(text) {
                let word = WORDS[(i + s) % WORDS.len()];
                at += word.len();
                let logprob = (i > 0).then(|| -12.0 * uniform(&mut rng));
                tokens.push(ScoredToken {
                    text: word.to_string(),
                    logprob,
                    top: logprob.map(|l| (" the".to_string(), l.max(-2.0 * uniform(&mut rng)))),
                    rank: (m + 1 == models && i > 0).then(|| 1 + rng.next_u32() % 40),
                    id: (m == 0).then(|| 100 + i as u32),
                    top_k: None,
                });
            }
            assert_eq!(at, text.len());
            let window_starts = if tokens.len() > 8 { vec![8] } else { vec![] };
            e.set_outcome(
                &spec.name,
                s,
                Outcome::Scored(SnippetResult {
                    tokens,
                    window_starts,
                    frozen: None,
                }),
            )
            .unwrap();
        }
    }
    e
}

fn tokens_in(text: &str) -> usize {
    let mut rest = text;
    let mut count = 0;
    while !rest.is_empty() {
        let word = WORDS
            .iter()
            .filter(|w| rest.starts_with(**w))
            .max_by_key(|w| w.len())
            .unwrap();
        rest = &rest[word.len()..];
        count += 1;
    }
    count
}

#[test]
fn everything_round_trips_exactly() {
    let e = evaluation(3, 6, 20);
    let bytes = encode(&e, Scope::Everything).unwrap();
    assert!(bytes.starts_with(MAGIC));
    let back = decode(&bytes).unwrap();
    assert_eq!(back.scope, Scope::Everything);
    assert_eq!(back.evaluation, e);
}

#[test]
fn tokens_that_do_not_spell_the_text_keep_their_strings() {
    let mut e = evaluation(2, 2, 10);
    if let Outcome::Scored(result) = &mut e.custom[0].outcomes[0] {
        result.tokens[1].text = "\u{fffd}".into();
    }
    let back = decode(&encode(&e, Scope::Everything).unwrap()).unwrap();
    assert_eq!(back.evaluation, e);
}

#[test]
fn figures_only_keeps_every_figure_and_no_text() {
    let e = evaluation(3, 8, 30);
    let bytes = encode(&e, Scope::Figures).unwrap();
    let back = decode(&bytes).unwrap();
    assert_eq!(back.scope, Scope::Figures);
    let f = &back.evaluation;
    for name in e.model_names() {
        assert_eq!(f.metrics(name), e.metrics(name), "{name}");
        assert_eq!(f.snippet_avg_logliks(name), e.snippet_avg_logliks(name));
    }
    assert_eq!(f.comparisons(), e.comparisons());
    for s in 0..e.snippets.len() {
        assert_eq!(
            f.token_differences("model-1", s),
            e.token_differences("model-1", s)
        );
        assert!(redact::is_placeholder(&f.snippets[s].text));
    }
    let inflated = miniz_oxide::inflate::decompress_to_vec(&bytes[5..]).unwrap();
    for needle in [&b"question"[..], b" the", b"that"] {
        assert!(
            !inflated.windows(needle.len()).any(|w| w == needle),
            "{:?} found in a figures-only snapshot",
            String::from_utf8_lossy(needle)
        );
    }
}

#[test]
fn fragments_round_trip() {
    let e = evaluation(2, 3, 12);
    let text = to_fragment(&encode(&e, Scope::Everything).unwrap());
    assert!(text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    assert_eq!(from_fragment(&format!(" {text}\n")).unwrap().evaluation, e);
}

#[test]
fn not_a_snapshot_wrong_version_and_damage_are_named() {
    assert!(matches!(decode(b""), Err(SnapshotError::NotASnapshot)));
    assert!(matches!(
        decode(b"{\"schema_version\":1}"),
        Err(SnapshotError::NotASnapshot)
    ));
    assert!(matches!(
        decode(b"LKSN\x09abc"),
        Err(SnapshotError::UnsupportedVersion { found: 9, .. })
    ));
    let bytes = encode(&evaluation(2, 3, 12), Scope::Everything).unwrap();
    for cut in [5, 6, bytes.len() / 2, bytes.len() - 1] {
        assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
    }
    assert!(matches!(
        from_fragment("not base64!"),
        Err(SnapshotError::NotBase64(_))
    ));
}

#[test]
fn a_decompression_bomb_stops_at_the_limit() {
    let zeros = vec![0u8; 4 << 20];
    let mut bytes = MAGIC.to_vec();
    bytes.push(FORMAT_VERSION);
    bytes.extend(miniz_oxide::deflate::compress_to_vec(&zeros, 10));
    assert!(bytes.len() < 64 * 1024);
    assert!(matches!(
        decode_with_limit(&bytes, 1 << 20),
        Err(SnapshotError::TooLarge { .. })
    ));
}

fn repack(e: &Evaluation, edit: impl FnOnce(&mut format::SnapshotV2)) -> Vec<u8> {
    let mut value = format::SnapshotV2::from_evaluation(e, Scope::Everything);
    edit(&mut value);
    let mut bytes = MAGIC.to_vec();
    bytes.push(FORMAT_VERSION);
    bytes.extend(miniz_oxide::deflate::compress_to_vec(
        &postcard::to_allocvec(&value).unwrap(),
        6,
    ));
    bytes
}

#[test]
fn impossible_values_are_refused_after_decoding() {
    let mut e = evaluation(2, 2, 10);
    for bad in [f64::NAN, f64::INFINITY, 3.0, -1e308, -2e4] {
        if let Outcome::Scored(result) = &mut e.baseline.outcomes[0] {
            result.tokens[2].logprob = Some(bad);
        }
        let error = decode(&encode(&e, Scope::Everything).unwrap()).unwrap_err();
        assert!(matches!(error, SnapshotError::Invalid(_)), "{bad}: {error}");
    }
}

#[test]
fn hostile_names_and_html_survive_as_text() {
    let mut e = evaluation(2, 2, 10);
    e.baseline.model.name = "<script>alert(1)</script>".into();
    let back = decode(&encode(&e, Scope::Everything).unwrap()).unwrap();
    assert_eq!(
        back.evaluation.baseline.model.name,
        "<script>alert(1)</script>"
    );
    let bytes = repack(&e, |v| v.models[1].name = v.models[0].name.clone());
    assert!(matches!(decode(&bytes), Err(SnapshotError::Invalid(_))));
}

#[test]
fn mismatched_lengths_are_refused() {
    let e = evaluation(2, 3, 12);
    let bytes = repack(&e, |v| {
        v.snippets.pop();
    });
    assert!(matches!(decode(&bytes), Err(SnapshotError::Damaged(_))));
}

#[test]
fn random_damage_never_panics() {
    // A fuzz loop over damaged real snapshots; a longer run: LIKELY_FUZZ_ITERATIONS=1000000
    // cargo test -p likely-core --release random_damage.
    let iterations: usize = std::env::var("LIKELY_FUZZ_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3_000);
    let base = encode(&evaluation(2, 3, 12), Scope::Everything).unwrap();
    let packed = miniz_oxide::inflate::decompress_to_vec(&base[5..]).unwrap();
    let mut rng = Pcg32::new(42, 54);
    for i in 0..iterations {
        // Damage the compressed bytes half the time, the inflated postcard the other half (where
        // damage reaches the decoder's logic instead of deflate's checks).
        let mut inner = packed.clone();
        let flips = 1 + rng.next_u32() as usize % 4;
        for _ in 0..flips {
            let at = rng.next_u32() as usize % inner.len();
            inner[at] = rng.next_u32() as u8;
        }
        if rng.next_u32().is_multiple_of(4) {
            inner.truncate(rng.next_u32() as usize % inner.len());
        }
        let mut bytes = MAGIC.to_vec();
        bytes.push(FORMAT_VERSION);
        if i.is_multiple_of(2) {
            bytes.extend(miniz_oxide::deflate::compress_to_vec(&inner, 1));
        } else {
            bytes.extend_from_slice(&base[5..]);
            let at = 5 + rng.next_u32() as usize % (bytes.len() - 5);
            bytes[at] ^= 1 << (rng.next_u32() % 8);
        }
        let _ = decode(&bytes);
    }
}
