//! The writer: every command of every roundtable goes through this one task, which decides,
//! stores and broadcasts in group commits.
//!
//! Why one task: SQLite has one writer anyway, and a single owner of the boards makes the
//! per-roundtable sequence gap-free without locks. Why batches: an fsync per command caps a
//! room at a few hundred commands a second; one transaction for everything that queued up
//! while the previous commit ran keeps `synchronous=FULL` and multiplies the rate.
//!
//! Order for each command: dedupe by command_id, `decide`, `apply` to the writer's board,
//! then for the batch: COMMIT, publish the events, and only then acknowledge.
//!
//! Dedupe asks the memory of recent commands first (`recent`), not the database: a batch of
//! hundreds of ballots spent as long in its command-id queries as in its COMMIT. What memory
//! cannot know, the primary key catches: see `Lookup`.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
};

use tavoli_core::{
    Actor, Board, Command, CommandEnvelope, Context, DomainError, EVENT_SCHEMA_VERSION, Event,
    apply, decide,
};
use tokio::sync::{mpsc, oneshot};

use super::{
    boards::{Boards, catch_up, fold},
    fanout::RemoteSeqs,
    hub::{Hub, LiveMessage},
    recent::{self, RecentCommands},
    voting::TallyCoalescer,
};
use crate::{
    clock::now_ms,
    storage::{CommandWrite, EventRow, NewParticipant, Storage},
};

/// Commands taken into one transaction at most.
const MAX_BATCH: usize = 512;
/// Queue in front of the writer; senders wait when it is full (backpressure, never loss).
const QUEUE: usize = 4096;

/// What became of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Stored now; `seq` is its last event.
    Applied { seq: u64 },
    /// Stored before under the same command_id: the original seq, nothing changed.
    Duplicate { seq: u64 },
}

impl Outcome {
    pub fn seq(self) -> u64 {
        match self {
            Outcome::Applied { seq } | Outcome::Duplicate { seq } => seq,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error("refused: {0:?}")]
    Domain(DomainError),
    /// The command_id was already used at another roundtable.
    #[error("command id reused")]
    CommandIdReused,
    #[error("internal: {0}")]
    Internal(String),
}

/// A command as the server accepted it for a roundtable, after authentication.
pub struct Submission {
    pub roundtable_id: String,
    pub anonymous: bool,
    pub actor: Actor,
    pub envelope: CommandEnvelope,
    /// For a join: the participant row stored in the same transaction as its event.
    pub new_participant: Option<NewParticipant>,
}

struct Job {
    submission: Submission,
    reply: oneshot::Sender<Result<Outcome, CommandError>>,
}

/// The handle to the writer task. Cheap to clone.
#[derive(Clone)]
pub struct Writer {
    queue: mpsc::Sender<Job>,
}

impl Writer {
    pub fn spawn(
        storage: Storage,
        hub: Arc<Hub>,
        boards: Arc<Boards>,
        tallies: Arc<TallyCoalescer>,
        remote: Arc<RemoteSeqs>,
        timed_rounds: mpsc::UnboundedSender<TimedRound>,
    ) -> Writer {
        let (queue, receiver) = mpsc::channel(QUEUE);
        let task = WriterTask {
            storage,
            remote,
            originals: HashMap::new(),
            hub,
            boards,
            tallies,
            timed_rounds,
            live: HashMap::new(),
            recent: RecentCommands::new(recent::CAPACITY),
        };
        // Its own thread and runtime, not a task among the sockets': each of a batch's database
        // round trips wakes the writer, and on the shared runtime every wake-up queued behind
        // the thousands of socket tasks a burst's fan-out had just woken (a ballot burst's acks
        // waited 377 ms at p50 that way, 126 ms on its own thread: docs/BENCHMARKS.md, fix 4).
        // Database connections and channels work across runtimes.
        std::thread::Builder::new()
            .name("tavoli-writer".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("the writer's runtime starts");
                runtime.block_on(task.run(receiver));
            })
            .expect("the writer's thread starts");
        Writer { queue }
    }

