//! Benchmark of the DocPP export (run by `scripts/bench-pdf.sh`, results in docs/BENCHMARKS.md):
//! a process of 4 roundtables, 1,000 cards and 20 intervention sheets, rendered by Tavoli's
//! printpdf layout and, for comparison, printed from equivalent HTML by headless Chromium.
//!
//! Usage: `bench_pdf OUT_DIR [CHROMIUM]`. Writes `OUT_DIR/tavoli.pdf`, `OUT_DIR/docpp.html`
//! and `OUT_DIR/chromium.pdf`, and prints the figures as one JSON object.

use std::{
    fmt::Write as _,
    path::{Path, PathBuf},
    process::Command,
    time::Instant,
};

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

const START: i64 = 1_741_800_600_000;
const DAY: i64 = 86_400_000;

const SUBJECTS: [&str; 10] = [
    "le famiglie con un anziano non autosufficiente",
    "i ragazzi tra i 14 e i 18 anni delle frazioni",
    "chi esce da un percorso di cura in salute mentale",
    "le persone sole che vivono in affitto",
    "i caregiver di persone con disabilità grave",
    "le donne che rientrano al lavoro dopo la maternità",
    "i nuclei con un ISEE sotto i 9.000 €",
    "le associazioni di volontariato più piccole",
    "gli studenti con bisogni educativi speciali",
    "i lavoratori poveri con contratti brevi",
];
const NEEDS: [&str; 5] = [
    "non trovano un servizio vicino e devono rivolgersi a più sportelli diversi",
    "restano senza risposte nei mesi estivi, quando i servizi riducono gli orari",
    "non conoscono le misure a cui avrebbero diritto: l’informazione non arriva",
    "hanno bisogno di un trasporto programmato per visite e attività",
    "chiedono un punto di riferimento stabile, non progetti di pochi mesi",
];
const RESOURCES: [&str; 4] = [
    "Rete di volontari già attiva in tre comuni, con un coordinamento mensile",
    "Spazi comunali liberi il pomeriggio, disponibili in comodato d’uso",
    "Fondo regionale per la domiciliarità con risorse non ancora impegnate",
    "Sportello sociale della Casa di Comunità aperto cinque giorni su sette",
];
const PROPOSALS: [&str; 5] = [
    "Un punto unico di accesso con orari serali e un numero di telefono dedicato",
    "Un servizio di sollievo programmato, anche nei fine settimana",
    "Una mappa aggiornata dei servizi, scritta in modo semplice e tradotta",
    "Un tavolo permanente con gli enti del Terzo Settore che si riunisca ogni trimestre",
    "Un trasporto sociale a chiamata condiviso tra i comuni dell’Ambito",
];

fn card(index: usize, kind: ContributionKind, cluster: usize, votes: u32) -> CardDoc {
    let subject = SUBJECTS[index % SUBJECTS.len()];
    let text = match kind {
        ContributionKind::Need => format!(
            "{}{} {} (contributo n. {index}).",
            subject[..1].to_uppercase(),
            &subject[1..],
            NEEDS[index % NEEDS.len()]
        ),
        ContributionKind::Resource => format!(
            "{} per {subject} (n. {index}).",
            RESOURCES[index % RESOURCES.len()]
        ),
        ContributionKind::Proposal => format!(
            "{} per {subject} (n. {index}).",
            PROPOSALS[index % PROPOSALS.len()]
        ),
    };
    CardDoc {
        id: format!("card-{index}"),
        kind,
        text,
        cluster: Some(cluster),
        policy_areas: vec![PolicyArea::all()[index % 11]],
        targets: vec![],
        organisation: Some(format!("Ente {}", index % 37)),
        organisation_kind: Some(OrganisationKind::Aps),
        meeting: Some(index % 3),
        votes,
        typed_for_someone: index.is_multiple_of(17),
        created_at: START + index as i64 * 60_000,
    }
}

