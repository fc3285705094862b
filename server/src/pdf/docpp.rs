//! The Documento di proposta partecipata: what goes where. Cover, contents, the process, one
//! chapter per roundtable, the territory's resources, cross-cutting themes, intervention
//! sheets, validation and the attendance register, in Italian or English. Sections without
//! data say so in a sentence instead of disappearing, so a reader knows nothing was lost.

use tavoli_core::{BallotUnit, ContributionKind, Lang, OrganisationKind, Phase};

use super::{
    dates,
    fonts::Style,
    layout::{
        Align, Bar, BarChart, CONTENT_WIDTH, Cell, Column, Flow, Item, MARGIN_X, PAGE_WIDTH, Page,
        Row, Table, TextStyle, break_lines, colors,
    },
    model::{CardDoc, DocModel, RoundtableDoc},
    render::{self, Footer, Meta, Target},
};

/// Most bars in a vote chart; the ranking table below it lists every entry.
const CHART_BARS: usize = 12;

/// Picks the Italian or the English text.
fn tr<'a>(lang: Lang, it: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::It => it,
        Lang::En => en,
    }
}

pub fn kind_label(kind: &str, lang: Lang) -> &'static str {
    match (kind, lang) {
        ("co_programmazione", Lang::It) => {
            "Co-programmazione (art. 55 del Codice del Terzo Settore)"
        }
        ("co_programmazione", Lang::En) => "Co-programming (art. 55 of the Third Sector Code)",
        ("co_progettazione", Lang::It) => "Co-progettazione (art. 55 del Codice del Terzo Settore)",
        ("co_progettazione", Lang::En) => "Co-design (art. 55 of the Third Sector Code)",
        ("processo_partecipativo", Lang::It) => "Processo partecipativo",
        ("processo_partecipativo", Lang::En) => "Participatory process",
        (_, Lang::It) => "Percorso partecipativo",
        (_, Lang::En) => "Participatory process",
    }
}

fn phase_label(phase: Phase, lang: Lang) -> &'static str {
    match (phase, lang) {
        (Phase::Collect, Lang::It) => "Raccolta dei contributi",
        (Phase::Collect, Lang::En) => "Collecting contributions",
        (Phase::Group, Lang::It) => "Raggruppamento",
        (Phase::Group, Lang::En) => "Grouping",
        (Phase::Vote, Lang::It) => "Priorità (votazione)",
        (Phase::Vote, Lang::En) => "Priorities (voting)",
        (Phase::Synthesis, Lang::It) => "Sintesi",
        (Phase::Synthesis, Lang::En) => "Synthesis",
    }
}

fn organisation_kind_label(kind: OrganisationKind, lang: Lang) -> &'static str {
    match lang {
        Lang::It => kind.label_it(),
        Lang::En => kind.label_en(),
    }
}

fn plural(count: usize, lang: Lang, it: (&str, &str), en: (&str, &str)) -> String {
    let (one, many) = match lang {
        Lang::It => it,
        Lang::En => en,
    };
    format!("{count} {}", if count == 1 { one } else { many })
}

fn card_text(card: &CardDoc, lang: Lang) -> String {
    if card.policy_areas.is_empty() {
        return card.text.clone();
    }
    let areas: Vec<String> = card.policy_areas.iter().map(|a| a.to_string()).collect();
    let label = match (areas.len(), lang) {
        (1, Lang::It) => "Macroarea",
        (_, Lang::It) => "Macroaree",
        (1, Lang::En) => "Policy area",
        (_, Lang::En) => "Policy areas",
    };
    format!("{} [{label} {}]", card.text, areas.join(", "))
}

/// Renders the document.
pub fn render(model: &DocModel, lang: Lang) -> Result<Vec<u8>, String> {
    let mut body = Flow::new();
    let mut chapter = 0;
    let mut next = || {
        chapter += 1;
        chapter
    };
    process_chapter(&mut body, model, lang, next());
    if !model.roundtables.is_empty() {
        for roundtable in &model.roundtables {
            body.new_page();
            roundtable_chapter(&mut body, roundtable, lang, next());
        }
        body.new_page();
        resources_chapter(&mut body, model, lang, next());
        body.new_page();
        themes_chapter(&mut body, model, lang, next());
        body.new_page();
        sheets_chapter(&mut body, model, lang, next());
    }
    body.new_page();
    validation_chapter(&mut body, model, lang, next());
    if !model.roundtables.is_empty() {
        body.new_page();
        attendance_annex(&mut body, model, lang);
    }
    let (body_pages, headings) = body.finish();

    let mut contents = Flow::new();
    contents.heading(1, tr(lang, "Indice", "Contents"));
    for (index, heading) in headings.iter().enumerate() {
        if heading.level <= 2 {
            contents.contents_entry(heading.level, &heading.title, index);
        }
    }
    let (contents_pages, _) = contents.finish();

    let offset = 1 + contents_pages.len();
    let targets: Vec<Target> = headings
        .iter()
        .map(|heading| Target {
            page: offset + heading.page + 1,
            y: heading.y,
        })
        .collect();
    let mut outline = vec![(tr(lang, "Indice", "Contents").to_string(), 2)];
    outline.extend(
        headings
            .iter()
            .zip(&targets)
            .filter(|(heading, _)| heading.level == 1)
            .map(|(heading, target)| (heading.title.clone(), target.page)),
    );
    let mut pages: Vec<Page> = Vec::with_capacity(offset + body_pages.len());
    pages.push(cover(model, lang));
    pages.extend(contents_pages);
    pages.extend(body_pages);

    let document_title = tr(
        lang,
        "Documento di proposta partecipata",
        "Participatory proposal document",
    );
    let meta = Meta {
        title: format!("{document_title} – {}", model.process.title),
        author: model.process.owner.clone(),
        subject: format!(
            "{}{}",
            kind_label(&model.process.kind, lang),
            if model.process.period.is_empty() {
                String::new()
            } else {
                format!(", {}", model.process.period)
            }
        ),
        keywords: vec![
            document_title.to_string(),
            model.process.title.clone(),
            "Tavoli".into(),
        ],
        language: tr(lang, "it-IT", "en-GB").into(),
        created_at_ms: model.edition.date,
        identity: format!(
            "{}/v{}/{}/{}",
            model.process.id,
            model.edition.version,
            if model.edition.validated {
                "validated"
            } else {
                "draft"
            },
            tr(lang, "it", "en")
        ),
    };
    let footer = Footer {
        left: format!("{document_title} · {}", model.process.title),
        page_label: match lang {
            Lang::It => |n, m| format!("Pagina {n} di {m}"),
            Lang::En => |n, m| format!("Page {n} of {m}"),
        },
    };
    render::write(&pages, &targets, &outline, &footer, &meta)
}

