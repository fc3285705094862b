//! `Board`, a roundtable's state, and `apply`: the one reducer that folds the event log into it.
//! Server and browser run this same function, so the live board, the projector and the PDF
//! cannot disagree. `apply` never refuses and never panics: every rule was checked by `decide`
//! before the event was stored, and an event that names something unknown is ignored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::event::{Event, EventKind, RoundResult};
use crate::ids::Seq;
use crate::policy_area::PolicyArea;
use crate::vocabulary::{BallotUnit, ContributionKind, OrganisationKind, Phase};

/// The state of one roundtable: the fold of its event log.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Board {
    /// The seq of the last event applied.
    pub seq: Seq,
    pub phase: Phase,
    /// While locked, participants cannot add, edit or withdraw cards (they may still vote).
    pub locked: bool,
    pub timer: Option<Timer>,
    /// The synthesis notes of the roundtable.
    pub notes: String,
    /// In order of creation, withdrawn and merged cards included so history is kept.
    pub contributions: Vec<Contribution>,
    pub clusters: Vec<Cluster>,
    pub participants: Vec<ParticipantInfo>,
    pub meetings: Vec<Meeting>,
    pub voting_rounds: Vec<VotingRound>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timer {
    /// Server time at which the timer runs out, unix milliseconds.
    pub ends_at: i64,
    pub seconds: u32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContributionStatus {
    #[default]
    Live,
    Withdrawn,
    /// Folded into another card (`merged_into`); kept for the trace, not shown as live.
    Merged,
}

/// One card.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    pub contribution_id: String,
    pub kind: ContributionKind,
    pub text: String,
    pub cluster_id: Option<String>,
    /// The author's participant id.
    pub author: Option<String>,
    /// Whom a facilitator typed this card for.
    pub on_behalf_of: Option<String>,
    pub status: ContributionStatus,
    pub hidden: bool,
    pub merged_into: Option<String>,
    /// For a card made by merging: the cards it was made from.
    pub sources: Vec<String>,
    pub policy_areas: Vec<PolicyArea>,
    pub targets: Vec<String>,
    /// Every edit, oldest first, with the text it replaced.
    pub edits: Vec<Edit>,
    pub created_at: i64,
}

impl Contribution {
    pub fn is_live(&self) -> bool {
        self.status == ContributionStatus::Live
    }
}

/// The trace of one edit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    /// Participant id or staff user id of whoever edited.
    pub by: Option<String>,
    pub previous_text: String,
    pub at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cluster {
    pub cluster_id: String,
    pub title: String,
}

/// A person who joined, as the log knows them: never their name (GDPR erasure touches no event).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantInfo {
    pub participant_id: String,
    pub organisation: String,
    pub organisation_kind: OrganisationKind,
    /// Recorded in the attendance of the meeting open now. Online status is not here: it is
    /// ephemeral and travels in `presence` messages.
    pub present: bool,
    pub left: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    pub meeting_id: String,
    pub title: Option<String>,
    pub opened_at: i64,
    pub closed_at: Option<i64>,
    /// Participant ids, in order of arrival.
    pub attendance: Vec<String>,
}

impl Meeting {
    pub fn is_open(&self) -> bool {
        self.closed_at.is_none()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundStatus {
    Open,
    Closed,
}

/// One dot on a ballot: on which card, cast by which member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BallotDot {
    pub contribution_id: String,
    pub participant_id: String,
}

/// One dot-voting round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VotingRound {
    pub round: u32,
    pub status: RoundStatus,
    pub contribution_ids: Vec<String>,
    pub dots_per_voter: u32,
    pub max_per_contribution: u32,
    pub ballot: BallotUnit,
    pub secret: bool,
    pub hide_results: bool,
    pub ends_at: Option<i64>,
    /// Dots per card of the round; cleared in the public view of an open `hide_results` round.
    pub tally: BTreeMap<String, u32>,
    /// Ballot key to its dots. Private: the public view empties it for secret rounds.
    pub ballots: BTreeMap<String, Vec<BallotDot>>,
    /// How many ballots hold at least one dot.
    pub voters: u32,
    /// Filled at close; for an open round see [`VotingRound::live_results`].
    pub results: Vec<RoundResult>,
}

impl VotingRound {
    pub fn is_open(&self) -> bool {
        self.status == RoundStatus::Open
    }

    /// The ranking as it stands, from the tally.
    pub fn live_results(&self) -> Vec<RoundResult> {
        rank(&self.contribution_ids, &self.tally)
    }

