//! The record's pure logic on a real evaluation: an honest run passes the server's check, and every
//! kind of tampering or unfinished run is refused with the right kind of error.

use super::*;
use crate::evaluation::params::GenerateParams;
use crate::evaluation::results::{ModelSpec, Outcome, SnippetResult};
use crate::evaluation::{Evaluation, Snippet};
use crate::snapshot::{encode, to_fragment, Scope};
use crate::wire::scores::ScoredToken;
use crate::wire::ModelInfo;

/// One way of changing a run after it was made.
type Tamper = Box<dyn Fn(&mut NewRun)>;

fn evaluation(finish: bool) -> Evaluation {
    let texts = ["the cat sat", "on the mat", "a dog ran", "far away now"];
    let mut evaluation = Evaluation::new(
        texts.iter().map(|t| Snippet::pasted(*t)).collect(),
        GenerateParams::default(),
        ModelSpec::named("base"),
        vec![ModelSpec::named("tuned")],
    )
    .unwrap();
    for (m, name) in ["base", "tuned"].iter().enumerate() {
        for (s, text) in texts.iter().enumerate() {
            if !finish && m == 1 && s == 3 {
                continue;
            }
            let tokens = text
                .split_inclusive(' ')
                .enumerate()
                .map(|(i, word)| {
                    let logprob = (i > 0).then(|| -1.0 - (s + i) as f64 / (3.0 + m as f64));
                    ScoredToken::new(word, logprob)
                })
                .collect();
            evaluation
                .set_outcome(name, s, Outcome::Scored(SnippetResult::single(tokens)))
                .unwrap();
        }
    }
    evaluation
}

fn infos() -> Vec<ModelInfo> {
    ["base", "tuned"]
        .iter()
        .map(|name| ModelInfo {
            name: name.to_string(),
            backend: "embedded".into(),
            context_length: None,
            vocab_size: None,
            returns_top_token: false,
            tokenizer: None,
            description: Some(format!("the {name} model")),
        })
        .collect()
}

fn honest(scope: Scope) -> NewRun {
    new_run(
        &evaluation(true),
        &infos(),
        Some("alice".into()),
        Some("held-out.txt".into()),
        scope,
    )
    .unwrap()
}

#[test]
fn an_honest_run_passes_and_keeps_its_figures() {
    let run = honest(Scope::Everything);
    assert_eq!(run.document.models[1].role, ModelRole::Custom);
    assert_eq!(run.document.models[0].backend.as_deref(), Some("embedded"));
    assert!(
        run.document.figures[0].loss_ci.is_some(),
        "four snippets give an interval"
    );
    assert_eq!(run.document.comparisons.len(), 4);
    let checked = check_run(run.clone()).unwrap();
    assert_eq!(checked.scope, Scope::Everything);
    assert_eq!(checked.document.figures, run.document.figures);
    assert_eq!(checked.document.author.as_deref(), Some("alice"));
    // Through JSON, as the page sends it: the run's fields and its snapshot side by side.
    let json = serde_json::to_value(&run).unwrap();
    let mut keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    keys.sort_unstable();
    let expected = [
        "author",
        "comparisons",
        "dataset",
        "figures",
        "models",
        "params",
        "snapshot",
    ];
    assert_eq!(keys, expected);
    check_run(serde_json::from_value(json).unwrap()).unwrap();
    check_run(honest(Scope::Figures)).unwrap();
}

#[test]
fn the_loss_interval_brackets_the_loss() {
    let run = honest(Scope::Figures);
    for figure in &run.document.figures {
        let ci = figure.loss_ci.unwrap();
        let loss = figure.loss.unwrap();
        assert!(ci.low <= loss && loss <= ci.high, "{ci:?} {loss}");
    }
}

#[test]
fn tampered_runs_are_refused_as_mismatches() {
    let tampered: Vec<Tamper> = vec![
        Box::new(|run| run.document.figures[1].avg_loglik = Some(-0.1)),
        Box::new(|run| run.document.comparisons[1].delta = Some(-5.0)),
        Box::new(|run| {
            run.document.comparisons[1].verdict = crate::comparison::pills::Verdict::Worse
        }),
        Box::new(|run| run.document.models[1].name = "other".into()),
        Box::new(|run| run.document.models.swap(0, 1)),
        Box::new(|run| run.document.dataset.snippets = 3),
        Box::new(|run| run.document.dataset.fingerprint = "0".repeat(64)),
        Box::new(|run| run.document.params.temperature = 0.5),
        Box::new(|run| run.snapshot.replace_range(10..14, "AAAA")),
        Box::new(|run| run.snapshot = "bm90IGEgc25hcHNob3Q".into()),
    ];
    for (i, tamper) in tampered.iter().enumerate() {
        let mut run = honest(Scope::Everything);
        tamper(&mut run);
        match check_run(run) {
            Err(RunRejection::Mismatch(message)) => assert!(!message.is_empty()),
            other => panic!("tampering {i} gave {other:?}"),
        }
    }
}

#[test]
fn unfinished_and_failed_runs_are_not_recorded() {
    let mut run = honest(Scope::Figures);
    run.snapshot = to_fragment(&encode(&evaluation(false), Scope::Figures).unwrap());
    let Err(RunRejection::Mismatch(message)) = check_run(run) else {
        panic!("a cancelled run passed")
    };
    assert!(message.contains("finished"), "{message}");
    let mut failed = evaluation(true);
    failed
        .set_outcome(
            "tuned",
            0,
            Outcome::Failed {
                reason: "500".into(),
            },
        )
        .unwrap();
    let mut run = honest(Scope::Figures);
    run.snapshot = to_fragment(&encode(&failed, Scope::Figures).unwrap());
    assert!(matches!(check_run(run), Err(RunRejection::Mismatch(_))));
}

#[test]
fn limits_are_invalid_requests() {
    let mut run = honest(Scope::Figures);
    run.document.author = Some("a".repeat(MAX_AUTHOR_CHARS + 1));
    assert!(matches!(check_run(run), Err(RunRejection::Invalid(_))));
    let mut run = honest(Scope::Figures);
    run.document.dataset.fingerprint = "not hex".into();
    let Err(RunRejection::Invalid(message)) = check_run(run) else {
        panic!("a bad fingerprint passed")
    };
    assert!(message.contains("fingerprint"));
}
