//! `GET /api/openapi.json`: the OpenAPI 3.1 document of the JSON API, built here from the same
//! constants the handlers use (limits, enums, command types), so it cannot drift silently: a
//! test checks that every command type of the core and every path of the public contract is in
//! it.

use axum::{Json, Router, routing::get};
use serde_json::{Map, Value, json};
use tavoli_core::{
    Command, MAX_CONTRIBUTION_CHARS, MAX_TITLE_CHARS, OrganisationKind, protocol::MAX_FRAME_BYTES,
};

use super::{
    join::{MAX_NAME, MAX_ORGANISATION},
    processes::PROCESS_KINDS,
};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/openapi.json", get(|| async { Json(document()) }))
}

/// The fields of each command type besides `type` and `command_id`.
fn command_fields(type_name: &str) -> (Value, Vec<&'static str>) {
    let id = json!({"type": "string", "minLength": 1});
    let text = json!({"type": "string", "maxLength": MAX_CONTRIBUTION_CHARS});
    let title = json!({"type": "string", "maxLength": MAX_TITLE_CHARS});
    let round = json!({"type": "integer", "minimum": 1});
    let ids = json!({"type": "array", "items": {"type": "string"}});
    match type_name {
        "add_contribution" => (
            json!({"kind": {"enum": ["need", "resource", "proposal"]}, "text": text, "on_behalf_of": {"type": ["string", "null"]}}),
            vec!["kind", "text"],
        ),
        "edit_contribution" => (
            json!({"contribution_id": id, "text": text}),
            vec!["contribution_id", "text"],
        ),
        "withdraw_contribution" | "hide_contribution" | "reveal_contribution" => {
            (json!({"contribution_id": id}), vec!["contribution_id"])
        }
        "move_contribution" => (
            json!({"contribution_id": id, "cluster_id": {"type": ["string", "null"]}}),
            vec!["contribution_id", "cluster_id"],
        ),
        "create_cluster" => (json!({"title": title}), vec!["title"]),
        "rename_cluster" => (
            json!({"cluster_id": id, "title": title}),
            vec!["cluster_id", "title"],
        ),
        "delete_cluster" => (json!({"cluster_id": id}), vec!["cluster_id"]),
        "merge_contributions" => (
            json!({"contribution_ids": ids, "text": {"type": ["string", "null"]}}),
            vec!["contribution_ids"],
        ),
        "tag_contribution" => (
            json!({"contribution_id": id, "policy_areas": {"type": "array", "items": {"type": "string", "pattern": "^[A-Ka-k]$"}},
                   "targets": {"type": "array", "items": {"type": "string"}}}),
            vec!["contribution_id"],
        ),
        "set_phase" => (
            json!({"phase": {"enum": ["collect", "group", "vote", "synthesis"]}}),
            vec!["phase"],
        ),
        "start_timer" => (
            json!({"seconds": {"type": "integer", "minimum": 1, "maximum": 7200}}),
            vec!["seconds"],
        ),
        "open_meeting" => (json!({"title": {"type": ["string", "null"]}}), vec![]),
        "join" => (
            json!({"organisation": {"type": "string"}, "organisation_kind": {"type": "string"}}),
            vec!["organisation", "organisation_kind"],
        ),
        "set_notes" => (
            json!({"text": {"type": "string", "maxLength": MAX_CONTRIBUTION_CHARS}}),
            vec!["text"],
        ),
        "open_voting" => (
            json!({"contribution_ids": ids, "dots_per_voter": {"type": "integer", "minimum": 1, "maximum": 20},
                   "max_per_contribution": {"type": "integer", "minimum": 1}, "ballot": {"enum": ["person", "organisation"]},
                   "secret": {"type": "boolean"}, "hide_results": {"type": "boolean"},
                   "seconds": {"type": ["integer", "null"], "minimum": 1}}),
            vec![
                "contribution_ids",
                "dots_per_voter",
                "max_per_contribution",
                "ballot",
                "secret",
            ],
        ),
        "cast_vote" | "retract_vote" => (
            json!({"round": round, "contribution_id": id}),
            vec!["round", "contribution_id"],
        ),
        "close_voting" => (json!({"round": round}), vec!["round"]),
        // stop_timer, lock_board, unlock_board, close_meeting, leave.
        _ => (json!({}), vec![]),
    }
}

