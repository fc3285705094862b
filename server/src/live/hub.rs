//! One broadcast channel per live roundtable, created on the first subscriber and dropped when
//! the last one leaves (as mini-redis keeps its pub/sub map).
//!
//! A message is serialised once, when published, and shared by every subscriber as
//! `Arc<str>`: a room of 500 costs one JSON encoding per event, not 500.
//! A std `Mutex` guards the map: it is held for a hash lookup only, never across an await.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use tokio::sync::broadcast;

/// Room buffer. A subscriber that falls further behind gets `Lagged` and refills from the log,
/// so this bounds memory, not correctness.
const ROOM_CAPACITY: usize = 256;

/// What travels on a room's channel: a stored event (with its seq) or an ephemeral message
/// (presence, tally) that is never replayed.
#[derive(Debug, Clone)]
pub struct LiveMessage {
    pub seq: Option<u64>,
    pub json: Arc<str>,
}

#[derive(Default)]
struct Room {
    sender: Option<broadcast::Sender<LiveMessage>>,
    /// participant id -> open connections, for presence.
    online: HashMap<String, u32>,
    /// The last event seq published here (another instance's events are published by the
    /// PostgreSQL listener from this point on).
    last_seq: u64,
}

#[derive(Default)]
pub struct Hub {
    rooms: Mutex<HashMap<String, Room>>,
}

impl Hub {
    pub fn new() -> Self {
        Self::default()
    }

    /// Subscribes to a roundtable's channel, creating it if needed. Subscribe *before* reading
    /// the log, so nothing committed in between is missed (the socket skips duplicates by seq).
    pub fn subscribe(&self, roundtable_id: &str) -> broadcast::Receiver<LiveMessage> {
        let mut rooms = self.rooms.lock().expect("hub lock");
        let room = rooms.entry(roundtable_id.to_string()).or_default();
        match &room.sender {
            Some(sender) => sender.subscribe(),
            None => {
                let (sender, receiver) = broadcast::channel(ROOM_CAPACITY);
                room.sender = Some(sender);
                receiver
            }
        }
    }

    /// Sends to everyone subscribed; a room nobody watches costs nothing.
    pub fn publish(&self, roundtable_id: &str, message: LiveMessage) {
        let mut rooms = self.rooms.lock().expect("hub lock");
        if let Some(room) = rooms.get_mut(roundtable_id) {
            if let Some(seq) = message.seq {
                if seq <= room.last_seq {
                    // Already published (by this instance, or by the listener): sockets skip
                    // duplicates anyway, this saves them the work.
                    return;
                }
                room.last_seq = seq;
            }
            if let Some(sender) = &room.sender {
                let _ = sender.send(message);
            }
        }
    }

    /// Rooms with subscribers and the last seq each has seen, for the PostgreSQL listener.
    pub fn watched(&self) -> Vec<(String, u64)> {
        let rooms = self.rooms.lock().expect("hub lock");
        rooms
            .iter()
            .filter(|(_, room)| room.sender.is_some())
            .map(|(id, room)| (id.clone(), room.last_seq))
            .collect()
    }

    /// Marks a participant online; returns the presence message to publish.
    pub fn join_presence(
        &self,
        roundtable_id: &str,
        participant_id: Option<&str>,
    ) -> Option<LiveMessage> {
        let participant_id = participant_id?;
        let mut rooms = self.rooms.lock().expect("hub lock");
        let room = rooms.entry(roundtable_id.to_string()).or_default();
        *room.online.entry(participant_id.to_string()).or_default() += 1;
        Some(presence_message(room))
    }

    /// Called when a connection ends: forgets its presence and drops the room when empty.
    pub fn leave(&self, roundtable_id: &str, participant_id: Option<&str>) -> Option<LiveMessage> {
        let mut rooms = self.rooms.lock().expect("hub lock");
        let room = rooms.get_mut(roundtable_id)?;
        let mut changed = false;
        if let Some(id) = participant_id
            && let Some(count) = room.online.get_mut(id)
        {
            *count -= 1;
            if *count == 0 {
                room.online.remove(id);
            }
            changed = true;
        }
        let empty =
            room.sender.as_ref().is_none_or(|s| s.receiver_count() == 0) && room.online.is_empty();
        if empty {
            rooms.remove(roundtable_id);
            return None;
        }
        changed.then(|| presence_message(room))
    }

    /// Rooms currently held in memory (for tests and metrics).
    pub fn room_count(&self) -> usize {
        self.rooms.lock().expect("hub lock").len()
    }
}

fn presence_message(room: &Room) -> LiveMessage {
    let mut online: Vec<&String> = room.online.keys().collect();
    online.sort();
    let message = tavoli_core::protocol::ServerMessage::Presence {
        online: online.into_iter().cloned().collect(),
        count: room.online.len() as u32,
    };
    LiveMessage {
        seq: None,
        json: serde_json::to_string(&message)
            .expect("presence serialises")
            .into(),
    }
}
