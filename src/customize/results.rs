//! A custom model's results page (`/models/<name>`): while it trains, its progress; once done, the
//! base and the new model evaluated in the browser on the model's validation documents by the
//! evaluation's own run engine, with the evaluation's pills and figures (a page-local [`Dashboard`]),
//! the training figures, the λ chart, links to the evaluation page and the playground, and Delete.

use super::follow::{follow, Shown};
use super::progress::TrainingProgress;
use super::training_figures::{validation_words, TrainingFigures};
use crate::actions::spec;
use crate::api;
use crate::charts::LambdaChart;
use crate::evaluate::{pending_jobs, start_jobs};
use crate::results::{FiguresTable, PillsPanel, ProgressPanel};
use crate::routes::{evaluation_href, playground_href, Preselect, CUSTOMIZE_PATH};
use crate::state::Dashboard;
use crate::theme::follow_system;
use crate::when::When;
use leptos::prelude::*;
use leptos::task::spawn_local;
use likely_core::custom_model::{CustomModel, TrainingStatus};
use likely_core::evaluation::{Evaluation, Snippet, SnippetSource};

/// Scores the validation documents of `record` with its base and itself.
async fn evaluate(
    dashboard: Dashboard,
    record: &CustomModel,
    evaluated: RwSignal<Option<(usize, bool)>>,
) {
    let validation = match api::custom::validation(&record.name).await {
        Ok(validation) => validation,
        Err(failure) => {
            let _ = dashboard.error.try_set(Some(format!(
                "Cannot read the validation documents: {failure}."
            )));
            return;
        }
    };
    let file = format!("{} validation", record.name);
    let snippets: Vec<Snippet> = validation
        .snippets
        .into_iter()
        .map(|text| Snippet {
            text,
            source: SnippetSource {
                file: Some(file.clone()),
                line: None,
            },
        })
        .collect();
    let _ = evaluated.try_set(Some((snippets.len(), validation.truncated)));
    let baseline = spec(dashboard, &record.base);
    let custom = spec(dashboard, &record.name);
    match Evaluation::new(snippets, Default::default(), baseline, vec![custom]) {
        Ok(evaluation) => {
            let jobs = pending_jobs(&evaluation);
            dashboard.evaluation.set(Some(evaluation));
            dashboard.epochs.with_value(|epochs| {
                start_jobs(dashboard.evaluation, jobs, epochs, dashboard.running)
            });
        }
        Err(error) => dashboard.error.set(Some(error.to_string())),
    }
}

/// Deletes the model, then goes back to /customize; a failure is put in `error`.
async fn delete_model(name: String, error: RwSignal<Option<String>>) {
    match api::custom::delete(&name).await {
        Ok(()) => {
            let _ = window().location().set_href(CUSTOMIZE_PATH);
        }
        Err(failure) => {
            let _ = error.try_set(Some(format!("Cannot delete {name}: {failure}.")));
        }
    }
}

/// The results page of the custom model `name`.
#[component]
pub fn ModelPage(name: String) -> impl IntoView {
    let dashboard = Dashboard::provide();
    follow_system(dashboard.theme);
    let shown = RwSignal::new(Shown::Idle);
    let evaluated = RwSignal::new(None::<(usize, bool)>);
    let followed = name.clone();
    spawn_local(async move {
        match api::list_models().await {
            Ok(list) => dashboard.models.set(list.models),
            Err(failure) => dashboard
                .error
                .set(Some(format!("Cannot list the models: {failure}."))),
        }
        if let Some(record) = follow(&followed, shown).await {
            if record.status == TrainingStatus::Done {
                // The list again: a model that just finished is now served.
                if let Ok(list) = api::list_models().await {
                    let _ = dashboard.models.try_set(list.models);
                }
                evaluate(dashboard, &record, evaluated).await;
            }
        }
    });
    let done =
        move || shown.with(|s| matches!(s, Shown::Record(r) if r.status == TrainingStatus::Done));
    let record = move || match shown.get() {
        Shown::Record(record) if record.status == TrainingStatus::Done => Some(*record),
        _ => None,
    };
    let theme = dashboard.theme;
    let error = dashboard.error;
    // Deleting the model, as an action, once the person confirms.
    let delete = Action::new_local(move |name: &String| delete_model(name.clone(), error));
    let confirm_delete = move |name: String| {
        let question = format!("Delete the custom model {name}? This cannot be undone.");
        if window().confirm_with_message(&question).unwrap_or(false) {
            delete.dispatch(name);
        }
    };
    view! {
        <header class="masthead">
            <h1>{format!("Likely: {name}")}</h1>
            <p class="tagline">"A custom model against its base, on data it did not train on."</p>
        </header>
        <main>
            <When when=move || !done()>
                <section class="panel"><TrainingProgress shown=shown /></section>
            </When>
            <When when=move || error.get().is_some()>
                <p class="error" role="alert" data-testid="error-message">{move || error.get().unwrap_or_default()}</p>
            </When>
            {move || record().map(|record| {
                let customs = vec![record.name.clone()];
                let evaluation_link = evaluation_href(&Preselect {
                    baseline: record.base.clone(),
                    customs: customs.clone(),
                    ..Preselect::default()
                });
                let playground_link = playground_href("", &record.base, &customs);
                let name = record.name.clone();
                let curve = record.lambda_curve.clone();
                let lambda = record.lambda;
                let summary_record = record.clone();
                view! {
                    <section class="panel">
                        <h2>{format!("{} (adapted from {})", record.name, record.base)}</h2>
                        <p data-testid="validation-summary"
                            data-documents=record.validation.documents
                            data-tokens=record.validation.tokens
                        >{move || validation_words(&summary_record, evaluated.get())}</p>
                        <div class="actions">
                            <a class="button primary" data-testid="open-evaluation" href=evaluation_link>"Open in the evaluation page"</a>
                            <a class="button" data-testid="open-playground" href=playground_link>"Open in the playground"</a>
                            <button type="button" class="danger" data-testid="delete-model"
                                disabled=move || delete.pending().get()
                                on:click=move |_| confirm_delete(name.clone())>"Delete this model"</button>
                        </div>
                        <TrainingFigures record=record />
                    </section>
                    <ProgressPanel />
                    <PillsPanel />
                    <FiguresTable />
                    <section class="panel charts">
                        <LambdaChart curve=curve lambda=lambda theme=Signal::from(theme) />
                    </section>
                }
            })}
        </main>
    }
}
