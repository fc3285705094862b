//! The websocket protocol: what the server sends besides events (which go out as `Event` JSON,
//! as they are), what a client may send, and the one parser that turns a client's text frame
//! into a command or a clear error in the user's language.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::board::BallotDot;
use crate::command::{Command, CommandEnvelope};
use crate::error::{DomainError, Lang};
use crate::event::RoundResult;
use crate::ids::Seq;

/// Bumped on any incompatible change of messages; documented in docs/PROTOCOL.md.
pub const PROTOCOL_VERSION: u32 = 1;

/// Largest text frame a client may send; a card at the maximum length in any script fits.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;
/// The cookie of a staff session (docs/PROTOCOL.md, Credentials). The server sets it; the page
/// shell reads its presence to pick the browser bundle.
pub const STAFF_SESSION_COOKIE: &str = "tavoli_session";

/// Messages the server sends over the websocket, besides events.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// The command was stored; `seq` is the last event it produced.
    Ack {
        command_id: Uuid,
        seq: Seq,
    },
    Error {
        #[serde(default)]
        command_id: Option<Uuid>,
        error: ErrorBody,
    },
    /// Who is online now (ephemeral, never in the log).
    Presence {
        online: Vec<String>,
        count: u32,
    },
    /// Live count of a round; `results` is none while a `hide_results` round is open.
    Tally {
        round: u32,
        voters: u32,
        #[serde(default)]
        results: Option<Vec<RoundResult>>,
    },
    /// The recipient's own ballot in an open round: in a secret round no event names the voter,
    /// so this is how a reloaded page learns which dots are its own.
    YourBallot {
        round: u32,
        dots: Vec<BallotDot>,
        dots_left: u32,
    },
    /// First message on a connection.
    Welcome {
        protocol: u32,
        roundtable_id: String,
        seq: Seq,
    },
    Pong {},
}

/// The body of every error, over HTTP (`{"error": ErrorBody}`) and the websocket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}

impl ErrorBody {
    pub fn from_domain(error: &DomainError, lang: Lang) -> ErrorBody {
        ErrorBody {
            code: error.code().to_owned(),
            message: error.message(lang),
        }
    }

    fn new(code: &str, lang: Lang, italian: String, english: String) -> ErrorBody {
        ErrorBody {
            code: code.to_owned(),
            message: match lang {
                Lang::It => italian,
                Lang::En => english,
            },
        }
    }
}

/// What a client sends: a command envelope, or `{"type":"ping"}`.
#[derive(Clone, Debug, PartialEq)]
pub enum ClientMessage {
    Command(CommandEnvelope),
    Ping,
}

/// Parses a client's text frame. Error codes: `message_too_large` (over [`MAX_FRAME_BYTES`]),
/// `malformed_message` (not a JSON object with a string `type`), `unknown_type`,
/// `invalid_field` (a command with a missing or wrong field), `not_allowed` (a server-only
/// command such as `join`).
pub fn parse_client_message(text: &str, lang: Lang) -> Result<ClientMessage, ErrorBody> {
    if text.len() > MAX_FRAME_BYTES {
        return Err(ErrorBody::new(
            "message_too_large",
            lang,
            format!("Il messaggio è troppo grande: al massimo {MAX_FRAME_BYTES} byte."),
            format!("The message is too large: at most {MAX_FRAME_BYTES} bytes."),
        ));
    }
    let value: serde_json::Value = serde_json::from_str(text).map_err(|_| malformed(lang))?;
    let Some(message_type) = value.get("type").and_then(serde_json::Value::as_str) else {
        return Err(malformed(lang));
    };
    if message_type == "ping" {
        return Ok(ClientMessage::Ping);
    }
    if !Command::TYPE_NAMES.contains(&message_type) {
        return Err(ErrorBody::new(
            "unknown_type",
            lang,
            format!(
                "Tipo di messaggio sconosciuto: «{}».",
                shorten(message_type)
            ),
            format!("Unknown message type: \"{}\".", shorten(message_type)),
        ));
    }
    let envelope: CommandEnvelope = serde_json::from_value(value).map_err(|error| {
        let detail = error.to_string();
        ErrorBody::new(
            "invalid_field",
            lang,
            format!("Un campo del comando manca o non è valido ({detail})."),
            format!("A field of the command is missing or invalid ({detail})."),
        )
    })?;
    if envelope.command.is_server_only() {
        return Err(ErrorBody::from_domain(&DomainError::NotAllowed, lang));
    }
    Ok(ClientMessage::Command(envelope))
}

