//! Every path and query string of the page, built and read here only: which page an address shows
//! ([`route_of`]), the links the pages make to one another (`*_href`), and what an address asks a
//! page for (the models chosen, a prompt, a kept set, the runs' filters). Pages never build a URL
//! of their own, nor import one another for one. Pure: unit-tested natively.

use likely_core::custom_model::validate_name;
use likely_core::record::{is_fingerprint, DATASET_PATH_PREFIX, RUNS_PATH, RUN_PATH_PREFIX};
use likely_core::share_api::SHARE_PATH_PREFIX;
use likely_core::snapshot::FRAGMENT_KEY;

/// The evaluation page.
pub const EVALUATE_PATH: &str = "/";
/// The Customize page.
pub const CUSTOMIZE_PATH: &str = "/customize";
/// The playground.
pub const PLAYGROUND_PATH: &str = "/playground";
/// The sign-in form of a server with access control.
pub const LOGIN_PATH: &str = "/login";
/// A custom model's results page: `/models/<name>`.
const MODEL_PATH_PREFIX: &str = "/models/";

/// The query key of the chosen baseline.
const BASELINE_KEY: &str = "baseline";
/// The query key of a chosen custom model (repeated).
const CUSTOM_KEY: &str = "custom";
/// The query key of a prompt sent to the playground.
const PROMPT_KEY: &str = "prompt";
/// The query key of a stored playground link.
const SHARE_KEY: &str = "share";
/// The query key of a kept held-out set to load (its fingerprint).
const DATASET_KEY: &str = "dataset";
/// The query key asking the evaluation page to evaluate at once (`evaluate=1`).
const EVALUATE_KEY: &str = "evaluate";
/// The runs' filters: model, author, free text (and [`DATASET_KEY`]).
const MODEL_KEY: &str = "model";
const AUTHOR_KEY: &str = "author";
const TEXT_KEY: &str = "q";

/// Which page an address shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// The evaluation page (also `/s/<id>`, a stored share link).
    Evaluate,
    /// The Customize page.
    Customize,
    /// The results page of one custom model.
    Model(String),
    /// The playground.
    Playground,
    /// The team's runs.
    Runs,
    /// One run, opened on the evaluation page as a share link opens.
    Run(String),
    /// A held-out set's page (its fingerprint).
    Dataset(String),
}

/// Whether `id` can be a run's or a stored link's id (base64url).
fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The route of `pathname`.
pub fn route_of(pathname: &str) -> Route {
    let path = pathname.trim_end_matches('/');
    if path == CUSTOMIZE_PATH {
        return Route::Customize;
    }
    if path == PLAYGROUND_PATH {
        return Route::Playground;
    }
    if path == RUNS_PATH {
        return Route::Runs;
    }
    if let Some(name) = path.strip_prefix(MODEL_PATH_PREFIX) {
        if validate_name(name).is_ok() {
            return Route::Model(name.to_string());
        }
    }
    if let Some(id) = path.strip_prefix(RUN_PATH_PREFIX).filter(|id| is_id(id)) {
        return Route::Run(id.to_string());
    }
    if let Some(fp) = path
        .strip_prefix(DATASET_PATH_PREFIX)
        .filter(|fp| is_fingerprint(fp))
    {
        return Route::Dataset(fp.to_string());
    }
    Route::Evaluate
}

/// The stored share link's id in `pathname` (`/s/<id>`), if it is one.
pub fn stored_share_id(pathname: &str) -> Option<String> {
    pathname
        .strip_prefix(SHARE_PATH_PREFIX)
        .map(|id| id.trim_end_matches('/'))
        .filter(|id| !id.is_empty())
        .map(str::to_string)
}

/// `path` with `pairs` as its query (none: the path alone).
fn with_query<'a>(path: &str, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    let mut any = false;
    for (key, value) in pairs {
        serializer.append_pair(key, value);
        any = true;
    }
    if any {
        format!("{path}?{}", serializer.finish())
    } else {
        path.to_string()
    }
}

/// One path segment, percent-encoded.
fn segment(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// A custom model's results page (custom model names need no escaping).
pub fn model_href(name: &str) -> String {
    format!("{MODEL_PATH_PREFIX}{name}")
}

/// A run's page: it opens on the evaluation page.
pub fn run_href(id: &str) -> String {
    format!("{RUN_PATH_PREFIX}{}", segment(id))
}

/// A held-out set's page.
pub fn dataset_href(fingerprint: &str) -> String {
    format!("{DATASET_PATH_PREFIX}{}", segment(fingerprint))
}

/// What the evaluation page is asked to set up: the models chosen, a kept set to load, and whether
/// to evaluate at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preselect {
    /// The baseline.
    pub baseline: String,
    /// The custom models.
    pub customs: Vec<String>,
    /// A kept set's fingerprint.
    pub dataset: Option<String>,
    /// Evaluate as soon as the models and the set are in.
    pub evaluate: bool,
}