/// Writes lines of text at a fixed place (the cover is drawn, not flowed).
fn text_at(flow: &mut Flow, y: f32, text: &str, style: TextStyle, width: f32) -> f32 {
    let mut y = y;
    for line in break_lines(text, style.style, style.size, width) {
        let x = match style.align {
            Align::Center => (PAGE_WIDTH - line.width) / 2.0,
            _ => MARGIN_X,
        };
        flow.place(Item::Text {
            x,
            y,
            style: style.style,
            size: style.size,
            color: style.color,
            text: line.text,
            word_gap: 0.0,
        });
        y += style.leading;
    }
    y
}

fn cover(model: &DocModel, lang: Lang) -> Page {
    let mut flow = Flow::new();
    flow.place(Item::Rect {
        x: 0.0,
        y: 0.0,
        width: PAGE_WIDTH,
        height: 150.0,
        color: colors::PRIMARY,
    });
    let white = TextStyle::BODY
        .with(Style::Bold)
        .aligned(Align::Left)
        .colored(colors::WHITE);
    let y = text_at(
        &mut flow,
        78.0,
        &model.process.owner,
        white.sized(14.0, 18.0),
        CONTENT_WIDTH,
    );
    text_at(
        &mut flow,
        y + 4.0,
        kind_label(&model.process.kind, lang),
        white.with(Style::Regular).sized(10.5, 14.0),
        CONTENT_WIDTH,
    );
    let y = text_at(
        &mut flow,
        250.0,
        tr(
            lang,
            "DOCUMENTO DI PROPOSTA PARTECIPATA",
            "PARTICIPATORY PROPOSAL DOCUMENT",
        ),
        TextStyle::BODY
            .with(Style::Bold)
            .aligned(Align::Left)
            .colored(colors::PRIMARY)
            .sized(12.0, 16.0),
        CONTENT_WIDTH,
    );
    let y = text_at(
        &mut flow,
        y + 22.0,
        &model.process.title,
        TextStyle::BODY
            .with(Style::Bold)
            .aligned(Align::Left)
            .sized(26.0, 32.0),
        CONTENT_WIDTH,
    );
    flow.place(Item::Rule {
        x1: MARGIN_X,
        y1: y + 8.0,
        x2: MARGIN_X + 90.0,
        y2: y + 8.0,
        thickness: 3.0,
        color: colors::PRIMARY,
    });

    let edition = &model.edition;
    let status = if edition.validated {
        let record = model.validation.records.last();
        format!(
            "{} {}{}",
            tr(lang, "validato il", "validated on"),
            dates::date(edition.date, lang),
            record.map_or(String::new(), |r| format!(
                " {} {} ({})",
                tr(lang, "da", "by"),
                r.validator_name,
                r.validator_role
            ))
        )
    } else {
        tr(
            lang,
            "bozza, non ancora validata",
            "draft, not yet validated",
        )
        .to_string()
    };
    let facts: Vec<(&str, String)> = vec![
        (
            tr(lang, "Ente titolare", "Owner"),
            model.process.owner.clone(),
        ),
        (
            tr(lang, "Tipo di percorso", "Kind of process"),
            kind_label(&model.process.kind, lang).to_string(),
        ),
        (
            tr(lang, "Periodo", "Period"),
            if model.process.period.is_empty() {
                tr(lang, "non indicato", "not given").to_string()
            } else {
                model.process.period.clone()
            },
        ),
        (
            tr(lang, "Data del documento", "Date of the document"),
            dates::date(edition.date, lang),
        ),
        (
            tr(lang, "Versione", "Version"),
            format!("{} – {status}", edition.version),
        ),
    ];
    let label_width = 130.0;
    let mut y = 560.0;
    flow.place(Item::Rule {
        x1: MARGIN_X,
        y1: y - 14.0,
        x2: MARGIN_X + CONTENT_WIDTH,
        y2: y - 14.0,
        thickness: 0.6,
        color: colors::RULE,
    });
    for (label, value) in facts {
        let label_style = TextStyle::SMALL.with(Style::Bold).sized(9.5, 13.0);
        flow.place(Item::Text {
            x: MARGIN_X,
            y,
            style: Style::Bold,
            size: label_style.size,
            color: colors::MUTED,
            text: label.to_string(),
            word_gap: 0.0,
        });
        let value_style = TextStyle::BODY.aligned(Align::Left).sized(10.5, 14.0);
        let mut line_y = y;
        for line in break_lines(
            &value,
            value_style.style,
            value_style.size,
            CONTENT_WIDTH - label_width,
        ) {
            flow.place(Item::Text {
                x: MARGIN_X + label_width,
                y: line_y,
                style: value_style.style,
                size: value_style.size,
                color: value_style.color,
                text: line.text,
                word_gap: 0.0,
            });
            line_y += value_style.leading;
        }
        y = line_y + 8.0;
    }
    text_at(
        &mut flow,
        760.0,
        tr(
            lang,
            "Documento generato con Tavoli dai dati del percorso: bisogni, risorse e proposte sono riportati come li hanno scritti i partecipanti.",
            "Document generated by Tavoli from the process data: needs, resources and proposals appear as participants wrote them.",
        ),
        TextStyle::SMALL.with(Style::Italic),
        CONTENT_WIDTH,
    );
    let (mut pages, _) = flow.finish();
    pages.swap_remove(0)
}

