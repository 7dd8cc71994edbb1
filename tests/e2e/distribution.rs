//! Whole-distribution figures: `base-light` and `custom-base-light` share GPT-2's tokenizer, so the
//! page asks both for each position's top-K log-probabilities and shows the KL and same-top-1 pills,
//! the median/p99 KL and Δp figures, the `kl` token colouring and its tooltip line, all carried by a
//! share link.

use crate::support::{Browser, Server, HAMLET_SNIPPET};
use fantoccini::Locator;

const CUSTOM: &str = "custom-base-light";

#[tokio::test]
async fn kl_pills_figures_and_colouring_for_models_sharing_a_tokenizer() {
    let server = Server::start();
    let browser = Browser::open(&server.url).await;
    browser.type_text("prompt-input", HAMLET_SNIPPET).await;
    browser.click("evaluate-button").await;

    let kl = browser.value_of(&format!("pill-kl-{CUSTOM}")).await;
    assert!(
        kl > 0.0 && kl < 10.0,
        "a Shakespeare-adapted model differs from its base on Hamlet: mean KL {kl} nats"
    );
    let same = browser.value_of(&format!("pill-same-top1-{CUSTOM}")).await;
    assert!((0.0..=1.0).contains(&same), "a share: {same}");
    assert!(
        same > 0.0 && same < 1.0,
        "the models agree sometimes, not always: {same}"
    );
    let low: f64 = browser
        .attr(&format!("pill-kl-{CUSTOM}"), "data-ci-low")
        .await
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        low <= kl,
        "the interval's low end {low} is below the mean {kl}"
    );
    let median = browser.value_of(&format!("kl-median-{CUSTOM}")).await;
    let p99 = browser.value_of(&format!("kl-p99-{CUSTOM}")).await;
    assert!(0.0 <= median && median <= p99, "median {median}, p99 {p99}");
    assert!((browser.value_of(&format!("kl-mean-{CUSTOM}")).await - kl).abs() < 1e-12);
    let delta_p = browser.value_of(&format!("delta-p-{CUSTOM}")).await;
    assert!(
        delta_p > 0.0 && delta_p < 1.0,
        "the adapted model gives Hamlet's tokens more probability: Δp {delta_p}"
    );

    // The token view coloured by KL: every scored token has a colour, the legend says KL.
    let mode = browser.by_testid("colour-mode").await;
    mode.select_by_value("kl")
        .await
        .expect("choose the kl colouring");
    let legend = browser.text_of("token-legend").await;
    assert!(legend.contains("KL"), "{legend}");
    let coloured = browser
        .settled(
            "const spans = Array.from(document.querySelectorAll('[data-testid=\"token\"]')); \
             const colours = new Set(spans.slice(1).map(s => s.style.background)); \
             return spans.length > 10 && colours.size > 3 ? 'coloured' : '';",
            "coloured",
        )
        .await;
    assert_eq!(coloured, "coloured", "tokens get several KL colours");
    let spans = browser
        .client
        .find_all(Locator::Css("[data-testid=\"token\"]"))
        .await
        .unwrap();
    browser.hover(&spans[4]).await;
    let tip = browser.value_of(&format!("tip-kl-{CUSTOM}")).await;
    assert!(tip >= 0.0, "the tooltip gives the position's KL: {tip}");

    // A share link keeps the figures.
    let link = browser.share_link().await;
    let opened = Browser::open(&link).await;
    let kept = opened.value_of(&format!("pill-kl-{CUSTOM}")).await;
    assert_eq!(kept, kl, "the link shows the same mean KL");
    assert_eq!(
        opened.value_of(&format!("pill-same-top1-{CUSTOM}")).await,
        same
    );
    opened.close().await;
    browser.close().await;
}
