//! The demo: an invented Piano di Zona co-programming, so a newcomer sees Tavoli at work at once.
//! Every text here is written for Tavoli; names of people and places are invented.

use serde_json::json;
use tavoli_core::{Actor, Command, CommandEnvelope, Role};

use crate::{
    auth,
    clock::now_ms,
    http::join::{JoinBody, join_roundtable},
    live::writer::Submission,
    state::AppState,
    storage::{NewProcess, Storage, StorageError},
};

pub const DEMO_EMAIL: &str = "udp@tavoli.demo";
pub const DEMO_PASSWORD: &str = "tavoli-demo";

pub const PROCESS_TITLE: &str = "Piano di Zona 2025-2027 – Ambito di Valle Serena";

/// One demo roundtable: title, description, join code, people (name, organisation, kind),
/// cards (author index, kind, text), clusters (title, card indices) and, if any, a closed vote
/// on its proposals (dots per card in card order).
pub struct DemoRoundtable {
    pub title: &'static str,
    pub description: &'static str,
    pub join_code: &'static str,
    pub people: &'static [(&'static str, &'static str, &'static str)],
    pub cards: &'static [(usize, &'static str, &'static str)],
    pub clusters: &'static [(&'static str, &'static [usize])],
    pub vote: bool,
}

pub const ROUNDTABLES: &[DemoRoundtable] = &[
    DemoRoundtable {
        title: "Anziani e persone con disabilità",
        description: "Domiciliarità, sostegno ai caregiver familiari, vita indipendente e contrasto all'isolamento.",
        join_code: "ANZ425",
        people: &[
            ("Giulia Ferraris", "Auser Valle Serena", "odv"),
            (
                "Paolo Brambilla",
                "Cooperativa sociale Il Girasole",
                "cooperativa_sociale",
            ),
            ("Marta Colombo", "Comune di Borgo Alto", "comune"),
            ("Luca Sala", "ASST della Valle", "asst"),
            (
                "Elena Rota",
                "Associazione Famiglie Disabili Insieme",
                "aps",
            ),
        ],
        cards: &[
            (
                0,
                "need",
                "Molti anziani soli nelle frazioni non riescono a raggiungere gli ambulatori: manca un trasporto sociale programmato.",
            ),
            (
                4,
                "need",
                "I caregiver familiari di persone con disabilità grave non hanno momenti di sollievo durante l'anno.",
            ),
            (
                2,
                "need",
                "Le domande di assistenza domiciliare arrivano tardi, quando la situazione è già in crisi.",
            ),
            (
                3,
                "need",
                "Dopo le dimissioni ospedaliere le famiglie non sanno a chi rivolgersi per l'assistenza a casa.",
            ),
            (
                0,
                "resource",
                "Rete di 40 volontari Auser per accompagnamenti e telefonate di compagnia.",
            ),
            (
                1,
                "resource",
                "Centro diurno integrato di Borgo Alto con 6 posti ancora disponibili.",
            ),
            (
                3,
                "resource",
                "Infermiere di famiglia e comunità attivo nella Casa di Comunità di Valle Serena.",
            ),
            (
                4,
                "proposal",
                "Un servizio di sollievo programmato per i caregiver, anche nei fine settimana.",
            ),
            (
                0,
                "proposal",
                "Trasporto sociale a chiamata con un numero unico per tutto l'Ambito.",
            ),
            (
                2,
                "proposal",
                "Punto unico di accesso sociosanitario con ASST per le dimissioni protette.",
            ),
        ],
        clusters: &[
            ("Famiglia caregiver", &[1, 7]),
            ("Accesso e dimissioni", &[2, 3, 9]),
        ],
        vote: true,
    },
    DemoRoundtable {
        title: "Giovani, minori e famiglie",
        description: "Spazi di aggregazione, povertà educativa, sostegno alla genitorialità e conciliazione dei tempi.",
        join_code: "GIO425",
        people: &[
            ("Sara Bianchi", "Oratorio San Luigi", "aps"),
            ("Matteo Villa", "Istituto Comprensivo Borgo Alto", "scuola"),
            (
                "Chiara Galli",
                "Cooperativa sociale Spazio Giovani",
                "cooperativa_sociale",
            ),
            ("Davide Fumagalli", "Comune di Valle Serena", "comune"),
        ],
        cards: &[
            (
                0,
                "need",
                "Mancano spazi di aggregazione aperti la sera per ragazze e ragazzi dai 14 ai 18 anni.",
            ),
            (
                1,
                "need",
                "Cresce il numero di studenti che abbandonano la scuola dopo il primo anno delle superiori.",
            ),
            (
                3,
                "need",
                "I genitori soli con figli piccoli faticano a conciliare lavoro e cura nei mesi estivi.",
            ),
            (
                2,
                "resource",
                "Educativa di strada attiva in tre comuni con due educatori.",
            ),
            (
                1,
                "resource",
                "Palestre scolastiche disponibili il pomeriggio per attività gestite da associazioni.",
            ),
            (
                0,
                "proposal",
                "Aprire un centro giovani serale co-gestito da ragazzi, oratori e cooperative.",
            ),
            (
                2,
                "proposal",
                "Tutoraggio tra pari per gli studenti del primo anno delle superiori.",
            ),
        ],
        clusters: &[("Spazi e tempo libero", &[0, 3, 5])],
        vote: false,
    },
    DemoRoundtable {
        title: "Inclusione sociale e abitare",
        description: "Povertà, accesso alla casa, inserimento lavorativo e reti di prossimità.",
        join_code: "INC425",
        people: &[
            ("Roberto Mauri", "Caritas decanale", "odv"),
            ("Anna Pozzi", "Fondazione Casa Comune", "fondazione"),
            ("Giorgio Riva", "CGIL Valle Serena", "sindacato"),
        ],
        cards: &[
            (
                0,
                "need",
                "Famiglie con sfratto esecutivo senza soluzioni abitative temporanee nel territorio.",
            ),
            (
                2,
                "need",
                "Lavoratori poveri con contratti brevi che non riescono a pagare l'affitto.",
            ),
            (
                1,
                "resource",
                "Otto alloggi di housing sociale gestiti dalla Fondazione Casa Comune.",
            ),
            (
                0,
                "resource",
                "Emporio solidale aperto tre giorni a settimana.",
            ),
            (
                1,
                "proposal",
                "Un'agenzia per l'abitare dell'Ambito che faccia da garante con i proprietari.",
            ),
        ],
        clusters: &[],
        vote: false,
    },
    DemoRoundtable {
        title: "Salute mentale e fragilità",
        description: "Integrazione socio-sanitaria con ASST, benessere psicologico e prevenzione delle dipendenze.",
        join_code: "SAL425",
        people: &[
            ("Francesca Monti", "ASST della Valle", "asst"),
            ("Stefano Longhi", "Associazione Oltre il Muro", "aps"),
        ],
        cards: &[
            (
                1,
                "need",
                "Giovani adulti con disagio psichico isolati dopo la fine dei percorsi scolastici.",
            ),
            (
                0,
                "resource",
                "Centro psicosociale con équipe multiprofessionale.",
            ),
            (
                1,
                "proposal",
                "Gruppi di auto mutuo aiuto nei centri civici, con la supervisione del CPS.",
            ),
        ],
        clusters: &[],
        vote: false,
    },
];