/// 4 roundtables × 250 cards (100 needs, 60 resources, 90 proposals), 20 sheets, 6 themes.
fn model() -> DocModel {
    let titles = [
        "Anziani e persone con disabilità",
        "Giovani, minori e famiglie",
        "Inclusione sociale e abitare",
        "Salute mentale e fragilità",
    ];
    let mut index = 0;
    let roundtables: Vec<RoundtableDoc> = titles
        .iter()
        .enumerate()
        .map(|(table, title)| {
            let mut cards = Vec::new();
            for (kind, count) in [
                (ContributionKind::Need, 100),
                (ContributionKind::Resource, 60),
                (ContributionKind::Proposal, 90),
            ] {
                for n in 0..count {
                    let votes = if kind == ContributionKind::Proposal {
                        ((n * 7 + table * 3) % 23) as u32
                    } else {
                        0
                    };
                    cards.push(card(index, kind, n % 6, votes));
                    index += 1;
                }
            }
            let mut ranked: Vec<usize> = (0..cards.len())
                .filter(|i| cards[*i].kind == ContributionKind::Proposal)
                .collect();
            ranked.sort_by_key(|i| std::cmp::Reverse(cards[*i].votes));
            let results = ranked
                .iter()
                .map(|i| ResultDoc {
                    card: Some(*i),
                    contribution_id: cards[*i].id.clone(),
                    rank: 1 + ranked.iter().filter(|j| cards[**j].votes > cards[*i].votes).count() as u32,
                    dots: cards[*i].votes,
                })
                .collect();
            RoundtableDoc {
                id: format!("rt-{table}"),
                title: title.to_string(),
                description: "Domiciliarità, sostegno a chi cura, vita indipendente e contrasto all’isolamento: il tavolo raccoglie bisogni, risorse e proposte del territorio.".into(),
                anonymous: false,
                facilitators: vec!["Paola Conti".into(), "Marco Sala".into()],
                clusters: (0..6)
                    .map(|c| ClusterDoc {
                        id: format!("cl-{table}-{c}"),
                        title: format!("Raggruppamento {} – {}", c + 1, SUBJECTS[c]),
                    })
                    .collect(),
                cards,
                meetings: (0..3)
                    .map(|m| MeetingDoc {
                        id: format!("m-{table}-{m}"),
                        title: Some(format!("Incontro {}", m + 1)),
                        opened_at: START + m * 7 * DAY,
                        closed_at: Some(START + m * 7 * DAY + 3 * 3_600_000),
                        attendance: 25,
                    })
                    .collect(),
                rounds: vec![RoundDoc {
                    round: 1,
                    closed: true,
                    dots_per_voter: 5,
                    max_per_contribution: 2,
                    ballot: BallotUnit::Organisation,
                    secret: false,
                    voters: 22,
                    results,
                }],
                notes: "Il tavolo indica come priorità l’accesso unico ai servizi e il sollievo per chi cura.\n\nLe proposte più votate saranno tradotte in schede intervento.".into(),
                attendance: (0..25)
                    .map(|a| AttendanceEntry {
                        organisation: Some(format!("Ente {a}")),
                        kind: OrganisationKind::all()[a % 12],
                        people: 1 + a % 3,
                        meetings_attended: 1 + a % 3,
                    })
                    .collect(),
                participants: 40,
            }
        })
        .collect();
    DocModel {
        process: ProcessInfo {
            id: "bench".into(),
            title: "Piano di Zona 2025–2027 – Ambito di Valle Serena".into(),
            owner: "Ufficio di Piano dell’Ambito di Valle Serena".into(),
            kind: "co_programmazione".into(),
            description: "Co-programmazione con gli enti del Terzo Settore del Piano di Zona 2025–2027: quattro tavoli tematici raccolgono bisogni, risorse e proposte e ne scelgono le priorità.".into(),
            period: "2025–2027".into(),
            created_at: START - DAY,
        },
        edition: Edition { version: 1, validated: false, date: START + 30 * DAY },
        phases: Phase::all()
            .iter()
            .enumerate()
            .map(|(i, phase)| PhaseSpan { phase: *phase, from: Some(START + i as i64 * 7 * DAY), to: Some(START + (i as i64 + 1) * 7 * DAY), ongoing: false })
            .collect(),
        organisations: (0..37)
            .map(|o| OrganisationEntry { name: Some(format!("Ente {o}")), kind: OrganisationKind::all()[o % 12] })
            .collect(),
        roundtables,
        themes: (0..6)
            .map(|t| Theme {
                title: format!("Dimensione {}", t + 1),
                description: format!("Riguarda {} in più tavoli.", SUBJECTS[t]),
                roundtables: titles.iter().take(2 + t % 3).map(|s| s.to_string()).collect(),
            })
            .collect(),
        sheets: (0..20)
            .map(|s| Sheet {
                title: format!("Scheda {} – {}", s + 1, PROPOSALS[s % 5]),
                fields: [
                    ("Obiettivi", "Objectives", "Ridurre i tempi di risposta e semplificare l’accesso ai servizi per chi ne ha più bisogno."),
                    ("Azioni previste", "Planned actions", "Apertura di uno sportello, formazione degli operatori, campagna informativa nei comuni."),
                    ("Destinatari", "Target", SUBJECTS[s % 10]),
                    ("Macroaree", "Policy areas", "A, D, E"),
                    ("Risorse", "Resources", "€ 45.000 dal Fondo nazionale politiche sociali; personale dei comuni."),
                    ("Indicatori", "Indicators", "Numero di accessi, tempo medio di risposta, soddisfazione degli utenti."),
                ]
                .iter()
                .map(|(it, en, value)| SheetField { label_it: it.to_string(), label_en: en.to_string(), value: value.to_string() })
                .collect(),
                needs: (0..3).map(|n| format!("Bisogno collegato n. {} della scheda {}.", n + 1, s + 1)).collect(),
            })
            .collect(),
        validation: ValidationStatus { required: false, records: Vec::<ValidationRecord>::new() },
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The same content as HTML, styled as a plain print document, for Chromium.
fn html(model: &DocModel) -> String {
    let mut out = String::from(
        "<!doctype html><html lang=\"it\"><meta charset=\"utf-8\"><title>DocPP</title><style>\
         @page{size:A4;margin:22mm 22mm 25mm}body{font-family:'DejaVu Sans Condensed',sans-serif;font-size:10pt;line-height:1.4;color:#1a1a1a}\
         h1{color:#0066cc;font-size:19pt;border-bottom:1.2pt solid #0066cc;break-before:page}h2{color:#004d99;font-size:13.5pt;break-after:avoid}\
         h3{font-size:11pt;break-after:avoid}p{text-align:justify}table{width:100%;border-collapse:collapse;font-size:9pt}\
         th{background:#e3eef9;color:#004d99;text-align:left}td,th{padding:3pt 4.5pt;border-bottom:.4pt solid #c2ccd6}\
         tr{break-inside:avoid}.bar{background:#0066cc;height:9pt;display:inline-block}\
         </style><body>",
    );
    let _ = write!(
        out,
        "<p>{}</p><h1 style=\"break-before:auto\">DOCUMENTO DI PROPOSTA PARTECIPATA</h1><h2>{}</h2><h1>Indice</h1><ol>",
        escape(&model.process.owner),
        escape(&model.process.title)
    );
    for roundtable in &model.roundtables {
        let _ = write!(out, "<li>{}</li>", escape(&roundtable.title));
    }
    out.push_str("</ol><h1>1. Il percorso</h1>");
    let _ = write!(out, "<p>{}</p>", escape(&model.process.description));
    for (number, roundtable) in model.roundtables.iter().enumerate() {
        let _ = write!(
            out,
            "<h1>{}. Tavolo: {}</h1><p>{}</p>",
            number + 2,
            escape(&roundtable.title),
            escape(&roundtable.description)
        );
        for (kind, title) in [
            (ContributionKind::Need, "Bisogni"),
            (ContributionKind::Resource, "Risorse"),
        ] {
            let _ = write!(out, "<h2>{title}</h2>");
            for (index, cluster) in roundtable.clusters.iter().enumerate() {
                let _ = write!(out, "<h3>{}</h3><ul>", escape(&cluster.title));
                for card in roundtable
                    .cards
                    .iter()
                    .filter(|c| c.kind == kind && c.cluster == Some(index))
                {
                    let _ = write!(out, "<li>{}</li>", escape(&card.text));
                }
                out.push_str("</ul>");
            }
        }
        out.push_str("<h2>Proposte e priorità</h2><div>");
        let round = &roundtable.rounds[0];
        let max = round
            .results
            .iter()
            .map(|r| r.dots)
            .max()
            .unwrap_or(1)
            .max(1);
        for result in round.results.iter().take(12) {
            let card = &roundtable.cards[result.card.unwrap_or(0)];
            let _ = write!(
                out,
                "<div>{}. {:.60} <span class=\"bar\" style=\"width:{}mm\"></span> {}</div>",
                result.rank,
                escape(&card.text),
                60 * result.dots / max,
                result.dots
            );
        }
        out.push_str("</div><table><tr><th>Pos.</th><th>Proposta</th><th>Punti</th></tr>");
        for result in &round.results {
            let card = &roundtable.cards[result.card.unwrap_or(0)];
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                result.rank,
                escape(&card.text),
                result.dots
            );
        }
        let _ = write!(
            out,
            "</table><h2>Note di sintesi</h2><p>{}</p>",
            escape(&roundtable.notes)
        );
    }
    out.push_str(
        "<h1>Le risorse del territorio</h1><table><tr><th>Tavolo</th><th>Risorse</th></tr>",
    );
    for roundtable in &model.roundtables {
        for card in roundtable
            .cards
            .iter()
            .filter(|c| c.kind == ContributionKind::Resource)
        {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td></tr>",
                escape(&roundtable.title),
                escape(&card.text)
            );
        }
    }
    out.push_str("</table><h1>Dimensioni trasversali</h1><table><tr><th>Tema</th><th>Descrizione</th><th>Tavoli</th></tr>");
    for theme in &model.themes {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&theme.title),
            escape(&theme.description),
            escape(&theme.roundtables.join("; "))
        );
    }
    out.push_str("</table><h1>Schede intervento</h1>");
    for sheet in &model.sheets {
        let _ = write!(
            out,
            "<h2>{}</h2><table><tr><th>Campo</th><th>Contenuto</th></tr>",
            escape(&sheet.title)
        );
        for field in &sheet.fields {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td></tr>",
                escape(&field.label_it),
                escape(&field.value)
            );
        }
        out.push_str("</table><h3>Bisogni a cui risponde</h3><ul>");
        for need in &sheet.needs {
            let _ = write!(out, "<li>{}</li>", escape(need));
        }
        out.push_str("</ul>");
    }
    out.push_str("<h1>Validazione</h1><p>Il documento non è ancora stato validato.</p><h1>Allegato – Registro delle presenze</h1>");
    for roundtable in &model.roundtables {
        let _ = write!(
            out,
            "<h2>{}</h2><table><tr><th>Ente</th><th>Persone</th><th>Incontri</th></tr>",
            escape(&roundtable.title)
        );
        for entry in &roundtable.attendance {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(entry.organisation.as_deref().unwrap_or("")),
                entry.people,
                entry.meetings_attended
            );
        }
        out.push_str("</table>");
    }
    out.push_str("</body></html>");
    out
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

