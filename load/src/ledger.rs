//! The generator's books: every message it sends, when it was acknowledged, and how many
//! subscribers received it and how late. One lock per room, so the 50 receivers of one room
//! never wait on another room.

use std::{
    collections::BTreeMap,
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

use crate::ids::{Tag, now_ns};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Contribution,
    Ballot,
}

#[derive(Debug, Clone)]
pub struct Slot {
    pub kind: Kind,
    pub sender: u16,
    pub sent_ns: u64,
    /// When the sender got its ack (0: not yet). The relay has no acks: sending counts.
    pub acked_ns: u64,
    pub refused: bool,
    pub deliveries: u32,
    /// The latest delivery so far: when this reaches every receiver it is "delivered to all".
    pub last_delivery_ns: u64,
}

#[derive(Default)]
pub struct RoomBook {
    pub slots: Vec<Slot>,
    /// Latency of each single delivery, in microseconds.
    pub delivery_us: Vec<u32>,
}

/// Counters over the whole run.
#[derive(Default)]
pub struct Counters {
    pub duplicates: AtomicU64,
    pub seq_gaps: AtomicU64,
    pub seq_duplicates: AtomicU64,
    pub connects: AtomicU64,
    pub connect_failures: AtomicU64,
    pub disconnects: AtomicU64,
    pub received_frames: AtomicU64,
}

pub struct Ledger {
    pub rooms: Vec<Mutex<RoomBook>>,
    pub counters: Counters,
    pub errors: Mutex<BTreeMap<String, u64>>,
}

impl Ledger {
    pub fn new(rooms: usize) -> Ledger {
        Ledger {
            rooms: (0..rooms).map(|_| Mutex::default()).collect(),
            counters: Counters::default(),
            errors: Mutex::default(),
        }
    }

    /// Books a new message and returns its tag (and so its command id).
    pub fn register(&self, room: u16, sender: u16, kind: Kind) -> Tag {
        let mut book = self.rooms[room as usize].lock().expect("room lock");
        let sent_ns = now_ns();
        let index = book.slots.len() as u32;
        book.slots.push(Slot {
            kind,
            sender,
            sent_ns,
            acked_ns: 0,
            refused: false,
            deliveries: 0,
            last_delivery_ns: 0,
        });
        Tag {
            sent_ns,
            room,
            slot: sender,
            index,
        }
    }

    pub fn acked(&self, tag: Tag) {
        let mut book = self.rooms[tag.room as usize].lock().expect("room lock");
        if let Some(slot) = book.slots.get_mut(tag.index as usize)
            && slot.acked_ns == 0
        {
            slot.acked_ns = now_ns();
        }
    }

    pub fn refused(&self, tag: Option<Tag>, code: &str) {
        *self
            .errors
            .lock()
            .expect("errors lock")
            .entry(code.to_string())
            .or_default() += 1;
        if let Some(tag) = tag {
            let mut book = self.rooms[tag.room as usize].lock().expect("room lock");
            if let Some(slot) = book.slots.get_mut(tag.index as usize) {
                slot.refused = true;
            }
        }
    }

    /// A receiver (not the sender) got the message for the first time.
    pub fn delivered(&self, tag: Tag, now: u64) {
        let mut book = self.rooms[tag.room as usize].lock().expect("room lock");
        let latency_us = (now.saturating_sub(tag.sent_ns) / 1000).min(u32::MAX as u64) as u32;
        book.delivery_us.push(latency_us);
        if let Some(slot) = book.slots.get_mut(tag.index as usize) {
            slot.deliveries += 1;
            slot.last_delivery_ns = slot.last_delivery_ns.max(now);
        }
    }

    pub fn error_count(&self) -> u64 {
        self.errors.lock().expect("errors lock").values().sum()
    }

    pub fn count(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// Which message indexes one receiver has seen, to catch a duplicate (one bit per message).
#[derive(Default)]
pub struct SeenSet {
    bits: Vec<u64>,
}

impl SeenSet {
    /// Marks `index`; false if it was already there.
    pub fn insert(&mut self, index: u32) -> bool {
        let (word, bit) = ((index / 64) as usize, index % 64);
        if self.bits.len() <= word {
            self.bits.resize(word + 1, 0);
        }
        let fresh = self.bits[word] & (1 << bit) == 0;
        self.bits[word] |= 1 << bit;
        fresh
    }
}
