//! The demo: an invented Piano di Zona co-programming, so a newcomer sees Tavoli at work at once.
//! Every text here is written for Tavoli; names of people and places are invented.

use crate::{
    auth,
    clock::now_ms,
    storage::{NewProcess, Storage, StorageError},
};

pub const DEMO_EMAIL: &str = "udp@tavoli.demo";
pub const DEMO_PASSWORD: &str = "tavoli-demo";

pub const PROCESS_TITLE: &str = "Piano di Zona 2025-2027 – Ambito di Valle Serena";

/// The roundtables of the demo: title, description, join code.
pub const ROUNDTABLES: &[(&str, &str, &str)] = &[
    (
        "Anziani e persone con disabilità",
        "Domiciliarità, sostegno ai caregiver familiari, vita indipendente e contrasto all'isolamento.",
        "ANZ425",
    ),
    (
        "Giovani, minori e famiglie",
        "Spazi di aggregazione, povertà educativa, sostegno alla genitorialità e conciliazione dei tempi.",
        "GIO425",
    ),
    (
        "Inclusione sociale e abitare",
        "Povertà, accesso alla casa, inserimento lavorativo e reti di prossimità.",
        "INC425",
    ),
    (
        "Salute mentale e fragilità",
        "Integrazione socio-sanitaria con ASST, benessere psicologico e prevenzione delle dipendenze.",
        "SAL425",
    ),
];

/// What loading the demo did.
pub struct DemoOutcome {
    pub loaded: bool,
    pub process_id: Option<String>,
}

/// Loads the demo process unless one with its title exists, and makes sure the demo
/// planning-office account exists. Safe to run twice.
pub async fn load(storage: &Storage) -> Result<DemoOutcome, StorageError> {
    ensure_demo_account(storage).await?;
    if let Some(existing) = storage
        .processes()
        .await?
        .into_iter()
        .find(|p| p.title == PROCESS_TITLE)
    {
        return Ok(DemoOutcome {
            loaded: false,
            process_id: Some(existing.id),
        });
    }
    let now = now_ms();
    let process_id = storage
        .create_process(
            &NewProcess {
                title: PROCESS_TITLE.into(),
                owner: "Ufficio di Piano dell'Ambito di Valle Serena".into(),
                kind: "co_programmazione".into(),
                description: "Co-programmazione con gli enti del Terzo Settore (art. 55 del Codice del Terzo Settore) del \
                              Piano di Zona 2025-2027: quattro tavoli tematici raccolgono bisogni, risorse e proposte del \
                              territorio e ne scelgono le priorità."
                    .into(),
                period: "2025-2027".into(),
                created_by: None,
            },
            now,
        )
        .await?;
    for (title, description, code) in ROUNDTABLES {
        storage
            .create_roundtable(&process_id, title, description, code, false, now)
            .await?;
    }
    Ok(DemoOutcome {
        loaded: true,
        process_id: Some(process_id),
    })
}

async fn ensure_demo_account(storage: &Storage) -> Result<(), StorageError> {
    if storage.user_by_email(DEMO_EMAIL).await?.is_some() {
        return Ok(());
    }
    let hash =
        auth::hash_password(DEMO_PASSWORD).map_err(|e| StorageError::Unsupported(e.to_string()))?;
    match storage
        .create_user(
            DEMO_EMAIL,
            "Ufficio di Piano (demo)",
            &hash,
            "planning_office",
            now_ms(),
        )
        .await
    {
        Ok(_) | Err(StorageError::Conflict(_)) => Ok(()),
        Err(e) => Err(e),
    }
}
