//! The server's part of voting that is not a rule: coalesced tallies and closing timed rounds.
//!
//! Tallies: every ballot is an event and reaches its voter's ack at once, but what a room
//! draws is the `tally` message, sent at most every `TALLY_INTERVAL` per roundtable however
//! many ballots arrive: a burst of thousands costs a handful of renders, not thousands.
//!
//! Timed rounds: `open_voting` with `seconds` gets a `close_voting` from the server when its
//! time is up, with a command id derived from the round, so a restart that schedules it again
//! cannot close it twice.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
    time::Duration,
};

use sha2::{Digest, Sha256};
use tavoli_core::{Actor, Board, Command, CommandEnvelope, Role, protocol::ServerMessage};
use tokio::sync::Notify;

use super::{
    Live,
    hub::{Hub, LiveMessage},
};
use crate::clock::now_ms;

/// At most this often per roundtable: "a few times a second".
pub const TALLY_INTERVAL: Duration = Duration::from_millis(200);

/// Roundtables whose tallies changed since the last flush.
#[derive(Default)]
pub struct TallyCoalescer {
    dirty: Mutex<HashSet<String>>,
    wake: Notify,
}

impl TallyCoalescer {
    pub fn mark(&self, roundtable_id: &str) {
        let newly = self
            .dirty
            .lock()
            .expect("tally lock")
            .insert(roundtable_id.to_string());
        if newly {
            self.wake.notify_one();
        }
    }

    /// Runs forever: wait for a change, let more ballots gather for one interval, publish.
    pub async fn run(
        self: Arc<Self>,
        hub: Arc<Hub>,
        boards: Arc<super::boards::Boards>,
        storage: crate::storage::Storage,
    ) {
        loop {
            self.wake.notified().await;
            tokio::time::sleep(TALLY_INTERVAL).await;
            let dirty: Vec<String> = self.dirty.lock().expect("tally lock").drain().collect();
            for roundtable_id in dirty {
                // Usually the writer's fresh snapshot; after another instance wrote, a fold.
                if let Ok(board) = boards.get(&storage, &roundtable_id).await {
                    for message in tally_messages(&board) {
                        hub.publish(&roundtable_id, message);
                    }
                }
            }
        }
    }
}

/// The `tally` of every open round (results hidden when the round says so) and of the round
/// closed last, so a screen that missed the close still shows the final figures.
pub fn tally_messages(board: &Board) -> Vec<LiveMessage> {
    let last_closed = board
        .voting_rounds
        .iter()
        .rev()
        .find(|r| !r.is_open())
        .map(|r| r.round);
    board
        .voting_rounds
        .iter()
        .filter(|r| r.is_open() || Some(r.round) == last_closed)
        .map(|r| {
            let results = if r.is_open() {
                (!r.hide_results).then(|| r.live_results())
            } else {
                Some(r.results.clone())
            };
            let message = ServerMessage::Tally {
                round: r.round,
                voters: r.voters,
                results,
            };
            LiveMessage {
                seq: None,
                json: serde_json::to_string(&message)
                    .expect("tally serialises")
                    .into(),
            }
        })
        .collect()
}

/// The recipient's own dots in each open round.
pub fn your_ballots(board: &Board, participant_id: &str) -> Vec<ServerMessage> {
    board
        .voting_rounds
        .iter()
        .filter(|r| r.is_open())
        .filter_map(|r| {
            let key = board.ballot_key(participant_id, r.ballot)?;
            let dots = r.ballots.get(&key).cloned().unwrap_or_default();
            Some(ServerMessage::YourBallot {
                round: r.round,
                dots,
                dots_left: board.dots_left(r.round, participant_id),
            })
        })
        .collect()
}

/// A stable command id for the server's own close of a timed round.
pub fn close_command_id(roundtable_id: &str, round: u32) -> uuid::Uuid {
    let digest = Sha256::digest(format!("tavoli:close_voting:{roundtable_id}:{round}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// Closes a timed round when its time is up (now, if it already is).
pub fn schedule_close(
    live: Live,
    roundtable_id: String,
    anonymous: bool,
    round: u32,
    ends_at: i64,
) {
    tokio::spawn(async move {
        let wait = (ends_at - now_ms()).max(0) as u64;
        tokio::time::sleep(Duration::from_millis(wait)).await;
        let envelope = CommandEnvelope {
            command_id: close_command_id(&roundtable_id, round),
            command: Command::CloseVoting { round },
        };
        let submission = super::writer::Submission {
            roundtable_id: roundtable_id.clone(),
            anonymous,
            actor: Actor {
                role: Role::PlanningOffice,
                participant_id: None,
                user_id: Some("tavoli".into()),
            },
            envelope,
            new_participant: None,
        };
        match live.writer.submit(submission).await {
            Ok(_) => tracing::info!(roundtable_id, round, "timed voting round closed"),
            // Closed by hand in the meantime: nothing to do.
            Err(super::CommandError::Domain(_)) => {}
            Err(error) => {
                tracing::error!(roundtable_id, round, %error, "could not close a timed round")
            }
        }
    });
}
