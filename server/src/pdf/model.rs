//! The document model: everything the DocPP and the open data say about a process, as plain
//! data, and its assembly from storage and the current boards.
//!
//! The model is built from each board's public view, so an anonymous roundtable's cards carry
//! no author here and cannot leak into any export. Personal names never enter it: cards carry
//! an organisation at most, and a citizen's "organisation" (which may be their own name) is
//! never kept. Hidden (moderated) and withdrawn cards are left out; a merged card stands for
//! the cards it was made from.

use std::collections::BTreeMap;

use tavoli_core::{
    BallotUnit, Board, ContributionKind, Event, EventKind, OrganisationKind, Phase, PolicyArea,
    RoundStatus,
};

use crate::{
    state::AppState,
    storage::{ProcessRecord, StorageError, ValidationRecord},
};

#[derive(Clone, Debug, PartialEq)]
pub struct DocModel {
    pub process: ProcessInfo,
    pub edition: Edition,
    /// Collect, group, vote, synthesis: when the roundtables were in each.
    pub phases: Vec<PhaseSpan>,
    /// Organisations that took part, by name, once each. Citizens, and everyone at an
    /// anonymous roundtable, are entries without a name: counted by kind, never named.
    pub organisations: Vec<OrganisationEntry>,
    pub roundtables: Vec<RoundtableDoc>,
    pub themes: Vec<Theme>,
    pub sheets: Vec<Sheet>,
    pub validation: ValidationStatus,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ProcessInfo {
    pub id: String,
    pub title: String,
    pub owner: String,
    /// `co_programmazione`, `co_progettazione` or `processo_partecipativo`.
    pub kind: String,
    pub description: String,
    pub period: String,
    pub created_at: i64,
}

/// Which edition of the document this is. Derived from the data, never from the clock: the
/// same data always gives the same edition, date and bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct Edition {
    /// 1, 2, ...: a validation closes an edition; a change after it opens the next.
    pub version: i64,
    /// True when the latest validation covers all the data.
    pub validated: bool,
    /// The document's date: its last change or its validation, whichever is later.
    pub date: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PhaseSpan {
    pub phase: Phase,
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// Some roundtable is in this phase now.
    pub ongoing: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OrganisationEntry {
    /// None for citizens.
    pub name: Option<String>,
    pub kind: OrganisationKind,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RoundtableDoc {
    pub id: String,
    pub title: String,
    pub description: String,
    pub anonymous: bool,
    pub facilitators: Vec<String>,
    pub clusters: Vec<ClusterDoc>,
    /// In order of creation.
    pub cards: Vec<CardDoc>,
    pub meetings: Vec<MeetingDoc>,
    pub rounds: Vec<RoundDoc>,
    pub notes: String,
    pub attendance: Vec<AttendanceEntry>,
    pub participants: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ClusterDoc {
    pub id: String,
    pub title: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CardDoc {
    pub id: String,
    pub kind: ContributionKind,
    pub text: String,
    /// Index into the roundtable's clusters.
    pub cluster: Option<usize>,
    pub policy_areas: Vec<PolicyArea>,
    pub targets: Vec<String>,
    /// The author's organisation; None for anonymous roundtables, citizens and merged cards.
    pub organisation: Option<String>,
    pub organisation_kind: Option<OrganisationKind>,
    /// Index into the roundtable's meetings: the meeting open when the card was written.
    pub meeting: Option<usize>,
    /// Dots received in closed voting rounds.
    pub votes: u32,
    /// A facilitator typed it for someone without a device.
    pub typed_for_someone: bool,
    pub created_at: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MeetingDoc {
    pub id: String,
    pub title: Option<String>,
    pub opened_at: i64,
    pub closed_at: Option<i64>,
    pub attendance: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RoundDoc {
    pub round: u32,
    pub closed: bool,
    pub dots_per_voter: u32,
    pub max_per_contribution: u32,
    pub ballot: BallotUnit,
    pub secret: bool,
    pub voters: u32,
    /// Closed rounds only, most dots first.
    pub results: Vec<ResultDoc>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ResultDoc {
    /// Index into the roundtable's cards; a card withdrawn or hidden since has none.
    pub card: Option<usize>,
    pub contribution_id: String,
    pub rank: u32,
    pub dots: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AttendanceEntry {
    /// None for citizens and in anonymous roundtables (where entries are per kind).
    pub organisation: Option<String>,
    pub kind: OrganisationKind,
    pub people: usize,
    /// Meetings at which at least one of them was present.
    pub meetings_attended: usize,
}

/// A cross-cutting theme (dimensione trasversale).
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub title: String,
    pub description: String,
    /// Titles of the roundtables it spans.
    pub roundtables: Vec<String>,
}

/// An intervention sheet (scheda intervento).
#[derive(Clone, Debug, PartialEq)]
pub struct Sheet {
    pub title: String,
    pub fields: Vec<SheetField>,
    /// Texts of the needs it answers.
    pub needs: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SheetField {
    pub label_it: String,
    pub label_en: String,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ValidationStatus {
    /// Processi partecipativi (regional participation laws) need a Tecnico di garanzia.
    pub required: bool,
    pub records: Vec<ValidationRecord>,
}

/// Whether a kind of process needs its document validated.
pub fn validation_required(kind: &str) -> bool {
    kind == "processo_partecipativo"
}

/// The cross-cutting themes and intervention sheets of a process.
///
/// The planning office's synthesis: cross-cutting themes with the roundtables they span, and
/// intervention sheets with their filled fields (in the order of the Lombardy sheet) and the
/// texts of the needs they answer.
pub async fn synthesis_sections(
    state: &AppState,
    process_id: &str,
    roundtables: &[RoundtableDoc],
) -> Result<(Vec<Theme>, Vec<Sheet>), StorageError> {
    use tavoli_core::synthesis::{FieldValue, SHEET_FIELDS};
    // Where each card and cluster lives, and what a card says, from the roundtables as the
    // document shows them (hidden and withdrawn cards are not there, so not traced either).
    let mut roundtable_of: BTreeMap<&str, usize> = BTreeMap::new();
    let mut card_text: BTreeMap<&str, &str> = BTreeMap::new();
    for (index, roundtable) in roundtables.iter().enumerate() {
        for card in &roundtable.cards {
            roundtable_of.insert(&card.id, index);
            card_text.insert(&card.id, &card.text);
        }
        for cluster in &roundtable.clusters {
            roundtable_of.insert(&cluster.id, index);
        }
    }
    let themes = state
        .storage
        .themes_of(process_id)
        .await?
        .into_iter()
        .map(|theme| {
            let mut spanned: Vec<usize> = theme
                .contribution_ids
                .iter()
                .chain(&theme.cluster_ids)
                .filter_map(|id| roundtable_of.get(id.as_str()).copied())
                .collect();
            spanned.sort_unstable();
            spanned.dedup();
            Theme {
                title: theme.title,
                description: theme.description,
                roundtables: spanned
                    .into_iter()
                    .map(|i| roundtables[i].title.clone())
                    .collect(),
            }
        })
        .collect();
    let sheets = state
        .storage
        .sheets_of(process_id)
        .await?
        .into_iter()
        .map(|sheet| {
            let values: BTreeMap<String, FieldValue> =
                serde_json::from_str(&sheet.fields).unwrap_or_default();
            let fields = SHEET_FIELDS
                .iter()
                .filter_map(|spec| {
                    let value = values.get(spec.name)?.as_text();
                    (!value.trim().is_empty()).then(|| SheetField {
                        label_it: spec.label_it.to_string(),
                        label_en: spec.label_en.to_string(),
                        value,
                    })
                })
                .collect();
            let needs = sheet
                .contribution_ids
                .iter()
                .filter_map(|id| card_text.get(id.as_str()).map(|text| text.to_string()))
                .collect();
            Sheet {
                title: sheet.title,
                fields,
                needs,
            }
        })
        .collect();
    Ok((themes, sheets))
}

/// Builds the model of a process, or None if there is no such process.
pub async fn assemble(
    state: &AppState,
    process_id: &str,
) -> Result<Option<DocModel>, StorageError> {
    let storage = &state.storage;
    let Some(process) = storage.process(process_id).await? else {
        return Ok(None);
    };
    let records = storage.roundtables_of(process_id).await?;
    let facilitators = storage.facilitators_of(process_id).await?;
    let validations = storage.validations_of(process_id).await?;
    let mut roundtables = Vec::with_capacity(records.len());
    let mut timelines = Vec::with_capacity(records.len());
    let mut last_activity = process.created_at;
    let mut organisations = Vec::new();
    for record in &records {
        let board = state.live.boards.get(storage, &record.id).await?;
        let board = board.public_view(record.anonymous);
        collect_organisations(&mut organisations, &board, record.anonymous);
        let names: Vec<String> = facilitators
            .iter()
            .filter(|(roundtable_id, _)| *roundtable_id == record.id)
            .map(|(_, name)| name.clone())
            .collect();
        roundtables.push(roundtable_doc(
            &record.id,
            &record.title,
            &record.description,
            record.anonymous,
            names,
            &board,
        ));
        if let Some((first, last)) = storage.activity_span(&record.id).await? {
            last_activity = last_activity.max(last);
            let mut changes = Vec::new();
            for stored in storage.phase_events(&record.id).await? {
                if let Ok(Event {
                    kind: EventKind::PhaseSet { phase },
                    ..
                }) = serde_json::from_str::<Event>(&stored.body)
                {
                    changes.push((stored.at, phase));
                }
            }
            timelines.push(Timeline { first, changes });
        }
    }
    let (themes, sheets) = synthesis_sections(state, process_id, &roundtables).await?;
    Ok(Some(DocModel {
        edition: edition(&validations, last_activity),
        process: process_info(&process),
        phases: phase_spans(&timelines),
        organisations,
        roundtables,
        themes,
        sheets,
        validation: ValidationStatus {
            required: validation_required(&process.kind),
            records: validations,
        },
    }))
}

fn process_info(process: &ProcessRecord) -> ProcessInfo {
    ProcessInfo {
        id: process.id.clone(),
        title: process.title.clone(),
        owner: process.owner.clone(),
        kind: process.kind.clone(),
        description: process.description.clone(),
        period: process.period.clone(),
        created_at: process.created_at,
    }
}

/// The edition the data is in: validated if the latest validation is not older than the
/// latest change, otherwise the draft of the next version.
pub fn edition(validations: &[ValidationRecord], last_activity: i64) -> Edition {
    match validations.last() {
        None => Edition {
            version: 1,
            validated: false,
            date: last_activity,
        },
        Some(latest) if latest.validated_at >= last_activity => Edition {
            version: latest.version,
            validated: true,
            date: latest.validated_at,
        },
        Some(latest) => Edition {
            version: latest.version + 1,
            validated: false,
            date: last_activity,
        },
    }
}

/// Adds a board's participants to the process's organisations: by name once each, unnamed for
/// citizens and anonymous roundtables (one entry per person).
fn collect_organisations(entries: &mut Vec<OrganisationEntry>, board: &Board, anonymous: bool) {
    for participant in &board.participants {
        let name = participant.organisation.trim();
        let named = !anonymous
            && participant.organisation_kind != OrganisationKind::Cittadino
            && !name.is_empty();
        if !named {
            entries.push(OrganisationEntry {
                name: None,
                kind: participant.organisation_kind,
            });
            continue;
        }
        let key = name.to_lowercase();
        let known = entries.iter().any(|entry| {
            entry
                .name
                .as_deref()
                .is_some_and(|existing| existing.to_lowercase() == key)
        });
        if !known {
            entries.push(OrganisationEntry {
                name: Some(name.to_string()),
                kind: participant.organisation_kind,
            });
        }
    }
    entries.sort_by_key(|entry| entry.name.as_deref().map(str::to_lowercase));
}

/// How one roundtable moved through the phases.
pub struct Timeline {
    /// Its first event: the collect phase starts there.
    pub first: i64,
    pub changes: Vec<(i64, Phase)>,
}

/// For each phase: from the first roundtable entering it to the last one leaving it.
pub fn phase_spans(timelines: &[Timeline]) -> Vec<PhaseSpan> {
    let mut spans: Vec<PhaseSpan> = Phase::all()
        .iter()
        .map(|phase| PhaseSpan {
            phase: *phase,
            from: None,
            to: None,
            ongoing: false,
        })
        .collect();
    for timeline in timelines {
        let mut stays: Vec<(Phase, i64)> = vec![(Phase::Collect, timeline.first)];
        stays.extend(timeline.changes.iter().map(|(at, phase)| (*phase, *at)));
        for (index, (phase, start)) in stays.iter().enumerate() {
            let end = stays.get(index + 1).map(|(_, at)| *at);
            let Some(span) = spans.iter_mut().find(|span| span.phase == *phase) else {
                continue;
            };
            span.from = Some(span.from.map_or(*start, |from| from.min(*start)));
            match end {
                Some(end) => span.to = Some(span.to.map_or(end, |to| to.max(end))),
                None => span.ongoing = true,
            }
        }
    }
    spans
}

/// One roundtable's section of the model, from its board's public view.
pub fn roundtable_doc(
    id: &str,
    title: &str,
    description: &str,
    anonymous: bool,
    facilitators: Vec<String>,
    board: &Board,
) -> RoundtableDoc {
    let clusters: Vec<ClusterDoc> = board
        .clusters
        .iter()
        .map(|cluster| ClusterDoc {
            id: cluster.cluster_id.clone(),
            title: cluster.title.clone(),
        })
        .collect();
    let meetings: Vec<MeetingDoc> = board
        .meetings
        .iter()
        .map(|meeting| MeetingDoc {
            id: meeting.meeting_id.clone(),
            title: meeting.title.clone(),
            opened_at: meeting.opened_at,
            closed_at: meeting.closed_at,
            attendance: meeting.attendance.len(),
        })
        .collect();
    let mut votes: BTreeMap<&str, u32> = BTreeMap::new();
    for round in &board.voting_rounds {
        if round.status == RoundStatus::Closed {
            for result in &round.results {
                *votes.entry(result.contribution_id.as_str()).or_default() += result.dots;
            }
        }
    }
    let cards: Vec<CardDoc> = board
        .contributions
        .iter()
        .filter(|card| card.is_live() && !card.hidden)
        .map(|card| {
            let author = card
                .author
                .as_deref()
                .and_then(|author| board.participant(author));
            let named = author.filter(|p| {
                !anonymous
                    && p.organisation_kind != OrganisationKind::Cittadino
                    && !p.organisation.trim().is_empty()
            });
            CardDoc {
                id: card.contribution_id.clone(),
                kind: card.kind,
                text: card.text.clone(),
                cluster: card
                    .cluster_id
                    .as_deref()
                    .and_then(|cluster| clusters.iter().position(|c| c.id == cluster)),
                policy_areas: card.policy_areas.clone(),
                targets: card.targets.clone(),
                organisation: named.map(|p| p.organisation.trim().to_string()),
                organisation_kind: if anonymous {
                    None
                } else {
                    author.map(|p| p.organisation_kind)
                },
                meeting: board.meetings.iter().rposition(|meeting| {
                    meeting.opened_at <= card.created_at
                        && meeting
                            .closed_at
                            .is_none_or(|closed| card.created_at <= closed)
                }),
                votes: votes
                    .get(card.contribution_id.as_str())
                    .copied()
                    .unwrap_or(0),
                typed_for_someone: card.on_behalf_of.is_some(),
                created_at: card.created_at,
            }
        })
        .collect();
    let rounds = board
        .voting_rounds
        .iter()
        .map(|round| RoundDoc {
            round: round.round,
            closed: round.status == RoundStatus::Closed,
            dots_per_voter: round.dots_per_voter,
            max_per_contribution: round.max_per_contribution,
            ballot: round.ballot,
            secret: round.secret,
            voters: round.voters,
            results: if round.status == RoundStatus::Closed {
                round
                    .results
                    .iter()
                    .map(|result| ResultDoc {
                        card: cards
                            .iter()
                            .position(|card| card.id == result.contribution_id),
                        contribution_id: result.contribution_id.clone(),
                        rank: result.rank,
                        dots: result.dots,
                    })
                    .collect()
            } else {
                Vec::new()
            },
        })
        .collect();
    RoundtableDoc {
        id: id.to_string(),
        title: title.to_string(),
        description: description.to_string(),
        anonymous,
        facilitators,
        clusters,
        cards,
        meetings,
        rounds,
        notes: board.notes.clone(),
        attendance: attendance(board, anonymous),
        participants: board.participants.len(),
    }
}

/// The attendance register: per organisation (per kind when anonymous; citizens always per
/// kind), how many people and at how many meetings.
fn attendance(board: &Board, anonymous: bool) -> Vec<AttendanceEntry> {
    // (kind, name key or "" when unnamed) -> (name shown, member ids).
    type Group<'a> = (Option<String>, Vec<&'a str>);
    let mut groups: BTreeMap<(OrganisationKind, String), Group<'_>> = BTreeMap::new();
    for participant in &board.participants {
        let named = !anonymous && participant.organisation_kind != OrganisationKind::Cittadino;
        let name = participant.organisation.trim();
        let key = if named {
            name.to_lowercase()
        } else {
            String::new()
        };
        let entry = groups
            .entry((participant.organisation_kind, key))
            .or_insert_with(|| {
                (
                    (named && !name.is_empty()).then(|| name.to_string()),
                    Vec::new(),
                )
            });
        entry.1.push(participant.participant_id.as_str());
    }
    let mut entries: Vec<AttendanceEntry> = groups
        .into_iter()
        .map(|((kind, _), (organisation, members))| AttendanceEntry {
            meetings_attended: board
                .meetings
                .iter()
                .filter(|meeting| {
                    meeting
                        .attendance
                        .iter()
                        .any(|present| members.contains(&present.as_str()))
                })
                .count(),
            organisation,
            kind,
            people: members.len(),
        })
        .collect();
    entries.sort_by(|a, b| {
        a.organisation
            .as_deref()
            .map(str::to_lowercase)
            .cmp(&b.organisation.as_deref().map(str::to_lowercase))
            .then(a.kind.cmp(&b.kind))
    });
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validation(version: i64, at: i64) -> ValidationRecord {
        ValidationRecord {
            version,
            validator_name: "Rita Neri".into(),
            validator_role: "Tecnico di garanzia".into(),
            note: String::new(),
            validated_at: at,
        }
    }

    #[test]
    fn the_edition_follows_validations_and_later_changes() {
        assert_eq!(
            edition(&[], 500),
            Edition {
                version: 1,
                validated: false,
                date: 500
            }
        );
        assert_eq!(
            edition(&[validation(1, 900)], 500),
            Edition {
                version: 1,
                validated: true,
                date: 900
            }
        );
        assert_eq!(
            edition(&[validation(1, 400)], 500),
            Edition {
                version: 2,
                validated: false,
                date: 500
            }
        );
    }

    #[test]
    fn phase_spans_run_from_the_first_entry_to_the_last_exit() {
        let spans = phase_spans(&[
            Timeline {
                first: 100,
                changes: vec![(200, Phase::Group), (300, Phase::Vote)],
            },
            Timeline {
                first: 150,
                changes: vec![(250, Phase::Group)],
            },
        ]);
        assert_eq!(spans[0].from, Some(100));
        assert_eq!(spans[0].to, Some(250));
        assert!(!spans[0].ongoing);
        assert_eq!(spans[1].from, Some(200));
        assert!(spans[1].ongoing);
        assert_eq!(spans[2].from, Some(300));
        assert_eq!(spans[3].from, None);
    }
}
