//! The planning office's synthesis, as rules: cross-cutting themes and intervention sheets
//! (schede intervento) with the fields of a Lombardy Piano di Zona, the trace from sheets to
//! the needs they answer, coverage (needs no sheet answers yet), and how concurrent edits of one
//! sheet merge field by field. Pure: the server stores, this decides; the browser shows the
//! same labels and refuses with the same words.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::board::{Board, Contribution, ContributionStatus};
use crate::error::Lang;
use crate::policy_area::PolicyArea;
use crate::text::{MAX_TITLE_CHARS, clean};
use crate::vocabulary::ContributionKind;

/// Longest theme description or text field of a sheet, in characters.
pub const MAX_SYNTHESIS_TEXT_CHARS: usize = 10_000;
/// Longest item of a list field.
pub const MAX_ITEM_CHARS: usize = 2_000;
/// Most items in one list field.
pub const MAX_ITEMS: usize = 100;
/// Most contributions one theme or sheet may link.
pub const MAX_LINKS: usize = 500;

/// How a sheet field holds its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// One text (newlines allowed).
    Text,
    /// A list of texts, one item per bullet of the paper sheet.
    List,
    /// A list of macroarea letters A-K.
    PolicyAreas,
}

/// One field of the scheda intervento: its wire name, shape and the question it answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: &'static str,
    pub kind: FieldKind,
    pub label_it: &'static str,
    pub label_en: &'static str,
}

impl FieldSpec {
    pub fn label(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::It => self.label_it,
            Lang::En => self.label_en,
        }
    }

    /// For `key_points_<letter>`: the policy area whose key points it holds.
    pub fn key_points_area(&self) -> Option<PolicyArea> {
        let letter = self.name.strip_prefix("key_points_")?;
        PolicyArea::parse(letter).ok()
    }
}

const fn spec(
    name: &'static str,
    kind: FieldKind,
    label_it: &'static str,
    label_en: &'static str,
) -> FieldSpec {
    FieldSpec {
        name,
        kind,
        label_it,
        label_en,
    }
}

use FieldKind::{List, PolicyAreas, Text};

