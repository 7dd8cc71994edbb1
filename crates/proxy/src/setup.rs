//! From a checked [`Config`] to the running model table: keys read from the variables the file names
//! (a missing one is an error naming the variable), one HTTP client per remote model, embedded models
//! taken from the loaded catalog, and the public [`ModelInfo`] of each.

use crate::backends::upstream::{endpoint, ApiKey, ClientSettings, Upstream};
use crate::backends::{
    Backend, CohereBackend, EmbeddedCatalog, OpenAiBackend, SglangBackend, TgiBackend,
};
use crate::config::{BackendKind, Config, ConfigError, ModelConfig};
use crate::embedded::EmbeddedTokenizer;
use crate::limits::ModelLimits;
use crate::models::{ModelEntry, ModelTable};
use likely_core::ModelInfo;
use secrecy::SecretString;
use std::time::Duration;

/// Looks up an environment variable (the process's, or a test's map).
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The model table of `config`. `embedded` must be given when the configuration lists an embedded
/// model.
pub fn build_table(
    config: &Config,
    env: Env<'_>,
    embedded: Option<&EmbeddedCatalog>,
) -> Result<ModelTable, ConfigError> {
    let entries = config
        .models
        .iter()
        .map(|model| build_entry(config, model, env, embedded))
        .collect::<Result<Vec<_>, _>>()?;
    ModelTable::new(entries).map_err(ConfigError::Invalid)
}

/// The context length the embedded models report. An n-gram model reads only its last few tokens, so
/// any length would do; this one makes the page cut long texts into windows of a few tens of
/// kilobytes, well under the default prompt limit, so each request stays quick and small.
pub const EMBEDDED_CONTEXT_TOKENS: u32 = 16_384;

fn build_entry(
    config: &Config,
    model: &ModelConfig,
    env: Env<'_>,
    embedded: Option<&EmbeddedCatalog>,
) -> Result<ModelEntry, ConfigError> {
    let kind = model.kind()?;
    let limits = ModelLimits::of(model, &config.limits);
    let mut info = ModelInfo {
        name: model.name.clone(),
        backend: kind.as_str().to_string(),
        context_length: model.context_length,
        vocab_size: model.vocab_size,
        returns_top_token: model.returns_top_token.unwrap_or(matches!(
            kind,
            BackendKind::Embedded | BackendKind::OpenaiCompletions | BackendKind::Sglang
        )),
        tokenizer: model.tokenizer.clone(),
        description: model.description.clone(),
    };
    let backend = match kind {
        BackendKind::Embedded => {
            let catalog = embedded.ok_or_else(|| {
                ConfigError::Invalid(format!(
                    "model `{}` is embedded, but the embedded models are not loaded",
                    model.name
                ))
            })?;
            let embedded_name = model.upstream_model.as_deref().unwrap_or(&model.name);
            let backend = catalog.backend(embedded_name, &model.name).ok_or_else(|| {
                ConfigError::Invalid(format!(
                    "model `{}`: there is no embedded model `{embedded_name}`; the embedded models are {}",
                    model.name,
                    catalog.names().join(", ")
                ))
            })?;
            info.vocab_size = info.vocab_size.or(u32::try_from(backend.vocab_size()).ok());
            info.tokenizer
                .get_or_insert_with(|| backend.tokenizer().name().to_string());
            // The transformer attends to one window: the page sends it texts of at most that size.
            let context = match backend.tokenizer() {
                EmbeddedTokenizer::Gpt2(_) => EMBEDDED_CONTEXT_TOKENS,
                EmbeddedTokenizer::SmolLm2(model) => {
                    u32::try_from(model.window()).unwrap_or(EMBEDDED_CONTEXT_TOKENS)
                }
            };
            info.context_length = info.context_length.or(Some(context));
            Backend::Embedded(backend)
        }
        BackendKind::Cohere => Backend::Cohere(CohereBackend::new(
            upstream(config, model, &limits, env, "v1/generate")?,
            upstream_model(model),
        )),
        BackendKind::OpenaiCompletions => Backend::OpenAi(OpenAiBackend::new(
            upstream(config, model, &limits, env, "v1/completions")?,
            upstream_model(model),
            model.flavor.unwrap_or_default(),
        )),
        BackendKind::Tgi => Backend::Tgi(TgiBackend::new(upstream(
            config, model, &limits, env, "generate",
        )?)),
        BackendKind::Sglang => Backend::Sglang(SglangBackend::new(upstream(
            config, model, &limits, env, "generate",
        )?)),
    };
    let tokenizer = match &model.tokenizer {
        Some(value) => crate::tokenizers::from_setting(value, &config.base_dir)
            .map_err(|error| ConfigError::Invalid(format!("model `{}`: {error}", model.name)))?,
        None => None,
    };
    let mut entry = ModelEntry::new(info, backend, limits).with_tokenizer(tokenizer);
    if let (Some(tokenizer), Some(value)) = (&entry.tokenizer, &model.tokenizer) {
        if crate::tokenizers::is_path(value) {
            // The public list names the tokenizer, never a path of this machine.
            entry.info.tokenizer = Some(tokenizer.name().to_string());
        }
        entry.info.vocab_size = entry
            .info
            .vocab_size
            .or(u32::try_from(tokenizer.vocab_size()).ok());
    }
    Ok(entry)
}

