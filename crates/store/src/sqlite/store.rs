//! `SqliteStore`: the share store in one SQLite file. Statements run on tokio's blocking threads; one
//! connection writes and another reads, so a long read never waits behind a save's fsync.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::connection::{self, Role};
use super::schema;
use crate::clock::now_unix_ms;
use crate::config::StoreConfig;
use crate::error::{Result, StoreError};
use crate::id::ShareId;
use crate::record::{self, DeleteRow, NewRow, StoredRow};
use crate::share_store::ShareStore;
use crate::snapshot::{Deletion, Lookup, NewSnapshot, Saved};
use crate::sql;

/// The share store in one SQLite file. Cheap to clone: clones share the connections.
#[derive(Clone)]
pub struct SqliteStore {
    shared: Arc<Connections>,
    config: StoreConfig,
}

struct Connections {
    path: PathBuf,
    writer: Mutex<Connection>,
    reader: Mutex<Connection>,
}

impl Connections {
    fn lock(&self, role: Role) -> MutexGuard<'_, Connection> {
        let mutex = match role {
            Role::Writer => &self.writer,
            Role::Reader => &self.reader,
        };
        // A panic while the lock was held rolled its transaction back when the transaction dropped:
        // the connection itself is still sound.
        mutex
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl SqliteStore {
    /// Opens the store in the file at `path`, creating the file, its folder and the schema as
    /// needed. Several processes may open the same file at once.
    pub async fn open(path: impl Into<PathBuf>, config: StoreConfig) -> Result<Self> {
        let path = path.into();
        tokio::task::spawn_blocking(move || Self::open_blocking(path, config)).await?
    }

    fn open_blocking(path: PathBuf, config: StoreConfig) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                path: dir.to_owned(),
                source,
            })?;
        }
        let mut writer = connection::open(&path, Role::Writer)?;
        schema::migrate(&mut writer)?;
        let reader = connection::open(&path, Role::Reader)?;
        let shared = Arc::new(Connections {
            path,
            writer: Mutex::new(writer),
            reader: Mutex::new(reader),
        });
        Ok(Self { shared, config })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.shared.path
    }

    /// Runs `job` on the `role` connection on a blocking thread.
    pub(super) async fn run<T, F>(&self, role: Role, job: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let shared = Arc::clone(&self.shared);
        tokio::task::spawn_blocking(move || job(&mut shared.lock(role))).await?
    }
}

impl ShareStore for SqliteStore {
    fn config(&self) -> StoreConfig {
        self.config
    }

    async fn save(&self, new: NewSnapshot) -> Result<Saved> {
        self.config.check(&new)?;
        let (row, delete_token) = NewRow::build(new, now_unix_ms())?;
        let meta = row.meta();
        let id = row.id.clone();
        self.run(Role::Writer, move |conn| {
            // Outside an explicit transaction the INSERT is its own transaction: it has committed
            // (and, with synchronous=FULL, reached the disk) when `execute` returns.
            conn.execute(
                sql::INSERT,
                params![
                    row.id.as_str(),
                    row.kind,
                    row.created_at_ms,
                    row.expires_at_ms,
                    row.size_bytes,
                    &row.delete_token_sha256[..],
                    row.body
                ],
            )?;
            Ok(())
        })
        .await?;
        Ok(Saved {
            id,
            delete_token,
            meta,
        })
    }

    async fn get(&self, id: &str) -> Result<Lookup> {
        let Some(id) = ShareId::parse(id) else {
            return Ok(Lookup::NotFound);
        };
        let key = id.clone();
        let row = self
            .run(Role::Reader, move |conn| {
                let row = conn
                    .query_row(sql::LOOKUP, [key.as_str()], |row| {
                        Ok(StoredRow {
                            kind: row.get(0)?,
                            created_at_ms: row.get(1)?,
                            expires_at_ms: row.get(2)?,
                            size_bytes: row.get(3)?,
                            deleted_at_ms: row.get(4)?,
                            body: row.get(5)?,
                        })
                    })
                    .optional()?;
                Ok(row)
            })
            .await?;
        record::lookup(id, row, now_unix_ms())
    }

    async fn delete(&self, id: &str, delete_token: &str) -> Result<Deletion> {
        let Some(id) = ShareId::parse(id) else {
            return Ok(Deletion::NotFound);
        };
        let token = delete_token.to_owned();
        self.run(Role::Writer, move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let row = tx
                .query_row(sql::DELETE_ROW, [id.as_str()], |row| {
                    Ok(DeleteRow {
                        delete_token_sha256: row.get(0)?,
                        deleted_at_ms: row.get(1)?,
                    })
                })
                .optional()?;
            let outcome = record::deletion(row, &token)?;
            if outcome == Deletion::Deleted {
                tx.execute(sql::TOMBSTONE, params![now_unix_ms(), id.as_str()])?;
            }
            tx.commit()?;
            Ok(outcome)
        })
        .await
    }

    async fn purge_expired(&self) -> Result<u64> {
        let now_ms = now_unix_ms();
        self.run(Role::Writer, move |conn| {
            let purged = conn.execute(sql::PURGE_EXPIRED, [now_ms])?;
            // Hand the freed pages back to the file system (auto_vacuum=INCREMENTAL).
            conn.execute_batch("PRAGMA incremental_vacuum")?;
            Ok(u64::try_from(purged).unwrap_or(u64::MAX))
        })
        .await
    }
}
