//! The one interface of a share store, implemented by `SqliteStore`, `PostgresStore` and `Store`.

use std::future::Future;

use crate::config::StoreConfig;
use crate::error::Result;
use crate::snapshot::{Deletion, Lookup, NewSnapshot, Saved};

/// Immutable share snapshots, saved, read and deleted by id. There is no update.
///
/// Ids and tokens arrive as the text a client sent: text that cannot be an id answers
/// `Lookup::NotFound` / `Deletion::NotFound` without reaching the database.
pub trait ShareStore: Send + Sync {
    /// The settings the store was opened with (its size cap).
    fn config(&self) -> StoreConfig;

    /// Saves `new` and returns its id and delete token once the transaction has committed.
    /// Refuses a snapshot over the size cap (`StoreError::TooLarge`) or with a bad kind
    /// (`StoreError::InvalidKind`).
    fn save(&self, new: NewSnapshot) -> impl Future<Output = Result<Saved>> + Send;

    /// The snapshot with this id, or why there is none.
    fn get(&self, id: &str) -> impl Future<Output = Result<Lookup>> + Send;

    /// Deletes the snapshot with this id when `delete_token` is its token, keeping a tombstone.
    fn delete(&self, id: &str, delete_token: &str)
        -> impl Future<Output = Result<Deletion>> + Send;

    /// Drops the bytes of every expired snapshot (their ids keep answering `Lookup::Expired`) and
    /// returns how many were dropped. Lookups never serve an expired snapshot, so calling this only
    /// reclaims space: a server may call it on a timer.
    fn purge_expired(&self) -> impl Future<Output = Result<u64>> + Send;
}
