//! Exports of an evaluation: the value itself as pretty JSON (what a share link carries, readable), with
//! the per-snippet tables and the token strings that moved most beside it, and CSV per token, per
//! snippet (with each custom model's Δ sum and share of the total) and of the token strings that moved
//! most. Numbers are written in Rust's shortest exact form; empty cells mean "not available".
//!
//! Per token, models with the same tokens share rows: each snippet has one block of rows per distinct
//! tokenization, and a model's columns are empty in the blocks of other tokenizations, so nothing is
//! lost when tokenizers differ.
//!
//! Text cells (tokens, snippet texts, sources, statuses, model names) come from uploads and upstream
//! answers, so they may hold spreadsheet formulas (`=HYPERLINK(…)`). [`Cells::Safe`], the default,
//! prefixes a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return with an apostrophe
//! (OWASP's advice), so a spreadsheet shows it as text; [`Cells::Exact`] keeps every cell as it is, for
//! programs. Number cells are never prefixed.

use crate::comparison::distribution::{DistributionComparison, Position};
use crate::comparison::learned::{learned_all, Learned};
use crate::evaluation::results::{tokens_align, Outcome};
use crate::evaluation::Evaluation;
use crate::figures::bootstrap::RESAMPLES;
use crate::views::snippet_table::{snippet_tables, SnippetTable};
use crate::wire::scores::ScoredToken;
use serde::Serialize;
use thiserror::Error;

/// Why an export failed (not expected in practice: the value always serializes).
#[derive(Debug, Error)]
pub enum ExportError {
    /// JSON serialization failed.
    #[error("could not write JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// CSV writing failed.
    #[error("could not write CSV: {0}")]
    Csv(String),
}

impl From<csv::Error> for ExportError {
    fn from(e: csv::Error) -> Self {
        ExportError::Csv(e.to_string())
    }
}

/// How text cells are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Cells {
    /// Text that a spreadsheet would read as a formula gets a leading apostrophe.
    #[default]
    Safe,
    /// Every cell exactly as in the evaluation.
    Exact,
}

impl Cells {
    /// `text` as a cell of this style.
    pub fn text(self, text: &str) -> String {
        let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
        if self == Cells::Safe && formula {
            format!("'{text}")
        } else {
            text.to_string()
        }
    }
}

/// The JSON export: the evaluation's own fields, then the derived tables (a reader of the value
/// ignores them).
#[derive(Serialize)]
struct JsonExport<'a> {
    #[serde(flatten)]
    evaluation: &'a Evaluation,
    /// Per custom model, the per-snippet table against the baseline (`snippet_table`).
    snippet_tables: Vec<SnippetTable>,
    /// Per custom model, the token strings that rose and fell most (`learned`).
    learned_tokens: Vec<Learned>,
    /// Per custom model with whole-distribution figures (`distribution`): the pair's figures and,
    /// per snippet, each token's (`null` where there are none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    distribution: Vec<DistributionExport>,
}

/// One custom model's whole-distribution figures in the JSON export.
#[derive(Serialize)]
struct DistributionExport {
    #[serde(flatten)]
    figures: DistributionComparison,
    /// Per snippet, per token.
    snippets: Vec<Option<Vec<Option<Position>>>>,
}

fn distribution_exports(evaluation: &Evaluation) -> Vec<DistributionExport> {
    evaluation
        .distributions_with(RESAMPLES)
        .into_iter()
        .flatten()
        .map(|figures| DistributionExport {
            snippets: (0..evaluation.snippets.len())
                .map(|s| evaluation.positions(&figures.custom, s))
                .collect(),
            figures,
        })
        .collect()
}

/// The evaluation as pretty-printed JSON, with `snippet_tables` and `learned_tokens` beside its fields.
pub fn to_json(evaluation: &Evaluation) -> Result<String, ExportError> {
    Ok(serde_json::to_string_pretty(&JsonExport {
        evaluation,
        snippet_tables: snippet_tables(evaluation),
        learned_tokens: learned_all(evaluation),
        distribution: distribution_exports(evaluation),
    })?)
}

/// Tokens and, per model (index into the runs), the same tokens when that model has them.
type Group<'a> = (&'a [ScoredToken], Vec<Option<&'a [ScoredToken]>>);

