//! The training form: the base, the new model's name (checked with likely-core's rule as it is typed),
//! the training file and an optional validation file; Train uploads them and follows the training,
//! then opens the new model's results page.

use super::follow::{follow, Shown};
use super::progress::TrainingProgress;
use crate::api;
use crate::routes::model_href;
use crate::when::When;
use leptos::prelude::*;
use leptos::task::spawn_local;
use likely_core::custom_model::{validate_name, TrainingStatus};
use web_sys::{File, FormData};

/// The model a new model adapts unless the person picks another.
const DEFAULT_BASE: &str = "base-light";
/// The file types the evaluation page reads too.
const ACCEPT: &str = ".txt,.jsonl,.csv";

fn chosen_file(input: &web_sys::HtmlInputElement) -> Option<File> {
    input.files().and_then(|files| files.get(0))
}

/// The multipart body of `POST /v1/custom-models` (a `File` part carries its own file name).
fn upload_form(
    name: &str,
    base: &str,
    train: &File,
    validation: Option<&File>,
) -> Result<FormData, String> {
    let form = FormData::new().map_err(|_| "this browser cannot build an upload".to_string())?;
    let appended = form
        .append_with_str("name", name)
        .and_then(|()| form.append_with_str("base", base))
        .and_then(|()| form.append_with_blob("train", train))
        .and_then(|()| match validation {
            Some(file) => form.append_with_blob("validation", file),
            None => Ok(()),
        });
    appended.map_err(|_| "this browser cannot attach the files".to_string())?;
    Ok(form)
}

/// The form and the progress of what it submitted.
#[component]
pub fn CustomizeForm() -> impl IntoView {
    let bases = RwSignal::new(vec![DEFAULT_BASE.to_string()]);
    let base = RwSignal::new(DEFAULT_BASE.to_string());
    let name = RwSignal::new(String::new());
    let train = RwSignal::new_local(None::<File>);
    let validation = RwSignal::new_local(None::<File>);
    let form_error = RwSignal::new(None::<String>);
    let shown = RwSignal::new(Shown::Idle);
    let submitting = RwSignal::new(false);

    spawn_local(async move {
        match api::list_models().await {
            Ok(list) => {
                let embedded: Vec<String> = list
                    .models
                    .into_iter()
                    .filter(|m| m.backend == "embedded")
                    .map(|m| m.name)
                    .collect();
                if !embedded.is_empty() {
                    let _ = bases.try_set(embedded);
                }
            }
            Err(failure) => {
                let _ = form_error.try_set(Some(format!("Cannot list the models: {failure}.")));
            }
        }
    });

    let name_problem = move || {
        name.with(|n| (!n.is_empty()).then(|| validate_name(n).err()).flatten())
            .map(|e| e.to_string())
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let new_name = name.get_untracked();
        if let Err(problem) = validate_name(&new_name) {
            form_error.set(Some(problem.to_string()));
            return;
        }
        let Some(train_file) = train.get_untracked() else {
            form_error.set(Some(
                "Choose a training file (.txt, .jsonl or .csv).".to_string(),
            ));
            return;
        };
        let form = match upload_form(
            &new_name,
            &base.get_untracked(),
            &train_file,
            validation.get_untracked().as_ref(),
        ) {
            Ok(form) => form,
            Err(why) => {
                form_error.set(Some(why));
                return;
            }
        };
        form_error.set(None);
        submitting.set(true);
        spawn_local(async move {
            match api::custom::create(&form).await {
                Ok(record) => {
                    shown.set(Shown::Record(Box::new(record)));
                    let last = follow(&new_name, shown).await;
                    if last.is_some_and(|r| r.status == TrainingStatus::Done) {
                        let _ = window().location().set_href(&model_href(&new_name));
                    }
                }
                Err(failure) => shown.set(Shown::Refused(failure.message)),
            }
            let _ = submitting.try_set(false);
        });
    };

    view! {
        <form class="evaluate-form customize-form" on:submit=submit>
            <h2>"Create a custom model"</h2>
            <p class="hint">"Adapts the base to your documents: same formats as a held-out set (.txt documents separated by blank lines, .jsonl with text or prompt + completion, .csv with a text column). Without a validation file every tenth document is held out."</p>
            <div class="model-pickers">
                <label class="field">
                    <span class="label">"Base model"</span>
                    <select
                        data-testid="customize-base"
                        prop:value=move || base.get()
                        on:change:target=move |ev| base.set(ev.target().value())
                    >
                        {move || bases.get().into_iter().map(|b| {
                            let selected = base.get_untracked() == b;
                            view! { <option value=b.clone() selected=selected>{b.clone()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span class="label">"New model's name"</span>
                    <input
                        type="text"
                        data-testid="customize-name"
                        placeholder="e.g. apiary-v1"
                        autocomplete="off"
                        spellcheck="false"
                        prop:value=move || name.get()
                        on:input:target=move |ev| name.set(ev.target().value())
                    />
                    <span class="hint error" data-testid="customize-name-error" hidden=move || name_problem().is_none()>
                        {name_problem}
                    </span>
                </label>
            </div>
            <div class="model-pickers">
                <label class="field">
                    <span class="label">"Training data"</span>
                    <input type="file" accept=ACCEPT data-testid="customize-file"
                        on:change:target=move |ev| train.set(chosen_file(&ev.target())) />
                </label>
                <label class="field">
                    <span class="label">"Validation data (optional)"</span>
                    <input type="file" accept=ACCEPT data-testid="customize-validation-file"
                        on:change:target=move |ev| validation.set(chosen_file(&ev.target())) />
                </label>
            </div>
            <div class="actions">
                <button type="submit" class="primary" data-testid="train-button"
                    disabled=move || submitting.get() || name_problem().is_some()>
                    {move || if submitting.get() { "Training…" } else { "Train" }}
                </button>
            </div>
            <When when=move || form_error.get().is_some()>
                <p class="error" role="alert" data-testid="customize-error">{move || form_error.get().unwrap_or_default()}</p>
            </When>
            <TrainingProgress shown=shown />
        </form>
    }
}
