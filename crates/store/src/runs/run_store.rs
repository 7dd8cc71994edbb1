//! The one interface of the record, implemented by `SqliteStore`, `PostgresStore` and `Store`.

use std::future::Future;
use std::time::SystemTime;

use super::types::{
    Dataset, DatasetMeta, KeepOutcome, ModelPoint, NewDataset, NewRun, RunDeletion, RunFilter,
    RunPage, RunSaved, StoredRun,
};
use crate::error::Result;

/// Runs (recorded once, read, deleted; never updated) and kept held-out sets.
///
/// Ids arrive as the text a client sent: text that cannot be an id answers "not found" without
/// reaching the database.
pub trait RunStore: Send + Sync {
    /// Records `new` (the run and its per-model rows in one transaction) and returns its id and
    /// delete token once it has committed.
    fn record_run(&self, new: NewRun) -> impl Future<Output = Result<RunSaved>> + Send;

    /// One page of runs matching `filter`, newest first.
    fn list_runs(&self, filter: RunFilter) -> impl Future<Output = Result<RunPage>> + Send;

    /// The run with this id and its snapshot, if there is one.
    fn get_run(&self, id: &str) -> impl Future<Output = Result<Option<StoredRun>>> + Send;

    /// Deletes the run with this id. `delete_token`: the run's token, or `None` when the caller
    /// has already authorised the deletion (the server's access token).
    fn delete_run(
        &self,
        id: &str,
        delete_token: Option<&str>,
    ) -> impl Future<Output = Result<RunDeletion>> + Send;

    /// Deletes every run recorded before `cutoff` and returns how many.
    fn purge_runs_before(&self, cutoff: SystemTime) -> impl Future<Output = Result<u64>> + Send;

    /// Every model's figures in every run on the set `fingerprint`, oldest first.
    fn dataset_points(
        &self,
        fingerprint: &str,
    ) -> impl Future<Output = Result<Vec<ModelPoint>>> + Send;

    /// Keeps a held-out set, once per fingerprint.
    fn keep_dataset(&self, new: NewDataset) -> impl Future<Output = Result<KeepOutcome>> + Send;

    /// The kept sets, newest first.
    fn list_datasets(&self) -> impl Future<Output = Result<Vec<DatasetMeta>>> + Send;

    /// The kept set with this fingerprint.
    fn get_dataset(
        &self,
        fingerprint: &str,
    ) -> impl Future<Output = Result<Option<Dataset>>> + Send;
}
