//! The PostgreSQL database the tests use (`likely_testkit::postgres::postgres_url`: required under
//! CI, skipped elsewhere without `LIKELY_TEST_POSTGRES_URL`), and fresh databases of their own on it.

pub(crate) use likely_testkit::postgres::postgres_url;

/// A fresh, empty database `name` (dropped first when it exists) on the server of `url`; its URL.
pub(crate) async fn fresh_database(url: &str, name: &str) -> String {
    let (admin, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let (server, _) = url.rsplit_once('/').unwrap();
    format!("{server}/{name}")
}

/// Drops the database `name` on the server of `url`, closing its connections.
pub(crate) async fn drop_database(url: &str, name: &str) {
    let (admin, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    admin
        .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await
        .unwrap();
}
