use super::*;
use crate::evaluation::Snippet;
use crate::figures::bootstrap::RESAMPLES;
use rand_pcg::rand_core::Rng;
use rand_pcg::Pcg32;

/// The exact KL(P ‖ Q) of two full distributions (probabilities).
fn exact_kl(p: &[f64], q: &[f64]) -> f64 {
    p.iter().zip(q).map(|(&x, &y)| term(x, y)).sum()
}

/// The `k` most likely tokens of `probs` as a top-K list.
fn top_of(probs: &[f64], k: usize) -> TopK {
    let mut order: Vec<usize> = (0..probs.len()).collect();
    order.sort_by(|&a, &b| probs[b].total_cmp(&probs[a]).then(a.cmp(&b)));
    order.truncate(k);
    let ids: Vec<u32> = order.iter().map(|&i| i as u32).collect();
    let listed: Vec<f64> = order.iter().map(|&i| probs[i]).collect();
    listed_top(&ids, &listed)
}

/// The top-K list of tokens `ids` with likelihoods `probs` (not logs), without texts.
fn listed_top(ids: &[u32], probs: &[f64]) -> TopK {
    TopK {
        ids: ids.to_vec(),
        logprobs: probs.iter().map(|p| p.ln()).collect(),
        texts: Vec::new(),
    }
}

/// A random distribution over `n` tokens, skewed like a language model's (a few likely tokens).
fn random_distribution(rng: &mut Pcg32, n: usize) -> Vec<f64> {
    let raw: Vec<f64> = (0..n)
        .map(|_| {
            let u = (f64::from(rng.next_u32()) + 1.0) / 4_294_967_297.0;
            u.powf(6.0)
        })
        .collect();
    let total: f64 = raw.iter().sum();
    raw.iter().map(|x| x / total).collect()
}

fn token(id: u32, logprob: Option<f64>, top: Option<TopK>) -> ScoredToken {
    ScoredToken {
        text: format!("t{id}"),
        logprob,
        id: Some(id),
        top_k: top,
        ..ScoredToken::default()
    }
}

#[test]
fn lists_covering_the_vocabulary_give_the_exact_kl() {
    let p = [0.5, 0.3, 0.15, 0.05];
    let q = [0.4, 0.4, 0.1, 0.1];
    let estimate = kl_top_k(
        &top_of(&p, 4),
        &top_of(&q, 4),
        Some((2, p[2].ln(), q[2].ln())),
    );
    assert!((estimate - exact_kl(&p, &q)).abs() < 1e-12, "{estimate}");
    let same = kl_top_k(&top_of(&p, 2), &top_of(&p, 2), None);
    assert!(same.abs() < 1e-12, "the same distribution: {same}");
}

#[test]
fn the_rest_is_one_bucket_by_hand() {
    // P = (0.6, 0.3, rest 0.1), Q = (0.5, 0.2, rest 0.3); both list tokens 0 and 1.
    let p = listed_top(&[0, 1], &[0.6, 0.3]);
    let q = listed_top(&[0, 1], &[0.5, 0.2]);
    let by_hand = 0.6 * (0.6f64 / 0.5).ln() + 0.3 * (0.3f64 / 0.2).ln() + 0.1 * (0.1f64 / 0.3).ln();
    assert!((kl_top_k(&p, &q, None) - by_hand).abs() < 1e-12);
    // A token listed by one model only goes to the rest; the actual token is known under both.
    let q_other = listed_top(&[0, 7], &[0.5, 0.2]);
    let without_actual = 0.6 * (0.6f64 / 0.5).ln() + 0.4 * (0.4f64 / 0.5).ln();
    assert!((kl_top_k(&p, &q_other, None) - without_actual).abs() < 1e-12);
    let with_actual = kl_top_k(&p, &q_other, Some((1, 0.3f64.ln(), 0.05f64.ln())));
    let by_hand =
        0.6 * (0.6f64 / 0.5).ln() + 0.3 * (0.3f64 / 0.05).ln() + 0.1 * (0.1f64 / 0.45).ln();
    assert!(
        (with_actual - by_hand).abs() < 1e-12,
        "{with_actual} {by_hand}"
    );
}

#[test]
fn the_estimate_is_a_lower_bound_and_never_negative() {
    let mut rng = Pcg32::new(7, 11);
    for k in [1, 3, 10] {
        for _ in 0..200 {
            let p = random_distribution(&mut rng, 60);
            let q = random_distribution(&mut rng, 60);
            let actual = (rng.next_u32() % 60) as usize;
            let estimate = kl_top_k(
                &top_of(&p, k),
                &top_of(&q, k),
                Some((actual as u32, p[actual].ln(), q[actual].ln())),
            );
            let exact = exact_kl(&p, &q);
            assert!(
                estimate >= 0.0 && estimate <= exact + 1e-12,
                "{estimate} > {exact}"
            );
        }
    }
}

#[test]
fn rounding_above_one_is_clamped() {
    let p = listed_top(&[0, 1], &[0.7, 0.300_000_1]);
    let estimate = kl_top_k(&p, &p, None);
    assert!(estimate.is_finite() && estimate.abs() < 1e-9, "{estimate}");
}

fn result(tokens: Vec<ScoredToken>) -> SnippetResult {
    SnippetResult::single(tokens)
}

