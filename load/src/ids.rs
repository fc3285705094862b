//! The generator's command ids: each one carries when it was sent, its room, its sender and its
//! index in the room, so any subscriber can measure latency and spot a loss or a duplicate
//! from the message alone, with no shared lookup table.
//!
//! The server accepts any UUID as a `command_id` (and uses it as the card's id); the relay
//! forwards frames untouched. Both therefore hand the tag back unchanged.

use std::time::{SystemTime, UNIX_EPOCH};

use uuid::Uuid;

/// Marks an id as the generator's own. Random (v4) ids always have 0b10 in the top bits of
/// byte 8, so they can never carry this value.
const MAGIC: u8 = 0x5A;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tag {
    /// Wall clock when sent, in nanoseconds since the Unix epoch (sender and receivers live in
    /// one process, so one clock serves both ends).
    pub sent_ns: u64,
    pub room: u16,
    /// The sender's slot in its room.
    pub slot: u16,
    /// The message's index in its room, from 0 (24 bits).
    pub index: u32,
}

impl Tag {
    pub fn to_uuid(self) -> Uuid {
        let mut bytes = [0u8; 16];
        bytes[0..8].copy_from_slice(&self.sent_ns.to_be_bytes());
        bytes[8] = MAGIC;
        bytes[9..11].copy_from_slice(&self.room.to_be_bytes());
        bytes[11..13].copy_from_slice(&self.slot.to_be_bytes());
        bytes[13..16].copy_from_slice(&self.index.to_be_bytes()[1..4]);
        Uuid::from_bytes(bytes)
    }

    pub fn parse(text: &str) -> Option<Tag> {
        let bytes = *Uuid::parse_str(text).ok()?.as_bytes();
        if bytes[8] != MAGIC {
            return None;
        }
        Some(Tag {
            sent_ns: u64::from_be_bytes(bytes[0..8].try_into().ok()?),
            room: u16::from_be_bytes([bytes[9], bytes[10]]),
            slot: u16::from_be_bytes([bytes[11], bytes[12]]),
            index: u32::from_be_bytes([0, bytes[13], bytes[14], bytes[15]]),
        })
    }
}

pub fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_survives_the_round_trip_through_its_uuid_text() {
        let tag = Tag {
            sent_ns: 1_764_072_000_123_456_789,
            room: 99,
            slot: 49,
            index: 0x00AB_CDEF,
        };
        assert_eq!(Tag::parse(&tag.to_uuid().to_string()), Some(tag));
        assert_eq!(Tag::parse(&Uuid::new_v4().to_string()), None);
    }
}