/// One schema per command type, under `oneOf`.
fn command_schema() -> Value {
    let variants: Vec<Value> = Command::TYPE_NAMES
        .iter()
        .map(|type_name| {
            let (fields, required) = command_fields(type_name);
            let mut properties = Map::new();
            properties.insert("type".into(), json!({"const": type_name}));
            properties.insert("command_id".into(), json!({"type": "string", "format": "uuid"}));
            if let Value::Object(fields) = fields {
                properties.extend(fields);
            }
            let mut all_required = vec!["type", "command_id"];
            all_required.extend(required);
            json!({"title": type_name, "type": "object", "properties": properties, "required": all_required})
        })
        .collect();
    json!({"oneOf": variants, "description": format!("A command; at most {MAX_FRAME_BYTES} bytes. See docs/PROTOCOL.md.")})
}

fn error_response(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

fn json_body(schema: Value) -> Value {
    json!({"required": true, "content": {"application/json": {"schema": schema}}})
}

fn ok(description: &str, schema: Value) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema}}})
}

fn id_param() -> Value {
    json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string"}})
}

fn since_param() -> Value {
    json!({"name": "since", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0}})
}

/// Responses every authenticated operation may give.
fn with_errors(mut responses: Value, codes: &[(&str, &str)]) -> Value {
    for (status, description) in codes {
        responses[*status] = error_response(description);
    }
    responses
}

