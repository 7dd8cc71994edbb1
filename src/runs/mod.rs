//! `/runs`: the team's runs, newest first, 50 at a time (`runs-more` asks for the next page with the
//! previous page's `next`: keyset paging), filtered by model, set, author and free text through the
//! API (the filters are kept in the address, so a filtered list can be linked). Each row (`row`)
//! opens its run as a share link opens; the runs this browser recorded (or every run, on a server
//! with access control) can be deleted.

mod row;

use crate::api;
use crate::record::keys;
use crate::routes::{runs_href, Query, RunsQuery};
use crate::when::When;
use leptos::prelude::*;
use leptos::task::spawn_local;
use likely_core::record::RunSummary;
use row::RunRow;
use std::time::Duration;

/// How long typing may pause before the filters are asked for.
const TYPING_PAUSE: Duration = Duration::from_millis(250);

/// The list's signals.
#[derive(Clone, Copy)]
struct List {
    query: RwSignal<RunsQuery>,
    runs: RwSignal<Vec<RunSummary>>,
    next: RwSignal<Option<String>>,
    loading: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    /// Bumped by every new question: answers to an older one are dropped.
    generation: StoredValue<u64>,
}

impl List {
    /// Asks for the first page of the current filters (`more`: the page after the last one shown).
    fn fetch(self, more: bool) {
        let generation = if more {
            self.generation.get_value()
        } else {
            self.generation.update_value(|g| *g += 1);
            self.generation.get_value()
        };
        let query = self.query.get_untracked();
        let before = if more {
            self.next.get_untracked()
        } else {
            None
        };
        if more && before.is_none() {
            return;
        }
        self.loading.set(true);
        spawn_local(async move {
            let answer = api::record::list_runs(&query, before.as_deref()).await;
            if self.generation.try_get_value() != Some(generation) {
                return;
            }
            let _ = self.loading.try_set(false);
            match answer {
                Ok(page) => {
                    self.error.set(None);
                    if more {
                        self.runs.update(|runs| runs.extend(page.runs));
                    } else {
                        self.runs.set(page.runs);
                    }
                    self.next.set(page.next);
                }
                Err(failure) => self
                    .error
                    .set(Some(format!("The runs could not be listed: {failure}."))),
            }
        });
    }

    /// Changes one filter, and asks again once typing pauses.
    fn filter(self, change: impl FnOnce(&mut RunsQuery)) {
        self.query.update(change);
        let href = runs_href(&self.query.get_untracked());
        if let Ok(history) = window().history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&href));
        }
        self.generation.update_value(|g| *g += 1);
        let asked = self.generation.get_value();
        set_timeout(
            move || {
                if self.generation.try_get_value() == Some(asked) {
                    self.fetch(false);
                }
            },
            TYPING_PAUSE,
        );
    }

    /// Deletes run `id` (with this browser's token for it, if any) and takes its row away, also
    /// when the server no longer has it (404); any failure is said.
    async fn delete(self, id: String) {
        let token = keys::RUNS.token_of(&id);
        let result = api::record::delete_run(&id, token.as_deref()).await;
        if result.is_ok() || result.as_ref().is_err_and(|f| f.status == Some(404)) {
            keys::RUNS.forget(&id);
            self.runs.update(|runs| runs.retain(|run| run.id != id));
        }
        if let Err(failure) = result {
            self.error
                .set(Some(format!("The run was not deleted: {failure}.")));
        }
    }
}

/// One filter input.
#[component]
fn FilterInput(
    testid: &'static str,
    label: &'static str,
    placeholder: &'static str,
    value: Signal<String>,
    on_input: Callback<String>,
) -> impl IntoView {
    view! {
        <label class="field">
            <span class="label">{label}</span>
            <input type="search" data-testid=testid placeholder=placeholder
                prop:value=move || value.get()
                on:input:target=move |ev| on_input.run(ev.target().value()) />
        </label>
    }
}

