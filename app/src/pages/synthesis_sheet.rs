//! One intervention sheet (`/percorsi/{id}/sintesi/schede/{sheet_id}`): the Lombardy form that
//! saves each part as soon as it changes, the needs it answers (the trace back to the cards),
//! and its history. Two people editing different parts merge; the same part shows both
//! versions and lets the editor choose. Participants read it.

use std::collections::{BTreeMap, BTreeSet};

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use tavoli_core::{
    PolicyArea,
    synthesis::{FieldKind, FieldSpec, SHEET_FIELDS, field_spec},
};

use crate::api_synthesis::{
    HistoryItem, NeedItem, SaveOutcome, SheetPageData, load_sheet, save_sheet_part,
};
use crate::i18n::{Lang, tr, use_lang};
use crate::pages::synthesis::{hydrated_marker, need_href, tr_owned};

#[component]
pub fn SheetPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let ids = move || {
        let params = params.read();
        (
            params.get("id").unwrap_or_default(),
            params.get("sheet_id").unwrap_or_default(),
        )
    };
    let page = Resource::new(ids, |(process_id, sheet_id)| {
        load_sheet(process_id, sheet_id)
    });
    let hydrated = hydrated_marker();
    view! {
        <div class="synthesis" data-hydrated=move || hydrated.get().to_string()>
            <Suspense fallback=move || view! { <p>{move || tr(lang.get(), "Caricamento…", "Loading…")}</p> }>
                {move || page.get().map(|result| match result {
                    Ok(Ok(data)) => view! { <SheetView data /> }.into_any(),
                    Ok(Err(message)) => view! {
                        <h1>{move || tr(lang.get(), "Scheda intervento", "Intervention sheet")}</h1>
                        <p role="alert">{message}</p>
                    }.into_any(),
                    Err(_) => view! {
                        <h1>{move || tr(lang.get(), "Scheda intervento", "Intervention sheet")}</h1>
                        <p role="alert">{move || tr(lang.get(), "Non è stato possibile caricare la scheda.", "The sheet could not be loaded.")}</p>
                    }.into_any(),
                })}
            </Suspense>
        </div>
    }
}

/// A save someone else's edit got in the way of.
#[derive(Clone, Debug, PartialEq)]
struct Conflict {
    field: String,
    mine: Vec<String>,
    current_version: i64,
    current_lines: Vec<String>,
    message: String,
}

fn label_of(field: &str, lang: Lang) -> String {
    match field {
        "title" => tr(lang, "Titolo dell'intervento", "Title of the intervention").to_owned(),
        "contribution_ids" => tr(lang, "Bisogni a cui risponde", "Needs it answers").to_owned(),
        name => {
            field_spec(name).map_or_else(|| name.to_owned(), |spec| spec.label(lang).to_owned())
        }
    }
}

fn lines_from(text: &str) -> Vec<String> {
    text.lines().map(str::to_owned).collect()
}

/// "2025-05-01 14:03 UTC" from unix milliseconds, the same on server and browser.
fn format_time(at_ms: i64) -> String {
    let seconds = at_ms.div_euclid(1000);
    let days = seconds.div_euclid(86_400);
    let in_day = seconds.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        in_day / 3600,
        (in_day % 3600) / 60
    )
}

