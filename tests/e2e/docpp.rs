//! Issue 8: the Documento di proposta partecipata (PDF) and the open data (JSON, CSV), read
//! back the way a person or a script would: pdftotext, qpdf, pdffonts, an RFC 4180 reader.

use std::{path::Path, process::Command};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tavoli_core::{BallotUnit, ContributionKind, Lang, OrganisationKind, Phase, PolicyArea};
use tavoli_server::{
    pdf::{
        self,
        model::{
            AttendanceEntry, CardDoc, ClusterDoc, DocModel, Edition, MeetingDoc, OrganisationEntry,
            PhaseSpan, ProcessInfo, ResultDoc, RoundDoc, RoundtableDoc, Sheet, SheetField, Theme,
            ValidationStatus,
        },
    },
    storage::ValidationRecord,
};
use tavoli_tests::{Client, Table, TestApp, command_id};

// ---- reading PDFs with the tools a person would use -------------------------------------

fn write_temp(bytes: &[u8]) -> tempfile::NamedTempFile {
    let file = tempfile::Builder::new().suffix(".pdf").tempfile().unwrap();
    std::fs::write(file.path(), bytes).unwrap();
    file
}

fn tool(program: &str, args: &[&str], path: &Path) -> String {
    let output = Command::new(program)
        .args(args)
        .arg(path)
        .args(if program == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .unwrap_or_else(|e| panic!("{program} runs (scripts/setup.sh --test installs it): {e}"));
    assert!(
        output.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The text of one page (1-based) or of the whole document.
fn page_text(path: &Path, page: Option<usize>) -> String {
    match page {
        Some(page) => {
            let page = page.to_string();
            tool("pdftotext", &["-layout", "-f", &page, "-l", &page], path)
        }
        None => tool("pdftotext", &["-layout"], path),
    }
}

fn page_count(path: &Path) -> usize {
    tool("pdfinfo", &[], path)
        .lines()
        .find_map(|line| line.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo gives the page count")
}

fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// qpdf finds no damage and every font is embedded.
fn assert_sound(path: &Path) {
    let check = Command::new("qpdf")
        .arg("--check")
        .arg(path)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "qpdf --check: {}",
        String::from_utf8_lossy(&check.stdout)
    );
    let fonts = tool("pdffonts", &[], path);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "the document uses fonts:\n{fonts}");
    for row in rows {
        let columns: Vec<&str> = row.split_whitespace().collect();
        // name type(1-2 words) encoding emb sub uni object ID: "emb" is 5th from the end.
        assert_eq!(
            columns[columns.len() - 5],
            "yes",
            "font not embedded: {row}"
        );
    }
}

// ---- building a process through the API ---------------------------------------------------

async fn send(client: &Client, command: Value) -> String {
    let id = command["command_id"].as_str().unwrap().to_string();
    let (status, body) = client.send(&command).await;
    assert_eq!(status, 200, "{command} -> {body}");
    id
}

fn cmd(mut body: Value) -> Value {
    body["command_id"] = json!(command_id());
    body
}

fn add(kind: &str, text: &str) -> Value {
    cmd(json!({"type": "add_contribution", "kind": kind, "text": text}))
}

const LONG_WORD_LEN: usize = 3000;

struct Scenario {
    token: String,
    process_id: String,
    /// Every card as the document should print it.
    cards: Vec<String>,
    open_table: Table,
}

/// A processo partecipativo with an open roundtable (clusters, tags, a closed vote, notes,
/// hard texts) and an anonymous one.
async fn scenario(app: &TestApp) -> Scenario {
    let token = app.staff_token().await;
    let process_id = app
        .process(
            "Percorso “Città d’acqua” – bilancio partecipativo 2025",
            "processo_partecipativo",
        )
        .await;
    let open_table = app
        .roundtable_in(&process_id, "Anziani e caregiver", false)
        .await;
    let staff = app.staff(&open_table).await;
    send(
        &staff,
        cmd(json!({"type": "open_meeting", "title": "Primo incontro"})),
    )
    .await;
    let anna = app.join(&open_table, "Anna Rossi", "Auser Riviera").await;
    let marco = app
        .join(&open_table, "Marco Bianchi", "Caritas di zona")
        .await;
    let long_word = "x".repeat(LONG_WORD_LEN);
    let texts = [
        (
            "need",
            "Le famiglie che assistono un anziano non hanno un’ora di sollievo: “nessuno ci sostituisce”.",
        ),
        (
            "need",
            "Mancano trasporti per le visite – soprattutto nelle frazioni più lontane.",
        ),
        (
            "need",
            "Servono 1.500 € l’anno per famiglia? Nessuno lo sa davvero 🦄 e il costo pesa.",
        ),
        ("need", &format!("Testo senza spazi: {long_word}")),
        (
            "resource",
            "Rete di volontari per accompagnamenti, già attiva in tre comuni.",
        ),
        (
            "resource",
            "Casa di Comunità con infermiere di famiglia\u{0085}e sportello sociale.",
        ),
        (
            "proposal",
            "Un servizio di sollievo programmato, anche nei fine settimana.",
        ),
        (
            "proposal",
            "Trasporto sociale a chiamata con un numero unico.",
        ),
        ("proposal", "Sportello unico per le dimissioni protette."),
    ];
    let mut ids = Vec::new();
    for (index, (kind, text)) in texts.iter().enumerate() {
        let author = if index % 2 == 0 { &anna } else { &marco };
        ids.push(send(author, add(kind, text)).await);
    }
    send(&staff, cmd(json!({"type": "set_phase", "phase": "group"}))).await;
    let cluster = send(
        &staff,
        cmd(json!({"type": "create_cluster", "title": "Famiglia caregiver"})),
    )
    .await;
    send(
        &staff,
        cmd(json!({"type": "move_contribution", "contribution_id": ids[0], "cluster_id": cluster})),
    )
    .await;
    send(&staff, cmd(json!({"type": "tag_contribution", "contribution_id": ids[1], "policy_areas": ["D", "E"]}))).await;
    send(&staff, cmd(json!({"type": "set_phase", "phase": "vote"}))).await;
    send(
        &staff,
        cmd(
            json!({"type": "open_voting", "contribution_ids": [ids[6], ids[7], ids[8]],
        "dots_per_voter": 3, "max_per_contribution": 2, "ballot": "person", "secret": false}),
        ),
    )
    .await;
    for (voter, card) in [(&anna, 7), (&anna, 7), (&marco, 6), (&anna, 6), (&marco, 7)] {
        send(
            voter,
            cmd(json!({"type": "cast_vote", "round": 1, "contribution_id": ids[card]})),
        )
        .await;
    }
    send(&staff, cmd(json!({"type": "close_voting", "round": 1}))).await;
    send(
        &staff,
        cmd(json!({"type": "set_phase", "phase": "synthesis"})),
    )
    .await;
    send(&staff, cmd(json!({"type": "set_notes", "text": "Il tavolo chiede di partire dal trasporto sociale."}))).await;
    send(&staff, cmd(json!({"type": "close_meeting"}))).await;

    let anonymous_table = app
        .roundtable_in(&process_id, "Giovani e famiglie", true)
        .await;
    let staff_b = app.staff(&anonymous_table).await;
    send(&staff_b, cmd(json!({"type": "open_meeting"}))).await;
    let luca = app
        .join(&anonymous_table, "Luca Verdi", "Oratorio San Luigi")
        .await;
    send(
        &luca,
        add("need", "Spazi aperti la sera per chi ha tra 14 e 18 anni."),
    )
    .await;
    send(
        &luca,
        add("proposal", "Un centro giovani gestito insieme ai ragazzi."),
    )
    .await;

    let mut cards: Vec<String> = texts.iter().map(|(_, t)| t.to_string()).collect();
    // What the document prints: the emoji has no glyph and shows as U+FFFD; a next-line
    // control character is a line break.
    cards[2] = cards[2].replace('🦄', "\u{FFFD}");
    cards[5] = cards[5].replace('\u{0085}', " ");
    cards.push("Spazi aperti la sera per chi ha tra 14 e 18 anni.".into());
    cards.push("Un centro giovani gestito insieme ai ragazzi.".into());
    Scenario {
        token,
        process_id,
        cards,
        open_table,
    }
}

async fn download(app: &TestApp, token: &str, path: &str) -> (u16, String, Vec<u8>) {
    let response = app.get_as(Some(token), path, "it").await;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (
        status,
        content_type,
        response.bytes().await.unwrap().to_vec(),
    )
}

/// (title, page) of every line of the contents pages: a title, dot leaders, a number.
fn contents_entries(text: &str) -> Vec<(String, usize)> {
    text.lines()
        .filter_map(|line| {
            let (before, number) = line.trim().rsplit_once(' ')?;
            let number: usize = number.parse().ok()?;
            if !before.replace(' ', "").contains("...") {
                return None;
            }
            let title = before.trim_end_matches(|c: char| c == '.' || c.is_whitespace());
            Some((title.to_string(), number))
        })
        .collect()
}

// ---- the PDF ------------------------------------------------------------------------------

#[tokio::test]
async fn the_docpp_holds_every_card_every_section_and_true_page_numbers() {
    let app = TestApp::spawn().await;
    let s = scenario(&app).await;
    let (status, content_type, bytes) = download(
        &app,
        &s.token,
        &format!("/api/processes/{}/docpp.pdf", s.process_id),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "application/pdf");
    let file = write_temp(&bytes);
    assert_sound(file.path());
    let pages = page_count(file.path());
    let text = page_text(file.path(), None);
    // Footers cut a card that runs over a page break: read the body without them.
    let flat = squash(
        &text
            .lines()
            .filter(|line| !line.contains("Pagina "))
            .collect::<Vec<_>>()
            .join("\n"),
    );

    for card in &s.cards {
        assert!(
            flat.contains(&squash(card)),
            "card missing from the PDF: {card:.80}"
        );
    }
    for title in [
        "DOCUMENTO DI PROPOSTA PARTECIPATA",
        "Indice",
        "1. Il percorso",
        "Fasi e date",
        "Tavoli tematici e facilitatori",
        "Incontri",
        "Enti coinvolti",
        "Metodo",
        "2. Tavolo: Anziani e caregiver",
        "Famiglia caregiver",
        "Bisogni",
        "Risorse",
        "Proposte e priorità",
        "Note di sintesi",
        "3. Tavolo: Giovani e famiglie",
        "4. Le risorse del territorio",
        "5. Dimensioni trasversali",
        "6. Schede intervento",
        "7. Validazione",
        "Allegato – Registro delle presenze",
    ] {
        assert!(text.contains(title), "section title missing: {title}");
    }
    // Sections with no data say so.
    assert!(flat.contains(&squash(
        "Non sono ancora state definite dimensioni trasversali"
    )));
    assert!(flat.contains(&squash("Non sono ancora state redatte schede intervento")));
    assert!(flat.contains(&squash("Il documento non è ancora stato validato.")));
    assert!(flat.contains(&squash("spetta al Tecnico di garanzia")));
    // The vote, ranked, with its rules and the synthesis notes.
    assert!(flat.contains(&squash(
        "3 punti a testa, al massimo 2 sulla stessa proposta"
    )));
    assert!(flat.contains(&squash(
        "Il tavolo chiede di partire dal trasporto sociale."
    )));
    // An anonymous roundtable names nobody, anywhere.
    assert!(!flat.contains(&squash("Oratorio San Luigi")));
    assert!(
        !flat.contains("Luca") && !flat.contains("Rossi"),
        "no person's name"
    );

    // Every page but the cover says where it is.
    for page in 2..=pages {
        let page_text = page_text(file.path(), Some(page));
        assert!(
            page_text.contains(&format!("Pagina {page} di {pages}")),
            "footer of page {page}"
        );
    }
    // Every contents entry points at the page that holds its heading.
    let contents = page_text(file.path(), Some(2));
    let entries = contents_entries(&contents);
    assert!(entries.len() >= 15, "contents entries: {entries:?}");
    for (title, page) in &entries {
        assert!(*page > 2 && *page <= pages, "{title} -> {page}");
        assert!(
            page_text(file.path(), Some(*page)).contains(title.as_str()),
            "contents say {title} is on page {page}"
        );
    }
}

#[tokio::test]
async fn the_same_data_gives_the_same_bytes_and_english_on_request() {
    let app = TestApp::spawn().await;
    let s = scenario(&app).await;
    let path = format!("/api/processes/{}/docpp.pdf", s.process_id);
    let (_, _, first) = download(&app, &s.token, &path).await;
    let (_, _, second) = download(&app, &s.token, &path).await;
    assert!(
        first == second,
        "two downloads of unchanged data are byte-identical"
    );

    let (status, _, english) = download(&app, &s.token, &format!("{path}?lang=en")).await;
    assert_eq!(status, 200);
    let file = write_temp(&english);
    assert_sound(file.path());
    let text = page_text(file.path(), None);
    for title in [
        "PARTICIPATORY PROPOSAL DOCUMENT",
        "Contents",
        "1. The process",
        "Page 2 of",
        "Annex – Attendance register",
    ] {
        assert!(text.contains(title), "English document lacks {title}");
    }
    let info = tool("pdfinfo", &[], file.path());
    assert!(info.contains("Participatory proposal document"), "{info}");
}

#[tokio::test]
async fn a_process_without_roundtables_gives_a_short_valid_pdf_that_says_so() {
    let app = TestApp::spawn().await;
    let token = app.staff_token().await;
    let process_id = app
        .process("Percorso appena creato", "co_programmazione")
        .await;
    let (status, _, bytes) = download(
        &app,
        &token,
        &format!("/api/processes/{process_id}/docpp.pdf"),
    )
    .await;
    assert_eq!(status, 200);
    let file = write_temp(&bytes);
    assert_sound(file.path());
    assert!(page_count(file.path()) <= 4);
    let text = page_text(file.path(), None);
    assert!(squash(&text).contains(&squash("Il percorso non ha ancora tavoli tematici")));
    assert!(squash(&text).contains(&squash("la validazione non è obbligatoria")));
}

/// Who asks (a Bearer token or none), the path, Accept-Language, the status, the error code
/// and words the message must hold.
type Case<'a> = (Option<&'a str>, String, &'a str, u16, &'a str, &'a str);

#[tokio::test]
async fn bad_requests_get_a_clear_answer_and_never_a_500() {
    let app = TestApp::spawn().await;
    let s = scenario(&app).await;
    let participant = app.join(&s.open_table, "Giulia", "Auser Riviera").await;
    let docpp = format!("/api/processes/{}/docpp.pdf", s.process_id);
    let cases: Vec<Case> = vec![
        (
            Some(&s.token),
            "/api/processes/nessuno/docpp.pdf".into(),
            "it",
            404,
            "not_found",
            "Percorso non trovato",
        ),
        (
            Some(&s.token),
            "/api/processes/nessuno/export.csv".into(),
            "en",
            404,
            "not_found",
            "Process not found",
        ),
        (
            Some(&s.token),
            format!("{docpp}?lang=fr"),
            "it",
            422,
            "invalid_field",
            "lang",
        ),
        (
            None,
            docpp.clone(),
            "it",
            401,
            "unauthenticated",
            "Accesso richiesto",
        ),
        (
            Some(&participant.token),
            docpp.clone(),
            "en",
            403,
            "forbidden",
            "not allowed",
        ),
        (
            Some(&participant.token),
            format!("/api/processes/{}/export.json", s.process_id),
            "it",
            403,
            "forbidden",
            "permessi",
        ),
    ];
    for (token, path, lang, status, code, words) in cases {
        let response = app.get_as(token, &path, lang).await;
        assert_eq!(response.status().as_u16(), status, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{path}: {body}");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(words),
            "{path}: {body}"
        );
    }
}

// ---- validation ----------------------------------------------------------------------------

#[tokio::test]
async fn a_recorded_validation_appears_in_the_document_and_bad_input_changes_nothing() {
    let app = TestApp::spawn().await;
    let s = scenario(&app).await;
    let path = format!("/api/processes/{}/validation", s.process_id);
    for (body, field) in [
        (
            json!({"validator_name": "  ", "validator_role": "Tecnico di garanzia"}),
            "validator_name",
        ),
        (
            json!({"validator_name": "Rita Neri", "validator_role": ""}),
            "validator_role",
        ),
        (json!({"validator_name": "Rita Neri"}), "validator_role"),
    ] {
        let response = app.post_json(&s.token, &path, body).await;
        assert_eq!(response.status(), 422);
        let body: Value = response.json().await.unwrap();
        assert!(
            body["error"]["message"].as_str().unwrap().contains(field),
            "{body}"
        );
    }
    let before: Value = app
        .get_as(Some(&s.token), &path, "it")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(before["validations"], json!([]));
    assert_eq!(before["required"], true);

    let response = app
        .post_json(
            &s.token,
            &path,
            json!({"validator_name": "Rita Neri", "validator_role": "Tecnico di garanzia della partecipazione",
                   "note": "Il percorso ha rispettato il programma."}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let record: Value = response.json().await.unwrap();
    assert_eq!(record["version"], 1);

    let (_, _, bytes) = download(
        &app,
        &s.token,
        &format!("/api/processes/{}/docpp.pdf", s.process_id),
    )
    .await;
    let file = write_temp(&bytes);
    let text = page_text(file.path(), None);
    assert!(
        squash(&text).contains(&squash("La versione 1 del documento è stata validata")),
        "validation chapter"
    );
    assert!(squash(&text).contains(&squash(
        "Rita Neri (Tecnico di garanzia della partecipazione)"
    )));
    let cover = page_text(file.path(), Some(1));
    assert!(
        cover.contains("validato il"),
        "the cover says it is validated:\n{cover}"
    );

    // A change after the validation makes the document the draft of the next version.
    let staff = app.staff(&s.open_table).await;
    send(
        &staff,
        cmd(json!({"type": "set_notes", "text": "Nota rivista dopo la validazione."})),
    )
    .await;
    let (_, _, bytes) = download(
        &app,
        &s.token,
        &format!("/api/processes/{}/docpp.pdf", s.process_id),
    )
    .await;
    let text = page_text(write_temp(&bytes).path(), None);
    assert!(squash(&text).contains(&squash("questa è la bozza della versione 2")));
}

// ---- open data -------------------------------------------------------------------------------

/// A strict RFC 4180 reader: CRLF records, quoted fields with doubled quotes.
fn read_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "records end with CRLF");
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(
        field.is_empty() && record.is_empty(),
        "the file ends with CRLF"
    );
    records
}

#[tokio::test]
async fn the_csv_has_one_rfc_4180_row_per_card_and_no_anonymous_author() {
    let app = TestApp::spawn().await;
    let s = scenario(&app).await;
    let (status, content_type, bytes) = download(
        &app,
        &s.token,
        &format!("/api/processes/{}/export.csv", s.process_id),
    )
    .await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let text = String::from_utf8(bytes).expect("UTF-8");
    let records = read_csv(&text);
    assert_eq!(
        records[0],
        [
            "contribution_id",
            "roundtable",
            "meeting",
            "meeting_date",
            "kind",
            "cluster",
            "text",
            "policy_areas",
            "votes",
            "author_organisation",
            "created_at"
        ]
    );
    let rows = &records[1..];
    assert_eq!(rows.len(), s.cards.len(), "one row per card");
    assert!(rows.iter().all(|row| row.len() == 11));
    let find = |start: &str| rows.iter().find(|row| row[6].starts_with(start)).unwrap();
    let caregivers = find("Le famiglie che assistono");
    assert_eq!(caregivers[5], "Famiglia caregiver");
    assert_eq!(caregivers[9], "Auser Riviera");
    assert_eq!(caregivers[2], "Primo incontro");
    assert_eq!(caregivers[4], "need");
    let euro = find("Servono 1.500 €");
    assert!(euro[6].contains('🦄'), "open data keeps the text exactly");
    assert_eq!(find("Mancano trasporti")[7], "D;E");
    assert_eq!(find("Trasporto sociale a chiamata")[8], "3");
    assert_eq!(
        find("Testo senza spazi")[6].len(),
        "Testo senza spazi: ".len() + LONG_WORD_LEN
    );
    let anonymous = find("Spazi aperti la sera");
    assert_eq!(anonymous[1], "Giovani e famiglie");
    assert_eq!(
        anonymous[9], "",
        "an anonymous roundtable exports no author"
    );
    assert!(!text.contains("Oratorio"));
}

#[tokio::test]
async fn the_json_holds_the_whole_process_in_the_documented_schema() {
    let app = TestApp::spawn().await;
    let s = scenario(&app).await;
    let (status, _, bytes) = download(
        &app,
        &s.token,
        &format!("/api/processes/{}/export.json", s.process_id),
    )
    .await;
    assert_eq!(status, 200);
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body["schema"], "tavoli-export/1");
    assert_eq!(body["process"]["kind"], "processo_partecipativo");
    assert_eq!(body["validation"]["required"], true);
    let roundtables = body["roundtables"].as_array().unwrap();
    assert_eq!(roundtables.len(), 2);
    let open = &roundtables[0];
    assert_eq!(open["contributions"].as_array().unwrap().len(), 9);
    assert_eq!(open["voting_rounds"][0]["status"], "closed");
    assert_eq!(open["voting_rounds"][0]["results"][0]["dots"], 3);
    assert_eq!(open["meetings"][0]["attendance"], 2);
    assert!(
        open["meetings"][0]["closed_at"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    let anonymous = &roundtables[1];
    assert_eq!(anonymous["anonymous"], true);
    assert!(
        anonymous["contributions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["author_organisation"].is_null())
    );
    assert!(!String::from_utf8_lossy(&bytes).contains("Oratorio"));
}

// ---- determinism, guarded by a golden hash -----------------------------------------------

const DAY: i64 = 86_400_000;
const START: i64 = 1_741_800_600_000; // 12 March 2025, 18:30 in Rome

fn card(
    id: &str,
    kind: ContributionKind,
    text: &str,
    cluster: Option<usize>,
    votes: u32,
) -> CardDoc {
    CardDoc {
        id: id.into(),
        kind,
        text: text.into(),
        cluster,
        policy_areas: vec![PolicyArea::parse("E").unwrap()],
        targets: vec![],
        organisation: Some("Auser Riviera".into()),
        organisation_kind: Some(OrganisationKind::Odv),
        meeting: Some(0),
        votes,
        typed_for_someone: false,
        created_at: START,
    }
}

/// A fixed model with every section filled, themes and sheets included.
fn fixture() -> DocModel {
    let roundtable = RoundtableDoc {
        id: "rt-1".into(),
        title: "Anziani e caregiver".into(),
        description: "Domiciliarità e sostegno a chi cura.".into(),
        anonymous: false,
        facilitators: vec!["Paola Conti".into()],
        clusters: vec![ClusterDoc {
            id: "cl-1".into(),
            title: "Famiglia caregiver".into(),
        }],
        cards: vec![
            card(
                "c1",
                ContributionKind::Need,
                "Manca sollievo per chi assiste un familiare.",
                Some(0),
                0,
            ),
            card(
                "c2",
                ContributionKind::Resource,
                "Volontari per accompagnamenti.",
                None,
                0,
            ),
            card(
                "c3",
                ContributionKind::Proposal,
                "Sollievo programmato nei fine settimana.",
                None,
                4,
            ),
            card(
                "c4",
                ContributionKind::Proposal,
                "Trasporto sociale a chiamata.",
                None,
                1,
            ),
        ],
        meetings: vec![MeetingDoc {
            id: "m1".into(),
            title: Some("Primo incontro".into()),
            opened_at: START,
            closed_at: Some(START + 7_200_000),
            attendance: 2,
        }],
        rounds: vec![RoundDoc {
            round: 1,
            closed: true,
            dots_per_voter: 3,
            max_per_contribution: 2,
            ballot: BallotUnit::Organisation,
            secret: true,
            voters: 2,
            results: vec![
                ResultDoc {
                    card: Some(2),
                    contribution_id: "c3".into(),
                    rank: 1,
                    dots: 4,
                },
                ResultDoc {
                    card: Some(3),
                    contribution_id: "c4".into(),
                    rank: 2,
                    dots: 1,
                },
            ],
        }],
        notes: "Priorità condivisa: il sollievo.".into(),
        attendance: vec![AttendanceEntry {
            organisation: Some("Auser Riviera".into()),
            kind: OrganisationKind::Odv,
            people: 2,
            meetings_attended: 1,
        }],
        participants: 2,
    };
    DocModel {
        process: ProcessInfo {
            id: "p-1".into(),
            title: "Piano di Zona 2025–2027 – Ambito di prova".into(),
            owner: "Ufficio di Piano dell’Ambito di prova".into(),
            kind: "co_programmazione".into(),
            description: "Co-programmazione con gli enti del Terzo Settore.".into(),
            period: "2025–2027".into(),
            created_at: START - DAY,
        },
        edition: Edition {
            version: 1,
            validated: true,
            date: START + 10 * DAY,
        },
        phases: Phase::all()
            .iter()
            .enumerate()
            .map(|(i, phase)| PhaseSpan {
                phase: *phase,
                from: Some(START + i as i64 * DAY),
                to: Some(START + (i as i64 + 1) * DAY),
                ongoing: false,
            })
            .collect(),
        organisations: vec![OrganisationEntry {
            name: Some("Auser Riviera".into()),
            kind: OrganisationKind::Odv,
        }],
        roundtables: vec![roundtable],
        themes: vec![Theme {
            title: "Solitudine".into(),
            description: "Attraversa anziani e giovani.".into(),
            roundtables: vec!["Anziani e caregiver".into()],
        }],
        sheets: vec![Sheet {
            title: "Sollievo ai caregiver".into(),
            fields: vec![SheetField {
                label_it: "Obiettivi".into(),
                label_en: "Objectives".into(),
                value: "Due weekend di sollievo al mese, € 40.000 l’anno.".into(),
            }],
            needs: vec!["Manca sollievo per chi assiste un familiare.".into()],
        }],
        validation: ValidationStatus {
            required: false,
            records: vec![ValidationRecord {
                version: 1,
                validator_name: "Rita Neri".into(),
                validator_role: "Tecnico di garanzia".into(),
                note: String::new(),
                validated_at: START + 10 * DAY,
            }],
        },
    }
}

/// SHA-256 of the fixture's Italian PDF. A deliberate change of the layout updates it:
/// `TAVOLI_UPDATE_GOLDEN=1 cargo test -p tavoli-tests --test e2e golden`.
const GOLDEN: &str = "tests/golden/docpp-fixture.sha256";

#[test]
fn golden_the_fixture_renders_to_the_same_bytes_every_time() {
    let model = fixture();
    let first = pdf::docpp(&model, Lang::It).unwrap();
    let second = pdf::docpp(&model, Lang::It).unwrap();
    assert!(
        first == second,
        "two renders of one model are byte-identical"
    );
    let file = write_temp(&first);
    assert_sound(file.path());
    let flat = squash(&page_text(file.path(), None));
    for expected in [
        "Solitudine",
        "Attraversa anziani e giovani.",
        "Scheda 1. Sollievo ai caregiver",
        "Obiettivi",
        "€ 40.000 l’anno",
        "Bisogni a cui risponde",
        "voto segreto",
        "validata il 22 marzo 2025 da Rita Neri",
    ] {
        assert!(
            flat.contains(&squash(expected)),
            "fixture PDF lacks {expected}"
        );
    }
    let hash = hex(&Sha256::digest(&first));
    let golden = tavoli_tests::workspace_root().join(GOLDEN);
    if std::env::var_os("TAVOLI_UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, format!("{hash}\n")).unwrap();
    }
    let expected = std::fs::read_to_string(&golden).unwrap_or_default();
    assert_eq!(
        expected.trim(),
        hash,
        "the fixture's PDF changed; if that is intended, run with TAVOLI_UPDATE_GOLDEN=1"
    );
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// ---- the command line ----------------------------------------------------------------------

#[tokio::test]
async fn tavoli_export_writes_the_pdf_and_refuses_an_unknown_process_in_one_line() {
    let app = TestApp::spawn().await;
    let process_id = app
        .process("Percorso da esportare", "co_progettazione")
        .await;
    let table = app
        .roundtable_in(&process_id, "Lavoro e inclusione", false)
        .await;
    let anna = app.join(&table, "Anna", "Cooperativa Il Ponte").await;
    send(
        &anna,
        add(
            "need",
            "Servono tirocini per chi esce dalla disoccupazione lunga.",
        ),
    )
    .await;
    let data_dir = app.data_dir.path().to_path_buf();
    let out = data_dir.join("docpp.pdf");
    // The database the server under test uses: SQLite in its data dir, or PostgreSQL.
    let database_url = app.database_url.clone();
    let run = |args: Vec<String>| {
        Command::new(tavoli_tests::tavoli_bin())
            .args([
                "--data-dir",
                data_dir.to_str().unwrap(),
                "--log",
                "warn",
                "export",
            ])
            .args(args)
            .env("TAVOLI_DATABASE_URL", &database_url)
            .output()
            .unwrap()
    };
    let ok = run(vec![
        "--process".into(),
        process_id.clone(),
        "--out".into(),
        out.display().to_string(),
    ]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_sound(&out);
    assert!(
        page_text(&out, None).contains("Servono tirocini per chi esce dalla disoccupazione lunga.")
    );

    let unknown = run(vec![
        "--process".into(),
        "nessuno".into(),
        "--out".into(),
        out.display().to_string(),
    ]);
    assert_eq!(unknown.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        stderr.contains("there is no process with id nessuno"),
        "{stderr}"
    );

    let bad_name = run(vec![
        "--process".into(),
        process_id,
        "--out".into(),
        data_dir.join("docpp.docx").display().to_string(),
    ]);
    assert_eq!(bad_name.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_name.stderr).contains(".pdf, .json or .csv"));
}
