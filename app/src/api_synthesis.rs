//! Server functions of the synthesis pages (themes, sheets, coverage, suggestions). They reach
//! the server's synthesis service through a `SynthesisBackend` the server puts in context, the
//! same service the JSON API calls. A refusal a user must read comes back inside `Ok` as
//! `Err(message)` in their language; `ServerFnError` is for broken plumbing only.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

/// A need of the process with its trace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NeedItem {
    pub id: String,
    pub roundtable_title: String,
    pub text: String,
    pub cluster_title: Option<String>,
    pub sheet_ids: Vec<String>,
    pub theme_ids: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ThemeItem {
    pub id: String,
    pub title: String,
    pub description: String,
    pub contribution_ids: Vec<String>,
}

/// A sheet; each field as lines (a text's lines or a list's items).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SheetItem {
    pub id: String,
    pub title: String,
    pub fields: BTreeMap<String, Vec<String>>,
    pub contribution_ids: Vec<String>,
    pub source_contribution_id: Option<String>,
    pub version: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProposalItem {
    pub id: String,
    pub roundtable_title: String,
    pub text: String,
    pub rank: u32,
    pub dots: u32,
    pub sheet_ids: Vec<String>,
}

/// Why two needs were matched: the words they share.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PairWhy {
    pub contribution_ids: [String; 2],
    pub score: f64,
    pub words: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SuggestionItem {
    pub id: String,
    pub contribution_ids: Vec<String>,
    pub keywords: Vec<String>,
    pub pairs: Vec<PairWhy>,
}

/// Everything the synthesis page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub process_id: String,
    pub process_title: String,
    pub can_edit: bool,
    pub themes: Vec<ThemeItem>,
    pub sheets: Vec<SheetItem>,
    pub needs: Vec<NeedItem>,
    pub uncovered: Vec<String>,
    pub proposals: Vec<ProposalItem>,
    pub suggestions: Vec<SuggestionItem>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChangeItem {
    pub field: String,
    pub before: String,
    pub after: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryItem {
    pub version: i64,
    pub at: i64,
    pub by: String,
    pub changes: Vec<ChangeItem>,
}

/// Everything the sheet page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SheetPageData {
    pub process_id: String,
    pub process_title: String,
    pub can_edit: bool,
    pub sheet: SheetItem,
    pub needs: Vec<NeedItem>,
    pub history: Vec<HistoryItem>,
}

/// What became of one save.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum SaveOutcome {
    Saved {
        version: i64,
    },
    /// Someone changed the same part since the version this page holds.
    Conflict {
        current_version: i64,
        current_lines: Vec<String>,
        message: String,
    },
    Refused {
        message: String,
    },
}

/// A refusal to show, or the value asked for.
pub type Reply<T> = Result<T, String>;

#[cfg(feature = "ssr")]
pub use backend::{SynthesisBackend, use_synthesis_backend};

#[cfg(feature = "ssr")]
mod backend {
    use std::sync::Arc;

    use super::{Overview, Reply, SaveOutcome, SheetPageData};
    use crate::api::BackendFuture;
    use crate::i18n::Lang;

    /// The request's credentials and language, as the server needs them.
    #[derive(Clone, Debug)]
    pub struct Caller {
        pub headers: http::HeaderMap,
        pub lang: Lang,
    }