#[component]
fn SheetView(data: SheetPageData) -> impl IntoView {
    let lang = use_lang();
    let process_id = data.process_id.clone();
    let sheet_id = data.sheet.id.clone();
    let can_edit = data.can_edit;
    let version = RwSignal::new(data.sheet.version);
    let status = RwSignal::new(String::new());
    let conflict = RwSignal::new(None::<Conflict>);
    let history = RwSignal::new(data.history.clone());
    let history_tick = RwSignal::new(0u32);
    // The history is read again after each save, so it shows who changed what, just now.
    Effect::new({
        let process_id = process_id.clone();
        let sheet_id = sheet_id.clone();
        move |_| {
            if history_tick.get() == 0 {
                return;
            }
            let process_id = process_id.clone();
            let sheet_id = sheet_id.clone();
            spawn_local(async move {
                if let Ok(Ok(fresh)) = load_sheet(process_id, sheet_id).await {
                    history.set(fresh.history);
                    version.update(|v| *v = (*v).max(fresh.sheet.version));
                }
            });
        }
    });

    // One signal per part of the form, holding its text as typed.
    let title = RwSignal::new(data.sheet.title.clone());
    let values: BTreeMap<&'static str, RwSignal<String>> = SHEET_FIELDS
        .iter()
        .map(|spec| {
            let lines = data
                .sheet
                .fields
                .get(spec.name)
                .cloned()
                .unwrap_or_default();
            (spec.name, RwSignal::new(lines.join("\n")))
        })
        .collect();
    let values = StoredValue::new(values);
    let linked = RwSignal::new(
        data.sheet
            .contribution_ids
            .iter()
            .cloned()
            .collect::<BTreeSet<String>>(),
    );
    let areas = move || -> BTreeSet<String> {
        values.with_value(|values| {
            values["policy_areas"]
                .get()
                .lines()
                .map(str::to_owned)
                .collect()
        })
    };

    let save = {
        let process_id = process_id.clone();
        let sheet_id = sheet_id.clone();
        move |field: String, lines: Vec<String>, at_version: Option<i64>| {
            let process_id = process_id.clone();
            let sheet_id = sheet_id.clone();
            let at = at_version.unwrap_or_else(|| version.get_untracked());
            status.set(tr(lang.get_untracked(), "Salvataggio…", "Saving…").to_owned());
            spawn_local(async move {
                match save_sheet_part(process_id, sheet_id, at, field.clone(), lines.clone()).await
                {
                    Ok(SaveOutcome::Saved { version: saved }) => {
                        // Answers may arrive out of order: the version only moves forward.
                        version.update(|v| *v = (*v).max(saved));
                        conflict.set(None);
                        status.set(tr_owned(
                            lang.get_untracked(),
                            format!("Salvato: {}.", label_of(&field, Lang::It)),
                            format!("Saved: {}.", label_of(&field, Lang::En)),
                        ));
                        history_tick.update(|n| *n += 1);
                    }
                    Ok(SaveOutcome::Conflict {
                        current_version,
                        current_lines,
                        message,
                    }) => {
                        status.set(message.clone());
                        conflict.set(Some(Conflict {
                            field,
                            mine: lines,
                            current_version,
                            current_lines,
                            message,
                        }));
                    }
                    Ok(SaveOutcome::Refused { message }) => status.set(message),
                    Err(_) => status.set(
                        tr(
                            lang.get_untracked(),
                            "Non salvato: connessione non riuscita. Il testo resta qui; riprova.",
                            "Not saved: the connection failed. Your text stays here; try again.",
                        )
                        .to_owned(),
                    ),
                }
            });
        }
    };
    let save = StoredValue::new(save);
    let save_now = move |field: &str, lines: Vec<String>| {
        save.with_value(|save| save(field.to_owned(), lines, None));
    };

    let keep_mine = move |_| {
        if let Some(found) = conflict.get_untracked() {
            save.with_value(|save| {
                save(
                    found.field.clone(),
                    found.mine.clone(),
                    Some(found.current_version),
                )
            });
        }
    };
    let take_theirs = move |_| {
        if let Some(found) = conflict.get_untracked() {
            let text = found.current_lines.join("\n");
            match found.field.as_str() {
                "title" => title.set(text),
                "contribution_ids" => linked.set(found.current_lines.iter().cloned().collect()),
                name => values.with_value(|values| {
                    if let Some(signal) = values.get(name) {
                        signal.set(text);
                    }
                }),
            }
            version.update(|v| *v = (*v).max(found.current_version));
            conflict.set(None);
            status.set(
                tr(
                    lang.get_untracked(),
                    "Versione attuale ripresa.",
                    "Current version taken.",
                )
                .to_owned(),
            );
        }
    };

    let page_title = {
        let title = data.sheet.title.clone();
        move || {
            tr_owned(
                lang.get(),
                format!("Scheda – {title}"),
                format!("Sheet – {title}"),
            )
        }
    };
    let back = format!("/percorsi/{}/sintesi#schede", data.process_id);
    let needs_by_id: BTreeMap<String, NeedItem> = data
        .needs
        .iter()
        .map(|need| (need.id.clone(), need.clone()))
        .collect();
    let needs_by_id = StoredValue::new(needs_by_id);
    let all_needs = data.needs.clone();
    let linked_view = {
        let process_id = process_id.clone();
        move || {
            let ids: Vec<String> = linked.get().into_iter().collect();
            if ids.is_empty() {
                return view! { <p class="muted">{move || tr(lang.get(), "Nessun bisogno collegato.", "No need linked.")}</p> }.into_any();
            }
            view! {
                <ul data-testid="answered-needs">
                    {ids.into_iter().map(|id| {
                        let need = needs_by_id.with_value(|needs| needs.get(&id).cloned());
                        view! {
                            <li>
                                <a class="trace" href=need_href(&process_id, &id)>{need.as_ref().map(|need| need.text.clone()).unwrap_or_else(|| id.clone())}</a>
                                " "
                                <span class="muted">{need.map(|need| format!("({})", need.roundtable_title))}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }
    };

    let conflict_panel = view! {
        {move || conflict.get().map(|found| view! {
            <div role="alert" class="card conflict">
                <p>{found.message.clone()}</p>
                <p><strong>{move || tr(lang.get(), "Versione attuale: ", "Current version: ")}</strong>{found.current_lines.join(" · ")}</p>
                <p><strong>{move || tr(lang.get(), "La tua: ", "Yours: ")}</strong>{found.mine.join(" · ")}</p>
                <p class="button-row">
                    <button type="button" class="btn btn-primary" on:click=keep_mine>{move || tr(lang.get(), "Tieni la mia", "Keep mine")}</button>
                    " "
                    <button type="button" class="btn" on:click=take_theirs>{move || tr(lang.get(), "Usa la versione attuale", "Use the current version")}</button>
                </p>
            </div>
        })}
    }
    .into_any();
    let answers_section = view! {
        <section aria-labelledby="risponde">
            <h2 id="risponde">{move || tr(lang.get(), "Bisogni a cui risponde", "Needs it answers")}</h2>
            {linked_view}
            {can_edit.then(|| view! {
                <details class="card">
                    <summary>{move || tr(lang.get(), "Scegli i bisogni collegati", "Choose the linked needs")}</summary>
                    <fieldset>
                        <legend class="visually-hidden">{move || tr(lang.get(), "Bisogni del percorso", "Needs of the process")}</legend>
                        {all_needs.into_iter().map(|need| {
                            let id = need.id.clone();
                            let checked_id = need.id.clone();
                            let input_id = format!("collega-{}", need.id);
                            view! {
                                <div class="check">
                                    <input type="checkbox" id=input_id.clone()
                                        prop:checked=move || linked.with(|set| set.contains(&checked_id))
                                        on:change=move |ev| {
                                            let checked = event_target_checked(&ev);
                                            linked.update(|set| { if checked { set.insert(id.clone()); } else { set.remove(&id); } });
                                            save_now("contribution_ids", linked.get_untracked().into_iter().collect());
                                        } />
                                    <label for=input_id>{need.text}" "<span class="muted">{format!("({})", need.roundtable_title)}</span></label>
                                </div>
                            }
                        }).collect_view()}
                    </fieldset>
                </details>
            })}
        </section>
    }
    .into_any();
    let fields_section = view! {
        <section aria-labelledby="campi">
            <h2 id="campi">{move || tr(lang.get(), "Scheda intervento", "Intervention sheet")}</h2>
            {if can_edit {
                view! {
                    <form class="stack sheet-form" on:submit=|ev: leptos::ev::SubmitEvent| ev.prevent_default()>
                        <p class="muted" id="salvataggio-automatico">{move || tr(lang.get(), "Ogni campo si salva appena lo lasci. Negli elenchi, una voce per riga.", "Each field is saved as soon as you leave it. In lists, one item per line.")}</p>
                        <label for="campo-title">{move || label_of("title", lang.get())}</label>
                        <input id="campo-title" type="text" maxlength="200" required prop:value=title
                            on:input=move |ev| title.set(event_target_value(&ev))
                            on:change=move |_| save_now("title", vec![title.get_untracked()]) />
                        {SHEET_FIELDS.iter().map(|spec| field_editor(spec, values, areas, save_now)).collect_view()}
                    </form>
                }.into_any()
            } else {
                view! {
                    <dl class="sheet-read">
                        {SHEET_FIELDS.iter().filter_map(|spec| {
                            let lines = data.sheet.fields.get(spec.name).cloned().unwrap_or_default();
                            (!lines.is_empty()).then(|| view! {
                                <dt>{move || spec.label(lang.get())}</dt>
                                <dd>{if spec.kind == FieldKind::Text { view! { <p>{lines.join("\n")}</p> }.into_any() } else {
                                    view! { <ul>{lines.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}</ul> }.into_any()
                                }}</dd>
                            })
                        }).collect_view()}
                    </dl>
                }.into_any()
            }}
        </section>
    }
    .into_any();
    let history_section = view! {
        <section aria-labelledby="storia">
            <h2 id="storia">{move || tr(lang.get(), "Storia delle modifiche", "History of changes")}</h2>
            <ol class="history" data-testid="history">
                {move || history.get().into_iter().map(|entry| view! { <HistoryRow entry /> }).collect_view()}
            </ol>
        </section>
    }
    .into_any();
    view! {
        <Title text=page_title />
        <p><a href=back>{move || tr(lang.get(), "← Torna alla sintesi", "← Back to the synthesis")}</a></p>
        <h1>{move || title.get()}</h1>
        <p class="muted">{data.process_title.clone()}</p>
        <p role="status" aria-live="polite" class="save-status" data-testid="save-status">{move || status.get()}</p>
        {conflict_panel}
        {answers_section}
        {fields_section}
        {history_section}
    }
}

fn field_editor(
    spec: &'static FieldSpec,
    values: StoredValue<BTreeMap<&'static str, RwSignal<String>>>,
    areas: impl Fn() -> BTreeSet<String> + Copy + Send + Sync + 'static,
    save_now: impl Fn(&str, Vec<String>) + Copy + Send + Sync + 'static,
) -> AnyView {
    let lang = use_lang();
    let value = values.with_value(|values| values[spec.name]);
    let input_id = format!("campo-{}", spec.name);
    match spec.kind {
        FieldKind::PolicyAreas => view! {
            <fieldset>
                <legend>{move || spec.label(lang.get())}</legend>
                {PolicyArea::all().into_iter().map(|area| {
                    let letter = area.letter().to_string();
                    let checked_letter = letter.clone();
                    let box_id = format!("area-{letter}");
                    view! {
                        <div class="check">
                            <input type="checkbox" id=box_id.clone()
                                prop:checked=move || areas().contains(&checked_letter)
                                on:change=move |ev| {
                                    let checked = event_target_checked(&ev);
                                    let mut set = areas();
                                    if checked { set.insert(letter.clone()); } else { set.remove(&letter); }
                                    let lines: Vec<String> = set.into_iter().collect();
                                    value.set(lines.join("\n"));
                                    if !checked {
                                        // Its key points go with it (the server clears them too).
                                        let key = format!("key_points_{}", letter.to_lowercase());
                                        values.with_value(|values| if let Some(signal) = values.get(key.as_str()) { signal.set(String::new()); });
                                    }
                                    save_now("policy_areas", lines);
                                } />
                            <label for=box_id>{format!("{}. ", area.letter())}{move || match lang.get() { Lang::It => area.label_it(), Lang::En => area.label_en() }}</label>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
        }.into_any(),
        kind => {
            let area = spec.key_points_area();
            let rows = if kind == FieldKind::List { 4 } else { 3 };
            let editor = view! {
                <div class="field">
                    <label for=input_id.clone()>{move || spec.label(lang.get())}</label>
                    <textarea id=input_id rows=rows aria-describedby="salvataggio-automatico" prop:value=value
                        on:input=move |ev| value.set(event_target_value(&ev))
                        on:change=move |_| save_now(spec.name, lines_from(&value.get_untracked()))></textarea>
                </div>
            };
            match area {
                // Key points only for the areas the sheet belongs to.
                Some(area) => view! {
                    <Show when=move || areas().contains(&area.letter().to_string())>{editor.clone()}</Show>
                }.into_any(),
                None => editor.into_any(),
            }
        }
    }
}

#[component]
fn HistoryRow(entry: HistoryItem) -> impl IntoView {
    let lang = use_lang();
    let when = format_time(entry.at);
    let version = entry.version;
    let by = entry.by.clone();
    view! {
        <li>
            <p>
                <strong>{move || tr_owned(lang.get(), format!("Versione {version}"), format!("Version {version}"))}</strong>
                {format!(" · {by} · {when}")}
            </p>
            <ul>
                {entry.changes.into_iter().map(|change| {
                    let field = change.field.clone();
                    let shorten = |text: &str| if text.chars().count() > 140 { format!("{}…", text.chars().take(140).collect::<String>()) } else { text.to_owned() };
                    let before = shorten(&change.before);
                    let after = shorten(&change.after);
                    view! {
                        <li>
                            {move || label_of(&field, lang.get())}": "
                            {if before.is_empty() { String::new() } else { format!("«{before}» → ") }}
                            {if after.is_empty() { tr(lang.get_untracked(), "(vuoto)", "(empty)").to_owned() } else { format!("«{after}»") }}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::format_time;

    #[test]
    fn times_are_formatted_in_utc() {
        assert_eq!(format_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_time(1_746_108_180_000), "2025-05-01 14:03 UTC");
    }
}