/// Every field of a sheet besides its title, in the order of the Lombardy form.
pub const SHEET_FIELDS: &[FieldSpec] = &[
    spec(
        "objectives",
        List,
        "Obiettivi che vuole raggiungere",
        "Objectives",
    ),
    spec(
        "planned_actions",
        List,
        "Azioni programmate",
        "Planned actions",
    ),
    spec("target", List, "Target (destinatari)", "Target groups"),
    spec(
        "economic_resources",
        Text,
        "Risorse economiche preventivate",
        "Budgeted economic resources",
    ),
    spec(
        "staff_resources",
        Text,
        "Risorse di personale dedicate",
        "Dedicated staff",
    ),
    spec(
        "policy_areas",
        PolicyAreas,
        "Macroaree di policy (A-K) a cui l'obiettivo è trasversale e integrato",
        "Policy areas (A-K) the objective belongs to",
    ),
    spec(
        "key_points_a",
        List,
        "Punti chiave: A. Contrasto alla povertà e inclusione",
        "Key points: A. Poverty and inclusion",
    ),
    spec(
        "key_points_b",
        List,
        "Punti chiave: B. Politiche abitative",
        "Key points: B. Housing",
    ),
    spec(
        "key_points_c",
        List,
        "Punti chiave: C. Promozione dell'inclusione attiva",
        "Key points: C. Active inclusion",
    ),
    spec(
        "key_points_d",
        List,
        "Punti chiave: D. Domiciliarità",
        "Key points: D. Home care",
    ),
    spec(
        "key_points_e",
        List,
        "Punti chiave: E. Anziani",
        "Key points: E. Older people",
    ),
    spec(
        "key_points_f",
        List,
        "Punti chiave: F. Digitalizzazione dei servizi",
        "Key points: F. Digital services",
    ),
    spec(
        "key_points_g",
        List,
        "Punti chiave: G. Politiche giovanili e per i minori",
        "Key points: G. Youth and children",
    ),
    spec(
        "key_points_h",
        List,
        "Punti chiave: H. Politiche per il lavoro",
        "Key points: H. Employment",
    ),
    spec(
        "key_points_i",
        List,
        "Punti chiave: I. Interventi per la famiglia",
        "Key points: I. Families",
    ),
    spec(
        "key_points_j",
        List,
        "Punti chiave: J. Persone con disabilità",
        "Key points: J. Disability",
    ),
    spec(
        "key_points_k",
        List,
        "Punti chiave: K. Interventi di sistema",
        "Key points: K. System measures",
    ),
    spec(
        "asst_involvement_analysis",
        Text,
        "Coinvolgimento di ASST/IRCCS nell'analisi del bisogno e nella programmazione",
        "ASST/IRCCS involvement in needs analysis and planning",
    ),
    spec(
        "asst_involvement_delivery",
        Text,
        "Coinvolgimento di ASST/IRCCS nella realizzazione e azioni congiunte Ambito-ASST",
        "ASST/IRCCS involvement in delivery, joint Ambito-ASST actions",
    ),
    spec(
        "cooperation_other_ambiti",
        Text,
        "Realizzato in cooperazione con altri Ambiti?",
        "Delivered together with other ambiti?",
    ),
    spec(
        "continuity_previous_plan",
        Text,
        "In continuità con la programmazione precedente?",
        "Continues the previous plan?",
    ),
    spec(
        "new_service",
        Text,
        "Prevede la definizione di un nuovo servizio?",
        "Defines a new service?",
    ),
    spec(
        "continuity_premial_project",
        Text,
        "Continuità o potenziamento di un progetto premiale della programmazione precedente?",
        "Continues or strengthens a rewarded project of the previous plan?",
    ),
    spec(
        "co_programmed",
        Text,
        "Formalmente co-programmato con il Terzo Settore?",
        "Formally co-programmed with the third sector?",
    ),
    spec(
        "co_designed",
        Text,
        "Formalmente co-progettato con il Terzo Settore?",
        "Formally co-designed with the third sector?",
    ),
    spec(
        "third_sector_involvement",
        Text,
        "Modalità di coinvolgimento del Terzo Settore (se non formalizzato)",
        "How the third sector is involved (if not formalised)",
    ),
    spec(
        "other_network_actors",
        Text,
        "Altri attori della rete territoriale coinvolti (oltre ATS, ASST, IRCCS, ETS)",
        "Other network actors involved (besides ATS, ASST, IRCCS, ETS)",
    ),
    spec(
        "needs_answered",
        List,
        "A quali bisogni risponde (in parole)",
        "Needs it answers (in words)",
    ),
    spec(
        "inputs",
        List,
        "Input (risorse di partenza)",
        "Inputs (starting resources)",
    ),
    spec(
        "need_previously_addressed",
        Text,
        "Il bisogno era già affrontato nella programmazione precedente o è nuovo?",
        "Was the need addressed in the previous plan, or is it new?",
    ),
    spec(
        "promotional_or_reparative",
        Text,
        "Obiettivo promozionale/preventivo o riparativo?",
        "Promotional/preventive or reparative?",
    ),
    spec(
        "innovative_aspects",
        Text,
        "Modelli innovativi di presa in carico, risposta al bisogno e cooperazione",
        "Innovative aspects (care models, response, cooperation)",
    ),
    spec(
        "digitalisation_aspects",
        Text,
        "Aspetti di digitalizzazione (organizzativi, gestionali, erogativi)",
        "Digitalisation aspects (organisation, management, delivery)",
    ),
    spec(
        "operating_methods",
        List,
        "Modalità organizzative, operative e di erogazione",
        "Operating methods",
    ),
    spec(
        "process_indicators",
        List,
        "Indicatori di processo",
        "Process indicators",
    ),
    spec(
        "expected_results",
        List,
        "Risultati attesi (output)",
        "Expected results (output)",
    ),
    spec("expected_impact", Text, "Impatto atteso", "Expected impact"),
];

/// The spec of a field by wire name.
pub fn field_spec(name: &str) -> Option<&'static FieldSpec> {
    SHEET_FIELDS.iter().find(|spec| spec.name == name)
}

/// A field's value: one text or a list of texts (policy areas are a list of letters).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FieldValue {
    Text(String),
    List(Vec<String>),
}

impl FieldValue {
    /// The value as lines: a text's lines, or the list's items.
    pub fn lines(&self) -> Vec<String> {
        match self {
            FieldValue::Text(text) => text.lines().map(str::to_owned).collect(),
            FieldValue::List(items) => items.clone(),
        }
    }

