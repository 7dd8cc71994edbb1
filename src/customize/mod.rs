//! Custom models in the page: the Customize page (`/customize`: the training form, its progress, the
//! list of custom models) and each model's results page (`/models/<name>`: pills and figures of base
//! against new model on the validation documents, the λ chart, links to the evaluation page).
//! `preselect` lets those links open the evaluation page with the models already chosen.

mod follow;
mod form;
mod list;
mod preselect;
mod progress;
mod results;
mod training_figures;

use crate::theme::follow_system;
use form::CustomizeForm;
use leptos::prelude::*;
use likely_core::colour::Theme;
use list::CustomModelsList;
pub use preselect::{preselect_from_location, preselected_models};
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

/// The link to a custom model's results page (custom model names need no escaping); `routes`
/// reads it back.
pub fn model_href(name: &str) -> String {
    format!("/models/{name}")
}

/// The evaluation page's address with `base` as the baseline and `custom` chosen against it.
pub fn evaluation_href(base: &str, custom: &str) -> String {
    format!("/?{}", preselect::query(base, custom))
}

/// The playground's address with the same preselection.
pub fn playground_href(base: &str, custom: &str) -> String {
    format!("/playground?{}", preselect::query(base, custom))
}
