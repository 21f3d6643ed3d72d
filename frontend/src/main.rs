//! 代办通 field app: a Leptos client-side app compiled to WebAssembly.
//! It runs from IndexedDB first (see `store`), syncs through `state`, and
//! takes every rule from the `shared` crate.

mod api;
mod app;
mod case_page;
mod device;
mod forms;
mod js;
mod list;
mod new_case;
mod overlay;
mod state;
mod store;
mod util;

fn main() {
    leptos::mount::mount_to_body(app::App);
}
