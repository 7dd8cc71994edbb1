//! The configuration file (`likely serve --config FILE`): the model table and the limits, in TOML.
//!
//! Parsing checks everything that can be checked without the environment: names, backend kinds, base
//! URLs (http or https, no credentials, no query), and that no key is written into the file. Keys are
//! read later, from the variables the file names ([`crate::setup`]). Without a file the server offers
//! the embedded models alone ([`Config::embedded_only`]). `likely.example.toml` at the repository root
//! documents every key.

use crate::embedded::{TRANSFORMER_BASE_NAME, TRANSFORMER_CUSTOM_NAME};
use likely_core::rules;
use likely_ngram::pipeline::{BASE_NAME, CUSTOM_NAME};
use reqwest::Url;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The embedded models `likely-ngram` trains, with their descriptions.
pub const EMBEDDED_MODELS: [(&str, &str); 2] = [
    (BASE_NAME, "Embedded Kneser-Ney model of general English"),
    (
        CUSTOM_NAME,
        "base-light adapted to Shakespeare's plays (Hamlet held out)",
    ),
];

/// The on-board transformer's embedded models, with their descriptions: added to the default table
/// when its weights are installed ([`Config::add_loaded_transformers`]).
pub const TRANSFORMER_MODELS: [(&str, &str); 2] = [
    (
        TRANSFORMER_BASE_NAME,
        "SmolLM2-135M-Instruct, a 135M-parameter transformer run on board",
    ),
    (
        TRANSFORMER_CUSTOM_NAME,
        "smollm2-135m mixed with a Kneser-Ney model of Shakespeare's plays (Hamlet and Timon of Athens held out)",
    ),
];

/// Requests each on-board transformer model lets work at once in the default table: the windows
/// asked of the network at the same time share one forward pass (`likely_lm`'s batching), so more
/// at once make larger passes rather than more CPU work (BENCHMARKS.md: sixteen at a time score
/// faster than eight, eight faster than four).
pub const TRANSFORMER_MAX_CONCURRENT: usize = 16;

/// Why the configuration cannot be used. Messages name files, lines, models and variables, never a
/// value read from the environment.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("cannot read the configuration file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML of the expected shape.
    #[error("{path}{location}: {message}")]
    Parse {
        /// The file (or `<config>` for a string).
        path: String,
        /// ` line N` when known.
        location: String,
        /// The parser's message (it quotes no source line, so no value of the file is echoed).
        message: String,
    },
    /// A value is out of range or inconsistent.
    #[error("{0}")]
    Invalid(String),
    /// A model names a key variable that is not set.
    #[error(
        "model `{model}`: the environment variable {variable} (its `api_key_env`) is not set or is empty"
    )]
    MissingKey {
        /// The model.
        model: String,
        /// The variable's name.
        variable: String,
    },
    /// A key variable holds characters that cannot go into an HTTP header.
    #[error("model `{model}`: the environment variable {variable} does not hold a usable key (control characters or non-ASCII)")]
    UnusableKey {
        /// The model.
        model: String,
        /// The variable's name.
        variable: String,
    },
}

/// The whole file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Server-wide limits and the per-model defaults.
    #[serde(default)]
    pub limits: Limits,
    /// The model table, in the order `GET /v1/models` lists it.
    #[serde(default)]
    pub models: Vec<ModelConfig>,
    /// The folder relative paths in the file (a `tokenizer.json`) start from: the file's own.
    #[serde(skip)]
    pub base_dir: PathBuf,
    /// Whether the table is the default one (no file, or a file listing no model): the on-board
    /// transformer's models join it when they are loaded.
    #[serde(skip)]
    pub default_table: bool,
}

