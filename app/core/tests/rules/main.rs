//! The rules of the domain, one module per command family, written given/when/then: given a
//! history of commands, when an actor sends a command, then these events or this error.
//! All modules build into one test binary.

mod support;

mod board;
mod clusters;
mod contributions;
mod meetings;
mod phases;
mod voting;
mod wire;
