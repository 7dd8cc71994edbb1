//! The finished windows of snippets that failed or were cancelled part-way, by model, text and
//! parameters, so a later run (the page's Retry failed) asks only for the windows still missing. A
//! driver that keeps them across runs hands them to each new [`Engine`](super::Engine) and takes back
//! what it kept when the run ends.

use super::windows::WindowProgress;
use std::collections::HashMap;

/// Which snippet a window progress belongs to: the model's name, the text, the parameters (as JSON).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct SnippetKey {
    pub(crate) model: String,
    pub(crate) text: String,
    pub(crate) params: String,
}

/// The kept window progress of unfinished snippets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeptWindows {
    progress: HashMap<SnippetKey, WindowProgress>,
}

impl KeptWindows {
    /// Nothing kept.
    pub fn new() -> KeptWindows {
        KeptWindows::default()
    }

    /// How many snippets have windows kept.
    pub fn len(&self) -> usize {
        self.progress.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.progress.is_empty()
    }

    /// Adds everything `other` kept (its entry wins for the same snippet).
    pub fn merge(&mut self, other: KeptWindows) {
        self.progress.extend(other.progress);
    }

    pub(crate) fn take(&mut self, key: &SnippetKey) -> Option<WindowProgress> {
        self.progress.remove(key)
    }

    pub(crate) fn keep(&mut self, key: SnippetKey, progress: WindowProgress) {
        self.progress.insert(key, progress);
    }
}
