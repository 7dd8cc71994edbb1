//! The playground's form: the prompt, the model choosers (the evaluation page's), the Generate
//! parameters (ranges from `likely_core::rules`, clamped as typed), and Generate, Cancel, the worked
//! example's preset and Share.

use super::run::{cancel, generate};
use super::share::make_link;
use super::state::use_playground;
use crate::fields::{number_field, start_and_cancel, text_area, TextArea};
use crate::pickers::{model_names, ModelPickers};
use crate::when::When;
use leptos::prelude::*;
use likely_core::playground::{parse_stop_sequences, preset, stop_sequences_text};
use likely_core::rules;

/// The form.
#[component]
pub fn PlaygroundForm() -> impl IntoView {
    let playground = use_playground();
    let names = model_names(playground.models);
    let running = Memo::new(move |_| playground.running());
    let seed_text = move || {
        playground
            .params
            .with(|p| p.seed.map(|s| s.to_string()).unwrap_or_default())
    };
    let set_seed = move |text: String| {
        let text = text.trim();
        if text.is_empty() {
            playground.params.update(|p| p.seed = None);
        } else if let Ok(seed) = text.parse::<u64>() {
            playground.params.update(|p| p.seed = Some(seed));
        } else {
            playground.error.set(Some(format!(
                "The seed must be a whole number from 0 to {}; “{text}” is not one.",
                u64::MAX
            )));
        }
    };
    // Making a share link, as an action: the link lands in `playground.link`, a failure in the page's
    // message; the button waits while it is made.
    let share = Action::new_local(move |_: &()| async move {
        match make_link(playground).await {
            Ok(link) => playground.link.set(Some(link)),
            Err(message) => playground.error.set(Some(message)),
        }
    });
    let load_preset = move |_| {
        let (prompt, params) = preset();
        playground.prompt.set(prompt);
        playground.params.set(params);
    };
    view! {
        <form class="evaluate-form playground-form" on:submit=move |ev| { ev.prevent_default(); generate(playground); }>
            {text_area(
                TextArea {
                    label: "Prompt",
                    testid: "playground-prompt",
                    rows: "5",
                    placeholder: "Write the beginning of a text; every chosen model continues it…",
                },
                playground.prompt,
                Signal::from(false),
            )}
            <ModelPickers names=names baseline=playground.baseline customs=playground.customs />
            <fieldset class="params playground-params">
                <legend class="label">"Generate parameters (the same for every model)"</legend>
                <div class="param-grid">
                    {number_field(playground.params, rules::MAX_TOKENS, "max-tokens-input", "1", |p| f64::from(p.max_tokens), |p, v| p.max_tokens = rules::MAX_TOKENS.clamp_u32(v))}
                    {number_field(playground.params, rules::TEMPERATURE, "temperature-input", "0.05", |p| p.temperature, |p, v| p.temperature = rules::TEMPERATURE.clamp(v))}
                    {number_field(playground.params, rules::K, "k-input", "1", |p| f64::from(p.k), |p, v| p.k = rules::K.clamp_u32(v))}
                    {number_field(playground.params, rules::P, "p-input", "0.05", |p| p.p, |p, v| p.p = rules::P.clamp(v))}
                    {number_field(playground.params, rules::NUM_GENERATIONS, "num-generations-input", "1", |p| f64::from(p.num_generations), |p, v| p.num_generations = rules::NUM_GENERATIONS.clamp_u32(v))}
                    <label class="param">
                        <span>"seed"</span>
                        <input
                            type="text"
                            inputmode="numeric"
                            data-testid="seed-input"
                            placeholder="none: new samples"
                            prop:value=seed_text
                            on:change:target=move |ev| set_seed(ev.target().value())
                        />
                    </label>
                    <label class="param stops">
                        <span>"stop_sequences"</span>
                        <textarea
                            rows="2"
                            data-testid="stop-sequences-input"
                            placeholder="one per line; \\n is a line break"
                            prop:value=move || playground.params.with(|p| stop_sequences_text(&p.stop_sequences))
                            on:change:target=move |ev| {
                                let stops = parse_stop_sequences(&ev.target().value());
                                playground.params.update(|p| p.stop_sequences = stops);
                            }
                        ></textarea>
                    </label>
                </div>
                <p class="hint">"With a seed the same request gives the same text; without one every press draws new samples. Generated tokens are coloured by their likelihood (return_likelihoods GENERATION)."</p>
            </fieldset>
            <div class="actions">
                {start_and_cancel("generate-button", "Generate", "Generating…", running.into(), move || cancel(playground))}
                <button type="button" class="secondary" data-testid="preset-button" disabled=move || running.get() on:click=load_preset>
                    "Load the worked example (Hamlet)"
                </button>
                <When when=move || playground.columns.with(|c| !c.is_empty()) && !running.get()>
                    <button type="button" class="secondary" data-testid="share-button" disabled=move || share.pending().get() on:click=move |_| { share.dispatch(()); }>"Make a share link"</button>
                </When>
            </div>
            {move || playground.link.get().map(|link| view! {
                <label class="field share-link">
                    <span class="label">"Share link"</span>
                    <input type="text" readonly data-testid="share-link" prop:value=link />
                </label>
            })}
        </form>
    }
}