    /// The value as one text: a list's items one per line.
    pub fn as_text(&self) -> String {
        match self {
            FieldValue::Text(text) => text.clone(),
            FieldValue::List(items) => items.join("\n"),
        }
    }

    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// A sheet's fields by name; absent means blank.
pub type SheetFields = BTreeMap<String, FieldValue>;

/// Why a theme or sheet edit was refused. Refused edits change nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SynthesisError {
    EmptyTitle,
    TitleTooLong { max: usize },
    TextTooLong { field: String, max: usize },
    ItemTooLong { field: String, max: usize },
    TooManyItems { field: String, max: usize },
    UnknownField { field: String },
    WrongShape { field: String },
    InvalidPolicyArea { value: String },
    KeyPointsWithoutArea { area: char },
    ContributionNotInProcess { contribution_id: String },
    ContributionWithdrawn { contribution_id: String },
    ClusterNotInProcess { cluster_id: String },
    TooManyLinks { max: usize },
}

impl SynthesisError {
    /// The stable snake_case code scripts match on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::EmptyTitle => "empty_title",
            Self::TitleTooLong { .. } => "title_too_long",
            Self::TextTooLong { .. } => "text_too_long",
            Self::ItemTooLong { .. } => "item_too_long",
            Self::TooManyItems { .. } => "too_many_items",
            Self::UnknownField { .. } => "unknown_field",
            Self::WrongShape { .. } => "invalid_field",
            Self::InvalidPolicyArea { .. } => "invalid_policy_area",
            Self::KeyPointsWithoutArea { .. } => "key_points_without_area",
            Self::ContributionNotInProcess { .. } => "contribution_not_in_process",
            Self::ContributionWithdrawn { .. } => "contribution_withdrawn",
            Self::ClusterNotInProcess { .. } => "cluster_not_in_process",
            Self::TooManyLinks { .. } => "too_many_links",
        }
    }

    /// A sentence the planning office can act on.
    pub fn message(&self, lang: Lang) -> String {
        let (italian, english) = match self {
            Self::EmptyTitle => (
                "Il titolo è obbligatorio: scrivi un titolo.".to_owned(),
                "A title is required: write one.".to_owned(),
            ),
            Self::TitleTooLong { max } => (
                format!("Il titolo è troppo lungo: al massimo {max} caratteri."),
                format!("The title is too long: at most {max} characters."),
            ),
            Self::TextTooLong { field, max } => (
                format!("Il campo «{field}» è troppo lungo: al massimo {max} caratteri."),
                format!("The field \"{field}\" is too long: at most {max} characters."),
            ),
            Self::ItemTooLong { field, max } => (
                format!("Una voce del campo «{field}» è troppo lunga: al massimo {max} caratteri."),
                format!("An item of the field \"{field}\" is too long: at most {max} characters."),
            ),
            Self::TooManyItems { field, max } => (
                format!("Il campo «{field}» ha troppe voci: al massimo {max}."),
                format!("The field \"{field}\" has too many items: at most {max}."),
            ),
            Self::UnknownField { field } => (
                format!(
                    "La scheda non ha un campo «{field}»: i campi sono elencati in docs/PROTOCOL.md."
                ),
                format!("A sheet has no field \"{field}\": docs/PROTOCOL.md lists the fields."),
            ),
            Self::WrongShape { field } => (
                format!("Il campo «{field}» deve essere un testo o un elenco di testi."),
                format!("The field \"{field}\" must be a text or a list of texts."),
            ),
            Self::InvalidPolicyArea { value } => (
                format!("«{value}» non è una macroarea: usa le lettere dalla A alla K."),
                format!("\"{value}\" is not a policy area: use the letters A to K."),
            ),
            Self::KeyPointsWithoutArea { area } => (
                format!(
                    "Ci sono punti chiave per la macroarea {area}, ma {area} non è tra le macroaree della scheda: aggiungila o togli i punti chiave."
                ),
                format!(
                    "There are key points for policy area {area}, but {area} is not among the sheet's policy areas: add it or remove the key points."
                ),
            ),
            Self::ContributionNotInProcess { contribution_id } => (
                format!(
                    "Il contributo {contribution_id} non appartiene a nessun tavolo di questo percorso."
                ),
                format!("Contribution {contribution_id} belongs to no roundtable of this process."),
            ),
            Self::ContributionWithdrawn { contribution_id } => (
                format!("Il contributo {contribution_id} è stato ritirato: non si può collegare."),
                format!("Contribution {contribution_id} was withdrawn: it cannot be linked."),
            ),
            Self::ClusterNotInProcess { cluster_id } => (
                format!(
                    "Il raggruppamento {cluster_id} non appartiene a nessun tavolo di questo percorso."
                ),
                format!("Cluster {cluster_id} belongs to no roundtable of this process."),
            ),
            Self::TooManyLinks { max } => (
                format!("Troppi collegamenti: al massimo {max}."),
                format!("Too many links: at most {max}."),
            ),
        };
        match lang {
            Lang::It => italian,
            Lang::En => english,
        }
    }
}

