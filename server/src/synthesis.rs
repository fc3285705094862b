//! The synthesis service: cross-cutting themes, intervention sheets, coverage and similarity
//! suggestions of one process. The JSON API (`http::synthesis`) and the pages' server functions
//! (`synthesis_pages`) both call these functions, so they cannot disagree.
//!
//! Order in every function: authenticate (planning office to write; anyone of the process to
//! read), load the boards of the process, check with `tavoli_core::synthesis`, store.

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::Arc,
};

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use tavoli_core::{
    Action, Board, ContributionKind, ContributionStatus, Lang,
    similarity::{self, NeedText, ThemeSuggestion},
    synthesis::{
        self as rules, Change, FieldValue, Located, SheetContent, SheetFields, SheetPatch,
        SynthesisError,
    },
};

use crate::{
    clock::now_ms,
    http::{
        access,
        error::ApiError,
        session::{self, Credentials},
    },
    state::AppState,
    storage::{
        Link, NewSheet, NewTheme, ProcessRecord, RoundtableRecord, SheetRecord, SheetUpdate,
        ThemeRecord, ThemeUpdate, UserRecord,
    },
};

/// A refused synthesis edit, in the API's shape (422, the rule's code, both languages).
pub fn refused(error: SynthesisError) -> ApiError {
    ApiError::refused(
        StatusCode::UNPROCESSABLE_ENTITY,
        error.code(),
        error.message(Lang::It),
        error.message(Lang::En),
    )
}

/// A process with its roundtables and their current boards, in roundtable order.
pub struct ProcessView {
    pub process: ProcessRecord,
    pub roundtables: Vec<RoundtableRecord>,
    pub boards: Vec<(String, Arc<Board>)>,
}

impl ProcessView {
    pub fn index(&self) -> BTreeMap<&str, Located<'_>> {
        rules::index_contributions(&self.boards)
    }

    pub fn roundtable_title(&self, roundtable_id: &str) -> String {
        self.roundtables
            .iter()
            .find(|roundtable| roundtable.id == roundtable_id)
            .map(|roundtable| roundtable.title.clone())
            .unwrap_or_default()
    }
}

async fn load(state: &AppState, process_id: &str) -> Result<ProcessView, ApiError> {
    let process = state
        .storage
        .process(process_id)
        .await?
        .ok_or_else(|| ApiError::not_found("Percorso", "Process"))?;
    let roundtables = state.storage.roundtables_of(process_id).await?;
    let mut boards = Vec::with_capacity(roundtables.len());
    for roundtable in &roundtables {
        let board = state
            .live
            .boards
            .get(&state.storage, &roundtable.id)
            .await?;
        boards.push((roundtable.id.clone(), board));
    }
    Ok(ProcessView {
        process,
        roundtables,
        boards,
    })
}

/// Who may read: anyone with a role in the process (observer, participant of one of its
/// roundtables, facilitator, planning office), by the core's one table.
pub async fn reader(
    state: &AppState,
    credentials: &Credentials,
    process_id: &str,
) -> Result<(ProcessView, Option<UserRecord>), ApiError> {
    let access = access::at_process(state, credentials, process_id, Action::ReadProcess).await?;
    let view = load(state, process_id).await?;
    Ok((view, access.user))
}