fn pages_of(path: &Path) -> Option<usize> {
    let output = Command::new("pdfinfo").arg(path).output().ok()?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
}

fn main() {
    let mut args = std::env::args().skip(1);
    let out_dir = PathBuf::from(args.next().unwrap_or_else(|| "target/bench-pdf".into()));
    let chromium = args.next().unwrap_or_else(|| "/usr/bin/chromium".into());
    std::fs::create_dir_all(&out_dir).expect("output directory");
    let model = model();
    let cards: usize = model.roundtables.iter().map(|r| r.cards.len()).sum();

    // The first render also loads and parses the three fonts (once per server process).
    let started = Instant::now();
    let bytes = pdf::docpp(&model, Lang::It).expect("render");
    let first_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut warm = Vec::new();
    for _ in 0..7 {
        let started = Instant::now();
        let again = pdf::docpp(&model, Lang::It).expect("render");
        warm.push(started.elapsed().as_secs_f64() * 1000.0);
        assert!(again == bytes, "deterministic");
    }
    let tavoli_pdf = out_dir.join("tavoli.pdf");
    std::fs::write(&tavoli_pdf, &bytes).expect("write");
    let tavoli_ms = median(warm);
    let tavoli_pages = pages_of(&tavoli_pdf).unwrap_or(0);

    let html_path = out_dir.join("docpp.html");
    std::fs::write(&html_path, html(&model)).expect("write html");
    let chromium_pdf = out_dir.join("chromium.pdf");
    let mut chromium_runs = Vec::new();
    for run in 0..3 {
        // Cold: a new browser process and a fresh profile every time.
        let profile = out_dir.join(format!("chromium-profile-{run}"));
        let _ = std::fs::remove_dir_all(&profile);
        let started = Instant::now();
        let status = Command::new(&chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-pdf-header-footer",
                &format!("--user-data-dir={}", profile.display()),
                &format!("--print-to-pdf={}", chromium_pdf.display()),
            ])
            .arg(format!(
                "file://{}",
                std::fs::canonicalize(&html_path).unwrap().display()
            ))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
        let elapsed = started.elapsed().as_secs_f64() * 1000.0;
        let _ = std::fs::remove_dir_all(&profile);
        match status {
            Ok(status) if status.success() => chromium_runs.push(elapsed),
            other => {
                eprintln!("chromium failed: {other:?}");
                break;
            }
        }
    }
    let chromium_ms = (!chromium_runs.is_empty()).then(|| median(chromium_runs.clone()));
    let chromium_pages = pages_of(&chromium_pdf);
    println!(
        "{}",
        serde_json::json!({
            "roundtables": model.roundtables.len(),
            "cards": cards,
            "sheets": model.sheets.len(),
            "tavoli_first_ms": (first_ms * 10.0).round() / 10.0,
            "tavoli_median_ms": (tavoli_ms * 10.0).round() / 10.0,
            "tavoli_pages": tavoli_pages,
            "tavoli_pages_per_second": (tavoli_pages as f64 / (tavoli_ms / 1000.0)).round(),
            "tavoli_bytes": bytes.len(),
            "chromium_runs_ms": chromium_runs.iter().map(|ms| ms.round()).collect::<Vec<_>>(),
            "chromium_median_ms": chromium_ms.map(f64::round),
            "chromium_pages": chromium_pages,
            "chromium_bytes": std::fs::metadata(&chromium_pdf).map(|m| m.len()).ok(),
            "speedup": chromium_ms.map(|c| (c / tavoli_ms * 10.0).round() / 10.0),
        })
    );
}
