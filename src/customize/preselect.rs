//! Opening the evaluation page with models already chosen: `?baseline=<name>&custom=<name>` (the
//! `custom` key may repeat), and the playground likewise. The model list, once loaded, keeps a
//! baseline it knows.

use crate::state::Dashboard;
use leptos::prelude::*;
use web_sys::UrlSearchParams;

/// The query that preselects `base` against `custom` (model names need no escaping beyond this).
pub fn query(base: &str, custom: &str) -> String {
    let params = UrlSearchParams::new().ok();
    match params {
        Some(params) => {
            params.append("baseline", base);
            params.append("custom", custom);
            String::from(params.to_string())
        }
        None => format!("baseline={base}&custom={custom}"),
    }
}

/// The models the address names (`?baseline=…&custom=…`), if it names a baseline: the playground
/// reads the same query.
pub fn preselected_models() -> Option<(String, Vec<String>)> {
    let search = window().location().search().ok()?;
    let params = UrlSearchParams::new_with_str(&search).ok()?;
    let baseline = params.get("baseline").filter(|b| !b.is_empty())?;
    let customs: Vec<String> = params
        .get_all("custom")
        .iter()
        .filter_map(|value| value.as_string())
        .filter(|name| !name.is_empty() && *name != baseline)
        .collect();
    Some((baseline, customs))
}

/// Chooses the models the address names, if it names a baseline.
pub fn preselect_from_location(dashboard: Dashboard) {
    if let Some((baseline, customs)) = preselected_models() {
        dashboard.baseline.set(baseline);
        dashboard.customs.set(customs);
    }
}
