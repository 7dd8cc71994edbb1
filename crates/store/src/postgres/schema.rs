//! The PostgreSQL schema's migrations, applied once each at open. Versions are rows of
//! `likely_store_migrations`; a transaction-scoped advisory lock makes processes opening the
//! database at once take turns (plain `CREATE TABLE IF NOT EXISTS` races in PostgreSQL).

use deadpool_postgres::Client;

use crate::error::{Result, StoreError};
use crate::migrations::{migrations, Dialect};

/// The advisory lock key that serialises migrations: "likelyst" read as a big-endian integer.
const MIGRATION_LOCK_KEY: i64 = i64::from_be_bytes(*b"likelyst");

/// Brings the database's schema up to date.
pub(super) async fn migrate(client: &mut Client) -> Result<()> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK_KEY])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS likely_store_migrations (\
             version BIGINT PRIMARY KEY, \
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    )
    .await?;
    let found: i64 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM likely_store_migrations",
            &[],
        )
        .await?
        .get(0);
    let all = migrations(Dialect::Postgres);
    let known = i64::try_from(all.len()).unwrap_or(i64::MAX);
    if found > known {
        return Err(StoreError::SchemaTooNew { found, known });
    }
    for (version, sql) in (1i64..).zip(&all).skip(usize::try_from(found).unwrap_or(0)) {
        tx.batch_execute(sql).await?;
        tx.execute(
            "INSERT INTO likely_store_migrations (version) VALUES ($1)",
            &[&version],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