/// The planning office's synthesis (docs/PROTOCOL.md, "Synthesis").
fn synthesis_paths() -> Map<String, Value> {
    let ids = json!({"type": "array", "items": {"type": "string"}});
    let errors = [
        ("400", "Malformed body"),
        ("401", "Not signed in"),
        ("403", "Not allowed"),
        ("404", "Unknown id"),
        ("409", "Edited meanwhile"),
        ("415", "Not JSON"),
        ("422", "Invalid field"),
    ];
    let created =
        json!({"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]});
    let paths = json!({
        "/api/processes/{id}/themes": {
            "post": {"summary": "Create a cross-cutting theme (planning office)", "operationId": "createTheme", "parameters": [id_param()],
                "requestBody": json_body(json!({"type": "object", "properties": {"title": {"type": "string", "minLength": 1},
                    "description": {"type": "string"}, "contribution_ids": ids, "cluster_ids": ids}, "required": ["title"]})),
                "responses": with_errors(json!({"201": ok("Created", created.clone())}), &errors)},
            "get": {"summary": "The process's cross-cutting themes", "operationId": "listThemes", "parameters": [id_param()],
                "responses": with_errors(json!({"200": ok("Themes", json!({"type": "object", "properties": {"themes": {"type": "array"}},
                    "required": ["themes"]}))}), &errors[1..4])}},
        "/api/processes/{id}/sheets": {
            "post": {"summary": "Create an intervention sheet (planning office)", "operationId": "createSheet", "parameters": [id_param()],
                "requestBody": json_body(json!({"type": "object", "properties": {"title": {"type": "string", "minLength": 1},
                    "fields": {"type": "object"}, "contribution_ids": ids, "source_contribution_id": {"type": ["string", "null"]}},
                    "required": ["title"]})),
                "responses": with_errors(json!({"201": ok("Created", created)}), &errors)},
            "get": {"summary": "The process's intervention sheets", "operationId": "listSheets", "parameters": [id_param(),
                    {"name": "need", "in": "query", "required": false, "schema": {"type": "string"}}],
                "responses": with_errors(json!({"200": ok("Sheets", json!({"type": "object", "properties": {"sheets": {"type": "array"}},
                    "required": ["sheets"]}))}), &errors[1..4])}},
        "/api/processes/{id}/coverage": {"get": {"summary": "Needs no sheet answers yet", "operationId": "coverage", "parameters": [id_param()],
            "responses": with_errors(json!({"200": ok("Coverage", json!({"type": "object", "properties": {"uncovered": ids},
                "required": ["uncovered"]}))}), &errors[1..4])}},
    });
    match paths {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

pub fn document() -> Value {
    let organisation_kinds: Vec<Value> = OrganisationKind::all()
        .iter()
        .map(|kind| serde_json::to_value(kind).expect("kinds serialise"))
        .collect();
    let auth_errors = [
        ("401", "Not signed in"),
        ("403", "Not allowed"),
        ("404", "Unknown id"),
    ];
    let body_errors = [
        ("400", "Malformed body"),
        ("413", "Body too large"),
        ("415", "Not JSON"),
        ("422", "Invalid field"),
    ];
    let id_object =
        json!({"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]});
    let paths = json!({
        "/healthz": {"get": {"summary": "Health: the server and its database answer", "operationId": "health",
            "responses": {"200": ok("Healthy", json!({"type": "object"})), "503": ok("Database unavailable", json!({"type": "object"}))}}},
        "/api/openapi.json": {"get": {"summary": "This document", "operationId": "openapi",
            "responses": {"200": ok("OpenAPI 3.1", json!({"type": "object"}))}}},
        "/api/login": {"post": {"summary": "Staff sign-in", "operationId": "login", "security": [],
            "requestBody": json_body(json!({"type": "object", "properties": {"email": {"type": "string"}, "password": {"type": "string"}},
                "required": ["email", "password"]})),
            "responses": with_errors(json!({"200": ok("Signed in; also sets the tavoli_session cookie",
                json!({"type": "object", "properties": {"token": {"type": "string"}}, "required": ["token"]}))}),
                &[("400", "Malformed body"), ("401", "Wrong email or password"), ("415", "Not JSON"), ("422", "Invalid field")])}},
        "/api/logout": {"post": {"summary": "End the staff session", "operationId": "logout", "responses": {"204": {"description": "Signed out"}}}},
        "/api/processes": {
            "post": {"summary": "Create a process (planning office)", "operationId": "createProcess",
                "requestBody": json_body(json!({"type": "object", "properties": {
                    "title": {"type": "string", "minLength": 1, "maxLength": 200}, "owner": {"type": "string", "minLength": 1, "maxLength": 200},
                    "kind": {"enum": PROCESS_KINDS}, "description": {"type": "string"}, "period": {"type": "string"}},
                    "required": ["title", "owner", "kind"]})),
                "responses": with_errors(json!({"201": ok("Created", id_object.clone())}), &[auth_errors[0], auth_errors[1], body_errors[0], body_errors[2], body_errors[3]])},
            "get": {"summary": "List processes (planning office)", "operationId": "listProcesses",
                "responses": with_errors(json!({"200": ok("Processes", json!({"type": "object"}))}), &auth_errors[..2])}},
        "/api/processes/{id}": {"get": {"summary": "A process with its roundtables", "operationId": "getProcess", "parameters": [id_param()],
            "responses": with_errors(json!({"200": ok("The process", json!({"type": "object"}))}), &auth_errors)}},
        "/api/processes/{id}/roundtables": {"post": {"summary": "Create a roundtable with a join code (planning office)",
            "operationId": "createRoundtable", "parameters": [id_param()],
            "requestBody": json_body(json!({"type": "object", "properties": {"title": {"type": "string", "minLength": 1, "maxLength": 200},
                "description": {"type": "string"}, "anonymous": {"type": "boolean"}}, "required": ["title"]})),
            "responses": with_errors(json!({"201": ok("Created", json!({"type": "object",
                "properties": {"id": {"type": "string"}, "join_code": {"type": "string"}}, "required": ["id", "join_code"]}))}),
                &[auth_errors[0], auth_errors[1], auth_errors[2], body_errors[0], body_errors[2], body_errors[3]])}},
        "/api/join": {"post": {"summary": "Join a roundtable by its code", "operationId": "join", "security": [],
            "requestBody": json_body(json!({"type": "object", "properties": {
                "join_code": {"type": "string"}, "name": {"type": "string", "minLength": 1, "maxLength": MAX_NAME},
                "organisation": {"type": "string", "minLength": 1, "maxLength": MAX_ORGANISATION},
                "organisation_kind": {"enum": organisation_kinds}, "consent": {"const": true}},
                "required": ["join_code", "name", "organisation", "organisation_kind", "consent"]})),
            "responses": with_errors(json!({"201": ok("Joined; also sets the participant cookie", json!({"type": "object",
                "properties": {"roundtable_id": {"type": "string"}, "participant_id": {"type": "string"}, "token": {"type": "string"}},
                "required": ["roundtable_id", "participant_id", "token"]}))}),
                &[("400", "Malformed body"), ("404", "Unknown join code"), ("415", "Not JSON"), ("422", "Invalid field or no consent")])}},
        "/api/roundtables/{id}/commands": {"post": {"summary": "Send a command", "operationId": "sendCommand", "parameters": [id_param()],
            "requestBody": json_body(json!({"$ref": "#/components/schemas/Command"})),
            "responses": with_errors(json!({"200": ok("Stored (or already stored under this command_id)",
                json!({"type": "object", "properties": {"seq": {"type": "integer"}}, "required": ["seq"]}))}),
                &[("400", "Malformed command"), ("401", "Not signed in"), ("403", "Not allowed"), ("404", "Unknown id"),
                  ("409", "command_id used at another roundtable"), ("413", "Too large"), ("422", "Refused by the rules")])}},
        "/api/roundtables/{id}/events": {"get": {"summary": "The log after `since`", "operationId": "events",
            "parameters": [id_param(), since_param()],
            "responses": with_errors(json!({"200": ok("Events in order", json!({"type": "object",
                "properties": {"events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}}}, "required": ["events"]}))}),
                &[("400", "Bad since"), auth_errors[0], auth_errors[1], auth_errors[2]])}},
        "/api/roundtables/{id}/board": {"get": {"summary": "The current board", "operationId": "board", "parameters": [id_param()],
            "responses": with_errors(json!({"200": ok("The board", json!({"$ref": "#/components/schemas/Board"}))}), &auth_errors)}},
        "/api/roundtables/{id}/live": {"get": {"summary": "Websocket: replay after `since`, then live events; accepts commands",
            "operationId": "live", "parameters": [id_param(), since_param()],
            "responses": with_errors(json!({"101": {"description": "Switching to the websocket protocol (docs/PROTOCOL.md)"}}),
                &[("400", "Bad since or not a websocket request"), auth_errors[0], auth_errors[1], auth_errors[2]])}},
    });
    let mut paths = paths;
    paths
        .as_object_mut()
        .expect("paths object")
        .extend(synthesis_paths());
    // Paths of the accounts and privacy routes, described beside their handlers.
    for more in [
        super::members::openapi_paths(),
        super::privacy::openapi_paths(),
    ] {
        if let (Value::Object(paths), Value::Object(more)) = (&mut paths, more) {
            paths.extend(more);
        }
    }
    for (path, status, description) in [
        (
            "/api/login",
            "429",
            "Too many sign-in attempts from this address (Retry-After)",
        ),
        (
            "/api/join",
            "429",
            "Too many joins from this address (Retry-After)",
        ),
        ("/api/join", "413", "Body too large"),
        ("/api/login", "413", "Body too large"),
    ] {
        paths[path]["post"]["responses"][status] = error_response(description);
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Tavoli API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Live thematic roundtables. The live protocol is described in docs/PROTOCOL.md."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"cookie": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "tavoli_session"}
            },
            "schemas": {
                "Error": {"type": "object", "properties": {"error": {"type": "object",
                    "properties": {"code": {"type": "string"}, "message": {"type": "string"}}, "required": ["code", "message"]}},
                    "required": ["error"]},
                "Command": command_schema(),
                "Event": {"type": "object", "properties": {"seq": {"type": "integer", "minimum": 1}, "type": {"type": "string"},
                    "command_id": {"type": "string"}, "at": {"type": "integer"}, "v": {"type": "integer"}}, "required": ["seq", "type", "at", "v"]},
                "Board": {"type": "object", "properties": {"seq": {"type": "integer"}, "phase": {"enum": ["collect", "group", "vote", "synthesis"]},
                    "contributions": {"type": "array"}, "clusters": {"type": "array"}, "voting_rounds": {"type": "array"}},
                    "required": ["seq", "phase", "contributions", "clusters", "voting_rounds"]}
            }
        }
    })
}
