//! The services pages reach through server functions (`tavoli_app::api::Backend`).

use tavoli_app::api::{Backend, BackendFuture, ProcessSummary, RoundtableSummary};

use crate::storage::Storage;

pub struct PageBackend {
    pub storage: Storage,
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
}
