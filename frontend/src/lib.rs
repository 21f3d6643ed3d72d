//! What the two front ends share, the field app (`src/main.rs`) and the
//! desk workbench (`src/bin/desk/`): [`web`], their calls to the API, the
//! route in the URL hash and China's clock. Kept small: whatever is here
//! and used by the field app counts against its first load.

#[cfg(target_arch = "wasm32")]
pub mod web;