    /// Dots one ballot holds.
    pub fn dots_of(&self, ballot_key: &str) -> u32 {
        self.ballots
            .get(ballot_key)
            .map_or(0, |dots| u32::try_from(dots.len()).unwrap_or(u32::MAX))
    }

    fn recount_voters(&mut self) {
        let voters = self
            .ballots
            .values()
            .filter(|dots| !dots.is_empty())
            .count();
        self.voters = u32::try_from(voters).unwrap_or(u32::MAX);
    }
}

/// Ranks the cards of a round: most dots first; ties keep the round's order and share a rank.
pub fn rank(contribution_ids: &[String], tally: &BTreeMap<String, u32>) -> Vec<RoundResult> {
    let mut counted: Vec<(String, u32)> = contribution_ids
        .iter()
        .map(|id| (id.clone(), tally.get(id).copied().unwrap_or(0)))
        .collect();
    // A stable sort keeps the round's order among ties, as API.md asks.
    counted.sort_by_key(|(_, dots)| std::cmp::Reverse(*dots));
    let dots_in_order: Vec<u32> = counted.iter().map(|(_, dots)| *dots).collect();
    counted
        .into_iter()
        .map(|(contribution_id, dots)| {
            let better = dots_in_order.iter().filter(|other| **other > dots).count();
            RoundResult {
                contribution_id,
                dots,
                rank: u32::try_from(better).unwrap_or(u32::MAX).saturating_add(1),
            }
        })
        .collect()
}

impl Board {
    /// The board after folding `events` from an empty one.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a Event>) -> Board {
        let mut board = Board::default();
        for event in events {
            apply(&mut board, event);
        }
        board
    }

    pub fn contribution(&self, contribution_id: &str) -> Option<&Contribution> {
        self.contributions
            .iter()
            .find(|contribution| contribution.contribution_id == contribution_id)
    }

    /// Cards neither withdrawn nor merged (hidden ones included: hiding is a display choice).
    pub fn live_contributions(&self) -> impl Iterator<Item = &Contribution> {
        self.contributions
            .iter()
            .filter(|contribution| contribution.is_live())
    }

    pub fn cluster(&self, cluster_id: &str) -> Option<&Cluster> {
        self.clusters
            .iter()
            .find(|cluster| cluster.cluster_id == cluster_id)
    }

    pub fn participant(&self, participant_id: &str) -> Option<&ParticipantInfo> {
        self.participants
            .iter()
            .find(|participant| participant.participant_id == participant_id)
    }

    /// A participant who joined and has not left.
    pub fn active_participant(&self, participant_id: &str) -> Option<&ParticipantInfo> {
        self.participant(participant_id)
            .filter(|participant| !participant.left)
    }

    pub fn open_meeting(&self) -> Option<&Meeting> {
        self.meetings.iter().rev().find(|meeting| meeting.is_open())
    }

    pub fn round(&self, round: u32) -> Option<&VotingRound> {
        self.voting_rounds
            .iter()
            .find(|voting_round| voting_round.round == round)
    }

    pub fn open_round(&self) -> Option<&VotingRound> {
        self.voting_rounds
            .iter()
            .find(|voting_round| voting_round.is_open())
    }

    /// The ballot a participant votes with. Organisation ballots are keyed `"org:"` + the
    /// organisation name trimmed and lowercased, so its members share one; a citizen, or anyone
    /// without an organisation name, always votes alone (`"p:"` + id). None for an unknown
    /// participant.
    pub fn ballot_key(&self, participant_id: &str, ballot: BallotUnit) -> Option<String> {
        let participant = self.participant(participant_id)?;
        let organisation = participant.organisation.trim().to_lowercase();
        let alone = ballot == BallotUnit::Person
            || participant.organisation_kind == OrganisationKind::Cittadino
            || organisation.is_empty();
        Some(if alone {
            format!("p:{participant_id}")
        } else {
            format!("org:{organisation}")
        })
    }

    /// Dots the participant's ballot may still cast in `round` (0 if either is unknown).
    pub fn dots_left(&self, round: u32, participant_id: &str) -> u32 {
        let Some(voting_round) = self.round(round) else {
            return 0;
        };
        let Some(key) = self.ballot_key(participant_id, voting_round.ballot) else {
            return 0;
        };
        voting_round
            .dots_per_voter
            .saturating_sub(voting_round.dots_of(&key))
    }

    /// What anyone but the server may see: ballots of secret rounds are emptied (tallies and
    /// voter counts stay), tallies and ballots of open `hide_results` rounds are emptied, and
    /// with `anonymous` authors, the names cards were typed for, and editors are removed.
    pub fn public_view(&self, anonymous: bool) -> Board {
        let mut board = self.clone();
        for voting_round in &mut board.voting_rounds {
            if voting_round.secret {
                voting_round.ballots.clear();
            }
            if voting_round.is_open() && voting_round.hide_results {
                // Ballots would let anyone recount the hidden tally.
                voting_round.tally.clear();
                voting_round.ballots.clear();
            }
        }
        if anonymous {
            for contribution in &mut board.contributions {
                contribution.author = None;
                contribution.on_behalf_of = None;
                for edit in &mut contribution.edits {
                    edit.by = None;
                }
            }
        }
        board
    }

    fn contribution_mut(&mut self, contribution_id: &str) -> Option<&mut Contribution> {
        self.contributions
            .iter_mut()
            .find(|contribution| contribution.contribution_id == contribution_id)
    }

    fn round_mut(&mut self, round: u32) -> Option<&mut VotingRound> {
        self.voting_rounds
            .iter_mut()
            .find(|voting_round| voting_round.round == round)
    }
}

