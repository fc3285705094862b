//! What every handler shares: storage, the live roundtables and the Leptos options. Cheap to clone.

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::{live::Live, storage::Storage};

#[derive(Clone)]
pub struct AppState {
    pub storage: Storage,
    pub live: Live,
    pub leptos_options: LeptosOptions,
    /// Every rate limit is multiplied by this (`Config::rate_limit_scale`).
    pub rate_limit_scale: u32,
}

impl AppState {
    /// Starts the live machinery (the writer task) over a connected storage.
    pub fn start(storage: Storage, leptos_options: LeptosOptions) -> AppState {
        let live = Live::start(storage.clone());
        AppState {
            storage,
            live,
            leptos_options,
            rate_limit_scale: 1,
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
