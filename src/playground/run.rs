//! Generate and Cancel: one request per chosen model, all at once, each answer written into its own
//! column as it arrives (a failure stays in its column); Cancel aborts what is in flight and keeps what
//! arrived. Cross-scoring: the chosen generation scored under every other model of the columns.

use super::state::{Asked, ColumnStatus, CrossRun, CrossStatus, Playground};
use crate::api;
use leptos::prelude::*;
use leptos::task::spawn_local;
use likely_core::playground::{cross_request, cross_score, read_generations, CrossScore};

/// Asks every chosen model to continue the prompt.
pub fn generate(playground: Playground) {
    let prompt = playground.prompt.get_untracked();
    if prompt.is_empty() {
        playground.error.set(Some(
            "Write a prompt first: there is nothing to continue.".into(),
        ));
        return;
    }
    let params = playground.params.get_untracked();
    if let Err(error) = params.check() {
        playground
            .error
            .set(Some(format!("Check the parameters: {error}.")));
        return;
    }
    let models = playground.chosen();
    if models.is_empty() {
        playground
            .error
            .set(Some("Choose at least one model.".into()));
        return;
    }
    playground.error.set(None);
    playground.link.set(None);
    playground.cross_epochs.with_value(|e| e.cancel());
    playground.cross.set(None);
    let control = playground.epochs.with_value(|e| e.start());
    playground.asked.set(Asked {
        prompt: prompt.clone(),
        params: params.clone(),
    });
    playground.columns.set(
        models
            .iter()
            .map(|model| (model.clone(), ColumnStatus::Running))
            .collect(),
    );
    for model in models {
        let control = control.clone();
        let request = params.request(model.clone(), prompt.clone());
        spawn_local(async move {
            let answer = api::generate(&request, control.abort_signal().as_ref()).await;
            if control.cancelled() {
                return;
            }
            let status = match answer {
                Ok(answer) => match read_generations(&answer) {
                    Ok(list) => ColumnStatus::Done(list),
                    Err(error) => {
                        ColumnStatus::Failed(format!("the answer could not be read: {error}"))
                    }
                },
                Err(failure) => ColumnStatus::Failed(failure.to_string()),
            };
            set_column(playground, &model, status);
        });
    }
}

fn set_column(playground: Playground, model: &str, status: ColumnStatus) {
    playground.columns.update(|columns| {
        if let Some((_, slot)) = columns.iter_mut().find(|(name, _)| name == model) {
            *slot = status;
        }
    });
}

/// Stops every request in flight; what arrived stays.
pub fn cancel(playground: Playground) {
    playground.epochs.with_value(|e| e.cancel());
    playground.cross_epochs.with_value(|e| e.cancel());
    playground.columns.update(|columns| {
        for (_, status) in columns.iter_mut() {
            if *status == ColumnStatus::Running {
                *status = ColumnStatus::Cancelled;
            }
        }
    });
    playground.cross.update(|cross| {
        if let Some(cross) = cross {
            for (_, status) in cross.figures.iter_mut() {
                if *status == CrossStatus::Running {
                    *status = CrossStatus::Failed("cancelled".into());
                }
            }
        }
    });
}

/// Scores generation `index` of `source` under every other model of the columns.
pub fn cross_score_generation(playground: Playground, source: String, index: usize) {
    let Some(generated) = playground.generation(&source, index) else {
        return;
    };
    let prompt = playground
        .asked
        .with_untracked(|asked| asked.prompt.clone());
    let models: Vec<String> = playground
        .columns
        .with_untracked(|columns| columns.iter().map(|(name, _)| name.clone()).collect());
    let control = playground.cross_epochs.with_value(|e| e.start());
    let own = CrossScore {
        average: generated.average(),
        tokens: generated.tokens.clone(),
    };
    playground.cross.set(Some(CrossRun {
        source: source.clone(),
        generation: index,
        text: generated.text.clone(),
        figures: models
            .iter()
            .map(|model| {
                let status = if *model == source {
                    CrossStatus::Done(own.clone())
                } else {
                    CrossStatus::Running
                };
                (model.clone(), status)
            })
            .collect(),
    }));
    for model in models.into_iter().filter(|model| *model != source) {
        let control = control.clone();
        let request = cross_request(model.clone(), &prompt, &generated.text);
        let prompt = prompt.clone();
        let text = generated.text.clone();
        spawn_local(async move {
            let answer = api::generate(&request, control.abort_signal().as_ref()).await;
            if control.cancelled() {
                return;
            }
            let status = match answer {
                Ok(answer) => match cross_score(&prompt, &text, &answer) {
                    Ok(score) => CrossStatus::Done(score),
                    Err(error) => {
                        CrossStatus::Failed(format!("the answer could not be read: {error}"))
                    }
                },
                Err(failure) => CrossStatus::Failed(failure.to_string()),
            };
            playground.cross.update(|cross| {
                if let Some((_, slot)) = cross
                    .as_mut()
                    .and_then(|c| c.figures.iter_mut().find(|(name, _)| *name == model))
                {
                    *slot = status;
                }
            });
        });
    }
}
