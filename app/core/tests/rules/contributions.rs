//! Cards: add, edit, withdraw, hide, tag, merge.

use tavoli_core::{
    BallotUnit, Command, ContributionKind::*, ContributionStatus, DomainError, EventKind,
    MAX_CONTRIBUTION_CHARS, Phase, PolicyArea,
};

use crate::support::*;

fn room_with_annas_need() -> Scenario {
    let mut steps = the_room();
    steps.push(add(1, anna(), Need, "Mancano spazi per i giovani"));
    given(&steps)
}

fn edit(card: u128, text: &str) -> Command {
    Command::EditContribution {
        contribution_id: id(card),
        text: text.into(),
    }
}

fn withdraw(card: u128) -> Command {
    Command::WithdrawContribution {
        contribution_id: id(card),
    }
}

#[test]
fn a_participant_adds_a_need_whose_id_is_the_command_id() {
    given(&the_room())
        .when(anna(), add_command(Need, "  Mancano spazi per i giovani "))
        .then(&[EventKind::ContributionAdded {
            contribution_id: id(WHEN_ID),
            kind: Need,
            text: "Mancano spazi per i giovani".into(),
            author: Some("anna".into()),
            on_behalf_of: None,
        }]);
}

#[test]
fn bad_card_texts_are_refused() {
    let room = given(&the_room());
    let cases = [
        ("", DomainError::EmptyText),
        (" \n\t ", DomainError::EmptyText),
        (
            &"a".repeat(MAX_CONTRIBUTION_CHARS + 1),
            DomainError::TextTooLong {
                max: MAX_CONTRIBUTION_CHARS,
            },
        ),
    ];
    for (text, error) in cases {
        room.when(anna(), add_command(Resource, text))
            .then_error(error);
    }
}

#[test]
fn only_people_who_joined_and_stayed_may_add() {
    let room = given(&the_room());
    room.when(stranger(), add_command(Need, "x"))
        .then_error(DomainError::NotAParticipant);
    let mut anonymous = anna();
    anonymous.participant_id = None;
    room.when(anonymous, add_command(Need, "x"))
        .then_error(DomainError::NotAParticipant);
    let mut steps = the_room();
    steps.push(by(anna(), Command::Leave {}));
    given(&steps)
        .when(anna(), add_command(Need, "x"))
        .then_error(DomainError::NotAParticipant);
}

#[test]
fn observers_may_not_add() {
    given(&the_room())
        .when(observer(), add_command(Need, "x"))
        .then_error(DomainError::NotAllowed);
}

#[test]
fn a_participant_may_not_type_on_behalf_of_someone() {
    given(&the_room())
        .when(
            anna(),
            Command::AddContribution {
                kind: Need,
                text: "x".into(),
                on_behalf_of: Some("Maria".into()),
            },
        )
        .then_error(DomainError::NotAllowed);
}

#[test]
fn a_facilitator_types_for_someone_without_a_device_while_grouping() {
    let mut steps = the_room();
    steps.push(set_phase(Phase::Group));
    let board = given(&steps)
        .when(
            facilitator(),
            Command::AddContribution {
                kind: Proposal,
                text: "Un centro diurno".into(),
                on_behalf_of: Some(" Maria, Pro Senectute ".into()),
            },
        )
        .then(&[EventKind::ContributionAdded {
            contribution_id: id(WHEN_ID),
            kind: Proposal,
            text: "Un centro diurno".into(),
            author: None,
            on_behalf_of: Some("Maria, Pro Senectute".into()),
        }]);
    assert_eq!(board.contributions[0].created_at, NOW);
}

#[test]
fn facilitators_add_only_while_collecting_or_grouping() {
    for phase in [Phase::Vote, Phase::Synthesis] {
        given(&[set_phase(phase)])
            .when(facilitator(), add_command(Need, "x"))
            .then_error(DomainError::PhaseClosed);
    }
}

