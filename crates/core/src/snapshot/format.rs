//! Format version 2 of a snapshot, as postcard encodes it. Positional and append-only: a field is
//! never removed or reordered within a version; a new layout is a new version with its own reader.
//!
//! Per snippet the text is kept once; per model and snippet, the tokens are byte lengths into that
//! text (their own strings only when they do not spell it, as with byte-level pieces cut mid-letter),
//! with log-likelihood columns ([`FloatColumn`]) and optional ranks and ids.

use super::columns::FloatColumn;
use super::redact;
use super::{Scope, Snapshot, SnapshotError};
use crate::evaluation::params::GenerateParams;
use crate::evaluation::results::{ModelResults, ModelSpec, Outcome, SnippetResult};
use crate::evaluation::{Evaluation, Snippet, SnippetSource, SCHEMA_VERSION};
use crate::wire::scores::ScoredToken;
use crate::wire::ReturnLikelihoods;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct SnapshotV2 {
    pub(super) scope: Scope,
    params: Params,
    /// Baseline first.
    pub(super) models: Vec<Model>,
    pub(super) snippets: Vec<Text>,
    /// `outcomes[model][snippet]`.
    outcomes: Vec<Vec<WireOutcome>>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Params {
    max_tokens: u32,
    temperature: f64,
    k: u32,
    p: f64,
    return_likelihoods: ReturnLikelihoods,
    return_ranks: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Model {
    pub(super) name: String,
    vocab_size: Option<u32>,
    returns_top_token: bool,
    context_length: Option<u32>,
    tokenizer: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Text {
    text: String,
    file: Option<String>,
    line: Option<u64>,
}

#[derive(Debug, Serialize, Deserialize)]
enum WireOutcome {
    Pending,
    Failed(String),
    Scored(Box<Tokens>),
}

#[derive(Debug, Serialize, Deserialize)]
struct Tokens {
    /// Each token's length in bytes.
    lengths: Vec<u32>,
    /// The tokens' own strings, when they do not spell the snippet's text (empty otherwise).
    strings: Vec<String>,
    logprobs: FloatColumn,
    /// The top token's likelihood, where given.
    top_logprobs: FloatColumn,
    /// The top tokens' strings, one per present top likelihood.
    top_strings: Vec<String>,
    /// Ranks (0 = not given); empty when no token has one.
    ranks: Vec<u32>,
    /// Token ids plus one (0 = not given); empty when no token has one.
    ids: Vec<u64>,
    window_starts: Vec<u32>,
}

fn u32_of(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl SnapshotV2 {
    pub(super) fn from_evaluation(evaluation: &Evaluation, scope: Scope) -> SnapshotV2 {
        let redacted;
        let evaluation = match scope {
            Scope::Everything => evaluation,
            Scope::Figures => {
                redacted = redact::figures_only(evaluation);
                &redacted
            }
        };
        let params = &evaluation.params;
        SnapshotV2 {
            scope,
            params: Params {
                max_tokens: params.max_tokens,
                temperature: params.temperature,
                k: params.k,
                p: params.p,
                return_likelihoods: params.return_likelihoods,
                return_ranks: params.return_ranks,
            },
            models: evaluation
                .model_results()
                .map(|run| Model::of(&run.model))
                .collect(),
            snippets: evaluation
                .snippets
                .iter()
                .map(|snippet| Text {
                    text: snippet.text.clone(),
                    file: snippet.source.file.clone(),
                    line: snippet.source.line.map(|l| l as u64),
                })
                .collect(),
            outcomes: evaluation
                .model_results()
                .map(|run| {
                    run.outcomes
                        .iter()
                        .zip(&evaluation.snippets)
                        .map(|(outcome, snippet)| WireOutcome::of(outcome, &snippet.text))
                        .collect()
                })
                .collect(),
        }
    }

    pub(super) fn into_snapshot(self) -> Result<Snapshot, SnapshotError> {
        let damaged = |what: &str| SnapshotError::Damaged(what.to_string());
        if self.models.is_empty() {
            return Err(damaged("no model"));
        }
        if self.outcomes.len() != self.models.len() {
            return Err(damaged("the outcomes do not match the models"));
        }
        let snippets: Vec<Snippet> = self
            .snippets
            .into_iter()
            .map(|t| Snippet {
                text: t.text,
                source: SnippetSource {
                    file: t.file,
                    line: t.line.map(|l| usize::try_from(l).unwrap_or(usize::MAX)),
                },
            })
            .collect();
        let mut runs = Vec::with_capacity(self.models.len());
        for (model, outcomes) in self.models.into_iter().zip(self.outcomes) {
            if outcomes.len() != snippets.len() {
                return Err(damaged("a model's outcomes do not match the snippets"));
            }
            let outcomes = outcomes
                .into_iter()
                .zip(&snippets)
                .map(|(outcome, snippet)| outcome.into_outcome(&snippet.text))
                .collect::<Result<Vec<_>, _>>()?;
            runs.push(ModelResults {
                model: model.into_spec(),
                outcomes,
            });
        }
        let mut runs = runs.into_iter();
        let baseline = runs.next().ok_or_else(|| damaged("no model"))?;
        let p = self.params;
        Ok(Snapshot {
            scope: self.scope,
            evaluation: Evaluation {
                schema_version: SCHEMA_VERSION,
                snippets,
                params: GenerateParams {
                    max_tokens: p.max_tokens,
                    temperature: p.temperature,
                    k: p.k,
                    p: p.p,
                    return_likelihoods: p.return_likelihoods,
                    return_ranks: p.return_ranks,
                    // Version 2 predates the field: it reads as the default K (version 4 says).
                    top_logprobs: Some(crate::rules::DEFAULT_TOP_LOGPROBS),
                },
                baseline,
                custom: runs.collect(),
            },
        })
    }
}

impl Model {
    fn of(spec: &ModelSpec) -> Model {
        Model {
            name: spec.name.clone(),
            vocab_size: spec.vocab_size,
            returns_top_token: spec.returns_top_token,
            context_length: spec.context_length,
            tokenizer: spec.tokenizer.clone(),
        }
    }

    fn into_spec(self) -> ModelSpec {
        ModelSpec {
            name: self.name,
            vocab_size: self.vocab_size,
            returns_top_token: self.returns_top_token,
            context_length: self.context_length,
            tokenizer: self.tokenizer,
        }
    }
}

impl WireOutcome {
    fn of(outcome: &Outcome, text: &str) -> WireOutcome {
        match outcome {
            Outcome::Pending => WireOutcome::Pending,
            Outcome::Failed { reason } => WireOutcome::Failed(reason.clone()),
            Outcome::Scored(result) => WireOutcome::Scored(Box::new(Tokens::of(result, text))),
        }
    }

    fn into_outcome(self, text: &str) -> Result<Outcome, SnapshotError> {
        Ok(match self {
            WireOutcome::Pending => Outcome::Pending,
            WireOutcome::Failed(reason) => Outcome::Failed { reason },
            WireOutcome::Scored(tokens) => Outcome::Scored(tokens.into_result(text)?),
        })
    }
}

impl Tokens {
    fn of(result: &SnippetResult, text: &str) -> Tokens {
        let tokens = &result.tokens;
        let spells_text = tokens.iter().map(|t| t.text.len()).sum::<usize>() == text.len()
            && tokens
                .iter()
                .scan(0usize, |at, t| {
                    let start = *at;
                    *at += t.text.len();
                    Some(text.get(start..*at) == Some(t.text.as_str()))
                })
                .all(|same| same);
        let has = |f: fn(&ScoredToken) -> bool| tokens.iter().any(f);
        Tokens {
            lengths: tokens.iter().map(|t| u32_of(t.text.len())).collect(),
            strings: if spells_text {
                Vec::new()
            } else {
                tokens.iter().map(|t| t.text.clone()).collect()
            },
            logprobs: FloatColumn::new(tokens.iter().map(|t| t.logprob)),
            top_logprobs: FloatColumn::new(tokens.iter().map(|t| t.top.as_ref().map(|top| top.1))),
            top_strings: tokens
                .iter()
                .filter_map(|t| t.top.as_ref().map(|top| top.0.clone()))
                .collect(),
            ranks: if has(|t| t.rank.is_some()) {
                tokens.iter().map(|t| t.rank.unwrap_or(0)).collect()
            } else {
                Vec::new()
            },
            ids: if has(|t| t.id.is_some()) {
                tokens
                    .iter()
                    .map(|t| t.id.map_or(0, |id| u64::from(id) + 1))
                    .collect()
            } else {
                Vec::new()
            },
            window_starts: result.window_starts.iter().map(|&s| u32_of(s)).collect(),
        }
    }

    fn into_result(self, text: &str) -> Result<SnippetResult, SnapshotError> {
        let damaged = |what: &str| SnapshotError::Damaged(what.to_string());
        let count = self.lengths.len();
        let logprobs = self
            .logprobs
            .values()
            .filter(|v| v.len() == count)
            .ok_or_else(|| damaged("the log-likelihoods do not match the tokens"))?;
        let top_logprobs = self
            .top_logprobs
            .values()
            .filter(|v| v.len() == count)
            .ok_or_else(|| damaged("the top tokens do not match the tokens"))?;
        let tops = top_logprobs.iter().filter(|v| v.is_some()).count();
        if self.top_strings.len() != tops
            || !(self.strings.is_empty() || self.strings.len() == count)
            || !(self.ranks.is_empty() || self.ranks.len() == count)
            || !(self.ids.is_empty() || self.ids.len() == count)
        {
            return Err(damaged("the token columns differ in length"));
        }
        let strings = if self.strings.is_empty() {
            let mut at = 0usize;
            let mut strings = Vec::with_capacity(count);
            for &len in &self.lengths {
                let end = at.saturating_add(len as usize);
                let piece = text
                    .get(at..end)
                    .ok_or_else(|| damaged("the tokens do not spell the snippet"))?;
                strings.push(piece.to_string());
                at = end;
            }
            if at != text.len() {
                return Err(damaged("the tokens do not spell the snippet"));
            }
            strings
        } else {
            if self
                .strings
                .iter()
                .zip(&self.lengths)
                .any(|(s, &len)| s.len() != len as usize)
            {
                return Err(damaged("a token's length is wrong"));
            }
            self.strings
        };
        let mut top_strings = self.top_strings.into_iter();
        let tokens = strings
            .into_iter()
            .enumerate()
            .map(|(i, text)| ScoredToken {
                text,
                logprob: logprobs[i],
                top: top_logprobs[i].map(|lp| (top_strings.next().unwrap_or_default(), lp)),
                rank: self.ranks.get(i).copied().filter(|&r| r > 0),
                id: self
                    .ids
                    .get(i)
                    .and_then(|&id| id.checked_sub(1))
                    .and_then(|id| u32::try_from(id).ok()),
                top_k: None,
            })
            .collect();
        Ok(SnippetResult {
            tokens,
            window_starts: self.window_starts.iter().map(|&s| s as usize).collect(),
            frozen: None,
        })
    }
}
