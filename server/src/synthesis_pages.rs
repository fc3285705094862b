//! The synthesis pages' backend (`tavoli_app::api_synthesis::SynthesisBackend`): the same
//! service as the JSON API, shaped for the pages. Refusals come back as messages in the
//! caller's language; only a broken server becomes an error.

use std::sync::Arc;

use serde_json::{Map, Value, json};
use tavoli_app::{
    api::BackendFuture,
    api_synthesis::{
        Caller, ChangeItem, HistoryItem, NeedItem, Overview, PairWhy, ProposalItem, Reply,
        SaveOutcome, SheetItem, SheetPageData, SuggestionItem, SynthesisBackend, ThemeItem,
    },
};
use tavoli_core::{
    Lang, PolicyArea,
    synthesis::{FieldValue, SHEET_FIELDS, field_spec},
};

use crate::{
    http::{error::ApiError, session::Credentials},
    state::AppState,
    synthesis::{
        self as service, EditRefusal, NeedView, SheetEdit, SheetInput, SheetView, ThemeInput,
    },
};

pub struct SynthesisPages {
    pub state: AppState,
}

impl SynthesisPages {
    pub fn shared(state: AppState) -> Arc<dyn SynthesisBackend> {
        Arc::new(SynthesisPages { state })
    }
}

/// A refusal becomes a message; an internal error stays an error (logged by the caller).
fn reply<T>(lang: Lang, result: Result<T, ApiError>) -> Result<Reply<T>, String> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(ApiError::Internal(cause)) => {
            tracing::error!(error = ?cause, "synthesis page failed");
            Err("internal error".into())
        }
        Err(error) => Ok(Err(error.message(lang))),
    }
}

fn need_item(need: NeedView) -> NeedItem {
    NeedItem {
        id: need.contribution_id,
        roundtable_title: need.roundtable_title,
        text: need.text,
        cluster_title: need.cluster_title,
        sheet_ids: need.sheet_ids,
        theme_ids: need.theme_ids,
    }
}

fn lines_of(value: &Value) -> Vec<String> {
    match serde_json::from_value::<FieldValue>(value.clone()) {
        Ok(value) => value.lines(),
        Err(_) => Vec::new(),
    }
}

fn sheet_item(sheet: SheetView) -> SheetItem {
    SheetItem {
        id: sheet.id,
        title: sheet.title,
        fields: sheet
            .fields
            .iter()
            .map(|(name, value)| (name.clone(), lines_of(value)))
            .collect(),
        contribution_ids: sheet.contribution_ids,
        source_contribution_id: sheet.source_contribution_id,
        version: sheet.version,
    }
}

fn text_of(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().unwrap_or_default().to_owned())
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

