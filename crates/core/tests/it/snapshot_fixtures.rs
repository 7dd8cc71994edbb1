//! Frozen snapshots: `fixtures/snapshot-v2-everything.bin` and `snapshot-v2-figures.bin` were written
//! once by this format version (run `LIKELY_WRITE_FIXTURES=1 cargo test -p likely-core --test
//! it snapshot_fixtures` to write them, only when a NEW version's fixtures are added). Every later
//! version must still open them with exactly the same figures, pinned here as numbers.

use likely_core::snapshot::{self, redact, Scope};
use likely_core::SnippetResult;
use likely_core::{Evaluation, GenerateParams, ModelSpec, Outcome, ScoredToken, Snippet};
use std::path::PathBuf;

const WORDS: [&str; 8] = [
    "Though",
    " this",
    " be",
    " madness",
    ",",
    " yet",
    " there",
    " is method",
];

/// Three snippets scored by a baseline and two custom models, deterministic, with ranks and top
/// tokens and one failed snippet.
fn evaluation() -> Evaluation {
    let texts: Vec<String> = (0..3)
        .map(|s| (0..20 + s).map(|i| WORDS[(i + s) % WORDS.len()]).collect())
        .collect();
    let names = ["base-light", "custom-a", "custom-b"];
    let mut e = Evaluation::new(
        texts.iter().map(Snippet::pasted).collect(),
        GenerateParams::default(),
        ModelSpec::named(names[0]),
        names[1..].iter().map(|n| ModelSpec::named(*n)).collect(),
    )
    .unwrap();
    for (m, name) in names.iter().enumerate() {
        for s in 0..3 {
            if m == 2 && s == 2 {
                let failed = Outcome::Failed {
                    reason: "the model was busy".into(),
                };
                e.set_outcome(name, s, failed).unwrap();
                continue;
            }
            let tokens = (0..20 + s)
                .map(|i| {
                    let logprob =
                        (i > 0).then(|| -(((i * 7 + s * 3 + m * 5) % 13) as f64) / 3.7 - 0.011);
                    ScoredToken {
                        text: WORDS[(i + s) % WORDS.len()].to_string(),
                        logprob,
                        top: logprob.map(|l| (" is".to_string(), l.max(-0.5))),
                        rank: logprob.map(|_| 1 + ((i + m) % 4) as u32),
                        id: None,
                        top_k: None,
                    }
                })
                .collect();
            e.set_outcome(name, s, Outcome::Scored(SnippetResult::single(tokens)))
                .unwrap();
        }
    }
    e
}

fn fixture(scope: Scope) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(format!("snapshot-v2-{}.bin", scope.as_str()))
}

/// The figures the page shows, as exact numbers: per model its average log-likelihood, loss, bits
/// per byte and accuracy; per custom model its pills' values and intervals.
fn figures(e: &Evaluation) -> Vec<String> {
    let mut out = Vec::new();
    for name in e.model_names() {
        let m = e.metrics(name).unwrap();
        out.push(format!(
            "{name} tokens={} avg={:e} loss={:e} bpb={:?} acc={:?}",
            m.scored_tokens, m.avg_loglik, m.loss, m.bits_per_byte, m.accuracy
        ));
    }
    for c in e.comparisons() {
        for pill in &c.pills {
            let ci = pill.ci.as_ref().map(|ci| (ci.low, ci.high));
            out.push(format!("{} {} {ci:?}", pill.metric.key(), pill.text));
        }
    }
    out
}

#[test]
fn frozen_v2_snapshots_open_with_the_same_figures() {
    let fresh = evaluation();
    for scope in [Scope::Everything, Scope::Figures] {
        let path = fixture(scope);
        if std::env::var_os("LIKELY_WRITE_FIXTURES").is_some() {
            std::fs::write(&path, snapshot::encode(&fresh, scope).unwrap()).unwrap();
        }
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let opened = snapshot::decode(&bytes).unwrap();
        assert_eq!(opened.scope, scope);
        assert_eq!(figures(&opened.evaluation), figures(&fresh), "{scope:?}");
        assert_eq!(figures(&opened.evaluation), PINNED, "{scope:?}");
        match scope {
            Scope::Everything => assert_eq!(opened.evaluation, fresh),
            Scope::Figures => {
                assert_eq!(opened.evaluation, redact::figures_only(&fresh));
                assert!(opened
                    .evaluation
                    .snippets
                    .iter()
                    .all(|s| redact::is_placeholder(&s.text)));
            }
        }
    }
}

/// The figures of the frozen snapshots, as this version computed them when it wrote them.
const PINNED: &[&str] = &[
    "base-light tokens=60 avg=-1.5965855855855855e0 loss=1.5965855855855855e0 bpb=Some(0.43323876614654405) acc=Some(0.23333333333333334)",
    "custom-a tokens=60 avg=-1.6010900900900897e0 loss=1.6010900900900897e0 bpb=Some(0.4344610783052231) acc=Some(0.25)",
    "custom-b tokens=39 avg=-1.6326216216216214e0 loss=1.6326216216216214e0 bpb=Some(0.45029230181030805) acc=Some(0.2564102564102564)",
    "accuracy +1.7% Some((0.0, 0.05263157894736842))",
    "loss 0.00 Some((-0.05405405405405417, 0.05689900426742556))",
    "avg-loglik 0.00 Some((-0.05689900426742556, 0.05405405405405417))",
    "bpb +0.001 Some((-0.015290885436025081, 0.015290885436025137))",
    "accuracy +2.6% Some((0.0, 0.05263157894736842))",
    "loss 0.00 Some((-0.10810810810810834, 0.11379800853485089))",
    "avg-loglik 0.00 Some((-0.11379800853485089, 0.10810810810810834))",
    "bpb 0.000 Some((-0.030581770872050218, 0.030581770872050218))",
];
