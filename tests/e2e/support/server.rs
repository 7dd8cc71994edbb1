//! The real `likely` server (the release binary and Trunk's `dist/`, as `scripts/test.sh` builds them)
//! started by the kit's launcher on a free loopback port, with a share store of its own or a shared
//! one, and stopped when dropped.

use likely_testkit::serve::{Launch, Served};
use std::ffi::OsStr;
use std::path::Path;

/// A running server.
pub struct Server {
    _served: Served,
    /// Its base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    /// The share store it made for itself (a temporary SQLite file), removed when dropped.
    _own_store: Option<SharedStore>,
}

/// A share store that outlives the servers started on it (to restart a server on the same store).
pub struct SharedStore {
    dir: tempfile::TempDir,
}

impl SharedStore {
    /// A fresh SQLite store in a temporary folder.
    pub fn new() -> SharedStore {
        SharedStore {
            dir: tempfile::tempdir().expect("a temporary folder for the share store"),
        }
    }

    /// Its `--store` URL.
    pub fn url(&self) -> String {
        format!(
            "sqlite://{}",
            self.dir.path().join("shares.sqlite3").display()
        )
    }
}

impl Server {
    /// Starts `likely serve --port 0` with the embedded models and waits until it listens.
    pub fn start() -> Server {
        Server::start_with(None)
    }

    /// Starts `likely serve --port 0`, with a config file when given, and waits until it listens.
    /// Its share links are kept in a temporary store of its own.
    pub fn start_with(config: Option<&Path>) -> Server {
        Server::start_with_args(config, &[])
    }

    /// Starts `likely serve --port 0` with the given config and further arguments (for example
    /// `--custom-models-dir DIR`) on a temporary share store of its own, and waits until it listens.
    pub fn start_with_args(config: Option<&Path>, extra: &[&OsStr]) -> Server {
        let store = SharedStore::new();
        let mut server = Server::start_on(config, &store.url(), extra);
        server._own_store = Some(store);
        server
    }

    /// Starts `likely serve --port 0` with the on-board transformer's two models besides the n-gram
    /// ones and `extra` arguments, on a temporary share store of its own; `None` (after saying why)
    /// when the transformer's weights are not installed.
    pub fn start_with_transformer(extra: &[&std::ffi::OsStr]) -> Option<Server> {
        if !transformer_weights_installed() {
            eprintln!(
                "SKIPPED: the transformer's weights are not installed (scripts/fetch-smollm2.sh fetches them)"
            );
            return None;
        }
        let store = SharedStore::new();
        let mut server = Server::launch(None, &store.url(), extra, true);
        server._own_store = Some(store);
        Some(server)
    }

    /// Starts `likely serve --port 0` on the share store `store` (a `--store` URL, or `none`), with
    /// a config file when given and `extra` arguments, and waits until it listens.
    pub fn start_on(config: Option<&Path>, store: &str, extra: &[&OsStr]) -> Server {
        Server::launch(config, store, extra, false)
    }

    /// [`Server::start_on`], with the on-board transformer when `transformer` is set.
    fn launch(config: Option<&Path>, store: &str, extra: &[&OsStr], transformer: bool) -> Server {
        let bin = std::env::var("LIKELY_BIN").unwrap_or_else(|_| "target/release/likely".into());
        let dist = std::env::var("LIKELY_DIST").unwrap_or_else(|_| "dist".into());
        assert!(
            Path::new(&dist).join("index.html").is_file(),
            "no built dashboard in {dist}: run scripts/test.sh, which builds it"
        );
        assert!(
            Path::new(&bin).is_file(),
            "no `likely` binary at {bin}: run scripts/test.sh, which builds it"
        );
        let mut launch = Launch::new(&bin).dist(dist).store(store).args(extra);
        if std::env::var_os("LIKELY_LOG").is_none() {
            launch = launch.env("LIKELY_LOG", "warn");
        }
        // The n-gram models alone (the worked example's pair, as the page tests expect; the
        // launcher's default), unless the test asks for the transformer.
        if transformer {
            launch = launch.env_remove("LIKELY_TRANSFORMER");
        }
        if let Some(config) = config {
            launch = launch.config(config);
        }
        let served = launch.spawn();
        Server {
            url: served.url.clone(),
            _served: served,
            _own_store: None,
        }
    }
}

/// Whether the transformer's weights are where `scripts/fetch-smollm2.sh` puts them
/// (`$LIKELY_DATA_DIR/models/smollm2-135m.gguf`, the data folder defaulting to `~/.cache/likely`).
pub fn transformer_weights_installed() -> bool {
    let data = match std::env::var_os("LIKELY_DATA_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => std::path::PathBuf::from(dir),
        None => match std::env::var_os("HOME") {
            Some(home) => std::path::PathBuf::from(home).join(".cache").join("likely"),
            None => return false,
        },
    };
    data.join("models").join("smollm2-135m.gguf").is_file()
}