/// Limits; every one has a safe default, and the per-model ones can be overridden in `[[models]]`.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// The largest request body, in bytes (larger bodies get 413).
    pub max_body_bytes: usize,
    /// Default longest prompt, in characters (longer prompts get 413).
    pub max_prompt_chars: usize,
    /// Default number of requests one model works on at once.
    pub max_concurrent: usize,
    /// Default number of requests that may wait for one model; more get 503 with `Retry-After`.
    pub max_queued: usize,
    /// How long a request may wait for its turn before it gets 503, in seconds.
    pub queue_timeout_secs: u64,
    /// Default time one request may take, upstream call included, in seconds (then 504).
    pub timeout_secs: u64,
    /// Time to open a connection to an upstream, in seconds (then 502).
    pub connect_timeout_secs: u64,
    /// The largest upstream answer read, in bytes (larger ones are a 502).
    pub max_upstream_answer_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 1024 * 1024,
            max_prompt_chars: 100_000,
            max_concurrent: 4,
            max_queued: 64,
            queue_timeout_secs: 30,
            timeout_secs: 60,
            connect_timeout_secs: 10,
            max_upstream_answer_bytes: 32 * 1024 * 1024,
        }
    }
}

/// The kind of server that answers for a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BackendKind {
    /// An in-process `likely-ngram` model.
    Embedded,
    /// Cohere's v1 `/generate`.
    Cohere,
    /// An OpenAI-compatible `/v1/completions` (vLLM, Together, Fireworks, …).
    OpenaiCompletions,
    /// Hugging Face Text Generation Inference `/generate`.
    Tgi,
    /// SGLang's native `/generate`.
    Sglang,
}

impl BackendKind {
    /// The name used in the file and in `GET /v1/models`.
    pub fn as_str(self) -> &'static str {
        match self {
            BackendKind::Embedded => "embedded",
            BackendKind::Cohere => "cohere",
            BackendKind::OpenaiCompletions => "openai-completions",
            BackendKind::Tgi => "tgi",
            BackendKind::Sglang => "sglang",
        }
    }
}

/// Which OpenAI-compatible server an `openai-completions` model is behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Flavor {
    /// Any server speaking OpenAI's legacy completions (Together, Fireworks, OpenAI, …): `echo` with
    /// `logprobs`, and at least one generated token.
    #[default]
    #[serde(alias = "openai", alias = "together", alias = "fireworks")]
    Generic,
    /// vLLM: also `prompt_logprobs` (which carries each token's `rank`), `top_k`, and `max_tokens: 0`.
    Vllm,
}

/// One `[[models]]` entry.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// The name the page and the API use.
    pub name: String,
    /// Who answers.
    pub backend: Option<BackendKind>,
    /// The upstream's address (remote backends), e.g. `https://api.cohere.com`.
    pub base_url: Option<String>,
    /// The id the upstream knows; for `embedded`, which embedded model (default: `name`).
    pub upstream_model: Option<String>,
    /// The NAME of the environment variable holding the key; never the key.
    pub api_key_env: Option<String>,
    /// `openai-completions` only: `generic` (default) or `vllm`.
    pub flavor: Option<Flavor>,
    /// The longest prompt in the model's tokens, shown by `GET /v1/models`.
    pub context_length: Option<u32>,
    /// The vocabulary size, shown by `GET /v1/models`.
    pub vocab_size: Option<u32>,
    /// Models with the same tokenizer name can be compared token by token. `"gpt2"` (built in) or
    /// the path of a Hugging Face `tokenizer.json` also gives the model its tokenizer: the token
    /// routes (`/tokenize`, `/detokenize`, `/tokenizer_info`) and token-id prompts.
    pub tokenizer: Option<String>,
    /// A human description.
    pub description: Option<String>,
    /// Override whether answers carry the top-1 token per position.
    pub returns_top_token: Option<bool>,
    /// Override `limits.timeout_secs` for this model.
    pub timeout_secs: Option<u64>,
    /// Override `limits.max_concurrent` for this model.
    pub max_concurrent: Option<usize>,
    /// Override `limits.max_queued` for this model.
    pub max_queued: Option<usize>,
    /// Override `limits.max_prompt_chars` for this model.
    pub max_prompt_chars: Option<usize>,
    /// Never allowed: present only to refuse it with a clear message.
    #[serde(default)]
    pub api_key: Option<serde::de::IgnoredAny>,
}

impl Config {
    /// The table used when no file is given: the embedded models alone, default limits.
    pub fn embedded_only() -> Config {
        Config {
            limits: Limits::default(),
            models: EMBEDDED_MODELS
                .iter()
                .map(|(name, description)| ModelConfig {
                    name: (*name).to_string(),
                    backend: Some(BackendKind::Embedded),
                    description: Some((*description).to_string()),
                    ..ModelConfig::default()
                })
                .collect(),
            base_dir: PathBuf::new(),
            default_table: true,
        }
    }