#[test]
fn participants_add_only_while_collecting_and_unlocked() {
    let mut grouping = the_room();
    grouping.push(set_phase(Phase::Group));
    given(&grouping)
        .when(anna(), add_command(Need, "x"))
        .then_error(DomainError::PhaseClosed);
    let mut locked = the_room();
    locked.push(by(facilitator(), Command::LockBoard {}));
    let locked = given(&locked);
    locked
        .when(anna(), add_command(Need, "x"))
        .then_error(DomainError::BoardLocked);
    // The lock is on participants: the facilitator keeps working.
    locked.when(facilitator(), add_command(Need, "x")).board();
}

#[test]
fn the_author_edits_and_the_previous_text_is_kept() {
    let board = room_with_annas_need()
        .when(anna(), edit(1, "Mancano spazi per i ragazzi"))
        .then(&[EventKind::ContributionEdited {
            contribution_id: id(1),
            text: "Mancano spazi per i ragazzi".into(),
            previous_text: "Mancano spazi per i giovani".into(),
        }]);
    let card = board.contribution(&id(1)).unwrap();
    assert_eq!(card.text, "Mancano spazi per i ragazzi");
    assert_eq!(card.edits.len(), 1);
    assert_eq!(card.edits[0].by.as_deref(), Some("anna"));
    assert_eq!(card.edits[0].previous_text, "Mancano spazi per i giovani");
}

#[test]
fn nobody_else_edits_a_participants_card() {
    room_with_annas_need()
        .when(marco(), edit(1, "mio"))
        .then_error(DomainError::NotAuthor);
    // Lucia shares Anna's organisation, not her authorship.
    room_with_annas_need()
        .when(lucia(), edit(1, "mio"))
        .then_error(DomainError::NotAuthor);
}

#[test]
fn the_author_edits_only_while_collecting_and_unlocked() {
    let mut steps = the_room();
    steps.push(add(1, anna(), Need, "x"));
    steps.push(set_phase(Phase::Group));
    given(&steps)
        .when(anna(), edit(1, "y"))
        .then_error(DomainError::PhaseClosed);
    let mut steps = the_room();
    steps.push(add(1, anna(), Need, "x"));
    steps.push(by(facilitator(), Command::LockBoard {}));
    given(&steps)
        .when(anna(), edit(1, "y"))
        .then_error(DomainError::BoardLocked);
}

#[test]
fn a_facilitator_edits_any_card_in_any_phase_and_is_traced() {
    let mut steps = the_room();
    steps.push(add(1, anna(), Need, "x"));
    steps.push(set_phase(Phase::Synthesis));
    let board = given(&steps).when(planning_office(), edit(1, "y")).board();
    let card = board.contribution(&id(1)).unwrap();
    assert_eq!(card.edits[0].by.as_deref(), Some("user-udp"));
}

#[test]
fn edits_need_a_live_card_and_valid_text() {
    let room = room_with_annas_need();
    room.when(anna(), edit(42, "y"))
        .then_error(DomainError::UnknownContribution);
    room.when(anna(), edit(1, "  "))
        .then_error(DomainError::EmptyText);
    let mut steps = the_room();
    steps.push(add(1, anna(), Need, "x"));
    steps.push(by(anna(), withdraw(1)));
    given(&steps)
        .when(facilitator(), edit(1, "y"))
        .then_error(DomainError::AlreadyWithdrawn);
}

#[test]
fn the_author_withdraws_and_the_card_stays_in_history() {
    let board = room_with_annas_need().when(anna(), withdraw(1)).then(&[
        EventKind::ContributionWithdrawn {
            contribution_id: id(1),
        },
    ]);
    assert_eq!(board.contributions.len(), 1);
    assert_eq!(board.contributions[0].status, ContributionStatus::Withdrawn);
    assert_eq!(board.live_contributions().count(), 0);
}

