//! The synthesis of a process (`/percorsi/{id}/sintesi`): cross-cutting themes and suggested
//! ones, ranked proposals to draft sheets from, the intervention sheets, and every need with
//! the sheets that answer it (coverage). The planning office edits; participants read.

use std::collections::{BTreeMap, BTreeSet};

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::api_synthesis::{
    NeedItem, Overview, SuggestionItem, accept_suggestion, create_sheet,
    create_sheet_from_proposal, create_theme, load_overview, reject_suggestion,
};
use crate::i18n::{Lang, tr, use_lang};

/// The address of a sheet's page.
pub fn sheet_href(process_id: &str, sheet_id: &str) -> String {
    format!("/percorsi/{process_id}/sintesi/schede/{sheet_id}")
}

/// The address of a need on the synthesis page.
pub fn need_href(process_id: &str, need_id: &str) -> String {
    format!("/percorsi/{process_id}/sintesi#bisogno-{need_id}")
}

/// Italian or English of a text built at run time.
pub fn tr_owned(lang: Lang, it: String, en: String) -> String {
    match lang {
        Lang::It => it,
        Lang::En => en,
    }
}

/// True once the page runs in the browser: tests and users know the buttons work.
pub fn hydrated_marker() -> RwSignal<bool> {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    hydrated
}

#[component]
pub fn SynthesisPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let process_id = move || params.read().get("id").unwrap_or_default();
    let refresh = RwSignal::new(0u32);
    let overview = Resource::new(
        move || (process_id(), refresh.get()),
        |(process_id, _)| load_overview(process_id),
    );
    let hydrated = hydrated_marker();
    view! {
        <div class="synthesis" data-hydrated=move || hydrated.get().to_string()>
            <Transition fallback=move || view! { <p>{move || tr(lang.get(), "Caricamento…", "Loading…")}</p> }>
                {move || overview.get().map(|result| match result {
                    Ok(Ok(overview)) => view! { <OverviewView overview refresh /> }.into_any(),
                    Ok(Err(message)) => view! {
                        <Title text=move || tr(lang.get(), "Sintesi", "Synthesis").to_string() />
                        <h1>{move || tr(lang.get(), "Sintesi", "Synthesis")}</h1>
                        <p role="alert">{message}</p>
                    }.into_any(),
                    Err(_) => view! {
                        <h1>{move || tr(lang.get(), "Sintesi", "Synthesis")}</h1>
                        <p role="alert">{move || tr(lang.get(), "Non è stato possibile caricare la sintesi.", "The synthesis could not be loaded.")}</p>
                    }.into_any(),
                })}
            </Transition>
        </div>
    }
}

