//! Light or dark: follows the system's `prefers-color-scheme`, live.

use leptos::prelude::*;
use likely_core::colour::Theme;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

fn theme_of(dark: bool) -> Theme {
    if dark {
        Theme::Dark
    } else {
        Theme::Light
    }
}

/// Sets `theme` from the system now and whenever the system changes it.
pub fn follow_system(theme: RwSignal<Theme>) {
    let Ok(Some(query)) = window().match_media("(prefers-color-scheme: dark)") else {
        return;
    };
    theme.set(theme_of(query.matches()));
    let listener = Closure::<dyn Fn(web_sys::MediaQueryListEvent)>::new(
        move |event: web_sys::MediaQueryListEvent| {
            theme.set(theme_of(event.matches()));
        },
    );
    let _ = query.add_event_listener_with_callback("change", listener.as_ref().unchecked_ref());
    // The page lives as long as the listener: keep the closure alive.
    listener.forget();
}