    /// Adds the on-board transformer's models that `loaded` (the embedded catalog's names) holds to
    /// the default table; a table of the user's own is left as it is.
    pub fn add_loaded_transformers(&mut self, loaded: &[&str]) {
        if !self.default_table {
            return;
        }
        for (name, description) in TRANSFORMER_MODELS {
            if loaded.contains(&name) && !self.models.iter().any(|m| m.name == name) {
                self.models.push(ModelConfig {
                    name: name.to_string(),
                    backend: Some(BackendKind::Embedded),
                    description: Some(description.to_string()),
                    max_concurrent: Some(TRANSFORMER_MAX_CONCURRENT),
                    ..ModelConfig::default()
                });
            }
        }
    }

    /// Reads and checks a file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut config = Config::parse(&text, &path.display().to_string())?;
        config.base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(config)
    }

    /// Parses and checks a configuration text; `origin` names it in messages.
    pub fn parse(text: &str, origin: &str) -> Result<Config, ConfigError> {
        let mut config: Config = toml::from_str(text).map_err(|error| {
            let location = error
                .span()
                .map(|span| format!(" line {}", line_of(text, span.start)))
                .unwrap_or_default();
            ConfigError::Parse {
                path: origin.to_string(),
                location,
                message: hide_quoted(error.message().trim()),
            }
        })?;
        if config.models.is_empty() {
            config.models = Config::embedded_only().models;
            config.default_table = true;
        }
        config.check()?;
        Ok(config)
    }

    /// Whether any model is embedded (then the embedded models must be loaded).
    pub fn needs_embedded(&self) -> bool {
        self.models
            .iter()
            .any(|model| model.backend == Some(BackendKind::Embedded))
    }

    fn check(&self) -> Result<(), ConfigError> {
        let limits = &self.limits;
        for (value, key) in [
            (limits.max_body_bytes, "max_body_bytes"),
            (limits.max_prompt_chars, "max_prompt_chars"),
            (limits.max_concurrent, "max_concurrent"),
            (
                limits.max_upstream_answer_bytes,
                "max_upstream_answer_bytes",
            ),
        ] {
            if value == 0 {
                return Err(ConfigError::Invalid(format!(
                    "[limits] {key} must be at least 1"
                )));
            }
        }
        for (value, key) in [
            (limits.timeout_secs, "timeout_secs"),
            (limits.connect_timeout_secs, "connect_timeout_secs"),
        ] {
            if value == 0 {
                return Err(ConfigError::Invalid(format!(
                    "[limits] {key} must be at least 1"
                )));
            }
        }
        let mut names = std::collections::HashSet::new();
        for model in &self.models {
            model.check()?;
            if !names.insert(model.name.as_str()) {
                return Err(ConfigError::Invalid(format!(
                    "model `{}` is configured twice",
                    model.name
                )));
            }
        }
        Ok(())
    }
}

impl ModelConfig {
    /// The backend kind; a model without one is an error (never silently embedded).
    pub fn kind(&self) -> Result<BackendKind, ConfigError> {
        self.backend.ok_or_else(|| {
            self.invalid(
                "`backend` is required: embedded, cohere, openai-completions, tgi or sglang",
            )
        })
    }

    fn invalid(&self, message: impl std::fmt::Display) -> ConfigError {
        ConfigError::Invalid(format!("model `{}`: {message}", self.name))
    }

