//! This crate's `likely` binary started by the kit's launcher (`likely_testkit::serve`).

use likely_testkit::serve::{Launch, Served};

/// `likely serve` of the API alone on `store` (a `--store` URL or `none`), without the environment's
/// configuration or access token.
pub fn serve_api(store: &str) -> Launch {
    Launch::new(env!("CARGO_BIN_EXE_likely")).store(store)
}

/// `likely serve` of the API alone with the configuration `config` (written into `dir`, which also
/// holds its custom models), storing no share links.
pub fn serve_config(config: &str, dir: &std::path::Path) -> Served {
    let path = dir.join("likely.toml");
    std::fs::write(&path, config).unwrap();
    serve_api("none")
        .config(&path)
        .custom_models(&dir.join("models"))
        .spawn()
}

/// `likely serve` of the API alone with one remote model (its configuration written into `dir`) on
/// `store`, `extra` arguments, access control when a token is given, and a quiet log.
pub fn serve_stored(
    dir: &std::path::Path,
    store: &str,
    extra: &[&str],
    token: Option<&str>,
) -> Served {
    let path = dir.join("likely.toml");
    // One remote model that no test of the stored routes calls: those routes need a model table only.
    let remote = super::one_model("remote", "cohere", "http://127.0.0.1:9", "");
    std::fs::write(&path, remote).unwrap();
    serve_api(store)
        .config(&path)
        .args(extra)
        .token(token)
        .quiet()
        .spawn()
}
