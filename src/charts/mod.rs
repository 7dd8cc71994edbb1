//! The evaluation's charts, drawn with plotters on `<canvas>` elements: the histogram of token
//! log-likelihoods per model (`histogram`), baseline versus custom per token (`scatter`), and the
//! per-snippet difference of average log-likelihoods (`snippets`); and, on a custom model's page, the
//! held-out loss against the interpolation weight λ that training chose (`lambda`); and, on a held-out
//! set's page, each model's loss per run over time (`trend`).
//!
//! Each chart turns the evaluation into a plan (pure, unit-tested natively) or into a short message
//! saying why there is nothing to draw yet; an effect draws the plan once the canvas is mounted and
//! again whenever the evaluation or the theme changes, at most once per burst of changes (`schedule`).
//! A drawing error is logged to the console and shown as a message instead of the chart.

mod axis;
mod canvas;
mod figure;
mod histogram;
mod lambda;
mod palette;
mod scatter;
mod schedule;
mod snippets;
#[cfg(test)]
pub mod test_data;
mod trend;

use canvas::{CSS_HEIGHT, CSS_WIDTH};
pub use lambda::LambdaChart;
use leptos::html;
use leptos::prelude::*;
use likely_core::{Evaluation, Theme};
pub use trend::TrendChart;

/// The three charts of `evaluation`, in the colours of `theme`, redrawn less often while `running`; a
/// click on a snippet of the per-snippet chart calls `on_snippet` with its index.
#[component]
pub fn Charts(
    evaluation: Signal<Option<Evaluation>>,
    theme: Signal<Theme>,
    #[prop(into, optional)] running: Signal<bool>,
    #[prop(optional)] on_snippet: Option<Callback<usize>>,
) -> impl IntoView {
    view! {
        <section class="panel charts" aria-labelledby="charts-heading">
            <h2 id="charts-heading">"Charts"</h2>
            <div class="charts-grid">
                <ChartFigure kind=Kind::Histogram evaluation=evaluation theme=theme running=running />
                <ChartFigure kind=Kind::Scatter evaluation=evaluation theme=theme running=running />
                <ChartFigure kind=Kind::Snippets evaluation=evaluation theme=theme running=running on_snippet=on_snippet />
            </div>
        </section>
    }
}

/// Which chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Histogram,
    Scatter,
    Snippets,
}

impl Kind {
    fn test_id(self) -> &'static str {
        match self {
            Kind::Histogram => "chart-histogram",
            Kind::Scatter => "chart-scatter",
            Kind::Snippets => "chart-snippets",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Kind::Histogram => "Token log-likelihoods",
            Kind::Scatter => "Baseline vs custom, per token",
            Kind::Snippets => "Per-snippet difference",
        }
    }

    /// The canvas's accessible description while it shows nothing.
    fn empty_label(self) -> String {
        format!("{} chart: nothing to show yet", self.title())
    }

    fn plan(self, evaluation: &Evaluation) -> Result<Plan, String> {
        Ok(match self {
            Kind::Histogram => Plan::Histogram(histogram::plan(evaluation)?),
            Kind::Scatter => Plan::Scatter(scatter::plan(evaluation)?),
            Kind::Snippets => Plan::Snippets(snippets::plan(evaluation)?),
        })
    }
}

/// A chart ready to draw.
enum Plan {
    Histogram(histogram::Plan),
    Scatter(scatter::Plan),
    Snippets(snippets::Plan),
}

impl Plan {
    fn aria_label(&self) -> String {
        match self {
            Plan::Histogram(plan) => plan.aria_label(),
            Plan::Scatter(plan) => plan.aria_label(),
            Plan::Snippets(plan) => plan.aria_label(),
        }
    }

    fn caption(&self) -> String {
        match self {
            Plan::Histogram(plan) => plan.caption(),
            Plan::Scatter(plan) => plan.caption(),
            Plan::Snippets(plan) => plan.caption(),
        }
    }

    fn draw(&self, area: &canvas::Area, look: &canvas::Look) -> canvas::DrawResult {
        match self {
            Plan::Histogram(plan) => plan.draw(area, look),
            Plan::Scatter(plan) => plan.draw(area, look),
            Plan::Snippets(plan) => plan.draw(area, look),
        }
    }
}

/// What a chart shows before there is an evaluation.
const NO_EVALUATION: &str = "Run an evaluation to see this chart.";

