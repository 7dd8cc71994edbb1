//! The store suite against `PostgresStore` on `LIKELY_TEST_POSTGRES_URL`, and what several server
//! replicas on one database need: a snapshot saved through one handle is read and deleted through
//! another, and handles opening at once migrate the schema once.

use crate::pg_env::{drop_database, fresh_database, postgres_url};
use crate::suite::{found, new_snapshot, suite_config};
use likely_store::{Deletion, Lookup, PostgresStore, ShareStore, Store, StoreUrl};

async fn open_postgres(test: &str) -> Option<(PostgresStore, ())> {
    let url = postgres_url(test)?;
    Some((PostgresStore::open(&url, suite_config()).await.unwrap(), ()))
}

share_store_suite!(open_postgres);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_share_snapshots() {
    let Some(url) = postgres_url("two_replicas_share_snapshots") else {
        return;
    };
    let url: StoreUrl = url.parse().unwrap();
    let first = Store::open(&url, suite_config()).await.unwrap().unwrap();
    let second = Store::open(&url, suite_config()).await.unwrap().unwrap();
    assert!(matches!(first, Store::Postgres(_)));

    let saved = first
        .save(new_snapshot("everything", b"replicated".to_vec(), None))
        .await
        .unwrap();
    let snapshot = found(second.get(saved.id.as_str()).await.unwrap());
    assert_eq!(snapshot.bytes, b"replicated");
    assert_eq!(snapshot.meta, saved.meta);

    assert_eq!(
        second.delete(saved.id.as_str(), "wrong").await.unwrap(),
        Deletion::WrongToken
    );
    assert_eq!(
        second
            .delete(saved.id.as_str(), saved.delete_token.expose())
            .await
            .unwrap(),
        Deletion::Deleted
    );
    assert!(matches!(
        first.get(saved.id.as_str()).await.unwrap(),
        Lookup::Deleted { .. }
    ));
    assert_eq!(
        first
            .delete(saved.id.as_str(), saved.delete_token.expose())
            .await
            .unwrap(),
        Deletion::AlreadyDeleted
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_deletes_from_two_replicas_delete_once() {
    let Some(url) = postgres_url("racing_deletes_from_two_replicas_delete_once") else {
        return;
    };
    let first = PostgresStore::open(&url, suite_config()).await.unwrap();
    let second = PostgresStore::open(&url, suite_config()).await.unwrap();
    for _ in 0..10 {
        let saved = first
            .save(new_snapshot("figures", vec![1], None))
            .await
            .unwrap();
        let token = saved.delete_token.expose().to_owned();
        let (a, b) = tokio::join!(
            first.delete(saved.id.as_str(), &token),
            second.delete(saved.id.as_str(), &token)
        );
        let mut outcomes = [a.unwrap(), b.unwrap()];
        outcomes.sort_by_key(|outcome| *outcome == Deletion::AlreadyDeleted);
        assert_eq!(outcomes, [Deletion::Deleted, Deletion::AlreadyDeleted]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_opening_a_fresh_database_at_once_migrate_it_once() {
    let Some(url) = postgres_url("replicas_opening_a_fresh_database_at_once_migrate_it_once")
    else {
        return;
    };
    // A database of its own, so the schema really is created by the racing opens.
    let name = format!("likely_race_{}", std::process::id());
    let fresh_url = fresh_database(&url, &name).await;

    let opens: Vec<_> = (0..8)
        .map(|_| {
            let url = fresh_url.clone();
            tokio::spawn(async move { PostgresStore::open(&url, suite_config()).await.map(drop) })
        })
        .collect();
    let mut results = Vec::new();
    for open in opens {
        results.push(open.await.unwrap());
    }
    let (client, connection) = tokio_postgres::connect(&fresh_url, tokio_postgres::NoTls)
        .await
        .unwrap();
    let connection = tokio::spawn(connection);
    let versions: Vec<i64> = migration_versions(&client).await;
    drop(client);
    connection.await.unwrap().unwrap();
    drop_database(&url, &name).await;
    for result in results {
        result.unwrap();
    }
    assert_eq!(versions, vec![1, 2, 3, 4]);
}

#[tokio::test]
async fn an_unreachable_database_is_an_error_not_a_hang() {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    let err = PostgresStore::open("postgres://postgres@127.0.0.1:1/none", suite_config())
        .await
        .err()
        .unwrap();
    assert!(matches!(err, likely_store::StoreError::Pool(_)), "{err:?}");
}

run_store_suite!(open_postgres);

/// A database of its own (`name`) as an older release's migrations `sql` left it (their `versions`
/// recorded, e.g. `(1), (2)`), with a client connected to it and its connection's task.
async fn database_as_left_by(
    url: &str,
    name: &str,
    sql: &str,
    versions: &str,
) -> (
    String,
    tokio_postgres::Client,
    tokio::task::JoinHandle<Result<(), tokio_postgres::Error>>,
) {
    let old_url = fresh_database(url, name).await;
    let (client, connection) = tokio_postgres::connect(&old_url, tokio_postgres::NoTls)
        .await
        .unwrap();
    let connection = tokio::spawn(connection);
    client
        .batch_execute(&format!(
            "CREATE TABLE likely_store_migrations (version BIGINT PRIMARY KEY, \
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now());{sql}\
             INSERT INTO likely_store_migrations (version) VALUES {versions};"
        ))
        .await
        .unwrap();
    (old_url, client, connection)
}

/// A database of its own at schema version 1 (the first release: share links only), with one link.
async fn first_release_database(url: &str, name: &str) -> String {
    // Exactly what the first release's migration left behind.
    let (old_url, client, connection) = database_as_left_by(
        url,
        name,
        &likely_store::migrations(likely_store::Dialect::Postgres)[0],
        "(1)",
    )
    .await;
    client
        .execute(
            "INSERT INTO likely_shares (id, kind, created_at_ms, size_bytes, delete_token_sha256, body) \
             VALUES ('4fLdD1jmDjuaW6K-nsITzw', 'figures', 1765000000000, 11, $1, $2)",
            &[&vec![7u8; 32], &b"first share".to_vec()],
        )
        .await
        .unwrap();
    drop(client);
    connection.await.unwrap().unwrap();
    old_url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_release_database_is_migrated_and_keeps_its_shares() {
    let Some(url) = postgres_url("a_first_release_database_is_migrated_and_keeps_its_shares")
    else {
        return;
    };
    let name = format!("likely_v1_{}", std::process::id());
    let old_url = first_release_database(&url, &name).await;
    let store = PostgresStore::open(&old_url, suite_config()).await.unwrap();
    let snapshot = found(store.get("4fLdD1jmDjuaW6K-nsITzw").await.unwrap());
    assert_eq!(snapshot.bytes, b"first share");
    crate::record_suite::a_run_is_recorded_and_read_back(&store).await;
    drop(store);
    drop_database(&url, &name).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_share_runs_and_kept_sets() {
    let Some(url) = postgres_url("two_replicas_share_runs_and_kept_sets") else {
        return;
    };
    use likely_store::{NewDataset, RunFilter, RunStore};
    let url: StoreUrl = url.parse().unwrap();
    let first = Store::open(&url, suite_config()).await.unwrap().unwrap();
    let second = Store::open(&url, suite_config()).await.unwrap().unwrap();
    let dataset = crate::record_suite::unique("replicated");
    let saved = first
        .record_run(crate::record_suite::new_run(
            &dataset,
            std::time::SystemTime::now(),
            "base",
            &["v"],
        ))
        .await
        .unwrap();
    let page = second
        .list_runs(RunFilter {
            dataset: Some(dataset.clone()),
            ..RunFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(page.runs.len(), 1);
    assert_eq!(page.runs[0].id, saved.id);
    assert!(second.get_run(&saved.id).await.unwrap().is_some());
    first
        .keep_dataset(NewDataset {
            fingerprint: dataset.clone(),
            name: "team set".into(),
            description: None,
            snippet_count: 1,
            snippets: "[]".into(),
        })
        .await
        .unwrap();
    assert_eq!(
        second
            .get_dataset(&dataset)
            .await
            .unwrap()
            .unwrap()
            .meta
            .name,
        "team set"
    );
}

/// A database at schema version 2 (the record without the free-text index) holding a run: opening it
/// adds the trigram index, and the free text finds the run as before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_2_database_gets_the_trigram_index() {
    use likely_store::{RunFilter, RunStore};
    let Some(url) = postgres_url("a_version_2_database_gets_the_trigram_index") else {
        return;
    };
    let name = format!("likely_v2_{}", std::process::id());
    let (old_url, client, connection) = database_as_left_by(
        &url,
        &name,
        &likely_store::migrations(likely_store::Dialect::Postgres)[..2].concat(),
        "(1), (2)",
    )
    .await;
    client
        .execute(
            "INSERT INTO likely_runs (id, created_at_ms, dataset_fingerprint, baseline, search_text, \
             document, delete_token_sha256) VALUES ('AAAAAAAAAAAAAAAAAAAAAA', 1765000000000, 'set', \
             'base', 'base\ntune-7-v2\nalice', '{}', $1)",
            &[&vec![0u8; 32]],
        )
        .await
        .unwrap();
    let store = PostgresStore::open(&old_url, suite_config()).await.unwrap();
    for (text, hits) in [
        ("TUNE-7", 1),
        ("e\nt", 1),
        ("7", 1),
        ("\na", 1),
        ("q", 0),
        ("zzz", 0),
        ("tune_7", 0),
    ] {
        let page = store
            .list_runs(RunFilter {
                text: Some(text.into()),
                ..RunFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(page.runs.len(), hits, "{text:?}");
    }
    let index: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_indexes WHERE indexname = 'likely_run_search_trigrams'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(index, 1, "pg_trgm ships with PostgreSQL: the index is made");
    let versions: Vec<i64> = migration_versions(&client).await;
    assert_eq!(versions, [1, 2, 3, 4]);
    drop(client);
    connection.await.unwrap().unwrap();
    drop(store);
    drop_database(&url, &name).await;
}

/// The schema versions the store has applied, in order.
async fn migration_versions(client: &tokio_postgres::Client) -> Vec<i64> {
    client
        .query(
            "SELECT version FROM likely_store_migrations ORDER BY version",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect()
}
