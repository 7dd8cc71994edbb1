//! The PostgreSQL database the tests use: `LIKELY_TEST_POSTGRES_URL` (start one with
//! `eval "$(bash scripts/postgres.sh start)"`). Without it the tests skip, except under CI, where
//! they fail so that a CI run never silently skips them.

/// The test database's URL, or `None` (after saying so) when the PostgreSQL tests are skipped.
///
/// # Panics
/// When the URL is missing and `CI` is set.
pub fn postgres_url(test: &str) -> Option<String> {
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
