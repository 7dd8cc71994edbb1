//! The record from the command line: `likely runs` lists a server's runs (a table, or the API's JSON
//! with `--json`), and `likely eval --server URL --record` posts the finished evaluation as a run.

use super::failure::CallFailure;
use super::scorer::{read_json, unreachable, Server};
use likely_core::compare::Verdict;
use likely_core::evaluation::Evaluation;
use likely_core::record::{new_run, CreatedRun, RunList, RunSummary};
use likely_core::snapshot::Scope;
use likely_core::ModelInfo;
use std::fmt::Write;

/// `likely runs`: which runs to list, and where.
#[derive(Debug, Clone, clap::Args)]
pub struct RunsArgs {
    /// The `likely serve` to ask (sending LIKELY_ACCESS_TOKEN when set).
    #[arg(long, env = "LIKELY_SERVER", default_value = "http://127.0.0.1:8080")]
    pub server: String,
    /// Only runs on the held-out set with this fingerprint.
    #[arg(long)]
    pub dataset: Option<String>,
    /// Only runs with a model of this name.
    #[arg(long)]
    pub model: Option<String>,
    /// Only runs by this author.
    #[arg(long)]
    pub author: Option<String>,
    /// Only runs whose models, author or set name contain this text.
    #[arg(long = "text")]
    pub text: Option<String>,
    /// How many runs (newest first), 1 to 200.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Print the API's JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Why the record could not be reached or written.
#[derive(Debug, thiserror::Error)]
pub enum RecordFailure {
    /// The run could not be made.
    #[error("the evaluation could not be encoded: {0}")]
    Encode(#[from] likely_core::snapshot::SnapshotError),
    /// The server refused or could not be reached.
    #[error("{0}")]
    Call(CallFailure),
    /// The answer could not be printed.
    #[error("cannot print the runs: {0}")]
    Print(#[from] serde_json::Error),
}

/// Posts `evaluation` as a run on `server` (the snapshot holds everything; the server keeps what
/// its `--record` allows).
pub async fn record_run(
    server: &Server,
    evaluation: &Evaluation,
    infos: &[ModelInfo],
    author: Option<String>,
    set_name: Option<String>,
) -> Result<CreatedRun, RecordFailure> {
    let run = new_run(evaluation, infos, author, set_name, Scope::Everything)?;
    let request = server.client.post(server.url("v1/runs")).json(&run);
    let response = server
        .authorised(request)
        .send()
        .await
        .map_err(|e| RecordFailure::Call(unreachable(e)))?;
    read_json(response).await.map_err(RecordFailure::Call)
}

/// `likely runs`: what to print.
pub async fn list_runs(server: &Server, args: &RunsArgs) -> Result<String, RecordFailure> {
    let mut url = server.url("v1/runs");
    {
        let mut query = url.query_pairs_mut();
        for (name, value) in [
            ("dataset", &args.dataset),
            ("model", &args.model),
            ("author", &args.author),
            ("q", &args.text),
        ] {
            if let Some(value) = value {
                query.append_pair(name, value);
            }
        }
        query.append_pair("limit", &args.limit.to_string());
    }
    let response = server
        .authorised(server.client.get(url))
        .send()
        .await
        .map_err(|e| RecordFailure::Call(unreachable(e)))?;
    let list: RunList = read_json(response).await.map_err(RecordFailure::Call)?;
    if args.json {
        return Ok(format!("{}\n", serde_json::to_string_pretty(&list)?));
    }
    Ok(table(&list.runs))
}

fn verdict_mark(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Better => "better",
        Verdict::Worse => "worse",
        Verdict::WithinNoise => "noise",
        Verdict::Undetermined => "n/a",
    }
}

fn delta(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(
        || "n/a".to_string(),
        |v| likely_core::metric::signed(v, decimals),
    )
}

/// The runs as a table: when, set, baseline, each custom model's Δ loss and Δ accuracy, author, id.
pub fn table(runs: &[RunSummary]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<24} {:<20} {:<18} {:<44} {:<12} id",
        "when", "set", "baseline", "custom: Δ loss, Δ accuracy", "author"
    );
    for run in runs {
        let set = run.dataset.name.clone().unwrap_or_else(|| {
            format!(
                "set {}",
                &run.dataset.fingerprint[..12.min(run.dataset.fingerprint.len())]
            )
        });
        let customs: Vec<String> = run
            .customs
            .iter()
            .map(|c| {
                format!(
                    "{} {} ({}), {} ({})",
                    c.model,
                    delta(c.delta_loss, 3),
                    verdict_mark(c.loss_verdict),
                    delta(c.delta_accuracy.map(|a| a * 100.0), 1),
                    verdict_mark(c.accuracy_verdict)
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "{:<24} {:<20} {:<18} {:<44} {:<12} {}",
            run.created_at,
            set,
            run.baseline,
            customs.join("; "),
            run.author.as_deref().unwrap_or("-"),
            run.id
        );
    }
    if runs.is_empty() {
        out.push_str("no runs\n");
    }
    out
}