/// One chart: the canvas, or a message in its place, and a caption. With `on_snippet`, a click on
/// the per-snippet chart names the snippet under the pointer.
#[component]
fn ChartFigure(
    kind: Kind,
    evaluation: Signal<Option<Evaluation>>,
    theme: Signal<Theme>,
    running: Signal<bool>,
    #[prop(optional_no_strip)] on_snippet: Option<Callback<usize>>,
) -> impl IntoView {
    let canvas_ref = NodeRef::<html::Canvas>::new();
    // The plan last drawn, for clicks.
    let drawn_plan = StoredValue::new_local(None::<Plan>);
    let message = RwSignal::new(Some(NO_EVALUATION.to_string()));
    let caption = RwSignal::new(String::new());
    let label = RwSignal::new(kind.empty_label());

    // Draws the current plan now; does nothing once the chart is gone (the timer may outlive it).
    let draw = move || {
        let Some(Some(canvas)) = canvas_ref.try_get_untracked() else {
            return;
        };
        let (Some(theme), Some(plan)) = (
            theme.try_get_untracked(),
            evaluation.try_with_untracked(|evaluation| match evaluation {
                Some(evaluation) => kind.plan(evaluation),
                None => Err(NO_EVALUATION.to_string()),
            }),
        ) else {
            return;
        };
        match plan {
            Err(why) => {
                message.set(Some(why));
                caption.set(String::new());
                label.set(kind.empty_label());
            }
            Ok(plan) => {
                caption.set(plan.caption());
                label.set(plan.aria_label());
                match canvas::draw_on(&canvas, theme, |area, look| plan.draw(area, look)) {
                    Ok(()) => {
                        message.set(None);
                        drawn_plan.set_value(Some(plan));
                    }
                    Err(failure) => {
                        leptos::logging::error!("{} chart: {failure}", kind.title());
                        message.set(Some(format!("The chart could not be drawn: {failure}")));
                        label.set(kind.empty_label());
                    }
                }
            }
        }
    };

    // Redraws, once per burst of changes, after the canvas is mounted and whenever the evaluation or
    // the theme changes; while a run goes on, about once a second (see `schedule`). When the run ends,
    // a redraw still waiting is brought forward, so the last figures show at once.
    // The redraw waiting, and whether it was scheduled during a run.
    let pending = StoredValue::new(None::<(TimeoutHandle, bool)>);
    let last_draw_ms = StoredValue::new(0.0_f64);
    Effect::new(move |_| {
        evaluation.track();
        theme.track();
        let live = running.get();
        if canvas_ref.get().is_none() {
            return;
        }
        if let Some((waiting, scheduled_live)) = pending.get_value() {
            if live || !scheduled_live {
                return;
            }
            waiting.clear();
        }
        let delay = schedule::redraw_delay(last_draw_ms.get_value(), live);
        let scheduled = set_timeout_with_handle(
            move || {
                if pending.try_set_value(None).is_some() {
                    return;
                }
                let started = js_sys::Date::now();
                draw();
                let _ = last_draw_ms.try_set_value(js_sys::Date::now() - started);
            },
            delay,
        );
        if let Ok(handle) = scheduled {
            pending.set_value(Some((handle, live)));
        }
    });

    let clickable = kind == Kind::Snippets && on_snippet.is_some();
    let on_click = move |ev: web_sys::MouseEvent| {
        let (Some(on_snippet), Some(canvas)) = (on_snippet, canvas_ref.get_untracked()) else {
            return;
        };
        // The bitmap's pixels per laid-out pixel (the canvas may be shown smaller than it is drawn).
        let ratio = f64::from(canvas.width()) / f64::from(canvas.client_width().max(1));
        let x = f64::from(ev.offset_x()) * ratio;
        let hit = drawn_plan.with_value(|plan| match plan {
            Some(Plan::Snippets(plan)) => plan.snippet_at(x),
            _ => None,
        });
        if let Some(snippet) = hit {
            on_snippet.run(snippet);
        }
    };
    let drawn = move || message.with(Option::is_none);
    view! {
        <figure class="chart">
            <canvas
                node_ref=canvas_ref
                class:clickable=clickable
                title=clickable.then_some("Click a snippet to open it in the token view")
                on:click=on_click
                data-testid=kind.test_id()
                role="img"
                aria-label=move || label.get()
                width=CSS_WIDTH
                height=CSS_HEIGHT
                hidden=move || !drawn()
            ></canvas>
            <div class="chart-message" role="status" hidden=drawn>
                <strong>{kind.title()}</strong>
                <span>{move || message.get().unwrap_or_default()}</span>
            </div>
            <figcaption class="chart-caption" hidden=move || !drawn()>
                {move || caption.get()}
            </figcaption>
        </figure>
    }
}