fn note(flow: &mut Flow, text: &str) {
    flow.paragraph(text, TextStyle::NOTE);
    flow.space(4.0);
}

fn paragraphs(flow: &mut Flow, text: &str) {
    for paragraph in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        flow.paragraph(paragraph, TextStyle::BODY);
        flow.space(6.0);
    }
}

fn column(title: &str, share: f32) -> Column {
    Column {
        title: title.to_string(),
        share,
        align: Align::Left,
    }
}

fn number_column(title: &str, share: f32) -> Column {
    Column {
        title: title.to_string(),
        share,
        align: Align::Right,
    }
}

fn row(cells: Vec<Cell>) -> Row {
    Row { cells, group: None }
}

fn continued(lang: Lang) -> String {
    tr(lang, "(segue)", "(continued)").to_string()
}

fn count_kind(cards: &[CardDoc], kind: ContributionKind) -> usize {
    cards.iter().filter(|card| card.kind == kind).count()
}

fn process_chapter(flow: &mut Flow, model: &DocModel, lang: Lang, number: usize) {
    flow.heading(
        1,
        &format!("{number}. {}", tr(lang, "Il percorso", "The process")),
    );
    if model.process.description.trim().is_empty() {
        note(
            flow,
            tr(
                lang,
                "Il percorso non ha una descrizione.",
                "The process has no description.",
            ),
        );
    } else {
        paragraphs(flow, &model.process.description);
    }
    if model.roundtables.is_empty() {
        flow.paragraph(
            tr(
                lang,
                "Il percorso non ha ancora tavoli tematici: non ci sono bisogni, risorse, proposte né presenze da riportare. Il documento si completerà quando i tavoli saranno avviati.",
                "The process has no thematic roundtables yet: there are no needs, resources, proposals or attendances to report. The document will fill in once roundtables start.",
            ),
            TextStyle::BODY.with(Style::Bold).aligned(Align::Left),
        );
        flow.space(8.0);
        return;
    }

    let all_cards: Vec<&CardDoc> = model.roundtables.iter().flat_map(|r| &r.cards).collect();
    let count = |kind| all_cards.iter().filter(|card| card.kind == kind).count();
    flow.table(&Table {
        columns: vec![
            column(tr(lang, "Voce", "Item"), 1.0),
            column(tr(lang, "Valore", "Value"), 2.4),
        ],
        rows: vec![
            row(vec![
                Cell::bold(tr(lang, "Ente titolare", "Owner")),
                Cell::new(&model.process.owner),
            ]),
            row(vec![
                Cell::bold(tr(lang, "Tipo di percorso", "Kind of process")),
                Cell::new(kind_label(&model.process.kind, lang)),
            ]),
            row(vec![
                Cell::bold(tr(lang, "Periodo", "Period")),
                Cell::new(if model.process.period.is_empty() {
                    tr(lang, "non indicato", "not given").to_string()
                } else {
                    model.process.period.clone()
                }),
            ]),
            row(vec![
                Cell::bold(tr(lang, "Tavoli tematici", "Thematic roundtables")),
                Cell::new(model.roundtables.len().to_string()),
            ]),
            row(vec![
                Cell::bold(tr(lang, "Contributi", "Contributions")),
                Cell::new(format!(
                    "{}, {}, {}",
                    plural(
                        count(ContributionKind::Need),
                        lang,
                        ("bisogno", "bisogni"),
                        ("need", "needs")
                    ),
                    plural(
                        count(ContributionKind::Resource),
                        lang,
                        ("risorsa", "risorse"),
                        ("resource", "resources")
                    ),
                    plural(
                        count(ContributionKind::Proposal),
                        lang,
                        ("proposta", "proposte"),
                        ("proposal", "proposals")
                    ),
                )),
            ]),
            row(vec![
                Cell::bold(tr(lang, "Enti coinvolti", "Organisations involved")),
                Cell::new(
                    model
                        .organisations
                        .iter()
                        .filter(|o| o.name.is_some())
                        .count()
                        .to_string(),
                ),
            ]),
        ],
        group_column: None,
        continued: continued(lang),
    });

    flow.heading(2, tr(lang, "Fasi e date", "Phases and dates"));
    let when = |at: Option<i64>| at.map_or_else(|| "–".to_string(), dates::short_date);
    flow.table(&Table {
        columns: vec![
            column(tr(lang, "Fase", "Phase"), 2.0),
            column(tr(lang, "Dal", "From"), 1.0),
            column(tr(lang, "Al", "To"), 1.0),
        ],
        rows: model
            .phases
            .iter()
            .map(|span| {
                let to = if span.from.is_none() {
                    tr(lang, "non avviata", "not started").to_string()
                } else if span.ongoing {
                    tr(lang, "in corso", "ongoing").to_string()
                } else {
                    when(span.to)
                };
                row(vec![
                    Cell::new(phase_label(span.phase, lang)),
                    Cell::new(when(span.from)),
                    Cell::new(to),
                ])
            })
            .collect(),
        group_column: None,
        continued: continued(lang),
    });

    flow.heading(
        2,
        tr(
            lang,
            "Tavoli tematici e facilitatori",
            "Roundtables and facilitators",
        ),
    );
    flow.table(&Table {
        columns: vec![
            column(tr(lang, "Tavolo", "Roundtable"), 2.2),
            column(tr(lang, "Facilitatori", "Facilitators"), 1.6),
            number_column(tr(lang, "Partecipanti", "Participants"), 0.9),
            number_column(tr(lang, "Contributi", "Contributions"), 0.9),
        ],
        rows: model
            .roundtables
            .iter()
            .map(|roundtable| {
                row(vec![
                    Cell::bold(&roundtable.title),
                    Cell::new(if roundtable.facilitators.is_empty() {
                        tr(lang, "Ufficio di Piano", "Planning office").to_string()
                    } else {
                        roundtable.facilitators.join(", ")
                    }),
                    Cell::new(roundtable.participants.to_string()),
                    Cell::new(roundtable.cards.len().to_string()),
                ])
            })
            .collect(),
        group_column: None,
        continued: continued(lang),
    });

    flow.heading(2, tr(lang, "Incontri", "Meetings"));
    let meeting_rows: Vec<Row> = model
        .roundtables
        .iter()
        .flat_map(|roundtable| {
            roundtable
                .meetings
                .iter()
                .enumerate()
                .map(|(index, meeting)| Row {
                    cells: vec![
                        Cell::new(""),
                        Cell::new(meeting.title.clone().unwrap_or_else(|| {
                            format!("{} {}", tr(lang, "Incontro", "Meeting"), index + 1)
                        })),
                        Cell::new(match meeting.closed_at {
                            Some(closed)
                                if dates::short_date(closed)
                                    != dates::short_date(meeting.opened_at) =>
                            {
                                format!(
                                    "{} – {}",
                                    dates::short_date(meeting.opened_at),
                                    dates::short_date(closed)
                                )
                            }
                            Some(_) => dates::short_date(meeting.opened_at),
                            None => format!(
                                "{} ({})",
                                dates::short_date(meeting.opened_at),
                                tr(lang, "aperto", "open")
                            ),
                        }),
                        Cell::new(meeting.attendance.to_string()),
                    ],
                    group: Some(roundtable.title.clone()),
                })
        })
        .collect();
    if meeting_rows.is_empty() {
        note(
            flow,
            tr(
                lang,
                "Nessun incontro è stato ancora aperto.",
                "No meeting has been opened yet.",
            ),
        );
    } else {
        flow.table(&Table {
            columns: vec![
                column(tr(lang, "Tavolo", "Roundtable"), 1.8),
                column(tr(lang, "Incontro", "Meeting"), 1.6),
                column(tr(lang, "Data", "Date"), 1.1),
                number_column(tr(lang, "Presenti", "Present"), 0.7),
            ],
            rows: meeting_rows,
            group_column: Some(0),
            continued: continued(lang),
        });
    }

    flow.heading(2, tr(lang, "Enti coinvolti", "Organisations involved"));
    let mut kind_rows = Vec::new();
    for kind in OrganisationKind::all() {
        let of_kind: Vec<&str> = model
            .organisations
            .iter()
            .filter(|o| o.kind == *kind)
            .filter_map(|o| o.name.as_deref())
            .collect();
        let unnamed = model
            .organisations
            .iter()
            .filter(|o| o.kind == *kind && o.name.is_none())
            .count();
        if of_kind.is_empty() && unnamed == 0 {
            continue;
        }
        let mut text = of_kind.join("; ");
        if unnamed > 0 {
            if !text.is_empty() {
                text.push_str("; ");
            }
            text.push_str(&match lang {
                Lang::It => format!(
                    "{} non nominati (a titolo personale o a un tavolo anonimo)",
                    plural(unnamed, lang, ("partecipante", "partecipanti"), ("", ""))
                ),
                Lang::En => format!(
                    "{} not named (taking part in person or at an anonymous roundtable)",
                    plural(unnamed, lang, ("", ""), ("participant", "participants"))
                ),
            });
        }
        kind_rows.push(row(vec![
            Cell::bold(organisation_kind_label(*kind, lang)),
            Cell::new(text),
        ]));
    }
    if kind_rows.is_empty() {
        note(
            flow,
            tr(
                lang,
                "Nessun ente ha ancora partecipato.",
                "No organisation has taken part yet.",
            ),
        );
    } else {
        flow.table(&Table {
            columns: vec![
                column(tr(lang, "Tipologia", "Kind"), 1.3),
                column(tr(lang, "Enti", "Organisations"), 2.7),
            ],
            rows: kind_rows,
            group_column: None,
            continued: continued(lang),
        });
    }

    flow.heading(2, tr(lang, "Metodo", "Method"));
    method(flow, model, lang);
}

