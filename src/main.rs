//! Entry point of the dashboard: mounts [`likely_app::Root`] on the page.

// Nothing in this crate needs unsafe code, and the compiler keeps it that way.
#![forbid(unsafe_code)]

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(likely_app::Root);
}
