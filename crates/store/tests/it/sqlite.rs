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

/// Handles opened at once on a new file race to create it and switch it to WAL; a lost race was
/// "database is locked". The race is short, so it is run on many fresh files.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn handles_opened_at_once_on_one_file_share_it() {
    for _round in 0..40 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shares.sqlite3");
        let opens: Vec<_> = (0..8)
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
        let snapshot = found(stores.last().unwrap().get(saved.id.as_str()).await.unwrap());
        assert_eq!(snapshot.bytes, vec![42]);
    }
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
    assert_eq!(version, 4);
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
                known: 4
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
    assert_eq!(version(&path), 4);
    // Reopening an up-to-date file changes nothing.
    let store = SqliteStore::open(&path, suite_config()).await.unwrap();
    assert!(matches!(
        store.get("4fLdD1jmDjuaW6K-nsITzw").await.unwrap(),
        Lookup::Found(_)
    ));
}

/// A database at schema version 2 (the record without the free-text index) holding runs: opening it
/// indexes them, and the free text finds them through the index as before.
#[tokio::test]
async fn a_version_2_database_gets_the_search_index_over_its_runs() {
    use likely_store::{RunFilter, RunStore};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("record.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        // Exactly what the release before the search index left behind.
        let version_2 = likely_store::migrations(likely_store::Dialect::Sqlite)[..2].concat();
        conn.execute_batch(&format!("{version_2}PRAGMA user_version = 2;"))
            .unwrap();
        for (i, text) in ["base\ntune-7-v2\nalice\nteam set", "base\nother\nbob"]
            .iter()
            .enumerate()
        {
            conn.execute(
                "INSERT INTO likely_runs (id, created_at_ms, author, dataset_fingerprint, \
                 dataset_name, baseline, search_text, document, snapshot_kind, snapshot, \
                 delete_token_sha256) VALUES (?1, ?2, NULL, 'set', NULL, 'base', ?3, '{}', NULL, \
                 NULL, ?4)",
                rusqlite::params![
                    format!("{i:0>22}"),
                    1_765_000_000_000i64 + i as i64,
                    text,
                    &[0u8; 32][..]
                ],
            )
            .unwrap();
        }
    }
    let store = SqliteStore::open(&path, suite_config()).await.unwrap();
    let found = |text: &str| {
        let store = store.clone();
        let text = text.to_owned();
        async move {
            store
                .list_runs(RunFilter {
                    text: Some(text),
                    ..RunFilter::default()
                })
                .await
                .unwrap()
                .runs
                .into_iter()
                .map(|run| run.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(found("TUNE-7").await, [format!("{:0>22}", 0)]);
    assert_eq!(
        found("base").await,
        [format!("{:0>22}", 1), format!("{:0>22}", 0)]
    );
    assert_eq!(
        found("b").await,
        [format!("{:0>22}", 1), format!("{:0>22}", 0)]
    );
    assert!(found("zzz").await.is_empty());
    assert!(found("q").await.is_empty());
    assert_eq!(found("\nb").await, [format!("{:0>22}", 1)]);
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap();
    assert_eq!(version, 4);
    let indexed: i64 = conn
        .query_row(
            "SELECT count(*) FROM likely_runs_search WHERE likely_runs_search MATCH '\"base\"'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(indexed, 2);
    conn.execute(
        "INSERT INTO likely_runs_search (likely_runs_search) VALUES ('integrity-check')",
        [],
    )
    .unwrap();
}
