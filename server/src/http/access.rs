//! Who the caller is to the thing they act on (their `Standing`), and the one door every
//! route, server function and websocket command goes through: the core's `authorize`.
//! Authentication (which token, which account) happens here; the decision never does.

use axum::http::StatusCode;
use tavoli_core::{Action, Actor, DomainError, Lang, Refusal, Standing, authorize};

use super::{
    error::ApiError,
    session::{Credentials, SESSION_COOKIE, participant_cookie},
};
use crate::{
    auth::token_hash,
    clock::now_ms,
    state::AppState,
    storage::{ParticipantRecord, RoundtableRecord, UserRecord},
};

/// An authorized caller: their standing, the actor they speak as, and the token they used
/// (so a websocket can check it is still valid later).
#[derive(Debug, Clone)]
pub struct Access {
    pub standing: Standing,
    pub actor: Actor,
    pub token_hash: Option<String>,
    pub user: Option<UserRecord>,
    pub participant: Option<ParticipantRecord>,
}

/// A token's owner, before any roundtable or process is considered.
#[derive(Debug, Clone)]
pub enum Holder {
    Staff(UserRecord),
    Participant(ParticipantRecord),
}

/// The refusal as an API error. A role refused a *command* answers `not_allowed`, the code
/// of the command table (docs/PROTOCOL.md); every other refusal keeps its own code.
pub fn refusal_error(refusal: Refusal, command: bool) -> ApiError {
    if command && refusal == Refusal::Forbidden {
        let error = DomainError::NotAllowed;
        return ApiError::refused(
            StatusCode::FORBIDDEN,
            error.code(),
            error.message(Lang::It),
            error.message(Lang::En),
        );
    }
    let status = if refusal.is_unauthenticated() {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::FORBIDDEN
    };
    ApiError::refused(
        status,
        refusal.code(),
        refusal.message(Lang::It),
        refusal.message(Lang::En),
    )
}

async fn holder(state: &AppState, token: &str) -> Result<Option<(Holder, String)>, ApiError> {
    let hash = token_hash(token);
    if let Some(user) = state.storage.session_user(&hash, now_ms()).await? {
        return Ok(Some((Holder::Staff(user), hash)));
    }
    Ok(state
        .storage
        .participant_by_token(&hash)
        .await?
        .map(|p| (Holder::Participant(p), hash)))
}

/// The tokens a request offers, most specific first: a Bearer token alone, or the
/// participant cookie(s) then the staff session cookie.
fn candidates<'c>(credentials: &'c Credentials, participant_cookies: &[String]) -> Vec<&'c str> {
    if let Some(bearer) = credentials.bearer.as_deref() {
        return vec![bearer];
    }
    let mut tokens = Vec::new();
    for (name, value) in &credentials.cookies {
        if participant_cookies.iter().any(|cookie| cookie == name) {
            tokens.push(value.as_str());
        }
    }
    for (name, value) in &credentials.cookies {
        if name == SESSION_COOKIE {
            tokens.push(value.as_str());
        }
    }
    tokens
}

/// Which standing wins when a request offers several tokens: a role beats a revoked token,
/// which beats being an outsider, which beats nobody.
fn rank(standing: Standing) -> u8 {
    match standing {
        Standing::Nobody => 0,
        Standing::Outsider => 1,
        Standing::Revoked => 2,
        _ => 3,
    }
}

/// A caller resolved against one roundtable or process, not yet authorized for anything.
#[derive(Debug, Clone)]
pub struct Found {
    pub standing: Standing,
    hash: Option<String>,
    holder: Option<Holder>,
}

impl Found {
    /// The one check: the core's `authorize` for this standing and action.
    pub fn grant(&self, action: Action<'_>) -> Result<Access, ApiError> {
        let role = authorize(self.standing, action)
            .map_err(|refusal| refusal_error(refusal, matches!(action, Action::Command(_))))?;
        Ok(access(
            self.standing,
            role,
            self.hash.clone(),
            self.holder.clone(),
        ))
    }
}

async fn best<F, Fut>(
    state: &AppState,
    tokens: Vec<&str>,
    mut standing_of: F,
) -> Result<Found, ApiError>
where
    F: FnMut(Holder) -> Fut,
    Fut: std::future::Future<Output = Result<Standing, ApiError>>,
{
    let mut found = Found {
        standing: Standing::Nobody,
        hash: None,
        holder: None,
    };
    for token in tokens {
        if let Some((holder, hash)) = self::holder(state, token).await? {
            let standing = standing_of(holder.clone()).await?;
            if rank(standing) > rank(found.standing) {
                found = Found {
                    standing,
                    hash: Some(hash),
                    holder: Some(holder),
                };
                if rank(standing) == 3 {
                    break;
                }
            }
        }
    }
    Ok(found)
}

async fn staff_at_process(
    state: &AppState,
    user: &UserRecord,
    process_id: &str,
) -> Result<Option<Standing>, ApiError> {
    Ok(
        match state
            .storage
            .process_role(&user.id, process_id)
            .await?
            .as_deref()
        {
            Some("planning_office") => Some(Standing::PlanningOffice),
            Some("observer") => Some(Standing::Observer),
            _ => None,
        },
    )
}

