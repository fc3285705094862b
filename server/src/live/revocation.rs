//! The kill switch of live connections: when a facilitator revokes (or a participant erases)
//! a participant, every socket that participant has open on this instance closes at once.
//! Sockets on other instances notice at their next heartbeat, when they check the token again.
//! A std `Mutex` guards the map: held for a lookup only, never across an await.

use std::{collections::HashMap, sync::Mutex};

use tokio::sync::watch;

/// Above this many switches, ones no socket watches any more are forgotten.
const TIDY_ABOVE: usize = 1024;

#[derive(Default)]
pub struct Revocations {
    switches: Mutex<HashMap<String, watch::Sender<bool>>>,
}

impl Revocations {
    /// A receiver that changes when `participant_id` is revoked.
    pub fn watch(&self, participant_id: &str) -> watch::Receiver<bool> {
        let mut switches = self.switches.lock().expect("revocations lock");
        if switches.len() > TIDY_ABOVE {
            switches.retain(|_, sender| sender.receiver_count() > 0);
        }
        switches
            .entry(participant_id.to_string())
            .or_insert_with(|| watch::channel(false).0)
            .subscribe()
    }

    /// Closes every socket of `participant_id` on this instance.
    pub fn revoke(&self, participant_id: &str) {
        let sender = self
            .switches
            .lock()
            .expect("revocations lock")
            .remove(participant_id);
        if let Some(sender) = sender {
            let _ = sender.send(true);
        }
    }
}
