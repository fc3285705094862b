//! The Tavoli server as a library, so tests can start the real thing on port 0.
//!
//! The order every request goes through: authenticate (`auth`), parse (`http`), decide
//! (`tavoli_core`), append (`storage`), broadcast (`live`).

pub mod auth;
pub mod clock;
pub mod config;
pub mod demo;
pub mod export;
pub mod http;
pub mod live;
pub mod pages;
pub mod pdf;
pub mod startup;
pub mod state;
pub mod storage;
pub mod synthesis;
pub mod synthesis_pages;
pub mod telemetry;
pub mod views;

pub use config::Config;
pub use startup::Application;
