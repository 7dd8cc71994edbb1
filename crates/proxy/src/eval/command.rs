//! `likely eval` end to end, once the binary has chosen where calls go: read the set, check the
//! models, build the evaluation as the page does (same snippets, the worked example's parameters,
//! each model's context length), run it, print the report, share it, and say how it ends.

use super::args::EvalArgs;
use super::failure::CallFailure;
use super::report::Report;
use super::run::{run_jobs, RunEnd};
use super::scorer::Scorer;
use super::share::{share, ShareFailure};
use likely_core::dataset::parse_file;
use likely_core::evaluation::{Evaluation, EvaluationError, Snippet};
use likely_core::params::GenerateParams;
use likely_core::results::ModelSpec;
use likely_core::{DatasetError, ModelList};
use std::path::Path;

/// Why `likely eval` could not give a verdict (exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// The set could not be read.
    #[error("cannot read {file}: {error}")]
    Read {
        /// The path given.
        file: String,
        /// Why.
        error: std::io::Error,
    },
    /// The set is not a held-out set.
    #[error("{0}")]
    Dataset(#[from] DatasetError),
    /// The model list could not be had.
    #[error("cannot list the models: {0}")]
    Models(CallFailure),
    /// A named model is not offered.
    #[error("unknown model `{name}`; the models are: {offered}")]
    UnknownModel {
        /// The name given.
        name: String,
        /// The names offered, comma-separated.
        offered: String,
    },
    /// The models cannot be compared as given.
    #[error("{0}")]
    Evaluation(#[from] EvaluationError),
    /// Some snippets could not be scored.
    #[error("{0} (model, snippet) jobs failed; the figures above leave them out")]
    Failed(usize),
    /// The share link could not be kept.
    #[error("{0}")]
    Share(#[from] ShareFailure),
    /// The run could not be recorded.
    #[error("the run was not recorded: {0}")]
    Record(#[from] super::record::RecordFailure),
    /// Standard output could not be written.
    #[error("cannot print the report: {0}")]
    Print(#[from] serde_json::Error),
}

/// How an evaluation ended, when it ended with a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// No custom model is worse on loss (or `--fail-if-worse` was not asked): status 0.
    Passed,
    /// `--fail-if-worse` and a custom model is worse on loss: status 1.
    Worse,
    /// Ctrl-C: status 130.
    Interrupted,
}

/// The snippets of the file at `path`, read as the page reads an upload of it.
pub fn read_set(path: &Path) -> Result<Vec<Snippet>, EvalError> {
    let bytes = std::fs::read(path).map_err(|error| EvalError::Read {
        file: path.display().to_string(),
        error,
    })?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    Ok(parse_file(&name, &bytes)?)
}

/// Runs the evaluation of `snippets` described by `args` through `scorer` and prints its report.
pub async fn run(
    scorer: &Scorer,
    args: &EvalArgs,
    snippets: Vec<Snippet>,
) -> Result<Verdict, EvalError> {
    let models = scorer.models().await.map_err(EvalError::Models)?;
    let baseline = spec(&models, &args.baseline)?;
    let custom = args
        .custom
        .iter()
        .map(|name| spec(&models, name))
        .collect::<Result<Vec<_>, _>>()?;
    let mut evaluation = Evaluation::new(snippets, GenerateParams::default(), baseline, custom)?;
    if run_jobs(scorer, &mut evaluation).await == RunEnd::Interrupted {
        eprintln!("likely eval: interrupted; nothing printed");
        return Ok(Verdict::Interrupted);
    }
    let mut report = Report::of(&evaluation);
    if let (true, true, Scorer::Server(server)) = (args.share, report.failures.is_empty(), scorer) {
        let link = share(server, &evaluation, args.share_scope.into()).await?;
        eprintln!(
            "likely eval: delete token (keep it secret): {}",
            link.delete_token
        );
        report.share_url = Some(link.url);
    }
    if let (true, true, Scorer::Server(server)) = (args.record, report.failures.is_empty(), scorer)
    {
        let set_name = args
            .file
            .file_name()
            .map(|name| name.to_string_lossy().into_owned());
        let run = super::record::record_run(
            server,
            &evaluation,
            &models.models,
            args.author.clone(),
            set_name,
        )
        .await?;
        report.run_url = Some(server.url(run.path.trim_start_matches('/')).to_string());
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.table());
        if let Some(url) = &report.share_url {
            println!("{url}");
        }
        if let Some(url) = &report.run_url {
            println!("recorded: {url}");
        }
    }
    for failure in &report.failures {
        eprintln!(
            "likely eval: {} failed on snippet {} ({}): {}",
            failure.model, failure.snippet, failure.source, failure.reason
        );
    }
    if !report.failures.is_empty() {
        return Err(EvalError::Failed(report.failures.len()));
    }
    Ok(if args.fail_if_worse && report.any_worse_on_loss() {
        Verdict::Worse
    } else {
        Verdict::Passed
    })
}

/// The model called `name` as the page knows it, from the server's list.
fn spec(models: &ModelList, name: &str) -> Result<ModelSpec, EvalError> {
    models
        .models
        .iter()
        .find(|info| info.name == name)
        .map(ModelSpec::from)
        .ok_or_else(|| EvalError::UnknownModel {
            name: name.to_string(),
            offered: models
                .models
                .iter()
                .map(|info| info.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
}
