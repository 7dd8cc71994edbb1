//! The app: the navigation between the pages and the page of the address (`crate::routes` reads
//! it; every link is a plain link, so the server's model list is fetched afresh on every page).
//!
//! The evaluation page, the one a first visit opens, is in the main wasm module; every other page is
//! downloaded when it is opened (`crate::lazy`).

use crate::app::EvaluatePage;
use crate::customize::{CustomizePage, ModelPage};
use crate::datasets::DatasetPage;
use crate::lazy;
use crate::playground::PlaygroundPage;
use crate::routes::{route_of, Route, CUSTOMIZE_PATH, EVALUATE_PATH, PLAYGROUND_PATH};
use crate::runs::RunsPage;
use leptos::prelude::*;
use leptos::wasm_split::{wasm_split, SplitLoaderError};
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
        Route::Customize => lazy::page(customize_page()),
        Route::Model(name) => lazy::page(model_page(name)),
        Route::Playground => lazy::page(playground_page()),
        Route::Runs => lazy::page(runs_page()),
        Route::Dataset(fingerprint) => lazy::page(dataset_page(fingerprint)),
    };
    view! {
        <Nav route=route />
        {page}
    }
}

// The split points: each page behind its own (`wasm_split` turns each into an async function that
// downloads the page's piece of wasm first; `fallible` makes a failed download an `Err`, not a
// panic).

#[wasm_split(customize, wasm_split_path = ::leptos::wasm_split, fallible)]
fn customize_page() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <CustomizePage /> }.into_any())
}

#[wasm_split(model, wasm_split_path = ::leptos::wasm_split, fallible)]
fn model_page(name: String) -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <ModelPage name=name /> }.into_any())
}

#[wasm_split(playground, wasm_split_path = ::leptos::wasm_split, fallible)]
fn playground_page() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <PlaygroundPage /> }.into_any())
}

#[wasm_split(runs, wasm_split_path = ::leptos::wasm_split, fallible)]
fn runs_page() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <RunsPage /> }.into_any())
}

#[wasm_split(dataset, wasm_split_path = ::leptos::wasm_split, fallible)]
fn dataset_page(fingerprint: String) -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <DatasetPage fingerprint=fingerprint /> }.into_any())
}
