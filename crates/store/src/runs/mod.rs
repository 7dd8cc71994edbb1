//! The team's record: finished evaluations kept as runs, and held-out sets kept by fingerprint. The
//! store keeps what the server hands it (a run's JSON document and snapshot are opaque here) and
//! answers the queries the record's pages need: newest runs first with keyset paging and filters,
//! one run, a set's per-model points over time, kept sets.

mod cursor;
mod query;
mod run_store;
pub(crate) mod search;
pub(crate) mod statements;
mod types;

pub use cursor::BadCursor;
pub use cursor::RunCursor;
pub(crate) use query::{Dialect, ListQuery, Param, TextSearch};
pub use run_store::RunStore;
pub use types::{
    Dataset, DatasetMeta, KeepOutcome, ModelPoint, NewDataset, NewRun, RunDeletion, RunFigure,
    RunFilter, RunPage, RunRow, RunSaved, StoredRun, DEFAULT_PAGE, MAX_PAGE,
};