/// Folds one event into the board. Total: never refuses, never panics, ignores events that
/// reference unknown ids, and always sets `board.seq = event.seq`.
pub fn apply(board: &mut Board, event: &Event) {
    apply_kind(board, event);
    board.seq = event.seq;
}

fn apply_kind(board: &mut Board, event: &Event) {
    match &event.kind {
        EventKind::ContributionAdded {
            contribution_id,
            kind,
            text,
            author,
            on_behalf_of,
        } => {
            // A second event with the same id would be a storage bug; the first one wins.
            if board.contribution(contribution_id).is_some() {
                return;
            }
            board.contributions.push(Contribution {
                contribution_id: contribution_id.clone(),
                kind: *kind,
                text: text.clone(),
                cluster_id: None,
                author: author.clone(),
                on_behalf_of: on_behalf_of.clone(),
                status: ContributionStatus::Live,
                hidden: false,
                merged_into: None,
                sources: Vec::new(),
                policy_areas: Vec::new(),
                targets: Vec::new(),
                edits: Vec::new(),
                created_at: event.at,
            });
        }
        EventKind::ContributionEdited {
            contribution_id,
            text,
            previous_text,
        } => {
            let by = event.actor.as_ref().and_then(|actor| actor.trace_id());
            if let Some(contribution) = board.contribution_mut(contribution_id) {
                contribution.edits.push(Edit {
                    by,
                    previous_text: previous_text.clone(),
                    at: event.at,
                });
                contribution.text = text.clone();
            }
        }
        EventKind::ContributionWithdrawn { contribution_id } => {
            if let Some(contribution) = board.contribution_mut(contribution_id) {
                contribution.status = ContributionStatus::Withdrawn;
            }
        }
        EventKind::ContributionMoved {
            contribution_id,
            cluster_id,
        } => {
            let target_exists = cluster_id
                .as_deref()
                .is_none_or(|cluster_id| board.cluster(cluster_id).is_some());
            if !target_exists {
                return;
            }
            if let Some(contribution) = board.contribution_mut(contribution_id) {
                contribution.cluster_id = cluster_id.clone();
            }
        }
        EventKind::ClusterCreated { cluster_id, title } => {
            if board.cluster(cluster_id).is_none() {
                board.clusters.push(Cluster {
                    cluster_id: cluster_id.clone(),
                    title: title.clone(),
                });
            }
        }
        EventKind::ClusterRenamed { cluster_id, title } => {
            if let Some(cluster) = board
                .clusters
                .iter_mut()
                .find(|cluster| &cluster.cluster_id == cluster_id)
            {
                cluster.title = title.clone();
            }
        }
        EventKind::ClusterDeleted { cluster_id } => {
            board
                .clusters
                .retain(|cluster| &cluster.cluster_id != cluster_id);
            // Deleting a cluster un-clusters its cards, withdrawn and merged ones too, so no
            // card ever points at a cluster that does not exist.
            for contribution in &mut board.contributions {
                if contribution.cluster_id.as_ref() == Some(cluster_id) {
                    contribution.cluster_id = None;
                }
            }
        }
        EventKind::ContributionsMerged {
            contribution_id,
            kind,
            text,
            sources,
            cluster_id,
        } => apply_merge(
            board,
            event.at,
            contribution_id,
            *kind,
            text,
            sources,
            cluster_id,
        ),
        EventKind::ContributionHidden { contribution_id } => {
            if let Some(contribution) = board.contribution_mut(contribution_id) {
                contribution.hidden = true;
            }
        }
        EventKind::ContributionRevealed { contribution_id } => {
            if let Some(contribution) = board.contribution_mut(contribution_id) {
                contribution.hidden = false;
            }
        }
        EventKind::ContributionTagged {
            contribution_id,
            policy_areas,
            targets,
        } => {
            if let Some(contribution) = board.contribution_mut(contribution_id) {
                contribution.policy_areas = policy_areas.clone();
                contribution.targets = targets.clone();
            }
        }
        EventKind::PhaseSet { phase } => board.phase = *phase,
        EventKind::TimerStarted { ends_at, seconds } => {
            board.timer = Some(Timer {
                ends_at: *ends_at,
                seconds: *seconds,
            });
        }
        EventKind::TimerStopped {} => board.timer = None,
        EventKind::BoardLocked {} => board.locked = true,
        EventKind::BoardUnlocked {} => board.locked = false,
        EventKind::MeetingOpened {
            meeting_id,
            title,
            opened_at,
        } => {
            if board
                .meetings
                .iter()
                .any(|meeting| &meeting.meeting_id == meeting_id)
            {
                return;
            }
            board.meetings.push(Meeting {
                meeting_id: meeting_id.clone(),
                title: title.clone(),
                opened_at: *opened_at,
                closed_at: None,
                attendance: Vec::new(),
            });
            // A new meeting starts with nobody recorded present.
            for participant in &mut board.participants {
                participant.present = false;
            }
        }
        EventKind::MeetingClosed {
            meeting_id,
            closed_at,
        } => {
            let Some(meeting) = board
                .meetings
                .iter_mut()
                .find(|meeting| &meeting.meeting_id == meeting_id)
            else {
                return;
            };
            if meeting.closed_at.is_none() {
                meeting.closed_at = Some(*closed_at);
            }
            if board.open_meeting().is_none() {
                for participant in &mut board.participants {
                    participant.present = false;
                }
            }
        }
        EventKind::ParticipantJoined {
            participant_id,
            organisation,
            organisation_kind,
        } => {
            if let Some(participant) = board
                .participants
                .iter_mut()
                .find(|participant| &participant.participant_id == participant_id)
            {
                participant.organisation = organisation.clone();
                participant.organisation_kind = *organisation_kind;
                participant.left = false;
            } else {
                board.participants.push(ParticipantInfo {
                    participant_id: participant_id.clone(),
                    organisation: organisation.clone(),
                    organisation_kind: *organisation_kind,
                    present: false,
                    left: false,
                });
            }
        }
        EventKind::AttendanceRecorded {
            participant_id,
            meeting_id,
        } => {
            if board.participant(participant_id).is_none() {
                return;
            }
            let open_meeting_id = board
                .open_meeting()
                .map(|meeting| meeting.meeting_id.clone());
            let Some(meeting) = board
                .meetings
                .iter_mut()
                .find(|meeting| &meeting.meeting_id == meeting_id)
            else {
                return;
            };
            if !meeting.attendance.contains(participant_id) {
                meeting.attendance.push(participant_id.clone());
            }
            if open_meeting_id.as_ref() == Some(meeting_id) {
                set_present(board, participant_id, true);
            }
        }
        EventKind::ParticipantLeft { participant_id } => {
            if let Some(participant) = board
                .participants
                .iter_mut()
                .find(|participant| &participant.participant_id == participant_id)
            {
                participant.left = true;
                participant.present = false;
            }
        }
        EventKind::NotesSet { text } => board.notes = text.clone(),
        EventKind::VotingOpened {
            round,
            contribution_ids,
            dots_per_voter,
            max_per_contribution,
            ballot,
            secret,
            hide_results,
            ends_at,
        } => {
            if board.round(*round).is_some() {
                return;
            }
            board.voting_rounds.push(VotingRound {
                round: *round,
                status: RoundStatus::Open,
                contribution_ids: contribution_ids.clone(),
                dots_per_voter: *dots_per_voter,
                max_per_contribution: *max_per_contribution,
                ballot: *ballot,
                secret: *secret,
                hide_results: *hide_results,
                ends_at: *ends_at,
                tally: contribution_ids.iter().map(|id| (id.clone(), 0)).collect(),
                ballots: BTreeMap::new(),
                voters: 0,
                results: Vec::new(),
            });
        }
        EventKind::VoteCast {
            round,
            contribution_id,
            participant_id,
        } => apply_vote_cast(board, *round, contribution_id, participant_id.as_deref()),
        EventKind::VoteRetracted {
            round,
            contribution_id,
            participant_id,
        } => apply_vote_retracted(board, *round, contribution_id, participant_id.as_deref()),
        EventKind::VotingClosed { round, results } => {
            if let Some(voting_round) = board.round_mut(*round) {
                voting_round.status = RoundStatus::Closed;
                voting_round.results = results.clone();
            }
        }
    }
}

