//! One file per screen.

pub mod case;
pub mod cases;
pub mod device;
pub mod login;
pub mod new_case;
