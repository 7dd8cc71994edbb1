//! The PostgreSQL database the tests use: `LIKELY_TEST_POSTGRES_URL` (start one with
//! `eval "$(bash scripts/postgres.sh start)"`). Without it the tests skip, except under CI, where
//! they fail so that a CI run never silently skips them.

/// The test database's URL, or `None` (after saying so) when the PostgreSQL tests are skipped.
/// Panics when the URL is missing and `CI` is set.
pub(crate) fn postgres_url(test: &str) -> Option<String> {
    if let Some(url) = std::env::var("LIKELY_TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.is_empty())
    {
        return Some(url);
    }
    let ci = std::env::var("CI")
        .is_ok_and(|value| !value.is_empty() && value != "false" && value != "0");
    assert!(
        !ci,
        "LIKELY_TEST_POSTGRES_URL is not set but CI is: the PostgreSQL store tests must run in CI. \
         Start a database with `eval \"$(bash scripts/postgres.sh start)\"` before `cargo test`."
    );
    eprintln!(
        "skipped {test}: LIKELY_TEST_POSTGRES_URL is not set \
         (run `eval \"$(bash scripts/postgres.sh start)\"` to test the PostgreSQL store)"
    );
    None
}

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
