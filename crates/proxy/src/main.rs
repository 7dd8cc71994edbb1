//! `likely`: the command line. `likely serve` loads (training on first use) the embedded models, then
//! serves the dashboard and the Generate API.

use anyhow::Context;
use clap::{Parser, Subcommand};
use likely_core::ModelInfo;
use likely_ngram::{load_or_train, EmbeddedPaths};
use likely_proxy::backends::{Backend, EmbeddedBackend};
use likely_proxy::models::{ModelEntry, ModelTable};
use likely_proxy::{app, AppState};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(name = "likely", version, about = "Does your fine-tuned model beat its base? Token by token.")]
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
        /// Port to bind.
        #[arg(long, default_value_t = 8080, env = "LIKELY_PORT")]
        port: u16,
        /// Trunk's build output with the dashboard.
        #[arg(long, default_value = "dist", env = "LIKELY_DIST")]
        dist: PathBuf,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("LIKELY_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    match Cli::parse().command {
        Command::Serve { host, port, dist } => serve(&host, port, dist).await,
    }
}

async fn serve(host: &str, port: u16, dist: PathBuf) -> anyhow::Result<()> {
    let models = embedded_table().await?;
    if !dist.join("index.html").is_file() {
        tracing::warn!(dist = %dist.display(), "no built dashboard there; serving the API only");
    }
    let state = AppState {
        models: Arc::new(models),
        dist_dir: dist.join("index.html").is_file().then_some(dist),
    };
    let address: SocketAddr = format!("{host}:{port}")
        .parse()
        .with_context(|| format!("`{host}:{port}` is not an address to bind"))?;
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot listen on {address}"))?;
    tracing::info!("Likely is ready at http://{}", listener.local_addr()?);
    axum::serve(listener, app(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("the server stopped")
}

async fn embedded_table() -> anyhow::Result<ModelTable> {
    tracing::info!("loading the embedded models (the first run trains them, about a minute)");
    let embedded = tokio::task::spawn_blocking(|| load_or_train(&EmbeddedPaths::default()))
        .await
        .context("loading the embedded models stopped")?
        .context("cannot load the embedded models")?;
    let entry = |name: &str, description: &str, model| {
        let backend = EmbeddedBackend::new(model, embedded.tokenizer.clone());
        ModelEntry {
            info: ModelInfo {
                name: name.into(),
                backend: "embedded".into(),
                context_length: None,
                vocab_size: Some(backend.vocab_size() as u32),
                returns_top_token: true,
                tokenizer: Some("gpt2".into()),
                description: Some(description.into()),
            },
            backend: Backend::Embedded(backend),
        }
    };
    let entries = vec![
        entry(
            "base-light",
            "Embedded Kneser-Ney model of general English",
            embedded.base.clone(),
        ),
        entry(
            "custom-base-light",
            "base-light adapted to Shakespeare's plays (Hamlet held out)",
            embedded.custom.clone(),
        ),
    ];
    ModelTable::new(entries).map_err(anyhow::Error::msg)
}