fn set_present(board: &mut Board, participant_id: &str, present: bool) {
    if let Some(participant) = board
        .participants
        .iter_mut()
        .find(|participant| participant.participant_id == participant_id)
    {
        participant.present = present;
    }
}

fn apply_merge(
    board: &mut Board,
    at: i64,
    contribution_id: &str,
    kind: ContributionKind,
    text: &str,
    sources: &[String],
    cluster_id: &Option<String>,
) {
    if board.contribution(contribution_id).is_some() {
        return;
    }
    // The merged card inherits the union of its sources' tags, so grouping work is not lost.
    let mut policy_areas: Vec<PolicyArea> = Vec::new();
    let mut targets: Vec<String> = Vec::new();
    for source in sources {
        if let Some(contribution) = board.contribution_mut(source) {
            contribution.status = ContributionStatus::Merged;
            contribution.merged_into = Some(contribution_id.to_owned());
            policy_areas.extend(contribution.policy_areas.iter().copied());
            for target in &contribution.targets {
                if !targets.contains(target) {
                    targets.push(target.clone());
                }
            }
        }
    }
    policy_areas.sort();
    policy_areas.dedup();
    let cluster_id = cluster_id
        .clone()
        .filter(|cluster_id| board.cluster(cluster_id).is_some());
    board.contributions.push(Contribution {
        contribution_id: contribution_id.to_owned(),
        kind,
        text: text.to_owned(),
        cluster_id,
        author: None,
        on_behalf_of: None,
        status: ContributionStatus::Live,
        hidden: false,
        merged_into: None,
        sources: sources.to_vec(),
        policy_areas,
        targets,
        edits: Vec::new(),
        created_at: at,
    });
}

