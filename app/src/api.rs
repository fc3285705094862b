//! Server functions: the thin door from pages to the server's services.
//!
//! The browser calls them over HTTP; on the server they run in-process and reach the services
//! through a `Backend` the server puts in context. The same services answer the JSON API, so
//! pages and scripts can never disagree.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use tavoli_core::{Board, OrganisationKind, Role};

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

/// The answer of a page's data call: the data, or why the caller may not see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Access<T> {
    Granted(T),
    /// Neither a participant of this roundtable nor staff: join by code or sign in first.
    SignInNeeded,
    NotFound,
}

/// Who is looking at a roundtable page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub role: Role,
    pub participant_id: Option<String>,
    pub name: String,
}

/// A person at the roundtable, with the name only staff may see.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Person {
    pub participant_id: String,
    pub name: String,
}

/// Everything a roundtable page (participant, facilitator, projector) needs to render at once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoundtableView {
    pub id: String,
    pub title: String,
    pub description: String,
    pub join_code: String,
    pub process_title: String,
    pub anonymous: bool,
    pub me: Me,
    /// The board as this caller may see it (the reducer's public view).
    pub board: Board,
    /// The address a phone opens to join, as this server is reached.
    pub join_url: String,
    /// The join QR code as an SVG document, drawn on the server (staff only; empty otherwise).
    pub qr_svg: String,
    /// Names of the people who joined (staff of a named roundtable only; empty otherwise).
    pub people: Vec<Person>,
}

/// An organisation already taking part in the process, offered on the join form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrganisationOption {
    pub name: String,
    pub kind: OrganisationKind,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JoinInfo {
    pub roundtable_id: String,
    pub title: String,
    pub process_title: String,
    pub join_code: String,
    pub organisations: Vec<OrganisationOption>,
    /// The name this device already joined with, if its cookie is still valid.
    pub resume_as: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaffInfo {
    pub name: String,
    pub email: String,
    pub planning_office: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OfficeView {
    pub staff: StaffInfo,
    pub processes: Vec<ProcessSummary>,
}

#[cfg(feature = "ssr")]
pub use backend::{Backend, BackendFuture, request_headers, use_backend};

#[cfg(feature = "ssr")]
mod backend {
    use std::{future::Future, pin::Pin, sync::Arc};

    use super::{Access, JoinInfo, OfficeView, ProcessSummary, RoundtableView};

    pub type BackendFuture<T> = Pin<Box<dyn Future<Output = Result<T, String>> + Send>>;

    /// What pages may ask of the server. Implemented by `tavoli-server` over its services.
    /// `headers` are the request's, so the server resolves cookies exactly as the JSON API does.
    pub trait Backend: Send + Sync + 'static {
        fn processes(&self) -> BackendFuture<Vec<ProcessSummary>>;
        fn roundtable_view(
            &self,
            headers: http::HeaderMap,
            roundtable_id: String,
        ) -> BackendFuture<Access<RoundtableView>>;
        fn join_info(
            &self,
            headers: http::HeaderMap,
            code: String,
        ) -> BackendFuture<Access<JoinInfo>>;
        fn office(&self, headers: http::HeaderMap) -> BackendFuture<Access<OfficeView>>;
    }

    pub fn use_backend() -> Result<Arc<dyn Backend>, leptos::prelude::ServerFnError> {
        leptos::prelude::use_context::<Arc<dyn Backend>>()
            .ok_or_else(|| leptos::prelude::ServerFnError::new("backend missing from context"))
    }

    /// The headers of the request being served (page render or server-function call).
    pub fn request_headers() -> http::HeaderMap {
        leptos::prelude::use_context::<http::request::Parts>()
            .map(|parts| parts.headers)
            .unwrap_or_default()
    }
}

/// Every process with its roundtables, for the home page.
#[server]
pub async fn list_processes() -> Result<Vec<ProcessSummary>, ServerFnError> {
    use_backend()?.processes().await.map_err(ServerFnError::new)
}

/// A roundtable as the caller may see it.
#[server]
pub async fn load_roundtable(id: String) -> Result<Access<RoundtableView>, ServerFnError> {
    use_backend()?
        .roundtable_view(request_headers(), id)
        .await
        .map_err(ServerFnError::new)
}

/// What the join form of a roundtable code shows.
#[server]
pub async fn load_join_info(code: String) -> Result<Access<JoinInfo>, ServerFnError> {
    use_backend()?
        .join_info(request_headers(), code)
        .await
        .map_err(ServerFnError::new)
}

/// The signed-in staff member and the processes they manage.
#[server]
pub async fn load_office() -> Result<Access<OfficeView>, ServerFnError> {
    use_backend()?
        .office(request_headers())
        .await
        .map_err(ServerFnError::new)
}
