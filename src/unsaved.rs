//! Whether the evaluation on screen would be lost by replacing it, and asking first. An evaluation is
//! unsaved when it holds at least one scored snippet and differs from the last one exported or shared
//! (a run that went on after an export is unsaved again). Evaluate, Load example and opening a share
//! link pasted into the open page call [`confirm_replace`] before they replace it; exporting, sharing
//! and opening a share link (its evaluation is kept by the link) call [`mark_saved`]. Leaving the page
//! (a stored `/s/<id>` link or any other address, reloading, closing the tab) is a full navigation
//! that the page cannot intercept: [`guard_leaving`] has the browser ask first.

use crate::state::Dashboard;
use leptos::prelude::*;
use likely_core::evaluation::Evaluation;
use likely_core::results::Outcome;
use std::cell::RefCell;

thread_local! {
    /// The evaluation as it was last exported or shared.
    static SAVED: RefCell<Option<Evaluation>> = const { RefCell::new(None) };
}

/// Whether `current` has results that `saved` (the last exported or shared value) does not hold.
pub fn is_unsaved(current: Option<&Evaluation>, saved: Option<&Evaluation>) -> bool {
    let Some(current) = current else {
        return false;
    };
    let has_results = current
        .model_results()
        .any(|run| run.outcomes.iter().any(|o| matches!(o, Outcome::Scored(_))));
    has_results && saved != Some(current)
}

/// Records `evaluation` as exported or shared.
pub fn mark_saved(evaluation: &Evaluation) {
    SAVED.with(|saved| *saved.borrow_mut() = Some(evaluation.clone()));
}

/// Whether the evaluation on screen is unsaved.
fn on_screen_is_unsaved(dashboard: Dashboard) -> bool {
    dashboard.evaluation.with_untracked(|current| {
        SAVED.with(|saved| is_unsaved(current.as_ref(), saved.borrow().as_ref()))
    })
}

/// True when the evaluation on screen may be replaced: it is saved, or the person agreed in a
/// confirmation dialog.
pub fn confirm_replace(dashboard: Dashboard) -> bool {
    if !on_screen_is_unsaved(dashboard) {
        return true;
    }
    window()
        .confirm_with_message(
            "The evaluation on screen was not exported or shared since it finished. Replace it?",
        )
        .unwrap_or(false)
}

/// Has the browser ask before the page is left (its own "Leave site?" dialog) while the evaluation
/// on screen is unsaved.
pub fn guard_leaving(dashboard: Dashboard) {
    // The page lives as long as the window: the listener is never removed.
    let _listener = window_event_listener(leptos::ev::beforeunload, move |event| {
        if on_screen_is_unsaved(dashboard) {
            event.prevent_default();
            // Older browsers ask only when a return value is set; its text is not shown.
            event.set_return_value("unsaved");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use likely_core::results::{ModelSpec, SnippetResult};
    use likely_core::{GenerateParams, Snippet};

    fn evaluation() -> Evaluation {
        Evaluation::new(
            vec![Snippet::pasted("To be or")],
            GenerateParams::default(),
            ModelSpec::named("base"),
            vec![],
        )
        .unwrap()
    }

    #[test]
    fn only_results_not_yet_saved_are_unsaved() {
        let mut e = evaluation();
        assert!(!is_unsaved(None, None));
        assert!(
            !is_unsaved(Some(&e), None),
            "nothing scored, nothing to lose"
        );
        e.set_outcome(
            "base",
            0,
            Outcome::Scored(SnippetResult {
                tokens: vec![],
                window_starts: vec![],
                frozen: None,
            }),
        )
        .unwrap();
        assert!(is_unsaved(Some(&e), None));
        let exported = e.clone();
        assert!(!is_unsaved(Some(&e), Some(&exported)));
        e.snippets[0].text.push_str(" not");
        assert!(
            is_unsaved(Some(&e), Some(&exported)),
            "changed since the export"
        );
    }
}
