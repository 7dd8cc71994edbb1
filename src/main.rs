//! Entry point of the dashboard: mounts [`likely_app::App`] on the page.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(likely_app::Root);
}
