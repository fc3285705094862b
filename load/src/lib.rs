//! `tavoli-load`: a load generator for Tavoli's live core, and the bare relay it compares
//! against. The binary (`src/main.rs`) wires these parts into commands; the smoke run of the
//! test command uses the same code with small numbers.

pub mod client;
pub mod floor;
pub mod ids;
pub mod ledger;
pub mod process;
pub mod relay;
pub mod report;
pub mod scenario;
