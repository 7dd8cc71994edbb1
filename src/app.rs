//! The evaluation page: loads the model list, opens a share link or a recorded run if the address
//! holds one (or sets up what its query asks), records each finished evaluation, and lays out the
//! form, the run's progress, the figures, the pills, the token view, the charts and the export.

use crate::charts::Charts;
use crate::export::ExportPanel;
use crate::form::EvaluateForm;
use crate::lazy;
use crate::pickers::fetch_models;
use crate::record::{follow_finished, load_from_query, Recording};
use crate::results::{
    open_snippet, DistributionTable, FailuresList, FiguresTable, MovedPanels, PillsPanel,
    ProgressPanel,
};
use crate::share::{follow_hash_changes, open_from_location, ShareBanner, SharePanel};
use crate::state::Dashboard;
use crate::theme::follow_system;
use crate::tokens::TokenView;
use crate::unsaved::guard_leaving;
use crate::when::When;
use leptos::prelude::*;
use leptos::wasm_split::{wasm_split, SplitLoaderError};

/// The evaluation page.
#[component]
pub fn EvaluatePage() -> impl IntoView {
    let dashboard = Dashboard::provide();
    let recording = Recording::provide();
    follow_system(dashboard.theme);
    open_from_location(dashboard);
    follow_hash_changes(dashboard);
    guard_leaving(dashboard);
    load_from_query(dashboard);
    follow_finished(dashboard, recording);

    fetch_models(
        dashboard.models,
        dashboard.baseline,
        dashboard.customs,
        dashboard.error,
    );

    view! {
        <header class="masthead">
            <h1>"Likely"</h1>
            <p class="tagline">"Does your fine-tuned model beat its base? Token by token."</p>
        </header>
        <main>
            <ShareBanner />
            <EvaluateForm />
            <When when=move || dashboard.error.get().is_some()>
                <p class="error" role="alert" data-testid="error-message">{move || dashboard.error.get().unwrap_or_default()}</p>
            </When>
            <ProgressPanel />
            <FailuresList />
            <PillsPanel />
            <MovedPanels />
            <FiguresTable />
            <DistributionTable />
            <When when=move || dashboard.has_text()>
                <TokenView />
            </When>
            <When when=move || dashboard.evaluation.with(Option::is_some)>
                {lazy::part(charts_and_keeping(dashboard), "the charts")}
            </When>
        </main>
    }
}

/// The charts and the export and share buttons, shown once there is an evaluation: downloaded then
/// (`crate::lazy`), as a first visit has none to show.
#[wasm_split(charts, wasm_split_path = ::leptos::wasm_split, fallible)]
fn charts_and_keeping(dashboard: Dashboard) -> Result<AnyView, SplitLoaderError> {
    Ok(view! {
        <Charts
            evaluation=Signal::from(dashboard.evaluation)
            theme=Signal::from(dashboard.theme)
            running=dashboard.running
            on_snippet=Callback::new(move |snippet| open_snippet(dashboard, snippet, None, None))
        />
        <section class="panel">
            <h2>"Keep and share"</h2>
            <When when=move || dashboard.has_text()>
                <ExportPanel />
            </When>
            <SharePanel />
        </section>
    }
    .into_any())
}
