//! Live roundtables: the writer that checks and stores commands in group commits, the hub that
//! fans events out, and the websocket that replays what a client missed.

pub mod boards;
pub mod fanout;
pub mod hub;
pub mod recent;
pub mod revocation;
pub mod socket;
pub mod voting;
pub mod writer;

pub use hub::Hub;
pub use writer::{CommandError, Outcome, Writer};

use std::sync::Arc;

/// The live parts of the state: writer, hub, board snapshots.
#[derive(Clone)]
pub struct Live {
    pub writer: Writer,
    pub hub: Arc<Hub>,
    pub boards: Arc<boards::Boards>,
    pub tallies: Arc<voting::TallyCoalescer>,
    pub remote: Arc<fanout::RemoteSeqs>,
    /// Closes a revoked participant's sockets.
    pub revocations: Arc<revocation::Revocations>,
}

impl Live {
    /// Starts the writer, the tally task and the timer of voting rounds.
    pub fn start(storage: crate::storage::Storage) -> Live {
        let hub = Arc::new(Hub::new());
        let boards = Arc::new(boards::Boards::default());
        let tallies = Arc::new(voting::TallyCoalescer::default());
        let (timed_tx, mut timed_rx) = tokio::sync::mpsc::unbounded_channel::<writer::TimedRound>();
        let remote = Arc::new(fanout::RemoteSeqs::default());
        let writer = Writer::spawn(
            storage.clone(),
            hub.clone(),
            boards.clone(),
            tallies.clone(),
            remote.clone(),
            timed_tx,
        );
        let live = Live {
            writer,
            hub,
            boards,
            tallies,
            remote,
            revocations: Arc::default(),
        };
        tokio::spawn(live.tallies.clone().run(
            live.hub.clone(),
            live.boards.clone(),
            storage.clone(),
        ));
        fanout::spawn(live.clone(), storage.clone());
        let scheduler = live.clone();
        tokio::spawn(async move {
            while let Some(timed) = timed_rx.recv().await {
                voting::schedule_close(
                    scheduler.clone(),
                    timed.roundtable_id,
                    timed.anonymous,
                    timed.round,
                    timed.ends_at,
                );
            }
        });
        // Rounds whose deadline was set before a restart are scheduled again.
        let resumer = live.clone();
        tokio::spawn(async move {
            match storage.open_timed_rounds().await {
                Ok(rounds) => {
                    for (roundtable_id, anonymous, round, ends_at) in rounds {
                        voting::schedule_close(
                            resumer.clone(),
                            roundtable_id,
                            anonymous,
                            round,
                            ends_at,
                        );
                    }
                }
                Err(error) => {
                    tracing::error!(%error, "could not read the open timed voting rounds")
                }
            }
        });
        live
    }
}