/// A theme or sheet title: cleaned, not empty, at most [`MAX_TITLE_CHARS`].
pub fn parse_title(text: &str) -> Result<String, SynthesisError> {
    let cleaned = clean(text);
    if cleaned.is_empty() {
        return Err(SynthesisError::EmptyTitle);
    }
    if cleaned.chars().count() > MAX_TITLE_CHARS {
        return Err(SynthesisError::TitleTooLong {
            max: MAX_TITLE_CHARS,
        });
    }
    Ok(cleaned)
}

/// A theme description: may be empty.
pub fn parse_description(text: &str) -> Result<String, SynthesisError> {
    let cleaned = clean(text);
    if cleaned.chars().count() > MAX_SYNTHESIS_TEXT_CHARS {
        return Err(SynthesisError::TextTooLong {
            field: "description".into(),
            max: MAX_SYNTHESIS_TEXT_CHARS,
        });
    }
    Ok(cleaned)
}

/// One field's value from JSON. `Ok(None)` means blank (null, "", [] or only blanks): the field
/// is cleared. A text field takes a string (or a list, joined by newlines); a list field takes a
/// list (or a string, one item per line); policy areas take letters, as a list or "A, E".
pub fn parse_field(name: &str, value: &Value) -> Result<Option<FieldValue>, SynthesisError> {
    let spec = field_spec(name).ok_or_else(|| SynthesisError::UnknownField {
        field: name.to_owned(),
    })?;
    let shape = || SynthesisError::WrongShape {
        field: name.to_owned(),
    };
    let items: Vec<String> = match value {
        Value::Null => return Ok(None),
        Value::String(text) => match spec.kind {
            FieldKind::Text => vec![text.clone()],
            FieldKind::List => text.lines().map(str::to_owned).collect(),
            FieldKind::PolicyAreas => text.split([',', ';', '\n']).map(str::to_owned).collect(),
        },
        Value::Array(values) => values
            .iter()
            .map(|item| item.as_str().map(str::to_owned).ok_or_else(shape))
            .collect::<Result<_, _>>()?,
        _ => return Err(shape()),
    };
    match spec.kind {
        FieldKind::Text => {
            let text = clean(&items.join("\n"));
            if text.chars().count() > MAX_SYNTHESIS_TEXT_CHARS {
                return Err(SynthesisError::TextTooLong {
                    field: name.to_owned(),
                    max: MAX_SYNTHESIS_TEXT_CHARS,
                });
            }
            Ok((!text.is_empty()).then_some(FieldValue::Text(text)))
        }
        FieldKind::List => {
            let mut kept = Vec::new();
            for item in items {
                let item = clean(&item);
                if item.is_empty() {
                    continue;
                }
                if item.chars().count() > MAX_ITEM_CHARS {
                    return Err(SynthesisError::ItemTooLong {
                        field: name.to_owned(),
                        max: MAX_ITEM_CHARS,
                    });
                }
                kept.push(item);
            }
            if kept.len() > MAX_ITEMS {
                return Err(SynthesisError::TooManyItems {
                    field: name.to_owned(),
                    max: MAX_ITEMS,
                });
            }
            Ok((!kept.is_empty()).then_some(FieldValue::List(kept)))
        }
        FieldKind::PolicyAreas => {
            let mut areas = Vec::new();
            // "A E" names two areas; "A. Contrasto alla povertà" names one.
            let items: Vec<String> = items
                .into_iter()
                .flat_map(|item| {
                    let words: Vec<String> = item.split_whitespace().map(str::to_owned).collect();
                    if words.len() > 1 && words.iter().all(|word| word.chars().count() == 1) {
                        words
                    } else {
                        vec![item]
                    }
                })
                .collect();
            for item in items {
                let trimmed = item.trim();
                if trimmed.is_empty() {
                    continue;
                }
                // "E. Anziani" or "E) Anziani", as the paper sheet writes them, also count.
                let letter = trimmed.split(['.', ')', ' ']).next().unwrap_or(trimmed);
                let area =
                    PolicyArea::parse(letter).map_err(|_| SynthesisError::InvalidPolicyArea {
                        value: trimmed.to_owned(),
                    })?;
                areas.push(area);
            }
            areas.sort();
            areas.dedup();
            let letters: Vec<String> = areas.iter().map(ToString::to_string).collect();
            Ok((!letters.is_empty()).then_some(FieldValue::List(letters)))
        }
    }
}

