//! The current board of each roundtable, as the writer last committed it.
//!
//! The writer owns the boards it decides against; after each commit it publishes a snapshot
//! here for readers (`GET /board`, pages, exports). A board nobody has touched since start-up
//! is folded from the log on first read: the log is the truth, this is a cache.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use tavoli_core::{Board, Event, apply};

use crate::storage::{Storage, StorageError};

/// Events read per query when folding a log.
const PAGE: u32 = 2000;

#[derive(Default)]
pub struct Boards {
    snapshots: Mutex<HashMap<String, Arc<Board>>>,
}

impl Boards {
    /// Publishes a snapshot unless a newer one is already there.
    pub fn publish(&self, roundtable_id: &str, board: Arc<Board>) {
        let mut snapshots = self.snapshots.lock().expect("boards lock");
        match snapshots.get(roundtable_id) {
            Some(current) if current.seq >= board.seq => {}
            _ => {
                snapshots.insert(roundtable_id.to_string(), board);
            }
        }
    }

    /// The snapshot, if one is in memory (no database access).
    pub fn cached(&self, roundtable_id: &str) -> Option<Arc<Board>> {
        self.snapshots
            .lock()
            .expect("boards lock")
            .get(roundtable_id)
            .cloned()
    }

    /// Drops a snapshot older than `seq` (another instance wrote): the next read folds anew.
    pub fn forget_older_than(&self, roundtable_id: &str, seq: u64) {
        let mut snapshots = self.snapshots.lock().expect("boards lock");
        if snapshots
            .get(roundtable_id)
            .is_some_and(|board| board.seq < seq)
        {
            snapshots.remove(roundtable_id);
        }
    }

    pub fn clear(&self) {
        self.snapshots.lock().expect("boards lock").clear();
    }

    pub fn forget(&self, roundtable_id: &str) {
        self.snapshots
            .lock()
            .expect("boards lock")
            .remove(roundtable_id);
    }

    /// The latest board: the snapshot, or the log folded.
    pub async fn get(
        &self,
        storage: &Storage,
        roundtable_id: &str,
    ) -> Result<Arc<Board>, StorageError> {
        if let Some(board) = self
            .snapshots
            .lock()
            .expect("boards lock")
            .get(roundtable_id)
        {
            return Ok(board.clone());
        }
        let board = Arc::new(fold(storage, roundtable_id).await?);
        self.publish(roundtable_id, board.clone());
        Ok(board)
    }
}

/// Rebuilds a board from its full (unredacted) log with the one reducer.
pub async fn fold(storage: &Storage, roundtable_id: &str) -> Result<Board, StorageError> {
    let mut board = Board::default();
    catch_up(storage, roundtable_id, &mut board).await?;
    Ok(board)
}

/// Applies to `board` every logged event after its seq (another instance's, say).
pub async fn catch_up(
    storage: &Storage,
    roundtable_id: &str,
    board: &mut Board,
) -> Result<(), StorageError> {
    loop {
        let page = storage
            .events_since(roundtable_id, board.seq, PAGE, false)
            .await?;
        if page.is_empty() {
            return Ok(());
        }
        for stored in page {
            match serde_json::from_str::<Event>(&stored.body) {
                Ok(event) => apply(board, &event),
                Err(error) => {
                    // A stored event this build cannot read is a bug or a downgrade: say so
                    // loudly, and keep the sequence moving so the rest still folds.
                    tracing::error!(roundtable_id, seq = stored.seq, %error, "unreadable event in the log");
                    board.seq = stored.seq;
                }
            }
        }
    }
}
