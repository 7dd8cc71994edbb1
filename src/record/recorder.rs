//! Records each evaluation that finishes: when a run of the page stops with every snippet scored by
//! every model (not cancelled, none failed), its set is kept for the team if asked, then it is posted
//! as a run (`likely_core::record::new_run`, the body the CLI posts) with a snapshot holding what the
//! server keeps: everything when it records everything, the figures only otherwise, so no held-out
//! text leaves the browser for a server that would not keep it. A server that records nothing
//! (`--record off`, `--store none`) is sent nothing.

use super::keys;
use super::state::{Recording, ServerRecord, Status};
use crate::api;
use crate::state::{Dashboard, Upload};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos::wasm_split::{wasm_split, SplitLoaderError};
use likely_core::evaluation::Evaluation;
use likely_core::record::{
    new_run, NewDataset, RecordCapabilities, RecordMode, MAX_SET_NAME_CHARS,
};
use likely_core::results::Outcome;
use likely_core::snapshot::Scope;
use likely_core::ModelInfo;
use std::future::Future;
use std::pin::Pin;

/// Whether every model scored every snippet (nothing pending after a cancel, nothing failed).
pub fn is_finished(evaluation: &Evaluation) -> bool {
    evaluation
        .model_results()
        .all(|run| run.outcomes.iter().all(|o| matches!(o, Outcome::Scored(_))))
}

/// What the posted snapshot holds when the server keeps `mode`.
pub fn scope_for(mode: RecordMode) -> Scope {
    match mode {
        RecordMode::Everything => Scope::Everything,
        RecordMode::Figures | RecordMode::Off => Scope::Figures,
    }
}

/// The name a set is recorded and kept under: its file's name, cut to the longest allowed.
pub fn set_name(upload: &Upload) -> String {
    let name = upload.file.trim();
    let name = if name.is_empty() {
        "held-out set"
    } else {
        name
    };
    name.chars().take(MAX_SET_NAME_CHARS).collect()
}

/// Asks the server what it records, then records each evaluation that finishes.
pub fn follow_finished(dashboard: Dashboard, recording: Recording) {
    spawn_local(async move {
        let server = match api::capabilities().await {
            Ok(capabilities) => match capabilities.record {
                Some(record) => ServerRecord::Kept(record),
                None => ServerRecord::None,
            },
            Err(failure) => ServerRecord::Unreachable(failure.to_string()),
        };
        let _ = recording.server.try_set(server);
    });
    Effect::new(move |was_running: Option<bool>| {
        let running = dashboard.running.get();
        if was_running == Some(true) && !running {
            on_finished(dashboard, recording);
        }
        running
    });
}

/// What one finished evaluation needs to be recorded.
struct Finished {
    evaluation: Evaluation,
    infos: Vec<ModelInfo>,
    author: String,
    upload: Option<Upload>,
    keep: bool,
}

fn on_finished(dashboard: Dashboard, recording: Recording) {
    let Some(evaluation) = dashboard.evaluation.with_untracked(Clone::clone) else {
        return;
    };
    if !is_finished(&evaluation) {
        return;
    }
    // The upload on screen, if it is the set that was evaluated.
    let upload = dashboard
        .upload
        .get_untracked()
        .filter(|upload| upload.snippets == evaluation.snippets);
    let finished = Finished {
        evaluation,
        infos: dashboard.models.get_untracked(),
        author: recording.author.get_untracked(),
        upload,
        keep: recording.keep.get_untracked(),
    };
    recording.status.set(Some(Status::Sending));
    spawn_local(async move {
        // The finished figures are drawn first; the run's intervals are computed after.
        gloo_timers::future::TimeoutFuture::new(0).await;
        let server = recording.server.get_untracked();
        let status = match recorder(finished, server).await {
            Ok(recording) => recording.await,
            Err(_) => Status::NotRecorded(
                "the page's recorder could not be downloaded (reload the page)".into(),
            ),
        };
        let _ = recording.status.try_set(Some(status));
    });
}

/// Recording `finished`: its code is in the charts' piece of wasm (`crate::lazy`), downloaded
/// already, as every evaluation that finishes has shown its charts.
#[wasm_split(charts, wasm_split_path = ::leptos::wasm_split, fallible)]
fn recorder(
    finished: Finished,
    server: ServerRecord,
) -> Result<Pin<Box<dyn Future<Output = Status>>>, SplitLoaderError> {
    Ok(Box::pin(record(finished, server)))
}

