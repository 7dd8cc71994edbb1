//! Durability: a process saving a burst of snapshots is killed with SIGKILL; reopening the store
//! finds every snapshot it acknowledged complete, and no row half-written. Against SQLite always,
//! and against PostgreSQL when `LIKELY_TEST_POSTGRES_URL` is set.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::pg_env::postgres_url;
use likely_store::{Lookup, PostgresStore, ShareStore, SqliteStore, StoreConfig};
use sha2::{Digest, Sha256};

/// Acknowledged saves to wait for before the kill.
const ACKS_BEFORE_KILL: usize = 40;

/// Runs `likely-store-burst` on `url`, kills it with SIGKILL after `ACKS_BEFORE_KILL` acknowledged
/// saves, and returns every id it acknowledged (those printed before it died).
fn acknowledged_ids_of_killed_burst(url: &str) -> Vec<String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_likely-store-burst"))
        .args([url, "100000"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines, ids) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut acknowledged = Vec::new();
    while acknowledged.len() < ACKS_BEFORE_KILL {
        let left = deadline.saturating_duration_since(Instant::now());
        match ids.recv_timeout(left) {
            Ok(id) => acknowledged.push(id),
            Err(err) => {
                let _ = child.kill();
                panic!(
                    "the burst stopped after {} saves: {err:?} (status {:?})",
                    acknowledged.len(),
                    child.wait()
                );
            }
        }
    }
    child.kill().unwrap(); // SIGKILL on Unix: no destructor, no flush, no commit gets to run.
    let status = child.wait().unwrap();
    assert!(!status.success(), "the burst ended on its own: {status:?}");
    reader.join().unwrap();
    acknowledged.extend(ids.try_iter());
    acknowledged
}

/// Whether `body` is one the burst wrote whole: its first 32 bytes are the SHA-256 of the rest.
fn is_whole(body: &[u8]) -> bool {
    body.len() > 32 && Sha256::digest(&body[32..])[..] == body[..32]
}

/// Every acknowledged id reads back whole through `store`.
async fn assert_acknowledged_are_whole<S: ShareStore>(store: &S, acknowledged: &[String]) {
    for id in acknowledged {
        match store.get(id).await.unwrap() {
            Lookup::Found(snapshot) => {
                assert!(is_whole(&snapshot.bytes), "snapshot {id} is damaged")
            }
            other => panic!("acknowledged snapshot {id} was lost: {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_keeps_every_acknowledged_snapshot_through_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shares.sqlite3");
    let acknowledged = acknowledged_ids_of_killed_burst(&format!("sqlite:{}", path.display()));
    assert!(acknowledged.len() >= ACKS_BEFORE_KILL);

    let store = SqliteStore::open(path.clone(), StoreConfig::default())
        .await
        .unwrap();
    assert_acknowledged_are_whole(&store, &acknowledged).await;

    let conn = rusqlite::Connection::open(&path).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let mut rows = conn.prepare("SELECT id, body FROM likely_shares").unwrap();
    let bodies: Vec<(String, Vec<u8>)> = rows
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (id, body) in &bodies {
        assert!(is_whole(body), "row {id} is half-written");
    }
    assert!(bodies.len() >= acknowledged.len());
    eprintln!(
        "sqlite: {} acknowledged, {} rows after the kill (committed but not yet printed: {})",
        acknowledged.len(),
        bodies.len(),
        bodies.len() - acknowledged.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_keeps_every_acknowledged_snapshot_through_sigkill() {
    let Some(url) = postgres_url("postgres_keeps_every_acknowledged_snapshot_through_sigkill")
    else {
        return;
    };
    let acknowledged = tokio::task::spawn_blocking({
        let url = url.clone();
        move || acknowledged_ids_of_killed_burst(&url)
    })
    .await
    .unwrap();

    let store = PostgresStore::open(&url, StoreConfig::default())
        .await
        .unwrap();
    assert_acknowledged_are_whole(&store, &acknowledged).await;

    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let rows = client
        .query(
            "SELECT id, body FROM likely_shares WHERE kind = 'burst' AND body IS NOT NULL",
            &[],
        )
        .await
        .unwrap();
    for row in &rows {
        let (id, body): (String, Vec<u8>) = (row.get(0), row.get(1));
        assert!(is_whole(&body), "row {id} is half-written");
    }
    assert!(rows.len() >= acknowledged.len());
}
