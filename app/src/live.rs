//! The browser end of a roundtable's websocket: a `Board` signal folded with the core's own
//! `apply`, and an outbox of commands that survives lost connections and page reloads.
//!
//! Nothing here decides what is allowed: commands go to the server as they are, and the board
//! only changes when the server's events arrive. On the server (SSR) a `Live` is just the
//! signals around the board it was rendered with; the socket exists only in the browser.

use std::collections::BTreeMap;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use tavoli_core::{
    BallotDot, Board, Command, CommandEnvelope, ContributionKind, Event, RoundResult, apply,
    entity_id, protocol::ServerMessage,
};
use uuid::Uuid;

/// A command the user sent that the server has not yet confirmed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    pub envelope: CommandEnvelope,
    /// Why the server refused it, in the user's language; the text stays until they choose.
    #[serde(default)]
    pub error: Option<String>,
    /// The seq the server acknowledged; the entry leaves once the board has reached it, so a
    /// card never blinks out between its ack and its event.
    #[serde(default)]
    pub acked: Option<u64>,
}

impl Pending {
    /// The card this entry adds, if it adds one: (id, kind, text).
    pub fn new_card(&self) -> Option<(String, ContributionKind, String)> {
        match &self.envelope.command {
            Command::AddContribution { kind, text, .. } => {
                Some((entity_id(self.envelope.command_id), *kind, text.clone()))
            }
            _ => None,
        }
    }

    pub fn command_id(&self) -> String {
        entity_id(self.envelope.command_id)
    }
}

/// The state of the connection, for the status line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    Connecting,
    Online,
    Offline,
}

/// A round's live count, from the server's coalesced `tally` messages.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveTally {
    pub voters: u32,
    pub results: Option<Vec<RoundResult>>,
}

/// One live roundtable in this page. Cheap to copy; put in context by the page.
#[derive(Clone, Copy)]
pub struct Live {
    roundtable_id: StoredValue<String>,
    pub board: RwSignal<Board>,
    pub outbox: RwSignal<Vec<Pending>>,
    pub link: RwSignal<Link>,
    /// People online now (presence).
    pub online: RwSignal<u32>,
    /// A refusal that names no command of ours (e.g. a malformed message).
    pub notice: RwSignal<Option<String>>,
    pub tallies: RwSignal<BTreeMap<u32, LiveTally>>,
    /// This device's own ballot per round: its dots and how many are left.
    pub my_ballots: RwSignal<BTreeMap<u32, (Vec<BallotDot>, u32)>>,
}

impl Live {
    /// Starts from the board the page was rendered with; in the browser, loads the outbox of
    /// this roundtable and opens the socket from `board.seq`.
    pub fn new(roundtable_id: String, board: Board) -> Live {
        let live = Live {
            roundtable_id: StoredValue::new(roundtable_id),
            board: RwSignal::new(board),
            outbox: RwSignal::new(Vec::new()),
            link: RwSignal::new(Link::Connecting),
            online: RwSignal::new(0),
            notice: RwSignal::new(None),
            tallies: RwSignal::new(BTreeMap::new()),
            my_ballots: RwSignal::new(BTreeMap::new()),
        };
        #[cfg(feature = "hydrate")]
        browser::start(live);
        live
    }

    pub fn roundtable_id(&self) -> String {
        self.roundtable_id.get_value()
    }

    /// Queues a command and sends it if the socket is open; returns the id the entity it
    /// creates will have. The queue is saved first, so a reload or a crash loses nothing.
    pub fn send(&self, command: Command) -> String {
        let command_id = new_command_id();
        let pending = Pending {
            envelope: CommandEnvelope {
                command_id,
                command,
            },
            error: None,
            acked: None,
        };
        self.outbox.update(|outbox| outbox.push(pending.clone()));
        self.save_outbox();
        #[cfg(feature = "hydrate")]
        browser::transmit(self, &pending);
        entity_id(command_id)
    }

    /// Forgets a refused command (the user read why and chose to drop it).
    pub fn discard(&self, command_id: &str) {
        self.outbox
            .update(|outbox| outbox.retain(|pending| pending.command_id() != command_id));
        self.save_outbox();
    }