/// All fields of a new sheet from a JSON object (unknown names refused), checked together.
pub fn parse_fields(
    object: &serde_json::Map<String, Value>,
) -> Result<SheetFields, SynthesisError> {
    let mut fields = SheetFields::new();
    for (name, value) in object {
        if let Some(parsed) = parse_field(name, value)? {
            fields.insert(name.clone(), parsed);
        }
    }
    check_fields(&fields)?;
    Ok(fields)
}

/// Rules across fields: key points only for the sheet's own policy areas.
pub fn check_fields(fields: &SheetFields) -> Result<(), SynthesisError> {
    let areas: BTreeSet<String> = fields
        .get("policy_areas")
        .map(FieldValue::lines)
        .unwrap_or_default()
        .into_iter()
        .collect();
    for spec in SHEET_FIELDS {
        if let Some(area) = spec.key_points_area()
            && fields.contains_key(spec.name)
            && !areas.contains(&area.to_string())
        {
            return Err(SynthesisError::KeyPointsWithoutArea {
                area: area.letter(),
            });
        }
    }
    Ok(())
}

/// Where a linked contribution lives.
#[derive(Clone, Debug)]
pub struct Located<'a> {
    pub roundtable_id: &'a str,
    pub contribution: &'a Contribution,
}

/// Every contribution of a process by id, from the boards of its roundtables.
pub fn index_contributions<'a>(
    boards: &'a [(String, std::sync::Arc<Board>)],
) -> BTreeMap<&'a str, Located<'a>> {
    let mut index = BTreeMap::new();
    for (roundtable_id, board) in boards {
        for contribution in &board.contributions {
            index.insert(
                contribution.contribution_id.as_str(),
                Located {
                    roundtable_id: roundtable_id.as_str(),
                    contribution,
                },
            );
        }
    }
    index
}

/// Checks links to contributions: each must belong to the process and not be withdrawn.
/// Duplicates are dropped, the first order kept.
pub fn check_links(
    ids: &[String],
    index: &BTreeMap<&str, Located<'_>>,
) -> Result<Vec<String>, SynthesisError> {
    let mut kept: Vec<String> = Vec::new();
    for id in ids {
        let id = id.trim();
        let located = index
            .get(id)
            .ok_or_else(|| SynthesisError::ContributionNotInProcess {
                contribution_id: id.to_owned(),
            })?;
        if located.contribution.status == ContributionStatus::Withdrawn {
            return Err(SynthesisError::ContributionWithdrawn {
                contribution_id: id.to_owned(),
            });
        }
        if !kept.iter().any(|existing| existing == id) {
            kept.push(id.to_owned());
        }
    }
    if kept.len() > MAX_LINKS {
        return Err(SynthesisError::TooManyLinks { max: MAX_LINKS });
    }
    Ok(kept)
}

/// Checks links to clusters: each must be a cluster of a roundtable of the process.
pub fn check_cluster_links(
    ids: &[String],
    boards: &[(String, std::sync::Arc<Board>)],
) -> Result<Vec<String>, SynthesisError> {
    let mut kept: Vec<String> = Vec::new();
    for id in ids {
        let id = id.trim();
        if !boards.iter().any(|(_, board)| board.cluster(id).is_some()) {
            return Err(SynthesisError::ClusterNotInProcess {
                cluster_id: id.to_owned(),
            });
        }
        if !kept.iter().any(|existing| existing == id) {
            kept.push(id.to_owned());
        }
    }
    if kept.len() > MAX_LINKS {
        return Err(SynthesisError::TooManyLinks { max: MAX_LINKS });
    }
    Ok(kept)
}

