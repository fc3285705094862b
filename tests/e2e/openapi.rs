//! The OpenAPI document: served, and complete for the public contract.

use serde_json::Value;
use tavoli_core::Command;
use tavoli_tests::TestApp;

#[tokio::test]
async fn the_openapi_document_lists_every_public_path_and_every_command() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), 200);
    let document: Value = response.json().await.unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    for path in [
        "/healthz",
        "/api/openapi.json",
        "/api/login",
        "/api/processes",
        "/api/processes/{id}",
        "/api/processes/{id}/roundtables",
        "/api/join",
        "/api/roundtables/{id}/commands",
        "/api/roundtables/{id}/events",
        "/api/roundtables/{id}/board",
        "/api/roundtables/{id}/live",
        "/api/processes/{id}/themes",
        "/api/processes/{id}/sheets",
        "/api/processes/{id}/coverage",
    ] {
        assert!(
            document["paths"].get(path).is_some(),
            "{path} is documented"
        );
    }
    let documented: Vec<&str> = document["components"]["schemas"]["Command"]["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|variant| variant["properties"]["type"]["const"].as_str().unwrap())
        .collect();
    assert_eq!(
        documented,
        Command::TYPE_NAMES,
        "every command type of the core is documented"
    );
}