    fn check(&self) -> Result<(), ConfigError> {
        let name_ok = !self.name.is_empty()
            && self.name.len() <= 128
            && self
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.:/@".contains(c));
        if !name_ok {
            return Err(ConfigError::Invalid(format!(
                "model name `{}` must be 1 to 128 letters, digits or - _ . : / @",
                self.name.escape_default()
            )));
        }
        if self.api_key.is_some() {
            return Err(self.invalid(
                "`api_key` is not allowed: put the key in an environment variable and write its NAME in `api_key_env`",
            ));
        }
        let kind = self.kind()?;
        if self.flavor.is_some() && kind != BackendKind::OpenaiCompletions {
            return Err(self.invalid("`flavor` applies to `openai-completions` models only"));
        }
        for (value, key) in [
            (self.max_concurrent, "max_concurrent"),
            (self.max_prompt_chars, "max_prompt_chars"),
        ] {
            if value == Some(0) {
                return Err(self.invalid(format!("`{key}` must be at least 1")));
            }
        }
        if self.timeout_secs == Some(0) {
            return Err(self.invalid("`timeout_secs` must be at least 1"));
        }
        if let Some(length) = self.context_length {
            // The page refuses the same values (likely_core::rules).
            rules::CONTEXT_LENGTH
                .check(f64::from(length))
                .map_err(|error| self.invalid(error))?;
        }
        if let Some(variable) = &self.api_key_env {
            let looks_like_a_name = !variable.is_empty()
                && variable.len() <= 128
                && variable
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !looks_like_a_name {
                return Err(self.invalid(
                    "`api_key_env` must be the NAME of an environment variable (letters, digits, _), not a key",
                ));
            }
        }
        if kind == BackendKind::Embedded {
            if self.base_url.is_some() || self.api_key_env.is_some() {
                return Err(self.invalid("embedded models take no `base_url` or `api_key_env`"));
            }
            return Ok(());
        }
        if self.upstream_model.as_deref().is_none_or(str::is_empty) {
            return Err(self.invalid("`upstream_model` (the id the upstream knows) is required"));
        }
        let base_url = self
            .base_url
            .as_deref()
            .ok_or_else(|| self.invalid("`base_url` is required"))?;
        self.parse_base_url(base_url).map(|_| ())
    }

    /// The base URL, checked: http or https, a host, no credentials, no query or fragment.
    pub fn parsed_base_url(&self) -> Result<Url, ConfigError> {
        let base_url = self
            .base_url
            .as_deref()
            .ok_or_else(|| self.invalid("`base_url` is required"))?;
        self.parse_base_url(base_url)
    }

