//! One simulated participant: a websocket to the server (or to the relay) that sends what the
//! scenario orders, keeps its unacknowledged commands to resend after a reconnect (as a phone's
//! outbox does), and checks everything it receives: seq order, duplicates, latency, tallies.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::json;
use tokio::{net::TcpStream, sync::mpsc};
use tokio_tungstenite::{
    WebSocketStream,
    tungstenite::{
        Message, client::IntoClientRequest, http::HeaderValue, protocol::WebSocketConfig,
    },
};

use crate::{
    ids::{Tag, now_ns},
    ledger::{Kind, Ledger, SeenSet},
};

/// Which end a client talks to: the two speak different dialects around the same frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Tavoli,
    Relay,
}

/// How a client leaves in a disconnect storm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disconnect {
    /// A close frame, answered.
    Clean,
    /// TCP reset at once (SO_LINGER 0): a phone that loses power.
    Abrupt,
    /// The socket stays open and unread: a phone whose network vanished. The server finds out
    /// from its heartbeat or its bounded write buffer.
    HalfOpen,
}

pub enum Order {
    Contribute,
    Ballot { round: u32, contribution_id: String },
    Disconnect(Disconnect),
    Close,
}

pub struct ClientSpec {
    pub room: u16,
    pub slot: u16,
    pub url: String,
    pub token: Option<String>,
    pub dialect: Dialect,
    /// Keeps every event it receives, to fold a board and compare it with the server's.
    pub witness: bool,
}

/// The last tally a client drew, and when its content last changed.
#[derive(Debug, Clone, Default)]
pub struct TallySeen {
    pub round: u32,
    pub voters: u32,
    pub results: Vec<(String, u32)>,
    pub changed_ns: u64,
}

/// What the scenario can read of a client while it runs and after.
#[derive(Default)]
pub struct ClientView {
    pub connected: AtomicBool,
    pub welcomed: AtomicBool,
    pub last_seq: AtomicU64,
    pub tally: Mutex<TallySeen>,
    /// Dots per (round, contribution) counted from the `vote_cast`/`vote_retracted` events.
    pub recount: Mutex<HashMap<(u32, String), i64>>,
    /// `voting_closed` results per round, as received.
    pub closed: Mutex<HashMap<u32, Vec<(String, u32)>>>,
    pub events: Mutex<Vec<String>>,
    pub pending: AtomicU64,
    /// Commands answered (ack or error), for the closed loop.
    pub answered: AtomicU64,
}

pub fn client_config() -> WebSocketConfig {
    // The generator holds thousands of sockets too: small buffers here as on the server.
    crate::relay::websocket_config()
}

#[derive(Deserialize)]
struct Head<'a> {
    #[serde(rename = "type", borrow)]
    kind: &'a str,
    seq: Option<u64>,
    #[serde(borrow)]
    command_id: Option<&'a str>,
    round: Option<u32>,
    voters: Option<u32>,
    #[serde(borrow)]
    contribution_id: Option<&'a str>,
    results: Option<Vec<ResultRow>>,
    error: Option<ErrorRow>,
}

#[derive(Deserialize)]
struct ResultRow {
    contribution_id: String,
    dots: u32,
}

#[derive(Deserialize)]
struct ErrorRow {
    code: String,
}

type Socket = WebSocketStream<TcpStream>;

async fn connect(spec: &ClientSpec, since: u64) -> anyhow::Result<Socket> {
    let url = match spec.dialect {
        Dialect::Tavoli => format!("{}?since={since}", spec.url),
        Dialect::Relay => spec.url.clone(),
    };
    let mut request = url.as_str().into_client_request()?;
    if let Some(token) = &spec.token {
        request.headers_mut().insert(
            "authorization",
            HeaderValue::from_str(&format!("Bearer {token}"))?,
        );
    }
    let host = request
        .uri()
        .authority()
        .map(|a| a.as_str().to_string())
        .unwrap_or_default();
    let stream = TcpStream::connect(host).await?;
    stream.set_nodelay(true)?;
    let (socket, _) =
        tokio_tungstenite::client_async_with_config(request, stream, Some(client_config())).await?;
    Ok(socket)
}

