//! What the tooltip of a generated token says: the writing model's log-likelihood and its top-1
//! alternative there, and, once the generation is cross-scored, each other model's figures for the same
//! token (when it splits the text into the same tokens), with the difference from the baseline.

use super::state::{CrossRun, CrossStatus};
use crate::tokens::{visible_whitespace, ModelLine, Tooltip};
use likely_core::playground::Generated;
use likely_core::results::tokens_align;

/// The tooltip of token `index` of `generated`, written by `model` as its generation `generation`.
pub fn generation_tooltip(
    model: &str,
    generation: usize,
    generated: &Generated,
    cross: Option<&CrossRun>,
    baseline: &str,
    index: usize,
) -> Option<Tooltip> {
    let token = generated.tokens.get(index)?;
    let mut lines = vec![ModelLine {
        model: model.to_string(),
        logprob: token.logprob,
        difference: None,
        top: token.top.clone(),
        rank: token.rank,
    }];
    let mut other_tokenizers = Vec::new();
    let this = cross.filter(|c| c.source == model && c.generation == generation);
    for (name, status) in this.map(|c| c.figures.as_slice()).unwrap_or_default() {
        let CrossStatus::Done(score) = status else {
            continue;
        };
        if name == model {
            continue;
        }
        match score.tokens.get(index) {
            Some(theirs) if tokens_align(&score.tokens, &generated.tokens) => {
                lines.push(ModelLine {
                    model: name.clone(),
                    logprob: theirs.logprob,
                    difference: None,
                    top: theirs.top.clone(),
                    rank: theirs.rank,
                })
            }
            _ => other_tokenizers.push(name.clone()),
        }
    }
    let base = lines
        .iter()
        .find(|line| line.model == baseline)
        .and_then(|line| line.logprob);
    for line in lines.iter_mut().filter(|line| line.model != baseline) {
        line.difference = base.and_then(|b| Some(line.logprob? - b));
    }
    Some(Tooltip {
        index,
        token: visible_whitespace(&token.text),
        lines,
        other_tokenizers,
        distribution: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use likely_core::playground::CrossScore;
    use likely_core::ScoredToken;

    fn generated() -> Generated {
        Generated {
            text: " to sleep".into(),
            tokens: vec![
                ScoredToken {
                    top: Some((" the".into(), -0.5)),
                    ..ScoredToken::new(" to", Some(-1.0))
                },
                ScoredToken::new(" sleep", Some(-2.0)),
            ],
            finish_reason: None,
        }
    }

    #[test]
    fn alone_the_tooltip_names_the_writer_and_its_top_1() {
        let tip = generation_tooltip("custom", 0, &generated(), None, "base", 0).unwrap();
        assert_eq!(tip.token, "␣to");
        assert_eq!(tip.lines.len(), 1);
        assert_eq!(tip.lines[0].top, Some((" the".into(), -0.5)));
        assert_eq!(tip.lines[0].difference, None);
        assert!(generation_tooltip("custom", 0, &generated(), None, "base", 5).is_none());
    }

    #[test]
    fn cross_scores_add_a_line_per_model_with_the_same_tokens() {
        let cross = CrossRun {
            source: "custom".into(),
            generation: 0,
            text: " to sleep".into(),
            figures: vec![
                (
                    "base".into(),
                    CrossStatus::Done(CrossScore {
                        average: Some(-4.0),
                        tokens: vec![
                            ScoredToken::new(" to", Some(-3.0)),
                            ScoredToken::new(" sleep", Some(-5.0)),
                        ],
                    }),
                ),
                (
                    "other".into(),
                    CrossStatus::Done(CrossScore {
                        average: Some(-1.0),
                        tokens: vec![ScoredToken::new(" to sleep", Some(-1.0))],
                    }),
                ),
                ("custom".into(), CrossStatus::Running),
            ],
        };
        let tip = generation_tooltip("custom", 0, &generated(), Some(&cross), "base", 1).unwrap();
        let models: Vec<&str> = tip.lines.iter().map(|l| l.model.as_str()).collect();
        assert_eq!(models, vec!["custom", "base"]);
        assert_eq!(tip.lines[0].difference, Some(3.0));
        assert_eq!(tip.other_tokenizers, vec!["other".to_string()]);
        let elsewhere =
            generation_tooltip("custom", 1, &generated(), Some(&cross), "base", 1).unwrap();
        assert_eq!(
            elsewhere.lines.len(),
            1,
            "another generation's cross-scores are not this one's"
        );
    }
}