    /// Sends a refused command again, unchanged (e.g. after the board was unlocked).
    pub fn retry(&self, command_id: &str) {
        let mut again = None;
        self.outbox.update(|outbox| {
            for pending in outbox.iter_mut() {
                if pending.command_id() == command_id {
                    pending.error = None;
                    again = Some(pending.clone());
                }
            }
        });
        self.save_outbox();
        #[cfg(feature = "hydrate")]
        if let Some(pending) = again {
            browser::transmit(self, &pending);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = again;
    }

    /// Cards of ours the board does not show yet, with the refusal if there was one.
    pub fn pending_cards(&self) -> Vec<(Pending, String, ContributionKind, String)> {
        let board = self.board.read();
        self.outbox
            .read()
            .iter()
            .filter_map(|pending| {
                let (id, kind, text) = pending.new_card()?;
                (board.contribution(&id).is_none()).then(|| (pending.clone(), id, kind, text))
            })
            .collect()
    }

    /// Refusals of commands other than new cards (moves, edits, votes ...).
    pub fn other_errors(&self) -> Vec<(String, String)> {
        self.outbox
            .read()
            .iter()
            .filter(|pending| pending.new_card().is_none())
            .filter_map(|pending| Some((pending.command_id(), pending.error.clone()?)))
            .collect()
    }

    /// Applies one message from the server. Public so it can be tested without a socket.
    pub fn receive(&self, text: &str) -> Received {
        if let Ok(message) = serde_json::from_str::<ServerMessage>(text) {
            return self.receive_message(message);
        }
        match serde_json::from_str::<Event>(text) {
            Ok(event) => {
                let current = self.board.with_untracked(|board| board.seq);
                if event.seq <= current {
                    return Received::Ok;
                }
                if event.seq > current + 1 {
                    // The server never skips; if it ever did, reconnecting replays the gap.
                    return Received::Gap;
                }
                self.board.update(|board| apply(board, &event));
                self.prune_acked();
                Received::Ok
            }
            Err(_) => Received::Ok,
        }
    }

    fn receive_message(&self, message: ServerMessage) -> Received {
        match message {
            ServerMessage::Welcome { .. } => return Received::Welcome,
            ServerMessage::Ack { command_id, seq } => {
                let id = entity_id(command_id);
                self.outbox.update(|outbox| {
                    for pending in outbox.iter_mut() {
                        if pending.command_id() == id {
                            pending.acked = Some(seq);
                            pending.error = None;
                        }
                    }
                });
                self.prune_acked();
            }
            ServerMessage::Error {
                command_id: Some(command_id),
                error,
            } => {
                let id = entity_id(command_id);
                self.outbox.update(|outbox| {
                    for pending in outbox.iter_mut() {
                        if pending.command_id() == id {
                            pending.error = Some(error.message.clone());
                        }
                    }
                });
                self.save_outbox();
            }
            ServerMessage::Error {
                command_id: None,
                error,
            } => self.notice.set(Some(error.message)),
            ServerMessage::Presence { count, .. } => self.online.set(count),
            ServerMessage::Tally {
                round,
                voters,
                results,
            } => self.tallies.update(|tallies| {
                tallies.insert(round, LiveTally { voters, results });
            }),
            ServerMessage::YourBallot {
                round,
                dots,
                dots_left,
            } => self.my_ballots.update(|ballots| {
                ballots.insert(round, (dots, dots_left));
            }),
            ServerMessage::Pong {} => {}
        }
        Received::Ok
    }

    /// Drops acknowledged entries the board has caught up with.
    fn prune_acked(&self) {
        let seq = self.board.with_untracked(|board| board.seq);
        let before = self.outbox.with_untracked(Vec::len);
        self.outbox.update(|outbox| {
            outbox.retain(|pending| pending.acked.is_none_or(|acked| acked > seq));
        });
        if self.outbox.with_untracked(Vec::len) != before {
            self.save_outbox();
        }
    }

    /// Entries still waiting for an answer, to send (again) on every new connection.
    pub fn unanswered(&self) -> Vec<Pending> {
        self.outbox.with_untracked(|outbox| {
            outbox
                .iter()
                .filter(|pending| pending.error.is_none() && pending.acked.is_none())
                .cloned()
                .collect()
        })
    }

    fn save_outbox(&self) {
        #[cfg(feature = "hydrate")]
        browser::save_outbox(self);
    }
}

/// What the caller of [`Live::receive`] should do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Received {
    Ok,
    /// The connection is ready: send the unanswered commands.
    Welcome,
    /// An event is missing: reconnect from the board's seq.
    Gap,
}