fn apply_vote_cast(
    board: &mut Board,
    round: u32,
    contribution_id: &str,
    participant_id: Option<&str>,
) {
    let Some(voting_round) = board.round(round) else {
        return;
    };
    if !voting_round.is_open()
        || !voting_round
            .contribution_ids
            .iter()
            .any(|id| id == contribution_id)
    {
        return;
    }
    // Without a voter (the public view of a secret round) only the tally moves; the voter
    // count then comes from the server's `tally` messages.
    let ballot_key = match participant_id {
        Some(participant_id) => match board.ballot_key(participant_id, voting_round.ballot) {
            Some(key) => Some((key, participant_id.to_owned())),
            None => return,
        },
        None => None,
    };
    let Some(voting_round) = board.round_mut(round) else {
        return;
    };
    let dots = voting_round
        .tally
        .entry(contribution_id.to_owned())
        .or_insert(0);
    *dots = dots.saturating_add(1);
    if let Some((key, participant_id)) = ballot_key {
        voting_round
            .ballots
            .entry(key)
            .or_default()
            .push(BallotDot {
                contribution_id: contribution_id.to_owned(),
                participant_id,
            });
        voting_round.recount_voters();
    }
}

fn apply_vote_retracted(
    board: &mut Board,
    round: u32,
    contribution_id: &str,
    participant_id: Option<&str>,
) {
    let Some(voting_round) = board.round_mut(round) else {
        return;
    };
    if !voting_round.is_open() {
        return;
    }
    if let Some(participant_id) = participant_id {
        // The dot is looked for in every ballot, not only the current key, so a member whose
        // organisation changed mid-round still takes back exactly the dot they cast.
        let mut found = false;
        for dots in voting_round.ballots.values_mut() {
            if let Some(position) = dots.iter().rposition(|dot| {
                dot.participant_id == participant_id && dot.contribution_id == contribution_id
            }) {
                dots.remove(position);
                found = true;
                break;
            }
        }
        if !found {
            return;
        }
        voting_round.ballots.retain(|_, dots| !dots.is_empty());
        voting_round.recount_voters();
    }
    if let Some(dots) = voting_round.tally.get_mut(contribution_id) {
        *dots = dots.saturating_sub(1);
    }
}
