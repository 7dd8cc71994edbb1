//! The page: loads the model list, opens a share link if there is one, and lays out the form, the
//! run's progress, the figures, the pills, the token view, the charts and the export.

use crate::api;
use crate::charts::Charts;
use crate::customize::preselect_from_location;
use crate::export::ExportPanel;
use crate::form::EvaluateForm;
use crate::results::{FailuresList, FiguresTable, PillsPanel, ProgressPanel};
use crate::share::{follow_hash_changes, open_from_location, ShareBanner, SharePanel};
use crate::state::Dashboard;
use crate::theme::follow_system;
use crate::tokens::TokenView;
use leptos::prelude::*;
use leptos::task::spawn_local;
use likely_core::example;

/// The whole dashboard.
#[component]
pub fn App() -> impl IntoView {
    let dashboard = Dashboard::provide();
    follow_system(dashboard.theme);
    open_from_location(dashboard);
    follow_hash_changes(dashboard);
    preselect_from_location(dashboard);

    spawn_local(async move {
        match api::list_models().await {
            Ok(list) => {
                let names: Vec<String> = list.models.iter().map(|m| m.name.clone()).collect();
                if !names.contains(&dashboard.baseline.get_untracked()) {
                    let (base, custom) = example::default_models(&names);
                    dashboard.baseline.set(base.unwrap_or_default());
                    dashboard.customs.set(custom.into_iter().collect());
                }
                dashboard.models.set(list.models);
            }
            Err(failure) => {
                let hint = if failure.status == Some(401) {
                    " Sign in at /login first."
                } else {
                    ""
                };
                dashboard
                    .error
                    .set(Some(format!("Cannot list the models: {failure}.{hint}")));
            }
        }
    });

    let theme = dashboard.theme;
    view! {
        <header class="masthead">
            <h1>"Likely"</h1>
            <p class="tagline">"Does your fine-tuned model beat its base? Token by token."</p>
        </header>
        <main>
            <ShareBanner />
            <EvaluateForm />
            <Show when=move || dashboard.error.get().is_some()>
                <p class="error" role="alert" data-testid="error-message">{move || dashboard.error.get().unwrap_or_default()}</p>
            </Show>
            <ProgressPanel />
            <FailuresList />
            <PillsPanel />
            <FiguresTable />
            <Show when=move || dashboard.has_text()>
                <TokenView />
            </Show>
            <Show when=move || dashboard.evaluation.with(Option::is_some)>
                <Charts evaluation=Signal::from(dashboard.evaluation) theme=Signal::from(theme) />
                <section class="panel">
                    <h2>"Keep and share"</h2>
                    <Show when=move || dashboard.has_text()>
                        <ExportPanel />
                    </Show>
                    <SharePanel />
                </section>
            </Show>
        </main>
    }
}