/// Runs one participant until ordered to close (or its channel ends).
pub async fn run(
    spec: ClientSpec,
    ledger: Arc<Ledger>,
    view: Arc<ClientView>,
    mut orders: mpsc::Receiver<Order>,
) {
    let mut seen = SeenSet::default();
    // Commands sent and not yet answered: resent with the same command_id after a reconnect.
    let mut pending: HashMap<String, String> = HashMap::new();
    // Half-open sockets are kept (unread) until the end, as a vanished phone's would be.
    let mut zombies: Vec<Socket> = Vec::new();
    let mut backoff = Duration::from_millis(50);
    'connect: loop {
        let since = view.last_seq.load(Ordering::Relaxed);
        let socket = match connect(&spec, since).await {
            Ok(socket) => socket,
            Err(error) => {
                let failures = ledger
                    .counters
                    .connect_failures
                    .fetch_add(1, Ordering::Relaxed);
                if failures < 3 {
                    eprintln!("connect to {} failed: {error}", spec.url);
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(2));
                continue 'connect;
            }
        };
        backoff = Duration::from_millis(50);
        ledger.counters.connects.fetch_add(1, Ordering::Relaxed);
        view.connected.store(true, Ordering::Relaxed);
        let (mut sink, mut stream) = socket.split();
        for frame in pending.values() {
            if sink.feed(Message::text(frame.clone())).await.is_err() {
                break;
            }
        }
        if sink.flush().await.is_err() {
            view.connected.store(false, Ordering::Relaxed);
            continue 'connect;
        }
        loop {
            tokio::select! {
                order = orders.recv() => {
                    let (tag, frame) = match order {
                        None | Some(Order::Close) => {
                            let _ = sink.send(Message::Close(None)).await;
                            let _ = tokio::time::timeout(Duration::from_secs(2), async {
                                while let Some(Ok(frame)) = stream.next().await {
                                    if matches!(frame, Message::Close(_)) { break; }
                                }
                            }).await;
                            view.connected.store(false, Ordering::Relaxed);
                            return;
                        }
                        Some(Order::Disconnect(how)) => {
                            ledger.counters.disconnects.fetch_add(1, Ordering::Relaxed);
                            view.connected.store(false, Ordering::Relaxed);
                            let Ok(socket) = sink.reunite(stream) else { continue 'connect };
                            leave(socket, how, &mut zombies).await;
                            continue 'connect;
                        }
                        Some(Order::Contribute) => {
                            let tag = ledger.register(spec.room, spec.slot, Kind::Contribution);
                            let text = format!(
                                "Bisogno di prova {} del tavolo {}: servono spazi di ascolto per i caregiver familiari la sera.",
                                tag.index, tag.room
                            );
                            (tag, json!({"type": "add_contribution", "command_id": tag.to_uuid(), "kind": "need", "text": text}).to_string())
                        }
                        Some(Order::Ballot { round, contribution_id }) => {
                            let tag = ledger.register(spec.room, spec.slot, Kind::Ballot);
                            (tag, json!({"type": "cast_vote", "command_id": tag.to_uuid(), "round": round, "contribution_id": contribution_id}).to_string())
                        }
                    };
                    match spec.dialect {
                        Dialect::Relay => ledger.acked(tag),
                        Dialect::Tavoli => {
                            pending.insert(tag.to_uuid().to_string(), frame.clone());
                            view.pending.store(pending.len() as u64, Ordering::Relaxed);
                        }
                    }
                    if sink.send(Message::text(frame)).await.is_err() {
                        view.connected.store(false, Ordering::Relaxed);
                        continue 'connect;
                    }
                }
                frame = stream.next() => match frame {
                    Some(Ok(Message::Text(text))) => {
                        ledger.counters.received_frames.fetch_add(1, Ordering::Relaxed);
                        receive(&spec, &ledger, &view, &mut seen, &mut pending, text.as_str());
                    }
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => {
                        view.connected.store(false, Ordering::Relaxed);
                        tokio::time::sleep(backoff).await;
                        continue 'connect;
                    }
                    Some(Ok(_)) => {}
                }
            }
        }
    }
}

