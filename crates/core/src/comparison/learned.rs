//! What the fine-tune learned: across the whole set, the token strings whose log-likelihood rose and
//! fell most from the baseline to a custom model. Tokens are paired where both models split a snippet
//! into the same tokens ([`Evaluation::token_differences`], which pairs by id or text like every
//! other comparison); other snippets are left out and counted.
//!
//! Each token string gets its count, its mean Δ and its total Δ (count × mean: how much it moved the
//! set's summed log-likelihood). Strings are ranked by their total Δ, so a token that rose a little
//! in a thousand places ranks above one that rose a lot once; each keeps its occurrences.

use crate::evaluation::Evaluation;
use serde::Serialize;
use std::collections::HashMap;

/// How many rising and falling token strings are kept by default.
pub const TOP_TOKENS: usize = 20;

/// Where a token occurs: the snippet's index and the token's index in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Occurrence {
    /// The snippet's index in the set.
    pub snippet: usize,
    /// The token's index in the snippet.
    pub token: usize,
}

/// One token string and how its log-likelihood moved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenMove {
    /// The token's text (the baseline's piece).
    pub token: String,
    /// Scored occurrences paired in both models.
    pub count: usize,
    /// Mean custom − baseline log-likelihood over them (nats).
    pub mean_delta: f64,
    /// Summed custom − baseline log-likelihood over them (nats).
    pub total_delta: f64,
    /// Every occurrence, in the set's order.
    pub occurrences: Vec<Occurrence>,
}

impl TokenMove {
    /// The distinct snippets it occurs in, in the set's order.
    pub fn snippets(&self) -> Vec<usize> {
        let mut out: Vec<usize> = self.occurrences.iter().map(|o| o.snippet).collect();
        out.dedup();
        out
    }
}

/// The token strings that moved most for one custom model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Learned {
    /// The baseline's name.
    pub baseline: String,
    /// The custom model's name.
    pub custom: String,
    /// Rising most first (total Δ > 0).
    pub rising: Vec<TokenMove>,
    /// Falling most first (total Δ < 0).
    pub falling: Vec<TokenMove>,
    /// Scored tokens paired across the set.
    pub paired_tokens: usize,
    /// Snippets both models scored with the same tokens.
    pub snippets_paired: usize,
    /// Snippets both scored but split into different tokens, left out.
    pub snippets_unpaired: usize,
}

#[derive(Default)]
struct Tally {
    total: f64,
    occurrences: Vec<Occurrence>,
}

/// The `top` token strings that rose and fell most from the baseline to `custom` in `evaluation`.
pub fn learned(evaluation: &Evaluation, custom: &str, top: usize) -> Learned {
    let baseline = &evaluation.baseline.model.name;
    let mut tallies: HashMap<&str, Tally> = HashMap::new();
    let (mut paired_tokens, mut snippets_paired, mut snippets_unpaired) = (0, 0, 0);
    for snippet in 0..evaluation.snippets.len() {
        let (Some(base), Some(_)) = (
            evaluation.result(baseline, snippet),
            evaluation.result(custom, snippet),
        ) else {
            continue;
        };
        let Some(differences) = evaluation.token_differences(custom, snippet) else {
            snippets_unpaired += 1;
            continue;
        };
        snippets_paired += 1;
        for (token, (scored, delta)) in base.tokens.iter().zip(differences).enumerate() {
            let Some(delta) = delta.filter(|d| d.is_finite()) else {
                continue;
            };
            paired_tokens += 1;
            let tally = tallies.entry(scored.text.as_str()).or_default();
            tally.total += delta;
            tally.occurrences.push(Occurrence { snippet, token });
        }
    }
    let moves: Vec<(&str, Tally)> = tallies.into_iter().collect();
    let pick = |rising: bool| -> Vec<TokenMove> {
        let mut chosen: Vec<&(&str, Tally)> = moves
            .iter()
            .filter(|(_, t)| if rising { t.total > 0.0 } else { t.total < 0.0 })
            .collect();
        chosen.sort_by(|(a_text, a), (b_text, b)| {
            let by_total = if rising {
                b.total.total_cmp(&a.total)
            } else {
                a.total.total_cmp(&b.total)
            };
            by_total.then(a_text.cmp(b_text))
        });
        chosen
            .into_iter()
            .take(top)
            .map(|(text, tally)| TokenMove {
                token: (*text).to_string(),
                count: tally.occurrences.len(),
                mean_delta: tally.total / tally.occurrences.len() as f64,
                total_delta: tally.total,
                occurrences: tally.occurrences.clone(),
            })
            .collect()
    };
    Learned {
        baseline: baseline.clone(),
        custom: custom.to_string(),
        rising: pick(true),
        falling: pick(false),
        paired_tokens,
        snippets_paired,
        snippets_unpaired,
    }
}

