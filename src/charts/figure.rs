//! A chart drawn once from a fixed plan (the λ chart, the trend chart): its `<figure>` with the canvas,
//! the message shown in its place when there is nothing to draw or the drawing failed, and the caption;
//! the canvas is drawn once mounted and again whenever the theme changes.

use super::canvas::{self, Area, DrawResult, Look, CSS_HEIGHT, CSS_WIDTH};
use leptos::attr::custom::custom_attribute;
use leptos::html;
use leptos::prelude::*;
use likely_core::Theme;

/// What a still chart's figure says about itself.
pub(super) struct Labels {
    /// The figure's classes (`chart` and more).
    pub class: &'static str,
    /// The canvas's `data-testid`.
    pub testid: &'static str,
    /// A `data-*` attribute of the canvas for tests: its name and value.
    pub data: (&'static str, String),
    /// The chart's name: the message's heading, and the console's word for a failure.
    pub title: &'static str,
    /// The caption under the chart.
    pub caption: &'static str,
}

/// The figure of a chart planned as `planned` (or the reason it cannot be drawn), drawn with `draw` in
/// the colours of `theme`; `aria_label` describes the plan to screen readers.
pub(super) fn still_chart<P: Send + Sync + 'static>(
    planned: Result<P, String>,
    aria_label: impl Fn(&P) -> String,
    draw: fn(&P, &Area, &Look) -> DrawResult,
    theme: Signal<Theme>,
    labels: Labels,
) -> impl IntoView {
    let canvas_ref = NodeRef::<html::Canvas>::new();
    let message = RwSignal::new(planned.as_ref().err().cloned());
    let label = planned.as_ref().map(aria_label).unwrap_or_default();
    let plan = StoredValue::new(planned.ok());
    let title = labels.title;
    Effect::new(move |_| {
        let theme = theme.get();
        let Some(canvas) = canvas_ref.get() else {
            return;
        };
        plan.with_value(|plan| {
            let Some(plan) = plan else { return };
            if let Err(failure) =
                canvas::draw_on(&canvas, theme, |area, look| draw(plan, area, look))
            {
                leptos::logging::error!("{title}: {failure}");
                message.set(Some(format!("The chart could not be drawn: {failure}")));
            }
        });
    });
    let drawn = move || message.with(Option::is_none);
    let (data_name, data_value) = labels.data;
    view! {
        <figure class=labels.class>
            {view! {
                <canvas
                    node_ref=canvas_ref
                    data-testid=labels.testid
                    role="img"
                    aria-label=label
                    width=CSS_WIDTH
                    height=CSS_HEIGHT
                    hidden=move || !drawn()
                ></canvas>
            }
            .add_any_attr(custom_attribute(data_name, data_value))}
            <div class="chart-message" role="status" hidden=drawn>
                <strong>{title}</strong>
                <span>{move || message.get().unwrap_or_default()}</span>
            </div>
            <figcaption class="chart-caption">{labels.caption}</figcaption>
        </figure>
    }
}
