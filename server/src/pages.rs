//! The services pages reach through server functions (`tavoli_app::api::Backend`).

use axum::http::HeaderMap;
use tavoli_app::api::{
    Access, Backend, BackendFuture, JoinInfo, OfficeView, ProcessSummary, RoundtableSummary,
    RoundtableView,
};

use tavoli_core::Action;

use crate::{
    http::{access, processes::visible_process_ids, session::Credentials},
    state::AppState,
    storage::Storage,
    views,
};

pub struct PageBackend {
    pub storage: Storage,
    /// The whole state, for the live pages (boards, sessions).
    pub state: AppState,
}

impl Backend for PageBackend {
    fn processes(&self) -> BackendFuture<Vec<ProcessSummary>> {
        let storage = self.storage.clone();
        // The request and the state are in the reactive context now, not inside the future.
        let parts = leptos::prelude::use_context::<axum::http::request::Parts>();
        let state = leptos::prelude::use_context::<crate::state::AppState>();
        Box::pin(async move {
            let internal = |e: crate::storage::StorageError| {
                tracing::error!(error = %e, "listing processes failed");
                "internal error".to_string()
            };
            // The same check as `GET /api/processes`: each caller sees the processes they
            // have a role in; a visitor without an account, those published on the home page.
            let visible = match (parts, state) {
                (Some(parts), Some(state)) => {
                    let credentials = Credentials::from_headers(&parts.headers);
                    let user = access::at_account(&state, &credentials, Action::ListProcesses)
                        .await
                        .ok()
                        .and_then(|access| access.user);
                    visible_process_ids(&state, user.as_ref())
                        .await
                        .map_err(|_| "internal error".to_string())?
                }
                _ => storage.listed_process_ids().await.map_err(internal)?,
            };
            let mut out = Vec::new();
            for process in storage.processes().await.map_err(internal)? {
                if !visible.contains(&process.id) {
                    continue;
                }
                let roundtables = storage
                    .roundtables_of(&process.id)
                    .await
                    .map_err(internal)?
                    .into_iter()
                    .map(|r| RoundtableSummary {
                        id: r.id,
                        title: r.title,
                        join_code: r.join_code,
                    })
                    .collect();
                out.push(ProcessSummary {
                    id: process.id,
                    title: process.title,
                    owner: process.owner,
                    kind: process.kind,
                    roundtables,
                });
            }
            Ok(out)
        })
    }

    fn roundtable_view(
        &self,
        headers: HeaderMap,
        roundtable_id: String,
    ) -> BackendFuture<Access<RoundtableView>> {
        let state = self.state.clone();
        Box::pin(async move { views::roundtable_view(&state, &headers, &roundtable_id).await })
    }

    fn join_info(&self, headers: HeaderMap, code: String) -> BackendFuture<Access<JoinInfo>> {
        let state = self.state.clone();
        Box::pin(async move { views::join_info(&state, &headers, &code).await })
    }

    fn office(&self, headers: HeaderMap) -> BackendFuture<Access<OfficeView>> {
        let state = self.state.clone();
        Box::pin(async move { views::office(&state, &headers).await })
    }
}