/// Who may write: the planning office of this process.
pub async fn editor(
    state: &AppState,
    credentials: &Credentials,
    process_id: &str,
) -> Result<(ProcessView, UserRecord), ApiError> {
    let access = access::at_process(state, credentials, process_id, Action::EditSynthesis).await?;
    let user = access.user.ok_or_else(session::forbidden)?;
    let view = load(state, process_id).await?;
    Ok((view, user))
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ThemeView {
    pub id: String,
    pub title: String,
    pub description: String,
    pub contribution_ids: Vec<String>,
    pub cluster_ids: Vec<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<ThemeRecord> for ThemeView {
    fn from(record: ThemeRecord) -> Self {
        ThemeView {
            id: record.id,
            title: record.title,
            description: record.description,
            contribution_ids: record.contribution_ids,
            cluster_ids: record.cluster_ids,
            version: record.version,
            created_at: record.created_at,
            updated_at: record.updated_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SheetView {
    pub id: String,
    pub title: String,
    pub fields: Map<String, Value>,
    pub contribution_ids: Vec<String>,
    pub source_contribution_id: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

fn sheet_fields(record: &SheetRecord) -> SheetFields {
    serde_json::from_str(&record.fields).unwrap_or_default()
}

fn sheet_view(record: SheetRecord) -> SheetView {
    let fields = sheet_fields(&record)
        .into_iter()
        .map(|(name, value)| (name, value.to_json()))
        .collect();
    SheetView {
        id: record.id,
        title: record.title,
        fields,
        contribution_ids: record.contribution_ids,
        source_contribution_id: record.source_contribution_id,
        version: record.version,
        created_at: record.created_at,
        updated_at: record.updated_at,
    }
}

/// One version in a sheet's history.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HistoryEntry {
    pub version: i64,
    pub at: i64,
    pub by: HistoryAuthor,
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HistoryAuthor {
    pub id: Option<String>,
    pub name: String,
}

/// A need of the process with its trace: the sheets that answer it and the themes it is in.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct NeedView {
    pub contribution_id: String,
    pub roundtable_id: String,
    pub roundtable_title: String,
    pub text: String,
    pub cluster_title: Option<String>,
    pub status: ContributionStatus,
    pub sheet_ids: Vec<String>,
    pub theme_ids: Vec<String>,
}

/// A proposal as a closed vote ranked it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RankedProposal {
    pub contribution_id: String,
    pub roundtable_id: String,
    pub roundtable_title: String,
    pub text: String,
    pub round: u32,
    pub rank: u32,
    pub dots: u32,
    /// Sheets already drafted from it.
    pub sheet_ids: Vec<String>,
}

fn link_of(index: &BTreeMap<&str, Located<'_>>, id: &str) -> Link {
    Link {
        target_id: id.to_owned(),
        roundtable_id: index
            .get(id)
            .map(|located| located.roundtable_id.to_owned())
            .unwrap_or_default(),
    }
}

fn cluster_link(view: &ProcessView, cluster_id: &str) -> Link {
    let roundtable_id = view
        .boards
        .iter()
        .find(|(_, board)| board.cluster(cluster_id).is_some())
        .map(|(roundtable_id, _)| roundtable_id.clone())
        .unwrap_or_default();
    Link {
        target_id: cluster_id.to_owned(),
        roundtable_id,
    }
}

// ---------------------------------------------------------------- themes

pub async fn list_themes(
    state: &AppState,
    credentials: &Credentials,
    process_id: &str,
) -> Result<Vec<ThemeView>, ApiError> {
    reader(state, credentials, process_id).await?;
    Ok(state
        .storage
        .themes_of(process_id)
        .await?
        .into_iter()
        .map(ThemeView::from)
        .collect())
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ThemeInput {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub contribution_ids: Vec<String>,
    #[serde(default)]
    pub cluster_ids: Vec<String>,
}

pub async fn create_theme(
    state: &AppState,
    credentials: &Credentials,
    process_id: &str,
    input: ThemeInput,
) -> Result<String, ApiError> {
    create_theme_with(state, credentials, process_id, input, Vec::new()).await
}

async fn create_theme_with(
    state: &AppState,
    credentials: &Credentials,
    process_id: &str,
    input: ThemeInput,
    accepted_pairs: Vec<String>,
) -> Result<String, ApiError> {
    let (view, user) = editor(state, credentials, process_id).await?;
    let title = rules::parse_title(&input.title).map_err(refused)?;
    let description = rules::parse_description(&input.description).map_err(refused)?;
    let index = view.index();
    let contribution_ids = rules::check_links(&input.contribution_ids, &index).map_err(refused)?;
    let cluster_ids =
        rules::check_cluster_links(&input.cluster_ids, &view.boards).map_err(refused)?;
    let new = NewTheme {
        process_id: process_id.to_owned(),
        title,
        description,
        contributions: contribution_ids
            .iter()
            .map(|id| link_of(&index, id))
            .collect(),
        clusters: cluster_ids
            .iter()
            .map(|id| cluster_link(&view, id))
            .collect(),
        created_by: Some(user.id),
        accepted_pairs,
    };
    Ok(state.storage.create_theme(&new, now_ms()).await?)
}

/// An edit of a theme: only the parts given change; `version` is the one it was made on.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ThemeEdit {
    pub version: i64,
    pub title: Option<String>,
    pub description: Option<String>,
    pub contribution_ids: Option<Vec<String>>,
    pub cluster_ids: Option<Vec<String>>,
}

fn stale(current_version: i64) -> ApiError {
    ApiError::refused(
        StatusCode::CONFLICT,
        "edit_conflict",
        format!(
            "Qualcun altro ha modificato questo elemento nel frattempo (ora alla versione {current_version}): ricarica e riapplica la tua modifica."
        ),
        format!(
            "Someone else changed this in the meantime (now at version {current_version}): reload and apply your change again."
        ),
    )
}

async fn theme_of(
    state: &AppState,
    process_id: &str,
    theme_id: &str,
) -> Result<ThemeRecord, ApiError> {
    state
        .storage
        .theme(theme_id)
        .await?
        .filter(|theme| theme.process_id == process_id)
        .ok_or_else(|| ApiError::not_found("Tema", "Theme"))
}

pub async fn update_theme(
    state: &AppState,
    credentials: &Credentials,
    process_id: &str,
    theme_id: &str,
    edit: ThemeEdit,
) -> Result<ThemeView, ApiError> {
    let (view, _user) = editor(state, credentials, process_id).await?;
    let current = theme_of(state, process_id, theme_id).await?;
    if edit.version != current.version {
        return Err(stale(current.version));
    }
    let title = match &edit.title {
        Some(title) => rules::parse_title(title).map_err(refused)?,
        None => current.title.clone(),
    };
    let description = match &edit.description {
        Some(description) => rules::parse_description(description).map_err(refused)?,
        None => current.description.clone(),
    };
    let index = view.index();
    let contribution_ids = match &edit.contribution_ids {
        Some(ids) => rules::check_links(ids, &index).map_err(refused)?,
        None => current.contribution_ids.clone(),
    };
    let cluster_ids = match &edit.cluster_ids {
        Some(ids) => rules::check_cluster_links(ids, &view.boards).map_err(refused)?,
        None => current.cluster_ids.clone(),
    };
    let update = ThemeUpdate {
        theme_id: theme_id.to_owned(),
        expected_version: current.version,
        title,
        description,
        contributions: contribution_ids
            .iter()
            .map(|id| link_of(&index, id))
            .collect(),
        clusters: cluster_ids
            .iter()
            .map(|id| cluster_link(&view, id))
            .collect(),
    };
    if !state.storage.update_theme(&update, now_ms()).await? {
        let now = theme_of(state, process_id, theme_id).await?;
        return Err(stale(now.version));
    }
    Ok(theme_of(state, process_id, theme_id).await?.into())
}

pub async fn delete_theme(
    state: &AppState,
    credentials: &Credentials,
    process_id: &str,
    theme_id: &str,
) -> Result<(), ApiError> {
    editor(state, credentials, process_id).await?;
    theme_of(state, process_id, theme_id).await?;
    state.storage.delete_theme(theme_id).await?;
    Ok(())
}

// ---------------------------------------------------------------- sheets

pub async fn list_sheets(
    state: &AppState,
    credentials: &Credentials,
    process_id: &str,
    answering: Option<&str>,
) -> Result<Vec<SheetView>, ApiError> {
    reader(state, credentials, process_id).await?;
    Ok(state
        .storage
        .sheets_of(process_id)
        .await?
        .into_iter()
        .filter(|sheet| {
            answering.is_none_or(|id| sheet.contribution_ids.iter().any(|linked| linked == id))
        })
        .map(sheet_view)
        .collect())
}

async fn sheet_of(
    state: &AppState,
    process_id: &str,
    sheet_id: &str,
) -> Result<SheetRecord, ApiError> {
    state
        .storage
        .sheet(sheet_id)
        .await?
        .filter(|sheet| sheet.process_id == process_id)
        .ok_or_else(|| ApiError::not_found("Scheda", "Sheet"))
}

pub async fn get_sheet(
    state: &AppState,
    credentials: &Credentials,
    process_id: &str,
    sheet_id: &str,
) -> Result<SheetView, ApiError> {
    reader(state, credentials, process_id).await?;
    Ok(sheet_view(sheet_of(state, process_id, sheet_id).await?))
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct SheetInput {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub fields: Map<String, Value>,
    #[serde(default)]
    pub contribution_ids: Vec<String>,
    /// The proposal the sheet is drafted from; it must be a proposal of the process.
    #[serde(default)]
    pub source_contribution_id: Option<String>,
}

fn fields_json(fields: &SheetFields) -> Result<String, ApiError> {
    serde_json::to_string(fields).map_err(|error| ApiError::Internal(error.into()))
}

pub async fn create_sheet(
    state: &AppState,
    credentials: &Credentials,
    process_id: &str,
    input: SheetInput,
) -> Result<String, ApiError> {
    let (view, user) = editor(state, credentials, process_id).await?;
    let title = rules::parse_title(&input.title).map_err(refused)?;
    let fields = rules::parse_fields(&input.fields).map_err(refused)?;
    let index = view.index();
    let contribution_ids = rules::check_links(&input.contribution_ids, &index).map_err(refused)?;
    let source = match input.source_contribution_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(id) => {
            rules::check_links(&[id.to_owned()], &index).map_err(refused)?;
            Some(id.to_owned())
        }
    };
    // The first history entry says what the sheet was created with.
    let created = SheetContent::default();
    let patch = SheetPatch {
        title: Some(title.clone()),
        fields: fields
            .iter()
            .map(|(k, v)| (k.clone(), Some(v.clone())))
            .collect(),
        contribution_ids: Some(contribution_ids.clone()),
    };
    let (_, changes) = rules::apply_patch(&created, &patch).map_err(refused)?;
    let new = NewSheet {
        process_id: process_id.to_owned(),
        title,
        fields: fields_json(&fields)?,
        contributions: contribution_ids
            .iter()
            .map(|id| link_of(&index, id))
            .collect(),
        source_contribution_id: source,
        created_by: Some(user.id.clone()),
        by_name: user.name.clone(),
        changes: serde_json::to_string(&changes).map_err(|e| ApiError::Internal(e.into()))?,
    };
    Ok(state.storage.create_sheet(&new, now_ms()).await?)
}

/// Drafts a sheet from a ranked proposal: its text as title and first objective, and the live
/// needs of its cluster as the needs it answers (the office edits both afterwards).
pub async fn create_sheet_from_proposal(
    state: &AppState,
    credentials: &Credentials,
    process_id: &str,
    proposal_id: &str,
) -> Result<String, ApiError> {
    let (view, _) = editor(state, credentials, process_id).await?;
    let index = view.index();
    let located = index.get(proposal_id).ok_or_else(|| {
        refused(SynthesisError::ContributionNotInProcess {
            contribution_id: proposal_id.to_owned(),
        })
    })?;
    let proposal = located.contribution;
    if proposal.kind != ContributionKind::Proposal {
        return Err(ApiError::refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "not_a_proposal",
            "Una scheda si crea da una proposta: questo contributo non lo è.",
            "A sheet is drafted from a proposal: this contribution is not one.",
        ));
    }
    let title: String = proposal
        .text
        .chars()
        .take(tavoli_core::MAX_TITLE_CHARS)
        .collect();
    let needs: Vec<String> = match (
        &proposal.cluster_id,
        view.boards
            .iter()
            .find(|(id, _)| id == located.roundtable_id),
    ) {
        (Some(cluster_id), Some((_, board))) => board
            .live_contributions()
            .filter(|card| {
                card.kind == ContributionKind::Need && card.cluster_id.as_ref() == Some(cluster_id)
            })
            .map(|card| card.contribution_id.clone())
            .collect(),
        _ => Vec::new(),
    };
    let mut fields = Map::new();
    fields.insert("objectives".into(), json!([proposal.text]));
    let input = SheetInput {
        title,
        fields,
        contribution_ids: needs,
        source_contribution_id: Some(proposal_id.to_owned()),
    };
    create_sheet(state, credentials, process_id, input).await
}

/// An edit of a sheet: only what it names changes (`fields` by name; `null` clears one).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct SheetEdit {
    pub version: i64,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub fields: Map<String, Value>,
    #[serde(default)]
    pub contribution_ids: Option<Vec<String>>,
}

/// Why a sheet edit was not stored.
#[derive(Debug)]
pub enum EditRefusal {
    Refused(ApiError),
    /// Someone changed the same parts since `version`: the current sheet, to merge with.
    Conflict {
        current: SheetView,
        conflicting_fields: Vec<String>,
    },
}

impl From<ApiError> for EditRefusal {
    fn from(error: ApiError) -> Self {
        EditRefusal::Refused(error)
    }
}

impl From<crate::storage::StorageError> for EditRefusal {
    fn from(error: crate::storage::StorageError) -> Self {
        EditRefusal::Refused(error.into())
    }
}

impl EditRefusal {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            EditRefusal::Refused(error) => error.message(lang),
            EditRefusal::Conflict {
                conflicting_fields, ..
            } => conflict_message(conflicting_fields, lang),
        }
    }
}