    /// Submits a command and waits until it is stored (or refused).
    pub async fn submit(&self, submission: Submission) -> Result<Outcome, CommandError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Job { submission, reply })
            .await
            .map_err(|_| CommandError::Internal("the writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| CommandError::Internal("the writer dropped the command".into()))?
    }
}

/// A voting round with a deadline, for the task that closes it in time.
#[derive(Debug, Clone)]
pub struct TimedRound {
    pub roundtable_id: String,
    pub anonymous: bool,
    pub round: u32,
    pub ends_at: i64,
}

struct WriterTask {
    storage: Storage,
    hub: Arc<Hub>,
    boards: Arc<Boards>,
    tallies: Arc<TallyCoalescer>,
    remote: Arc<RemoteSeqs>,
    /// Each board as it was before the batch, to restore if the COMMIT fails (a seq another
    /// instance took, a command id stored before): a shared pointer, so keeping it is free.
    originals: HashMap<String, Arc<Board>>,
    timed_rounds: mpsc::UnboundedSender<TimedRound>,
    /// The boards this task decides against, folded from the log on first use. The published
    /// snapshot is the same allocation until the next command changes the board
    /// (`Arc::make_mut`): one copy of each board in memory, not two.
    live: HashMap<String, Arc<Board>>,
    /// Command ids stored lately, checked before the database.
    recent: RecentCommands,
}

/// Where a batch looks its command ids up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lookup {
    /// In `recent` only: a retry it has forgotten (or another instance stored) fails the COMMIT
    /// on the `commands` primary key, and the batch runs again with `Database`.
    Memory,
    /// In the `commands` table too.
    Database,
}

/// A command that passed `decide`, waiting for the batch's COMMIT.
struct Decided {
    job: Job,
    write: CommandWrite,
    public: Vec<(u64, Arc<str>)>,
    seq: u64,
    /// A ballot or a round changed: the room's tally is due.
    votes_changed: bool,
    timed: Vec<TimedRound>,
}