#[test]
fn withdrawal_rules() {
    room_with_annas_need()
        .when(marco(), withdraw(1))
        .then_error(DomainError::NotAuthor);
    let mut steps = the_room();
    steps.push(add(1, anna(), Need, "x"));
    steps.push(by(anna(), withdraw(1)));
    given(&steps)
        .when(anna(), withdraw(1))
        .then_error(DomainError::AlreadyWithdrawn);
    let mut steps = the_room();
    steps.push(add(1, anna(), Need, "x"));
    steps.push(set_phase(Phase::Vote));
    let voting = given(&steps);
    voting
        .when(anna(), withdraw(1))
        .then_error(DomainError::PhaseClosed);
    voting.when(facilitator(), withdraw(1)).board();
}

#[test]
fn a_card_under_vote_cannot_disappear() {
    let mut steps = the_room();
    steps.push(add(1, anna(), Need, "x"));
    steps.push(add(2, anna(), Need, "y"));
    steps.push(open_voting(&[1], 3, 3, BallotUnit::Person));
    let voting = given(&steps);
    voting
        .when(facilitator(), withdraw(1))
        .then_error(DomainError::InOpenRound);
    voting
        .when(
            facilitator(),
            Command::MergeContributions {
                contribution_ids: vec![id(1), id(2)],
                text: None,
            },
        )
        .then_error(DomainError::InOpenRound);
}

#[test]
fn a_facilitator_hides_and_reveals_a_card() {
    let hide = Command::HideContribution {
        contribution_id: id(1),
    };
    let board = room_with_annas_need()
        .when(facilitator(), hide.clone())
        .board();
    assert!(board.contribution(&id(1)).unwrap().hidden);
    room_with_annas_need()
        .when(anna(), hide)
        .then_error(DomainError::NotAllowed);
    let mut steps = the_room();
    steps.push(add(1, anna(), Need, "x"));
    steps.push(by(
        facilitator(),
        Command::HideContribution {
            contribution_id: id(1),
        },
    ));
    let board = given(&steps)
        .when(
            facilitator(),
            Command::RevealContribution {
                contribution_id: id(1),
            },
        )
        .board();
    assert!(!board.contribution(&id(1)).unwrap().hidden);
    given(&steps)
        .when(
            facilitator(),
            Command::HideContribution {
                contribution_id: id(7),
            },
        )
        .then_error(DomainError::UnknownContribution);
}

fn tag(card: u128, areas: &[&str], targets: &[&str]) -> Command {
    Command::TagContribution {
        contribution_id: id(card),
        policy_areas: areas.iter().map(|area| area.to_string()).collect(),
        targets: targets.iter().map(|target| target.to_string()).collect(),
    }
}

#[test]
fn tags_are_validated_deduplicated_and_replace_the_old_ones() {
    let area = |letter: &str| PolicyArea::parse(letter).unwrap();
    room_with_annas_need()
        .when(
            facilitator(),
            tag(1, &["g", "E", "G"], &["Giovani", " giovani", ""]),
        )
        .then(&[EventKind::ContributionTagged {
            contribution_id: id(1),
            policy_areas: vec![area("E"), area("G")],
            targets: vec!["Giovani".into()],
        }]);
    let mut steps = the_room();
    steps.push(add(1, anna(), Need, "x"));
    steps.push(by(facilitator(), tag(1, &["A"], &["Anziani"])));
    let board = given(&steps)
        .when(facilitator(), tag(1, &["B"], &[]))
        .board();
    let card = board.contribution(&id(1)).unwrap();
    assert_eq!(card.policy_areas, vec![area("B")]);
    assert!(card.targets.is_empty());
}

#[test]
fn a_policy_area_outside_a_to_k_is_refused() {
    room_with_annas_need()
        .when(facilitator(), tag(1, &["A", "L"], &[]))
        .then_error(DomainError::InvalidPolicyArea);
    room_with_annas_need()
        .when(anna(), tag(1, &["A"], &[]))
        .then_error(DomainError::NotAllowed);
}

fn merge(cards: &[u128], text: Option<&str>) -> Command {
    Command::MergeContributions {
        contribution_ids: cards.iter().map(|n| id(*n)).collect(),
        text: text.map(str::to_owned),
    }
}

