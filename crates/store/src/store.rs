//! `Store`: the store a server opened from its URL, SQLite or PostgreSQL, behind the one interface.

use crate::config::StoreConfig;
use crate::error::Result;
use crate::postgres::PostgresStore;
use crate::share_store::ShareStore;
use crate::snapshot::{Deletion, Lookup, NewSnapshot, Saved};
use crate::sqlite::SqliteStore;
use crate::store_url::StoreUrl;

/// Either kind of store. Cheap to clone: clones share connections.
#[derive(Clone)]
pub enum Store {
    Sqlite(SqliteStore),
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
