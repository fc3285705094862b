//! One file per route.

pub mod home;
pub mod join;
pub mod not_found;
pub mod synthesis;
pub mod synthesis_sheet;