/// A snippet of `n` tokens where the custom model moves mass from token 0 to token 1 by `shift`.
fn pair(n: u32, shift: f64) -> (SnippetResult, SnippetResult) {
    let list = |a: f64, b: f64| {
        TopK::from_entries(vec![(0, a.ln(), String::new()), (1, b.ln(), String::new())])
    };
    // Every token but the first is scored `actual`, with tokens 0 and 1 at `first` and `second`.
    let tokens = |actual: f64, first: f64, second: f64| {
        (0..n)
            .map(|i| {
                let scored = i > 0;
                token(
                    i + 10,
                    scored.then_some(actual.ln()),
                    scored.then(|| list(first, second)),
                )
            })
            .collect()
    };
    (
        result(tokens(0.1, 0.6, 0.3)),
        result(tokens(0.2, 0.6 - shift, 0.3 + shift)),
    )
}

#[test]
fn positions_of_aligned_tokens() {
    let (base, custom) = pair(4, 0.4);
    let figures = positions(&base, &custom).unwrap();
    assert_eq!(figures[0], None, "the first token has no context");
    let second = figures[1].unwrap();
    assert!(!second.same_top1, "0.2 against 0.7: the top-1 moved");
    assert!((second.delta_p - 0.1).abs() < 1e-12);
    assert!(second.kl > 0.0);
    let (_, unchanged) = pair(4, 0.0);
    assert!(positions(&base, &unchanged).unwrap()[1].unwrap().same_top1);
    let mut other = custom.clone();
    other.tokens[2].id = Some(999);
    assert_eq!(positions(&base, &other), None, "different tokens");
}

#[test]
fn frozen_figures_stand_in_for_the_lists() {
    let (base, custom) = pair(5, 0.1);
    let live = positions(&base, &custom).unwrap();
    let mut kept = custom.clone();
    kept.frozen = freeze(&base, &custom);
    let strip = |r: &mut SnippetResult| r.tokens.iter_mut().for_each(|t| t.top_k = None);
    let mut base_kept = base.clone();
    strip(&mut kept);
    strip(&mut base_kept);
    assert_eq!(positions(&base_kept, &kept).unwrap(), live);
    let (plain_base, mut plain) = pair(3, 0.1);
    strip(&mut plain);
    assert_eq!(freeze(&plain_base, &plain), None, "nothing to keep");
}

fn evaluation(results: &[(SnippetResult, SnippetResult)]) -> Evaluation {
    let spec = |name: &str| ModelSpec {
        tokenizer: Some("gpt2".into()),
        ..ModelSpec::named(name)
    };
    let mut e = Evaluation::new(
        (0..results.len())
            .map(|i| Snippet::pasted(format!("snippet {i}")))
            .collect(),
        GenerateParams::default(),
        spec("base"),
        vec![spec("custom")],
    )
    .unwrap();
    for (i, (b, c)) in results.iter().enumerate() {
        e.baseline.outcomes[i] = Outcome::Scored(b.clone());
        e.custom[0].outcomes[i] = Outcome::Scored(c.clone());
    }
    e
}

#[test]
fn aggregates_over_snippets_with_intervals() {
    let snippets: Vec<_> = (0..6).map(|i| pair(8, 0.04 * f64::from(i))).collect();
    let e = evaluation(&snippets);
    let figures = e.distributions_with(RESAMPLES)[0].clone().unwrap();
    let all: Vec<Position> = (0..6)
        .flat_map(|s| e.positions("custom", s).unwrap().into_iter().flatten())
        .collect();
    assert_eq!(figures.positions, 42);
    let mean = all.iter().map(|p| p.kl).sum::<f64>() / 42.0;
    assert!((figures.mean_kl.value - mean).abs() < 1e-12);
    let ci = figures.mean_kl.ci.unwrap();
    assert!(
        ci.low <= mean && mean <= ci.high && ci.low < ci.high,
        "{ci:?}"
    );
    let mut sorted: Vec<f64> = all.iter().map(|p| p.kl).collect();
    sorted.sort_by(f64::total_cmp);
    assert_eq!(figures.median_kl, quantile(&sorted, 0.5));
    assert!(figures.p99_kl <= sorted[41] && figures.p99_kl >= sorted[40]);
    // Shifts 0 to 0.12 keep token 0 on top; 0.16 and 0.2 move it.
    assert!((figures.same_top1.value - 4.0 / 6.0).abs() < 1e-12);
    assert!((figures.mean_delta_p.value - 0.1).abs() < 1e-12);
    assert_eq!(figures.basis, Some(Basis::Snippets(6)));
    assert_eq!(
        figures,
        e.distributions_with(RESAMPLES)[0].clone().unwrap(),
        "deterministic"
    );
}

#[test]
fn one_snippet_resamples_blocks_of_positions() {
    let e = evaluation(&[pair(30, 0.1)]);
    let figures = e.distributions_with(RESAMPLES)[0].clone().unwrap();
    assert_eq!(figures.basis, Some(Basis::Tokens(29)));
    assert!(figures.method.contains("29 tokens"), "{}", figures.method);
    let none = evaluation(&[pair(1, 0.1)]);
    assert_eq!(none.distributions_with(RESAMPLES), vec![None]);
}

#[test]
fn top_logprobs_are_asked_of_models_sharing_a_tokenizer_only() {
    let mut e = evaluation(&[pair(3, 0.1)]);
    assert_eq!(e.params_for("base").top_logprobs, Some(20));
    assert_eq!(e.params_for("custom").top_logprobs, Some(20));
    e.custom[0].model.tokenizer = Some("llama".into());
    assert_eq!(e.params_for("base").top_logprobs, None);
    assert_eq!(e.params_for("custom").top_logprobs, None);
    e.custom[0].model.tokenizer = None;
    e.baseline.model.tokenizer = None;
    assert_eq!(
        e.params_for("custom").top_logprobs,
        None,
        "unknown tokenizers"
    );
}
