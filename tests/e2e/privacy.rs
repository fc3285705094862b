//! Issue 9, privacy: consent is stored with its time and notice, a participant downloads their
//! data, and after erasure their name appears nowhere: not in the database file (WAL
//! included), not in any API answer, not in the logs. Their cards stay.

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::Stdio,
    time::Duration,
};

use serde_json::{Value, json};
use tavoli_tests::{places_holding, sqlite_files, tavoli_bin};

/// A name no other text in the database could contain by chance.
const NAME: &str = "Zebedeo Quintilliano";

struct Server {
    child: std::process::Child,
    url: String,
    log: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The real binary with the demo and every log line at debug level written to a file.
fn start(data_dir: &Path) -> Server {
    let log = data_dir.join("server.log");
    let log_file = std::fs::File::create(&log).unwrap();
    let mut child = std::process::Command::new(tavoli_bin())
        .args(["serve", "--demo"])
        .env("TAVOLI_ADDR", "127.0.0.1:0")
        .env("TAVOLI_DATA_DIR", data_dir)
        .env_remove("TAVOLI_DATABASE_URL")
        .env("TAVOLI_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(log_file)
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let url = loop {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "the server starts"
        );
        if let Some(url) = line.trim().strip_prefix("Tavoli is serving at ") {
            break url.to_string();
        }
    };
    // The log lines (on stdout when it is not a terminal) go to the log file too.
    let mut copy = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    std::thread::spawn(move || {
        use std::io::Write;
        for line in reader.lines().map_while(Result::ok) {
            let _ = writeln!(copy, "{line}");
        }
    });
    Server { child, url, log }
}

#[tokio::test]
async fn a_participant_downloads_their_data_and_after_erasure_their_name_is_nowhere() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let http = reqwest::Client::new();
    // A fresh roundtable of the demo process (the demo's own ones are already in synthesis).
    let staff = sign_in_demo(&server, &http).await;
    let list: Value = http
        .get(format!("{}/api/processes", server.url))
        .bearer_auth(&staff)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let process_id = list["processes"][0]["id"].as_str().unwrap().to_string();
    let table: Value = http
        .post(format!(
            "{}/api/processes/{process_id}/roundtables",
            server.url
        ))
        .bearer_auth(&staff)
        .json(&json!({"title": "Tavolo della privacy"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let joined: Value = http
        .post(format!("{}/api/join", server.url))
        .json(&json!({"join_code": table["join_code"], "name": NAME, "organisation": "Auser Valle Serena",
                      "organisation_kind": "odv", "consent": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = joined["token"].as_str().unwrap().to_string();
    let roundtable_id = joined["roundtable_id"].as_str().unwrap().to_string();
    let participant_id = joined["participant_id"].as_str().unwrap().to_string();
    let base = format!("{}/api/roundtables/{roundtable_id}", server.url);
    let card = json!({"type": "add_contribution", "command_id": uuid::Uuid::new_v4(), "kind": "need",
                      "text": "Trasporto per le visite mediche"});
    let sent = http
        .post(format!("{base}/commands"))
        .bearer_auth(&token)
        .json(&card)
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 200);

    // The download: who they are, when they consented to which notice, what they did.
    let mine: Value = http
        .get(format!("{base}/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine["participant"]["name"], NAME);
    assert_eq!(mine["participant"]["organisation"], "Auser Valle Serena");
    assert!(mine["participant"]["consent_at"].as_i64().unwrap() > 0);
    assert_eq!(
        mine["participant"]["consent_notice"],
        tavoli_core::privacy::PRIVACY_NOTICE_VERSION
    );
    let texts: Vec<&str> = mine["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["text"].as_str())
        .collect();
    assert_eq!(texts, ["Trasporto per le visite mediche"]);

    // The test can fail: before erasure the name is in the database files.
    let files = sqlite_files(dir.path());
    let file_refs: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    assert!(
        !places_holding(NAME, &file_refs, &[]).is_empty(),
        "the name is stored before erasure"
    );

    let erased = http
        .delete(format!("{base}/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(erased.status(), 204);
    assert!(
        erased.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );

    // Gone from every answer the API gives, to the planning office too.
    let mut answers = Vec::new();
    let board: Value = http
        .get(format!("{base}/board"))
        .bearer_auth(&staff)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        board["contributions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["text"] == "Trasporto per le visite mediche"),
        "the card stays"
    );
    for path in [
        format!("{base}/board"),
        format!("{base}/events?since=0"),
        format!("{base}/participants"),
        format!("{}/api/processes/{process_id}", server.url),
        format!("{}/api/processes/{process_id}/audit", server.url),
        format!("{}/api/processes", server.url),
        format!("{}/", server.url),
        format!("{}/api/processes/{process_id}/export.json", server.url),
        format!("{}/api/processes/{process_id}/export.csv", server.url),
    ] {
        let response = http.get(&path).bearer_auth(&staff).send().await.unwrap();
        assert!(response.status().is_success(), "{path}");
        answers.push((path, response.text().await.unwrap()));
    }
    // The PDF's text, as a reader (or a search engine) would extract it.
    let pdf = http
        .get(format!(
            "{}/api/processes/{process_id}/docpp.pdf",
            server.url
        ))
        .bearer_auth(&staff)
        .send()
        .await
        .unwrap();
    assert!(pdf.status().is_success());
    let pdf_file = std::env::temp_dir().join(format!("tavoli-erasure-{participant_id}.pdf"));
    std::fs::write(&pdf_file, pdf.bytes().await.unwrap()).unwrap();
    let pdf_text = std::process::Command::new("pdftotext")
        .arg(&pdf_file)
        .arg("-")
        .output()
        .unwrap();
    assert!(pdf_text.status.success(), "pdftotext reads the document");
    let _ = std::fs::remove_file(&pdf_file);
    let pdf_text = String::from_utf8_lossy(&pdf_text.stdout).into_owned();
    assert!(
        pdf_text.contains("Trasporto per le visite mediche"),
        "the card is in the document"
    );
    answers.push(("docpp.pdf (text)".to_string(), pdf_text));
    let participants = &answers[2].1;
    assert!(
        participants.contains(&participant_id),
        "still listed, by id"
    );
    // Their token is dead.
    let after = http
        .get(format!("{base}/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 401);

    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut files: Vec<&Path> = file_refs.clone();
    files.push(server.log.as_path());
    let texts: Vec<(&str, &str)> = answers
        .iter()
        .map(|(path, body)| (path.as_str(), body.as_str()))
        .collect();
    let found = places_holding(NAME, &files, &texts);
    assert!(found.is_empty(), "the erased name is still in: {found:?}");
    let log = std::fs::read_to_string(&server.log).unwrap();
    assert!(
        !log.is_empty(),
        "the log was written (so its check means something)"
    );
}

#[tokio::test]
async fn the_privacy_notice_is_served_in_both_languages_with_its_version() {
    let app = tavoli_tests::TestApp::spawn().await;
    let notice: Value = app.get("/api/privacy").await.json().await.unwrap();
    assert_eq!(
        notice["version"],
        tavoli_core::privacy::PRIVACY_NOTICE_VERSION
    );
    assert!(notice["it"].as_str().unwrap().contains("cancellazione"));
    assert!(notice["en"].as_str().unwrap().contains("erased"));
}

async fn sign_in_demo(server: &Server, http: &reqwest::Client) -> String {
    let login: Value = http
        .post(format!("{}/api/login", server.url))
        .json(&json!({"email": tavoli_server::demo::DEMO_EMAIL, "password": tavoli_server::demo::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    login["token"].as_str().unwrap().to_string()
}
