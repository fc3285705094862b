//! Clusters: create, rename, delete, and moving cards in and out.

use tavoli_core::{Command, ContributionKind::*, DomainError, EventKind, MAX_TITLE_CHARS};

use crate::support::*;

fn move_to(card: u128, cluster: Option<u128>) -> Command {
    Command::MoveContribution {
        contribution_id: id(card),
        cluster_id: cluster.map(id),
    }
}

fn a_card_and_a_cluster() -> Vec<Step> {
    let mut steps = the_room();
    steps.push(add(1, anna(), Need, "Spazi"));
    steps.push(create_cluster(50, "Giovani"));
    steps
}

#[test]
fn a_facilitator_creates_a_cluster_whose_id_is_the_command_id() {
    let board = given(&[])
        .when(
            facilitator(),
            Command::CreateCluster {
                title: " Famiglia caregiver ".into(),
            },
        )
        .then(&[EventKind::ClusterCreated {
            cluster_id: id(WHEN_ID),
            title: "Famiglia caregiver".into(),
        }]);
    assert_eq!(board.clusters[0].title, "Famiglia caregiver");
}

#[test]
fn cluster_titles_are_checked() {
    let room = given(&[]);
    room.when(facilitator(), Command::CreateCluster { title: " ".into() })
        .then_error(DomainError::EmptyTitle);
    room.when(
        facilitator(),
        Command::CreateCluster {
            title: "x".repeat(MAX_TITLE_CHARS + 1),
        },
    )
    .then_error(DomainError::TitleTooLong {
        max: MAX_TITLE_CHARS,
    });
}

#[test]
fn participants_do_not_create_clusters() {
    given(&the_room())
        .when(anna(), Command::CreateCluster { title: "x".into() })
        .then_error(DomainError::NotAllowed);
}

#[test]
fn a_cluster_is_renamed() {
    let board = given(&a_card_and_a_cluster())
        .when(
            facilitator(),
            Command::RenameCluster {
                cluster_id: id(50),
                title: "Giovani e spazi".into(),
            },
        )
        .board();
    assert_eq!(board.cluster(&id(50)).unwrap().title, "Giovani e spazi");
    given(&a_card_and_a_cluster())
        .when(
            facilitator(),
            Command::RenameCluster {
                cluster_id: id(51),
                title: "x".into(),
            },
        )
        .then_error(DomainError::UnknownCluster);
}

#[test]
fn a_card_moves_into_a_cluster_and_out_again() {
    let board = given(&a_card_and_a_cluster())
        .when(facilitator(), move_to(1, Some(50)))
        .then(&[EventKind::ContributionMoved {
            contribution_id: id(1),
            cluster_id: Some(id(50)),
        }]);
    assert_eq!(board.contribution(&id(1)).unwrap().cluster_id, Some(id(50)));
    let mut steps = a_card_and_a_cluster();
    steps.push(by(facilitator(), move_to(1, Some(50))));
    let board = given(&steps).when(facilitator(), move_to(1, None)).board();
    assert_eq!(board.contribution(&id(1)).unwrap().cluster_id, None);
}

#[test]
fn moving_needs_a_live_card_and_an_existing_cluster() {
    let room = given(&a_card_and_a_cluster());
    room.when(facilitator(), move_to(1, Some(51)))
        .then_error(DomainError::UnknownCluster);
    room.when(facilitator(), move_to(2, Some(50)))
        .then_error(DomainError::UnknownContribution);
    room.when(anna(), move_to(1, Some(50)))
        .then_error(DomainError::NotAllowed);
}

#[test]
fn deleting_a_cluster_keeps_its_cards_unclustered() {
    let mut steps = a_card_and_a_cluster();
    steps.push(by(facilitator(), move_to(1, Some(50))));
    let board = given(&steps)
        .when(facilitator(), Command::DeleteCluster { cluster_id: id(50) })
        .then(&[EventKind::ClusterDeleted { cluster_id: id(50) }]);
    assert!(board.clusters.is_empty());
    assert_eq!(board.contributions.len(), 1);
    assert_eq!(board.contribution(&id(1)).unwrap().cluster_id, None);
    given(&steps)
        .when(facilitator(), Command::DeleteCluster { cluster_id: id(9) })
        .then_error(DomainError::UnknownCluster);
}
