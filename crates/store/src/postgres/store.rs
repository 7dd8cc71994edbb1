//! `PostgresStore`: the share store in a PostgreSQL table, through a small connection pool. Every
//! replica opening the same database sees the same snapshots.

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::NoTls;

use super::schema;
use crate::clock::now_unix_ms;
use crate::config::StoreConfig;
use crate::error::Result;
use crate::id::ShareId;
use crate::record::{self, DeleteRow, NewRow, StoredRow};
use crate::share_store::ShareStore;
use crate::snapshot::{Deletion, Lookup, NewSnapshot, Saved};
use crate::sql;

/// Connections one store keeps open at most.
const POOL_SIZE: usize = 16;
/// How long opening one connection may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a statement waits for a free connection.
const WAIT_TIMEOUT: Duration = Duration::from_secs(30);

/// The share store in a PostgreSQL database. Cheap to clone: clones share the pool.
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
    config: StoreConfig,
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://USER[:PASSWORD]@HOST[:PORT]/DB`, or the
    /// key=value form) and creates or migrates the schema. Connections are not encrypted: use it on
    /// loopback or a private network.
    pub async fn open(url: &str, config: StoreConfig) -> Result<Self> {
        let mut pg_config: tokio_postgres::Config = url.parse()?;
        if pg_config.get_connect_timeout().is_none() {
            pg_config.connect_timeout(CONNECT_TIMEOUT);
        }
        let manager = Manager::from_config(
            pg_config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .create_timeout(Some(CONNECT_TIMEOUT))
            .wait_timeout(Some(WAIT_TIMEOUT))
            .build()?;
        schema::migrate(&mut pool.get().await?).await?;
        Ok(Self { pool, config })
    }

    /// The connection pool.
    pub(super) fn pool(&self) -> &Pool {
        &self.pool
    }
}

impl ShareStore for PostgresStore {
    fn config(&self) -> StoreConfig {
        self.config
    }

    async fn save(&self, new: NewSnapshot) -> Result<Saved> {
        self.config.check(&new)?;
        let (row, delete_token) = NewRow::build(new, now_unix_ms())?;
        let client = self.pool.get().await?;
        // One statement in autocommit: it has committed when the server answers.
        client
            .execute(
                sql::INSERT,
                &[
                    &row.id.as_str(),
                    &row.kind,
                    &row.created_at_ms,
                    &row.expires_at_ms,
                    &row.size_bytes,
                    &&row.delete_token_sha256[..],
                    &row.body,
                ],
            )
            .await?;
        Ok(Saved {
            meta: row.meta(),
            id: row.id,
            delete_token,
        })
    }

    async fn get(&self, id: &str) -> Result<Lookup> {
        let Some(id) = ShareId::parse(id) else {
            return Ok(Lookup::NotFound);
        };
        let client = self.pool.get().await?;
        let row = client
            .query_opt(sql::LOOKUP, &[&id.as_str()])
            .await?
            .map(|row| -> Result<StoredRow> {
                Ok(StoredRow {
                    kind: row.try_get(0)?,
                    created_at_ms: row.try_get(1)?,
                    expires_at_ms: row.try_get(2)?,
                    size_bytes: row.try_get(3)?,
                    deleted_at_ms: row.try_get(4)?,
                    body: row.try_get(5)?,
                })
            })
            .transpose()?;
        record::lookup(id, row, now_unix_ms())
    }

    async fn delete(&self, id: &str, delete_token: &str) -> Result<Deletion> {
        let Some(id) = ShareId::parse(id) else {
            return Ok(Deletion::NotFound);
        };
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // FOR UPDATE: a second replica deleting at the same moment waits, then sees the tombstone.
        let row = tx
            .query_opt(sql::DELETE_ROW_FOR_UPDATE, &[&id.as_str()])
            .await?
            .map(|row| -> Result<DeleteRow> {
                Ok(DeleteRow {
                    delete_token_sha256: row.try_get(0)?,
                    deleted_at_ms: row.try_get(1)?,
                })
            })
            .transpose()?;
        let outcome = record::deletion(row, delete_token)?;
        if outcome == Deletion::Deleted {
            tx.execute(sql::TOMBSTONE, &[&now_unix_ms(), &id.as_str()])
                .await?;
        }
        tx.commit().await?;
        Ok(outcome)
    }

    async fn purge_expired(&self) -> Result<u64> {
        let client = self.pool.get().await?;
        let purged = client
            .execute(sql::PURGE_EXPIRED, &[&now_unix_ms()])
            .await?;
        Ok(purged)
    }
}
