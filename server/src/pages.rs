//! The services pages reach through server functions (`tavoli_app::api::Backend`).

use axum::http::HeaderMap;
use tavoli_app::api::{
    Access, Backend, BackendFuture, JoinInfo, OfficeView, ProcessSummary, RoundtableSummary,
    RoundtableView,
};

use crate::{state::AppState, storage::Storage, views};

pub struct PageBackend {
    pub storage: Storage,
    /// The whole state, for the live pages (boards, sessions).
    pub state: AppState,
}

impl Backend for PageBackend {
    fn processes(&self) -> BackendFuture<Vec<ProcessSummary>> {
        let storage = self.storage.clone();
        Box::pin(async move {
            let internal = |e: crate::storage::StorageError| {
                tracing::error!(error = %e, "listing processes failed");
                "internal error".to_string()
            };
            let mut out = Vec::new();
            for process in storage.processes().await.map_err(internal)? {
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
