//! `likely`: the command line. `likely serve` reads the model table (`--config`, else the embedded
//! models alone), loads the embedded models if any are listed (training them on first use), reads the
//! keys the table names, then serves the dashboard and the Generate API. `likely eval` scores a
//! held-out set with the same table (or through a running server) and prints the page's figures.

// Nothing in this crate needs unsafe code, and the compiler keeps it that way.
#![forbid(unsafe_code)]

use anyhow::Context;
use clap::{Parser, Subcommand};
use likely_core::record::RecordMode;
use likely_ngram::pipeline::BASE_NAME;
use likely_ngram::{load_or_train, EmbeddedPaths, KnModel};
use likely_proxy::access::{Access, AccessToken, ACCESS_TOKEN_ENV};
use likely_proxy::backends::EmbeddedCatalog;
use likely_proxy::config::Config;
use likely_proxy::custom::settings::{
    default_dir, CUSTOM_MODELS_DIR_ENV, DEFAULT_MAX_MODEL_BYTES, DEFAULT_MAX_UPLOAD_BYTES,
};
use likely_proxy::custom::{Base, BaseModel, CustomModels, CustomSettings};
use likely_proxy::embedded::{
    load_transformers, EmbeddedTokenizer, TRANSFORMER_BASE_NAME, TRANSFORMER_CUSTOM_NAME,
};
use likely_proxy::eval::command::{read_set, run as run_eval};
use likely_proxy::eval::scorer::{Scorer, Server};
use likely_proxy::eval::{EvalArgs, Verdict};
use likely_proxy::hosts::AllowedHosts;
use likely_proxy::models::ModelTable;
use likely_proxy::record::Record;
use likely_proxy::serve::ConnectionLimits;
use likely_proxy::setup::{build_table, process_env};
use likely_proxy::shares::Shares;
use likely_proxy::{app, AppState};
use likely_store::{default_sqlite_path, ShareStore, Store, StoreConfig, StoreUrl};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
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
// Parsed once at start-up: the size of the one value made does not matter.
#[allow(clippy::large_enum_variant)]
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
        /// A host name clients may use to reach this server (repeat, or comma-separate in the
        /// variable), e.g. the public name of a reverse proxy. IP addresses and, on loopback,
        /// `localhost` are always allowed; other `Host` headers are refused (DNS rebinding).
        #[arg(
            long = "allowed-host",
            env = "LIKELY_ALLOWED_HOSTS",
            value_delimiter = ','
        )]
        allowed_hosts: Vec<String>,
        /// Listen on a non-loopback address without LIKELY_ACCESS_TOKEN (anyone who can reach it
        /// can spend the upstream keys' quota).
        #[arg(long, env = "LIKELY_ALLOW_PUBLIC_WITHOUT_TOKEN")]
        allow_public_without_token: bool,
        /// Most connections open at once; more are closed at once.
        #[arg(long, default_value_t = 512, env = "LIKELY_MAX_CONNECTIONS")]
        max_connections: usize,
        /// Seconds a client may take to send a request's headers (or stay idle between requests).
        #[arg(long, default_value_t = 10, env = "LIKELY_HEADER_READ_TIMEOUT_SECS")]
        header_read_timeout_secs: u64,
        /// Seconds a client may take to send a request's body.
        #[arg(long, default_value_t = 30, env = "LIKELY_BODY_READ_TIMEOUT_SECS")]
        body_read_timeout_secs: u64,
        #[command(flatten)]
        custom: CustomArgs,
        #[command(flatten)]
        shares: ShareArgs,
    },
    /// Train (first time) and load the embedded models, then exit: a build step, so that `serve`
    /// starts in seconds.
    Prepare,
    /// List the runs a `likely serve` has recorded, newest first.
    Runs(likely_proxy::eval::record::RunsArgs),
    /// Score a held-out set with a baseline and custom models and print the page's figures and pills.
    /// Exit status: 0 done, 1 a custom model is worse on loss (with --fail-if-worse), 2 an error,
    /// 130 interrupted.
    Eval(EvalArgs),
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
    /// What a recorded run keeps of its evaluation: `figures` (no held-out text, no token string),
    /// `everything`, or `off` (no run is recorded). Runs and kept sets live in the --store.
    #[arg(long = "record", default_value = "figures", env = "LIKELY_RECORD", value_parser = parse_record_mode)]
    record: RecordMode,
    /// Delete recorded runs older than this many days (checked hourly). Without it runs are kept
    /// until deleted.
    #[arg(long, env = "LIKELY_RUNS_MAX_DAYS")]
    runs_max_days: Option<u64>,
}

