//! Pieces shared by pages: they render state and send commands, nothing more.

pub mod cards;
pub mod header;
pub mod status;
pub mod voting;