fn method(flow: &mut Flow, model: &DocModel, lang: Lang) {
    let meetings: usize = model.roundtables.iter().map(|r| r.meetings.len()).sum();
    let clusters: usize = model.roundtables.iter().map(|r| r.clusters.len()).sum();
    let typed: usize = model
        .roundtables
        .iter()
        .flat_map(|r| &r.cards)
        .filter(|c| c.typed_for_someone)
        .count();
    let rounds: Vec<_> = model
        .roundtables
        .iter()
        .flat_map(|r| &r.rounds)
        .filter(|r| r.closed)
        .collect();
    let collect = match lang {
        Lang::It => format!(
            "Raccolta. In {} i partecipanti hanno scritto i propri contributi (bisogni, risorse e proposte) dal telefono o dal computer, vedendo la bacheca del tavolo aggiornarsi in tempo reale; chi non aveva un dispositivo è stato aiutato dal facilitatore{}.",
            plural(
                meetings,
                lang,
                ("incontro", "incontri"),
                ("meeting", "meetings")
            ),
            if typed > 0 {
                format!(", che ha trascritto {typed} contributi per loro conto")
            } else {
                String::new()
            }
        ),
        Lang::En => format!(
            "Collecting. In {} participants wrote their contributions (needs, resources and proposals) from a phone or computer, watching the roundtable's board update live; people without a device were helped by the facilitator{}.",
            plural(
                meetings,
                lang,
                ("incontro", "incontri"),
                ("meeting", "meetings")
            ),
            if typed > 0 {
                format!(", who typed {typed} contributions on their behalf")
            } else {
                String::new()
            }
        ),
    };
    flow.paragraph(&collect, TextStyle::BODY);
    flow.space(6.0);
    let group = match lang {
        Lang::It => format!(
            "Raggruppamento. I facilitatori hanno unito i contributi simili e li hanno ordinati in {}, indicando per ciascuno le macroaree di policy (A-K) interessate.",
            plural(
                clusters,
                lang,
                ("raggruppamento", "raggruppamenti"),
                ("group", "groups")
            )
        ),
        Lang::En => format!(
            "Grouping. Facilitators merged similar contributions and sorted them into {}, tagging each with the policy areas (A-K) it concerns.",
            plural(
                clusters,
                lang,
                ("raggruppamento", "raggruppamenti"),
                ("group", "groups")
            )
        ),
    };
    flow.paragraph(&group, TextStyle::BODY);
    flow.space(6.0);
    let vote = if rounds.is_empty() {
        tr(
            lang,
            "Priorità. Non si è ancora conclusa alcuna votazione.",
            "Priorities. No vote has been completed yet.",
        )
        .to_string()
    } else {
        match lang {
            Lang::It => format!(
                "Priorità. Le priorità sono state scelte con il voto a punti: ogni votante (o ente, quando il voto era per ente) distribuisce un numero fisso di punti tra le proposte; le proposte sono ordinate per punti ricevuti, a parità di punti con lo stesso posto. Si sono concluse {}.",
                plural(
                    rounds.len(),
                    lang,
                    ("votazione", "votazioni"),
                    ("vote", "votes")
                )
            ),
            Lang::En => format!(
                "Priorities. Priorities were chosen by dot voting: each voter (or organisation, when voting by organisation) spreads a fixed number of dots over the proposals; proposals are ranked by dots received, ties sharing a place. {} completed.",
                plural(rounds.len(), lang, ("vote", "votes"), ("vote", "votes"))
            ),
        }
    };
    flow.paragraph(&vote, TextStyle::BODY);
    flow.space(6.0);
}

