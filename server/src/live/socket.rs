//! The websocket of a roundtable: replay from the log, then live events, and commands in.
//!
//! No gap, no duplicate: subscribe to the hub first, then send the log from `since`, then
//! stream, skipping any event at or below the last seq sent. A gap in the stream (a lagged
//! receiver, or an event published out of order) is filled from the log, never skipped.

use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::{SinkExt, StreamExt};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tavoli_core::{
    Action, Actor, Lang, Refusal,
    protocol::{self, ClientMessage, ServerMessage},
};
use tokio::sync::{broadcast::error::RecvError, mpsc};

use super::{
    hub::LiveMessage,
    writer::{CommandError, Submission},
};
use crate::{
    http::{
        access::{self, Access, Found},
        commands::command_error,
    },
    state::AppState,
};

/// Events read from the log per query during replay.
const REPLAY_PAGE: u32 = 500;
/// A ping every so often; a peer silent for three of them is gone.
const HEARTBEAT: Duration = Duration::from_secs(20);
const SILENCE_LIMIT: Duration = Duration::from_secs(65);
/// Commands a connection may have in flight before it must wait for their acks.
const IN_FLIGHT: usize = 64;
/// Messages a connection may send: a burst of 100 (a phone flushing its queue of 25 commands
/// on reconnect is far inside it), then 10 a second, far above what a person taps.
const MESSAGE_BURST: u32 = 100;
const MESSAGES_PER_SECOND: u32 = 10;
/// Messages refused for the rate before the peer is judged abusive and closed (1008).
const RATE_STRIKES: u32 = 50;
/// How long a closing peer is given to acknowledge the close.
const CLOSE_GRACE: Duration = Duration::from_secs(2);
/// Close code for a policy violation (RFC 6455): abuse, revocation, expired session.
const POLICY_VIOLATION: u16 = 1008;

pub struct Connection {
    pub state: AppState,
    pub roundtable_id: String,
    pub process_id: String,
    pub anonymous: bool,
    pub actor: Actor,
    /// Who opened the socket, authorized for `OpenLive`; each command is authorized again.
    pub access: Access,
    pub found: Found,
    pub since: u64,
    pub lang: Lang,
}

/// The documented message limit, multiplied by `scale` (`--rate-limit-scale`).
fn message_limiter(scale: u32) -> DefaultDirectRateLimiter {
    let scaled =
        |n: u32| std::num::NonZeroU32::new(n.saturating_mul(scale.max(1))).expect("non-zero");
    let per_second = scaled(MESSAGES_PER_SECOND);
    let burst = scaled(MESSAGE_BURST);
    RateLimiter::direct(Quota::per_second(per_second).allow_burst(burst))
}

fn error_message(code: &str, lang: Lang, it: &str, en: &str) -> ServerMessage {
    ServerMessage::Error {
        command_id: None,
        error: protocol::ErrorBody {
            code: code.into(),
            message: match lang {
                Lang::It => it.into(),
                Lang::En => en.into(),
            },
        },
    }
}