pub fn conflict_message(fields: &[String], lang: Lang) -> String {
    let names = fields.join(", ");
    match lang {
        Lang::It => format!(
            "Qualcun altro ha modificato gli stessi campi nel frattempo ({names}): guarda la versione attuale e decidi cosa tenere."
        ),
        Lang::En => format!(
            "Someone else changed the same fields in the meantime ({names}): look at the current version and decide what to keep."
        ),
    }
}

fn content_of(record: &SheetRecord) -> SheetContent {
    SheetContent {
        title: record.title.clone(),
        fields: sheet_fields(record),
        contribution_ids: record.contribution_ids.clone(),
    }
}

pub async fn update_sheet(
    state: &AppState,
    credentials: &Credentials,
    process_id: &str,
    sheet_id: &str,
    edit: SheetEdit,
) -> Result<SheetView, EditRefusal> {
    let (view, user) = editor(state, credentials, process_id).await?;
    // Parse everything first: a bad edit is refused whatever the version.
    let mut patch = SheetPatch::default();
    if let Some(title) = &edit.title {
        patch.title = Some(rules::parse_title(title).map_err(refused)?);
    }
    for (name, value) in &edit.fields {
        let parsed: Option<FieldValue> = rules::parse_field(name, value).map_err(refused)?;
        patch.fields.insert(name.clone(), parsed);
    }
    let index = view.index();
    if let Some(ids) = &edit.contribution_ids {
        patch.contribution_ids = Some(rules::check_links(ids, &index).map_err(refused)?);
    }
    // Two tries: if another edit lands between our read and our write, merge again once.
    for _ in 0..2 {
        let current = sheet_of(state, process_id, sheet_id).await?;
        if edit.version > current.version || edit.version < 1 {
            return Err(ApiError::refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_version",
                format!(
                    "Versione {} sconosciuta: la scheda è alla versione {}.",
                    edit.version, current.version
                ),
                format!(
                    "Unknown version {}: the sheet is at version {}.",
                    edit.version, current.version
                ),
            )
            .into());
        }
        let content = content_of(&current);
        if edit.version < current.version {
            let history = state.storage.sheet_history(sheet_id).await?;
            let changed_since: Vec<Vec<String>> = history
                .iter()
                .filter(|entry| entry.version > edit.version)
                .map(|entry| {
                    serde_json::from_str::<Vec<Change>>(&entry.changes)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|change| change.field)
                        .collect()
                })
                .collect();
            let conflicts = rules::conflicting_fields(&content, &patch, &changed_since);
            if !conflicts.is_empty() {
                return Err(EditRefusal::Conflict {
                    current: sheet_view(current),
                    conflicting_fields: conflicts,
                });
            }
        }
        let (next, changes) = rules::apply_patch(&content, &patch).map_err(refused)?;
        if changes.is_empty() {
            return Ok(sheet_view(current));
        }
        let update = SheetUpdate {
            sheet_id: sheet_id.to_owned(),
            expected_version: current.version,
            title: next.title.clone(),
            fields: fields_json(&next.fields)?,
            contributions: patch
                .contribution_ids
                .as_ref()
                .map(|ids| ids.iter().map(|id| link_of(&index, id)).collect()),
            changed_by: Some(user.id.clone()),
            by_name: user.name.clone(),
            changes: serde_json::to_string(&changes).map_err(|e| ApiError::Internal(e.into()))?,
        };
        if state.storage.update_sheet(&update, now_ms()).await? {
            return Ok(sheet_view(sheet_of(state, process_id, sheet_id).await?));
        }
    }
    let current = sheet_of(state, process_id, sheet_id).await?;
    Err(EditRefusal::Conflict {
        conflicting_fields: patch.touched(),
        current: sheet_view(current),
    })
}

