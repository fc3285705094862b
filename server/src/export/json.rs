//! `export.json`: the whole process in one document. Field by field in docs/EXPORTS.md; a
//! change that breaks readers bumps [`SCHEMA`]. Dates are ISO 8601 in UTC.

use serde_json::{Value, json};
use tavoli_core::{BallotUnit, OrganisationKind, Phase};

use crate::pdf::{DocModel, dates::iso_utc};

/// Names this JSON layout; readers check it.
pub const SCHEMA: &str = "tavoli-export/1";

fn wire<T: serde::Serialize>(value: T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn kind_name(kind: OrganisationKind) -> Value {
    wire(kind)
}

pub fn to_json(model: &DocModel) -> Value {
    let process = &model.process;
    json!({
        "schema": SCHEMA,
        "process": {
            "id": process.id,
            "title": process.title,
            "owner": process.owner,
            "kind": process.kind,
            "description": process.description,
            "period": process.period,
            "created_at": iso_utc(process.created_at),
        },
        "edition": {
            "version": model.edition.version,
            "validated": model.edition.validated,
            "date": iso_utc(model.edition.date),
        },
        "phases": model.phases.iter().map(|span| json!({
            "phase": wire::<Phase>(span.phase),
            "from": span.from.map(iso_utc),
            "to": span.to.map(iso_utc),
            "ongoing": span.ongoing,
        })).collect::<Vec<_>>(),
        "organisations": model.organisations.iter().map(|organisation| json!({
            "name": organisation.name,
            "kind": kind_name(organisation.kind),
        })).collect::<Vec<_>>(),
        "roundtables": model.roundtables.iter().map(|roundtable| json!({
            "id": roundtable.id,
            "title": roundtable.title,
            "description": roundtable.description,
            "anonymous": roundtable.anonymous,
            "facilitators": roundtable.facilitators,
            "participants": roundtable.participants,
            "clusters": roundtable.clusters.iter().map(|cluster| json!({
                "id": cluster.id,
                "title": cluster.title,
            })).collect::<Vec<_>>(),
            "meetings": roundtable.meetings.iter().map(|meeting| json!({
                "id": meeting.id,
                "title": meeting.title,
                "opened_at": iso_utc(meeting.opened_at),
                "closed_at": meeting.closed_at.map(iso_utc),
                "attendance": meeting.attendance,
            })).collect::<Vec<_>>(),
            "contributions": roundtable.cards.iter().map(|card| json!({
                "id": card.id,
                "kind": wire(card.kind),
                "text": card.text,
                "cluster_id": card.cluster.and_then(|index| roundtable.clusters.get(index)).map(|c| c.id.clone()),
                "policy_areas": card.policy_areas,
                "targets": card.targets,
                "meeting_id": card.meeting.and_then(|index| roundtable.meetings.get(index)).map(|m| m.id.clone()),
                "votes": card.votes,
                "author_organisation": card.organisation,
                "author_organisation_kind": card.organisation_kind.map(kind_name),
                "typed_by_facilitator": card.typed_for_someone,
                "created_at": iso_utc(card.created_at),
            })).collect::<Vec<_>>(),
            "voting_rounds": roundtable.rounds.iter().map(|round| json!({
                "round": round.round,
                "status": if round.closed { "closed" } else { "open" },
                "dots_per_voter": round.dots_per_voter,
                "max_per_contribution": round.max_per_contribution,
                "ballot": wire::<BallotUnit>(round.ballot),
                "secret": round.secret,
                "voters": round.voters,
                "results": round.results.iter().map(|result| json!({
                    "contribution_id": result.contribution_id,
                    "rank": result.rank,
                    "dots": result.dots,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "notes": roundtable.notes,
            "attendance": roundtable.attendance.iter().map(|entry| json!({
                "organisation": entry.organisation,
                "kind": kind_name(entry.kind),
                "people": entry.people,
                "meetings_attended": entry.meetings_attended,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "themes": model.themes.iter().map(|theme| json!({
            "title": theme.title,
            "description": theme.description,
            "roundtables": theme.roundtables,
        })).collect::<Vec<_>>(),
        "sheets": model.sheets.iter().map(|sheet| json!({
            "title": sheet.title,
            "fields": sheet.fields.iter().map(|field| json!({
                "label_it": field.label_it,
                "label_en": field.label_en,
                "value": field.value,
            })).collect::<Vec<_>>(),
            "needs": sheet.needs,
        })).collect::<Vec<_>>(),
        "validation": {
            "required": model.validation.required,
            "records": model.validation.records.iter().map(|record| json!({
                "version": record.version,
                "validator_name": record.validator_name,
                "validator_role": record.validator_role,
                "note": record.note,
                "validated_at": iso_utc(record.validated_at),
            })).collect::<Vec<_>>(),
        },
    })
}