/// True if the need, or any card merged into it (at any depth), is linked: merging two needs
/// on the board must not make an answered need look unanswered.
pub fn is_covered(contribution: &Contribution, board: &Board, linked: &BTreeSet<&str>) -> bool {
    let mut stack: Vec<&Contribution> = vec![contribution];
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    while let Some(card) = stack.pop() {
        if !seen.insert(card.contribution_id.as_str()) {
            continue;
        }
        if linked.contains(card.contribution_id.as_str()) {
            return true;
        }
        stack.extend(card.sources.iter().filter_map(|id| board.contribution(id)));
    }
    false
}

/// The needs of the process (live ones, roundtable by roundtable, in board order) that no sheet
/// answers. `linked`: every contribution id some sheet links.
pub fn uncovered_needs(
    boards: &[(String, std::sync::Arc<Board>)],
    linked: &BTreeSet<&str>,
) -> Vec<String> {
    boards
        .iter()
        .flat_map(|(_, board)| {
            board
                .live_contributions()
                .filter(|card| card.kind == ContributionKind::Need)
                .filter(|card| !is_covered(card, board, linked))
                .map(|card| card.contribution_id.clone())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A sheet as it stands: what an edit replaces.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetContent {
    pub title: String,
    pub fields: SheetFields,
    pub contribution_ids: Vec<String>,
}

/// An edit: only what it names changes. In `fields`, `None` clears a field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SheetPatch {
    pub title: Option<String>,
    pub fields: BTreeMap<String, Option<FieldValue>>,
    pub contribution_ids: Option<Vec<String>>,
}

impl SheetPatch {
    /// The names this edit touches: `title`, `contribution_ids` or field names.
    pub fn touched(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        if self.title.is_some() {
            names.push("title".into());
        }
        names.extend(self.fields.keys().cloned());
        if self.contribution_ids.is_some() {
            names.push("contribution_ids".into());
        }
        names
    }
}

/// One change in a sheet's history: which part, its value before and after.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub field: String,
    pub before: Value,
    pub after: Value,
}

/// Applies an edit; returns the new content and what actually changed (an edit that sets a
/// value already there changes nothing and is not recorded). Cross-field rules are checked on
/// the result.
pub fn apply_patch(
    current: &SheetContent,
    patch: &SheetPatch,
) -> Result<(SheetContent, Vec<Change>), SynthesisError> {
    let mut next = current.clone();
    let mut changes = Vec::new();
    if let Some(title) = &patch.title
        && *title != current.title
    {
        changes.push(Change {
            field: "title".into(),
            before: Value::String(current.title.clone()),
            after: Value::String(title.clone()),
        });
        next.title = title.clone();
    }
    for (name, value) in &patch.fields {
        let before = current.fields.get(name);
        if before == value.as_ref() {
            continue;
        }
        changes.push(Change {
            field: name.clone(),
            before: before.map_or(Value::Null, FieldValue::to_json),
            after: value.as_ref().map_or(Value::Null, FieldValue::to_json),
        });
        match value {
            Some(value) => next.fields.insert(name.clone(), value.clone()),
            None => next.fields.remove(name),
        };
    }
    if let Some(ids) = &patch.contribution_ids
        && *ids != current.contribution_ids
    {
        changes.push(Change {
            field: "contribution_ids".into(),
            before: serde_json::to_value(&current.contribution_ids).unwrap_or(Value::Null),
            after: serde_json::to_value(ids).unwrap_or(Value::Null),
        });
        next.contribution_ids = ids.clone();
    }
    check_fields(&next.fields)?;
    Ok((next, changes))
}

/// The parts of an edit made on an old version that someone else changed since, to a value
/// other than the one this edit brings: those would be silently overwritten, so the edit is
/// refused and the editor shown the current values. Parts changed by nobody since, or changed
/// to the same value, merge without a conflict. `changed_since`: the fields each later version
/// changed.
pub fn conflicting_fields(
    current: &SheetContent,
    patch: &SheetPatch,
    changed_since: &[Vec<String>],
) -> Vec<String> {
    let changed: BTreeSet<&str> = changed_since.iter().flatten().map(String::as_str).collect();
    let mut conflicts = Vec::new();
    for name in patch.touched() {
        if !changed.contains(name.as_str()) {
            continue;
        }
        let same = match name.as_str() {
            "title" => patch.title.as_ref() == Some(&current.title),
            "contribution_ids" => {
                patch.contribution_ids.as_ref() == Some(&current.contribution_ids)
            }
            field => patch.fields.get(field).and_then(Option::as_ref) == current.fields.get(field),
        };
        if !same {
            conflicts.push(name);
        }
    }
    conflicts
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_field_has_a_unique_snake_case_name_and_both_labels() {
        let mut names = BTreeSet::new();
        for spec in SHEET_FIELDS {
            assert!(names.insert(spec.name), "{} twice", spec.name);
            assert!(
                spec.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_')
            );
            assert!(!spec.label_it.is_empty() && !spec.label_en.is_empty());
        }
        assert_eq!(
            SHEET_FIELDS
                .iter()
                .filter(|spec| spec.key_points_area().is_some())
                .count(),
            11
        );
    }

    #[test]
    fn fields_take_a_text_or_a_list_and_come_out_in_their_own_shape() {
        assert_eq!(
            parse_field("objectives", &json!("Uno\n\n Due ")).unwrap(),
            Some(FieldValue::List(vec!["Uno".into(), "Due".into()]))
        );
        assert_eq!(
            parse_field(
                "expected_impact",
                &json!(["Più relazioni", "tra generazioni"])
            )
            .unwrap(),
            Some(FieldValue::Text("Più relazioni\ntra generazioni".into()))
        );
        assert_eq!(parse_field("target", &json!([" ", ""])).unwrap(), None);
        assert_eq!(
            parse_field("policy_areas", &json!("K F")).unwrap(),
            Some(FieldValue::List(vec!["F".into(), "K".into()]))
        );
        assert_eq!(
            parse_field("policy_areas", &json!("e, A. Contrasto alla povertà")).unwrap(),
            Some(FieldValue::List(vec!["A".into(), "E".into()]))
        );
    }

    #[test]
    fn bad_fields_are_refused_with_their_name() {
        assert_eq!(
            parse_field("policy_areas", &json!(["Z"]))
                .unwrap_err()
                .code(),
            "invalid_policy_area"
        );
        assert_eq!(
            parse_field("obiettivi", &json!("x")).unwrap_err().code(),
            "unknown_field"
        );
        assert_eq!(
            parse_field("target", &json!(3)).unwrap_err().code(),
            "invalid_field"
        );
        let error = parse_fields(
            json!({"policy_areas": ["A"], "key_points_e": ["Autonomia"]})
                .as_object()
                .unwrap(),
        )
        .unwrap_err();
        assert_eq!(error, SynthesisError::KeyPointsWithoutArea { area: 'E' });
        assert!(error.message(Lang::It).contains("macroarea E"));
    }

    fn content(title: &str, target: &str) -> SheetContent {
        SheetContent {
            title: title.into(),
            fields: [("target".to_string(), FieldValue::List(vec![target.into()]))].into(),
            contribution_ids: vec![],
        }
    }

    #[test]
    fn an_edit_on_an_old_version_conflicts_only_on_what_others_changed() {
        let current = content("Titolo nuovo", "Anziani");
        let patch_title = SheetPatch {
            title: Some("Titolo mio".into()),
            ..SheetPatch::default()
        };
        let patch_target = SheetPatch {
            fields: [(
                "target".to_string(),
                Some(FieldValue::List(vec!["Giovani".into()])),
            )]
            .into(),
            ..SheetPatch::default()
        };
        let since = vec![vec!["title".to_string()]];
        assert_eq!(
            conflicting_fields(&current, &patch_title, &since),
            ["title"]
        );
        assert!(conflicting_fields(&current, &patch_target, &since).is_empty());
        let same_title = SheetPatch {
            title: Some("Titolo nuovo".into()),
            ..SheetPatch::default()
        };
        assert!(conflicting_fields(&current, &same_title, &since).is_empty());
    }

    #[test]
    fn a_patch_records_only_real_changes() {
        let current = content("Titolo", "Anziani");
        let patch = SheetPatch {
            title: Some("Titolo".into()),
            fields: [("target".to_string(), None)].into(),
            ..SheetPatch::default()
        };
        let (next, changes) = apply_patch(&current, &patch).unwrap();
        assert!(next.fields.is_empty());
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].field, "target");
        assert_eq!(changes[0].before, json!(["Anziani"]));
        assert_eq!(changes[0].after, Value::Null);
    }
}