async fn overview(
    state: &AppState,
    credentials: &Credentials,
    process_id: &str,
) -> Result<Overview, ApiError> {
    let (view, user) = service::reader(state, credentials, process_id).await?;
    let can_edit = user.is_some_and(|user| user.role == "planning_office");
    let themes = service::list_themes(state, credentials, process_id).await?;
    let sheets = service::list_sheets(state, credentials, process_id, None).await?;
    let coverage = service::coverage(state, credentials, process_id).await?;
    let needs = service::needs(state, credentials, process_id).await?;
    let proposals = service::ranked_proposals(state, credentials, process_id).await?;
    let suggestions = if can_edit {
        service::suggestions(state, credentials, process_id).await?
    } else {
        Vec::new()
    };
    Ok(Overview {
        process_id: process_id.to_owned(),
        process_title: view.process.title.clone(),
        can_edit,
        themes: themes
            .into_iter()
            .map(|theme| ThemeItem {
                id: theme.id,
                title: theme.title,
                description: theme.description,
                contribution_ids: theme.contribution_ids,
            })
            .collect(),
        sheets: sheets.into_iter().map(sheet_item).collect(),
        needs: needs.into_iter().map(need_item).collect(),
        uncovered: coverage.uncovered,
        proposals: proposals
            .into_iter()
            .map(|proposal| ProposalItem {
                id: proposal.contribution_id,
                roundtable_title: proposal.roundtable_title,
                text: proposal.text,
                rank: proposal.rank,
                dots: proposal.dots,
                sheet_ids: proposal.sheet_ids,
            })
            .collect(),
        suggestions: suggestions
            .into_iter()
            .map(|found| SuggestionItem {
                id: found.suggestion.suggestion_id,
                contribution_ids: found.suggestion.contribution_ids,
                keywords: found.suggestion.keywords,
                pairs: found
                    .suggestion
                    .pairs
                    .into_iter()
                    .map(|pair| PairWhy {
                        contribution_ids: pair.contribution_ids,
                        score: pair.score,
                        words: pair
                            .shared
                            .into_iter()
                            .flat_map(|term| term.words)
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
    })
}

async fn sheet_page(
    state: &AppState,
    credentials: &Credentials,
    process_id: &str,
    sheet_id: &str,
) -> Result<SheetPageData, ApiError> {
    let (view, user) = service::reader(state, credentials, process_id).await?;
    let can_edit = user.is_some_and(|user| user.role == "planning_office");
    let sheet = service::get_sheet(state, credentials, process_id, sheet_id).await?;
    let needs = service::needs(state, credentials, process_id).await?;
    let history = service::sheet_history(state, credentials, process_id, sheet_id).await?;
    Ok(SheetPageData {
        process_id: process_id.to_owned(),
        process_title: view.process.title.clone(),
        can_edit,
        sheet: sheet_item(sheet),
        needs: needs.into_iter().map(need_item).collect(),
        history: history
            .into_iter()
            .rev()
            .map(|entry| HistoryItem {
                version: entry.version,
                at: entry.at,
                by: entry.by.name,
                changes: entry
                    .changes
                    .into_iter()
                    .map(|change| ChangeItem {
                        field: change.field,
                        before: text_of(&change.before),
                        after: text_of(&change.after),
                    })
                    .collect(),
            })
            .collect(),
    })
}

/// One part of the sheet as the page edits it, as an API edit. Unticking a policy area also
/// clears its key points, so the form never holds key points the API would refuse.
fn edit_of(current: &SheetView, field: &str, lines: Vec<String>) -> SheetEdit {
    let mut edit = SheetEdit {
        version: current.version,
        ..SheetEdit::default()
    };
    match field {
        "title" => edit.title = Some(lines.join(" ")),
        "contribution_ids" => edit.contribution_ids = Some(lines),
        name => {
            let value = match field_spec(name).map(|spec| spec.kind) {
                Some(tavoli_core::synthesis::FieldKind::Text) => Value::String(lines.join("\n")),
                _ => json!(lines),
            };
            if name == "policy_areas" {
                for spec in SHEET_FIELDS {
                    if let Some(area) = spec.key_points_area()
                        && current.fields.contains_key(spec.name)
                        && !lines
                            .iter()
                            .any(|letter| PolicyArea::parse(letter) == Ok(area))
                    {
                        edit.fields.insert(spec.name.to_owned(), Value::Null);
                    }
                }
            }
            edit.fields.insert(name.to_owned(), value);
        }
    }
    edit
}

fn current_lines(sheet: &SheetView, field: &str) -> Vec<String> {
    match field {
        "title" => vec![sheet.title.clone()],
        "contribution_ids" => sheet.contribution_ids.clone(),
        name => sheet.fields.get(name).map(lines_of).unwrap_or_default(),
    }
}

impl SynthesisBackend for SynthesisPages {
    fn overview(&self, caller: Caller, process_id: String) -> BackendFuture<Reply<Overview>> {
        let state = self.state.clone();
        Box::pin(async move {
            let credentials = Credentials::from_headers(&caller.headers);
            reply(
                caller.lang,
                overview(&state, &credentials, &process_id).await,
            )
        })
    }

    fn sheet(
        &self,
        caller: Caller,
        process_id: String,
        sheet_id: String,
    ) -> BackendFuture<Reply<SheetPageData>> {
        let state = self.state.clone();
        Box::pin(async move {
            let credentials = Credentials::from_headers(&caller.headers);
            reply(
                caller.lang,
                sheet_page(&state, &credentials, &process_id, &sheet_id).await,
            )
        })
    }

    fn create_theme(
        &self,
        caller: Caller,
        process_id: String,
        title: String,
        description: String,
        contribution_ids: Vec<String>,
    ) -> BackendFuture<Reply<String>> {
        let state = self.state.clone();
        Box::pin(async move {
            let credentials = Credentials::from_headers(&caller.headers);
            let input = ThemeInput {
                title,
                description,
                contribution_ids,
                cluster_ids: Vec::new(),
            };
            reply(
                caller.lang,
                service::create_theme(&state, &credentials, &process_id, input).await,
            )
        })
    }

    fn create_sheet(
        &self,
        caller: Caller,
        process_id: String,
        title: String,
    ) -> BackendFuture<Reply<String>> {
        let state = self.state.clone();
        Box::pin(async move {
            let credentials = Credentials::from_headers(&caller.headers);
            let input = SheetInput {
                title,
                fields: Map::new(),
                contribution_ids: Vec::new(),
                source_contribution_id: None,
            };
            reply(
                caller.lang,
                service::create_sheet(&state, &credentials, &process_id, input).await,
            )
        })
    }

    fn create_sheet_from_proposal(
        &self,
        caller: Caller,
        process_id: String,
        proposal_id: String,
    ) -> BackendFuture<Reply<String>> {
        let state = self.state.clone();
        Box::pin(async move {
            let credentials = Credentials::from_headers(&caller.headers);
            reply(
                caller.lang,
                service::create_sheet_from_proposal(
                    &state,
                    &credentials,
                    &process_id,
                    &proposal_id,
                )
                .await,
            )
        })
    }

    fn save(
        &self,
        caller: Caller,
        process_id: String,
        sheet_id: String,
        version: i64,
        field: String,
        lines: Vec<String>,
    ) -> BackendFuture<SaveOutcome> {
        let state = self.state.clone();
        Box::pin(async move {
            let credentials = Credentials::from_headers(&caller.headers);
            let current =
                match service::get_sheet(&state, &credentials, &process_id, &sheet_id).await {
                    Ok(current) => current,
                    Err(error) => {
                        return reply::<()>(caller.lang, Err(error)).map(|refusal| {
                            SaveOutcome::Refused {
                                message: refusal.err().unwrap_or_default(),
                            }
                        });
                    }
                };
            let mut edit = edit_of(&current, &field, lines);
            edit.version = version;
            match service::update_sheet(&state, &credentials, &process_id, &sheet_id, edit).await {
                Ok(sheet) => Ok(SaveOutcome::Saved {
                    version: sheet.version,
                }),
                Err(EditRefusal::Conflict {
                    current,
                    conflicting_fields,
                }) => Ok(SaveOutcome::Conflict {
                    current_version: current.version,
                    current_lines: current_lines(&current, &field),
                    message: service::conflict_message(&conflicting_fields, caller.lang),
                }),
                Err(EditRefusal::Refused(error)) => {
                    reply::<()>(caller.lang, Err(error)).map(|refusal| SaveOutcome::Refused {
                        message: refusal.err().unwrap_or_default(),
                    })
                }
            }
        })
    }

    fn accept_suggestion(
        &self,
        caller: Caller,
        process_id: String,
        suggestion_id: String,
        title: String,
    ) -> BackendFuture<Reply<String>> {
        let state = self.state.clone();
        Box::pin(async move {
            let credentials = Credentials::from_headers(&caller.headers);
            let input = ThemeInput {
                title,
                ..ThemeInput::default()
            };
            reply(
                caller.lang,
                service::accept_suggestion(
                    &state,
                    &credentials,
                    &process_id,
                    &suggestion_id,
                    input,
                )
                .await,
            )
        })
    }

    fn reject_suggestion(
        &self,
        caller: Caller,
        process_id: String,
        suggestion_id: String,
    ) -> BackendFuture<Reply<()>> {
        let state = self.state.clone();
        Box::pin(async move {
            let credentials = Credentials::from_headers(&caller.headers);
            reply(
                caller.lang,
                service::reject_suggestion(&state, &credentials, &process_id, &suggestion_id).await,
            )
        })
    }
}
