//! The floor: a bare websocket relay that only forwards each text frame to the other sockets of
//! the same room (the request path names the room). No checks, no storage, no acks.
//!
//! It is built like the real hub on purpose, so the ratio measures what Tavoli adds (decide,
//! group commit, fsync, JSON) and not a different design: one broadcast channel per room,
//! frames shared (not copied) between subscribers, the same websocket buffer sizes, and one
//! flush per burst of queued frames.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

use futures_util::{SinkExt, StreamExt};
use tokio::{
    net::{TcpListener, TcpStream},
    sync::broadcast,
};
use tokio_tungstenite::tungstenite::{
    Message, Utf8Bytes,
    handshake::server::{Request, Response},
    protocol::WebSocketConfig,
};

/// Same as the server's room buffer.
const ROOM_CAPACITY: usize = 1024;

/// The websocket buffers of the server (server/src/http/commands.rs), so memory compares too.
pub fn websocket_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(4 * 1024)
        .max_write_buffer_size(1024 * 1024)
        .max_message_size(Some(64 * 1024))
        .max_frame_size(Some(64 * 1024))
}

type Rooms = Arc<Mutex<HashMap<String, broadcast::Sender<(u64, Utf8Bytes)>>>>;

/// Serves until the process ends.
pub async fn serve(listener: TcpListener) -> std::io::Result<()> {
    let rooms: Rooms = Arc::default();
    let next_id = Arc::new(AtomicU64::new(1));
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        let rooms = rooms.clone();
        let id = next_id.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(connection(stream, rooms, id));
    }
}

async fn connection(stream: TcpStream, rooms: Rooms, id: u64) {
    let mut path = String::new();
    // The callback's error type is tungstenite's own (an HTTP response), not ours to shrink.
    #[allow(clippy::result_large_err)]
    let callback = |request: &Request, response: Response| {
        path = request.uri().path().to_string();
        Ok(response)
    };
    let Ok(socket) =
        tokio_tungstenite::accept_hdr_async_with_config(stream, callback, Some(websocket_config()))
            .await
    else {
        return;
    };
    let sender = rooms
        .lock()
        .expect("rooms lock")
        .entry(path.clone())
        .or_insert_with(|| broadcast::channel(ROOM_CAPACITY).0)
        .clone();
    let mut receiver = sender.subscribe();
    let (mut sink, mut stream) = socket.split();
    loop {
        tokio::select! {
            message = receiver.recv() => {
                let mut next = Some(message);
                while let Some(message) = next.take() {
                    match message {
                        Ok((from, text)) if from != id => {
                            if sink.feed(Message::Text(text)).await.is_err() {
                                return leave(&rooms, &path, receiver);
                            }
                        }
                        Ok(_) => {}
                        // The floor keeps no log to refill from: a lagging socket loses frames,
                        // and the generator would report them.
                        Err(broadcast::error::RecvError::Lagged(_)) => {}
                        Err(broadcast::error::RecvError::Closed) => return leave(&rooms, &path, receiver),
                    }
                    next = match receiver.try_recv() {
                        Ok(message) => Some(Ok(message)),
                        Err(broadcast::error::TryRecvError::Lagged(n)) => Some(Err(broadcast::error::RecvError::Lagged(n))),
                        Err(_) => None,
                    };
                }
                if sink.flush().await.is_err() {
                    return leave(&rooms, &path, receiver);
                }
            }
            frame = stream.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    let _ = sender.send((id, text));
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return leave(&rooms, &path, receiver),
                Some(Ok(_)) => {}
            }
        }
    }
}

fn leave(rooms: &Rooms, path: &str, receiver: broadcast::Receiver<(u64, Utf8Bytes)>) {
    drop(receiver);
    let mut rooms = rooms.lock().expect("rooms lock");
    if rooms.get(path).is_some_and(|s| s.receiver_count() == 0) {
        rooms.remove(path);
    }
}
