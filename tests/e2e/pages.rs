//! The live pages as a phone without JavaScript sees them: the join and add-card form posts,
//! and who may see a board or a projector view.

use reqwest::{StatusCode, redirect::Policy};
use tavoli_tests::{Table, TestApp};

/// A browser that does not follow redirects, so the 303 itself can be checked.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

fn join_form<'a>(
    table: &'a Table,
    name: &'a str,
    organisation: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("join_code", table.join_code.as_str()),
        ("name", name),
        ("organisation_choice", ""),
        ("organisation", organisation),
        ("organisation_kind", "odv"),
        ("consent", "true"),
    ]
}

async fn post_form(
    client: &reqwest::Client,
    url: String,
    form: &[(&str, &str)],
) -> reqwest::Response {
    client.post(url).form(form).send().await.unwrap()
}

#[tokio::test]
async fn the_join_form_sets_the_cookie_and_leads_to_the_board() {
    let app = TestApp::spawn().await;
    let table = app.roundtable().await;
    let phone = browser();
    let response = post_form(
        &phone,
        app.url("/forms/join"),
        &join_form(&table, "Giulia Form", "Auser Form"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()["location"],
        format!("/tavolo/{}", table.id)
    );
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.starts_with(&format!("tavoli_p_{}=", table.id)),
        "{cookie}"
    );
    assert!(cookie.contains("HttpOnly"));

    let page = phone
        .get(app.url(&format!("/tavolo/{}", table.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Anziani"), "the roundtable title is shown");
    assert!(
        html.contains("Giulia Form"),
        "the participant sees their name"
    );
    assert!(
        html.contains("Invia contributo"),
        "the add-card form is there"
    );

    // Coming back to the join link on the same phone offers to resume.
    let join_page = phone
        .get(app.url(&format!("/t/{}", table.join_code)))
        .send()
        .await
        .unwrap();
    assert!(join_page.text().await.unwrap().contains("Torna al tavolo"));
}

#[tokio::test]
async fn a_bad_join_form_comes_back_with_the_reason_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let table = app.roundtable().await;
    let cases: [(&str, &str, &str, &str); 4] = [
        ("consent", "", "consent_required", "no consent"),
        ("name", "   ", "name", "blank name"),
        (
            "organisation_kind",
            "pirati",
            "organisation_kind",
            "unknown kind of organisation",
        ),
        ("join_code", "NOPE00", "unknown_join_code", "unknown code"),
    ];
    for (field, value, error, why) in cases {
        let mut form = join_form(&table, "Marco", "Caritas");
        for pair in form.iter_mut() {
            if pair.0 == field {
                pair.1 = value;
            }
        }
        let response = post_form(&browser(), app.url("/forms/join"), &form).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{why}");
        let location = response.headers()["location"].to_str().unwrap().to_string();
        assert!(
            location.ends_with(&format!("?errore={error}")),
            "{why}: {location}"
        );
        assert!(response.headers().get("set-cookie").is_none(), "{why}");
        // The page it leads to says why, in words.
        let page = browser()
            .get(app.url(&location))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("role=\"alert\""), "{why}");
    }
    assert!(
        app.storage
            .participants_of(&table.id)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn picking_an_existing_organisation_reuses_its_name_and_kind() {
    let app = TestApp::spawn().await;
    let table = app.roundtable().await;
    app.join(&table, "Anna", "Auser Valle").await;
    let mut form = join_form(&table, "Piero", "");
    form[2] = ("organisation_choice", " auser valle ");
    form[4] = ("organisation_kind", "");
    let response = post_form(&browser(), app.url("/forms/join"), &form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let people = app.storage.participants_of(&table.id).await.unwrap();
    let piero = people.iter().find(|p| p.name == "Piero").unwrap();
    assert_eq!(piero.organisation, "Auser Valle");
    assert_eq!(piero.organisation_kind, "aps");
}

#[tokio::test]
async fn the_add_card_form_stores_the_card_or_says_why_and_keeps_the_text() {
    let app = TestApp::spawn().await;
    let table = app.roundtable().await;
    let phone = browser();
    post_form(
        &phone,
        app.url("/forms/join"),
        &join_form(&table, "Elena", "APS Insieme"),
    )
    .await;
    let action = app.url(&format!("/forms/tavolo/{}/contributi", table.id));

    let response = post_form(
        &phone,
        action.clone(),
        &[
            ("kind", "resource"),
            ("text", "Un pulmino attrezzato del Comune"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let staff = app.staff(&table).await;
    let board = staff.board().await;
    let cards = board["contributions"].as_array().unwrap();
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0]["kind"], "resource");

    let long = "x".repeat(tavoli_core::MAX_CONTRIBUTION_CHARS + 1);
    for (kind, text, why) in [
        ("need", "   ", "empty text"),
        ("wish", "Qualcosa", "unknown kind"),
        ("need", long.as_str(), "too long"),
    ] {
        let response = post_form(&phone, action.clone(), &[("kind", kind), ("text", text)]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{why}");
        let html = response.text().await.unwrap();
        assert!(html.contains("Contributo non inviato"), "{why}");
        if why == "unknown kind" {
            assert!(html.contains("Qualcosa"), "the text is kept");
        }
    }
    // A stranger's form is refused with a page, not a 500.
    let response = post_form(&browser(), action, &[("kind", "need"), ("text", "Intruso")]).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        staff.board().await["contributions"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn boards_and_projector_views_are_only_for_their_people() {
    let app = TestApp::spawn().await;
    let table = app.roundtable().await;
    let stranger = browser()
        .get(app.url(&format!("/tavolo/{}", table.id)))
        .send()
        .await
        .unwrap();
    assert!(stranger.text().await.unwrap().contains("Accesso richiesto"));
    let token = app.staff_token().await;
    let projector = app
        .http
        .get(app.url(&format!("/proiezione/{}", table.id)))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        projector.contains(&table.join_code),
        "the join code is on the wall"
    );
    assert!(projector.contains("<svg"), "so is the QR code");
    assert!(
        projector.contains(&format!("/t/{}", table.join_code)),
        "and the join link"
    );
    let unknown = app
        .http
        .get(app.url("/tavolo/nessuno"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}
