//! likely-store: immutable share snapshots for the `likely` server.
//!
//! One interface, [`ShareStore`], with two implementations: [`SqliteStore`] (one embedded file, the
//! default) and [`PostgresStore`] (one database shared by several server replicas). [`Store`] holds
//! whichever [`StoreUrl`] names. A snapshot is opaque bytes plus a kind and times; `save` returns a
//! random id and a delete token once the snapshot has committed. The crate knows nothing of HTTP.
//!
//! ```no_run
//! # async fn demo() -> Result<(), likely_store::StoreError> {
//! use likely_store::{Lookup, NewSnapshot, ShareStore, Store, StoreConfig, StoreUrl};
//! let url: StoreUrl = "sqlite:/tmp/shares.sqlite3".parse()?;
//! let Some(store) = Store::open(&url, StoreConfig::default()).await? else { return Ok(()) };
//! let saved = store
//!     .save(NewSnapshot { kind: "figures".into(), bytes: b"...".to_vec(), expires_at: None })
//!     .await?;
//! assert!(matches!(store.get(saved.id.as_str()).await?, Lookup::Found(_)));
//! # Ok(()) }
//! ```

// Nothing in this crate needs unsafe code, and the compiler keeps it that way.
#![forbid(unsafe_code)]

mod clock;
mod config;
mod data_path;
mod error;
mod id;
mod migrations;
mod postgres;
mod random;
mod record;
mod runs;
mod share_store;
mod snapshot;
mod sql;
mod sqlite;
mod store;
mod store_url;
mod token;

pub use config::{StoreConfig, DEFAULT_MAX_SNAPSHOT_BYTES, MAX_KIND_LEN};
pub use data_path::default_sqlite_path;
pub use error::{Result, StoreError};
pub use id::ShareId;
pub use migrations::{migrations, Dialect};
pub use postgres::PostgresStore;
pub use runs::{
    BadCursor, Dataset, DatasetMeta, KeepOutcome, ModelPoint, NewDataset, NewRun, RunCursor,
    RunDeletion, RunFigure, RunFilter, RunPage, RunRow, RunSaved, RunStore, StoredRun,
    DEFAULT_PAGE, MAX_PAGE,
};
pub use share_store::ShareStore;
pub use snapshot::{Deletion, Lookup, NewSnapshot, Saved, Snapshot, SnapshotMeta};
pub use sqlite::SqliteStore;
pub use store::Store;
pub use store_url::StoreUrl;
pub use token::DeleteToken;