fn model_pairs<'a>(baseline: &'a str, customs: &'a [String]) -> Vec<(&'a str, &'a str)> {
    let mut pairs = Vec::new();
    if !baseline.is_empty() {
        pairs.push((BASELINE_KEY, baseline));
    }
    for custom in customs {
        pairs.push((CUSTOM_KEY, custom.as_str()));
    }
    pairs
}

/// The evaluation page set up as `preselect` says.
pub fn evaluation_href(preselect: &Preselect) -> String {
    let mut pairs = model_pairs(&preselect.baseline, &preselect.customs);
    if let Some(dataset) = &preselect.dataset {
        pairs.push((DATASET_KEY, dataset.as_str()));
    }
    if preselect.evaluate {
        pairs.push((EVALUATE_KEY, "1"));
    }
    with_query(EVALUATE_PATH, pairs)
}

/// The playground with `prompt` and the models chosen.
pub fn playground_href(prompt: &str, baseline: &str, customs: &[String]) -> String {
    let mut pairs = Vec::new();
    if !prompt.is_empty() {
        pairs.push((PROMPT_KEY, prompt));
    }
    pairs.extend(model_pairs(baseline, customs));
    with_query(PLAYGROUND_PATH, pairs)
}

/// A stored playground link.
pub fn playground_share_href(id: &str) -> String {
    with_query(PLAYGROUND_PATH, [(SHARE_KEY, id)])
}

/// A playground link carrying its state (`hash`: `#s=…`, as the address held it).
pub fn playground_hash_href(hash: &str) -> String {
    format!("{PLAYGROUND_PATH}{hash}")
}

/// A link carrying its snapshot: the evaluation page, or the playground.
pub fn fragment_href(playground: bool, fragment: &str) -> String {
    let path = if playground {
        PLAYGROUND_PATH
    } else {
        EVALUATE_PATH
    };
    format!("{path}#{FRAGMENT_KEY}={fragment}")
}

/// The filters of the runs list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunsQuery {
    /// A model's name.
    pub model: String,
    /// A set's fingerprint.
    pub dataset: String,
    /// An author.
    pub author: String,
    /// Free text.
    pub text: String,
}

impl RunsQuery {
    /// The filters as query pairs, in the API's names (empty ones left out).
    pub fn pairs(&self) -> Vec<(&'static str, &str)> {
        [
            (MODEL_KEY, self.model.trim()),
            (DATASET_KEY, self.dataset.trim()),
            (AUTHOR_KEY, self.author.trim()),
            (TEXT_KEY, self.text.trim()),
        ]
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .collect()
    }
}

/// The runs page with `query`'s filters.
pub fn runs_href(query: &RunsQuery) -> String {
    with_query(RUNS_PATH, query.pairs())
}

/// A page's query string (`?a=b&…`, as `location.search` gives it), read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query(Vec<(String, String)>);

