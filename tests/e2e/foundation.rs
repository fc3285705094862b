//! Issue 3: the server answers, its database is real, its pages render.

use tavoli_tests::TestApp;

#[tokio::test]
async fn healthz_answers_ok_when_the_database_answers() {
    let app = TestApp::spawn().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn the_database_file_is_created_in_wal_mode_on_first_start() {
    let app = TestApp::spawn().await;
    let file = app.data_dir.path().join("tavoli.sqlite3");
    assert!(
        file.exists(),
        "the SQLite file is created in the data directory"
    );
    let header = std::fs::read(&file).unwrap();
    // Bytes 18 and 19 of a SQLite header are 2 when the database is in WAL mode.
    assert_eq!((header[18], header[19]), (2, 2), "journal mode is WAL");
}

#[tokio::test]
async fn the_home_page_is_rendered_on_the_server_in_italian() {
    let app = TestApp::spawn().await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("<html lang=\"it\""), "Italian by default");
    assert!(html.contains("Tavoli tematici in tempo reale"));
    assert!(
        html.contains("/pkg/tavoli_participant.js"),
        "a visitor's page is hydrated by the participants' bundle"
    );
    // A staff page always gets the full bundle.
    let sign_in = app.get("/accedi").await.text().await.unwrap();
    assert!(
        sign_in.contains("/pkg/tavoli.js") && !sign_in.contains("tavoli_participant"),
        "the sign-in page is hydrated by the full bundle"
    );
}

#[tokio::test]
async fn an_english_browser_gets_english() {
    let app = TestApp::spawn().await;
    let html = app
        .http
        .get(app.url("/"))
        .header("Accept-Language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Live thematic roundtables"));
}

#[tokio::test]
async fn an_unknown_page_is_a_404_with_a_way_back() {
    let app = TestApp::spawn().await;
    let response = app.get("/non-esiste").await;
    assert_eq!(response.status(), 404);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Pagina non trovata")
    );
}
