//! The JSON API and health check: one file per resource, each with its own `router()`.

pub mod access;
pub mod commands;
pub mod error;
pub mod exports;
pub mod extract;
pub mod forms;
pub mod guard;
mod health;
pub mod join;
mod login;
mod members;
mod openapi;
mod privacy;
pub mod processes;
pub mod session;
pub mod synthesis;

use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(health::router())
        .merge(login::router())
        .merge(processes::router())
        .merge(join::router())
        .merge(commands::router())
        .merge(openapi::router())
        .merge(synthesis::router())
        .merge(exports::router())
        .merge(forms::router())
        .merge(members::router())
        .merge(privacy::router())
}
