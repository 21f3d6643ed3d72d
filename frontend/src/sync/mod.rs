//! Everything between the phone and the server: the device database
//! (`store`, IndexedDB), its records of unsent work (`outbox`), the calls to
//! the server (`api`) and the sync engine (`engine`).

#[cfg(target_arch = "wasm32")]
pub mod api;
#[cfg(target_arch = "wasm32")]
pub mod engine;
pub mod outbox;
#[cfg(target_arch = "wasm32")]
pub mod store;
