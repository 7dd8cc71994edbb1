//! Format version 3: a playground's state (`likely_core::playground::PlaygroundState`) instead of an
//! evaluation, behind the same magic, deflate and link mechanism. Positional like version 2 (postcard
//! is not self-describing: no field is ever skipped), append-only.

use super::SnapshotError;
use crate::playground::{Column, ColumnOutcome, Generated, PlaygroundParams, PlaygroundState};
use crate::wire::scores::ScoredToken;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct PlaygroundV3 {
    prompt: String,
    max_tokens: u32,
    temperature: f64,
    k: u32,
    p: f64,
    num_generations: u32,
    seed: Option<u64>,
    stop_sequences: Vec<String>,
    baseline: String,
    customs: Vec<String>,
    columns: Vec<WireColumn>,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireColumn {
    model: String,
    outcome: WireOutcome,
}

#[derive(Debug, Serialize, Deserialize)]
enum WireOutcome {
    Generated(Vec<WireGeneration>),
    Failed(String),
}

#[derive(Debug, Serialize, Deserialize)]
struct WireGeneration {
    text: String,
    finish_reason: Option<String>,
    tokens: Vec<WireToken>,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireToken {
    text: String,
    logprob: Option<f64>,
    top: Option<(String, f64)>,
    rank: Option<u32>,
    id: Option<u32>,
}

impl PlaygroundV3 {
    pub(super) fn of(state: &PlaygroundState) -> PlaygroundV3 {
        let params = &state.params;
        PlaygroundV3 {
            prompt: state.prompt.clone(),
            max_tokens: params.max_tokens,
            temperature: params.temperature,
            k: params.k,
            p: params.p,
            num_generations: params.num_generations,
            seed: params.seed,
            stop_sequences: params.stop_sequences.clone(),
            baseline: state.baseline.clone(),
            customs: state.customs.clone(),
            columns: state
                .columns
                .iter()
                .map(|column| WireColumn {
                    model: column.model.clone(),
                    outcome: match &column.outcome {
                        ColumnOutcome::Failed(why) => WireOutcome::Failed(why.clone()),
                        ColumnOutcome::Generated(list) => {
                            WireOutcome::Generated(list.iter().map(WireGeneration::of).collect())
                        }
                    },
                })
                .collect(),
        }
    }

    pub(super) fn into_state(self) -> Result<PlaygroundState, SnapshotError> {
        let state = PlaygroundState {
            prompt: self.prompt,
            params: PlaygroundParams {
                max_tokens: self.max_tokens,
                temperature: self.temperature,
                k: self.k,
                p: self.p,
                num_generations: self.num_generations,
                seed: self.seed,
                stop_sequences: self.stop_sequences,
            },
            baseline: self.baseline,
            customs: self.customs,
            columns: self
                .columns
                .into_iter()
                .map(|column| Column {
                    model: column.model,
                    outcome: match column.outcome {
                        WireOutcome::Failed(why) => ColumnOutcome::Failed(why),
                        WireOutcome::Generated(list) => ColumnOutcome::Generated(
                            list.into_iter()
                                .map(WireGeneration::into_generated)
                                .collect(),
                        ),
                    },
                })
                .collect(),
        };
        state.validate()?;
        Ok(state)
    }
}

impl WireGeneration {
    fn of(generated: &Generated) -> WireGeneration {
        WireGeneration {
            text: generated.text.clone(),
            finish_reason: generated.finish_reason.clone(),
            tokens: generated
                .tokens
                .iter()
                .map(|token| WireToken {
                    text: token.text.clone(),
                    logprob: token.logprob,
                    top: token.top.clone(),
                    rank: token.rank,
                    id: token.id,
                })
                .collect(),
        }
    }

    fn into_generated(self) -> Generated {
        Generated {
            text: self.text,
            finish_reason: self.finish_reason,
            tokens: self
                .tokens
                .into_iter()
                .map(|token| ScoredToken {
                    text: token.text,
                    logprob: token.logprob,
                    top: token.top,
                    rank: token.rank,
                    id: token.id,
                    top_k: None,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use crate::playground::{sample_state, ColumnOutcome};

    #[test]
    fn a_playground_round_trips_through_bytes_and_fragments() {
        let state = sample_state();
        let bytes = encode_playground(&state).unwrap();
        assert_eq!(&bytes[..4], MAGIC);
        assert_eq!(bytes[4], PLAYGROUND_VERSION);
        assert_eq!(
            decode_shared(&bytes).unwrap(),
            Shared::Playground(state.clone())
        );
        let text = to_fragment(&bytes);
        assert_eq!(
            shared_from_fragment(&text).unwrap(),
            Shared::Playground(state.clone())
        );
        let summary = inspect(&bytes).unwrap();
        assert_eq!(summary.scope, Scope::Everything);
        assert_eq!(summary.models, state.models());
    }

    #[test]
    fn an_evaluation_reader_says_a_playground_link_is_one() {
        let bytes = encode_playground(&sample_state()).unwrap();
        assert!(matches!(decode(&bytes), Err(SnapshotError::IsPlayground)));
        assert!(matches!(
            from_fragment(&to_fragment(&bytes)),
            Err(SnapshotError::IsPlayground)
        ));
    }

    #[test]
    fn an_impossible_playground_is_refused() {
        let mut state = sample_state();
        if let ColumnOutcome::Generated(list) = &mut state.columns[0].outcome {
            list[0].tokens[0].logprob = Some(4.0);
        }
        let bytes = encode_playground(&state).unwrap();
        assert!(matches!(
            decode_shared(&bytes),
            Err(SnapshotError::InvalidPlayground(_))
        ));
        let bytes = encode_playground(&sample_state()).unwrap();
        assert!(decode_shared(&bytes[..bytes.len() - 3]).is_err());
    }
}