/// [`learned`] for every custom model, in the custom models' order, [`TOP_TOKENS`] each way.
pub fn learned_all(evaluation: &Evaluation) -> Vec<Learned> {
    evaluation
        .custom
        .iter()
        .map(|run| learned(evaluation, &run.model.name, TOP_TOKENS))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::results::Outcome;
    use crate::evaluation::tests::{result, two_models};
    use proptest::prelude::*;

    const B: &str = "base-light";
    const C: &str = "custom-base-light";

    fn set(e: &mut Evaluation, model: &str, snippet: usize, words: &[&str], logprobs: &[f64]) {
        e.set_outcome(model, snippet, Outcome::Scored(result(words, logprobs)))
            .unwrap();
    }

    fn evaluation() -> Evaluation {
        let mut e = two_models(3);
        // " thee" rises by 2 twice, " the" falls by 0.5 three times, " be" rises by 3 once.
        set(&mut e, B, 0, &["To", " thee", " the"], &[-5.0, -1.0]);
        set(&mut e, C, 0, &["To", " thee", " the"], &[-3.0, -1.5]);
        set(
            &mut e,
            B,
            1,
            &["O", " thee", " the", " the", " be"],
            &[-6.0, -1.0, -1.0, -4.0],
        );
        set(
            &mut e,
            C,
            1,
            &["O", " thee", " the", " the", " be"],
            &[-4.0, -1.5, -1.5, -1.0],
        );
        // Different tokens: left out.
        set(&mut e, B, 2, &["ab", "c"], &[-1.0]);
        set(&mut e, C, 2, &["a", "bc"], &[-9.0]);
        e
    }

    #[test]
    fn tokens_rank_by_total_with_counts_means_and_occurrences() {
        let l = learned(&evaluation(), C, 20);
        let rising: Vec<(&str, usize, f64, f64)> = l
            .rising
            .iter()
            .map(|m| (m.token.as_str(), m.count, m.mean_delta, m.total_delta))
            .collect();
        assert_eq!(rising, [(" thee", 2, 2.0, 4.0), (" be", 1, 3.0, 3.0)]);
        assert_eq!(l.falling.len(), 1);
        let the = &l.falling[0];
        assert_eq!(
            (the.token.as_str(), the.count, the.mean_delta),
            (" the", 3, -0.5)
        );
        assert_eq!(
            the.occurrences,
            [
                Occurrence {
                    snippet: 0,
                    token: 2
                },
                Occurrence {
                    snippet: 1,
                    token: 2
                },
                Occurrence {
                    snippet: 1,
                    token: 3
                },
            ]
        );
        assert_eq!(the.snippets(), [0, 1]);
        assert_eq!(
            (l.paired_tokens, l.snippets_paired, l.snippets_unpaired),
            (6, 2, 1)
        );
        assert_eq!(learned_all(&evaluation()).len(), 1);
    }

    #[test]
    fn only_the_top_are_kept_and_ties_go_by_text() {
        let mut e = two_models(1);
        set(&mut e, B, 0, &["x", "b", "a", "c"], &[-2.0, -2.0, -2.0]);
        set(&mut e, C, 0, &["x", "b", "a", "c"], &[-1.0, -1.0, -1.5]);
        let l = learned(&e, C, 2);
        let tokens: Vec<&str> = l.rising.iter().map(|m| m.token.as_str()).collect();
        assert_eq!(tokens, ["a", "b"]);
        assert!(l.falling.is_empty());
    }

    #[test]
    fn an_unknown_or_unscored_model_learns_nothing() {
        let l = learned(&two_models(2), "nope", 20);
        assert!(l.rising.is_empty() && l.falling.is_empty());
        assert_eq!(l.paired_tokens, 0);
    }

    proptest! {
        #[test]
        fn totals_add_up_to_the_paired_difference(
            deltas in proptest::collection::vec((0usize..5, -5.0f64..5.0), 1..60)
        ) {
            let words: Vec<String> = std::iter::once("s".to_string())
                .chain(deltas.iter().map(|(w, _)| format!("w{w}")))
                .collect();
            let words: Vec<&str> = words.iter().map(String::as_str).collect();
            let base: Vec<f64> = vec![-6.0; deltas.len()];
            let custom: Vec<f64> = deltas.iter().map(|(_, d)| -6.0 + d).collect();
            let mut e = two_models(1);
            set(&mut e, B, 0, &words, &base);
            set(&mut e, C, 0, &words, &custom);
            let l = learned(&e, C, 10);
            let counted: usize = l.rising.iter().chain(&l.falling).map(|m| m.count).sum();
            prop_assert!(counted <= deltas.len());
            prop_assert_eq!(l.paired_tokens, deltas.len());
            for m in l.rising.iter().chain(&l.falling) {
                prop_assert!((m.mean_delta * m.count as f64 - m.total_delta).abs() < 1e-9);
                prop_assert_eq!(m.occurrences.len(), m.count);
            }
            for pair in l.rising.windows(2) {
                prop_assert!(pair[0].total_delta >= pair[1].total_delta);
            }
        }
    }
}
