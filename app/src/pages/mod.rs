//! One file per route.

pub mod board;
pub mod facilitator;
pub mod home;
pub mod join;
pub mod not_found;
pub mod participant;
pub mod projector;
pub mod staff;
pub mod staff_only;
pub mod synthesis;
pub mod synthesis_sheet;
