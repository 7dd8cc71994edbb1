//! The real `likely serve` binary as a child process: started on port 0, its address read from the
//! line it prints, killed when dropped.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running `likely serve`, killed when dropped.
pub struct Served {
    /// The child process.
    pub child: Child,
    /// Its base URL, e.g. `http://127.0.0.1:41234`.
    pub base: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `likely serve --port 0 --dist /nonexistent --store STORE` (the API alone), without the
/// environment's configuration or access token.
pub fn serve_api(store: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_likely"));
    command
        .args([
            "serve",
            "--port",
            "0",
            "--dist",
            "/nonexistent",
            "--store",
            store,
        ])
        .env_remove("LIKELY_ACCESS_TOKEN")
        .env_remove("LIKELY_CONFIG")
        // The n-gram models alone: the transformer's own tests start it (`tests/transformer.rs`).
        .env("LIKELY_TRANSFORMER", "off");
    command
}

/// Spawns `command` (a `likely serve --port 0 …`) and waits for the address it prints.
pub fn spawn(command: &mut Command) -> Served {
    let mut child = command.stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .rsplit(' ')
        .next()
        .filter(|url| url.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    Served { child, base }
}

/// `likely serve` of the API alone with the configuration `config` (written into `dir`, which also
/// holds its custom models), storing no share links.
pub fn serve_config(config: &str, dir: &std::path::Path) -> Served {
    let path = dir.join("likely.toml");
    std::fs::write(&path, config).unwrap();
    let mut command = serve_api("none");
    command
        .arg("--config")
        .arg(&path)
        .arg("--custom-models-dir")
        .arg(dir.join("models"));
    spawn(&mut command)
}
