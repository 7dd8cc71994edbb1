//! The custom models the server knows, each linked to its results page.

use crate::api;
use crate::routes::model_href;
use leptos::prelude::*;
use likely_core::custom_model::CustomModel;

fn row(model: CustomModel) -> impl IntoView {
    let status = format!("{:?}", model.status).to_lowercase();
    let name = model.name.clone();
    let state = status.clone();
    view! {
        <tr data-testid=format!("custom-model-{name}") data-state=state>
            <th scope="row">
                <a href=model_href(&name) data-testid=format!("custom-model-link-{name}")>{name.clone()}</a>
            </th>
            <td>{model.base}</td>
            <td>{status}</td>
            <td class="num">{model.training.tokens}</td>
            <td>{model.train_file}</td>
        </tr>
    }
}

/// The list (`custom-models`), or a line saying there is none yet.
#[component]
pub fn CustomModelsList() -> impl IntoView {
    let models = LocalResource::new(|| async {
        api::custom::list()
            .await
            .map(|list| list.models)
            .map_err(|failure| format!("Cannot list the custom models: {failure}."))
    });
    view! {
        <section class="panel" data-testid="custom-models">
            <h2>"Your custom models"</h2>
            {move || match models.get() {
                None => view! { <p class="hint">"Loading…"</p> }.into_any(),
                Some(Err(why)) => view! { <p class="error" role="alert">{why}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => {
                    view! { <p class="hint">"None yet: train one above."</p> }.into_any()
                }
                Some(Ok(list)) => view! {
                    <table class="results">
                        <thead>
                            <tr>
                                <th scope="col">"Model"</th>
                                <th scope="col">"Base"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col">"Training tokens"</th>
                                <th scope="col">"File"</th>
                            </tr>
                        </thead>
                        <tbody>{list.into_iter().map(row).collect_view()}</tbody>
                    </table>
                }
                .into_any(),
            }}
        </section>
    }
}