fn number(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn finish(writer: csv::Writer<Vec<u8>>) -> Result<String, ExportError> {
    let bytes = writer
        .into_inner()
        .map_err(|e| ExportError::Csv(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| ExportError::Csv(e.to_string()))
}

/// One row per token: `snippet, source, token_index, token`, then per model `<m> logprob`,
/// `<m> top_token`, `<m> top_logprob`, `<m> rank`, then per custom model `<c> - <baseline> logprob`;
/// when a custom model has whole-distribution figures, then per such model `<c> kl` (KL(baseline ‖
/// custom), nats), `<c> same_top1` (1 or 0) and `<c> delta_p` (custom − baseline probability of the
/// token), on the rows of the baseline's tokenization.
pub fn tokens_csv(evaluation: &Evaluation, cells: Cells) -> Result<String, ExportError> {
    let runs: Vec<_> = evaluation.model_results().collect();
    let base = &evaluation.baseline.model.name;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
        "snippet".to_string(),
        "source".into(),
        "token_index".into(),
        "token".into(),
    ];
    for run in &runs {
        for column in ["logprob", "top_token", "top_logprob", "rank"] {
            header.push(cells.text(&format!("{} {column}", run.model.name)));
        }
    }
    for run in &evaluation.custom {
        header.push(cells.text(&format!("{} - {base} logprob", run.model.name)));
    }
    // Custom models with whole-distribution figures, and their figures per snippet.
    let with_figures: Vec<String> = evaluation
        .distributions_with(0)
        .into_iter()
        .flatten()
        .map(|d| d.custom)
        .collect();
    for name in &with_figures {
        for column in ["kl", "same_top1", "delta_p"] {
            header.push(cells.text(&format!("{name} {column}")));
        }
    }
    writer.write_record(&header)?;
    for (snippet, source) in evaluation.snippets.iter().enumerate() {
        let figures: Vec<Option<Vec<Option<Position>>>> = with_figures
            .iter()
            .map(|name| evaluation.positions(name, snippet))
            .collect();
        // Each distinct tokenization of this snippet, with the models (indices into `runs`) having it.
        let mut groups: Vec<Group> = Vec::new();
        for (m, run) in runs.iter().enumerate() {
            let Some(Outcome::Scored(result)) = run.outcomes.get(snippet) else {
                continue;
            };
            let tokens = result.tokens.as_slice();
            match groups.iter_mut().find(|(t, _)| tokens_align(t, tokens)) {
                Some((_, members)) => members[m] = Some(tokens),
                None => {
                    let mut members = vec![None; runs.len()];
                    members[m] = Some(tokens);
                    groups.push((tokens, members));
                }
            }
        }
        for (tokens, members) in &groups {
            for (index, token) in tokens.iter().enumerate() {
                let at = |m: usize| members[m].and_then(|t| t.get(index));
                let mut row = vec![
                    snippet.to_string(),
                    cells.text(&source.source.to_string()),
                    index.to_string(),
                    cells.text(&token.text),
                ];
                for m in 0..runs.len() {
                    let t = at(m);
                    row.push(number(t.and_then(|t| t.logprob)));
                    row.push(
                        t.and_then(|t| t.top.as_ref())
                            .map(|(text, _)| cells.text(text))
                            .unwrap_or_default(),
                    );
                    row.push(number(t.and_then(|t| t.top.as_ref()).map(|(_, l)| *l)));
                    row.push(
                        t.and_then(|t| t.rank)
                            .map(|r| r.to_string())
                            .unwrap_or_default(),
                    );
                }
                let base_logprob = at(0).and_then(|t| t.logprob);
                for m in 1..runs.len() {
                    let custom_logprob = at(m).and_then(|t| t.logprob);
                    row.push(number(custom_logprob.zip(base_logprob).map(|(c, b)| c - b)));
                }
                for per_token in &figures {
                    // Figures belong to the baseline's tokens: only its block carries them.
                    let here = per_token
                        .as_ref()
                        .filter(|_| members[0].is_some())
                        .and_then(|p| p.get(index).copied().flatten());
                    row.push(number(here.map(|p| p.kl)));
                    row.push(
                        here.map(|p| u8::from(p.same_top1).to_string())
                            .unwrap_or_default(),
                    );
                    row.push(number(here.map(|p| p.delta_p)));
                }
                writer.write_record(&row)?;
            }
        }
    }
    finish(writer)
}

/// One row per snippet: `snippet, source, text`, then per model `<m> status`, `<m> tokens` (scored),
/// `<m> avg_loglik`, then per custom model `<c> - <baseline> avg_loglik`, then per custom model
/// `<c> - <baseline> loglik_sum` and `<c> share_of_total` (the per-snippet table's columns).
pub fn snippets_csv(evaluation: &Evaluation, cells: Cells) -> Result<String, ExportError> {
    let runs: Vec<_> = evaluation.model_results().collect();
    let base = &evaluation.baseline.model.name;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["snippet".to_string(), "source".into(), "text".into()];
    for run in &runs {
        for column in ["status", "tokens", "avg_loglik"] {
            header.push(cells.text(&format!("{} {column}", run.model.name)));
        }
    }
    for run in &evaluation.custom {
        header.push(cells.text(&format!("{} - {base} avg_loglik", run.model.name)));
    }
    for run in &evaluation.custom {
        header.push(cells.text(&format!("{} - {base} loglik_sum", run.model.name)));
        header.push(cells.text(&format!("{} share_of_total", run.model.name)));
    }
    writer.write_record(&header)?;
    // Per custom model, its table row of each snippet (if both scored it).
    let tables: Vec<Vec<Option<_>>> = snippet_tables(evaluation)
        .into_iter()
        .map(|table| {
            let mut by_snippet = vec![None; evaluation.snippets.len()];
            for row in table.rows {
                if let Some(slot) = by_snippet.get_mut(row.snippet) {
                    *slot = Some(row);
                }
            }
            by_snippet
        })
        .collect();
    let averages: Vec<Vec<Option<f64>>> = runs
        .iter()
        .map(|run| evaluation.snippet_avg_logliks(&run.model.name))
        .collect();
    for (index, snippet) in evaluation.snippets.iter().enumerate() {
        let mut row = vec![
            index.to_string(),
            cells.text(&snippet.source.to_string()),
            cells.text(&snippet.text),
        ];
        for (m, run) in runs.iter().enumerate() {
            let (status, tokens) = match run.outcomes.get(index) {
                Some(Outcome::Scored(r)) => (
                    "scored".to_string(),
                    r.tokens
                        .iter()
                        .filter(|t| t.logprob.is_some())
                        .count()
                        .to_string(),
                ),
                Some(Outcome::Failed { reason }) => (format!("failed: {reason}"), String::new()),
                _ => ("pending".to_string(), String::new()),
            };
            row.extend([cells.text(&status), tokens, number(averages[m][index])]);
        }
        for m in 1..runs.len() {
            row.push(number(
                averages[m][index]
                    .zip(averages[0][index])
                    .map(|(c, b)| c - b),
            ));
        }
        for table in &tables {
            let row_of = table.get(index).and_then(Option::as_ref);
            row.push(number(row_of.map(|r| r.delta_sum)));
            row.push(number(row_of.and_then(|r| r.share)));
        }
        writer.write_record(&row)?;
    }
    finish(writer)
}

/// The token strings that rose and fell most, per custom model: `custom, baseline, direction` (`rose`
/// or `fell`), `rank` (1 = moved most), `token, count, mean_delta, total_delta`, `snippets` (the
/// snippets it occurs in, space-separated).
pub fn learned_csv(evaluation: &Evaluation, cells: Cells) -> Result<String, ExportError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "custom",
        "baseline",
        "direction",
        "rank",
        "token",
        "count",
        "mean_delta",
        "total_delta",
        "snippets",
    ])?;
    for learned in learned_all(evaluation) {
        for (direction, moves) in [("rose", &learned.rising), ("fell", &learned.falling)] {
            for (rank, m) in moves.iter().enumerate() {
                let snippets: Vec<String> = m.snippets().iter().map(usize::to_string).collect();
                writer.write_record([
                    cells.text(&learned.custom),
                    cells.text(&learned.baseline),
                    direction.to_string(),
                    (rank + 1).to_string(),
                    cells.text(&m.token),
                    m.count.to_string(),
                    m.mean_delta.to_string(),
                    m.total_delta.to_string(),
                    snippets.join(" "),
                ])?;
            }
        }
    }
    finish(writer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::tests::{result, two_models};

    fn rows(csv_text: &str) -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(csv_text.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect()
    }

    fn evaluation() -> Evaluation {
        let mut e = two_models(2);
        let mut base = result(&["To", " \"be\",\n", "x"], &[-2.5, -1.0]);
        base.tokens[1].top = Some((" the".into(), -0.5));
        base.tokens[1].rank = Some(4);
        e.set_outcome("base-light", 0, Outcome::Scored(base))
            .unwrap();
        e.set_outcome(
            "custom-base-light",
            0,
            Outcome::Scored(result(&["To", " \"be\",\n", "x"], &[-1.0, -1.5])),
        )
        .unwrap();
        e.set_outcome(
            "base-light",
            1,
            Outcome::Scored(result(&["ab", "c"], &[-3.0])),
        )
        .unwrap();
        e.set_outcome(
            "custom-base-light",
            1,
            Outcome::Scored(result(&["a", "bc"], &[-2.0])),
        )
        .unwrap();
        e
    }

    #[test]
    fn distribution_figures_join_both_exports_only_when_present() {
        let plain = evaluation();
        assert!(!tokens_csv(&plain, Cells::Safe).unwrap().contains(" kl"));
        assert!(!to_json(&plain).unwrap().contains("\"distribution\""));
        let mut e = plain;
        for (model, shift) in [("base-light", 0.0), ("custom-base-light", 0.2)] {
            if let Some(Outcome::Scored(result)) = e
                .results_of(model)
                .map(|run| run.outcomes[0].clone())
                .as_mut()
            {
                for (i, token) in result.tokens.iter_mut().enumerate().skip(1) {
                    token.id = Some(i as u32);
                    token.top_k = Some(crate::wire::scores::TopK::from_entries(vec![
                        (7, (0.5f64 - shift).ln(), String::new()),
                        (8, (0.3f64 + shift).ln(), String::new()),
                    ]));
                }
                result.tokens[0].id = Some(0);
                e.set_outcome(model, 0, Outcome::Scored(result.clone()))
                    .unwrap();
            }
        }
        let r = rows(&tokens_csv(&e, Cells::Safe).unwrap());
        assert_eq!(r[0].len(), 4 + 8 + 1 + 3);
        assert_eq!(r[0][13], "custom-base-light kl");
        let kl: f64 = r[2][13].parse().unwrap();
        assert!(kl > 0.0);
        assert_eq!(r[2][14], "0", "0.3 against 0.5: the top-1 moved");
        assert_eq!(r[1][13], "", "the first token has none");
        let json: serde_json::Value = serde_json::from_str(&to_json(&e).unwrap()).unwrap();
        let figures = &json["distribution"][0];
        assert_eq!(figures["custom"], "custom-base-light");
        assert_eq!(figures["positions"], 2);
        assert_eq!(figures["snippets"][0][1]["kl"], kl);
        assert_eq!(figures["same_top1"]["value"], 0.0);
    }

    #[test]
    fn json_export_is_the_value() {
        let e = evaluation();
        let json = to_json(&e).unwrap();
        assert!(json.contains("\n  \"schema_version\": 1"));
        assert_eq!(serde_json::from_str::<Evaluation>(&json).unwrap(), e);
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        let table = &value["snippet_tables"][0];
        assert_eq!(table["custom"], "custom-base-light");
        assert_eq!(table["rows"][0]["delta"], 0.5);
        assert_eq!(table["rows"].as_array().unwrap().len(), 2);
        let learned = &value["learned_tokens"][0];
        assert_eq!(learned["rising"][0]["token"], " \"be\",\n");
        assert_eq!(learned["falling"][0]["mean_delta"], -0.5);
        assert_eq!(learned["snippets_unpaired"], 1);
    }

    #[test]
    fn learned_rows_rank_each_direction_and_defuse_formulas() {
        let mut e = evaluation();
        e.set_outcome(
            "custom-base-light",
            0,
            Outcome::Scored(result(&["To", " \"be\",\n", "x"], &[-1.0, -0.25])),
        )
        .unwrap();
        let mut base = result(&["=A1", "-x", "x"], &[-2.0, -3.0]);
        base.tokens[1].rank = Some(1);
        e.set_outcome("base-light", 1, Outcome::Scored(base))
            .unwrap();
        e.set_outcome(
            "custom-base-light",
            1,
            Outcome::Scored(result(&["=A1", "-x", "x"], &[-3.0, -2.0])),
        )
        .unwrap();
        let r = rows(&learned_csv(&e, Cells::Safe).unwrap());
        assert_eq!(r[0][4], "token");
        // " \"be\",\n" rose 1.5, "x" rose 0.75 + 1; "-x" fell 1.
        assert_eq!(
            &r[1][..6],
            ["custom-base-light", "base-light", "rose", "1", "x", "2"]
        );
        assert_eq!(
            (r[1][6].as_str(), r[1][7].as_str(), r[1][8].as_str()),
            ("0.875", "1.75", "0 1")
        );
        assert_eq!(r[2][4], " \"be\",\n");
        assert_eq!(&r[3][2..6], ["fell", "1", "'-x", "1"]);
        assert_eq!(r.len(), 4);
        let exact = rows(&learned_csv(&e, Cells::Exact).unwrap());
        assert_eq!(exact[3][4], "-x");
    }

    #[test]
    fn token_rows_quote_and_group_by_tokenization() {
        let r = rows(&tokens_csv(&evaluation(), Cells::Exact).unwrap());
        assert_eq!(r[0].len(), 4 + 8 + 1);
        assert_eq!(r[0][4], "base-light logprob");
        assert_eq!(r[0][12], "custom-base-light - base-light logprob");
        assert_eq!(r[2][3], " \"be\",\n", "quotes and newlines survive");
        assert_eq!(&r[2][4..8], ["-2.5", " the", "-0.5", "4"]);
        assert_eq!(r[2][8], "-1");
        assert_eq!(r[2][12], "1.5");
        assert_eq!(r[1][4], "", "the first token has no likelihood");
        // Snippet 1: two tokenizations, two blocks of rows.
        assert_eq!(r.len(), 1 + 3 + 2 + 2);
        assert_eq!(
            (r[4][3].as_str(), r[4][4].as_str(), r[4][8].as_str()),
            ("ab", "", "")
        );
        assert_eq!(
            (r[7][3].as_str(), r[7][4].as_str(), r[7][8].as_str()),
            ("bc", "", "-2")
        );
        assert_eq!(r[7][12], "");
    }

    #[test]
    fn safe_cells_defuse_formulas_and_exact_cells_keep_them() {
        let mut e = evaluation();
        let mut tokens = result(&["=1+1", "@SUM(A1)", "\tx"], &[-1.0, -2.0]);
        tokens.tokens[1].top = Some(("+cmd".into(), -0.5));
        e.set_outcome("base-light", 1, Outcome::Scored(tokens))
            .unwrap();
        e.snippets[1].text = "-2+3 =HYPERLINK(\"http://x\")".into();
        let safe = rows(&tokens_csv(&e, Cells::default()).unwrap());
        let block: Vec<&str> = safe[4..7].iter().map(|r| r[3].as_str()).collect();
        assert_eq!(block, ["'=1+1", "'@SUM(A1)", "'\tx"]);
        assert_eq!(safe[5][5], "'+cmd");
        assert_eq!(safe[5][4], "-1", "numbers are never prefixed");
        let exact = rows(&tokens_csv(&e, Cells::Exact).unwrap());
        assert_eq!(exact[4][3], "=1+1");
        assert_eq!(exact[5][5], "+cmd");
        let snippets = rows(&snippets_csv(&e, Cells::Safe).unwrap());
        assert_eq!(snippets[2][2], "'-2+3 =HYPERLINK(\"http://x\")");
        assert_eq!(
            snippets[1][2], e.snippets[0].text,
            "plain text is untouched"
        );
        let exact = rows(&snippets_csv(&e, Cells::Exact).unwrap());
        assert_eq!(exact[2][2], e.snippets[1].text);
        assert_eq!(Cells::Safe.text("\rx"), "'\rx");
        assert_eq!(Cells::Safe.text("a=b"), "a=b");
    }

    #[test]
    fn snippet_rows() {
        let mut e = evaluation();
        e.snippets.push(crate::evaluation::Snippet::pasted("more"));
        e.baseline.outcomes.push(Outcome::Failed {
            reason: "HTTP 503".into(),
        });
        e.custom[0].outcomes.push(Outcome::Pending);
        let r = rows(&snippets_csv(&e, Cells::Exact).unwrap());
        assert_eq!(r[0].len(), 3 + 6 + 1 + 2);
        assert_eq!(r[1][3..6], ["scored", "2", "-1.75"]);
        assert_eq!(r[1][9], "0.5");
        assert_eq!(
            r[0][10..],
            [
                "custom-base-light - base-light loglik_sum",
                "custom-base-light share_of_total"
            ]
        );
        // Snippet 0: Δ sum 1; snippet 1: −2 + 3 = 1 (different tokens, sums still compare); total 2.
        assert_eq!(r[1][10..], ["1", "0.5"]);
        assert_eq!(r[2][10..], ["1", "0.5"]);
        assert_eq!(r[3][10..], ["", ""]);
        assert_eq!(r[3][3], "failed: HTTP 503");
        assert_eq!(r[3][6], "pending");
        assert_eq!(r[3][9], "");
    }
}
