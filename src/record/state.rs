//! The record's signals on the evaluation page, provided as context beside the dashboard's.

use crate::storage;
use leptos::prelude::*;
use likely_core::record::{RecordCapabilities, RecordMode, AUTHOR_STORAGE_KEY};

/// What became of the last finished evaluation.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// Being sent.
    Sending,
    /// Recorded as run `id`, keeping `mode` of its snapshot; `set` says what became of the set.
    Recorded {
        /// The run's id.
        id: String,
        /// What the server kept.
        mode: RecordMode,
        /// A sentence about the held-out set, when it was to be kept.
        set: Option<String>,
    },
    /// Not recorded, and why (the server records nothing, or refused).
    NotRecorded(String),
}

/// The server's record, as `GET /v1/capabilities` tells it.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerRecord {
    /// Not asked yet.
    Unknown,
    /// The server keeps no record (`--store none`).
    None,
    /// Its record.
    Kept(RecordCapabilities),
    /// The question failed.
    Unreachable(String),
}

/// The record's signals.
#[derive(Clone, Copy)]
pub struct Recording {
    /// The author label, as typed (kept in localStorage).
    pub author: RwSignal<String>,
    /// Whether to keep the evaluated set for the team.
    pub keep: RwSignal<bool>,
    /// The server's record.
    pub server: RwSignal<ServerRecord>,
    /// What became of the last finished evaluation.
    pub status: RwSignal<Option<Status>>,
}

impl Recording {
    /// Fresh signals (the author label read back from the browser), provided as context.
    pub fn provide() -> Recording {
        let recording = Recording {
            author: RwSignal::new(storage::get(AUTHOR_STORAGE_KEY).unwrap_or_default()),
            keep: RwSignal::new(false),
            server: RwSignal::new(ServerRecord::Unknown),
            status: RwSignal::new(None),
        };
        provide_context(recording);
        recording
    }

    /// The record's signals, from context.
    pub fn use_context() -> Recording {
        expect_context::<Recording>()
    }

    /// Keeps the author label typed, for the next visit.
    pub fn set_author(self, author: String) {
        if author.trim().is_empty() {
            storage::remove(AUTHOR_STORAGE_KEY);
        } else {
            storage::set(AUTHOR_STORAGE_KEY, &author);
        }
        self.author.set(author);
    }
}
