//! Opening the evaluation page with models already chosen: `?baseline=<name>&custom=<name>` (the
//! `custom` key may repeat). The model list, once loaded, keeps a baseline it knows.

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

/// Chooses the models the address names, if it names a baseline.
pub fn preselect_from_location(dashboard: Dashboard) {
    let Ok(search) = window().location().search() else {
        return;
    };
    let Ok(params) = UrlSearchParams::new_with_str(&search) else {
        return;
    };
    let Some(baseline) = params.get("baseline").filter(|b| !b.is_empty()) else {
        return;
    };
    let customs: Vec<String> = params
        .get_all("custom")
        .iter()
        .filter_map(|value| value.as_string())
        .filter(|name| !name.is_empty() && *name != baseline)
        .collect();
    dashboard.baseline.set(baseline);
    dashboard.customs.set(customs);
}
