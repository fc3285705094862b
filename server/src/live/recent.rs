//! The command ids this writer stored lately, so a batch need not ask the database about each.
//!
//! Idempotency has two layers. This memory answers the usual retry (a phone resending what it
//! sent before its connection dropped) without a query. The `commands` table's primary key is
//! the guarantee: a command id this memory has forgotten, or never saw (stored before a
//! restart, or by another instance), makes the batch's COMMIT fail, and the writer then runs
//! that batch again looking every id up in the database. So a miss costs time, never a
//! command applied twice.

use std::{
    collections::{HashMap, VecDeque},
    sync::Arc,
};

use uuid::Uuid;

/// Ids remembered at most: about 70 bytes each, so under 5 MB however long the server runs.
pub const CAPACITY: usize = 65_536;

/// A bounded map from command id to where it was stored (roundtable, last seq); the oldest
/// entry goes first.
pub struct RecentCommands {
    capacity: usize,
    stored: HashMap<Uuid, (Arc<str>, u64)>,
    order: VecDeque<Uuid>,
    /// One shared copy of each roundtable id.
    roundtables: HashMap<String, Arc<str>>,
}

impl RecentCommands {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            stored: HashMap::new(),
            order: VecDeque::new(),
            roundtables: HashMap::new(),
        }
    }

    pub fn get(&self, command_id: &Uuid) -> Option<(String, u64)> {
        self.stored
            .get(command_id)
            .map(|(roundtable_id, seq)| (roundtable_id.to_string(), *seq))
    }

    pub fn insert(&mut self, command_id: Uuid, roundtable_id: &str, seq: u64) {
        let roundtable_id = match self.roundtables.get(roundtable_id) {
            Some(shared) => shared.clone(),
            None => {
                let shared: Arc<str> = roundtable_id.into();
                self.roundtables
                    .insert(roundtable_id.to_string(), shared.clone());
                shared
            }
        };
        if self
            .stored
            .insert(command_id, (roundtable_id, seq))
            .is_some()
        {
            return;
        }
        self.order.push_back(command_id);
        while self.order.len() > self.capacity {
            if let Some(oldest) = self.order.pop_front() {
                self.stored.remove(&oldest);
            }
        }
        // Roundtables whose every command was forgotten are forgotten too.
        if self.roundtables.len() > self.capacity {
            self.roundtables
                .retain(|_, shared| Arc::strong_count(shared) > 1);
        }
    }

    pub fn len(&self) -> usize {
        self.stored.len()
    }

    pub fn is_empty(&self) -> bool {
        self.stored.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_where_a_command_was_stored() {
        let mut recent = RecentCommands::new(4);
        let id = Uuid::new_v4();
        recent.insert(id, "rt-1", 7);
        assert_eq!(recent.get(&id), Some(("rt-1".to_string(), 7)));
        assert_eq!(recent.get(&Uuid::new_v4()), None);
    }

    #[test]
    fn forgets_the_oldest_beyond_its_capacity() {
        let mut recent = RecentCommands::new(3);
        let ids: Vec<Uuid> = (0..5).map(|_| Uuid::new_v4()).collect();
        for (seq, id) in ids.iter().enumerate() {
            recent.insert(*id, "rt", seq as u64);
        }
        assert_eq!(recent.len(), 3);
        assert_eq!(recent.get(&ids[0]), None);
        assert_eq!(recent.get(&ids[1]), None);
        assert_eq!(recent.get(&ids[4]), Some(("rt".to_string(), 4)));
    }

    #[test]
    fn the_same_id_twice_keeps_one_entry() {
        let mut recent = RecentCommands::new(2);
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        recent.insert(a, "rt", 1);
        recent.insert(a, "rt", 1);
        recent.insert(b, "rt", 2);
        assert_eq!(recent.get(&a), Some(("rt".to_string(), 1)));
        assert_eq!(recent.len(), 2);
    }
}