impl Query {
    /// The pairs of `search` (with or without its `?`).
    pub fn parse(search: &str) -> Query {
        let search = search.strip_prefix('?').unwrap_or(search);
        Query(
            form_urlencoded::parse(search.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first non-empty value of `key`.
    fn value(&self, key: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, v)| k == key && !v.is_empty())
            .map(|(_, v)| v.clone())
    }

    /// Every non-empty value of `key`.
    fn values(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == key && !v.is_empty())
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The models chosen (`?baseline=…&custom=…`), if a baseline is named.
    pub fn models(&self) -> Option<(String, Vec<String>)> {
        let baseline = self.value(BASELINE_KEY)?;
        let customs = self
            .values(CUSTOM_KEY)
            .into_iter()
            .filter(|name| *name != baseline)
            .collect();
        Some((baseline, customs))
    }

    /// What the evaluation page is asked for.
    pub fn preselect(&self) -> Preselect {
        let (baseline, customs) = self.models().unwrap_or_default();
        Preselect {
            baseline,
            customs,
            dataset: self.value(DATASET_KEY).filter(|fp| is_fingerprint(fp)),
            evaluate: self.value(EVALUATE_KEY).as_deref() == Some("1"),
        }
    }

    /// The prompt sent to the playground.
    pub fn prompt(&self) -> Option<String> {
        self.value(PROMPT_KEY)
    }

    /// The stored playground link's id.
    pub fn share(&self) -> Option<String> {
        self.value(SHARE_KEY)
    }

    /// The runs' filters.
    pub fn runs(&self) -> RunsQuery {
        RunsQuery {
            model: self.value(MODEL_KEY).unwrap_or_default(),
            dataset: self.value(DATASET_KEY).unwrap_or_default(),
            author: self.value(AUTHOR_KEY).unwrap_or_default(),
            text: self.value(TEXT_KEY).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FP: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn addresses_pick_their_page() {
        assert_eq!(route_of("/"), Route::Evaluate);
        assert_eq!(route_of("/customize"), Route::Customize);
        assert_eq!(route_of("/customize/"), Route::Customize);
        assert_eq!(route_of("/playground"), Route::Playground);
        assert_eq!(route_of("/playground/"), Route::Playground);
        assert_eq!(
            route_of("/models/apiary-1"),
            Route::Model("apiary-1".into())
        );
        assert_eq!(
            route_of(&model_href("legal.v2")),
            Route::Model("legal.v2".into())
        );
        assert_eq!(route_of("/models/"), Route::Evaluate);
        assert_eq!(route_of("/models/a/b"), Route::Evaluate);
        assert_eq!(route_of("/models/Bad"), Route::Evaluate);
        assert_eq!(route_of("/runs"), Route::Runs);
        assert_eq!(route_of("/runs/"), Route::Runs);
        assert_eq!(route_of(&run_href("aB3_-x")), Route::Run("aB3_-x".into()));
        assert_eq!(route_of("/runs/a/b"), Route::Evaluate);
        assert_eq!(route_of(&dataset_href(FP)), Route::Dataset(FP.into()));
        assert_eq!(route_of("/datasets/abc"), Route::Evaluate);
        assert_eq!(route_of("/s/abc"), Route::Evaluate);
        assert_eq!(stored_share_id("/s/abc/"), Some("abc".into()));
        assert_eq!(stored_share_id("/s/"), None);
        assert_eq!(stored_share_id("/runs"), None);
    }

    #[test]
    fn the_evaluation_page_reads_back_what_its_links_ask() {
        let asked = Preselect {
            baseline: "base light".into(),
            customs: vec!["tune&1".into(), "v2".into()],
            dataset: Some(FP.into()),
            evaluate: true,
        };
        let href = evaluation_href(&asked);
        assert!(href.starts_with("/?baseline=base+light&custom=tune%261"));
        let search = href.trim_start_matches('/');
        assert_eq!(Query::parse(search).preselect(), asked);
        assert_eq!(evaluation_href(&Preselect::default()), "/");
        // A bad fingerprint and a custom that is the baseline are dropped.
        let read =
            Query::parse("?baseline=a&custom=a&custom=b&dataset=zz&evaluate=yes").preselect();
        assert_eq!(read.customs, ["b"]);
        assert_eq!(read.dataset, None);
        assert!(!read.evaluate);
        assert_eq!(Query::parse("").models(), None);
    }

    #[test]
    fn playground_links_carry_the_prompt_and_models() {
        let href = playground_href("To be, or", "base", &["c".into()]);
        assert_eq!(
            href,
            "/playground?prompt=To+be%2C+or&baseline=base&custom=c"
        );
        let query = Query::parse(href.trim_start_matches("/playground"));
        assert_eq!(query.prompt().as_deref(), Some("To be, or"));
        assert_eq!(query.models(), Some(("base".into(), vec!["c".into()])));
        assert_eq!(playground_href("", "", &[]), "/playground");
        assert_eq!(playground_share_href("x y"), "/playground?share=x+y");
        assert_eq!(Query::parse("?share=x+y").share().as_deref(), Some("x y"));
        assert_eq!(fragment_href(true, "AAA"), "/playground#s=AAA");
        assert_eq!(fragment_href(false, "AAA"), "/#s=AAA");
    }

    #[test]
    fn runs_filters_round_trip_and_skip_empty_ones() {
        let query = RunsQuery {
            model: "tune-3".into(),
            dataset: String::new(),
            author: " ana ".into(),
            text: "legal v2".into(),
        };
        let href = runs_href(&query);
        assert_eq!(href, "/runs?model=tune-3&author=ana&q=legal+v2");
        let read = Query::parse(href.trim_start_matches("/runs")).runs();
        assert_eq!(read.model, "tune-3");
        assert_eq!(read.author, "ana");
        assert_eq!(read.text, "legal v2");
        assert_eq!(runs_href(&RunsQuery::default()), "/runs");
    }
}
