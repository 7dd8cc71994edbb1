//! Opening a snippet in the token view from elsewhere on the page (a row of the snippet table, an
//! occurrence of a token string that moved, a point of the per-snippet chart): the snippet (and the
//! custom model, when one is named) becomes the token view's, the view scrolls into sight and, when a
//! token is named, that token takes the focus (so its tooltip shows) once the view has drawn it.

use crate::state::Dashboard;
use leptos::prelude::*;
use std::time::Duration;
use wasm_bindgen::JsCast;

/// Shows `snippet` in the token view, with `model` when given, and focuses its token `token`, when
/// given.
pub fn open_snippet(
    dashboard: Dashboard,
    snippet: usize,
    model: Option<String>,
    token: Option<usize>,
) {
    if !dashboard.has_text() {
        return;
    }
    dashboard.snippet.set(snippet);
    if let Some(model) = model.filter(|m| !m.is_empty()) {
        dashboard.token_model.set(model);
    }
    // The token view rewrites its text in an effect (a microtask); a timer runs after it.
    set_timeout(move || bring_into_view(token), Duration::ZERO);
}

fn bring_into_view(token: Option<usize>) {
    let Ok(Some(text)) = document().query_selector("[data-testid=\"token-text\"]") else {
        return;
    };
    if let Ok(Some(panel)) = text.closest("section") {
        panel.scroll_into_view_with_bool(true);
    }
    let span = token.and_then(|token| {
        text.query_selector(&format!("[data-index=\"{token}\"]"))
            .ok()
            .flatten()
    });
    if let Some(span) = span.and_then(|s| s.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = span.focus();
    }
}
