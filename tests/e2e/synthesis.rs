//! Issue 7: cross-cutting themes and intervention sheets traced to needs. Linking rules, bad
//! input, coverage, edit history, concurrent edits, who may read and write, suggestions, and
//! a sheet drafted from a ranked proposal, all through the real server.

use serde_json::{Value, json};
use tavoli_tests::{Client, Table, TestApp, command_id};

/// A process with two roundtables (elderly, young people), seen by the planning office.
struct Process {
    id: String,
    elderly: Table,
    young: Table,
    staff_token: String,
}

async fn process(app: &TestApp) -> Process {
    let elderly = app.roundtable().await;
    let staff_token = app.staff_token().await;
    let response: Value = app
        .post_json(
            &staff_token,
            &format!("/api/processes/{}/roundtables", elderly.process_id),
            json!({"title": "Giovani e famiglie"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let young = Table {
        process_id: elderly.process_id.clone(),
        id: response["id"].as_str().unwrap().into(),
        join_code: response["join_code"].as_str().unwrap().into(),
    };
    Process {
        id: elderly.process_id.clone(),
        elderly,
        young,
        staff_token,
    }
}

/// Adds a card as the planning office; returns its id (the command's id).
async fn card(app: &TestApp, table: &Table, kind: &str, text: &str) -> String {
    let id = command_id();
    let staff = app.staff(table).await;
    let (status, body) = staff
        .send(&json!({"type": "add_contribution", "command_id": id, "kind": kind, "text": text}))
        .await;
    assert_eq!(status, 200, "{body}");
    id
}

async fn need(app: &TestApp, table: &Table, text: &str) -> String {
    card(app, table, "need", text).await
}

async fn call(
    app: &TestApp,
    method: reqwest::Method,
    token: &str,
    path: &str,
    body: Option<Value>,
    lang: &str,
) -> (u16, Value) {
    let mut request = app
        .http
        .request(method, app.url(path))
        .bearer_auth(token)
        .header("Accept-Language", lang);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> (u16, Value) {
    call(app, reqwest::Method::POST, token, path, Some(body), "it").await
}

async fn patch(app: &TestApp, token: &str, path: &str, body: Value) -> (u16, Value) {
    call(app, reqwest::Method::PATCH, token, path, Some(body), "it").await
}

async fn get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    call(app, reqwest::Method::GET, token, path, None, "it").await
}

fn ids(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_theme_links_needs_from_different_roundtables_of_its_process() {
    let app = TestApp::spawn().await;
    let p = process(&app).await;
    let rent = need(
        &app,
        &p.elderly,
        "Pensionati che non riescono a pagare l'affitto",
    )
    .await;
    let house = need(
        &app,
        &p.young,
        "Giovani coppie senza una casa a prezzo accessibile",
    )
    .await;
    let (status, created) = post(
        &app,
        &p.staff_token,
        &format!("/api/processes/{}/themes", p.id),
        json!({"title": "Abitare", "description": "La casa come bisogno trasversale", "contribution_ids": [rent, house]}),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let (status, list) = get(
        &app,
        &p.staff_token,
        &format!("/api/processes/{}/themes", p.id),
    )
    .await;
    assert_eq!(status, 200);
    let theme = &list["themes"][0];
    assert_eq!(theme["id"], created["id"]);
    assert_eq!(theme["title"], "Abitare");
    assert_eq!(theme["description"], "La casa come bisogno trasversale");
    assert_eq!(
        ids(&theme["contribution_ids"]),
        [rent.clone(), house.clone()]
    );

    // Edit: the version it was made on comes back; a stale one is refused.
    let theme_path = format!(
        "/api/processes/{}/themes/{}",
        p.id,
        created["id"].as_str().unwrap()
    );
    let (status, edited) = patch(
        &app,
        &p.staff_token,
        &theme_path,
        json!({"version": 1, "title": "Abitare e casa", "contribution_ids": [house]}),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["version"], 2);
    assert_eq!(ids(&edited["contribution_ids"]), [house]);
    let (status, stale) = patch(
        &app,
        &p.staff_token,
        &theme_path,
        json!({"version": 1, "title": "Altro"}),
    )
    .await;
    assert_eq!(status, 409, "{stale}");
    assert_eq!(stale["error"]["code"], "edit_conflict");
}

#[tokio::test]
async fn a_link_to_a_need_of_another_process_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let p = process(&app).await;
    let other = app.roundtable().await; // a second process
    let ours = need(&app, &p.elderly, "Trasporto per le visite mediche").await;
    let theirs = need(&app, &other, "Trasporto per le visite mediche").await;
    for (path, body) in [
        (
            "themes",
            json!({"title": "Trasporti", "description": "", "contribution_ids": [ours, theirs]}),
        ),
        (
            "sheets",
            json!({"title": "Trasporto sociale", "fields": {}, "contribution_ids": [ours, theirs]}),
        ),
    ] {
        let (status, body) = post(
            &app,
            &p.staff_token,
            &format!("/api/processes/{}/{path}", p.id),
            body,
        )
        .await;
        assert_eq!(status, 422, "{path}: {body}");
        assert_eq!(body["error"]["code"], "contribution_not_in_process");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(&theirs) && message.contains("percorso"),
            "{message}"
        );
        let (_, list) = get(
            &app,
            &p.staff_token,
            &format!("/api/processes/{}/{path}", p.id),
        )
        .await;
        assert_eq!(list[path], json!([]), "nothing was stored");
    }
    // An unknown id reads the same way, in English on request.
    let (status, body) = call(
        &app,
        reqwest::Method::POST,
        &p.staff_token,
        &format!("/api/processes/{}/sheets", p.id),
        Some(json!({"title": "Scheda", "fields": {}, "contribution_ids": ["non-esiste"]})),
        "en",
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        body["error"]["message"],
        "Contribution non-esiste belongs to no roundtable of this process."
    );
}

#[tokio::test]
async fn bad_sheets_are_refused_with_a_clear_message() {
    let app = TestApp::spawn().await;
    let p = process(&app).await;
    let path = format!("/api/processes/{}/sheets", p.id);
    let cases = [
        (
            json!({"title": "  ", "fields": {}}),
            "empty_title",
            "titolo è obbligatorio",
        ),
        (
            json!({"fields": {"objectives": ["x"]}}),
            "empty_title",
            "titolo è obbligatorio",
        ),
        (
            json!({"title": "T", "fields": {"policy_areas": ["A", "L"]}}),
            "invalid_policy_area",
            "«L» non è una macroarea",
        ),
        (
            json!({"title": "T", "fields": {"obiettivi": "x"}}),
            "unknown_field",
            "non ha un campo «obiettivi»",
        ),
        (
            json!({"title": "T", "fields": {"target": {"a": 1}}}),
            "invalid_field",
            "testo o un elenco",
        ),
        (
            json!({"title": "T", "fields": {"key_points_e": ["Autonomia"]}}),
            "key_points_without_area",
            "macroarea E",
        ),
        (
            json!({"title": "x".repeat(201), "fields": {}}),
            "title_too_long",
            "al massimo 200",
        ),
    ];
    for (body, code, words) in cases {
        let (status, answer) = post(&app, &p.staff_token, &path, body.clone()).await;
        assert_eq!(status, 422, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], code, "{body}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains(words), "{body}: {message}");
    }
    let (_, list) = get(&app, &p.staff_token, &path).await;
    assert_eq!(list["sheets"], json!([]), "no bad sheet was stored");

    // The same rules hold for edits, and a refused edit changes nothing.
    let (status, created) = post(
        &app,
        &p.staff_token,
        &path,
        json!({"title": "Sollievo", "fields": {"policy_areas": "E, J"}}),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let sheet_path = format!("{path}/{}", created["id"].as_str().unwrap());
    let (status, answer) = patch(
        &app,
        &p.staff_token,
        &sheet_path,
        json!({"version": 1, "fields": {"policy_areas": ["Q"]}}),
    )
    .await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (422, Some("invalid_policy_area"))
    );
    let (_, sheet) = get(&app, &p.staff_token, &sheet_path).await;
    assert_eq!(sheet["fields"]["policy_areas"], json!(["E", "J"]));
    assert_eq!(sheet["version"], 1);
}

#[tokio::test]
async fn coverage_lists_the_needs_no_sheet_answers() {
    let app = TestApp::spawn().await;
    let p = process(&app).await;
    let lonely = need(&app, &p.elderly, "Anziani soli d'estate").await;
    let respite = need(&app, &p.elderly, "Nessun sollievo per i caregiver").await;
    let spaces = need(&app, &p.young, "Mancano spazi per i ragazzi la sera").await;
    card(
        &app,
        &p.young,
        "proposal",
        "Un centro giovani aperto la sera",
    )
    .await;
    let coverage_path = format!("/api/processes/{}/coverage", p.id);
    let (status, coverage) = get(&app, &p.staff_token, &coverage_path).await;
    assert_eq!(status, 200);
    assert_eq!(
        ids(&coverage["uncovered"]),
        [lonely.clone(), respite.clone(), spaces.clone()],
        "proposals are not needs"
    );

    let (status, _) = post(
        &app,
        &p.staff_token,
        &format!("/api/processes/{}/sheets", p.id),
        json!({"title": "Sollievo ai caregiver", "fields": {"objectives": ["Pause programmate"]}, "contribution_ids": [respite]}),
    )
    .await;
    assert_eq!(status, 201);
    let (_, coverage) = get(&app, &p.staff_token, &coverage_path).await;
    assert_eq!(
        ids(&coverage["uncovered"]),
        [lonely.clone(), spaces.clone()]
    );
    assert_eq!(coverage["total_needs"], 3);
    assert_eq!(coverage["covered"], 1);
    assert_eq!(coverage["needs"][0]["text"], "Anziani soli d'estate");

    // Merging an answered need into another keeps the merged card answered.
    let staff = app.staff(&p.elderly).await;
    let merge = command_id();
    let (status, body) = staff
        .send(&json!({"type": "set_phase", "command_id": command_id(), "phase": "group"}))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = staff
        .send(&json!({"type": "merge_contributions", "command_id": merge, "contribution_ids": [lonely, respite]}))
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, coverage) = get(&app, &p.staff_token, &coverage_path).await;
    assert_eq!(
        ids(&coverage["uncovered"]),
        [spaces],
        "the merged card contains an answered need"
    );
}

#[tokio::test]
async fn every_sheet_edit_is_in_the_history_with_who_when_and_what() {
    let app = TestApp::spawn().await;
    let p = process(&app).await;
    let respite = need(&app, &p.elderly, "Nessun sollievo per i caregiver").await;
    let path = format!("/api/processes/{}/sheets", p.id);
    let (_, created) = post(
        &app,
        &p.staff_token,
        &path,
        json!({"title": "Sollievo", "fields": {"target": ["Caregiver"]}}),
    )
    .await;
    let sheet_path = format!("{path}/{}", created["id"].as_str().unwrap());
    let (status, edited) = patch(
        &app,
        &p.staff_token,
        &sheet_path,
        json!({"version": 1, "fields": {"target": ["Caregiver familiari"], "expected_impact": "Meno crisi"}, "contribution_ids": [respite]}),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["version"], 2);
    let (_, edited) = patch(
        &app,
        &p.staff_token,
        &sheet_path,
        json!({"version": 2, "fields": {"expected_impact": null}}),
    )
    .await;
    assert_eq!(edited["version"], 3);
    assert!(
        edited["fields"].get("expected_impact").is_none(),
        "null clears a field"
    );

    let (status, history) = get(&app, &p.staff_token, &format!("{sheet_path}/history")).await;
    assert_eq!(status, 200);
    let history = history["history"].as_array().unwrap();
    assert_eq!(history.len(), 3, "created, then two edits");
    assert_eq!(history[0]["version"], 1);
    assert_eq!(history[1]["by"]["name"], "UdP");
    assert!(history[1]["at"].as_i64().unwrap() > 0);
    let change = |entry: &Value, field: &str| {
        entry["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|change| change["field"] == field)
            .cloned()
            .unwrap_or_else(|| panic!("{field} in {entry}"))
    };
    let target = change(&history[1], "target");
    assert_eq!(target["before"], json!(["Caregiver"]));
    assert_eq!(target["after"], json!(["Caregiver familiari"]));
    assert_eq!(
        change(&history[1], "contribution_ids")["after"],
        json!([respite])
    );
    assert_eq!(
        change(&history[2], "expected_impact")["before"],
        "Meno crisi"
    );
    assert_eq!(change(&history[2], "expected_impact")["after"], Value::Null);
}

#[tokio::test]
async fn two_people_editing_one_sheet_never_overwrite_each_other_unseen() {
    let app = TestApp::spawn().await;
    let p = process(&app).await;
    let path = format!("/api/processes/{}/sheets", p.id);
    let (_, created) = post(
        &app,
        &p.staff_token,
        &path,
        json!({"title": "Trasporto sociale", "fields": {}}),
    )
    .await;
    let sheet_path = format!("{path}/{}", created["id"].as_str().unwrap());
    // Both opened version 1. Anna saves the objectives first.
    let (status, _) = patch(
        &app,
        &p.staff_token,
        &sheet_path,
        json!({"version": 1, "fields": {"objectives": ["Un numero unico"]}}),
    )
    .await;
    assert_eq!(status, 200);
    // Bruno, still on version 1, edits another field: it merges.
    let (status, merged) = patch(
        &app,
        &p.staff_token,
        &sheet_path,
        json!({"version": 1, "fields": {"target": ["Anziani"]}}),
    )
    .await;
    assert_eq!(status, 200, "{merged}");
    assert_eq!(merged["fields"]["objectives"], json!(["Un numero unico"]));
    assert_eq!(merged["fields"]["target"], json!(["Anziani"]));
    assert_eq!(merged["version"], 3);
    // Bruno, still on version 1, edits the objectives too: refused, with what is there now.
    let (status, conflict) = patch(
        &app,
        &p.staff_token,
        &sheet_path,
        json!({"version": 1, "fields": {"objectives": ["Navette a chiamata"]}}),
    )
    .await;
    assert_eq!(status, 409, "{conflict}");
    assert_eq!(conflict["error"]["code"], "edit_conflict");
    assert_eq!(conflict["error"]["current_version"], 3);
    assert_eq!(
        conflict["error"]["conflicting_fields"],
        json!(["objectives"])
    );
    assert_eq!(
        conflict["error"]["current"]["fields"]["objectives"],
        json!(["Un numero unico"])
    );
    assert!(
        conflict["error"]["message"]
            .as_str()
            .unwrap()
            .contains("objectives")
    );
    let (_, sheet) = get(&app, &p.staff_token, &sheet_path).await;
    assert_eq!(
        sheet["fields"]["objectives"],
        json!(["Un numero unico"]),
        "Anna's text survives"
    );
    // Having seen it, Bruno saves on version 3.
    let (status, saved) = patch(
        &app,
        &p.staff_token,
        &sheet_path,
        json!({"version": 3, "fields": {"objectives": ["Un numero unico", "Navette a chiamata"]}}),
    )
    .await;
    assert_eq!((status, saved["version"].as_i64()), (200, Some(4)));
    // A version from the future is refused.
    let (status, _) = patch(
        &app,
        &p.staff_token,
        &sheet_path,
        json!({"version": 9, "title": "X"}),
    )
    .await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn participants_of_the_process_read_the_synthesis_but_cannot_change_it() {
    let app = TestApp::spawn().await;
    let p = process(&app).await;
    let respite = need(&app, &p.elderly, "Nessun sollievo per i caregiver").await;
    let (_, created) = post(
        &app,
        &p.staff_token,
        &format!("/api/processes/{}/sheets", p.id),
        json!({"title": "Sollievo", "fields": {}, "contribution_ids": [respite]}),
    )
    .await;
    let anna: Client = app.join(&p.young, "Anna", "Auser").await;
    let (status, sheets) = get(
        &app,
        &anna.token,
        &format!("/api/processes/{}/sheets", p.id),
    )
    .await;
    assert_eq!(
        status, 200,
        "a participant of another roundtable of the process reads"
    );
    assert_eq!(sheets["sheets"][0]["id"], created["id"]);
    let (status, body) = post(
        &app,
        &anna.token,
        &format!("/api/processes/{}/themes", p.id),
        json!({"title": "Mio", "description": "", "contribution_ids": []}),
    )
    .await;
    // Known, but without the role: 403, not "who are you?".
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("forbidden"))
    );
    let (status, _) = patch(
        &app,
        &anna.token,
        &format!(
            "/api/processes/{}/sheets/{}",
            p.id,
            created["id"].as_str().unwrap()
        ),
        json!({"version": 1, "title": "Mio"}),
    )
    .await;
    assert_eq!(status, 403);
    // Someone of another process reads nothing.
    let other = app.roundtable().await;
    let stranger = app.join(&other, "Carlo", "Caritas").await;
    let (status, _) = get(
        &app,
        &stranger.token,
        &format!("/api/processes/{}/sheets", p.id),
    )
    .await;
    assert_eq!(status, 403);
    // Nobody at all (a client without cookies or token).
    let anonymous = reqwest::Client::new()
        .get(app.url(&format!("/api/processes/{}/coverage", p.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn suggestions_pair_similar_needs_of_different_roundtables_and_explain_why() {
    let app = TestApp::spawn().await;
    let p = process(&app).await;
    let a = need(
        &app,
        &p.elderly,
        "Anziani che non riescono a pagare l'affitto della casa",
    )
    .await;
    let b = need(
        &app,
        &p.young,
        "Giovani coppie che non trovano un alloggio in affitto",
    )
    .await;
    let same_table = need(&app, &p.elderly, "Affitti troppo alti per chi vive solo").await;
    need(&app, &p.young, "Bullismo nelle scuole medie").await;
    let path = format!("/api/processes/{}/suggestions", p.id);
    let (status, answer) = get(&app, &p.staff_token, &path).await;
    assert_eq!(status, 200, "{answer}");
    let suggestions = answer["suggestions"].as_array().unwrap();
    assert_eq!(suggestions.len(), 1, "{answer}");
    let suggestion = &suggestions[0];
    let members = ids(&suggestion["contribution_ids"]);
    assert!(members.contains(&a) && members.contains(&b));
    for pair in suggestion["pairs"].as_array().unwrap() {
        assert_ne!(
            pair["roundtable_ids"][0], pair["roundtable_ids"][1],
            "pairs cross roundtables"
        );
        let words: Vec<&str> = pair["shared"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|term| {
                term["words"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|w| w.as_str().unwrap())
            })
            .collect();
        assert!(words.contains(&"affitto"), "{pair}");
    }
    assert!(
        !suggestion["pairs"]
            .as_array()
            .unwrap()
            .iter()
            .any(
                |pair| ids(&pair["contribution_ids"]) == [a.clone(), same_table.clone()]
                    || ids(&pair["contribution_ids"]) == [same_table.clone(), a.clone()]
            )
    );
    // Suggestions change nothing by themselves.
    let (_, themes) = get(
        &app,
        &p.staff_token,
        &format!("/api/processes/{}/themes", p.id),
    )
    .await;
    assert_eq!(themes["themes"], json!([]));

    // Rejected: not suggested again.
    let id = suggestion["suggestion_id"].as_str().unwrap().to_owned();
    let (status, _) = post(
        &app,
        &p.staff_token,
        &format!("{path}/{id}/reject"),
        json!({}),
    )
    .await;
    assert_eq!(status, 204);
    let (_, answer) = get(&app, &p.staff_token, &path).await;
    assert_eq!(answer["suggestions"], json!([]));
    let (status, body) = post(
        &app,
        &p.staff_token,
        &format!("{path}/{id}/accept"),
        json!({"title": "Abitare"}),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("suggestion_not_found"))
    );
    // Participants do not see suggestions.
    let anna = app.join(&p.young, "Anna", "Auser").await;
    let (status, _) = get(&app, &anna.token, &path).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn an_accepted_suggestion_becomes_a_theme_with_the_edited_title() {
    let app = TestApp::spawn().await;
    let p = process(&app).await;
    let a = need(
        &app,
        &p.elderly,
        "Anziani soli senza trasporto per le visite mediche",
    )
    .await;
    let b = need(
        &app,
        &p.young,
        "Ragazzi senza trasporto per le visite mediche specialistiche",
    )
    .await;
    let path = format!("/api/processes/{}/suggestions", p.id);
    let (_, answer) = get(&app, &p.staff_token, &path).await;
    let id = answer["suggestions"][0]["suggestion_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = post(
        &app,
        &p.staff_token,
        &format!("{path}/{id}/accept"),
        json!({"title": "Mobilità", "description": "Spostarsi per curarsi"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (_, themes) = get(
        &app,
        &p.staff_token,
        &format!("/api/processes/{}/themes", p.id),
    )
    .await;
    assert_eq!(themes["themes"][0]["title"], "Mobilità");
    let mut members = ids(&themes["themes"][0]["contribution_ids"]);
    members.sort();
    let mut expected = vec![a, b];
    expected.sort();
    assert_eq!(members, expected);
    let (_, answer) = get(&app, &p.staff_token, &path).await;
    assert_eq!(
        answer["suggestions"],
        json!([]),
        "an accepted pair is not suggested again"
    );
}

#[tokio::test]
async fn a_sheet_drafted_from_a_ranked_proposal_traces_the_needs_both_ways() {
    let app = TestApp::spawn().await;
    let p = process(&app).await;
    let staff = app.staff(&p.elderly).await;
    let respite = need(&app, &p.elderly, "I caregiver non hanno mai una pausa").await;
    let other_need = need(
        &app,
        &p.elderly,
        "Attese lunghe per l'assistenza domiciliare",
    )
    .await;
    let proposal = card(
        &app,
        &p.elderly,
        "proposal",
        "Sollievo programmato nei fine settimana",
    )
    .await;
    let runner_up = card(&app, &p.elderly, "proposal", "Uno sportello unico").await;
    let cluster = command_id();
    for command in [
        json!({"type": "create_cluster", "command_id": cluster, "title": "Famiglia caregiver"}),
        json!({"type": "move_contribution", "command_id": command_id(), "contribution_id": respite, "cluster_id": cluster}),
        json!({"type": "move_contribution", "command_id": command_id(), "contribution_id": proposal, "cluster_id": cluster}),
        json!({"type": "open_voting", "command_id": command_id(), "contribution_ids": [runner_up, proposal], "dots_per_voter": 2, "max_per_contribution": 2, "ballot": "person", "secret": false}),
    ] {
        let (status, body) = staff.send(&command).await;
        assert_eq!(status, 200, "{command}: {body}");
    }
    let anna = app.join(&p.elderly, "Anna", "Auser").await;
    for _ in 0..2 {
        let (status, body) = anna.send(&json!({"type": "cast_vote", "command_id": command_id(), "round": 1, "contribution_id": proposal})).await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = staff
        .send(&json!({"type": "close_voting", "command_id": command_id(), "round": 1}))
        .await;
    assert_eq!(status, 200, "{body}");

    let (status, ranked) = get(
        &app,
        &p.staff_token,
        &format!("/api/processes/{}/proposals/ranked", p.id),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(ranked["proposals"][0]["contribution_id"], proposal.as_str());
    assert_eq!(ranked["proposals"][0]["rank"], 1);
    assert_eq!(ranked["proposals"][0]["dots"], 2);

    let (status, created) = post(
        &app,
        &p.staff_token,
        &format!("/api/processes/{}/sheets/from-proposal", p.id),
        json!({"contribution_id": proposal}),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let sheet_id = created["id"].as_str().unwrap();
    let (_, sheet) = get(
        &app,
        &p.staff_token,
        &format!("/api/processes/{}/sheets/{sheet_id}", p.id),
    )
    .await;
    assert_eq!(sheet["title"], "Sollievo programmato nei fine settimana");
    assert_eq!(sheet["source_contribution_id"], proposal.as_str());
    assert_eq!(
        ids(&sheet["contribution_ids"]),
        std::slice::from_ref(&respite),
        "the needs of the proposal's cluster"
    );
    // From the need to the sheet.
    let (_, answering) = get(
        &app,
        &p.staff_token,
        &format!("/api/processes/{}/needs/{respite}/sheets", p.id),
    )
    .await;
    assert_eq!(answering["sheets"][0]["id"], sheet_id);
    let (_, filtered) = get(
        &app,
        &p.staff_token,
        &format!("/api/processes/{}/sheets?need={other_need}", p.id),
    )
    .await;
    assert_eq!(filtered["sheets"], json!([]));
    let (_, needs) = get(
        &app,
        &p.staff_token,
        &format!("/api/processes/{}/needs", p.id),
    )
    .await;
    let traced = needs["needs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["contribution_id"] == respite.as_str())
        .unwrap()
        .clone();
    assert_eq!(ids(&traced["sheet_ids"]), [sheet_id.to_owned()]);
    assert_eq!(traced["cluster_title"], "Famiglia caregiver");
    let (_, ranked) = get(
        &app,
        &p.staff_token,
        &format!("/api/processes/{}/proposals/ranked", p.id),
    )
    .await;
    assert_eq!(
        ids(&ranked["proposals"][0]["sheet_ids"]),
        [sheet_id.to_owned()]
    );
    // A need is not a proposal.
    let (status, body) = post(
        &app,
        &p.staff_token,
        &format!("/api/processes/{}/sheets/from-proposal", p.id),
        json!({"contribution_id": respite}),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("not_a_proposal"))
    );
}
