//! The snippets and token strings that moved most, on a 150-snippet set: the table sorted by Δ puts
//! the worst snippet (computed here from the Generate API's own answers) first, with its exact Δ;
//! clicking it shows that snippet's tokens; the filter keeps only matching snippets; a token string
//! that moved leads to its occurrences, which open in the token view.

use crate::support::{file_with, Browser, Server};
use fantoccini::elements::Element;
use fantoccini::Locator;
use likely_core::params::GenerateParams;
use likely_core::snapshot::Scope;
use std::time::{Duration, Instant};

/// Lines from Shakespeare's plays other than Hamlet (the custom model's domain) and plain modern
/// English (the base model's), mixed into snippets.
const PLAYS: [&str; 12] = [
    "Now is the winter of our discontent made glorious summer by this sun of York.",
    "But, soft! what light through yonder window breaks? It is the east, and Juliet is the sun.",
    "Friends, Romans, countrymen, lend me your ears; I come to bury Caesar, not to praise him.",
    "Tomorrow, and tomorrow, and tomorrow, creeps in this petty pace from day to day.",
    "All the world's a stage, and all the men and women merely players.",
    "We are such stuff as dreams are made on, and our little life is rounded with a sleep.",
    "The quality of mercy is not strain'd; it droppeth as the gentle rain from heaven.",
    "Blow, winds, and crack your cheeks! rage! blow!",
    "O Romeo, Romeo! wherefore art thou Romeo? Deny thy father and refuse thy name.",
    "Is this a dagger which I see before me, the handle toward my hand?",
    "If music be the food of love, play on; give me excess of it.",
    "Cowards die many times before their deaths; the valiant never taste of death but once.",
];
const MODERN: [&str; 12] = [
    "The quarterly report shows revenue growth in the cloud services division.",
    "Restart the router and check that the firmware update finished before you log in again.",
    "Our team shipped the new checkout flow after two weeks of user testing.",
    "The train to the airport leaves every fifteen minutes from platform four.",
    "Please attach the signed invoice to the email and copy the finance department.",
    "The database migration ran overnight and the backups were verified this morning.",
    "Add two cups of flour, a pinch of salt and mix until the dough is smooth.",
    "The city council approved the budget for new bicycle lanes downtown.",
    "Install the package with the command line tool and run the tests locally.",
    "The weather forecast predicts heavy rain across the region on Thursday afternoon.",
    "Customers can track their parcels online with the reference number on the receipt.",
    "The battery lasts about ten hours of video playback on a single charge.",
];