fn upstream_model(model: &ModelConfig) -> String {
    model.upstream_model.clone().unwrap_or_default()
}

fn upstream(
    config: &Config,
    model: &ModelConfig,
    limits: &ModelLimits,
    env: Env<'_>,
    path: &str,
) -> Result<Upstream, ConfigError> {
    let base = model.parsed_base_url()?;
    let key = model
        .api_key_env
        .as_deref()
        .map(|variable| read_key(&model.name, variable, env))
        .transpose()?;
    let host = base
        .host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']');
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if key.is_some() && base.scheme() == "http" && !loopback {
        tracing::warn!(
            model = %model.name,
            "the key of this model goes to its upstream over plain http; prefer https"
        );
    }
    let settings = ClientSettings {
        connect_timeout: Duration::from_secs(config.limits.connect_timeout_secs),
        timeout: limits.timeout,
        max_answer_bytes: config.limits.max_upstream_answer_bytes,
    };
    Upstream::new(&model.name, endpoint(&base, path), key, settings)
}

/// The key in `variable`: set, not empty once trimmed, and fit for an HTTP header.
fn read_key(model: &str, variable: &str, env: Env<'_>) -> Result<ApiKey, ConfigError> {
    let value = env(variable)
        .map(|value| value.trim().to_string())
        .filter(|value| !value.is_empty())
        .ok_or_else(|| ConfigError::MissingKey {
            model: model.to_string(),
            variable: variable.to_string(),
        })?;
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ConfigError::UnusableKey {
            model: model.to_string(),
            variable: variable.to_string(),
        });
    }
    Ok(ApiKey {
        variable: variable.to_string(),
        value: SecretString::from(value),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = r#"
        [[models]]
        name = "my-custom"
        backend = "cohere"
        base_url = "https://api.cohere.com"
        upstream_model = "3e1c-ft"
        api_key_env = "LIKELY_TEST_COHERE_KEY"
        context_length = 4096

        [[models]]
        name = "vllm"
        backend = "openai-completions"
        flavor = "vllm"
        base_url = "http://127.0.0.1:8000"
        upstream_model = "meta-llama/Llama-3.1-8B"

        [[models]]
        name = "tgi"
        backend = "tgi"
        base_url = "http://127.0.0.1:8080"
        upstream_model = "tgi"
    "#;

    #[test]
    fn a_missing_key_variable_is_named_and_no_value_is_shown() {
        let config = Config::parse(CONFIG, "test").unwrap();
        let error = build_table(&config, &|_| None, None)
            .unwrap_err()
            .to_string();
        assert!(error.contains("LIKELY_TEST_COHERE_KEY"), "{error}");
        assert!(error.contains("my-custom"), "{error}");
        let error = build_table(&config, &|_| Some("bad key\u{7}".into()), None)
            .unwrap_err()
            .to_string();
        assert!(error.contains("LIKELY_TEST_COHERE_KEY"), "{error}");
        assert!(!error.contains("bad key"), "{error}");
    }

    #[test]
    fn the_public_list_has_no_url_and_no_key() {
        let config = Config::parse(CONFIG, "test").unwrap();
        let env = |name: &str| (name == "LIKELY_TEST_COHERE_KEY").then(|| "sk-abc123".to_string());
        let table = build_table(&config, &env, None).unwrap();
        let list = serde_json::to_string(&table.list()).unwrap();
        assert!(!list.contains("sk-abc123"));
        assert!(!list.contains("cohere.com"));
        assert!(!list.contains("127.0.0.1"));
        let models = table.list().models;
        assert_eq!(models[0].backend, "cohere");
        assert_eq!(models[0].context_length, Some(4096));
        assert!(!models[0].returns_top_token);
        assert!(models[1].returns_top_token);
        assert!(!models[2].returns_top_token);
    }

    #[test]
    fn embedded_models_need_the_catalog() {
        let config = Config::embedded_only();
        let error = build_table(&config, &|_| None, None)
            .unwrap_err()
            .to_string();
        assert!(error.contains("not loaded"), "{error}");
    }
}