pub fn use_live() -> Live {
    expect_context::<Live>()
}

/// A fresh random command id. The browser's CSPRNG (available without a secure context,
/// unlike `crypto.randomUUID`); on the server, pages never send commands.
fn new_command_id() -> Uuid {
    #[allow(unused_mut)]
    let mut bytes = [0u8; 16];
    #[cfg(feature = "hydrate")]
    if let Some(crypto) = web_sys::window().and_then(|window| window.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// Milliseconds since the epoch, on this device.
pub fn now_ms() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(all(not(feature = "hydrate"), feature = "ssr"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_millis() as i64)
            .unwrap_or(0)
    }
    #[cfg(all(not(feature = "hydrate"), not(feature = "ssr")))]
    {
        0
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    //! The socket itself: connect, reconnect with backoff, flush the outbox on welcome.

    use std::{cell::RefCell, collections::HashMap, time::Duration};

    use leptos::prelude::*;
    use wasm_bindgen::{JsCast, closure::Closure};
    use web_sys::{MessageEvent, WebSocket};

    use super::{Link, Live, Pending, Received};

    /// Silence after which a connection is presumed dead (the client pings every 20 s).
    const SILENCE_MS: f64 = 45_000.0;
    const PING_EVERY: Duration = Duration::from_secs(20);

    struct Connection {
        socket: WebSocket,
        last_heard: f64,
        // Kept alive as long as the socket may call them.
        _handlers: Vec<Closure<dyn FnMut(web_sys::Event)>>,
    }

    thread_local! {
        static CONNECTIONS: RefCell<HashMap<String, Connection>> = RefCell::new(HashMap::new());
        static ATTEMPTS: RefCell<HashMap<String, u32>> = RefCell::new(HashMap::new());
    }

    fn storage_key(live: &Live) -> String {
        format!("tavoli_outbox_{}", live.roundtable_id())
    }

    fn local_storage() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok().flatten()
    }

    pub fn save_outbox(live: &Live) {
        if let Some(storage) = local_storage() {
            let key = storage_key(live);
            let outbox = live.outbox.get_untracked();
            if outbox.is_empty() {
                let _ = storage.remove_item(&key);
            } else if let Ok(json) = serde_json::to_string(&outbox) {
                let _ = storage.set_item(&key, &json);
            }
        }
    }

    fn load_outbox(live: &Live) {
        let Some(storage) = local_storage() else {
            return;
        };
        let saved = storage
            .get_item(&storage_key(live))
            .ok()
            .flatten()
            .and_then(|json| serde_json::from_str::<Vec<Pending>>(&json).ok())
            .unwrap_or_default();
        live.outbox.set(saved);
    }

    pub fn start(live: Live) {
        // After hydration, not during it: pending cards from storage are not in the server's
        // HTML, and rendering them while hydrating would not match it.
        request_animation_frame(move || {
            load_outbox(&live);
            connect(live);
        });
        let id = live.roundtable_id();
        let ping_id = id.clone();
        let interval = set_interval_with_handle(
            move || {
                let stale = CONNECTIONS.with_borrow(|connections| {
                    connections.get(&ping_id).map(|connection| {
                        let _ = connection.socket.send_with_str(r#"{"type":"ping"}"#);
                        js_sys::Date::now() - connection.last_heard > SILENCE_MS
                    })
                });
                if stale == Some(true) {
                    // A half-open connection (phone changed network): start over.
                    restart(live);
                }
            },
            PING_EVERY,
        )
        .ok();
        // Back online: try at once rather than waiting out the backoff.
        let online = window_event_listener(leptos::ev::online, move |_| {
            ATTEMPTS.with_borrow_mut(|attempts| attempts.insert(live.roundtable_id(), 0));
            if live.link.get_untracked() != Link::Online {
                connect(live);
            }
        });
        on_cleanup(move || {
            if let Some(interval) = interval {
                interval.clear();
            }
            online.remove();
            close_socket(&id);
        });
    }

    fn socket_url(live: &Live) -> Option<String> {
        let location = web_sys::window()?.location();
        let scheme = if location.protocol().ok()? == "https:" {
            "wss"
        } else {
            "ws"
        };
        let host = location.host().ok()?;
        let since = live.board.with_untracked(|board| board.seq);
        Some(format!(
            "{scheme}://{host}/api/roundtables/{}/live?since={since}",
            live.roundtable_id()
        ))
    }

    fn connect(live: Live) {
        let id = live.roundtable_id();
        close_socket(&id);
        let Some(url) = socket_url(&live) else {
            return;
        };
        let Ok(socket) = WebSocket::new(&url) else {
            schedule_reconnect(live);
            return;
        };
        live.link.set(Link::Connecting);
        let mut handlers: Vec<Closure<dyn FnMut(web_sys::Event)>> = Vec::new();

        let on_message = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            let Ok(event) = event.dyn_into::<MessageEvent>() else {
                return;
            };
            let Some(text) = event.data().as_string() else {
                return;
            };
            let id = live.roundtable_id();
            CONNECTIONS.with_borrow_mut(|connections| {
                if let Some(connection) = connections.get_mut(&id) {
                    connection.last_heard = js_sys::Date::now();
                }
            });
            match live.receive(&text) {
                Received::Ok => {}
                Received::Welcome => {
                    live.link.set(Link::Online);
                    ATTEMPTS.with_borrow_mut(|attempts| attempts.insert(id.clone(), 0));
                    for pending in live.unanswered() {
                        transmit(&live, &pending);
                    }
                }
                Received::Gap => restart(live),
            }
        });
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        handlers.push(on_message);

        let on_close = Closure::<dyn FnMut(web_sys::Event)>::new(move |_event: web_sys::Event| {
            // Detach and free this connection later, outside the handler that is running.
            set_timeout(move || restart(live), Duration::ZERO);
        });
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        handlers.push(on_close);

        CONNECTIONS.with_borrow_mut(|connections| {
            connections.insert(
                id,
                Connection {
                    socket,
                    last_heard: js_sys::Date::now(),
                    _handlers: handlers,
                },
            )
        });
    }

    /// Backoff: 0.5 s, 1 s, 2 s ... up to 10 s, so a room of phones coming back online does
    /// not hammer the server in step.
    fn schedule_reconnect(live: Live) {
        let id = live.roundtable_id();
        let attempt = ATTEMPTS.with_borrow_mut(|attempts| {
            let attempt = attempts.entry(id).or_insert(0);
            *attempt = attempt.saturating_add(1);
            *attempt
        });
        let delay = (500u64 << attempt.min(5).saturating_sub(1)).min(10_000);
        set_timeout(
            move || {
                let connected = CONNECTIONS
                    .with_borrow(|connections| connections.contains_key(&live.roundtable_id()));
                if !connected {
                    connect(live);
                }
            },
            Duration::from_millis(delay),
        );
    }

    /// Closes the socket of a roundtable. Its handlers are detached first: they are freed with
    /// the connection, so a close event must not reach them.
    fn close_socket(id: &str) {
        let connection = CONNECTIONS.with_borrow_mut(|connections| connections.remove(id));
        if let Some(connection) = connection {
            connection.socket.set_onclose(None);
            connection.socket.set_onmessage(None);
            let _ = connection.socket.close();
        }
    }

    /// Drops a connection that went bad and starts over from the board's seq.
    fn restart(live: Live) {
        close_socket(&live.roundtable_id());
        live.link.set(Link::Offline);
        schedule_reconnect(live);
    }

    /// Sends one command if the socket is open; otherwise it waits in the outbox for the
    /// next welcome.
    pub fn transmit(live: &Live, pending: &Pending) {
        let Ok(text) = serde_json::to_string(&pending.envelope) else {
            return;
        };
        CONNECTIONS.with_borrow(|connections| {
            if let Some(connection) = connections.get(&live.roundtable_id())
                && connection.socket.ready_state() == WebSocket::OPEN
                && live.link.get_untracked() == Link::Online
            {
                let _ = connection.socket.send_with_str(&text);
            }
        });
    }
}