    fn parse_base_url(&self, text: &str) -> Result<Url, ConfigError> {
        // The URL's own text is not repeated in messages: it might carry credentials.
        let url = Url::parse(text)
            .map_err(|error| self.invalid(format!("`base_url` is not a URL ({error})")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(self.invalid("`base_url` must start with http:// or https://"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(self.invalid("`base_url` has no host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(self.invalid(
                "`base_url` must not carry credentials: name the key's variable in `api_key_env`",
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(self.invalid("`base_url` must not have a query or a fragment"));
        }
        Ok(url)
    }
}

/// `message` with every double-quoted value replaced by `"…"`: serde quotes the offending value
/// ("invalid type: string \"…\", expected usize"), which could be a key typed into the wrong field.
fn hide_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut inside = false;
    for c in message.chars() {
        if c == '"' {
            if inside {
                out.push_str("…\"");
            } else {
                out.push('"');
            }
            inside = !inside;
        } else if !inside {
            out.push(c);
        }
    }
    out
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .unwrap_or(text)
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, "test.toml")
    }

    #[test]
    fn the_documented_example_parses() {
        let config = parse(
            r#"
            [[models]]
            name = "my-custom"
            backend = "cohere"
            base_url = "https://api.cohere.com"
            upstream_model = "3e1c-ft"
            api_key_env = "COHERE_API_KEY"
            context_length = 4096
            timeout_secs = 60

            [[models]]
            backend = "embedded"
            name = "base-light"
            "#,
        )
        .unwrap();
        assert_eq!(config.models.len(), 2);
        assert_eq!(config.models[0].kind().unwrap(), BackendKind::Cohere);
        assert_eq!(config.models[1].kind().unwrap(), BackendKind::Embedded);
        let untyped = ModelConfig {
            name: "x".into(),
            ..ModelConfig::default()
        };
        assert!(untyped.kind().is_err(), "no silent fallback to embedded");
        assert_eq!(config.limits, Limits::default());
        assert!(config.needs_embedded());
    }

    #[test]
    fn the_example_file_in_the_repository_parses() {
        let text = include_str!("../../../likely.example.toml");
        let config = parse(text).unwrap();
        assert!(config.models.len() >= 4);
    }

    #[test]
    fn an_empty_file_means_the_embedded_models() {
        let config = parse("").unwrap();
        let names: Vec<_> = config.models.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["base-light", "custom-base-light"]);
    }

    #[test]
    fn flavors_and_limits_parse() {
        let config = parse(
            r#"
            [limits]
            max_body_bytes = 2048
            max_concurrent = 2
            [[models]]
            name = "v"
            backend = "openai-completions"
            flavor = "vllm"
            base_url = "http://127.0.0.1:8000"
            upstream_model = "m"
            max_concurrent = 1
            [[models]]
            name = "t"
            backend = "openai-completions"
            flavor = "together"
            base_url = "https://api.together.xyz"
            upstream_model = "m"
            "#,
        )
        .unwrap();
        assert_eq!(config.limits.max_body_bytes, 2048);
        assert_eq!(config.limits.timeout_secs, 60, "unset limits keep defaults");
        assert_eq!(config.models[0].flavor, Some(Flavor::Vllm));
        assert_eq!(config.models[1].flavor, Some(Flavor::Generic));
    }

    #[test]
    fn a_key_in_the_file_is_refused_without_echoing_it() {
        let message = parse(
            r#"
            [[models]]
            name = "c"
            backend = "cohere"
            base_url = "https://api.cohere.com"
            upstream_model = "m"
            api_key = "sk-super-secret-value"
            "#,
        )
        .unwrap_err()
        .to_string();
        assert!(message.contains("api_key_env"), "{message}");
        assert!(!message.contains("sk-super-secret-value"), "{message}");
    }

    #[test]
    fn a_key_in_the_wrong_field_is_not_echoed_by_parse_errors() {
        let message = parse("[limits]\nmax_body_bytes = \"sk-super-secret-value\"\n")
            .unwrap_err()
            .to_string();
        assert!(message.contains("line 2"), "{message}");
        assert!(!message.contains("sk-super-secret"), "{message}");
    }

    #[test]
    fn credentials_in_a_url_are_refused() {
        let message = parse(
            r#"
            [[models]]
            name = "c"
            backend = "tgi"
            base_url = "https://user:hunter2@tgi.example"
            upstream_model = "m"
            "#,
        )
        .unwrap_err()
        .to_string();
        assert!(message.contains("credentials"), "{message}");
        assert!(!message.contains("hunter2"), "{message}");
    }

    #[test]
    fn the_worked_example_names_the_embedded_models() {
        assert_eq!(likely_core::example::BASELINE, BASE_NAME);
        assert_eq!(likely_core::example::CUSTOM, CUSTOM_NAME);
    }

    #[test]
    fn mistakes_are_named() {
        let cases = [
            ("name = \"x\"", "`backend` is required"),
            ("name = \"x\"\nbackend = \"cohere\"\nbase_url = \"https://a\"", "upstream_model"),
            (
                "name = \"x\"\nbackend = \"cohere\"\nupstream_model = \"m\"\nbase_url = \"ftp://a\"",
                "http",
            ),
            (
                "name = \"x\"\nbackend = \"tgi\"\nupstream_model = \"m\"\nbase_url = \"http://a\"\nflavor = \"vllm\"",
                "flavor",
            ),
            (
                "name = \"x\"\nbackend = \"tgi\"\nupstream_model = \"m\"\nbase_url = \"http://a\"\napi_key_env = \"sk-123 456\"",
                "NAME",
            ),
            ("name = \"x y\"\nbackend = \"embedded\"", "model name"),
            ("name = \"x\"\nbackend = \"gpt\"", "line"),
            (
                "name = \"x\"\nbackend = \"embedded\"\ncontext_length = 2",
                "`context_length` is 2; it must be 16 to",
            ),
            ("name = \"x\"\nbackend = \"embedded\"\ncolour = 1", "colour"),
        ];
        for (model, expected) in cases {
            let message = parse(&format!("[[models]]\n{model}\n"))
                .unwrap_err()
                .to_string();
            assert!(message.contains(expected), "{model}: {message}");
        }
        let message = parse("[[models]]\nname = \"a\"\nbackend = \"embedded\"\n[[models]]\nname = \"a\"\nbackend = \"embedded\"\n")
            .unwrap_err()
            .to_string();
        assert!(message.contains("twice"), "{message}");
    }
}
