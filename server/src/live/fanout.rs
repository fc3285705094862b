//! Fan-out across server instances on PostgreSQL.
//!
//! Each instance commits with `NOTIFY tavoli_events, '<roundtable>:<seq>'` (see
//! `Storage::commit`). This listener, one per instance, hears every commit, reads the new
//! events of the roundtables its own clients watch from the log, and publishes them to its
//! hub, so a client connected to any instance sees every event. Notifications are transient:
//! when the listener's connection drops, it reconnects and refills every watched room from the
//! log, so a lost notification costs latency, never an event.

use std::{collections::HashMap, sync::Mutex, time::Duration};

use sqlx::postgres::PgListener;

use super::{Live, hub::LiveMessage};
use crate::storage::{EVENTS_CHANNEL, Storage};

/// Events read per query when a room catches up.
const PAGE: u32 = 1000;
/// At most this many events are republished per notification (a group commit writes up to
/// 512 commands); a socket further behind refills itself from the log.
const MAX_CATCH_UP: u64 = 1024;

/// The newest seq another instance announced per roundtable: the writer reads its board
/// again from the log before deciding on a board older than that.
#[derive(Default)]
pub struct RemoteSeqs {
    seqs: Mutex<HashMap<String, u64>>,
}

impl RemoteSeqs {
    pub fn note(&self, roundtable_id: &str, seq: u64) {
        let mut seqs = self.seqs.lock().expect("remote seqs lock");
        let entry = seqs.entry(roundtable_id.to_string()).or_default();
        *entry = (*entry).max(seq);
    }

    pub fn get(&self, roundtable_id: &str) -> u64 {
        self.seqs
            .lock()
            .expect("remote seqs lock")
            .get(roundtable_id)
            .copied()
            .unwrap_or(0)
    }
}

/// Starts the listener if the storage is PostgreSQL; on SQLite there is only one instance.
pub fn spawn(live: Live, storage: Storage) {
    let Some(url) = storage.postgres_url().map(str::to_string) else {
        return;
    };
    tokio::spawn(async move {
        let mut backoff = Duration::from_millis(100);
        loop {
            match listen(&live, &storage, &url).await {
                Ok(()) => backoff = Duration::from_millis(100),
                Err(error) => {
                    tracing::warn!(%error, "event listener lost its connection; reconnecting");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
            }
        }
    });
}

/// One connection's life: LISTEN, refill what may have been missed, then follow.
async fn listen(live: &Live, storage: &Storage, url: &str) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(EVENTS_CHANNEL).await?;
    // Anything committed while we were not listening: read it from the log now.
    live.boards.clear();
    for (roundtable_id, last_seq) in live.hub.watched() {
        catch_up(live, storage, &roundtable_id, last_seq).await;
    }
    loop {
        match listener.try_recv().await? {
            Some(notification) => {
                let Some((roundtable_id, seq)) = notification.payload().rsplit_once(':') else {
                    continue;
                };
                let Ok(seq) = seq.parse::<u64>() else {
                    continue;
                };
                live.remote.note(roundtable_id, seq);
                live.boards.forget_older_than(roundtable_id, seq);
                if let Some((_, last_seq)) = live
                    .hub
                    .watched()
                    .into_iter()
                    .find(|(id, _)| id == roundtable_id)
                    && last_seq < seq
                {
                    // A room that has published nothing yet (0) need not start from the
                    // beginning: its sockets replayed the log themselves, and any gap
                    // they see makes them read the log again.
                    let from = last_seq.max(seq.saturating_sub(MAX_CATCH_UP));
                    catch_up(live, storage, roundtable_id, from).await;
                }
            }
            // The connection dropped; sqlx reconnects on the next call, and notifications
            // sent meanwhile are lost: start over, with a refill.
            None => return Ok(()),
        }
    }
}

/// Publishes a room's events after `last_seq` from the log, and refreshes its tally.
async fn catch_up(live: &Live, storage: &Storage, roundtable_id: &str, mut last_seq: u64) {
    loop {
        let page = match storage
            .events_since(roundtable_id, last_seq, PAGE, true)
            .await
        {
            Ok(page) => page,
            Err(error) => {
                tracing::error!(%error, roundtable_id, "could not read new events for fan-out");
                return;
            }
        };
        if page.is_empty() {
            break;
        }
        for event in page {
            last_seq = event.seq;
            live.hub.publish(
                roundtable_id,
                LiveMessage {
                    seq: Some(event.seq),
                    json: event.body.into(),
                },
            );
        }
    }
    live.tallies.mark(roundtable_id);
}