/// 150 snippets of two or three lines, mixing the pools differently so that the custom model wins on
/// some and loses on others.
fn snippet_texts() -> Vec<String> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |n: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as usize) % n
    };
    (0..150)
        .map(|i| {
            let pools: &[&[&str; 12]] = match i % 3 {
                0 => &[&PLAYS, &PLAYS],
                1 => &[&MODERN, &MODERN, &MODERN],
                _ => &[&PLAYS, &MODERN],
            };
            pools
                .iter()
                .map(|pool| pool[next(12)])
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// Each text's average log-likelihood under `model`, from the Generate API (asked from the page, with
/// the request the page makes; only the prompt's tokens count, as on the page).
async fn api_averages(browser: &Browser, model: &str, texts: &[String]) -> Vec<f64> {
    let requests: Vec<serde_json::Value> = texts
        .iter()
        .map(|text| serde_json::to_value(GenerateParams::default().request(model, text)).unwrap())
        .collect();
    let answers = browser
        .client
        .execute_async(
            "const [bodies, done] = arguments; (async () => { const out = []; for (const body of bodies) { const r = await fetch('/v1/generate', {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify(body)}); out.push(await r.json()); } return out; })().then(done, e => done(String(e)));",
            vec![serde_json::Value::Array(requests)],
        )
        .await
        .expect("ask the Generate API");
    let answers = answers.as_array().expect("one answer per text").clone();
    assert_eq!(answers.len(), texts.len());
    texts
        .iter()
        .zip(answers)
        .map(|(text, answer)| {
            let response: likely_core::GenerateResponse = serde_json::from_value(answer.clone())
                .unwrap_or_else(|e| panic!("not a Generate answer ({e}): {answer}"));
            let likelihoods: Vec<f64> = likely_core::prompt_scores(text, &response)
                .unwrap()
                .iter()
                .filter_map(|token| token.logprob)
                .collect();
            likelihoods.iter().sum::<f64>() / likelihoods.len() as f64
        })
        .collect()
}

async fn rows(browser: &Browser) -> Vec<Element> {
    browser
        .client
        .find_all(Locator::Css("[data-testid=\"snippet-row\"]"))
        .await
        .expect("query the rows")
}

async fn attr(element: &Element, name: &str) -> String {
    element.attr(name).await.unwrap().unwrap_or_default()
}

/// Waits until the first row's `data-index` is `index`.
async fn first_row_becomes(browser: &Browser, index: usize) -> Element {
    let started = Instant::now();
    loop {
        if let Some(first) = rows(browser).await.into_iter().next() {
            if attr(&first, "data-index").await == index.to_string() {
                return first;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the first row never became snippet {index}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the token view shows snippet `index` and returns its tokens' text.
async fn token_view_shows(browser: &Browser, index: usize) -> String {
    let started = Instant::now();
    loop {
        let chosen = browser
            .by_testid("snippet-select")
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default();
        if chosen == index.to_string() {
            return browser
                .js_string("return Array.from(document.querySelectorAll('[data-testid=\"token\"]')).map(e => e.textContent).join('')")
                .await;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the token view shows snippet {chosen}, not {index}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_worst_snippet_sorts_first_and_opens_in_the_token_view() {
    let server = Server::start();
    let browser = Browser::open(&server.url).await;
    let texts = snippet_texts();
    let file = file_with("moved", ".txt", &texts.join("\n\n"));
    let snippets = likely_core::dataset::parse_file("moved.txt", texts.join("\n\n").as_bytes())
        .expect("the set parses");
    assert_eq!(snippets.len(), 150);
    browser
        .type_text("file-input", file.path().to_str().unwrap())
        .await;
    assert_eq!(browser.value_of("upload-summary").await, 150.0);
    browser.click("evaluate-button").await;

    // The table appears once the run has finished: 150 snippets, 50 rows at first.
    let progress = browser.by_testid("progress").await;
    let started = Instant::now();
    while attr(&progress, "data-done").await != "300" {
        assert!(
            started.elapsed() < Duration::from_secs(240),
            "the run did not finish"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(browser.value_of("snippet-count").await, 150.0);
    assert_eq!(rows(&browser).await.len(), 50, "one page of rows");

    // The worst snippet, independently: the Generate API's answers, custom − baseline.
    let texts: Vec<String> = snippets.iter().map(|s| s.text.clone()).collect();
    let base = api_averages(&browser, "base-light", &texts).await;
    let tuned = api_averages(&browser, "custom-base-light", &texts).await;
    let deltas: Vec<f64> = tuned.iter().zip(&base).map(|(c, b)| c - b).collect();
    let mut worst = 0;
    for (i, d) in deltas.iter().enumerate() {
        if *d < deltas[worst] {
            worst = i;
        }
    }
    assert!(
        deltas.iter().any(|d| *d > 0.0) && deltas[worst] < 0.0,
        "the set has wins and losses: worst {}",
        deltas[worst]
    );

    // Sorted by number, then by Δ: the worst regression first, its exact Δ in data-value.
    browser.click("snippet-sort-snippet").await;
    first_row_becomes(&browser, 0).await;
    browser.click("snippet-sort-delta").await;
    let first = first_row_becomes(&browser, worst).await;
    let value: f64 = attr(&first, "data-value").await.parse().unwrap();
    assert!(
        (value - deltas[worst]).abs() < 1e-9,
        "the first row's Δ {value} is the worst snippet's {}",
        deltas[worst]
    );
    let header = browser
        .client
        .find(Locator::Css("[data-testid=\"snippet-sort-delta\"]"))
        .await
        .unwrap();
    let th = header.find(Locator::XPath("..")).await.unwrap();
    assert_eq!(attr(&th, "aria-sort").await, "ascending");
    // Every shown row is at least as bad as the next.
    let mut previous = f64::NEG_INFINITY;
    for row in rows(&browser).await.iter().take(10) {
        let v: f64 = attr(row, "data-value").await.parse().unwrap();
        assert!(v >= previous, "sorted worst first: {v} after {previous}");
        previous = v;
    }

    // A click on the row shows that snippet's tokens.
    first.click().await.expect("click the worst row");
    assert_eq!(token_view_shows(&browser, worst).await, texts[worst]);

    // A click on the per-snippet chart opens the snippet under it: the best one, say. The plot spans
    // from 70 CSS pixels (margin and y labels) to 16 before the right edge of the 560-pixel canvas
    // (src/charts/canvas.rs), one unit per snippet.
    let mut best = 0;
    for (i, d) in deltas.iter().enumerate() {
        if *d > deltas[best] {
            best = i;
        }
    }
    browser
        .client
        .execute(
            "const [k, n] = arguments; const c = document.querySelector('[data-testid=\"chart-snippets\"]'); c.scrollIntoView(); const r = c.getBoundingClientRect(); const x = (70 + (k + 0.5) * (560 - 16 - 70) / n) * c.clientWidth / 560; c.dispatchEvent(new MouseEvent('click', {bubbles: true, clientX: r.left + c.clientLeft + x, clientY: r.top + r.height / 2}));",
            vec![best.into(), texts.len().into()],
        )
        .await
        .expect("click the chart");
    assert_eq!(token_view_shows(&browser, best).await, texts[best]);

    // The filter keeps the snippets holding the words typed.
    browser.type_text("snippet-filter", "dagger").await;
    let expected = texts.iter().filter(|t| t.contains("dagger")).count();
    let started = Instant::now();
    while browser.value_of("snippet-count").await != expected as f64 {
        assert!(started.elapsed() < Duration::from_secs(20), "the filter");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for row in rows(&browser).await {
        let index: usize = attr(&row, "data-index").await.parse().unwrap();
        assert!(texts[index].contains("dagger"), "{}", texts[index]);
    }

    // What the fine-tune learned: a token string that rose leads to its occurrences.
    let rising = browser
        .client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(
            "[data-testid=\"learned-rising\"] [data-testid=\"learned-token\"]",
        ))
        .await
        .expect("a token string that rose");
    let total: f64 = attr(&rising, "data-total").await.parse().unwrap();
    let mean: f64 = attr(&rising, "data-mean").await.parse().unwrap();
    let count: f64 = attr(&rising, "data-count").await.parse().unwrap();
    assert!(total > 0.0, "it rose: {total}");
    assert!((mean * count - total).abs() < 1e-6, "total = count × mean");
    let token = attr(&rising, "data-token").await;
    rising.click().await.expect("pick the token string");
    let occurrence = browser.by_testid("learned-occurrence").await;
    let snippet: usize = attr(&occurrence, "data-index").await.parse().unwrap();
    let at: usize = attr(&occurrence, "data-token-index").await.parse().unwrap();
    occurrence.click().await.expect("open the occurrence");
    let shown = token_view_shows(&browser, snippet).await;
    assert_eq!(shown, texts[snippet]);
    let tooltip = browser.by_testid("token-tooltip").await;
    assert_eq!(attr(&tooltip, "data-index").await, at.to_string());
    let focused = browser
        .js_string("return document.activeElement ? document.activeElement.textContent : ''")
        .await;
    assert_eq!(focused, token, "the occurrence's token has the focus");
    browser.close().await;
}

/// A set of `snippets` snippets of `tokens` word tokens each, scored by both embedded models' names
/// with made-up likelihoods (the page only reads them).
fn synthetic_evaluation(snippets: usize, tokens: usize) -> likely_core::Evaluation {
    use likely_core::{Evaluation, ModelSpec, Outcome, ScoredToken, Snippet, SnippetResult};
    const WORDS: [&str; 8] = [
        " to",
        " be",
        " or",
        " not",
        " that",
        " is",
        " the",
        " question",
    ];
    let mut state: u64 = 7;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as f64 / f64::from(1u32 << 31)
    };
    let pieces: Vec<Vec<String>> = (0..snippets)
        .map(|i| {
            std::iter::once(format!("S{i}"))
                .chain((1..tokens).map(|t| WORDS[(i * 7 + t * 3) % WORDS.len()].to_string()))
                .collect()
        })
        .collect();
    let mut evaluation = Evaluation::new(
        pieces.iter().map(|p| Snippet::pasted(p.concat())).collect(),
        likely_core::GenerateParams::default(),
        ModelSpec::named("base-light"),
        vec![ModelSpec::named("custom-base-light")],
    )
    .unwrap();
    for model in ["base-light", "custom-base-light"] {
        for (i, words) in pieces.iter().enumerate() {
            let scored = words
                .iter()
                .enumerate()
                .map(|(t, w)| ScoredToken::new(w.clone(), (t > 0).then(|| -0.1 - 9.0 * next())))
                .collect();
            evaluation
                .set_outcome(model, i, Outcome::Scored(SnippetResult::single(scored)))
                .unwrap();
        }
    }
    evaluation
}

/// Keeps `evaluation` as a stored share link holding `scope` (through the page's fetch) and opens it.
async fn open_stored(
    browser: &Browser,
    server: &Server,
    evaluation: &likely_core::Evaluation,
    scope: likely_core::snapshot::Scope,
) -> Instant {
    let bytes = likely_core::snapshot::encode(evaluation, scope).unwrap();
    let fragment = likely_core::snapshot::to_fragment(&bytes);
    let created = browser
        .client
        .execute_async(
            "const [text, scope, done] = arguments; const b64 = text.replace(/-/g, '+').replace(/_/g, '/'); const bytes = Uint8Array.from(atob(b64 + '='.repeat((4 - b64.length % 4) % 4)), c => c.charCodeAt(0)); fetch('/v1/shares?scope=' + scope, {method: 'POST', headers: {'content-type': 'application/octet-stream'}, body: bytes}).then(r => r.json()).then(done, e => done(String(e)));",
            vec![fragment.into(), scope.as_str().into()],
        )
        .await
        .expect("keep the snapshot");
    let path = created["path"]
        .as_str()
        .unwrap_or_else(|| panic!("{created}"));
    let opened = Instant::now();
    browser.goto(&format!("{}{path}", server.url)).await;
    opened
}

/// Clicks a sort header in the page and answers the milliseconds until the frame after the rows
/// changed.
const SORT: &str = r#"
const [key, done] = arguments;
const first = () => { const r = document.querySelector('[data-testid="snippet-row"]'); return r ? r.dataset.index : null; };
const before = first();
const t0 = performance.now();
document.querySelector(`[data-testid="snippet-sort-${key}"]`).click();
const wait = () => { if (first() !== before) { requestAnimationFrame(() => done(performance.now() - t0)); } else if (performance.now() - t0 > 10000) { done(-1); } else { setTimeout(wait, 0); } };
wait();
"#;

#[tokio::test]
async fn a_thousand_snippets_sort_and_filter() {
    let server = Server::start();
    let browser = Browser::open(&server.url).await;
    let evaluation = synthetic_evaluation(1000, 100);
    let opened = open_stored(&browser, &server, &evaluation, Scope::Everything).await;
    assert_eq!(browser.value_of("snippet-count").await, 1000.0);
    let shown = opened.elapsed();
    assert_eq!(rows(&browser).await.len(), 50, "one page of rows");

    let mut sorts = Vec::new();
    for key in ["snippet", "delta", "share", "delta", "baseline", "delta"] {
        let value = browser
            .client
            .execute_async(SORT, vec![serde_json::Value::String(key.into())])
            .await
            .unwrap();
        let ms = value.as_f64().unwrap();
        assert!(ms >= 0.0, "sorting by {key} changed no row");
        sorts.push(ms);
    }
    // The last sort is by Δ, worst first: check it against the rows' own values.
    let values: Vec<f64> = {
        let mut out = Vec::new();
        for row in rows(&browser).await.iter().take(5) {
            out.push(attr(row, "data-value").await.parse().unwrap());
        }
        out
    };
    assert!(values.windows(2).all(|w| w[0] <= w[1]), "{values:?}");

    let started = Instant::now();
    browser.type_text("snippet-filter", "S99").await;
    while browser.value_of("snippet-count").await != 11.0 {
        assert!(started.elapsed() < Duration::from_secs(10), "the filter");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let filtered = started.elapsed();
    sorts.sort_by(f64::total_cmp);
    let median = sorts[sorts.len() / 2];
    println!(
        "1,000 snippets × 100 tokens: table shown {:.0} ms after opening the link (decode included); sort to next frame median {median:.1} ms, max {:.1} ms; filter typed and applied in {:.0} ms",
        shown.as_secs_f64() * 1000.0,
        sorts[sorts.len() - 1],
        filtered.as_secs_f64() * 1000.0
    );
    browser.close().await;
}

#[tokio::test]
async fn a_figures_only_link_shows_the_table_without_text() {
    let server = Server::start();
    let browser = Browser::open(&server.url).await;
    let evaluation = synthetic_evaluation(30, 20);
    let table = likely_core::snippet_table::snippet_table(&evaluation, "custom-base-light");
    let worst = table
        .rows
        .iter()
        .min_by(|a, b| a.delta.total_cmp(&b.delta))
        .unwrap();
    open_stored(&browser, &server, &evaluation, Scope::Figures).await;
    assert_eq!(browser.value_of("snippet-count").await, 30.0);
    let first = first_row_becomes(&browser, worst.snippet).await;
    let value: f64 = attr(&first, "data-value").await.parse().unwrap();
    assert!(
        (value - worst.delta).abs() < 1e-9,
        "{value} vs {}",
        worst.delta
    );
    let text = first.text().await.unwrap();
    assert!(text.contains("text not shared"), "{text}");
    assert!(
        !text.contains(" to") && !text.contains("S"),
        "no snippet text: {text}"
    );
    for hidden in ["snippet-filter", "learned-rising", "token-text"] {
        let found = browser
            .client
            .find_all(Locator::Css(&format!("[data-testid=\"{hidden}\"]")))
            .await
            .unwrap();
        assert!(found.is_empty(), "{hidden} is not shown without the text");
    }
    browser.close().await;
}
