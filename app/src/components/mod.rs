//! Pieces shared by pages: they render state and send commands, nothing more.

pub mod header;
