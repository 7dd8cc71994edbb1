//! The store suite against `SqliteStore` in a temporary folder, and what only SQLite has: a file
//! created with its folder, reopened, and opened by several handles at once.

use crate::suite::{found, new_snapshot, suite_config};
use likely_store::{Lookup, ShareStore, SqliteStore, Store, StoreUrl};
use tempfile::TempDir;

async fn open_sqlite(_test: &str) -> Option<(SqliteStore, TempDir)> {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("shares.sqlite3"), suite_config())
        .await
        .unwrap();
    Some((store, dir))
}

share_store_suite!(open_sqlite);

#[tokio::test]
async fn the_url_creates_the_file_and_its_folders_and_reopening_keeps_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/deeper/shares.sqlite3");
    let url: StoreUrl = format!("sqlite:{}", path.display()).parse().unwrap();
    let store = Store::open(&url, suite_config()).await.unwrap().unwrap();
    assert!(matches!(store, Store::Sqlite(_)));
    let saved = store
        .save(new_snapshot("figures", b"kept".to_vec(), None))
        .await
        .unwrap();
    drop(store);
    assert!(path.is_file());

    let reopened = Store::open(&url, suite_config()).await.unwrap().unwrap();
    let snapshot = found(reopened.get(saved.id.as_str()).await.unwrap());
    assert_eq!(snapshot.bytes, b"kept");
    assert_eq!(snapshot.meta, saved.meta);
}

#[tokio::test]
async fn none_opens_no_store() {
    assert!(Store::open(&StoreUrl::None, suite_config())
        .await
        .unwrap()
        .is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handles_opened_at_once_on_one_file_share_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shares.sqlite3");
    let opens: Vec<_> = (0..6)
        .map(|_| tokio::spawn(SqliteStore::open(path.clone(), suite_config())))
        .collect();
    let mut stores = Vec::new();
    for open in opens {
        stores.push(open.await.unwrap().unwrap());
    }
    let saved = stores[0]
        .save(new_snapshot("figures", vec![42], None))
        .await
        .unwrap();
    let snapshot = found(stores[5].get(saved.id.as_str()).await.unwrap());
    assert_eq!(snapshot.bytes, vec![42]);
}

#[tokio::test]
async fn the_file_is_in_wal_mode_with_the_schema_version_set() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shares.sqlite3");
    let store = SqliteStore::open(path.clone(), suite_config())
        .await
        .unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap();
    assert_eq!(version, 2);
    let vacuum: i64 = conn
        .query_row("PRAGMA auto_vacuum", [], |row| row.get(0))
        .unwrap();
    assert_eq!(vacuum, 2, "auto_vacuum should be INCREMENTAL");
}

#[tokio::test]
async fn a_newer_schema_is_refused_not_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shares.sqlite3");
    drop(
        SqliteStore::open(path.clone(), suite_config())
            .await
            .unwrap(),
    );
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let err = SqliteStore::open(path, suite_config()).await.err().unwrap();
    assert!(
        matches!(
            err,
            likely_store::StoreError::SchemaTooNew {
                found: 99,
                known: 2
            }
        ),
        "{err:?}"
    );
}

run_store_suite!(open_sqlite);

/// A database written by the first release (schema version 1: share links only), committed as a
/// fixture: opening it migrates it, keeps its links, and the record works in it.
#[tokio::test]
async fn a_first_release_database_is_migrated_and_keeps_its_shares() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shares.sqlite3");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/shares-v1.sqlite3"
        ),
        &path,
    )
    .unwrap();
    let version = |path: &std::path::Path| -> i64 {
        rusqlite::Connection::open(path)
            .unwrap()
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .unwrap()
    };
    assert_eq!(version(&path), 1);
    let store = SqliteStore::open(&path, suite_config()).await.unwrap();
    for (id, body) in [
        ("4fLdD1jmDjuaW6K-nsITzw", &b"first share"[..]),
        ("avm3sbkcopawPUQx6AamoQ", &b"second share"[..]),
    ] {
        let snapshot = found(store.get(id).await.unwrap());
        assert_eq!(snapshot.bytes, body);
    }
    assert_eq!(
        store
            .delete(
                "avm3sbkcopawPUQx6AamoQ",
                "MLTQgE2HGZ_oRJP7f0rfyfMEXWXreBzvtzcd8trYYH4"
            )
            .await
            .unwrap(),
        likely_store::Deletion::Deleted
    );
    crate::record_suite::a_run_is_recorded_and_read_back(&store).await;
    drop(store);
    assert_eq!(version(&path), 2);
    // Reopening an up-to-date file changes nothing.
    let store = SqliteStore::open(&path, suite_config()).await.unwrap();
    assert!(matches!(
        store.get("4fLdD1jmDjuaW6K-nsITzw").await.unwrap(),
        Lookup::Found(_)
    ));
}