    /// What synthesis pages may ask of the server. Implemented by `tavoli-server`.
    pub trait SynthesisBackend: Send + Sync + 'static {
        fn overview(&self, caller: Caller, process_id: String) -> BackendFuture<Reply<Overview>>;
        fn sheet(
            &self,
            caller: Caller,
            process_id: String,
            sheet_id: String,
        ) -> BackendFuture<Reply<SheetPageData>>;
        fn create_theme(
            &self,
            caller: Caller,
            process_id: String,
            title: String,
            description: String,
            contribution_ids: Vec<String>,
        ) -> BackendFuture<Reply<String>>;
        fn create_sheet(
            &self,
            caller: Caller,
            process_id: String,
            title: String,
        ) -> BackendFuture<Reply<String>>;
        fn create_sheet_from_proposal(
            &self,
            caller: Caller,
            process_id: String,
            proposal_id: String,
        ) -> BackendFuture<Reply<String>>;
        /// `field` is `title`, `contribution_ids` or a sheet field; `lines` its new value.
        fn save(
            &self,
            caller: Caller,
            process_id: String,
            sheet_id: String,
            version: i64,
            field: String,
            lines: Vec<String>,
        ) -> BackendFuture<SaveOutcome>;
        fn accept_suggestion(
            &self,
            caller: Caller,
            process_id: String,
            suggestion_id: String,
            title: String,
        ) -> BackendFuture<Reply<String>>;
        fn reject_suggestion(
            &self,
            caller: Caller,
            process_id: String,
            suggestion_id: String,
        ) -> BackendFuture<Reply<()>>;
    }

    pub fn use_synthesis_backend()
    -> Result<(Arc<dyn SynthesisBackend>, Caller), leptos::prelude::ServerFnError> {
        let backend =
            leptos::prelude::use_context::<Arc<dyn SynthesisBackend>>().ok_or_else(|| {
                leptos::prelude::ServerFnError::new("synthesis backend missing from context")
            })?;
        let headers = leptos::prelude::use_context::<http::request::Parts>()
            .map(|parts| parts.headers)
            .unwrap_or_default();
        let lang = crate::i18n::request_lang();
        Ok((backend, Caller { headers, lang }))
    }
}

#[cfg(feature = "ssr")]
pub use backend::Caller;

#[server(input = Json)]
pub async fn load_overview(process_id: String) -> Result<Reply<Overview>, ServerFnError> {
    let (backend, caller) = use_synthesis_backend()?;
    backend
        .overview(caller, process_id)
        .await
        .map_err(ServerFnError::new)
}

#[server(input = Json)]
pub async fn load_sheet(
    process_id: String,
    sheet_id: String,
) -> Result<Reply<SheetPageData>, ServerFnError> {
    let (backend, caller) = use_synthesis_backend()?;
    backend
        .sheet(caller, process_id, sheet_id)
        .await
        .map_err(ServerFnError::new)
}

#[server(input = Json)]
pub async fn create_theme(
    process_id: String,
    title: String,
    description: String,
    contribution_ids: Vec<String>,
) -> Result<Reply<String>, ServerFnError> {
    let (backend, caller) = use_synthesis_backend()?;
    backend
        .create_theme(caller, process_id, title, description, contribution_ids)
        .await
        .map_err(ServerFnError::new)
}

#[server(input = Json)]
pub async fn create_sheet(
    process_id: String,
    title: String,
) -> Result<Reply<String>, ServerFnError> {
    let (backend, caller) = use_synthesis_backend()?;
    backend
        .create_sheet(caller, process_id, title)
        .await
        .map_err(ServerFnError::new)
}

#[server(input = Json)]
pub async fn create_sheet_from_proposal(
    process_id: String,
    proposal_id: String,
) -> Result<Reply<String>, ServerFnError> {
    let (backend, caller) = use_synthesis_backend()?;
    backend
        .create_sheet_from_proposal(caller, process_id, proposal_id)
        .await
        .map_err(ServerFnError::new)
}

#[server(input = Json)]
pub async fn save_sheet_part(
    process_id: String,
    sheet_id: String,
    version: i64,
    field: String,
    lines: Vec<String>,
) -> Result<SaveOutcome, ServerFnError> {
    let (backend, caller) = use_synthesis_backend()?;
    backend
        .save(caller, process_id, sheet_id, version, field, lines)
        .await
        .map_err(ServerFnError::new)
}

#[server(input = Json)]
pub async fn accept_suggestion(
    process_id: String,
    suggestion_id: String,
    title: String,
) -> Result<Reply<String>, ServerFnError> {
    let (backend, caller) = use_synthesis_backend()?;
    backend
        .accept_suggestion(caller, process_id, suggestion_id, title)
        .await
        .map_err(ServerFnError::new)
}

#[server(input = Json)]
pub async fn reject_suggestion(
    process_id: String,
    suggestion_id: String,
) -> Result<Reply<()>, ServerFnError> {
    let (backend, caller) = use_synthesis_backend()?;
    backend
        .reject_suggestion(caller, process_id, suggestion_id)
        .await
        .map_err(ServerFnError::new)
}