fn three_needs_and_a_resource() -> Vec<Step> {
    let mut steps = the_room();
    steps.push(create_cluster(50, "Giovani"));
    steps.push(add(1, anna(), Need, "Spazi"));
    steps.push(add(2, marco(), Need, "Luoghi"));
    steps.push(add(3, gino(), Need, "Sale"));
    steps.push(add(4, marco(), Resource, "Oratorio"));
    steps.push(by(
        facilitator(),
        Command::MoveContribution {
            contribution_id: id(2),
            cluster_id: Some(id(50)),
        },
    ));
    steps.push(by(facilitator(), tag(2, &["G"], &["Giovani"])));
    steps.push(by(facilitator(), tag(1, &["A"], &["Famiglie"])));
    steps
}

#[test]
fn merging_makes_a_new_card_and_keeps_the_sources_as_merged() {
    let board = given(&three_needs_and_a_resource())
        .when(facilitator(), merge(&[2, 1], None))
        .then(&[EventKind::ContributionsMerged {
            contribution_id: id(WHEN_ID),
            kind: Need,
            text: "Luoghi / Spazi".into(),
            sources: vec![id(2), id(1)],
            cluster_id: Some(id(50)),
        }]);
    let merged = board.contribution(&id(WHEN_ID)).unwrap();
    assert_eq!(merged.sources, vec![id(2), id(1)]);
    assert_eq!(merged.cluster_id, Some(id(50)));
    let areas: Vec<char> = merged
        .policy_areas
        .iter()
        .map(|area| area.letter())
        .collect();
    assert_eq!(
        areas,
        vec!['A', 'G'],
        "the merged card inherits its sources' tags"
    );
    assert_eq!(merged.targets, vec!["Giovani", "Famiglie"]);
    for source in [1, 2] {
        let card = board.contribution(&id(source)).unwrap();
        assert_eq!(card.status, ContributionStatus::Merged);
        assert_eq!(card.merged_into, Some(id(WHEN_ID)));
    }
    assert_eq!(board.live_contributions().count(), 3);
}

#[test]
fn a_merge_may_be_given_its_own_text() {
    let events = given(&three_needs_and_a_resource())
        .when(
            facilitator(),
            merge(&[1, 2, 3], Some("Mancano spazi di aggregazione")),
        )
        .events();
    let EventKind::ContributionsMerged { text, .. } = &events[0] else {
        panic!("not a merge");
    };
    assert_eq!(text, "Mancano spazi di aggregazione");
}

#[test]
fn merge_rules() {
    let room = given(&three_needs_and_a_resource());
    let cases = [
        (merge(&[1], None), DomainError::MergeNeedsTwo),
        (merge(&[], None), DomainError::MergeNeedsTwo),
        (merge(&[1, 1], None), DomainError::DuplicateIds),
        (merge(&[1, 4], None), DomainError::MergeKindsDiffer),
        (merge(&[1, 77], None), DomainError::UnknownContribution),
        (merge(&[1, 2], Some(" ")), DomainError::EmptyText),
    ];
    for (command, error) in cases {
        room.when(facilitator(), command).then_error(error);
    }
    room.when(anna(), merge(&[1, 2], None))
        .then_error(DomainError::NotAllowed);
    let mut steps = three_needs_and_a_resource();
    steps.push(numbered(60, facilitator(), merge(&[1, 2], None)));
    given(&steps)
        .when(facilitator(), merge(&[1, 3], None))
        .then_error(DomainError::AlreadyMerged);
}

#[test]
fn a_joined_default_text_over_the_limit_asks_for_a_summary() {
    let long = "a".repeat(MAX_CONTRIBUTION_CHARS - 1);
    let mut steps = the_room();
    steps.push(add(1, anna(), Need, &long));
    steps.push(add(2, anna(), Need, &long));
    given(&steps)
        .when(facilitator(), merge(&[1, 2], None))
        .then_error(DomainError::TextTooLong {
            max: MAX_CONTRIBUTION_CHARS,
        });
}