/// Cards of one kind grouped by cluster, each cluster a sub-heading, then the rest.
fn cards_by_cluster(
    flow: &mut Flow,
    roundtable: &RoundtableDoc,
    kind: ContributionKind,
    lang: Lang,
) {
    let cards: Vec<&CardDoc> = roundtable.cards.iter().filter(|c| c.kind == kind).collect();
    let mut any_cluster = false;
    for (index, cluster) in roundtable.clusters.iter().enumerate() {
        let in_cluster: Vec<&&CardDoc> =
            cards.iter().filter(|c| c.cluster == Some(index)).collect();
        if in_cluster.is_empty() {
            continue;
        }
        any_cluster = true;
        flow.heading(3, &cluster.title);
        for card in in_cluster {
            flow.bullet("•", &card_text(card, lang), TextStyle::BODY, 14.0);
            flow.space(2.0);
        }
    }
    let loose: Vec<&&CardDoc> = cards.iter().filter(|c| c.cluster.is_none()).collect();
    if !loose.is_empty() {
        if any_cluster {
            flow.heading(
                3,
                tr(
                    lang,
                    "Altri contributi non raggruppati",
                    "Other, ungrouped contributions",
                ),
            );
        }
        for card in loose {
            flow.bullet("•", &card_text(card, lang), TextStyle::BODY, 14.0);
            flow.space(2.0);
        }
    }
}