/// Says why, then closes with 1008: the peer must not simply reconnect and carry on.
async fn close_for<S>(sink: &mut S, message: &ServerMessage, reason: &'static str)
where
    S: SinkExt<Message> + Unpin,
{
    let _ = send_json(sink, message).await;
    let _ = sink
        .send(Message::Close(Some(CloseFrame {
            code: POLICY_VIOLATION,
            reason: Utf8Bytes::from_static(reason),
        })))
        .await;
}

impl Connection {
    pub async fn run(self, socket: WebSocket) {
        let (mut sink, mut stream) = socket.split();
        let live = self.state.live.clone();
        let mut receiver = live.hub.subscribe(&self.roundtable_id);
        let participant = self.actor.participant_id.clone();
        if let Some(presence) = live
            .hub
            .join_presence(&self.roundtable_id, participant.as_deref())
        {
            live.hub.publish(&self.roundtable_id, presence);
        }
        let mut last_sent = self.since;
        let (replies, mut reply_rx) = mpsc::channel::<Vec<String>>(IN_FLIGHT);
        let limiter = message_limiter(self.state.rate_limit_scale);
        let mut strikes = 0u32;
        let mut kill_switch = participant
            .as_deref()
            .map(|participant_id| live.revocations.watch(participant_id));

        let result: Result<(), ()> = async {
            let welcome = ServerMessage::Welcome {
                protocol: protocol_version(),
                roundtable_id: self.roundtable_id.clone(),
                seq: self.since,
            };
            send_json(&mut sink, &welcome).await?;
            last_sent = self.replay(&mut sink, last_sent).await?;
            self.send_voting_state(&mut sink).await?;
            let mut heartbeat = tokio::time::interval(HEARTBEAT);
            heartbeat.tick().await;
            let mut last_heard = tokio::time::Instant::now();
            loop {
                tokio::select! {
                    message = receiver.recv() => {
                        // Forward this message and every one already waiting, then flush once:
                        // a burst costs one write, not one per event.
                        let mut next = Some(message);
                        while let Some(message) = next.take() {
                            match message {
                                Ok(LiveMessage { seq: Some(seq), json }) => {
                                    if seq <= last_sent {
                                        // Already sent by a replay.
                                    } else if seq > last_sent + 1 {
                                        last_sent = self.replay(&mut sink, last_sent).await?;
                                    } else {
                                        feed_text(&mut sink, &json).await?;
                                        last_sent = seq;
                                    }
                                }
                                Ok(LiveMessage { seq: None, json }) => feed_text(&mut sink, &json).await?,
                                Err(RecvError::Lagged(missed)) => {
                                    // Too slow for the room's buffer: catch up from the log, never drop.
                                    tracing::debug!(missed, "subscriber lagged; refilling from the log");
                                    last_sent = self.replay(&mut sink, last_sent).await?;
                                }
                                Err(RecvError::Closed) => return Err(()),
                            }
                            next = match receiver.try_recv() {
                                Ok(message) => Some(Ok(message)),
                                Err(tokio::sync::broadcast::error::TryRecvError::Lagged(n)) => Some(Err(RecvError::Lagged(n))),
                                Err(_) => None,
                            };
                        }
                        sink.flush().await.map_err(|_| ())?;
                    }
                    reply = reply_rx.recv() => {
                        // A voter's ack comes with their own dots: one write for all that is
                        // ready, not one each.
                        let mut next = reply;
                        while let Some(frames) = next.take() {
                            for text in &frames {
                                feed_text(&mut sink, text).await?;
                            }
                            next = reply_rx.try_recv().ok();
                        }
                        sink.flush().await.map_err(|_| ())?;
                    }
                    _ = revoked(&mut kill_switch) => {
                        let refusal = Refusal::Revoked;
                        let message = error_message(refusal.code(), self.lang, refusal.message(Lang::It), refusal.message(Lang::En));
                        close_for(&mut sink, &message, "revoked").await;
                        return Err(());
                    }
                    incoming = stream.next() => {
                        last_heard = tokio::time::Instant::now();
                        if matches!(incoming, Some(Ok(Message::Text(_) | Message::Binary(_)))) && limiter.check().is_err() {
                            strikes += 1;
                            let message = error_message(
                                "rate_limited",
                                self.lang,
                                "Troppi messaggi: rallenta.",
                                "Too many messages: slow down.",
                            );
                            if strikes >= RATE_STRIKES {
                                tracing::warn!(roundtable_id = %self.roundtable_id, "closing a websocket that floods messages");
                                close_for(&mut sink, &message, "too many messages").await;
                                // Read (and ignore) what is still in flight until the peer answers
                                // the close, so it gets our reason rather than a reset.
                                let _ = tokio::time::timeout(CLOSE_GRACE, async {
                                    while let Some(Ok(message)) = stream.next().await {
                                        if matches!(message, Message::Close(_)) {
                                            break;
                                        }
                                    }
                                })
                                .await;
                                return Err(());
                            }
                            send_json(&mut sink, &message).await?;
                            continue;
                        }
                        match incoming {
                            Some(Ok(Message::Text(text))) => self.handle_text(text.as_str(), &replies, &mut sink).await?,
                            Some(Ok(Message::Binary(_))) => {
                                let error = protocol::ErrorBody {
                                    code: "malformed_message".into(),
                                    message: match self.lang {
                                        Lang::It => "Messaggio binario non previsto: invia JSON come testo.".into(),
                                        Lang::En => "Unexpected binary message: send JSON as text.".into(),
                                    },
                                };
                                send_json(&mut sink, &ServerMessage::Error { command_id: None, error }).await?;
                            }
                            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Ok(()),
                            Some(Ok(_)) => {}
                        }
                    }
                    _ = heartbeat.tick() => {
                        if last_heard.elapsed() > SILENCE_LIMIT {
                            tracing::debug!("peer silent; closing");
                            return Err(());
                        }
                        // Revoked or signed out on any instance: closed within one heartbeat.
                        if let Some(token_hash) = &self.access.token_hash
                            && let Ok(false) = access::token_still_valid(&self.state, token_hash).await
                        {
                            let refusal = if participant.is_some() { Refusal::Revoked } else { Refusal::Unauthenticated };
                            let message = error_message(refusal.code(), self.lang, refusal.message(Lang::It), refusal.message(Lang::En));
                            close_for(&mut sink, &message, "credentials no longer valid").await;
                            return Err(());
                        }
                        sink.send(Message::Ping(Default::default())).await.map_err(|_| ())?;
                    }
                }
            }
        }
        .await;
        if result.is_ok() {
            let _ = sink
                .send(Message::Close(Some(CloseFrame {
                    code: 1000,
                    reason: Utf8Bytes::from_static("bye"),
                })))
                .await;
        }
        drop(receiver);
        if let Some(presence) = live.hub.leave(&self.roundtable_id, participant.as_deref()) {
            live.hub.publish(&self.roundtable_id, presence);
        }
    }

    /// Sends every logged event after `last_sent`; returns the new last seq sent.
    async fn replay<S>(&self, sink: &mut S, mut last_sent: u64) -> Result<u64, ()>
    where
        S: SinkExt<Message> + Unpin,
    {
        loop {
            let page = self
                .state
                .storage
                .events_since(&self.roundtable_id, last_sent, REPLAY_PAGE, true)
                .await
                .map_err(|error| tracing::error!(%error, "replay failed"))?;
            if page.is_empty() {
                return Ok(last_sent);
            }
            for event in page {
                feed_text(sink, &event.body).await?;
                last_sent = event.seq;
            }
            sink.flush().await.map_err(|_| ())?;
        }
    }

    /// The current tallies, and the participant's own dots, so a page that reconnects mid-vote
    /// shows them at once.
    async fn send_voting_state<S>(&self, sink: &mut S) -> Result<(), ()>
    where
        S: SinkExt<Message> + Unpin,
    {
        let Ok(board) = self
            .state
            .live
            .boards
            .get(&self.state.storage, &self.roundtable_id)
            .await
        else {
            return Ok(());
        };
        for message in super::voting::tally_messages(&board) {
            feed_text(sink, &message.json).await?;
        }
        if let Some(participant_id) = &self.actor.participant_id {
            for message in super::voting::your_ballots(&board, participant_id) {
                send_json(sink, &message).await?;
            }
        }
        sink.flush().await.map_err(|_| ())
    }

    async fn handle_text<S>(
        &self,
        text: &str,
        replies: &mpsc::Sender<Vec<String>>,
        sink: &mut S,
    ) -> Result<(), ()>
    where
        S: SinkExt<Message> + Unpin,
    {
        match protocol::parse_client_message(text, self.lang) {
            Ok(ClientMessage::Ping) => send_json(sink, &ServerMessage::Pong {}).await,
            Ok(ClientMessage::Command(envelope)) => {
                let command_id = envelope.command_id;
                // The same check as over HTTP: the core's table, for this caller, here.
                let access = match self.found.grant(Action::Command(&envelope.command)) {
                    Ok(access) => access,
                    Err(error) => {
                        let error = protocol::ErrorBody {
                            code: error.code().to_string(),
                            message: error.message(self.lang),
                        };
                        return send_json(
                            sink,
                            &ServerMessage::Error {
                                command_id: Some(command_id),
                                error,
                            },
                        )
                        .await;
                    }
                };
                let command_type = envelope.command.type_name();
                let submission = Submission {
                    roundtable_id: self.roundtable_id.clone(),
                    anonymous: self.anonymous,
                    actor: access.actor.clone(),
                    envelope,
                    new_participant: None,
                };
                let roundtable = crate::storage::RoundtableRecord {
                    id: self.roundtable_id.clone(),
                    process_id: self.process_id.clone(),
                    title: String::new(),
                    description: String::new(),
                    join_code: String::new(),
                    anonymous: self.anonymous,
                    created_at: 0,
                };
                // Wait for the commit off the read loop, so events keep flowing meanwhile and
                // several commands of one client share a group commit.
                let writer = self.state.live.writer.clone();
                let replies = replies.clone();
                let lang = self.lang;
                let is_vote = matches!(
                    submission.envelope.command,
                    tavoli_core::Command::CastVote { .. }
                        | tavoli_core::Command::RetractVote { .. }
                );
                let voter = submission.actor.participant_id.clone().filter(|_| is_vote);
                let state = self.state.clone();
                let roundtable_id = self.roundtable_id.clone();
                tokio::spawn(async move {
                    // What this command's answer writes to the socket, in one go.
                    let mut frames = Vec::new();
                    let message = match writer.submit(submission).await {
                        Ok(outcome) => {
                            // The voter's own dots, which a secret round shows nobody else.
                            if let Some(voter) = &voter
                                && let Ok(board) =
                                    state.live.boards.get(&state.storage, &roundtable_id).await
                            {
                                for ballot in super::voting::your_ballots(&board, voter) {
                                    frames.push(
                                        serde_json::to_string(&ballot).expect("messages serialise"),
                                    );
                                }
                            }
                            if let crate::live::Outcome::Applied { seq } = outcome {
                                crate::http::commands::audit_command(
                                    &state,
                                    &access,
                                    &roundtable,
                                    command_type,
                                    seq,
                                )
                                .await;
                            }
                            ServerMessage::Ack {
                                command_id,
                                seq: outcome.seq(),
                            }
                        }
                        Err(error) => {
                            let error = error_body(&error, lang);
                            ServerMessage::Error {
                                command_id: Some(command_id),
                                error,
                            }
                        }
                    };
                    frames.push(serde_json::to_string(&message).expect("messages serialise"));
                    let _ = replies.send(frames).await;
                });
                Ok(())
            }
            Err(error) => {
                send_json(
                    sink,
                    &ServerMessage::Error {
                        command_id: None,
                        error,
                    },
                )
                .await
            }
        }
    }
}

fn error_body(error: &CommandError, lang: Lang) -> protocol::ErrorBody {
    let api = command_error(error);
    protocol::ErrorBody {
        code: api.code().to_string(),
        message: api.message(lang),
    }
}

fn protocol_version() -> u32 {
    tavoli_core::PROTOCOL_VERSION
}

async fn send_json<S, T>(sink: &mut S, message: &T) -> Result<(), ()>
where
    S: SinkExt<Message> + Unpin,
    T: serde::Serialize,
{
    let text = serde_json::to_string(message).expect("messages serialise");
    send_text(sink, &text).await
}

/// Queues a text frame without flushing (the caller flushes after a batch).
async fn feed_text<S>(sink: &mut S, text: &str) -> Result<(), ()>
where
    S: SinkExt<Message> + Unpin,
{
    sink.feed(Message::Text(Utf8Bytes::from(text)))
        .await
        .map_err(|_| ())
}

async fn send_text<S>(sink: &mut S, text: &str) -> Result<(), ()>
where
    S: SinkExt<Message> + Unpin,
{
    sink.send(Message::Text(Utf8Bytes::from(text)))
        .await
        .map_err(|_| ())
}

/// Resolves when the participant behind this socket is revoked; never without one.
async fn revoked(kill_switch: &mut Option<tokio::sync::watch::Receiver<bool>>) {
    match kill_switch {
        Some(receiver) => {
            // A dropped switch (revoked, then forgotten) counts as revoked too.
            let _ = receiver.changed().await;
        }
        None => std::future::pending().await,
    }
}