#[component]
fn OverviewView(overview: Overview, refresh: RwSignal<u32>) -> impl IntoView {
    let lang = use_lang();
    let needs: BTreeMap<String, NeedItem> = overview
        .needs
        .iter()
        .map(|need| (need.id.clone(), need.clone()))
        .collect();
    let needs = StoredValue::new(needs);
    let sheet_titles: BTreeMap<String, String> = overview
        .sheets
        .iter()
        .map(|sheet| (sheet.id.clone(), sheet.title.clone()))
        .collect();
    let theme_titles: BTreeMap<String, String> = overview
        .themes
        .iter()
        .map(|theme| (theme.id.clone(), theme.title.clone()))
        .collect();
    let process_id = overview.process_id.clone();
    let title = overview.process_title.clone();
    let total = overview.needs.len();
    let covered = total - overview.uncovered.len();
    let can_edit = overview.can_edit;
    let page_title = {
        let title = title.clone();
        move || {
            tr_owned(
                lang.get(),
                format!("Sintesi – {title}"),
                format!("Synthesis – {title}"),
            )
        }
    };
    let themes_section = view! {
        <section aria-labelledby="temi">
            <h2 id="temi">{move || tr(lang.get(), "Dimensioni trasversali", "Cross-cutting themes")}</h2>
            {if overview.themes.is_empty() {
                view! { <p class="muted">{move || tr(lang.get(), "Nessuna dimensione trasversale ancora.", "No cross-cutting theme yet.")}</p> }.into_any()
            } else {
                let process_id = process_id.clone();
                view! {
                    <ul class="stack plain-list">
                        {overview.themes.into_iter().map(|theme| {
                            let process_id = process_id.clone();
                            view! {
                                <li class="card theme" data-testid="theme">
                                    <h3>{theme.title}</h3>
                                    <p>{theme.description}</p>
                                    <ul>
                                        {theme.contribution_ids.into_iter().map(|id| {
                                            let need = needs.with_value(|needs| needs.get(&id).cloned());
                                            let href = need_href(&process_id, &id);
                                            view! {
                                                <li>
                                                    <a href=href>{need.as_ref().map(|need| need.text.clone()).unwrap_or_else(|| id.clone())}</a>
                                                    " "
                                                    <span class="muted">{need.map(|need| format!("({})", need.roundtable_title))}</span>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {can_edit.then(|| view! { <NewTheme process_id=process_id.clone() needs=overview.needs.clone() refresh /> }.into_any())}
            {(can_edit && !overview.suggestions.is_empty()).then(|| view! {
                <Suggestions process_id=process_id.clone() suggestions=overview.suggestions.clone() needs refresh />
            }.into_any())}
        </section>
    }
    .into_any();
    let proposals_section = view! {
        <section aria-labelledby="proposte">
            <h2 id="proposte">{move || tr(lang.get(), "Proposte prioritarie", "Top proposals")}</h2>
            <p class="muted">{move || tr(lang.get(), "Le proposte nell'ordine delle votazioni chiuse di ogni tavolo.", "Proposals in the order of each roundtable's closed votes.")}</p>
            {if overview.proposals.is_empty() {
                view! { <p class="muted">{move || tr(lang.get(), "Nessuna votazione chiusa ancora.", "No closed vote yet.")}</p> }.into_any()
            } else {
                view! {
                    <ol class="stack plain-list">
                        {overview.proposals.into_iter().map(|proposal| {
                            let process_id = process_id.clone();
                            view! { <ProposalRow process_id proposal can_edit sheet_titles=sheet_titles.clone() /> }
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
    .into_any();
    let sheets_section = view! {
        <section aria-labelledby="schede">
            <h2 id="schede">{move || tr(lang.get(), "Schede intervento", "Intervention sheets")}</h2>
            {if overview.sheets.is_empty() {
                view! { <p class="muted">{move || tr(lang.get(), "Nessuna scheda ancora.", "No sheet yet.")}</p> }.into_any()
            } else {
                let process_id = process_id.clone();
                view! {
                    <ul class="stack plain-list">
                        {overview.sheets.into_iter().map(|sheet| {
                            let count = sheet.contribution_ids.len();
                            view! {
                                <li class="card" data-testid="sheet">
                                    <a href=sheet_href(&process_id, &sheet.id)>{sheet.title}</a>
                                    " "
                                    <span class="muted">{move || tr_owned(lang.get(), format!("risponde a {count} bisogni"), format!("answers {count} needs"))}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {can_edit.then(|| view! { <NewSheet process_id=process_id.clone() /> }.into_any())}
        </section>
    }
    .into_any();
    let needs_section = view! {
        <section aria-labelledby="bisogni">
            <h2 id="bisogni">{move || tr(lang.get(), "Bisogni e schede", "Needs and sheets")}</h2>
            <h3 id="senza-scheda">{move || tr_owned(lang.get(), format!("Bisogni senza scheda ({})", total - covered), format!("Needs no sheet answers ({})", total - covered))}</h3>
            <ul data-testid="uncovered">
                {overview.uncovered.iter().map(|id| {
                    let need = needs.with_value(|needs| needs.get(id).cloned());
                    let href = format!("#bisogno-{id}");
                    view! { <li><a href=href>{need.map(|need| need.text).unwrap_or_default()}</a></li> }
                }).collect_view()}
            </ul>
            <h3>{move || tr(lang.get(), "Tutti i bisogni, tavolo per tavolo", "All needs, roundtable by roundtable")}</h3>
            <ul class="stack plain-list">
                {overview.needs.into_iter().map(|need| {
                    let process_id = process_id.clone();
                    let sheet_titles = sheet_titles.clone();
                    let theme_titles = theme_titles.clone();
                    let answered = !need.sheet_ids.is_empty();
                    view! {
                        <li class="card need" id=format!("bisogno-{}", need.id) data-testid="need">
                            <p class="need-text">{need.text.clone()}</p>
                            <p class="muted">
                                {need.roundtable_title.clone()}
                                {need.cluster_title.clone().map(|cluster| format!(" · {cluster}"))}
                            </p>
                            {if answered {
                                view! {
                                    <p>
                                        {move || tr(lang.get(), "Schede che rispondono: ", "Sheets answering it: ")}
                                        {need.sheet_ids.iter().map(|sheet_id| {
                                            let title = sheet_titles.get(sheet_id).cloned().unwrap_or_default();
                                            view! { <a class="trace" href=sheet_href(&process_id, sheet_id)>{title}</a>" " }
                                        }).collect_view()}
                                    </p>
                                }.into_any()
                            } else {
                                view! { <p class="uncovered">{move || tr(lang.get(), "Nessuna scheda risponde ancora a questo bisogno.", "No sheet answers this need yet.")}</p> }.into_any()
                            }}
                            {(!need.theme_ids.is_empty()).then(|| view! {
                                <p class="muted">
                                    {move || tr(lang.get(), "Dimensioni trasversali: ", "Cross-cutting themes: ")}
                                    {need.theme_ids.iter().map(|id| theme_titles.get(id).cloned().unwrap_or_default()).collect::<Vec<_>>().join(", ")}
                                </p>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
    .into_any();
    view! {
        <Title text=page_title />
        <h1>{move || tr(lang.get(), "Sintesi del percorso", "Synthesis of the process")}</h1>
        <p class="lead">{title}</p>
        <nav aria-label=move || tr(lang.get(), "Sezioni della sintesi", "Synthesis sections")>
            <ul class="inline-list">
                <li><a href="#temi">{move || tr(lang.get(), "Dimensioni trasversali", "Cross-cutting themes")}</a></li>
                <li><a href="#proposte">{move || tr(lang.get(), "Proposte prioritarie", "Top proposals")}</a></li>
                <li><a href="#schede">{move || tr(lang.get(), "Schede intervento", "Intervention sheets")}</a></li>
                <li><a href="#bisogni">{move || tr(lang.get(), "Bisogni e schede", "Needs and sheets")}</a></li>
            </ul>
        </nav>
        <p class="coverage-summary" data-testid="coverage-summary">
            {move || tr_owned(
                lang.get(),
                format!("{covered} bisogni su {total} hanno almeno una scheda che risponde."),
                format!("{covered} of {total} needs have at least one sheet answering them."),
            )}
        </p>
        {themes_section}
        {proposals_section}
        {sheets_section}
        {needs_section}
    }
}

#[component]
fn ProposalRow(
    process_id: String,
    proposal: crate::api_synthesis::ProposalItem,
    can_edit: bool,
    sheet_titles: BTreeMap<String, String>,
) -> impl IntoView {
    let lang = use_lang();
    let navigate = use_navigate();
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let rank = proposal.rank;
    let dots = proposal.dots;
    let proposal_id = proposal.id.clone();
    let draft = {
        let process_id = process_id.clone();
        move |_| {
            let process_id = process_id.clone();
            let proposal_id = proposal_id.clone();
            let navigate = navigate.clone();
            busy.set(true);
            spawn_local(async move {
                match create_sheet_from_proposal(process_id.clone(), proposal_id).await {
                    Ok(Ok(sheet_id)) => {
                        navigate(&sheet_href(&process_id, &sheet_id), Default::default())
                    }
                    Ok(Err(message)) => error.set(Some(message)),
                    Err(_) => error.set(Some(
                        tr(
                            lang.get_untracked(),
                            "Connessione non riuscita: riprova.",
                            "Connection failed: try again.",
                        )
                        .to_string(),
                    )),
                }
                busy.set(false);
            });
        }
    };
    view! {
        <li class="card proposal" data-testid="proposal">
            <p>
                <strong>{move || tr_owned(lang.get(), format!("{rank}ª posizione"), format!("Rank {rank}"))}</strong>
                " · "
                {move || tr_owned(lang.get(), format!("{dots} voti"), format!("{dots} dots"))}
                " · "
                <span class="muted">{proposal.roundtable_title.clone()}</span>
            </p>
            <p>{proposal.text.clone()}</p>
            {proposal.sheet_ids.iter().map(|sheet_id| {
                let title = sheet_titles.get(sheet_id).cloned().unwrap_or_default();
                view! { <p>{move || tr(lang.get(), "Scheda: ", "Sheet: ")}<a href=sheet_href(&process_id, sheet_id)>{title}</a></p> }
            }).collect_view()}
            {can_edit.then(|| view! {
                <button type="button" class="btn" on:click=draft.clone() disabled=move || busy.get()>
                    {move || tr(lang.get(), "Crea una scheda da questa proposta", "Draft a sheet from this proposal")}
                </button>
            })}
            {move || error.get().map(|message| view! { <p role="alert" class="error">{message}</p> })}
        </li>
    }
}

#[component]
fn NewTheme(process_id: String, needs: Vec<NeedItem>, refresh: RwSignal<u32>) -> impl IntoView {
    let lang = use_lang();
    let title = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let selected = RwSignal::new(BTreeSet::<String>::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let process_id = process_id.clone();
        let ids: Vec<String> = selected.get_untracked().into_iter().collect();
        spawn_local(async move {
            match create_theme(
                process_id,
                title.get_untracked(),
                description.get_untracked(),
                ids,
            )
            .await
            {
                Ok(Ok(_)) => refresh.update(|n| *n += 1),
                Ok(Err(message)) => error.set(Some(message)),
                Err(_) => error.set(Some(
                    tr(
                        lang.get_untracked(),
                        "Connessione non riuscita: riprova.",
                        "Connection failed: try again.",
                    )
                    .to_string(),
                )),
            }
        });
    };
    view! {
        <form class="stack card" on:submit=submit aria-labelledby="nuovo-tema">
            <h3 id="nuovo-tema">{move || tr(lang.get(), "Nuova dimensione trasversale", "New cross-cutting theme")}</h3>
            <label for="tema-titolo">{move || tr(lang.get(), "Titolo", "Title")}</label>
            <input id="tema-titolo" type="text" maxlength="200" prop:value=title on:input=move |ev| title.set(event_target_value(&ev)) />
            <label for="tema-descrizione">{move || tr(lang.get(), "Descrizione", "Description")}</label>
            <textarea id="tema-descrizione" prop:value=description on:input=move |ev| description.set(event_target_value(&ev))></textarea>
            <fieldset>
                <legend>{move || tr(lang.get(), "Bisogni collegati", "Linked needs")}</legend>
                {needs.into_iter().map(|need| {
                    let id = need.id.clone();
                    let input_id = format!("tema-bisogno-{}", need.id);
                    view! {
                        <div class="check">
                            <input type="checkbox" id=input_id.clone() on:change=move |ev| {
                                let checked = event_target_checked(&ev);
                                let id = id.clone();
                                selected.update(|set| { if checked { set.insert(id); } else { set.remove(&id); } });
                            } />
                            <label for=input_id>{need.text}" "<span class="muted">{format!("({})", need.roundtable_title)}</span></label>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            {move || error.get().map(|message| view! { <p role="alert" class="error">{message}</p> })}
            <button type="submit" class="btn btn-primary">{move || tr(lang.get(), "Crea la dimensione trasversale", "Create the theme")}</button>
        </form>
    }
}

#[component]
fn Suggestions(
    process_id: String,
    suggestions: Vec<SuggestionItem>,
    needs: StoredValue<BTreeMap<String, NeedItem>>,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <h3 id="suggerimenti">{move || tr(lang.get(), "Suggerimenti: bisogni simili in tavoli diversi", "Suggestions: similar needs at different roundtables")}</h3>
        <p class="muted">{move || tr(lang.get(), "Proposti confrontando le parole dei bisogni; non cambiano nulla finché non li accetti.", "Found by comparing the needs' words; they change nothing until you accept them.")}</p>
        <ul class="stack plain-list">
            {suggestions.into_iter().enumerate().map(|(index, suggestion)| {
                let process_id = process_id.clone();
                view! { <SuggestionCard index process_id suggestion needs refresh /> }
            }).collect_view()}
        </ul>
    }
}

#[component]
fn SuggestionCard(
    index: usize,
    process_id: String,
    suggestion: SuggestionItem,
    needs: StoredValue<BTreeMap<String, NeedItem>>,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let lang = use_lang();
    let first = suggestion.keywords.first().cloned().unwrap_or_default();
    let mut chars = first.chars();
    let proposed = chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default();
    let title = RwSignal::new(proposed);
    let error = RwSignal::new(None::<String>);
    let text_of = move |id: &str| {
        needs.with_value(|needs| {
            needs
                .get(id)
                .map(|need| (need.text.clone(), need.roundtable_title.clone()))
                .unwrap_or_default()
        })
    };
    let accept = {
        let process_id = process_id.clone();
        let suggestion_id = suggestion.id.clone();
        move |_| {
            let process_id = process_id.clone();
            let suggestion_id = suggestion_id.clone();
            spawn_local(async move {
                match accept_suggestion(process_id, suggestion_id, title.get_untracked()).await {
                    Ok(Ok(_)) => refresh.update(|n| *n += 1),
                    Ok(Err(message)) => error.set(Some(message)),
                    Err(_) => error.set(Some(
                        tr(
                            lang.get_untracked(),
                            "Connessione non riuscita: riprova.",
                            "Connection failed: try again.",
                        )
                        .to_string(),
                    )),
                }
            });
        }
    };
    let reject = {
        let suggestion_id = suggestion.id.clone();
        move |_| {
            let process_id = process_id.clone();
            let suggestion_id = suggestion_id.clone();
            spawn_local(async move {
                match reject_suggestion(process_id, suggestion_id).await {
                    Ok(Ok(())) => refresh.update(|n| *n += 1),
                    Ok(Err(message)) => error.set(Some(message)),
                    Err(_) => error.set(Some(
                        tr(
                            lang.get_untracked(),
                            "Connessione non riuscita: riprova.",
                            "Connection failed: try again.",
                        )
                        .to_string(),
                    )),
                }
            });
        }
    };
    let input_id = format!("suggerimento-{index}");
    view! {
        <li class="card suggestion" data-testid="suggestion">
            <ul>
                {suggestion.contribution_ids.iter().map(|id| {
                    let (text, roundtable) = text_of(id);
                    view! { <li>{text}" "<span class="muted">{format!("({roundtable})")}</span></li> }
                }).collect_view()}
            </ul>
            <p class="muted">
                {move || tr(lang.get(), "Perché: parole in comune ", "Why: shared words ")}
                {suggestion.pairs.iter().map(|pair| {
                    let mut words = pair.words.clone();
                    words.dedup();
                    format!("«{}» ({:.2})", words.join(", "), pair.score)
                }).collect::<Vec<_>>().join("; ")}
            </p>
            <label for=input_id.clone()>{move || tr(lang.get(), "Titolo della dimensione", "Theme title")}</label>
            <input id=input_id type="text" maxlength="200" prop:value=title on:input=move |ev| title.set(event_target_value(&ev)) />
            <p class="button-row">
                <button type="button" class="btn btn-primary" on:click=accept>{move || tr(lang.get(), "Accetta come dimensione", "Accept as a theme")}</button>
                " "
                <button type="button" class="btn" on:click=reject>{move || tr(lang.get(), "Scarta", "Reject")}</button>
            </p>
            {move || error.get().map(|message| view! { <p role="alert" class="error">{message}</p> })}
        </li>
    }
}

#[component]
fn NewSheet(process_id: String) -> impl IntoView {
    let lang = use_lang();
    let navigate = use_navigate();
    let title = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let process_id = process_id.clone();
        let navigate = navigate.clone();
        spawn_local(async move {
            match create_sheet(process_id.clone(), title.get_untracked()).await {
                Ok(Ok(sheet_id)) => {
                    navigate(&sheet_href(&process_id, &sheet_id), Default::default())
                }
                Ok(Err(message)) => error.set(Some(message)),
                Err(_) => error.set(Some(
                    tr(
                        lang.get_untracked(),
                        "Connessione non riuscita: riprova.",
                        "Connection failed: try again.",
                    )
                    .to_string(),
                )),
            }
        });
    };
    view! {
        <form class="stack card" on:submit=submit aria-labelledby="nuova-scheda">
            <h3 id="nuova-scheda">{move || tr(lang.get(), "Nuova scheda da zero", "New sheet from scratch")}</h3>
            <label for="scheda-titolo">{move || tr(lang.get(), "Titolo dell'intervento", "Title of the intervention")}</label>
            <input id="scheda-titolo" type="text" maxlength="200" prop:value=title on:input=move |ev| title.set(event_target_value(&ev)) />
            {move || error.get().map(|message| view! { <p role="alert" class="error">{message}</p> })}
            <button type="submit" class="btn btn-primary">{move || tr(lang.get(), "Crea la scheda", "Create the sheet")}</button>
        </form>
    }
}
