//! The playground (`/playground`): one prompt, the same Generate parameters for every model, and a
//! column per chosen model with its generations, each generated token coloured by its likelihood with
//! the evaluation view's tooltip and keys (`tokens::TokenStrip`). One click cross-scores a generation
//! under every other model. `state` holds the signals, `run` the requests (Generate, Cancel,
//! cross-scoring), `columns`/`cross_view`/`form` the views, `tips` the tooltips, `load` the address
//! (shared state, prompt, models), `share` the link.

mod columns;
mod cross_view;
mod form;
mod load;
mod run;
mod share;
mod state;
mod tips;

use crate::theme::follow_system;
use crate::when::When;
use columns::Columns;
use cross_view::CrossScores;
use form::PlaygroundForm;
use leptos::prelude::*;
use state::Playground;

/// The playground page.
#[component]
pub fn PlaygroundPage() -> impl IntoView {
    let playground = Playground::provide();
    follow_system(playground.theme);
    load::load_from_location(playground);
    view! {
        <header class="masthead">
            <h1>"Likely"</h1>
            <p class="tagline">"Read what each model writes: one prompt, the same parameters, a column per model."</p>
        </header>
        <main class="playground">
            <PlaygroundForm />
            <When when=move || playground.error.get().is_some()>
                <p class="error" role="alert" data-testid="error-message">{move || playground.error.get().unwrap_or_default()}</p>
            </When>
            <Columns />
            <CrossScores />
        </main>
    }
}