fn roundtable_chapter(flow: &mut Flow, roundtable: &RoundtableDoc, lang: Lang, number: usize) {
    flow.heading(
        1,
        &format!(
            "{number}. {} {}",
            tr(lang, "Tavolo:", "Roundtable:"),
            roundtable.title
        ),
    );
    if !roundtable.description.trim().is_empty() {
        paragraphs(flow, &roundtable.description);
    }
    let facts = format!(
        "{}: {} · {} · {} · {}",
        tr(lang, "Facilitatori", "Facilitators"),
        if roundtable.facilitators.is_empty() {
            tr(lang, "Ufficio di Piano", "Planning office").to_string()
        } else {
            roundtable.facilitators.join(", ")
        },
        plural(
            roundtable.meetings.len(),
            lang,
            ("incontro", "incontri"),
            ("meeting", "meetings")
        ),
        plural(
            roundtable.participants,
            lang,
            ("partecipante", "partecipanti"),
            ("participant", "participants")
        ),
        plural(
            roundtable.cards.len(),
            lang,
            ("contributo", "contributi"),
            ("contribution", "contributions")
        ),
    );
    flow.paragraph(&facts, TextStyle::SMALL);
    if roundtable.anonymous {
        flow.paragraph(
            tr(
                lang,
                "Tavolo anonimo: i contributi non riportano chi li ha scritti.",
                "Anonymous roundtable: contributions do not say who wrote them.",
            ),
            TextStyle::SMALL.with(Style::Italic),
        );
    }
    flow.space(4.0);

    flow.heading(2, tr(lang, "Bisogni", "Needs"));
    if count_kind(&roundtable.cards, ContributionKind::Need) == 0 {
        note(
            flow,
            tr(lang, "Nessun bisogno raccolto.", "No needs collected."),
        );
    } else {
        cards_by_cluster(flow, roundtable, ContributionKind::Need, lang);
    }

    flow.heading(2, tr(lang, "Risorse", "Resources"));
    if count_kind(&roundtable.cards, ContributionKind::Resource) == 0 {
        note(
            flow,
            tr(lang, "Nessuna risorsa raccolta.", "No resources collected."),
        );
    } else {
        cards_by_cluster(flow, roundtable, ContributionKind::Resource, lang);
    }

    flow.heading(
        2,
        tr(lang, "Proposte e priorità", "Proposals and priorities"),
    );
    proposals(flow, roundtable, lang);

    flow.heading(2, tr(lang, "Note di sintesi", "Synthesis notes"));
    if roundtable.notes.trim().is_empty() {
        note(
            flow,
            tr(lang, "Nessuna nota di sintesi.", "No synthesis notes."),
        );
    } else {
        paragraphs(flow, &roundtable.notes);
    }
}

fn rules_text(round: &super::model::RoundDoc, lang: Lang) -> String {
    let ballot = match (round.ballot, lang) {
        (BallotUnit::Person, Lang::It) => "un voto per persona",
        (BallotUnit::Person, Lang::En) => "one ballot per person",
        (BallotUnit::Organisation, Lang::It) => {
            "un voto per ente (le persone dello stesso ente condividono i punti; chi partecipa a titolo personale vota da sé)"
        }
        (BallotUnit::Organisation, Lang::En) => {
            "one ballot per organisation (members share its dots; people taking part in person vote alone)"
        }
    };
    match lang {
        Lang::It => format!(
            "Regole: {} a testa, al massimo {} sulla stessa proposta; {}; voto {}. Hanno votato: {}.",
            plural(
                round.dots_per_voter as usize,
                lang,
                ("punto", "punti"),
                ("", "")
            ),
            round.max_per_contribution,
            ballot,
            if round.secret { "segreto" } else { "palese" },
            round.voters
        ),
        Lang::En => format!(
            "Rules: {} dots each, at most {} on one proposal; {}; {} ballot. Voters: {}.",
            round.dots_per_voter,
            round.max_per_contribution,
            ballot,
            if round.secret { "secret" } else { "open" },
            round.voters
        ),
    }
}

fn proposals(flow: &mut Flow, roundtable: &RoundtableDoc, lang: Lang) {
    let mut voted: Vec<usize> = Vec::new();
    let closed: Vec<_> = roundtable.rounds.iter().filter(|r| r.closed).collect();
    for round in &roundtable.rounds {
        if !round.closed {
            note(
                flow,
                &match lang {
                    Lang::It => format!(
                        "La votazione n. {} è in corso: i risultati non sono ancora disponibili.",
                        round.round
                    ),
                    Lang::En => format!(
                        "Vote {} is still open: results are not available yet.",
                        round.round
                    ),
                },
            );
        }
    }
    for round in &closed {
        if closed.len() > 1 {
            flow.heading(
                3,
                &format!("{} {}", tr(lang, "Votazione n.", "Vote"), round.round),
            );
        }
        flow.paragraph(
            &rules_text(round, lang),
            TextStyle::BODY.aligned(Align::Left),
        );
        flow.space(4.0);
        let results: Vec<(u32, u32, String)> = round
            .results
            .iter()
            .filter_map(|result| {
                let card = roundtable.cards.get(result.card?)?;
                voted.push(result.card?);
                Some((result.rank, result.dots, card.text.clone()))
            })
            .collect();
        if results.is_empty() {
            note(
                flow,
                tr(
                    lang,
                    "Nessuna proposta votata è ancora presente sul tavolo.",
                    "None of the voted proposals is still on the board.",
                ),
            );
            continue;
        }
        flow.bar_chart(&BarChart {
            bars: results
                .iter()
                .take(CHART_BARS)
                .map(|(rank, dots, text)| Bar {
                    label: format!("{rank}. {text}"),
                    value: *dots,
                })
                .collect(),
            axis_caption: tr(lang, "punti ricevuti", "dots received").to_string(),
        });
        flow.table(&Table {
            columns: vec![
                number_column(tr(lang, "Pos.", "Rank"), 0.45),
                column(tr(lang, "Proposta", "Proposal"), 5.0),
                number_column(tr(lang, "Punti", "Dots"), 0.6),
            ],
            rows: results
                .iter()
                .map(|(rank, dots, text)| {
                    row(vec![
                        Cell::new(rank.to_string()),
                        Cell::new(text),
                        Cell::bold(dots.to_string()),
                    ])
                })
                .collect(),
            group_column: None,
            continued: continued(lang),
        });
    }
    let unvoted: Vec<&CardDoc> = roundtable
        .cards
        .iter()
        .enumerate()
        .filter(|(index, card)| card.kind == ContributionKind::Proposal && !voted.contains(index))
        .map(|(_, card)| card)
        .collect();
    if closed.is_empty() && unvoted.is_empty() {
        note(
            flow,
            tr(
                lang,
                "Nessuna proposta raccolta.",
                "No proposals collected.",
            ),
        );
        return;
    }
    if closed.is_empty() {
        note(
            flow,
            tr(
                lang,
                "Nessuna votazione si è conclusa: le proposte sono elencate come raccolte.",
                "No vote has been completed: proposals are listed as collected.",
            ),
        );
    } else if !unvoted.is_empty() {
        flow.heading(
            3,
            tr(
                lang,
                "Proposte non sottoposte a votazione",
                "Proposals not put to the vote",
            ),
        );
    }
    for card in unvoted {
        flow.bullet("•", &card_text(card, lang), TextStyle::BODY, 14.0);
        flow.space(2.0);
    }
}