async fn capabilities_of(server: ServerRecord) -> Result<RecordCapabilities, String> {
    const NONE: &str = "this server keeps no record of evaluations (started with --store none)";
    match server {
        ServerRecord::Kept(record) => Ok(record),
        ServerRecord::None => Err(NONE.into()),
        ServerRecord::Unknown | ServerRecord::Unreachable(_) => match api::capabilities().await {
            Ok(capabilities) => capabilities.record.ok_or_else(|| NONE.to_string()),
            Err(failure) => Err(format!("the server could not be asked: {failure}")),
        },
    }
}

async fn record(finished: Finished, server: ServerRecord) -> Status {
    let capabilities = match capabilities_of(server).await {
        Ok(capabilities) => capabilities,
        Err(why) => return Status::NotRecorded(why),
    };
    if capabilities.mode == RecordMode::Off {
        return Status::NotRecorded(
            "this server does not record evaluations (started with --record off); nothing was sent"
                .into(),
        );
    }
    let mut name = finished.upload.as_ref().map(set_name);
    let mut set = None;
    if finished.keep {
        set = Some(match &finished.upload {
            Some(upload) => {
                let new = NewDataset {
                    name: set_name(upload),
                    description: None,
                    snippets: upload.snippets.clone(),
                };
                match api::record::keep_dataset(&new).await {
                    Ok(kept) if kept.created => {
                        name = Some(kept.dataset.name.clone());
                        format!("The set “{}” is kept for the team.", kept.dataset.name)
                    }
                    Ok(kept) => {
                        name = Some(kept.dataset.name.clone());
                        format!(
                            "The set was kept for the team already, as “{}”.",
                            kept.dataset.name
                        )
                    }
                    Err(failure) => format!("The set was not kept: {failure}."),
                }
            }
            None => "Only an uploaded set can be kept for the team: the pasted text was not kept."
                .into(),
        });
    }
    let author = Some(finished.author).filter(|a| !a.trim().is_empty());
    let run = match new_run(
        &finished.evaluation,
        &finished.infos,
        author,
        name,
        scope_for(capabilities.mode),
    ) {
        Ok(run) => run,
        Err(error) => return Status::NotRecorded(format!("it could not be encoded: {error}")),
    };
    match api::record::record_run(&run).await {
        Ok(created) => {
            keys::RUNS.remember(&created.id, &created.delete_token);
            Status::Recorded {
                id: created.id,
                mode: created.recorded,
                set,
            }
        }
        Err(failure) => Status::NotRecorded(format!("the server refused it: {failure}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::test_data::with_models;
    use likely_core::evaluation::Snippet;
    use likely_core::params::GenerateParams;
    use likely_core::results::ModelSpec;

    #[test]
    fn only_an_evaluation_with_every_snippet_scored_is_finished() {
        let evaluation = Evaluation::new(
            vec![Snippet::pasted("a b c"), Snippet::pasted("d e f")],
            GenerateParams::default(),
            ModelSpec::named("base"),
            vec![ModelSpec::named("tune")],
        )
        .unwrap();
        // Fresh (or cancelled at once): everything pending.
        assert!(!is_finished(&evaluation));
        let mut failed = evaluation.clone();
        failed
            .set_outcome(
                "tune",
                1,
                Outcome::Failed {
                    reason: "503".into(),
                },
            )
            .unwrap();
        assert!(!is_finished(&failed));
        let scored = with_models(&[("base", &[&[-1.0, -2.0]]), ("tune", &[&[-0.5, -1.0]])]);
        assert!(is_finished(&scored));
        let cancelled = with_models(&[("base", &[&[-1.0], &[-2.0]]), ("tune", &[&[-0.5]])]);
        assert!(!is_finished(&cancelled));
    }

    #[test]
    fn the_snapshot_holds_texts_only_for_a_server_keeping_everything() {
        assert_eq!(scope_for(RecordMode::Everything), Scope::Everything);
        assert_eq!(scope_for(RecordMode::Figures), Scope::Figures);
        assert_eq!(scope_for(RecordMode::Off), Scope::Figures);
    }

    #[test]
    fn sets_are_named_by_their_file_within_the_limit() {
        let upload = |file: &str| Upload {
            file: file.into(),
            snippets: vec![Snippet::pasted("x")],
        };
        assert_eq!(set_name(&upload("legal.jsonl")), "legal.jsonl");
        assert_eq!(set_name(&upload("  ")), "held-out set");
        assert_eq!(
            set_name(&upload(&"é".repeat(500))).chars().count(),
            MAX_SET_NAME_CHARS
        );
    }
}
