//! Custom models in the page: the Customize page (`/customize`: the training form, its progress, the
//! list of custom models) and each model's results page (`/models/<name>`: pills and figures of base
//! against new model on the validation documents, the λ chart, links to the evaluation page).

mod follow;
mod form;
mod list;
mod progress;
mod results;
mod training_figures;

use crate::theme::follow_system;
use form::CustomizeForm;
use leptos::prelude::*;
use likely_core::colour::Theme;
use list::CustomModelsList;
pub use results::ModelPage;

/// The Customize page.
#[component]
pub fn CustomizePage() -> impl IntoView {
    let theme = RwSignal::new(Theme::Light);
    follow_system(theme);
    view! {
        <header class="masthead">
            <h1>"Likely"</h1>
            <p class="tagline">"Create a custom model from your own data."</p>
        </header>
        <main>
            <CustomizeForm />
            <CustomModelsList />
        </main>
    }
}
