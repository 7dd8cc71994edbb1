//! The finished windows of snippets that failed or were cancelled part-way, by model, text and
//! parameters, so a later run (the page's Retry failed) asks only for the windows still missing. A
//! driver that keeps them across runs hands them to each new [`Engine`](super::Engine) and takes back
//! what it kept when the run ends. Only snippets cut into several windows, some finished, are kept,
//! so the list stays short and is searched in order.

use super::windows::WindowProgress;
use crate::evaluation::params::GenerateParams;

/// Which snippet a window progress belongs to.
#[derive(Debug, Clone, PartialEq)]
struct SnippetKey {
    model: String,
    text: String,
    params: GenerateParams,
}

/// The kept window progress of unfinished snippets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeptWindows {
    kept: Vec<(SnippetKey, WindowProgress)>,
}

impl KeptWindows {
    /// Nothing kept.
    pub fn new() -> KeptWindows {
        KeptWindows::default()
    }

    /// How many snippets have windows kept.
    pub fn len(&self) -> usize {
        self.kept.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// Adds everything `other` kept.
    pub fn merge(&mut self, mut other: KeptWindows) {
        self.kept.append(&mut other.kept);
    }

    /// Takes the progress kept for `text` scored by `model` under `params`.
    pub(crate) fn take(
        &mut self,
        model: &str,
        text: &str,
        params: &GenerateParams,
    ) -> Option<WindowProgress> {
        let at = self
            .kept
            .iter()
            .position(|(key, _)| key.model == model && key.text == text && key.params == *params)?;
        Some(self.kept.swap_remove(at).1)
    }

    /// Keeps `progress` of `text` scored by `model` under `params`, when some window is finished.
    pub(crate) fn keep(
        &mut self,
        model: &str,
        text: &str,
        params: &GenerateParams,
        progress: WindowProgress,
    ) {
        if !progress.any_finished() {
            return;
        }
        let _ = self.take(model, text, params);
        let key = SnippetKey {
            model: model.to_string(),
            text: text.to_string(),
            params: params.clone(),
        };
        self.kept.push((key, progress));
    }
}