fn resources_chapter(flow: &mut Flow, model: &DocModel, lang: Lang, number: usize) {
    flow.heading(
        1,
        &format!(
            "{number}. {}",
            tr(
                lang,
                "Le risorse del territorio",
                "The territory's resources"
            )
        ),
    );
    flow.paragraph(
        tr(
            lang,
            "Servizi, associazioni, luoghi e fondi che i tavoli hanno indicato come già presenti sul territorio.",
            "Services, associations, places and funds the roundtables named as already present in the territory.",
        ),
        TextStyle::BODY,
    );
    flow.space(6.0);
    let rows: Vec<Row> = model
        .roundtables
        .iter()
        .flat_map(|roundtable| {
            roundtable
                .cards
                .iter()
                .filter(|card| card.kind == ContributionKind::Resource)
                .map(|card| Row {
                    cells: vec![Cell::new(""), Cell::new(card_text(card, lang))],
                    group: Some(roundtable.title.clone()),
                })
        })
        .collect();
    if rows.is_empty() {
        note(
            flow,
            tr(
                lang,
                "I tavoli non hanno ancora indicato risorse.",
                "The roundtables have not named any resources yet.",
            ),
        );
        return;
    }
    flow.table(&Table {
        columns: vec![
            column(tr(lang, "Tavolo", "Roundtable"), 1.3),
            column(tr(lang, "Risorse", "Resources"), 3.2),
        ],
        rows,
        group_column: Some(0),
        continued: continued(lang),
    });
}

fn themes_chapter(flow: &mut Flow, model: &DocModel, lang: Lang, number: usize) {
    flow.heading(
        1,
        &format!(
            "{number}. {}",
            tr(lang, "Dimensioni trasversali", "Cross-cutting themes")
        ),
    );
    if model.themes.is_empty() {
        note(
            flow,
            tr(
                lang,
                "Non sono ancora state definite dimensioni trasversali tra i tavoli.",
                "No cross-cutting themes have been defined across the roundtables yet.",
            ),
        );
        return;
    }
    flow.table(&Table {
        columns: vec![
            column(tr(lang, "Tema", "Theme"), 1.2),
            column(tr(lang, "Descrizione", "Description"), 2.6),
            column(tr(lang, "Tavoli", "Roundtables"), 1.3),
        ],
        rows: model
            .themes
            .iter()
            .map(|theme| {
                row(vec![
                    Cell::bold(&theme.title),
                    Cell::new(&theme.description),
                    Cell::new(theme.roundtables.join("; ")),
                ])
            })
            .collect(),
        group_column: None,
        continued: continued(lang),
    });
}

fn sheets_chapter(flow: &mut Flow, model: &DocModel, lang: Lang, number: usize) {
    flow.heading(
        1,
        &format!(
            "{number}. {}",
            tr(lang, "Schede intervento", "Intervention sheets")
        ),
    );
    if model.sheets.is_empty() {
        note(
            flow,
            tr(
                lang,
                "Non sono ancora state redatte schede intervento.",
                "No intervention sheets have been drafted yet.",
            ),
        );
        return;
    }
    for (index, sheet) in model.sheets.iter().enumerate() {
        flow.heading(
            2,
            &format!(
                "{} {}. {}",
                tr(lang, "Scheda", "Sheet"),
                index + 1,
                sheet.title
            ),
        );
        if sheet.fields.is_empty() {
            note(
                flow,
                tr(
                    lang,
                    "La scheda non ha ancora campi compilati.",
                    "The sheet has no fields filled in yet.",
                ),
            );
        } else {
            flow.table(&Table {
                columns: vec![
                    column(tr(lang, "Campo", "Field"), 1.2),
                    column(tr(lang, "Contenuto", "Content"), 3.3),
                ],
                rows: sheet
                    .fields
                    .iter()
                    .map(|field| {
                        row(vec![
                            Cell::bold(tr(lang, &field.label_it, &field.label_en)),
                            Cell::new(&field.value),
                        ])
                    })
                    .collect(),
                group_column: None,
                continued: continued(lang),
            });
        }
        flow.heading(3, tr(lang, "Bisogni a cui risponde", "Needs it answers"));
        if sheet.needs.is_empty() {
            note(
                flow,
                tr(
                    lang,
                    "La scheda non è ancora collegata a bisogni.",
                    "The sheet is not linked to any needs yet.",
                ),
            );
        }
        for need in &sheet.needs {
            flow.bullet("•", need, TextStyle::BODY, 14.0);
            flow.space(2.0);
        }
    }
}

