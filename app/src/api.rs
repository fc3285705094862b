//! Server functions: the thin door from pages to the server's services.
//!
//! The browser calls them over HTTP; on the server they run in-process and reach the services
//! through a `Backend` the server puts in context. The same services answer the JSON API, so
//! pages and scripts can never disagree.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoundtableSummary {
    pub id: String,
    pub title: String,
    pub join_code: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProcessSummary {
    pub id: String,
    pub title: String,
    pub owner: String,
    pub kind: String,
    pub roundtables: Vec<RoundtableSummary>,
}

#[cfg(feature = "ssr")]
pub use backend::{Backend, BackendFuture, use_backend};

#[cfg(feature = "ssr")]
mod backend {
    use std::{future::Future, pin::Pin, sync::Arc};

    use super::ProcessSummary;

    pub type BackendFuture<T> = Pin<Box<dyn Future<Output = Result<T, String>> + Send>>;

    /// What pages may ask of the server. Implemented by `tavoli-server` over its services.
    pub trait Backend: Send + Sync + 'static {
        fn processes(&self) -> BackendFuture<Vec<ProcessSummary>>;
    }

    pub fn use_backend() -> Result<Arc<dyn Backend>, leptos::prelude::ServerFnError> {
        leptos::prelude::use_context::<Arc<dyn Backend>>()
            .ok_or_else(|| leptos::prelude::ServerFnError::new("backend missing from context"))
    }
}

/// Every process with its roundtables, for the home page.
#[server]
pub async fn list_processes() -> Result<Vec<ProcessSummary>, ServerFnError> {
    use_backend()?.processes().await.map_err(ServerFnError::new)
}