async fn leave(mut socket: Socket, how: Disconnect, zombies: &mut Vec<Socket>) {
    match how {
        Disconnect::Clean => {
            let _ = socket.close(None).await;
            let _ = tokio::time::timeout(Duration::from_secs(2), async {
                while let Some(Ok(_)) = socket.next().await {}
            })
            .await;
        }
        Disconnect::Abrupt => {
            let _ = socket.get_ref().set_zero_linger();
            drop(socket);
        }
        Disconnect::HalfOpen => zombies.push(socket),
    }
}

fn receive(
    spec: &ClientSpec,
    ledger: &Ledger,
    view: &ClientView,
    seen: &mut SeenSet,
    pending: &mut HashMap<String, String>,
    text: &str,
) {
    let now = now_ns();
    let Ok(head) = serde_json::from_str::<Head>(text) else {
        ledger.refused(None, "unreadable_frame");
        return;
    };
    let tag = head.command_id.and_then(Tag::parse);
    // `welcome` and `ack` carry a seq too, but only stored events advance the log.
    let is_event = !matches!(
        head.kind,
        "welcome" | "ack" | "error" | "presence" | "tally" | "your_ballot" | "pong"
    );
    if let Some(seq) = head.seq.filter(|_| is_event) {
        let last = view.last_seq.load(Ordering::Relaxed);
        if seq <= last {
            ledger
                .counters
                .seq_duplicates
                .fetch_add(1, Ordering::Relaxed);
            return;
        }
        if seq > last + 1 {
            ledger.counters.seq_gaps.fetch_add(1, Ordering::Relaxed);
        }
        view.last_seq.store(seq, Ordering::Relaxed);
        if spec.witness {
            view.events
                .lock()
                .expect("events lock")
                .push(text.to_string());
        }
        match head.kind {
            "vote_cast" | "vote_retracted" => {
                if let (Some(round), Some(contribution_id)) = (head.round, head.contribution_id) {
                    let delta = if head.kind == "vote_cast" { 1 } else { -1 };
                    *view
                        .recount
                        .lock()
                        .expect("recount lock")
                        .entry((round, contribution_id.to_string()))
                        .or_default() += delta;
                }
            }
            "voting_closed" => {
                if let (Some(round), Some(results)) = (head.round, head.results) {
                    view.closed.lock().expect("closed lock").insert(
                        round,
                        results
                            .into_iter()
                            .map(|r| (r.contribution_id, r.dots))
                            .collect(),
                    );
                }
                return;
            }
            _ => {}
        }
    }
    match head.kind {
        "ack" => {
            if let (Some(tag), Some(id)) = (tag, head.command_id) {
                if pending.remove(id).is_some() {
                    view.answered.fetch_add(1, Ordering::Relaxed);
                }
                view.pending.store(pending.len() as u64, Ordering::Relaxed);
                ledger.acked(tag);
            }
        }
        "error" => {
            if let Some(id) = head.command_id
                && pending.remove(id).is_some()
            {
                view.answered.fetch_add(1, Ordering::Relaxed);
                view.pending.store(pending.len() as u64, Ordering::Relaxed);
            }
            let code = head.error.map(|e| e.code).unwrap_or_default();
            ledger.refused(tag, &code);
        }
        "welcome" => view.welcomed.store(true, Ordering::Relaxed),
        "tally" => {
            let results: Vec<(String, u32)> = head
                .results
                .unwrap_or_default()
                .into_iter()
                .map(|r| (r.contribution_id, r.dots))
                .collect();
            let round = head.round.unwrap_or(0);
            let voters = head.voters.unwrap_or(0);
            let mut tally = view.tally.lock().expect("tally lock");
            if tally.round != round || tally.voters != voters || tally.results != results {
                *tally = TallySeen {
                    round,
                    voters,
                    results,
                    changed_ns: now,
                };
            }
        }
        _ => {
            // An event (or, from the relay, a forwarded command) of the generator's own.
            if let Some(tag) = tag
                && tag.room == spec.room
            {
                if !seen.insert(tag.index) {
                    ledger.counters.duplicates.fetch_add(1, Ordering::Relaxed);
                } else if tag.slot != spec.slot {
                    ledger.delivered(tag, now);
                }
            }
        }
    }
}
