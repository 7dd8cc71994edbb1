//! The input form: the held-out text or set (uploaded, or kept for the team), the baseline and the
//! custom models, the parameters, the team record's author and "keep for the team", and
//! the Evaluate / Cancel / example buttons, and the link sending the text's beginning to the playground.

mod params;
mod upload;

use crate::actions;
use crate::fields::{start_and_cancel, text_area, TextArea};
use crate::pickers::{model_names, ModelPickers};
use crate::record::{KeptSetPicker, RecordControls};
use crate::routes::playground_href;
use crate::state::use_dashboard;
use crate::when::When;
use leptos::prelude::*;
use likely_core::example;
use likely_core::playground::prompt_from_text;
use params::ParamsPanel;
use upload::UploadControl;

/// The form.
#[component]
pub fn EvaluateForm() -> impl IntoView {
    let dashboard = use_dashboard();
    let names = model_names(dashboard.models);
    let running = dashboard.running;
    // The transformer pair of the worked example, when the server offers both its models.
    let transformer_offered = move || {
        names
            .with(|names| example::offered_pairs(names))
            .contains(&(example::TRANSFORMER_BASELINE, example::TRANSFORMER_CUSTOM))
    };
    view! {
        <form class="evaluate-form" on:submit=move |ev| { ev.prevent_default(); actions::evaluate(dashboard); }>
            {text_area(
                TextArea {
                    label: "Held-out text",
                    testid: "prompt-input",
                    rows: "7",
                    placeholder: "Paste text the models did not see in training…",
                },
                dashboard.text,
                Signal::derive(move || dashboard.upload.with(Option::is_some)),
            )}
            <UploadControl />
            <KeptSetPicker />
            <ModelPickers names=names baseline=dashboard.baseline customs=dashboard.customs />
            <ParamsPanel />
            <RecordControls />
            <div class="actions">
                {start_and_cancel("evaluate-button", "Evaluate", "Evaluating…", running.into(), move || actions::cancel(dashboard))}
                <button
                    type="button"
                    class="secondary"
                    data-testid="example-button"
                    disabled=move || running.get()
                    on:click=move |_| actions::load_example(dashboard)
                >
                    "Load the worked example (Hamlet)"
                </button>
                <When when=move || transformer_offered()>
                    <button
                        type="button"
                        class="secondary"
                        data-testid="example-transformer-button"
                        title="The same prompt with smollm2-135m against smollm2-135m-shakespeare"
                        disabled=move || running.get()
                        on:click=move |_| actions::load_transformer_example(dashboard)
                    >
                        "Worked example with SmolLM2"
                    </button>
                </When>
                <a
                    class="button secondary"
                    data-testid="send-to-playground"
                    title="Open the playground with this text's beginning as the prompt and the same models"
                    href=move || playground_href(
                        &prompt_from_text(&dashboard.text.get()),
                        &dashboard.baseline.get(),
                        &dashboard.customs.get(),
                    )
                >"Continue its beginning in the playground"</a>
            </div>
        </form>
    }
}
