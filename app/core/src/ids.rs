//! Identifiers and the sequence number: all ids are strings on the wire.
//!
//! An entity created by a command takes the command's `command_id` as its id. That keeps
//! `decide` free of randomness and lets the browser know the id of its pending card before
//! the server's ack arrives.

use uuid::Uuid;

/// Position of an event in one roundtable's log: 1, 2, 3, ... with no gaps.
pub type Seq = u64;

/// The id an entity created by `command_id` gets: the UUID as a lowercase hyphenated string.
pub fn entity_id(command_id: Uuid) -> String {
    // `hyphenated()` is lowercase by definition, so browser and server derive the same text.
    command_id.hyphenated().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_ids_are_lowercase_hyphenated_uuids() {
        let id = Uuid::from_u128(0xABCD_EF01_2345_6789_ABCD_EF01_2345_6789);
        assert_eq!(entity_id(id), "abcdef01-2345-6789-abcd-ef0123456789");
    }
}
