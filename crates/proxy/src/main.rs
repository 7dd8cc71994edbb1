//! `likely`: the command line. `likely serve` reads the model table (`--config`, else the embedded
//! models alone), loads the embedded models if any are listed (training them on first use), reads the
//! keys the table names, then serves the dashboard and the Generate API.

use anyhow::Context;
use clap::{Parser, Subcommand};
use likely_ngram::{load_or_train, EmbeddedPaths};
use likely_proxy::auth::{AccessToken, ACCESS_TOKEN_ENV};
use likely_proxy::backends::EmbeddedCatalog;
use likely_proxy::config::Config;
use likely_proxy::setup::{build_table, process_env};
use likely_proxy::shares::Shares;
use likely_proxy::{app, AppState};
use likely_store::{default_sqlite_path, ShareStore, Store, StoreConfig, StoreUrl};
use std::time::Duration;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "likely",
    version,
    about = "Does your fine-tuned model beat its base? Token by token."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the dashboard and the Generate API.
    Serve {
        /// Address to bind.
        #[arg(long, default_value = "127.0.0.1", env = "LIKELY_HOST")]
        host: String,
        /// Port to bind (0 picks a free one; the address is printed on stdout).
        #[arg(long, default_value_t = 8080, env = "LIKELY_PORT")]
        port: u16,
        /// Trunk's build output with the dashboard.
        #[arg(long, default_value = "dist", env = "LIKELY_DIST")]
        dist: PathBuf,
        /// The model table and limits (TOML; see likely.example.toml). Without it: the embedded
        /// models alone.
        #[arg(long, env = "LIKELY_CONFIG")]
        config: Option<PathBuf>,
        #[command(flatten)]
        shares: ShareArgs,
    },
    /// Train (first time) and load the embedded models, then exit: a build step, so that `serve`
    /// starts in seconds.
    Prepare,
}

/// Where share links are kept, and their limits.
#[derive(clap::Args)]
struct ShareArgs {
    /// Where share links are kept: `sqlite:PATH`, `postgres://USER@HOST:PORT/DB` (several servers
    /// sharing links), or `none` (links carry the evaluation in their fragment). Default: an SQLite
    /// file in the data directory (`$LIKELY_DATA_HOME`, else `$XDG_DATA_HOME/likely`, else
    /// `~/.local/share/likely`).
    #[arg(long, env = "LIKELY_STORE")]
    store: Option<String>,
    /// The largest snapshot a share link may keep, in MiB.
    #[arg(long, default_value_t = 8, env = "LIKELY_SHARE_MAX_MIB")]
    share_max_mib: u64,
    /// The longest a share link may last, in days; links then expire after at most this long (and
    /// by default after exactly this long). Without it links last until deleted unless their author
    /// picks an expiry.
    #[arg(long, env = "LIKELY_SHARE_MAX_DAYS")]
    share_max_days: Option<u64>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Logs go to stderr: stdout carries only the "listening" line, which tests parse.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            EnvFilter::try_from_env("LIKELY_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    match Cli::parse().command {
        Command::Serve {
            host,
            port,
            dist,
            config,
            shares,
        } => serve(&host, port, dist, config.as_deref(), shares).await,
        Command::Prepare => {
            let catalog = embedded_catalog().await?;
            tracing::info!(models = catalog.names().len(), "embedded models ready");
            Ok(())
        }
    }
}

async fn serve(
    host: &str,
    port: u16,
    dist: PathBuf,
    config: Option<&Path>,
    share_args: ShareArgs,
) -> anyhow::Result<()> {
    let config = match config {
        Some(path) => Config::load(path)?,
        None => Config::embedded_only(),
    };
    let access = AccessToken::from_env_value(std::env::var(ACCESS_TOKEN_ENV).ok())?;
    let catalog = if config.needs_embedded() {
        Some(embedded_catalog().await?)
    } else {
        None
    };
    let models = build_table(&config, &process_env, catalog.as_ref())?;
    for model in models.list().models {
        tracing::info!(model = %model.name, backend = %model.backend, "model ready");
    }
    if access.is_some() {
        tracing::info!("access control is on: the API requires {ACCESS_TOKEN_ENV}");
    }
    let has_dashboard = dist.join("index.html").is_file();
    if !has_dashboard {
        tracing::warn!(dist = %dist.display(), "no built dashboard there; serving the API only");
    }
    let shares = open_shares(share_args).await?;
    let state = AppState {
        models: Arc::new(models),
        dist_dir: has_dashboard.then_some(dist),
        access,
        max_body_bytes: config.limits.max_body_bytes,
        shares,
    };
    let address: SocketAddr = format!("{host}:{port}")
        .parse()
        .with_context(|| format!("`{host}:{port}` is not an address to bind"))?;
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot listen on {address}"))?;
    // A plain line on stdout, for people and for tests that start the server on port 0.
    println!("Likely is listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("the server stopped")
}

/// Opens the share store the flags name (the SQLite default when none), and starts purging expired
/// snapshots hourly.
async fn open_shares(args: ShareArgs) -> anyhow::Result<Option<Shares>> {
    let url: StoreUrl = match args.store {
        Some(text) => text.parse().context("--store")?,
        None => StoreUrl::Sqlite(default_sqlite_path().context("no data directory for share links")?),
    };
    let config = StoreConfig {
        max_snapshot_bytes: args.share_max_mib.saturating_mul(1024 * 1024),
    };
    let Some(store) = Store::open(&url, config)
        .await
        .with_context(|| format!("cannot open the share store {url}"))?
    else {
        tracing::info!("share links are not stored (--store none): links carry the evaluation");
        return Ok(None);
    };
    tracing::info!(store = %url, "share links are kept in {url}");
    let purger = store.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(3600));
        loop {
            every.tick().await;
            match purger.purge_expired().await {
                Ok(0) => {}
                Ok(purged) => tracing::info!(purged, "expired share links purged"),
                Err(error) => tracing::warn!(%error, "purging expired share links failed"),
            }
        }
    });
    Ok(Some(Shares {
        store,
        max_expiry: args
            .share_max_days
            .map(|days| Duration::from_secs(days.saturating_mul(86_400))),
    }))
}

async fn embedded_catalog() -> anyhow::Result<EmbeddedCatalog> {
    tracing::info!("loading the embedded models (the first run trains them, about a minute)");
    let models = tokio::task::spawn_blocking(|| load_or_train(&EmbeddedPaths::default()))
        .await
        .context("loading the embedded models stopped")?
        .context("cannot load the embedded models")?;
    Ok(EmbeddedCatalog::from_models(models))
}
