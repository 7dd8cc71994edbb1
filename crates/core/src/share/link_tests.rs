use super::*;
use crate::evaluation::params::GenerateParams;
use crate::evaluation::results::{ModelSpec, Outcome, SnippetResult};
use crate::evaluation::tests::{result, two_models};
use crate::evaluation::Snippet;
use crate::testing::HAMLET_WORDS;
use crate::wire::scores::ScoredToken;
use rand_pcg::rand_core::Rng;
use rand_pcg::Pcg32;

fn deflate_b64(bytes: &[u8]) -> String {
    BASE64URL.encode(miniz_oxide::deflate::compress_to_vec(bytes, 6))
}

fn bits(e: &Evaluation) -> Vec<u64> {
    e.model_results()
        .flat_map(|run| &run.outcomes)
        .filter_map(|o| match o {
            Outcome::Scored(r) => Some(r),
            _ => None,
        })
        .flat_map(|r| &r.tokens)
        .flat_map(|t| [t.logprob, t.top.as_ref().map(|(_, l)| *l)])
        .flatten()
        .map(f64::to_bits)
        .collect()
}

/// `models` models scoring a `tokens`-token snippet with full-precision likelihoods, top tokens and
/// ranks, as the embedded backend answers.
fn realistic(models: usize, tokens: usize, decimals: Option<i32>) -> Evaluation {
    let words: Vec<&str> = HAMLET_WORDS
        .into_iter()
        .chain([
            ".\n", "Whether", " 'tis", " nobler", " in", " the", " mind", " to", " suffer",
        ])
        .collect();
    let text: String = (0..tokens).map(|i| words[i % words.len()]).collect();
    let specs: Vec<ModelSpec> = (0..models)
        .map(|m| ModelSpec::named(format!("model-{m}")))
        .collect();
    let mut e = Evaluation::new(
        vec![Snippet::pasted(text)],
        GenerateParams::default(),
        specs[0].clone(),
        specs[1..].to_vec(),
    )
    .unwrap();
    let mut rng = Pcg32::new(7, 11);
    let mut uniform = move || f64::from(rng.next_u32()) / f64::from(u32::MAX);
    for spec in &specs {
        let tokens = (0..tokens)
            .map(|i| {
                let round =
                    |v: f64| decimals.map_or(v, |d| (v * 10f64.powi(d)).round() / 10f64.powi(d));
                let logprob = (i > 0).then(|| round(-12.0 * uniform() * uniform()));
                ScoredToken {
                    text: words[i % words.len()].to_string(),
                    logprob,
                    top: logprob.map(|l| (" the".to_string(), round(l.max(-2.0 * uniform())))),
                    rank: logprob.map(|_| 1 + (20.0 * uniform() * uniform()) as u32),
                    id: None,
                    top_k: None,
                }
            })
            .collect();
        e.set_outcome(
            &spec.name,
            0,
            Outcome::Scored(SnippetResult::single(tokens)),
        )
        .unwrap();
    }
    e
}

