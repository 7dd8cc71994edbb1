use super::super::{decode, encode, redact, Scope, DISTRIBUTION_VERSION, FORMAT_VERSION};
use crate::evaluation::params::GenerateParams;
use crate::evaluation::results::{ModelSpec, Outcome, SnippetResult};
use crate::evaluation::{Evaluation, Snippet};
use crate::figures::bootstrap::RESAMPLES;
use crate::wire::scores::{ScoredToken, TopK};

/// A baseline and a custom model sharing a tokenizer over three snippets, with top-K lists.
fn with_lists() -> Evaluation {
    let words = ["To", " be", ",", " or", " not", " to", " be"];
    let spec = |name: &str| ModelSpec {
        tokenizer: Some("gpt2".into()),
        ..ModelSpec::named(name)
    };
    let text: String = words.concat();
    let mut e = Evaluation::new(
        vec![Snippet::pasted(text.clone()); 3],
        GenerateParams::default(),
        spec("base"),
        vec![spec("custom")],
    )
    .unwrap();
    for (m, name) in ["base", "custom"].iter().enumerate() {
        for s in 0..3 {
            let tokens = words
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let shift = 0.03 * (i + s + 2 * m) as f64;
                    ScoredToken {
                        text: (*w).to_string(),
                        logprob: (i > 0).then(|| (0.05 + shift).ln()),
                        id: Some(i as u32),
                        top_k: (i > 0).then(|| {
                            TopK::from_entries(vec![
                                (90, (0.5 - shift).ln(), String::new()),
                                (91, (0.2 + shift).ln(), String::new()),
                                (i as u32, (0.05 + shift).ln(), String::new()),
                            ])
                        }),
                        ..ScoredToken::default()
                    }
                })
                .collect();
            e.set_outcome(name, s, Outcome::Scored(SnippetResult::single(tokens)))
                .unwrap();
        }
    }
    e
}

#[test]
fn figures_survive_a_link_in_both_scopes() {
    let e = with_lists();
    let live = e.distributions_with(RESAMPLES);
    assert!(live[0].as_ref().is_some_and(|d| d.positions == 18));
    for scope in [Scope::Everything, Scope::Figures] {
        let bytes = encode(&e, scope).unwrap();
        assert_eq!(bytes[4], DISTRIBUTION_VERSION);
        let opened = decode(&bytes).unwrap().evaluation;
        assert_eq!(opened.distributions_with(RESAMPLES), live, "{scope:?}");
        assert_eq!(opened.positions("custom", 1), e.positions("custom", 1));
        assert_eq!(opened.params.top_logprobs, Some(20));
        if scope == Scope::Figures {
            let again = decode(&encode(&opened, scope).unwrap()).unwrap().evaluation;
            assert_eq!(
                again.distributions_with(RESAMPLES),
                live,
                "a re-shared link"
            );
            assert!(redact::is_placeholder(&opened.snippets[0].text));
        }
    }
}

#[test]
fn without_figures_the_default_k_writes_version_2_and_another_k_version_4() {
    let mut e = with_lists();
    for run in std::iter::once(&mut e.baseline).chain(&mut e.custom) {
        for outcome in &mut run.outcomes {
            if let Outcome::Scored(result) = outcome {
                result.tokens.iter_mut().for_each(|t| t.top_k = None);
            }
        }
    }
    let bytes = encode(&e, Scope::Everything).unwrap();
    assert_eq!(bytes[4], FORMAT_VERSION);
    assert_eq!(decode(&bytes).unwrap().evaluation, e);
    e.params.top_logprobs = None;
    let bytes = encode(&e, Scope::Everything).unwrap();
    assert_eq!(bytes[4], DISTRIBUTION_VERSION);
    assert_eq!(decode(&bytes).unwrap().evaluation, e);
}

#[test]
fn impossible_figures_are_refused() {
    let e = with_lists();
    let mut value = super::SnapshotV4::from_evaluation(&e, Scope::Everything);
    if let Some(Some(columns)) = value.distribution.frozen[0].get_mut(0) {
        let mut kl = columns.kl.values().unwrap();
        kl[1] = Some(-1.0);
        columns.kl = super::FloatColumn::new(kl.into_iter());
    }
    let packed = postcard::to_allocvec(&value).unwrap();
    let bytes = super::super::framed(DISTRIBUTION_VERSION, &packed);
    assert!(decode(&bytes).is_err());
    let mut value = super::SnapshotV4::from_evaluation(&e, Scope::Everything);
    value.distribution.frozen.clear();
    let packed = postcard::to_allocvec(&value).unwrap();
    let bytes = super::super::framed(DISTRIBUTION_VERSION, &packed);
    assert!(decode(&bytes).is_err());
}
