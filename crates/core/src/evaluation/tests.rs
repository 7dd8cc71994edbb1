use super::*;
use crate::wire::scores::ScoredToken;
use crate::wire::GenerateRequest;

pub(crate) fn tok(text: &str, logprob: Option<f64>) -> ScoredToken {
    ScoredToken::new(text, logprob)
}

/// Tokens of `words` (the first unscored) with the given log-likelihoods.
pub(crate) fn result(words: &[&str], logprobs: &[f64]) -> SnippetResult {
    let tokens = words
        .iter()
        .enumerate()
        .map(|(i, w)| tok(w, (i > 0).then(|| logprobs[i - 1])))
        .collect();
    SnippetResult::single(tokens)
}

pub(crate) fn two_models(snippets: usize) -> Evaluation {
    let texts = (0..snippets)
        .map(|i| Snippet::pasted(format!("To be {i}")))
        .collect();
    Evaluation::new(
        texts,
        GenerateParams::default(),
        ModelSpec::named("base-light"),
        vec![ModelSpec::named("custom-base-light")],
    )
    .unwrap()
}

#[test]
fn default_params_are_the_worked_example() {
    let request = GenerateParams::default().request("base-light", "To be");
    let mut example = GenerateRequest::scoring("base-light", "To be");
    example.top_logprobs = Some(crate::rules::DEFAULT_TOP_LOGPROBS);
    assert_eq!(request, example);
    let ranked = GenerateParams {
        return_ranks: true,
        ..GenerateParams::default()
    };
    assert_eq!(ranked.request("m", "x").return_ranks, Some(true));
}

#[test]
fn outcomes_progress_and_failures() {
    let mut e = two_models(3);
    e.set_outcome(
        "base-light",
        0,
        Outcome::Scored(result(&["To", " be"], &[-2.0])),
    )
    .unwrap();
    e.set_outcome(
        "base-light",
        1,
        Outcome::Failed {
            reason: "429".into(),
        },
    )
    .unwrap();
    let p = e.progress("base-light");
    assert_eq!((p.done(), p.scored, p.failed, p.total), (2, 1, 1, 3));
    assert_eq!(e.failures().len(), 1);
    assert_eq!(e.failures()[0].snippet, 1);
    assert!(matches!(
        e.set_outcome("nope", 0, Outcome::Pending),
        Err(EvaluationError::UnknownModel(_))
    ));
    assert!(matches!(
        e.set_outcome("base-light", 3, Outcome::Pending),
        Err(EvaluationError::UnknownSnippet { index: 3, count: 3 })
    ));
    assert_eq!(
        e.snippet_avg_logliks("base-light"),
        vec![Some(-2.0), None, None]
    );
    assert_eq!(e.metrics("base-light").unwrap().scored_tokens, 1);
    assert!(e.metrics("custom-base-light").is_none());
}

#[test]
fn duplicate_models_are_refused() {
    let err = Evaluation::new(
        vec![],
        GenerateParams::default(),
        ModelSpec::named("a"),
        vec![ModelSpec::named("b"), ModelSpec::named("a")],
    );
    assert_eq!(err, Err(EvaluationError::DuplicateModel("a".into())));
}

#[test]
fn token_differences_need_the_same_tokens() {
    let mut e = two_models(1);
    e.set_outcome(
        "base-light",
        0,
        Outcome::Scored(result(&["a", "b"], &[-2.0])),
    )
    .unwrap();
    e.set_outcome(
        "custom-base-light",
        0,
        Outcome::Scored(result(&["a", "b"], &[-0.5])),
    )
    .unwrap();
    assert_eq!(
        e.token_differences("custom-base-light", 0),
        Some(vec![None, Some(1.5)])
    );
    e.set_outcome(
        "custom-base-light",
        0,
        Outcome::Scored(result(&["ab"], &[])),
    )
    .unwrap();
    assert_eq!(e.token_differences("custom-base-light", 0), None);
}

#[test]
fn serde_round_trip_and_validation() {
    let mut e = two_models(2);
    e.snippets[1].source = SnippetSource {
        file: Some("set.jsonl".into()),
        line: Some(4),
    };
    let mut scored = result(&["To", " be", ","], &[-2.000000000000001, -0.1]);
    scored.window_starts = vec![2];
    scored.tokens[1].top = Some((" the".into(), -1.25));
    scored.tokens[1].rank = Some(3);
    e.set_outcome("base-light", 0, Outcome::Scored(scored))
        .unwrap();
    e.set_outcome(
        "custom-base-light",
        1,
        Outcome::Failed {
            reason: "timeout".into(),
        },
    )
    .unwrap();
    let json = serde_json::to_string(&e).unwrap();
    let back: Evaluation = serde_json::from_str(&json).unwrap();
    assert_eq!(back, e);
    assert_eq!(back.validate(), Ok(()));
    assert_eq!(e.snippets[1].source.to_string(), "set.jsonl:4");
    assert_eq!(e.snippets[0].source.to_string(), "pasted");

    let mut bad = e.clone();
    bad.custom[0].outcomes.pop();
    assert!(matches!(
        bad.validate(),
        Err(EvaluationError::OutcomeCount { .. })
    ));
    let mut bad = e.clone();
    bad.schema_version = 99;
    assert!(matches!(
        bad.validate(),
        Err(EvaluationError::UnsupportedVersion { .. })
    ));
    let mut bad = e;
    if let Outcome::Scored(r) = &mut bad.baseline.outcomes[0] {
        r.window_starts = vec![7];
    }
    assert!(matches!(
        bad.validate(),
        Err(EvaluationError::InvalidWindowStart { .. })
    ));
}

#[test]
fn tokens_pair_by_id_when_both_have_ids_else_by_text() {
    let with_id = |text: &str, id: Option<u32>| ScoredToken {
        id,
        ..tok(text, Some(-1.0))
    };
    // One server decodes a split multi-byte character as U+FFFD, the other as an empty piece: the ids
    // say they are the same token.
    let a = [with_id("To", Some(1271)), with_id("\u{fffd}", Some(9468))];
    let b = [with_id("To", Some(1271)), with_id("", Some(9468))];
    assert!(tokens_align(&a, &b));
    // Same texts, different ids: different tokenizers' tokens, not the same tokens.
    let c = [with_id("To", Some(1271)), with_id("\u{fffd}", Some(12))];
    assert!(!tokens_align(&a, &c));
    // One side without ids: the texts decide.
    let d = [with_id("To", None), with_id("\u{fffd}", None)];
    assert!(tokens_align(&a, &d));
    assert!(!tokens_align(&b, &d));

    let mut e = two_models(1);
    e.set_outcome(
        "base-light",
        0,
        Outcome::Scored(SnippetResult::single(a.to_vec())),
    )
    .unwrap();
    let mut custom = b.to_vec();
    custom[1].logprob = Some(-0.25);
    e.set_outcome(
        "custom-base-light",
        0,
        Outcome::Scored(SnippetResult::single(custom)),
    )
    .unwrap();
    assert_eq!(
        e.token_differences("custom-base-light", 0),
        Some(vec![Some(0.0), Some(0.75)])
    );
}
