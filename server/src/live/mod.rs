//! Live roundtables: the writer that checks and stores commands in group commits, the hub that
//! fans events out, and the websocket that replays what a client missed.

pub mod boards;
pub mod hub;
pub mod socket;
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
}

impl Live {
    pub fn start(storage: crate::storage::Storage) -> Live {
        let hub = Arc::new(Hub::new());
        let boards = Arc::new(boards::Boards::default());
        let writer = Writer::spawn(storage, hub.clone(), boards.clone());
        Live {
            writer,
            hub,
            boards,
        }
    }
}
