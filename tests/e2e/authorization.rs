//! Issue 4, authorization: every command type is tried by every role; only the roles the
//! core's permission table allows get past authorization, and a refusal changes nothing.

use serde_json::{Value, json};
use tavoli_core::{Command, Role, permission::may_send};
use tavoli_tests::{Client, TestApp, add_need, command_id};

/// The ids a sample command may refer to.
pub struct Fixture {
    pub card_a: String,
    pub card_b: String,
    pub cluster: String,
}

/// A valid instance of each command type, given the fixture board.
pub fn sample(type_name: &str, f: &Fixture) -> Value {
    let body = match type_name {
        "add_contribution" => json!({"kind": "proposal", "text": "Una proposta"}),
        "edit_contribution" => json!({"contribution_id": f.card_a, "text": "Testo corretto"}),
        "withdraw_contribution" => json!({"contribution_id": f.card_b}),
        "move_contribution" => json!({"contribution_id": f.card_a, "cluster_id": f.cluster}),
        "create_cluster" => json!({"title": "Nuovo gruppo"}),
        "rename_cluster" => json!({"cluster_id": f.cluster, "title": "Gruppo rinominato"}),
        "delete_cluster" => json!({"cluster_id": f.cluster}),
        "merge_contributions" => json!({"contribution_ids": [f.card_a, f.card_b]}),
        "hide_contribution" | "reveal_contribution" => json!({"contribution_id": f.card_a}),
        "tag_contribution" => {
            json!({"contribution_id": f.card_a, "policy_areas": ["E"], "targets": ["anziani"]})
        }
        "set_phase" => json!({"phase": "group"}),
        "start_timer" => json!({"seconds": 300}),
        "stop_timer" | "lock_board" | "unlock_board" | "close_meeting" | "leave" => json!({}),
        "open_meeting" => json!({"title": "Secondo incontro"}),
        "join" => json!({"organisation": "Ente", "organisation_kind": "odv"}),
        "set_notes" => json!({"text": "Sintesi del tavolo"}),
        "open_voting" => {
            json!({"contribution_ids": [f.card_a], "dots_per_voter": 3, "max_per_contribution": 2,
                                "ballot": "person", "secret": false})
        }
        "cast_vote" | "retract_vote" => json!({"round": 1, "contribution_id": f.card_a}),
        "close_voting" => json!({"round": 1}),
        other => panic!("no sample for command `{other}`: add one so the matrix covers it"),
    };
    let mut command = body;
    command["type"] = json!(type_name);
    command["command_id"] = json!(command_id());
    command
}

#[tokio::test]
async fn each_command_is_accepted_only_from_the_roles_allowed_to_send_it() {
    let app = TestApp::spawn().await;
    let facilitator_token = {
        let hash = tavoli_server::auth::hash_password("facilitatore-1").unwrap();
        app.storage
            .create_user(
                "facilitatore@ambito.example",
                "Facilitatore",
                &hash,
                "facilitator",
                0,
            )
            .await
            .unwrap();
        let response = app
            .http
            .post(app.url("/api/login"))
            .json(&json!({"email": "facilitatore@ambito.example", "password": "facilitatore-1"}))
            .send()
            .await
            .unwrap();
        response.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let elsewhere = app.roundtable().await;
    let outsider = app.join(&elsewhere, "Olga", "Altrove").await;
    let mut checked = 0;
    for type_name in Command::TYPE_NAMES {
        // A fresh roundtable per command type, so one command's effect cannot hide another's.
        let table = app.roundtable().await;
        let author = app.join(&table, "Anna", "Auser").await;
        let staff = app.staff(&table).await;
        // Facilitators act only at their own roundtables: make this account one of this one's.
        let added = app
            .post_json(
                &staff.token,
                &format!("/api/roundtables/{}/facilitators", table.id),
                json!({"email": "facilitatore@ambito.example"}),
            )
            .await;
        assert_eq!(added.status(), 200);
        let card_a = add_need("Prima scheda");
        let card_b = add_need("Seconda scheda");
        author.send(&card_a).await;
        author.send(&card_b).await;
        let cluster =
            json!({"type": "create_cluster", "command_id": command_id(), "title": "Gruppo"});
        staff.send(&cluster).await;
        let fixture = Fixture {
            card_a: card_a["command_id"].as_str().unwrap().into(),
            card_b: card_b["command_id"].as_str().unwrap().into(),
            cluster: cluster["command_id"].as_str().unwrap().into(),
        };
        let as_role = |token: &str| Client {
            token: token.to_string(),
            ..author.clone()
        };
        let roles: Vec<(&str, Option<Role>, Client)> = vec![
            ("no credentials", None, as_role("nessun-token")),
            (
                "a participant of another roundtable",
                None,
                Client {
                    roundtable_id: table.id.clone(),
                    ..outsider.clone()
                },
            ),
            ("the participant", Some(Role::Participant), author.clone()),
            (
                "a facilitator",
                Some(Role::Facilitator),
                as_role(&facilitator_token),
            ),
            (
                "the planning office",
                Some(Role::PlanningOffice),
                staff.clone(),
            ),
        ];
        for (who, role, client) in roles {
            let command = sample(type_name, &fixture);
            let parsed: Command =
                serde_json::from_value(command.clone()).expect("samples are valid commands");
            let allowed = role.is_some_and(|role| may_send(role, &parsed));
            let before = staff.board().await;
            let (status, body) = client.send(&command).await;
            if allowed {
                // Past the role table; the board's own rules (a staff member who has not joined
                // cannot vote, say) may still refuse, but not as an authorization failure.
                let code = body["error"]["code"].as_str().unwrap_or("");
                assert!(
                    !["unauthenticated", "forbidden", "not_allowed"].contains(&code),
                    "{type_name} by {who}: allowed, got {status} {body}"
                );
                assert!(
                    status == 200 || (400..500).contains(&status),
                    "{type_name} by {who}: {status} {body}"
                );
            } else {
                assert!(
                    status == 401 || status == 403,
                    "{type_name} by {who}: refused, got {status} {body}"
                );
                assert!(
                    body["error"]["code"].is_string(),
                    "{type_name} by {who}: a typed error"
                );
                assert_eq!(
                    staff.board().await,
                    before,
                    "{type_name} by {who}: the board is unchanged"
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, Command::TYPE_NAMES.len() * 5);
}
