//! Pieces of the screens: the display blocks drawn as escaped HTML
//! (`blocks`), the field forms and their pickers (`forms`), the status bar.

pub mod blocks;
pub mod forms;
pub mod status_bar;
