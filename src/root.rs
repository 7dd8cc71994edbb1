//! The app: the navigation between the pages and the page of the address (`crate::routes` reads
//! it; every link is a plain link, so the server's model list is fetched afresh on every page).

use crate::app::EvaluatePage;
use crate::customize::{CustomizePage, ModelPage};
use crate::datasets::DatasetPage;
use crate::playground::PlaygroundPage;
use crate::routes::{route_of, Route, CUSTOMIZE_PATH, EVALUATE_PATH, PLAYGROUND_PATH};
use crate::runs::RunsPage;
use leptos::prelude::*;
use likely_core::record::RUNS_PATH;

/// The navigation between the pages.
#[component]
fn Nav(route: Route) -> impl IntoView {
    let current = |on: bool| if on { "page" } else { "false" };
    let runs = matches!(route, Route::Runs | Route::Run(_) | Route::Dataset(_));
    view! {
        <nav class="site-nav" aria-label="Pages">
            <a href=EVALUATE_PATH data-testid="nav-evaluate" aria-current=current(route == Route::Evaluate)>"Evaluate"</a>
            <a href=PLAYGROUND_PATH data-testid="nav-playground" aria-current=current(route == Route::Playground)>"Playground"</a>
            <a href=CUSTOMIZE_PATH data-testid="nav-customize" aria-current=current(matches!(route, Route::Customize | Route::Model(_)))>"Customize"</a>
            <a href=RUNS_PATH data-testid="nav-runs" aria-current=current(runs)>"Runs"</a>
        </nav>
    }
}

/// The app: the navigation and the page of the address.
#[component]
pub fn Root() -> impl IntoView {
    let route = route_of(&window().location().pathname().unwrap_or_default());
    let page = match route.clone() {
        Route::Evaluate | Route::Run(_) => view! { <EvaluatePage /> }.into_any(),
        Route::Customize => view! { <CustomizePage /> }.into_any(),
        Route::Model(name) => view! { <ModelPage name=name /> }.into_any(),
        Route::Playground => view! { <PlaygroundPage /> }.into_any(),
        Route::Runs => view! { <RunsPage /> }.into_any(),
        Route::Dataset(fingerprint) => view! { <DatasetPage fingerprint=fingerprint /> }.into_any(),
    };
    view! {
        <Nav route=route />
        {page}
    }
}
