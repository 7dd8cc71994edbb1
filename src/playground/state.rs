//! The playground's signals: one small `Copy` struct, provided as context. The columns hold what the
//! last Generate asked and each model's answer as it arrives; `cross` the generation being
//! cross-scored and each model's figure for it.

use crate::evaluate::Epochs;
use leptos::prelude::*;
use likely_core::colour::Theme;
use likely_core::playground::{
    Column, ColumnOutcome, CrossScore, Generated, PlaygroundParams, PlaygroundState,
};
use likely_core::ModelInfo;

/// One column's state.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnStatus {
    /// Its request is under way.
    Running,
    /// Its generations.
    Done(Vec<Generated>),
    /// Why it has none (the other columns keep theirs).
    Failed(String),
    /// Cancel was pressed before it answered.
    Cancelled,
}

/// One model's figure for the generation being cross-scored.
#[derive(Debug, Clone, PartialEq)]
pub enum CrossStatus {
    /// Its request is under way.
    Running,
    /// Its figure.
    Done(CrossScore),
    /// Why it has none.
    Failed(String),
}

/// The generation being cross-scored and each model's figure for it.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossRun {
    /// The model that wrote it.
    pub source: String,
    /// Which of its generations.
    pub generation: usize,
    /// Its text.
    pub text: String,
    /// Every model of the columns, with its figure (the source's from its own generation).
    pub figures: Vec<(String, CrossStatus)>,
}

/// What the last Generate asked: the prompt and parameters the columns answer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Asked {
    /// The prompt sent.
    pub prompt: String,
    /// The parameters sent.
    pub params: PlaygroundParams,
}

/// Every signal of the playground.
#[derive(Clone, Copy)]
pub struct Playground {
    /// The models the server offers.
    pub models: RwSignal<Vec<ModelInfo>>,
    /// The prompt being edited.
    pub prompt: RwSignal<String>,
    /// The parameters being edited.
    pub params: RwSignal<PlaygroundParams>,
    /// The baseline's name.
    pub baseline: RwSignal<String>,
    /// The other models' names.
    pub customs: RwSignal<Vec<String>>,
    /// What the columns answer.
    pub asked: RwSignal<Asked>,
    /// One column per model of the last Generate, baseline first.
    pub columns: RwSignal<Vec<(String, ColumnStatus)>>,
    /// The generation being cross-scored.
    pub cross: RwSignal<Option<CrossRun>>,
    /// A message for the whole page (a bad prompt, a broken link); model failures stay in their column.
    pub error: RwSignal<Option<String>>,
    /// Light or dark.
    pub theme: RwSignal<Theme>,
    /// The share link made, if any.
    pub link: RwSignal<Option<String>>,
    /// Generate's epochs, for Cancel.
    pub epochs: StoredValue<Epochs, LocalStorage>,
    /// Cross-scoring's epochs.
    pub cross_epochs: StoredValue<Epochs, LocalStorage>,
}

impl Playground {
    /// Fresh state with the worked example's parameters, provided as context.
    pub fn provide() -> Playground {
        let playground = Playground {
            models: RwSignal::new(Vec::new()),
            prompt: RwSignal::new(String::new()),
            params: RwSignal::new(PlaygroundParams::default()),
            baseline: RwSignal::new(String::new()),
            customs: RwSignal::new(Vec::new()),
            asked: RwSignal::new(Asked::default()),
            columns: RwSignal::new(Vec::new()),
            cross: RwSignal::new(None),
            error: RwSignal::new(None),
            theme: RwSignal::new(Theme::Light),
            link: RwSignal::new(None),
            epochs: StoredValue::new_local(Epochs::default()),
            cross_epochs: StoredValue::new_local(Epochs::default()),
        };
        provide_context(playground);
        playground
    }

    /// Whether any column or cross-score is still waiting for its answer.
    pub fn running(self) -> bool {
        self.columns
            .with(|c| c.iter().any(|(_, s)| *s == ColumnStatus::Running))
            || self.cross.with(|c| {
                c.as_ref()
                    .is_some_and(|c| c.figures.iter().any(|(_, s)| *s == CrossStatus::Running))
            })
    }

    /// The chosen models: the baseline, then the others, each once.
    pub fn chosen(self) -> Vec<String> {
        let mut chosen = vec![self.baseline.get_untracked()];
        for name in self.customs.get_untracked() {
            if !chosen.contains(&name) {
                chosen.push(name);
            }
        }
        chosen.retain(|name| !name.is_empty());
        chosen
    }

    /// The generation `index` of `model`'s column, if it has one.
    pub fn generation(self, model: &str, index: usize) -> Option<Generated> {
        self.columns.with_untracked(|columns| {
            columns
                .iter()
                .find(|(name, _)| name == model)
                .and_then(|(_, status)| match status {
                    ColumnStatus::Done(list) => list.get(index).cloned(),
                    _ => None,
                })
        })
    }

    /// The state a share link keeps: what the columns answer, and the models chosen.
    pub fn snapshot(self) -> PlaygroundState {
        let asked = self.asked.get_untracked();
        PlaygroundState {
            prompt: asked.prompt,
            params: asked.params,
            baseline: self.baseline.get_untracked(),
            customs: self.customs.get_untracked(),
            columns: self.columns.with_untracked(|columns| {
                columns
                    .iter()
                    .filter_map(|(model, status)| {
                        let outcome = match status {
                            ColumnStatus::Done(list) => ColumnOutcome::Generated(list.clone()),
                            ColumnStatus::Failed(why) => ColumnOutcome::Failed(why.clone()),
                            ColumnStatus::Running | ColumnStatus::Cancelled => return None,
                        };
                        Some(Column {
                            model: model.clone(),
                            outcome,
                        })
                    })
                    .collect()
            }),
        }
    }

    /// Shows a state read from a share link: its prompt, parameters, models and columns.
    pub fn restore(self, state: PlaygroundState) {
        self.prompt.set(state.prompt.clone());
        self.params.set(state.params.clone());
        self.baseline.set(state.baseline);
        self.customs.set(state.customs);
        self.asked.set(Asked {
            prompt: state.prompt,
            params: state.params,
        });
        self.cross.set(None);
        self.columns.set(
            state
                .columns
                .into_iter()
                .map(|column| {
                    let status = match column.outcome {
                        ColumnOutcome::Generated(list) => ColumnStatus::Done(list),
                        ColumnOutcome::Failed(why) => ColumnStatus::Failed(why),
                    };
                    (column.model, status)
                })
                .collect(),
        );
    }
}

/// The playground's state, from context.
pub fn use_playground() -> Playground {
    expect_context::<Playground>()
}
