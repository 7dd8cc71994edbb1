//! The team's record on the server: the store it lives in (the share store's), what a run keeps
//! (`--record figures|everything|off`), how long runs are kept (`--runs-max-days`, purged hourly),
//! and the translation between the wire types of `likely_core::record` and the store's rows. The
//! HTTP side is `routes::runs` and `routes::datasets`; the CLI's is `eval::record`.

mod rows;

pub use rows::{dataset_info, new_store_run, summary_of};

use crate::error::AppError;
use likely_core::record::RecordMode;
use likely_store::{RunStore, Store, StoreError};
use std::time::{Duration, SystemTime};

/// The record and its policy.
#[derive(Clone)]
pub struct Record {
    /// Where runs and kept sets live (the share store).
    pub store: Store,
    /// What a recorded run keeps of its snapshot.
    pub mode: RecordMode,
    /// How long runs are kept; `None`: until deleted.
    pub max_age: Option<Duration>,
    /// The largest `POST /v1/datasets` body, in bytes (`--max-upload-bytes`).
    pub max_dataset_bytes: usize,
}

impl Record {
    /// Deletes the runs older than `max_age`, if there is one, and says how many.
    pub async fn purge(&self) -> Result<u64, StoreError> {
        match self.max_age {
            Some(age) => {
                let cutoff = SystemTime::now()
                    .checked_sub(age)
                    .unwrap_or(SystemTime::UNIX_EPOCH);
                self.store.purge_runs_before(cutoff).await
            }
            None => Ok(0),
        }
    }

    /// Purges old runs now and every hour after, for as long as the server runs.
    pub fn purge_hourly(&self) {
        if self.max_age.is_none() {
            return;
        }
        let record = self.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(3600));
            loop {
                every.tick().await;
                match record.purge().await {
                    Ok(0) => {}
                    Ok(purged) => tracing::info!(purged, "runs past --runs-max-days purged"),
                    Err(error) => tracing::warn!(%error, "purging old runs failed"),
                }
            }
        });
    }
}

/// The answer to a store failure: 503 while the database cannot be reached (the pool reconnects;
/// the client may retry), else a generic 500. The error's text can quote SQL: it is logged, never
/// sent.
pub fn store_error(error: StoreError) -> AppError {
    if error.is_unavailable() {
        tracing::warn!(%error, "the record's database is unavailable");
        return AppError::Overloaded {
            message: "the record's database cannot be reached right now; nothing was changed, \
                      try again in a few seconds"
                .into(),
            retry_after: Some("5".into()),
        };
    }
    tracing::error!(%error, "the record's store failed");
    AppError::Internal("the record's store failed; try again".into())
}

/// RFC 3339 to the millisecond.
pub fn rfc3339(time: SystemTime) -> String {
    humantime::format_rfc3339_millis(time).to_string()
}
