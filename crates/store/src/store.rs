//! `Store`: the store a server opened from its URL, SQLite or PostgreSQL, behind the one interface.

use crate::config::StoreConfig;
use crate::error::Result;
use std::time::SystemTime;

use crate::postgres::PostgresStore;
use crate::runs::{
    Dataset, DatasetMeta, KeepOutcome, ModelPoint, NewDataset, NewRun, RunDeletion, RunFilter,
    RunPage, RunSaved, RunStore, StoredRun,
};
use crate::share_store::ShareStore;
use crate::snapshot::{Deletion, Lookup, NewSnapshot, Saved};
use crate::sqlite::SqliteStore;
use crate::store_url::StoreUrl;

/// Either kind of store. Cheap to clone: clones share connections.
#[derive(Clone)]
pub enum Store {
    /// One SQLite file.
    Sqlite(SqliteStore),
    /// A PostgreSQL database.
    Postgres(PostgresStore),
}

impl Store {
    /// Opens the store `url` names, or `None` for `StoreUrl::None`.
    pub async fn open(url: &StoreUrl, config: StoreConfig) -> Result<Option<Self>> {
        Ok(match url {
            StoreUrl::None => None,
            StoreUrl::Sqlite(path) => {
                Some(Self::Sqlite(SqliteStore::open(path.clone(), config).await?))
            }
            StoreUrl::Postgres(url) => {
                Some(Self::Postgres(PostgresStore::open(url, config).await?))
            }
        })
    }
}

impl ShareStore for Store {
    fn config(&self) -> StoreConfig {
        match self {
            Self::Sqlite(store) => store.config(),
            Self::Postgres(store) => store.config(),
        }
    }

    async fn save(&self, new: NewSnapshot) -> Result<Saved> {
        match self {
            Self::Sqlite(store) => store.save(new).await,
            Self::Postgres(store) => store.save(new).await,
        }
    }

    async fn get(&self, id: &str) -> Result<Lookup> {
        match self {
            Self::Sqlite(store) => store.get(id).await,
            Self::Postgres(store) => store.get(id).await,
        }
    }

    async fn delete(&self, id: &str, delete_token: &str) -> Result<Deletion> {
        match self {
            Self::Sqlite(store) => store.delete(id, delete_token).await,
            Self::Postgres(store) => store.delete(id, delete_token).await,
        }
    }

    async fn purge_expired(&self) -> Result<u64> {
        match self {
            Self::Sqlite(store) => store.purge_expired().await,
            Self::Postgres(store) => store.purge_expired().await,
        }
    }
}

macro_rules! each {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            Self::Sqlite($store) => $call,
            Self::Postgres($store) => $call,
        }
    };
}

impl RunStore for Store {
    async fn record_run(&self, new: NewRun) -> Result<RunSaved> {
        each!(self, store => store.record_run(new).await)
    }

    async fn list_runs(&self, filter: RunFilter) -> Result<RunPage> {
        each!(self, store => store.list_runs(filter).await)
    }

    async fn get_run(&self, id: &str) -> Result<Option<StoredRun>> {
        each!(self, store => store.get_run(id).await)
    }

    async fn delete_run(&self, id: &str, delete_token: Option<&str>) -> Result<RunDeletion> {
        each!(self, store => store.delete_run(id, delete_token).await)
    }

    async fn purge_runs_before(&self, cutoff: SystemTime) -> Result<u64> {
        each!(self, store => store.purge_runs_before(cutoff).await)
    }

    async fn dataset_points(&self, fingerprint: &str) -> Result<Vec<ModelPoint>> {
        each!(self, store => store.dataset_points(fingerprint).await)
    }

    async fn keep_dataset(&self, new: NewDataset) -> Result<KeepOutcome> {
        each!(self, store => store.keep_dataset(new).await)
    }

    async fn list_datasets(&self) -> Result<Vec<DatasetMeta>> {
        each!(self, store => store.list_datasets().await)
    }

    async fn get_dataset(&self, fingerprint: &str) -> Result<Option<Dataset>> {
        each!(self, store => store.get_dataset(fingerprint).await)
    }
}