fn parse_record_mode(text: &str) -> Result<RecordMode, String> {
    RecordMode::parse(text).ok_or_else(|| format!("`{text}`: use figures, everything or off"))
}

/// Where custom models are stored and how large they may be.
#[derive(clap::Args)]
struct CustomArgs {
    /// Folder of the custom models [default: $XDG_DATA_HOME/likely/models, else
    /// ~/.local/share/likely/models].
    #[arg(long, env = CUSTOM_MODELS_DIR_ENV)]
    custom_models_dir: Option<PathBuf>,
    /// Largest upload to POST /v1/custom-models, in bytes.
    #[arg(long, env = "LIKELY_MAX_UPLOAD_BYTES", default_value_t = DEFAULT_MAX_UPLOAD_BYTES)]
    max_upload_bytes: usize,
    /// Largest estimated custom model (disk and memory), in bytes.
    #[arg(long, env = "LIKELY_MAX_CUSTOM_MODEL_BYTES", default_value_t = DEFAULT_MAX_MODEL_BYTES)]
    max_custom_model_bytes: u64,
}

impl CustomArgs {
    fn settings(self) -> CustomSettings {
        CustomSettings {
            dir: self.custom_models_dir.unwrap_or_else(default_dir),
            max_upload_bytes: self.max_upload_bytes,
            max_model_bytes: self.max_custom_model_bytes,
        }
    }
}

fn main() -> ExitCode {
    // Before any thread exists: the network's multi-megabyte buffers come and go on many threads
    // (keep glibc from holding on to them, likely_lm::allocator), and concurrent passes call into
    // candle at once (its element-wise ops on the calling thread, likely_lm::threads).
    likely_lm::tune_allocator();
    likely_lm::tune_threads();
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(run()),
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The command line's command, run.
async fn run() -> ExitCode {
    let command = Cli::parse().command;
    // Logs go to stderr: stdout carries only the "listening" line (or the report), which tests parse.
    let default_level = match command {
        Command::Eval(_) => "warn",
        _ => "info",
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            EnvFilter::try_from_env("LIKELY_LOG").unwrap_or_else(|_| EnvFilter::new(default_level)),
        )
        .init();
    let done = match command {
        Command::Eval(args) => return eval(&args).await,
        Command::Runs(args) => return runs(&args).await,
        Command::Serve {
            host,
            port,
            dist,
            config,
            allowed_hosts,
            allow_public_without_token,
            max_connections,
            header_read_timeout_secs,
            body_read_timeout_secs,
            custom,
            shares,
        } => {
            let exposure = Exposure {
                allowed_hosts,
                allow_public_without_token,
                limits: ConnectionLimits {
                    max_connections: max_connections.max(1),
                    header_read_timeout: Duration::from_secs(header_read_timeout_secs.max(1)),
                    body_read_timeout: Duration::from_secs(body_read_timeout_secs.max(1)),
                },
            };
            serve(
                &host,
                port,
                dist,
                config.as_deref(),
                exposure,
                custom.settings(),
                shares,
            )
            .await
        }
        Command::Prepare => embedded_catalog().await.map(|(catalog, _)| {
            tracing::info!(models = catalog.names().len(), "embedded models ready");
        }),
    };
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("Error: {error:?}");
            ExitCode::FAILURE
        }
    }
}

