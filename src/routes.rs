//! The page's routes, read from the address on load (every link is a plain link, so the server's
//! model list is fetched afresh on every page): `/customize` trains a custom model, `/models/<name>`
//! shows one's results, `/playground` is the playground, anything else is the evaluation page.

use crate::app::App;
use crate::customize::{CustomizePage, ModelPage};
use crate::playground::PlaygroundPage;
use leptos::prelude::*;
use likely_core::custom_model::validate_name;

/// Which page an address shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// The evaluation page.
    Evaluate,
    /// The Customize page.
    Customize,
    /// The results page of one custom model.
    Model(String),
    /// The playground.
    Playground,
}

/// The route of `pathname`.
pub fn route_of(pathname: &str) -> Route {
    let path = pathname.trim_end_matches('/');
    if path == "/customize" {
        return Route::Customize;
    }
    if path == "/playground" {
        return Route::Playground;
    }
    match path.strip_prefix("/models/") {
        Some(name) if validate_name(name).is_ok() => Route::Model(name.to_string()),
        _ => Route::Evaluate,
    }
}

/// The navigation between the pages.
#[component]
fn Nav(route: Route) -> impl IntoView {
    let current = |on: bool| if on { "page" } else { "false" };
    view! {
        <nav class="site-nav" aria-label="Pages">
            <a href="/" data-testid="nav-evaluate" aria-current=current(route == Route::Evaluate)>"Evaluate"</a>
            <a href="/playground" data-testid="nav-playground" aria-current=current(route == Route::Playground)>"Playground"</a>
            <a href="/customize" data-testid="nav-customize" aria-current=current(matches!(route, Route::Customize | Route::Model(_)))>"Customize"</a>
        </nav>
    }
}

/// The app: the navigation and the page of the address.
#[component]
pub fn Root() -> impl IntoView {
    let route = route_of(&window().location().pathname().unwrap_or_default());
    let page = match route.clone() {
        Route::Evaluate => view! { <App /> }.into_any(),
        Route::Customize => view! { <CustomizePage /> }.into_any(),
        Route::Model(name) => view! { <ModelPage name=name /> }.into_any(),
        Route::Playground => view! { <PlaygroundPage /> }.into_any(),
    };
    view! {
        <Nav route=route />
        {page}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customize::model_href;

    #[test]
    fn addresses_pick_their_page() {
        assert_eq!(route_of("/"), Route::Evaluate);
        assert_eq!(route_of("/customize"), Route::Customize);
        assert_eq!(route_of("/customize/"), Route::Customize);
        assert_eq!(route_of("/playground"), Route::Playground);
        assert_eq!(route_of("/playground/"), Route::Playground);
        assert_eq!(
            route_of("/models/apiary-1"),
            Route::Model("apiary-1".into())
        );
        assert_eq!(
            route_of(&model_href("legal.v2")),
            Route::Model("legal.v2".into())
        );
        assert_eq!(route_of("/models/"), Route::Evaluate);
        assert_eq!(route_of("/models/a/b"), Route::Evaluate);
        assert_eq!(route_of("/models/Bad"), Route::Evaluate);
    }
}
