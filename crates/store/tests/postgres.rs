//! The store suite against `PostgresStore` on `LIKELY_TEST_POSTGRES_URL`, and what several server
//! replicas on one database need: a snapshot saved through one handle is read and deleted through
//! another, and handles opening at once migrate the schema once.

mod pg_env;
mod suite;

use likely_store::{Deletion, Lookup, NewSnapshot, PostgresStore, ShareStore, Store, StoreUrl};
use pg_env::postgres_url;
use suite::suite_config;

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
        .save(NewSnapshot {
            kind: "everything".into(),
            bytes: b"replicated".to_vec(),
            expires_at: None,
        })
        .await
        .unwrap();
    let Lookup::Found(snapshot) = second.get(saved.id.as_str()).await.unwrap() else {
        panic!("unseen")
    };
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
            .save(NewSnapshot {
                kind: "figures".into(),
                bytes: vec![1],
                expires_at: None,
            })
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
    let (admin, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let name = format!("likely_race_{}", std::process::id());
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .await
        .unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let (server, _) = url.rsplit_once('/').unwrap();
    let fresh_url = format!("{server}/{name}");

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
    let versions: Vec<i64> = client
        .query(
            "SELECT version FROM likely_store_migrations ORDER BY version",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    drop(client);
    connection.await.unwrap().unwrap();
    admin
        .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await
        .unwrap();
    for result in results {
        result.unwrap();
    }
    assert_eq!(versions, vec![1]);
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