/// Dots each proposal of the first roundtable receives in the demo vote, in card order.
/// (voter, proposal) pairs: two proposals tie, so the demo shows a shared rank.
const DEMO_DOTS: &[(usize, usize)] = &[
    (0, 1),
    (1, 0),
    (2, 2),
    (3, 2),
    (4, 0),
    (0, 0),
    (2, 1),
    (4, 0),
];

/// What loading the demo did.
pub struct DemoOutcome {
    pub loaded: bool,
    pub process_id: Option<String>,
}

/// Loads the demo process unless one with its title exists, and makes sure the demo
/// planning-office account exists. Safe to run twice.
pub async fn load(state: &AppState) -> Result<DemoOutcome, StorageError> {
    let storage = &state.storage;
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
    let planning_office = storage
        .user_by_email(DEMO_EMAIL)
        .await?
        .map(|u| u.id)
        .unwrap_or_default();
    // The demo account runs the demo process, which is published on the home page.
    storage
        .set_process_member(&process_id, &planning_office, "planning_office", now)
        .await?;
    storage.set_process_listed(&process_id, true).await?;
    for table in ROUNDTABLES {
        storage
            .create_roundtable(
                &process_id,
                table.title,
                table.description,
                table.join_code,
                false,
                now,
            )
            .await?;
        fill(state, table, &planning_office)
            .await
            .map_err(|e| StorageError::Unsupported(format!("demo: {e}")))?;
    }
    synthesis(state, &process_id, &planning_office)
        .await
        .map_err(|e| StorageError::Unsupported(format!("demo: {e}")))?;
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

/// Plays a demo roundtable through the same path as real people: joins, commands, the writer.
async fn fill(
    state: &AppState,
    table: &DemoRoundtable,
    planning_office: &str,
) -> Result<(), String> {
    let roundtable = state
        .storage
        .roundtable_by_code(table.join_code)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("roundtable missing")?;
    let facilitator = Actor::staff(Role::PlanningOffice, planning_office);
    let send = |actor: Actor, command: serde_json::Value| {
        let roundtable_id = roundtable.id.clone();
        async move {
            let command: Command = serde_json::from_value(command).map_err(|e| e.to_string())?;
            let envelope = CommandEnvelope {
                command_id: uuid::Uuid::new_v4(),
                command,
            };
            let command_id = envelope.command_id.to_string();
            let submission = Submission {
                roundtable_id,
                anonymous: false,
                actor,
                envelope,
                new_participant: None,
            };
            state
                .live
                .writer
                .submit(submission)
                .await
                .map_err(|e| e.to_string())?;
            Ok::<String, String>(command_id)
        }
    };
    // The meeting opens first, so that everyone who joins is recorded as present.
    send(
        facilitator.clone(),
        json!({"type": "open_meeting", "title": "Primo incontro"}),
    )
    .await?;
    let mut people = Vec::new();
    for (name, organisation, kind) in table.people {
        let body = JoinBody {
            join_code: table.join_code.into(),
            name: (*name).into(),
            organisation: (*organisation).into(),
            organisation_kind: (*kind).into(),
            consent: true,
        };
        let joined = join_roundtable(state, &body)
            .await
            .map_err(|e| e.message(tavoli_core::Lang::En))?;
        people.push(Actor::participant(joined.participant_id));
    }
    let mut card_ids = Vec::new();
    for (author, kind, text) in table.cards {
        card_ids.push(
            send(
                people[*author].clone(),
                json!({"type": "add_contribution", "kind": kind, "text": text}),
            )
            .await?,
        );
    }
    if !table.clusters.is_empty() {
        send(
            facilitator.clone(),
            json!({"type": "set_phase", "phase": "group"}),
        )
        .await?;
    }
    for (title, cards) in table.clusters {
        let cluster_id = send(
            facilitator.clone(),
            json!({"type": "create_cluster", "title": title}),
        )
        .await?;
        for card in *cards {
            send(facilitator.clone(), json!({"type": "move_contribution", "contribution_id": card_ids[*card], "cluster_id": cluster_id}))
                .await?;
        }
    }
    if table.vote {
        let proposals: Vec<&String> = table
            .cards
            .iter()
            .zip(&card_ids)
            .filter(|((_, kind, _), _)| *kind == "proposal")
            .map(|(_, id)| id)
            .collect();
        send(
            facilitator.clone(),
            json!({"type": "set_phase", "phase": "vote"}),
        )
        .await?;
        send(
            facilitator.clone(),
            json!({"type": "open_voting", "contribution_ids": proposals, "dots_per_voter": 3, "max_per_contribution": 2,
                   "ballot": "person", "secret": false}),
        )
        .await?;
        for (voter, proposal) in DEMO_DOTS {
            let card = proposals[*proposal];
            send(
                people[*voter].clone(),
                json!({"type": "cast_vote", "round": 1, "contribution_id": card}),
            )
            .await?;
        }
        send(
            facilitator.clone(),
            json!({"type": "close_voting", "round": 1}),
        )
        .await?;
        send(
            facilitator.clone(),
            json!({"type": "set_phase", "phase": "synthesis"}),
        )
        .await?;
    }
    Ok(())
}

/// Two cross-cutting themes and one intervention sheet, as the Ufficio di Piano would draft
/// them after the tables, so the synthesis pages and the document have something to show.
async fn synthesis(
    state: &AppState,
    process_id: &str,
    planning_office: &str,
) -> Result<(), String> {
    use crate::storage::{Link, NewSheet, NewTheme};
    // Every live card of the process: (roundtable id, card id, text).
    let mut cards = Vec::new();
    for roundtable in state
        .storage
        .roundtables_of(process_id)
        .await
        .map_err(|e| e.to_string())?
    {
        let board = state
            .live
            .boards
            .get(&state.storage, &roundtable.id)
            .await
            .map_err(|e| e.to_string())?;
        for card in &board.contributions {
            cards.push((
                roundtable.id.clone(),
                card.contribution_id.clone(),
                card.text.clone(),
            ));
        }
    }
    let link = |start: &str| -> Result<Link, String> {
        cards
            .iter()
            .find(|(_, _, text)| text.starts_with(start))
            .map(|(roundtable_id, id, _)| Link {
                target_id: id.clone(),
                roundtable_id: roundtable_id.clone(),
            })
            .ok_or_else(|| format!("demo card `{start}` missing"))
    };
    let now = now_ms();
    let themes = [
        (
            "Isolamento e reti di prossimità",
            "Persone sole, anziane o giovani, che perdono i legami dopo un passaggio di vita: un tema che attraversa \
             i tavoli degli anziani e della salute mentale.",
            vec![
                link("Molti anziani soli")?,
                link("Giovani adulti con disagio")?,
            ],
        ),
        (
            "Abitare e conciliazione",
            "La casa e il tempo di cura come condizioni per restare nel territorio: sfratti, affitti e genitori soli.",
            vec![
                link("Famiglie con sfratto")?,
                link("I genitori soli")?,
                link("Lavoratori poveri")?,
            ],
        ),
    ];
    for (title, description, contributions) in themes {
        let theme = NewTheme {
            process_id: process_id.to_string(),
            title: title.into(),
            description: description.into(),
            contributions,
            clusters: Vec::new(),
            created_by: Some(planning_office.to_string()),
            accepted_pairs: Vec::new(),
        };
        state
            .storage
            .create_theme(&theme, now)
            .await
            .map_err(|e| e.to_string())?;
    }
    let proposal = link("Un servizio di sollievo")?;
    let fields = json!({
        "objectives": ["Dare ai caregiver familiari tempi di sollievo programmati durante tutto l'anno"],
        "planned_actions": [
            "Mappare con i Comuni i caregiver di persone con disabilità grave",
            "Attivare ricoveri di sollievo e assistenza domiciliare nei fine settimana",
            "Formare i volontari della rete per la compagnia a domicilio"
        ],
        "target": ["Caregiver familiari", "Persone con disabilità grave"],
        "economic_resources": "Fondo non autosufficienza e risorse comunali: 120.000 € nel triennio",
        "policy_areas": ["E", "J"],
        "co_programmed": "Sì: è l'esito del tavolo Anziani e persone con disabilità",
        "expected_results": ["Almeno 60 famiglie con un piano di sollievo all'anno"],
        "process_indicators": ["Numero di caregiver raggiunti", "Ore di sollievo erogate"]
    });
    let sheet = NewSheet {
        process_id: process_id.to_string(),
        title: "Sollievo programmato per i caregiver familiari".into(),
        fields: fields.to_string(),
        contributions: vec![link("I caregiver familiari")?],
        source_contribution_id: Some(proposal.target_id),
        created_by: Some(planning_office.to_string()),
        by_name: "Ufficio di Piano (demo)".into(),
        changes: "[]".into(),
    };
    state
        .storage
        .create_sheet(&sheet, now)
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}