/// The caller's standing at a roundtable.
pub async fn standing_at_roundtable(
    state: &AppState,
    credentials: &Credentials,
    roundtable: &RoundtableRecord,
) -> Result<Found, ApiError> {
    let cookies = [participant_cookie(&roundtable.id)];
    best(
        state,
        candidates(credentials, &cookies),
        |holder| async move {
            Ok(match holder {
                Holder::Participant(p) if p.roundtable_id == roundtable.id => {
                    if p.revoked {
                        Standing::Revoked
                    } else {
                        Standing::Participant
                    }
                }
                Holder::Participant(_) => Standing::Outsider,
                Holder::Staff(user) => {
                    let process = staff_at_process(state, &user, &roundtable.process_id).await?;
                    if process == Some(Standing::PlanningOffice) {
                        Standing::PlanningOffice
                    } else if state
                        .storage
                        .is_facilitator(&user.id, &roundtable.id)
                        .await?
                    {
                        Standing::Facilitator
                    } else {
                        process.unwrap_or(Standing::Outsider)
                    }
                }
            })
        },
    )
    .await
}

fn access(
    standing: Standing,
    role: Option<tavoli_core::Role>,
    hash: Option<String>,
    holder: Option<Holder>,
) -> Access {
    let (user, participant) = match holder {
        Some(Holder::Staff(user)) => (Some(user), None),
        Some(Holder::Participant(p)) => (None, Some(p)),
        None => (None, None),
    };
    Access {
        standing,
        actor: Actor {
            // Callers without a role act as observers: they can send nothing.
            role: role.unwrap_or(tavoli_core::Role::Observer),
            participant_id: participant.as_ref().map(|p| p.id.clone()),
            user_id: user.as_ref().map(|u| u.id.clone()),
        },
        token_hash: hash,
        user,
        participant,
    }
}

/// Authorizes `action` at a roundtable.
pub async fn at_roundtable(
    state: &AppState,
    credentials: &Credentials,
    roundtable: &RoundtableRecord,
    action: Action<'_>,
) -> Result<Access, ApiError> {
    standing_at_roundtable(state, credentials, roundtable)
        .await?
        .grant(action)
}

/// The caller's standing in a process: its planning office or observer, a facilitator of
/// one of its roundtables, or a participant of one of them.
pub async fn standing_in_process(
    state: &AppState,
    credentials: &Credentials,
    process_id: &str,
) -> Result<Found, ApiError> {
    let roundtables = state.storage.roundtables_of(process_id).await?;
    let cookies: Vec<String> = roundtables
        .iter()
        .map(|r| participant_cookie(&r.id))
        .collect();
    let roundtables = &roundtables;
    best(
        state,
        candidates(credentials, &cookies),
        |holder| async move {
            Ok(match holder {
                Holder::Participant(p) if roundtables.iter().any(|r| r.id == p.roundtable_id) => {
                    if p.revoked {
                        Standing::Revoked
                    } else {
                        Standing::Participant
                    }
                }
                Holder::Participant(_) => Standing::Outsider,
                Holder::Staff(user) => match staff_at_process(state, &user, process_id).await? {
                    Some(standing) => standing,
                    None => {
                        let mut standing = Standing::Outsider;
                        for roundtable in roundtables {
                            if state
                                .storage
                                .is_facilitator(&user.id, &roundtable.id)
                                .await?
                            {
                                standing = Standing::Facilitator;
                                break;
                            }
                        }
                        standing
                    }
                },
            })
        },
    )
    .await
}

/// Authorizes `action` on a whole process.
pub async fn at_process(
    state: &AppState,
    credentials: &Credentials,
    process_id: &str,
    action: Action<'_>,
) -> Result<Access, ApiError> {
    standing_in_process(state, credentials, process_id)
        .await?
        .grant(action)
}

/// Authorizes an account-level action (create a process, a staff account, list processes):
/// a planning-office account stands as the planning office, anyone else signed in as an
/// outsider.
pub async fn at_account(
    state: &AppState,
    credentials: &Credentials,
    action: Action<'_>,
) -> Result<Access, ApiError> {
    let found = best(state, candidates(credentials, &[]), |holder| async move {
        Ok(match holder {
            Holder::Staff(user) if user.role == "planning_office" => Standing::PlanningOffice,
            _ => Standing::Outsider,
        })
    })
    .await?;
    found.grant(action)
}

/// Whether a token is still good: a session not expired, a participant not revoked. Live
/// connections ask this at every heartbeat, so a revocation or sign-out on any instance
/// closes them within one heartbeat.
pub async fn token_still_valid(state: &AppState, token_hash: &str) -> Result<bool, ApiError> {
    if state
        .storage
        .session_user(token_hash, now_ms())
        .await?
        .is_some()
    {
        return Ok(true);
    }
    Ok(state
        .storage
        .participant_by_token(token_hash)
        .await?
        .is_some_and(|p| !p.revoked))
}

/// Records a staff action in the audit log. A failure is logged, never shown: the action
/// itself already happened.
pub async fn audit(
    state: &AppState,
    access: &Access,
    process_id: Option<&str>,
    roundtable_id: Option<&str>,
    action: &str,
    detail: serde_json::Value,
) {
    let Some(user) = &access.user else { return };
    let entry = crate::storage::AuditEntry {
        at: now_ms(),
        user_id: Some(user.id.clone()),
        user_email: None,
        process_id: process_id.map(str::to_owned),
        roundtable_id: roundtable_id.map(str::to_owned),
        action: action.to_string(),
        detail,
    };
    if let Err(error) = state.storage.record_audit(&entry).await {
        tracing::error!(%error, action, "could not write the audit log");
    }
}