fn validation_chapter(flow: &mut Flow, model: &DocModel, lang: Lang, number: usize) {
    flow.heading(
        1,
        &format!("{number}. {}", tr(lang, "Validazione", "Validation")),
    );
    let records = &model.validation.records;
    match records.last() {
        None => {
            flow.paragraph(
                tr(
                    lang,
                    "Il documento non è ancora stato validato.",
                    "The document has not been validated yet.",
                ),
                TextStyle::BODY.with(Style::Bold).aligned(Align::Left),
            );
            flow.space(4.0);
            flow.paragraph(
                if model.validation.required {
                    tr(lang, "Per un processo partecipativo la validazione spetta al Tecnico di garanzia, che verifica la correttezza del percorso prima che il documento sia consegnato all'ente titolare.", "For a participatory process the validation belongs to the Tecnico di garanzia, who checks the process before the document is handed to its owner.")
                } else {
                    tr(lang, "Per questo tipo di percorso la validazione non è obbligatoria; l'Ufficio di Piano può comunque registrarla.", "For this kind of process validation is not mandatory; the planning office may record one all the same.")
                },
                TextStyle::BODY,
            );
        }
        Some(latest) => {
            let text = match lang {
                Lang::It => format!(
                    "La versione {} del documento è stata validata il {} da {} ({}).",
                    latest.version,
                    dates::date(latest.validated_at, lang),
                    latest.validator_name,
                    latest.validator_role
                ),
                Lang::En => format!(
                    "Version {} of the document was validated on {} by {} ({}).",
                    latest.version,
                    dates::date(latest.validated_at, lang),
                    latest.validator_name,
                    latest.validator_role
                ),
            };
            flow.paragraph(
                &text,
                TextStyle::BODY.with(Style::Bold).aligned(Align::Left),
            );
            flow.space(4.0);
            if !latest.note.trim().is_empty() {
                paragraphs(flow, &latest.note);
            }
            if !model.edition.validated {
                flow.paragraph(
                    &match lang {
                        Lang::It => format!("Dopo la validazione i dati del percorso sono cambiati: questa è la bozza della versione {}, non ancora validata.", model.edition.version),
                        Lang::En => format!("The process data changed after the validation: this is the draft of version {}, not yet validated.", model.edition.version),
                    },
                    TextStyle::BODY,
                );
                flow.space(4.0);
            }
            if records.len() > 1 {
                flow.heading(2, tr(lang, "Validazioni precedenti", "Earlier validations"));
                flow.table(&Table {
                    columns: vec![
                        number_column(tr(lang, "Versione", "Version"), 0.7),
                        column(tr(lang, "Data", "Date"), 1.0),
                        column(tr(lang, "Validata da", "Validated by"), 2.6),
                    ],
                    rows: records
                        .iter()
                        .map(|record| {
                            row(vec![
                                Cell::new(record.version.to_string()),
                                Cell::new(dates::short_date(record.validated_at)),
                                Cell::new(format!(
                                    "{} ({})",
                                    record.validator_name, record.validator_role
                                )),
                            ])
                        })
                        .collect(),
                    group_column: None,
                    continued: continued(lang),
                });
            }
        }
    }
}

fn attendance_annex(flow: &mut Flow, model: &DocModel, lang: Lang) {
    flow.heading(
        1,
        tr(
            lang,
            "Allegato – Registro delle presenze",
            "Annex – Attendance register",
        ),
    );
    flow.paragraph(
        tr(
            lang,
            "Per ogni tavolo, gli enti presenti e a quanti incontri hanno partecipato. Le persone non sono nominate; chi partecipa a titolo personale e chi siede a un tavolo anonimo è contato per tipologia.",
            "For each roundtable, the organisations present and how many meetings they attended. People are not named; those taking part in person, and everyone at an anonymous roundtable, are counted by kind.",
        ),
        TextStyle::BODY,
    );
    flow.space(4.0);
    for roundtable in &model.roundtables {
        flow.heading(2, &roundtable.title);
        if roundtable.attendance.is_empty() {
            note(
                flow,
                tr(
                    lang,
                    "Nessuna presenza registrata.",
                    "No attendance recorded.",
                ),
            );
            continue;
        }
        let total = roundtable.meetings.len();
        flow.table(&Table {
            columns: vec![
                column(tr(lang, "Ente", "Organisation"), 2.2),
                column(tr(lang, "Tipologia", "Kind"), 1.7),
                number_column(tr(lang, "Persone", "People"), 0.7),
                number_column(tr(lang, "Incontri", "Meetings"), 0.9),
            ],
            rows: roundtable
                .attendance
                .iter()
                .map(|entry| {
                    row(vec![
                        Cell::new(entry.organisation.clone().unwrap_or_else(|| {
                            if entry.kind == OrganisationKind::Cittadino {
                                tr(lang, "A titolo personale", "In person").to_string()
                            } else {
                                tr(lang, "(anonimo)", "(anonymous)").to_string()
                            }
                        })),
                        Cell::new(organisation_kind_label(entry.kind, lang)),
                        Cell::new(entry.people.to_string()),
                        Cell::new(format!(
                            "{} {} {total}",
                            entry.meetings_attended,
                            tr(lang, "di", "of")
                        )),
                    ])
                })
                .collect(),
            group_column: None,
            continued: continued(lang),
        });
    }
}
