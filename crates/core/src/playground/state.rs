//! What a playground share link carries: the prompt, the parameters, the chosen models and each
//! column's generations (or its failure). Checked when read back like an API answer: parameters in
//! range, valid likelihoods, a bounded number of columns.

use super::generated::Generated;
use super::{ParamsError, PlaygroundParams};
use crate::rules::{optional_logprob, LogprobError};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The most model columns a playground shows (a baseline and custom models).
pub const MAX_COLUMNS: usize = 16;

/// One model's column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// The model's name.
    pub model: String,
    /// What it answered.
    pub outcome: ColumnOutcome,
}

/// A column's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ColumnOutcome {
    /// Its generations.
    Generated(Vec<Generated>),
    /// Why it has none.
    Failed(String),
}

/// The playground as a share link keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaygroundState {
    /// The prompt.
    pub prompt: String,
    /// The parameters every model was asked with.
    pub params: PlaygroundParams,
    /// The baseline.
    pub baseline: String,
    /// The custom models.
    pub customs: Vec<String>,
    /// The columns shown, baseline first.
    pub columns: Vec<Column>,
}

/// Why a playground state is refused.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum StateError {
    /// A parameter out of range.
    #[error("the playground's parameters: {0}")]
    Params(#[from] ParamsError),
    /// Too many columns.
    #[error("the playground has {0} columns; at most {MAX_COLUMNS}")]
    TooManyColumns(usize),
    /// An impossible likelihood.
    #[error("{model}, generation {generation}: {error}")]
    Likelihood {
        /// The column's model.
        model: String,
        /// The generation's position.
        generation: usize,
        /// What is wrong with the value.
        error: LogprobError,
    },
}

impl PlaygroundState {
    /// Every model shown: the baseline, then the custom models.
    pub fn models(&self) -> Vec<String> {
        std::iter::once(self.baseline.clone())
            .chain(self.customs.iter().cloned())
            .filter(|name| !name.is_empty())
            .collect()
    }

    /// Ok when the state is one the page could have made.
    pub fn validate(&self) -> Result<(), StateError> {
        self.params.check()?;
        let count = self.columns.len().max(self.customs.len() + 1);
        if count > MAX_COLUMNS {
            return Err(StateError::TooManyColumns(count));
        }
        for column in &self.columns {
            let ColumnOutcome::Generated(generations) = &column.outcome else {
                continue;
            };
            for (generation, generated) in generations.iter().enumerate() {
                let likelihood = |error| StateError::Likelihood {
                    model: column.model.clone(),
                    generation,
                    error,
                };
                for token in &generated.tokens {
                    optional_logprob(token.logprob).map_err(likelihood)?;
                    optional_logprob(token.top.as_ref().map(|t| t.1)).map_err(likelihood)?;
                }
            }
        }
        Ok(())
    }
}

/// A state as the page makes it, for tests: two columns, one failed, a seed and a stop sequence.
#[cfg(test)]
pub(crate) fn sample_state() -> PlaygroundState {
    use crate::wire::scores::ScoredToken;
    {
        PlaygroundState {
            prompt: "To be".into(),
            params: PlaygroundParams {
                seed: Some(3),
                stop_sequences: vec!["\n".into()],
                ..PlaygroundParams::default()
            },
            baseline: "base-light".into(),
            customs: vec!["custom-base-light".into(), "broken".into()],
            columns: vec![
                Column {
                    model: "base-light".into(),
                    outcome: ColumnOutcome::Generated(vec![Generated {
                        text: ", or".into(),
                        tokens: vec![
                            ScoredToken {
                                top: Some((" the".into(), -0.25)),
                                ..ScoredToken::new(",", Some(-1.5))
                            },
                            ScoredToken::new(" or", Some(-0.125)),
                        ],
                        finish_reason: Some("MAX_TOKENS".into()),
                    }]),
                },
                Column {
                    model: "broken".into(),
                    outcome: ColumnOutcome::Failed("upstream down (HTTP 502)".into()),
                },
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> PlaygroundState {
        sample_state()
    }

    #[test]
    fn a_state_the_page_makes_is_valid_and_names_its_models() {
        let state = state();
        assert!(state.validate().is_ok());
        assert_eq!(
            state.models(),
            vec!["base-light", "custom-base-light", "broken"]
        );
    }

    #[test]
    fn impossible_values_are_refused() {
        let mut bad = state();
        bad.params.p = 2.0;
        assert!(matches!(bad.validate(), Err(StateError::Params(_))));
        let mut bad = state();
        if let ColumnOutcome::Generated(list) = &mut bad.columns[0].outcome {
            list[0].tokens[1].logprob = Some(f64::NAN);
        }
        assert!(matches!(bad.validate(), Err(StateError::Likelihood { .. })));
        let mut bad = state();
        bad.customs = (0..MAX_COLUMNS).map(|i| format!("m{i}")).collect();
        assert!(matches!(bad.validate(), Err(StateError::TooManyColumns(_))));
    }
}