#[test]
fn round_trip_is_bit_exact() {
    let mut e = two_models(2);
    let awkward = [
        -0.1,
        -1.0 / 3.0,
        -2.2250738585072014e-308,
        -5e-324,
        -9_999.999_999_999_998,
        -0.0,
        -123.456_789_012_345_68,
    ];
    let words: Vec<String> = (0..=awkward.len()).map(|i| format!(" w{i}")).collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    e.set_outcome("base-light", 0, Outcome::Scored(result(&words, &awkward)))
        .unwrap();
    e.set_outcome(
        "custom-base-light",
        1,
        Outcome::Failed {
            reason: "503".into(),
        },
    )
    .unwrap();
    let link = encode(&e).unwrap();
    assert!(link
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    let back = decode(&format!("  {link}\n")).unwrap();
    assert_eq!(back, e);
    assert_eq!(bits(&back), bits(&e));
    assert_eq!(bits(&e)[5], (-0.0f64).to_bits());
}

#[test]
fn three_models_of_two_thousand_tokens() {
    let rounded = encode(&realistic(3, 2_000, Some(4))).unwrap().len();
    println!("3 models x 2,000 tokens, likelihoods with 4 decimals: link {rounded} characters");
    let e = realistic(3, 2_000, None);
    let link = encode(&e).unwrap();
    let back = decode(&link).unwrap();
    assert_eq!(bits(&back), bits(&e));
    let json = serde_json::to_vec(&e).unwrap().len();
    println!(
        "3 models x 2,000 tokens: JSON {json} bytes, link {} characters",
        link.len()
    );
    assert!(link.len() < json / 2, "deflate pays off");
}

#[test]
fn damaged_links_say_what_is_wrong() {
    assert!(matches!(
        decode("not base64!"),
        Err(ShareError::NotBase64(_))
    ));
    assert!(matches!(
        decode("aGVsbG8gd29ybGQ"),
        Err(ShareError::NotDeflate(_))
    ));
    assert!(matches!(
        decode(&deflate_b64(b"nope")),
        Err(ShareError::NotJson(_))
    ));
    assert!(matches!(
        decode(&deflate_b64(br#"{"schema_version": 2}"#)),
        Err(ShareError::UnsupportedVersion {
            found: 2,
            supported: 1
        })
    ));
    assert!(matches!(
        decode(&deflate_b64(br#"{"schema_version": 1}"#)),
        Err(ShareError::NotJson(_))
    ));
    let mut e = two_models(1);
    e.custom[0].outcomes.clear();
    let link = BASE64URL.encode(miniz_oxide::deflate::compress_to_vec(
        &serde_json::to_vec(&e).unwrap(),
        6,
    ));
    assert!(matches!(decode(&link), Err(ShareError::Invalid(_))));
    let message = decode("a").unwrap_err().to_string();
    assert!(
        message.starts_with("the share link is damaged"),
        "{message}"
    );
}

#[test]
fn size_limits_refuse_bombs() {
    let bomb = deflate_b64(&vec![b' '; 1 << 20]);
    assert!(bomb.len() < 2_000);
    assert!(matches!(
        decode_with_limit(&bomb, 1 << 16),
        Err(ShareError::TooLarge { max: 65_536 })
    ));
    let long = "A".repeat(MAX_ENCODED_LEN + 1);
    assert!(matches!(decode(&long), Err(ShareError::TooLong { .. })));
}

fn link_of(e: &Evaluation) -> String {
    deflate_b64(&serde_json::to_vec(e).unwrap())
}

#[test]
fn absurd_likelihoods_are_refused() {
    let mut e = two_models(1);
    let absurd = result(&["To", " be"], &[-1e308]);
    e.set_outcome("base-light", 0, Outcome::Scored(absurd))
        .unwrap();
    let error = decode(&link_of(&e)).unwrap_err();
    assert!(matches!(
        error,
        ShareError::Invalid(EvaluationError::InvalidLikelihood { .. })
    ));
    assert!(error.to_string().len() < 200, "{error}");

    let mut e = two_models(1);
    let mut top = result(&["To", " be"], &[-1.0]);
    top.tokens[1].top = Some((" be".into(), -1e300));
    e.set_outcome("custom-base-light", 0, Outcome::Scored(top))
        .unwrap();
    assert!(matches!(decode(&link_of(&e)), Err(ShareError::Invalid(_))));
}

#[test]
fn parameters_and_context_lengths_follow_the_forms_rules() {
    let mut e = two_models(1);
    e.params.max_tokens = 1_000_000;
    assert!(matches!(
        decode(&link_of(&e)),
        Err(ShareError::Invalid(EvaluationError::InvalidParams(_)))
    ));
    let mut e = two_models(1);
    e.params.p = 7.0;
    assert!(decode(&link_of(&e)).is_err());
    let mut e = two_models(1);
    e.custom[0].model.context_length = Some(0);
    assert!(matches!(
        decode(&link_of(&e)),
        Err(ShareError::Invalid(
            EvaluationError::InvalidContextLength { .. }
        ))
    ));
    let mut e = two_models(1);
    e.baseline.model.context_length = Some(4096);
    assert!(decode(&link_of(&e)).is_ok());
}
