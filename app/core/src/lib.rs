//! Tavoli's domain core: a roundtable is a log of events, and this crate says which events a
//! command may produce (`decide`) and what board they fold into (`apply`). Pure: no IO, no
//! clock, no randomness, no Leptos/sqlx/tokio; it compiles for native and wasm32, so the server
//! and the browser run the very same rules and reducer.
//!
//! # Public API
//!
//! - Wire values: [`Command`] inside a [`CommandEnvelope`] (`{"type", "command_id", ...}`),
//!   [`Event`] around an [`EventKind`] (`{"seq", "type", "command_id", "actor", "at", "v", ...}`),
//!   [`RoundResult`]; vocabulary [`ContributionKind`], [`Phase`], [`Role`], [`OrganisationKind`],
//!   [`BallotUnit`], [`PolicyArea`]. Every id is a `String`; an entity created by a command
//!   gets the command's id ([`entity_id`]).
//! - Deciding: [`decide`]`(&Board, &Actor, &Command, &Context) -> Result<Vec<EventKind>, DomainError>`
//!   (never `Ok` with no events); [`Event::new`] / [`Event::stamp_all`] number them for the log.
//! - Folding: [`apply`]`(&mut Board, &Event)`, total; [`Board::from_events`]; queries
//!   [`Board::contribution`], [`Board::live_contributions`], [`Board::open_round`],
//!   [`Board::round`], [`Board::ballot_key`], [`Board::dots_left`],
//!   [`VotingRound::live_results`].
//! - Privacy: [`Board::public_view`]`(anonymous)`, [`Event::public_view`]`(secret_round, anonymous)`,
//!   [`Event::public_view_on`]`(&Board, anonymous)`.
//! - Authorization: [`authorize`]`(Standing, Action) -> Result<Option<Role>, Refusal>`, the one
//!   check of every route, server function and websocket command (table in [`authorize`](mod@authorize)).
//! - Permissions: [`permission::may_send`]`(Role, &Command)`; [`Command::is_server_only`];
//!   wire tags [`Command::type_name`], [`EventKind::type_name`], `Command::TYPE_NAMES`,
//!   `EventKind::TYPE_NAMES`.
//! - Texts: [`ContributionText::parse`], [`Title::parse`], limits [`MAX_CONTRIBUTION_CHARS`],
//!   [`MAX_TITLE_CHARS`], [`MAX_NAME_CHARS`], [`MAX_TARGET_CHARS`], [`MAX_TARGETS`];
//!   rule limits [`MAX_TIMER_SECONDS`], [`MAX_DOTS_PER_VOTER`].
//! - Errors: [`DomainError`] with `code()` and `message(Lang)`; [`Lang::from_accept_language`].
//! - Websocket: [`protocol::ServerMessage`], [`protocol::ClientMessage`],
//!   [`protocol::parse_client_message`], [`protocol::parse_command`], [`protocol::ErrorBody`],
//!   [`PROTOCOL_VERSION`], [`protocol::MAX_FRAME_BYTES`]; [`EVENT_SCHEMA_VERSION`].

pub mod authorize;
mod board;
mod cluster;
mod command;
mod contribution;
mod decide;
mod error;
mod event;
mod ids;
mod meeting;
pub mod permission;
mod phase;
mod policy_area;
pub mod privacy;
pub mod protocol;
pub mod similarity;
pub mod synthesis;
mod text;
mod vocabulary;
mod voting;

pub use authorize::{Action, Refusal, Standing, authorize};
pub use board::{
    BallotDot, Board, Cluster, Contribution, ContributionStatus, Edit, Meeting, ParticipantInfo,
    RoundStatus, Timer, VotingRound, apply, rank,
};
pub use command::{Actor, Command, CommandEnvelope, Context};
pub use decide::decide;
pub use error::{DomainError, Lang};
pub use event::{EVENT_SCHEMA_VERSION, Event, EventKind, RoundResult};
pub use ids::{Seq, entity_id};
pub use phase::MAX_TIMER_SECONDS;
pub use policy_area::PolicyArea;
pub use protocol::PROTOCOL_VERSION;
pub use text::{
    ContributionText, MAX_CONTRIBUTION_CHARS, MAX_NAME_CHARS, MAX_TARGET_CHARS, MAX_TARGETS,
    MAX_TITLE_CHARS, Title, clean,
};
pub use vocabulary::{BallotUnit, ContributionKind, OrganisationKind, Phase, Role};
pub use voting::MAX_DOTS_PER_VOTER;
