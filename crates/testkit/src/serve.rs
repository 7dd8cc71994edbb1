//! The real `likely serve` as a child process: started on a free loopback port (`--port 0`), its
//! address read from the line it prints, killed when dropped.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long a server may take to load its (already trained) models and listen.
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// A `likely serve` command being put together.
#[derive(Debug)]
pub struct Launch {
    command: Command,
    dist: String,
    store: String,
}

impl Launch {
    /// `BIN serve --host 127.0.0.1 --port 0` without the environment's configuration or access token
    /// and with the n-gram models alone (`LIKELY_TRANSFORMER=off`; the transformer's own tests turn it
    /// on); the API alone (no dashboard) and no share store unless [`Launch::dist`] and
    /// [`Launch::store`] say otherwise.
    pub fn new(bin: impl AsRef<OsStr>) -> Launch {
        let mut command = Command::new(bin);
        command
            .args(["serve", "--host", "127.0.0.1", "--port", "0"])
            .env_remove("LIKELY_ACCESS_TOKEN")
            .env_remove("LIKELY_CONFIG")
            .env("LIKELY_TRANSFORMER", "off");
        Launch {
            command,
            dist: "/nonexistent".into(),
            store: "none".into(),
        }
    }

    /// Serves the dashboard built in `dist`.
    pub fn dist(mut self, dist: impl Into<String>) -> Launch {
        self.dist = dist.into();
        self
    }

    /// Keeps share links and runs in `store` (a `--store` URL, or `none`).
    pub fn store(mut self, store: impl Into<String>) -> Launch {
        self.store = store.into();
        self
    }

    /// With the configuration file `path`.
    pub fn config(self, path: &Path) -> Launch {
        self.arg("--config").arg(path)
    }

    /// With its custom models in `dir` (`--custom-models-dir`).
    pub fn custom_models(self, dir: &Path) -> Launch {
        self.arg("--custom-models-dir").arg(dir)
    }

    /// With access control on when a token is given (`LIKELY_ACCESS_TOKEN`).
    pub fn token(self, token: Option<&str>) -> Launch {
        match token {
            Some(token) => self.env("LIKELY_ACCESS_TOKEN", token),
            None => self,
        }
    }

    /// Warnings only in its log, and its standard error thrown away.
    pub fn quiet(mut self) -> Launch {
        self.command.env("LIKELY_LOG", "warn").stderr(Stdio::null());
        self
    }

    /// With one more argument.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Launch {
        self.command.arg(arg);
        self
    }

    /// With more arguments.
    pub fn args<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(mut self, args: I) -> Launch {
        self.command.args(args);
        self
    }

    /// With an environment variable set.
    pub fn env(mut self, name: &str, value: impl AsRef<OsStr>) -> Launch {
        self.command.env(name, value);
        self
    }

    /// With an environment variable unset (`LIKELY_TRANSFORMER`, say, to serve the transformer too).
    pub fn env_remove(mut self, name: &str) -> Launch {
        self.command.env_remove(name);
        self
    }

    /// The command itself, for what the methods above do not cover (its stderr, say).
    pub fn command(&mut self) -> &mut Command {
        &mut self.command
    }

    /// Starts the server and waits (up to two minutes) until it says where it listens. Its standard
    /// output is read to the end on a thread of its own, so the server never blocks on it.
    ///
    /// # Panics
    /// When the binary cannot be started or prints no address in time (a failed test).
    pub fn spawn(mut self) -> Served {
        self.command
            .arg("--dist")
            .arg(&self.dist)
            .arg("--store")
            .arg(&self.store);
        let mut child = self
            .command
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {:?}: {e}", self.command.get_program()));
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.split("listening on ").nth(1) {
                    let _ = sender.send(url.trim().to_string());
                }
            }
        });
        match receiver.recv_timeout(START_TIMEOUT) {
            Ok(url) => Served { child, url },
            Err(_) => {
                let _ = child.kill();
                let status = child.wait();
                panic!("the server did not say where it listens ({status:?})")
            }
        }
    }
}

/// A running `likely serve`, killed when dropped.
#[derive(Debug)]
pub struct Served {
    /// The child process.
    pub child: Child,
    /// Its base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
}

impl Served {
    /// `127.0.0.1:PORT`, for raw sockets.
    pub fn address(&self) -> &str {
        self.url.trim_start_matches("http://")
    }

    /// Kills the server at once (SIGKILL) and waits for it to end.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.kill();
    }
}