pub async fn sheet_history(
    state: &AppState,
    credentials: &Credentials,
    process_id: &str,
    sheet_id: &str,
) -> Result<Vec<HistoryEntry>, ApiError> {
    reader(state, credentials, process_id).await?;
    sheet_of(state, process_id, sheet_id).await?;
    Ok(state
        .storage
        .sheet_history(sheet_id)
        .await?
        .into_iter()
        .map(|entry| HistoryEntry {
            version: entry.version,
            at: entry.at,
            by: HistoryAuthor {
                id: entry.changed_by,
                name: entry.by_name,
            },
            changes: serde_json::from_str(&entry.changes).unwrap_or_default(),
        })
        .collect())
}

// ---------------------------------------------------------------- needs, coverage, proposals

/// Every need of the process (live ones), roundtable by roundtable, with its trace.
pub async fn needs(
    state: &AppState,
    credentials: &Credentials,
    process_id: &str,
) -> Result<Vec<NeedView>, ApiError> {
    let (view, _) = reader(state, credentials, process_id).await?;
    needs_of(state, &view).await
}

async fn needs_of(state: &AppState, view: &ProcessView) -> Result<Vec<NeedView>, ApiError> {
    let sheets = state.storage.sheets_of(&view.process.id).await?;
    let themes = state.storage.themes_of(&view.process.id).await?;
    let mut out = Vec::new();
    for (roundtable_id, board) in &view.boards {
        for card in board
            .live_contributions()
            .filter(|card| card.kind == ContributionKind::Need)
        {
            // A sheet answering a card merged into this one answers this one too.
            let answers = |linked: &[String]| {
                let set: BTreeSet<&str> = linked.iter().map(String::as_str).collect();
                rules::is_covered(card, board, &set)
            };
            out.push(NeedView {
                contribution_id: card.contribution_id.clone(),
                roundtable_id: roundtable_id.clone(),
                roundtable_title: view.roundtable_title(roundtable_id),
                text: card.text.clone(),
                cluster_title: card
                    .cluster_id
                    .as_deref()
                    .and_then(|id| board.cluster(id))
                    .map(|cluster| cluster.title.clone()),
                status: card.status,
                sheet_ids: sheets
                    .iter()
                    .filter(|sheet| answers(&sheet.contribution_ids))
                    .map(|sheet| sheet.id.clone())
                    .collect(),
                theme_ids: themes
                    .iter()
                    .filter(|theme| answers(&theme.contribution_ids))
                    .map(|theme| theme.id.clone())
                    .collect(),
            });
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Coverage {
    /// Ids of the needs no sheet answers (API.md).
    pub uncovered: Vec<String>,
    pub total_needs: usize,
    pub covered: usize,
    /// The uncovered needs with their text and roundtable.
    pub needs: Vec<NeedView>,
}

pub async fn coverage(
    state: &AppState,
    credentials: &Credentials,
    process_id: &str,
) -> Result<Coverage, ApiError> {
    let (view, _) = reader(state, credentials, process_id).await?;
    let sheets = state.storage.sheets_of(process_id).await?;
    let linked: BTreeSet<&str> = sheets
        .iter()
        .flat_map(|sheet| sheet.contribution_ids.iter().map(String::as_str))
        .collect();
    let uncovered = rules::uncovered_needs(&view.boards, &linked);
    let all = needs_of(state, &view).await?;
    let total_needs = all.len();
    let needs: Vec<NeedView> = all
        .into_iter()
        .filter(|need| uncovered.contains(&need.contribution_id))
        .collect();
    Ok(Coverage {
        covered: total_needs - uncovered.len(),
        total_needs,
        uncovered,
        needs,
    })
}

/// Proposals ranked by the closed votes of every roundtable, best first within each round.
pub async fn ranked_proposals(
    state: &AppState,
    credentials: &Credentials,
    process_id: &str,
) -> Result<Vec<RankedProposal>, ApiError> {
    let (view, _) = reader(state, credentials, process_id).await?;
    let sheets = state.storage.sheets_of(process_id).await?;
    let mut out = Vec::new();
    for (roundtable_id, board) in &view.boards {
        for round in board.voting_rounds.iter().filter(|round| !round.is_open()) {
            for result in &round.results {
                let Some(card) = board.contribution(&result.contribution_id) else {
                    continue;
                };
                if card.kind != ContributionKind::Proposal
                    || card.status == ContributionStatus::Withdrawn
                {
                    continue;
                }
                out.push(RankedProposal {
                    contribution_id: card.contribution_id.clone(),
                    roundtable_id: roundtable_id.clone(),
                    roundtable_title: view.roundtable_title(roundtable_id),
                    text: card.text.clone(),
                    round: round.round,
                    rank: result.rank,
                    dots: result.dots,
                    sheet_ids: sheets
                        .iter()
                        .filter(|sheet| {
                            sheet.source_contribution_id.as_deref()
                                == Some(card.contribution_id.as_str())
                        })
                        .map(|sheet| sheet.id.clone())
                        .collect(),
                });
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- suggestions

/// A suggestion with the texts of its needs, so it can be judged without another request.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SuggestionView {
    #[serde(flatten)]
    pub suggestion: ThemeSuggestion,
    pub needs: Vec<NeedText>,
}

async fn compute_suggestions(
    state: &AppState,
    view: &ProcessView,
) -> Result<Vec<SuggestionView>, ApiError> {
    let needs: Vec<NeedText> = view
        .boards
        .iter()
        .flat_map(|(roundtable_id, board)| {
            board
                .live_contributions()
                .filter(|card| card.kind == ContributionKind::Need)
                .map(|card| NeedText {
                    contribution_id: card.contribution_id.clone(),
                    roundtable_id: roundtable_id.clone(),
                    text: card.text.clone(),
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let decided: BTreeSet<String> = state
        .storage
        .suggestion_decisions(&view.process.id)
        .await?
        .into_iter()
        .map(|(pair_key, _)| pair_key)
        .collect();
    let themes = state.storage.themes_of(&view.process.id).await?;
    let in_one_theme = |a: &str, b: &str| {
        themes.iter().any(|theme| {
            theme.contribution_ids.iter().any(|id| id == a)
                && theme.contribution_ids.iter().any(|id| id == b)
        })
    };
    let suggestions = similarity::suggest_themes(&needs, similarity::DEFAULT_THRESHOLD, |a, b| {
        decided.contains(&similarity::pair_key(a, b)) || in_one_theme(a, b)
    });
    Ok(suggestions
        .into_iter()
        .map(|suggestion| {
            let texts = suggestion
                .contribution_ids
                .iter()
                .filter_map(|id| {
                    needs
                        .iter()
                        .find(|need| &need.contribution_id == id)
                        .cloned()
                })
                .collect();
            SuggestionView {
                suggestion,
                needs: texts,
            }
        })
        .collect())
}

pub async fn suggestions(
    state: &AppState,
    credentials: &Credentials,
    process_id: &str,
) -> Result<Vec<SuggestionView>, ApiError> {
    let (view, _) = editor(state, credentials, process_id).await?;
    compute_suggestions(state, &view).await
}

async fn find_suggestion(
    state: &AppState,
    view: &ProcessView,
    suggestion_id: &str,
) -> Result<SuggestionView, ApiError> {
    compute_suggestions(state, view)
        .await?
        .into_iter()
        .find(|candidate| candidate.suggestion.suggestion_id == suggestion_id)
        .ok_or_else(|| {
            ApiError::refused(
                StatusCode::NOT_FOUND,
                "suggestion_not_found",
                "Questo suggerimento non c'è più (i bisogni o le decisioni sono cambiati): ricarica i suggerimenti.",
                "This suggestion is gone (needs or decisions changed): reload the suggestions.",
            )
        })
}

/// Accepts a suggestion as a new theme; the title, description and needs may be edited first
/// (empty `contribution_ids` keeps the suggested ones).
pub async fn accept_suggestion(
    state: &AppState,
    credentials: &Credentials,
    process_id: &str,
    suggestion_id: &str,
    mut input: ThemeInput,
) -> Result<String, ApiError> {
    let (view, _) = editor(state, credentials, process_id).await?;
    let found = find_suggestion(state, &view, suggestion_id).await?;
    if input.contribution_ids.is_empty() {
        input.contribution_ids = found.suggestion.contribution_ids.clone();
    }
    let pairs = found
        .suggestion
        .pairs
        .iter()
        .map(|pair| similarity::pair_key(&pair.contribution_ids[0], &pair.contribution_ids[1]))
        .collect();
    create_theme_with(state, credentials, process_id, input, pairs).await
}

/// Rejects a suggestion: its pairs are not suggested again.
pub async fn reject_suggestion(
    state: &AppState,
    credentials: &Credentials,
    process_id: &str,
    suggestion_id: &str,
) -> Result<(), ApiError> {
    let (view, user) = editor(state, credentials, process_id).await?;
    let found = find_suggestion(state, &view, suggestion_id).await?;
    let pairs: Vec<String> = found
        .suggestion
        .pairs
        .iter()
        .map(|pair| similarity::pair_key(&pair.contribution_ids[0], &pair.contribution_ids[1]))
        .collect();
    state
        .storage
        .record_rejection(process_id, &pairs, Some(&user.id), now_ms())
        .await?;
    Ok(())
}