/// [`parse_client_message`] for transports that carry only commands (`POST .../commands`):
/// a ping there is an unknown type.
pub fn parse_command(text: &str, lang: Lang) -> Result<CommandEnvelope, ErrorBody> {
    match parse_client_message(text, lang)? {
        ClientMessage::Command(envelope) => Ok(envelope),
        ClientMessage::Ping => Err(ErrorBody::new(
            "unknown_type",
            lang,
            "Tipo di comando sconosciuto: «ping».".into(),
            "Unknown command type: \"ping\".".into(),
        )),
    }
}

fn malformed(lang: Lang) -> ErrorBody {
    ErrorBody::new(
        "malformed_message",
        lang,
        "Messaggio non valido: serve un oggetto JSON con un campo \"type\".".into(),
        "Malformed message: a JSON object with a \"type\" field is expected.".into(),
    )
}

/// Echoing a client's text back is fine, a megabyte of it is not.
fn shorten(text: &str) -> String {
    text.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "6f1c2d3e-0000-4000-8000-000000000001";

    #[test]
    fn a_ping_is_a_ping() {
        assert_eq!(
            parse_client_message(r#"{"type":"ping"}"#, Lang::It),
            Ok(ClientMessage::Ping)
        );
    }

    #[test]
    fn a_command_is_parsed_into_its_envelope() {
        let text = format!(
            r#"{{"type":"add_contribution","command_id":"{ID}","kind":"need","text":"x"}}"#
        );
        let Ok(ClientMessage::Command(envelope)) = parse_client_message(&text, Lang::It) else {
            panic!("not a command");
        };
        assert_eq!(envelope.command.type_name(), "add_contribution");
    }

    #[test]
    fn bad_input_gets_a_code_and_a_message_in_the_users_language() {
        let cases = [
            ("not json", "malformed_message", "malformed JSON"),
            ("[1,2]", "malformed_message", "not an object"),
            (r#"{"kind":"need"}"#, "malformed_message", "no type"),
            (r#"{"type":7}"#, "malformed_message", "type not a string"),
            (r#"{"type":"dance"}"#, "unknown_type", "unknown type"),
            (
                r#"{"type":"add_contribution","kind":"need","text":"x"}"#,
                "invalid_field",
                "no command_id",
            ),
            (
                r#"{"type":"add_contribution","command_id":"6f1c2d3e-0000-4000-8000-000000000001","kind":"wish","text":"x"}"#,
                "invalid_field",
                "unknown kind",
            ),
            (
                r#"{"type":"cast_vote","command_id":"6f1c2d3e-0000-4000-8000-000000000001","round":"one","contribution_id":"c"}"#,
                "invalid_field",
                "round not a number",
            ),
            (
                r#"{"type":"join","command_id":"6f1c2d3e-0000-4000-8000-000000000001","organisation":"X","organisation_kind":"aps"}"#,
                "not_allowed",
                "join is server only",
            ),
        ];
        for (text, code, why) in cases {
            let italian = parse_client_message(text, Lang::It).unwrap_err();
            let english = parse_client_message(text, Lang::En).unwrap_err();
            assert_eq!(italian.code, code, "{why}");
            assert_eq!(english.code, code, "{why}");
            assert_ne!(italian.message, english.message, "{why}");
        }
    }

    #[test]
    fn an_oversized_frame_is_refused_before_parsing() {
        let text = format!(
            r#"{{"type":"ping","pad":"{}"}}"#,
            "a".repeat(MAX_FRAME_BYTES)
        );
        assert_eq!(
            parse_client_message(&text, Lang::En).unwrap_err().code,
            "message_too_large"
        );
    }

    #[test]
    fn a_card_at_the_maximum_length_fits_in_a_frame() {
        // Four bytes per character is the worst case of UTF-8.
        let text = "😀".repeat(crate::MAX_CONTRIBUTION_CHARS);
        let frame = serde_json::json!({"type":"add_contribution","command_id":ID,"kind":"need","text":text});
        assert!(frame.to_string().len() <= MAX_FRAME_BYTES);
    }

    #[test]
    fn server_messages_have_a_type_and_only_ack_has_a_seq() {
        let ack = serde_json::to_value(ServerMessage::Ack {
            command_id: Uuid::from_u128(1),
            seq: 4,
        })
        .unwrap();
        assert_eq!(ack["type"], "ack");
        assert_eq!(ack["seq"], 4);
        let error = serde_json::to_value(ServerMessage::Error {
            command_id: None,
            error: ErrorBody::from_domain(&DomainError::VotingClosed, Lang::En),
        })
        .unwrap();
        assert_eq!(error["type"], "error");
        assert_eq!(error["error"]["code"], "voting_closed");
        let pong = serde_json::to_value(ServerMessage::Pong {}).unwrap();
        assert_eq!(pong, serde_json::json!({"type": "pong"}));
        let tally = serde_json::to_value(ServerMessage::Tally {
            round: 1,
            voters: 3,
            results: None,
        })
        .unwrap();
        assert!(tally.get("seq").is_none());
    }
}