impl WriterTask {
    async fn run(mut self, mut receiver: mpsc::Receiver<Job>) {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
            let jobs = std::mem::take(&mut batch);
            self.process(jobs).await;
        }
    }

    async fn process(&mut self, jobs: Vec<Job>) {
        self.process_attempt(jobs, 0, Lookup::Memory).await
    }

    async fn process_attempt(&mut self, jobs: Vec<Job>, attempt: u32, lookup: Lookup) {
        let now = now_ms();
        self.originals.clear();
        let mut decided: Vec<Decided> = Vec::with_capacity(jobs.len());
        let mut in_batch: HashMap<uuid::Uuid, (String, u64)> = HashMap::new();
        let earlier = match lookup {
            Lookup::Memory => jobs
                .iter()
                .map(|job| Ok(self.recent.get(&job.submission.envelope.command_id)))
                .collect::<Vec<_>>(),
            Lookup::Database => {
                // Every command id at once: one at a time, each lookup is a round trip to a
                // database thread.
                let storage = &self.storage;
                futures_util::future::join_all(jobs.iter().map(|job| {
                    let command_id = job.submission.envelope.command_id.to_string();
                    async move { storage.find_command(&command_id).await }
                }))
                .await
            }
        };
        for (job, earlier) in jobs.into_iter().zip(earlier) {
            if let Some(d) = self.decide_one(job, earlier, now, &mut in_batch).await {
                decided.push(d);
            }
        }
        if decided.is_empty() {
            return;
        }
        let writes: Vec<&CommandWrite> = decided.iter().map(|d| &d.write).collect();
        match self.storage.commit(&writes, now).await {
            Ok(()) => self.finish(decided),
            Err(crate::storage::StorageError::Conflict(_)) if lookup == Lookup::Memory => {
                // A command id stored before (a retry older than `recent`, or stored by another
                // instance), or a seq another instance took: the same batch again, with the
                // database asked about every id and the boards read again.
                tracing::debug!(
                    size = decided.len(),
                    "commit conflict; running the batch again with database lookups"
                );
                self.forget(&decided).await;
                let jobs = decided.into_iter().map(|d| d.job).collect();
                Box::pin(self.process_attempt(jobs, attempt, Lookup::Database)).await;
            }
            Err(error) if decided.len() > 1 || conflict_worth_retrying(&error, attempt) => {
                // One bad command must not sink its neighbours, and a board another instance
                // wrote to meanwhile must be read again: forget the tentative boards (the next
                // decide folds them from the log) and retry each command on its own.
                tracing::debug!(%error, size = decided.len(), attempt, "commit failed; retrying one by one");
                self.forget(&decided).await;
                let next = if decided.len() > 1 {
                    attempt
                } else {
                    attempt + 1
                };
                for d in decided {
                    Box::pin(self.process_attempt(vec![d.job], next, Lookup::Database)).await;
                }
            }
            Err(error) => {
                tracing::error!(%error, "commit failed");
                self.forget(&decided).await;
                for d in decided {
                    let _ = d
                        .job
                        .reply
                        .send(Err(CommandError::Internal(error.to_string())));
                }
            }
        }
    }

    /// Checks one command against its board; on success the board already holds its events.
    async fn decide_one(
        &mut self,
        job: Job,
        stored: Result<Option<(String, u64)>, crate::storage::StorageError>,
        now: i64,
        in_batch: &mut HashMap<uuid::Uuid, (String, u64)>,
    ) -> Option<Decided> {
        let submission = &job.submission;
        let command_id = submission.envelope.command_id;
        // Idempotency: the same command_id answers with its original seq and changes nothing.
        let earlier = match in_batch.get(&command_id) {
            Some(found) => Some(found.clone()),
            None => match stored {
                Ok(found) => found,
                Err(error) => {
                    let _ = job
                        .reply
                        .send(Err(CommandError::Internal(error.to_string())));
                    return None;
                }
            },
        };
        if let Some((roundtable_id, seq)) = earlier {
            let answer = if roundtable_id == submission.roundtable_id {
                Ok(Outcome::Duplicate { seq })
            } else {
                Err(CommandError::CommandIdReused)
            };
            let _ = job.reply.send(answer);
            return None;
        }
        let roundtable_id = submission.roundtable_id.clone();
        if !self.live.contains_key(&roundtable_id) {
            match fold(&self.storage, &roundtable_id).await {
                Ok(board) => {
                    self.live.insert(roundtable_id.clone(), Arc::new(board));
                }
                Err(error) => {
                    let _ = job
                        .reply
                        .send(Err(CommandError::Internal(error.to_string())));
                    return None;
                }
            }
        }
        let board = self.live.get_mut(&roundtable_id).expect("just inserted");
        if self.remote.get(&roundtable_id) > board.seq
            && let Err(error) = catch_up(&self.storage, &roundtable_id, Arc::make_mut(board)).await
        {
            let _ = job
                .reply
                .send(Err(CommandError::Internal(error.to_string())));
            return None;
        }
        if !self.originals.contains_key(&roundtable_id) {
            self.originals.insert(roundtable_id.clone(), board.clone());
        }
        let context = Context {
            now_ms: now,
            command_id,
        };
        let kinds = match decide(
            board,
            &submission.actor,
            &submission.envelope.command,
            &context,
        ) {
            Ok(kinds) => kinds,
            Err(error) => {
                let _ = job.reply.send(Err(CommandError::Domain(error)));
                return None;
            }
        };
        let mut votes_changed = false;
        let mut timed = Vec::new();
        for kind in &kinds {
            use tavoli_core::EventKind as K;
            match kind {
                K::VoteCast { .. } | K::VoteRetracted { .. } | K::VotingClosed { .. } => {
                    votes_changed = true
                }
                K::VotingOpened { round, ends_at, .. } => {
                    votes_changed = true;
                    if let Some(ends_at) = ends_at {
                        timed.push(TimedRound {
                            roundtable_id: roundtable_id.clone(),
                            anonymous: submission.anonymous,
                            round: *round,
                            ends_at: *ends_at,
                        });
                    }
                }
                _ => {}
            }
        }
        // The first change to a board in a batch copies it (the snapshot readers hold stays
        // as it was); the batch's next changes write to that copy.
        let board = Arc::make_mut(board);
        let mut rows = Vec::with_capacity(kinds.len());
        let mut public = Vec::with_capacity(kinds.len());
        for kind in kinds {
            let event = Event {
                seq: board.seq + 1,
                command_id: Some(command_id),
                actor: Some(submission.actor.clone()),
                at: now,
                v: EVENT_SCHEMA_VERSION,
                kind,
            };
            apply(board, &event);
            let secret_round = is_secret_vote(board, &event);
            let public_json: Arc<str> =
                serde_json::to_string(&event.public_view(secret_round, submission.anonymous))
                    .expect("events serialise")
                    .into();
            rows.push(EventRow {
                seq: event.seq,
                event_type: event.kind.type_name(),
                command_id: Some(command_id.to_string()),
                at: now,
                v: EVENT_SCHEMA_VERSION,
                body: serde_json::to_string(&event).expect("events serialise"),
                public_body: public_json.to_string(),
            });
            public.push((event.seq, public_json));
        }
        let seq = board.seq;
        in_batch.insert(command_id, (roundtable_id.clone(), seq));
        let write = CommandWrite {
            roundtable_id,
            command_id: command_id.to_string(),
            events: rows,
            new_participant: job.submission.new_participant.clone(),
        };
        Some(Decided {
            job,
            write,
            public,
            seq,
            votes_changed,
            timed,
        })
    }

    /// After COMMIT: publish the events and the new boards, then acknowledge.
    fn finish(&mut self, decided: Vec<Decided>) {
        self.originals.clear();
        let mut touched = HashSet::new();
        for d in &decided {
            for (seq, json) in &d.public {
                self.hub.publish(
                    &d.write.roundtable_id,
                    LiveMessage {
                        seq: Some(*seq),
                        json: json.clone(),
                    },
                );
            }
            touched.insert(d.write.roundtable_id.clone());
        }
        for roundtable_id in touched {
            if let Some(board) = self.live.get(&roundtable_id) {
                self.boards.publish(&roundtable_id, board.clone());
            }
        }
        // After the snapshot is published: the tally task reads it.
        for d in &decided {
            if d.votes_changed {
                self.tallies.mark(&d.write.roundtable_id);
            }
            for timed in &d.timed {
                let _ = self.timed_rounds.send(timed.clone());
            }
        }
        for d in decided {
            self.recent.insert(
                d.job.submission.envelope.command_id,
                &d.write.roundtable_id,
                d.seq,
            );
            let _ = d.job.reply.send(Ok(Outcome::Applied { seq: d.seq }));
        }
    }

    /// After a failed commit: put back the boards as they were before the batch and read what
    /// others wrote meanwhile (PostgreSQL); a board that cannot be read is dropped, to be
    /// folded again from the log.
    async fn forget(&mut self, decided: &[Decided]) {
        let roundtables: HashSet<&String> =
            decided.iter().map(|d| &d.write.roundtable_id).collect();
        for roundtable_id in roundtables {
            match self.originals.remove(roundtable_id) {
                Some(mut board) => {
                    match catch_up(&self.storage, roundtable_id, Arc::make_mut(&mut board)).await {
                        Ok(()) => {
                            self.live.insert(roundtable_id.clone(), board);
                        }
                        Err(_) => {
                            self.live.remove(roundtable_id);
                        }
                    }
                }
                None => {
                    self.live.remove(roundtable_id);
                }
            }
        }
        self.originals.clear();
    }
}

/// Another instance took the seq first (PostgreSQL with several servers): worth a few tries.
fn conflict_worth_retrying(error: &crate::storage::StorageError, attempt: u32) -> bool {
    matches!(error, crate::storage::StorageError::Conflict(_)) && attempt < 50
}

/// Whether an event is a ballot of a secret round (its voter must not be shown).
fn is_secret_vote(board: &Board, event: &Event) -> bool {
    use tavoli_core::EventKind;
    let round = match &event.kind {
        EventKind::VoteCast { round, .. } | EventKind::VoteRetracted { round, .. } => *round,
        _ => return false,
    };
    board
        .voting_rounds
        .iter()
        .any(|r| r.round == round && r.secret)
}

/// The command type of a submission, for logs (never its text: it may name people).
pub fn command_type(command: &Command) -> &'static str {
    command.type_name()
}
