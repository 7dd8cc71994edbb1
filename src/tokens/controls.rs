//! The token view's controls: colour mode, model, snippet, and the legend.

use super::paint::ColourMode;
use crate::when::When;
use leptos::prelude::*;
use likely_core::colour::{gradient_css, LegendStop};

/// The colour-mode, model and snippet pickers.
#[component]
pub fn TokenControls(
    mode: RwSignal<ColourMode>,
    model: RwSignal<String>,
    snippet: RwSignal<usize>,
    models: Signal<Vec<String>>,
    snippets: Signal<Vec<String>>,
) -> impl IntoView {
    view! {
        <div class="token-controls">
            <label>
                <span>"Colour by"</span>
                <select
                    data-testid="colour-mode"
                    prop:value=move || mode.get().key()
                    on:change:target=move |ev| mode.set(ColourMode::from_key(&ev.target().value()))
                >
                    <option value="difference">"difference from the baseline"</option>
                    <option value="loglik">"log-likelihood"</option>
                    <option value="rank">"rank (top-1 or not)"</option>
                    <option value="kl">"KL divergence from the baseline"</option>
                </select>
            </label>
            <label>
                <span>"Model"</span>
                <select
                    data-testid="token-model"
                    prop:value=move || model.get()
                    on:change:target=move |ev| model.set(ev.target().value())
                >
                    {move || models.get().into_iter().map(|name| {
                        let selected = model.get_untracked() == name;
                        view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <When when=move || { snippets.with(|s| s.len() > 1) }>
                <label>
                    <span>"Snippet"</span>
                    <select
                        data-testid="snippet-select"
                        prop:value=move || snippet.get().to_string()
                        on:change:target=move |ev| snippet.set(ev.target().value().parse().unwrap_or(0))
                    >
                        {move || snippets.get().into_iter().enumerate().map(|(index, label)| {
                            let selected = snippet.get_untracked() == index;
                            view! { <option value=index.to_string() selected=selected>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
            </When>
        </div>
    }
}

/// A horizontal legend: a gradient (or swatches) with labelled stops.
#[component]
pub fn Legend(stops: Vec<LegendStop>, title: String) -> impl IntoView {
    let gradient = gradient_css(&stops);
    view! {
        <figure class="legend" data-testid="token-legend">
            <div class="legend-bar" style=format!("background:{gradient}")></div>
            <div class="legend-labels">
                {stops.into_iter().map(|stop| view! { <span>{stop.label}</span> }).collect_view()}
            </div>
            <figcaption>{title}</figcaption>
        </figure>
    }
}
