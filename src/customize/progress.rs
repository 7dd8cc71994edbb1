//! A training's progress: its state (`data-state` queued, running, done or failed), the stages with
//! the current one marked, a bar, and the reason when it failed; a Cancel button while it runs.

use super::follow::{active, Shown};
use crate::api;
use crate::when::When;
use leptos::prelude::*;
use leptos::task::spawn_local;
use likely_core::custom_model::{CustomModel, TrainingStage, TrainingStatus};

/// The stages a person sees, in order.
const STAGES: [(TrainingStage, &str); 6] = [
    (TrainingStage::Reading, "reading"),
    (TrainingStage::Tokenizing, "tokenizing"),
    (TrainingStage::Counting, "counting"),
    (TrainingStage::Estimating, "estimating"),
    (TrainingStage::Tuning, "tuning"),
    (TrainingStage::Saving, "saving"),
];

/// The `data-state` of what is shown (a cancelled training counts as failed: it did not finish).
pub fn state_of(shown: &Shown) -> &'static str {
    match shown {
        Shown::Idle => "idle",
        Shown::Refused(_) => "failed",
        Shown::Record(record) => match record.status {
            TrainingStatus::Queued => "queued",
            TrainingStatus::Running => "running",
            TrainingStatus::Done => "done",
            TrainingStatus::Failed | TrainingStatus::Cancelled => "failed",
        },
    }
}

/// The words of a record's state.
fn summary(record: &CustomModel) -> String {
    let percent = (record.progress.clamp(0.0, 1.0) * 100.0).round();
    match record.status {
        TrainingStatus::Queued => match record.queue_position {
            Some(1) => "Queued: next to train.".to_string(),
            Some(n) => format!("Queued: {} trainings ahead.", n - 1),
            None => "Queued.".to_string(),
        },
        TrainingStatus::Running => format!("Training {}: {percent}%", record.name),
        TrainingStatus::Done => format!("{} is trained.", record.name),
        TrainingStatus::Failed | TrainingStatus::Cancelled => record
            .reason
            .clone()
            .unwrap_or_else(|| "the training stopped".to_string()),
    }
}

fn stages_view(record: &CustomModel) -> impl IntoView {
    let current = record.stage;
    let reached = current.and_then(|stage| STAGES.iter().position(|(s, _)| *s == stage));
    let done = record.status == TrainingStatus::Done;
    STAGES
        .iter()
        .enumerate()
        .map(|(index, (stage, label))| {
            let class = if Some(*stage) == current {
                "stage current"
            } else if done || reached.is_some_and(|r| index < r) {
                "stage past"
            } else {
                "stage"
            };
            view! { <li class=class data-stage=*label>{*label}</li> }
        })
        .collect_view()
}

/// The progress of the training in `shown`; nothing while idle.
#[component]
pub fn TrainingProgress(shown: RwSignal<Shown>) -> impl IntoView {
    let cancelling = RwSignal::new(false);
    move || {
        let current = shown.get();
        let state = state_of(&current);
        match current {
            Shown::Idle => None,
            Shown::Refused(reason) => Some(
                view! {
                    <div class="training" role="alert">
                        <p class="training-progress error" data-testid="training-progress" data-state=state>{reason}</p>
                    </div>
                }
                .into_any(),
            ),
            Shown::Record(record) => {
                let failed = state == "failed";
                let running = active(record.status);
                let name = record.name.clone();
                let cancel = move |_| {
                    let name = name.clone();
                    cancelling.set(true);
                    spawn_local(async move {
                        if let Err(failure) = api::custom::delete(&name).await {
                            shown.set(Shown::Refused(format!("Cannot cancel {name}: {failure}")));
                        }
                        let _ = cancelling.try_set(false);
                    });
                };
                let text = summary(&record);
                let stage = record.stage.map(|s| format!("{s:?}").to_lowercase()).unwrap_or_default();
                Some(
                    view! {
                        <div class="training" role="status">
                            <div class="training-progress" class:error=failed data-testid="training-progress" data-state=state data-stage=stage data-value=record.progress.to_string()>
                                {text}
                            </div>
                            <progress max="1" value=record.progress.to_string() aria-label="Training progress"></progress>
                            <ol class="stages">{stages_view(&record)}</ol>
                            <When when=move || running>
                                <button type="button" data-testid="cancel-training" disabled=move || cancelling.get() on:click=cancel.clone()>
                                    "Cancel training"
                                </button>
                            </When>
                        </div>
                    }
                    .into_any(),
                )
            }
        }
    }
}