/// `likely eval`: the report on stdout, the exit status as documented on [`Command::Eval`].
async fn eval(args: &EvalArgs) -> ExitCode {
    match eval_verdict(args).await {
        Ok(Verdict::Passed) => ExitCode::SUCCESS,
        Ok(Verdict::Worse) => ExitCode::from(1),
        Ok(Verdict::Interrupted) => ExitCode::from(130),
        Err(error) => {
            eprintln!("likely eval: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// `likely runs`: the table (or JSON) on stdout; status 2 with the reason on failure.
async fn runs(args: &likely_proxy::eval::record::RunsArgs) -> ExitCode {
    let listed = async {
        let base = reqwest::Url::parse(&args.server)
            .with_context(|| format!("--server `{}` is not a URL", args.server))?;
        let server =
            Server::new(base, access_token_from_env()).context("cannot start an HTTP client")?;
        anyhow::Ok(likely_proxy::eval::record::list_runs(&server, args).await?)
    };
    match listed.await {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("likely runs: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// LIKELY_ACCESS_TOKEN, when set and not blank.
fn access_token_from_env() -> Option<secrecy::SecretString> {
    std::env::var(ACCESS_TOKEN_ENV)
        .ok()
        .filter(|token| !token.trim().is_empty())
        .map(secrecy::SecretString::from)
}

/// Reads the set, chooses where calls go (a running server, else this process's model table), and
/// runs the evaluation.
async fn eval_verdict(args: &EvalArgs) -> anyhow::Result<Verdict> {
    let snippets = read_set(&args.file)?;
    let scorer = match &args.server {
        Some(address) => {
            let base = reqwest::Url::parse(address)
                .with_context(|| format!("--server `{address}` is not a URL"))?;
            let token = std::env::var(ACCESS_TOKEN_ENV)
                .ok()
                .filter(|token| !token.trim().is_empty())
                .map(secrecy::SecretString::from);
            Scorer::Server(Server::new(base, token).context("cannot start an HTTP client")?)
        }
        None => {
            let mut config = match &args.config {
                Some(path) => Config::load(path)?,
                None => Config::embedded_only(),
            };
            let catalog = if config.needs_embedded() {
                Some(embedded_catalog().await?.0)
            } else {
                None
            };
            if let Some(catalog) = &catalog {
                config.add_loaded_transformers(&catalog.names());
            }
            let table = build_table(&config, &process_env, catalog.as_ref())?;
            Scorer::InProcess(AppState::new(table))
        }
    };
    Ok(run_eval(&scorer, args, snippets).await?)
}

/// Who may reach the server and how: host names, public listening, connection limits.
struct Exposure {
    allowed_hosts: Vec<String>,
    allow_public_without_token: bool,
    limits: ConnectionLimits,
}

async fn serve(
    host: &str,
    port: u16,
    dist: PathBuf,
    config: Option<&Path>,
    exposure: Exposure,
    custom_settings: CustomSettings,
    share_args: ShareArgs,
) -> anyhow::Result<()> {
    let address: SocketAddr = format!("{host}:{port}")
        .parse()
        .with_context(|| format!("`{host}:{port}` is not an address to bind"))?;
    let access = AccessToken::from_env_value(std::env::var(ACCESS_TOKEN_ENV).ok())?;
    if !address.ip().is_loopback() && access.is_none() && !exposure.allow_public_without_token {
        anyhow::bail!(
            "refusing to listen on {address} without an access token: anyone who reaches it could spend the models' quota. \
             Set {ACCESS_TOKEN_ENV}, listen on 127.0.0.1, or pass --allow-public-without-token"
        );
    }
    let mut config = match config {
        Some(path) => Config::load(path)?,
        None => Config::embedded_only(),
    };
    let catalog = if config.needs_embedded() {
        Some(embedded_catalog().await?)
    } else {
        None
    };
    if let Some((catalog, _)) = &catalog {
        config.add_loaded_transformers(&catalog.names());
    }
    let models = Arc::new(build_table(
        &config,
        &process_env,
        catalog.as_ref().map(|(catalog, _)| catalog),
    )?);
    let max_upload_bytes = custom_settings.max_upload_bytes;
    let custom = match catalog {
        Some((catalog, base)) => {
            Some(start_custom_models(custom_settings, Arc::clone(&models), catalog, base).await?)
        }
        None => None,
    };
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
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot listen on {address}"))?;
    let bound = listener.local_addr()?;
    let (shares, record) = open_shares(share_args, max_upload_bytes).await?;
    let state = AppState {
        models,
        shares,
        record,
        dist_dir: has_dashboard.then_some(dist),
        access: access.map(Access::new),
        max_body_bytes: config.limits.max_body_bytes,
        hosts: Some(Arc::new(AllowedHosts::new(bound, &exposure.allowed_hosts))),
        custom,
    };
    // A plain line on stdout, for people and for tests that start the server on port 0.
    println!("Likely is listening on http://{bound}");
    likely_proxy::serve::serve(listener, app(state), exposure.limits, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .context("cannot start the threads that serve connections")
}

/// Opens the share store the flags name (the SQLite default when none), and starts purging expired
/// snapshots hourly.
async fn open_shares(
    args: ShareArgs,
    max_upload_bytes: usize,
) -> anyhow::Result<(Option<Shares>, Option<Record>)> {
    let url: StoreUrl = match args.store {
        Some(text) => text.parse().context("--store")?,
        None => {
            StoreUrl::Sqlite(default_sqlite_path().context("no data directory for share links")?)
        }
    };
    let config = StoreConfig {
        max_snapshot_bytes: args.share_max_mib.saturating_mul(1024 * 1024),
    };
    let Some(store) = Store::open(&url, config)
        .await
        .with_context(|| format!("cannot open the share store {url}"))?
    else {
        tracing::info!("share links are not stored (--store none): links carry the evaluation");
        return Ok((None, None));
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
    let record = Record {
        store: store.clone(),
        mode: args.record,
        max_age: args
            .runs_max_days
            .map(|days| Duration::from_secs(days.saturating_mul(86_400))),
        max_dataset_bytes: max_upload_bytes,
    };
    record.purge_hourly();
    tracing::info!(record = record.mode.as_str(), "runs are recorded in {url}");
    Ok((
        Some(Shares {
            store,
            max_expiry: args
                .share_max_days
                .map(|days| Duration::from_secs(days.saturating_mul(86_400))),
        }),
        Some(record),
    ))
}

/// The embedded models, and `base-light` as the base of custom models.
async fn embedded_catalog() -> anyhow::Result<(EmbeddedCatalog, Arc<KnModel>)> {
    tracing::info!("loading the embedded models (the first run trains them, about a minute)");
    let models = tokio::task::spawn_blocking(|| load_or_train(&EmbeddedPaths::default()))
        .await
        .context("loading the embedded models stopped")?
        .context("cannot load the embedded models")?;
    let base = Arc::clone(&models.base_model);
    let mut catalog = EmbeddedCatalog::from_models(models);
    let transformers = tokio::task::spawn_blocking(|| load_transformers(&EmbeddedPaths::default()))
        .await
        .context("loading the on-board transformer stopped")?;
    if let Some(loaded) = transformers {
        catalog = catalog.with_tokenized_model(
            TRANSFORMER_BASE_NAME,
            loaded.base,
            loaded.tokenizer.clone(),
        );
        if let Some(custom) = loaded.custom {
            catalog =
                catalog.with_tokenized_model(TRANSFORMER_CUSTOM_NAME, custom, loaded.tokenizer);
        }
    }
    Ok((catalog, base))
}

/// Loads the stored custom models into the table and starts their trainer; `base-light` and
/// `smollm2-135m` are their bases when the table serves them.
async fn start_custom_models(
    settings: CustomSettings,
    models: Arc<ModelTable>,
    catalog: EmbeddedCatalog,
    base: Arc<KnModel>,
) -> anyhow::Result<Arc<CustomModels>> {
    let tokenizer = catalog.tokenizer().clone();
    let mut bases = Vec::new();
    if models.is_configured(BASE_NAME) {
        bases.push(Base {
            name: BASE_NAME.to_string(),
            model: BaseModel::Ngram(base),
            tokenizer: EmbeddedTokenizer::Gpt2(tokenizer.clone()),
        });
    }
    if models.is_configured(TRANSFORMER_BASE_NAME) {
        if let Some((network, network_tokenizer)) = catalog.model(TRANSFORMER_BASE_NAME) {
            bases.push(Base {
                name: TRANSFORMER_BASE_NAME.to_string(),
                model: BaseModel::Network(network),
                tokenizer: network_tokenizer,
            });
        }
    }
    tokio::task::spawn_blocking(move || CustomModels::start(settings, models, bases, tokenizer))
        .await
        .context("loading the custom models stopped")?
        .context("cannot load the custom models")
}