/// The runs page.
#[component]
pub fn RunsPage() -> impl IntoView {
    let list = List {
        query: RwSignal::new(
            Query::parse(&window().location().search().unwrap_or_default()).runs(),
        ),
        runs: RwSignal::new(Vec::new()),
        next: RwSignal::new(None),
        loading: RwSignal::new(true),
        error: RwSignal::new(None),
        generation: StoredValue::new(0),
    };
    list.fetch(false);
    // Whether any run may be deleted (a server with access control).
    let capabilities = LocalResource::new(api::capabilities);
    let delete_any = Signal::derive(move || {
        capabilities.with(|c| {
            c.as_ref()
                .and_then(|c| c.as_ref().ok())
                .is_some_and(|c| c.record.as_ref().is_some_and(|r| r.access_control))
        })
    });
    // Deleting a run, as an action, once the person confirms.
    let delete = Action::new_local(move |id: &String| list.delete(id.clone()));
    let confirm_delete = Callback::new(move |id: String| {
        let question = "Delete this run from the team's record? This cannot be undone.";
        if window().confirm_with_message(question).unwrap_or(false) {
            delete.dispatch(id);
        }
    });
    let model = Signal::derive(move || list.query.with(|q| q.model.clone()));
    let dataset = Signal::derive(move || list.query.with(|q| q.dataset.clone()));
    let author = Signal::derive(move || list.query.with(|q| q.author.clone()));
    let text = Signal::derive(move || list.query.with(|q| q.text.clone()));
    view! {
        <header class="masthead">
            <h1>"Likely"</h1>
            <p class="tagline">"The team's runs: every finished evaluation, newest first."</p>
        </header>
        <main>
            <section class="panel runs-filters" aria-label="Filters">
                <FilterInput testid="runs-filter-model" label="Model" placeholder="exact name"
                    value=model on_input=Callback::new(move |v| list.filter(|q| q.model = v)) />
                <FilterInput testid="runs-filter-dataset" label="Held-out set" placeholder="fingerprint (64 hex digits)"
                    value=dataset on_input=Callback::new(move |v| list.filter(|q| q.dataset = v)) />
                <FilterInput testid="runs-filter-author" label="Author" placeholder="exact label"
                    value=author on_input=Callback::new(move |v| list.filter(|q| q.author = v)) />
                <FilterInput testid="runs-filter-text" label="Text" placeholder="in models, author, set name"
                    value=text on_input=Callback::new(move |v| list.filter(|q| q.text = v)) />
            </section>
            <When when=move || list.error.get().is_some()>
                <p class="error" role="alert" data-testid="error-message">{move || list.error.get().unwrap_or_default()}</p>
            </When>
            <section class="panel">
                <table class="results runs" data-testid="runs-table" data-loading=move || list.loading.get().to_string()>
                    <thead>
                        <tr><th>"When"</th><th>"Held-out set"</th><th>"Baseline"</th><th>"Custom models: Δ loss, Δ accuracy"</th><th>"Author"</th><th></th></tr>
                    </thead>
                    <tbody>
                        <For each=move || list.runs.get() key=|run| run.id.clone() let:run>
                            <RunRow run=run delete_any=delete_any on_delete=confirm_delete />
                        </For>
                    </tbody>
                </table>
                <When when=move || !list.loading.get() && list.runs.with(Vec::is_empty)>
                    <p class="hint" data-testid="runs-empty">"No runs match. Every evaluation that finishes on the Evaluate page is recorded here."</p>
                </When>
                <div class="actions">
                    <When when=move || list.next.with(Option::is_some)>
                        <button type="button" data-testid="runs-more" disabled=move || list.loading.get()
                            on:click=move |_| list.fetch(true)>"Show 50 more"</button>
                    </When>
                    <span class="hint" data-testid="runs-count" data-value=move || list.runs.with(Vec::len).to_string()>
                        {move || format!("{} shown", list.runs.with(Vec::len))}
                    </span>
                </div>
            </section>
        </main>
    }
}
