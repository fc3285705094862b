//! Roles per process and per roundtable, participant revocation and erasure, the audit log and
//! session upkeep: the SQL behind `http::access`. Who may do what is decided by the core's
//! `authorize`, never here; these queries only say who someone is.

use serde::Serialize;
use sqlx::Row;

use super::{Backend, Result, Storage, StorageError};

/// What Tavoli holds about one participant, for their data download.
#[derive(Debug, Clone, Serialize)]
pub struct ParticipantData {
    pub participant_id: String,
    pub roundtable_id: String,
    pub name: String,
    pub organisation: String,
    pub organisation_kind: String,
    pub consent_at: i64,
    pub consent_notice: String,
    pub joined_at: i64,
    pub revoked_at: Option<i64>,
    pub erased_at: Option<i64>,
}

/// One row of the audit log.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub at: i64,
    pub user_id: Option<String>,
    pub user_email: Option<String>,
    pub process_id: Option<String>,
    pub roundtable_id: Option<String>,
    pub action: String,
    pub detail: serde_json::Value,
}

impl Storage {
    /// `planning_office` or `observer` when the user has a role in the process; the account
    /// that created a process is its planning office.
    pub async fn process_role(&self, user_id: &str, process_id: &str) -> Result<Option<String>> {
        let created: Option<String> =
            sqlx::query_scalar("SELECT id FROM processes WHERE id = $1 AND created_by = $2")
                .bind(process_id)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        if created.is_some() {
            return Ok(Some("planning_office".into()));
        }
        Ok(sqlx::query_scalar(
            "SELECT role FROM process_members WHERE process_id = $1 AND user_id = $2",
        )
        .bind(process_id)
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn is_facilitator(&self, user_id: &str, roundtable_id: &str) -> Result<bool> {
        let row = sqlx::query(
            "SELECT 1 AS one FROM roundtable_facilitators WHERE roundtable_id = $1 AND user_id = $2",
        )
        .bind(roundtable_id)
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    /// Ids of the processes a user has a role in (any role), or facilitates a roundtable of.
    pub async fn process_ids_of_user(&self, user_id: &str) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM processes WHERE created_by = $1 \
             UNION SELECT process_id FROM process_members WHERE user_id = $2 \
             UNION SELECT r.process_id FROM roundtable_facilitators f JOIN roundtables r ON r.id = f.roundtable_id WHERE f.user_id = $3",
        )
        .bind(user_id)
        .bind(user_id)
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Ids of the processes published on the public home page.
    pub async fn listed_process_ids(&self) -> Result<Vec<String>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM processes WHERE listed = 1")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    pub async fn set_process_listed(&self, process_id: &str, listed: bool) -> Result<()> {
        sqlx::query("UPDATE processes SET listed = $1 WHERE id = $2")
            .bind(listed as i64)
            .bind(process_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Gives a user a role in a process (replacing the one they had).
    pub async fn set_process_member(
        &self,
        process_id: &str,
        user_id: &str,
        role: &str,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO process_members (process_id, user_id, role, added_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (process_id, user_id) DO UPDATE SET role = excluded.role",
        )
        .bind(process_id)
        .bind(user_id)
        .bind(role)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn add_facilitator(&self, roundtable_id: &str, user_id: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO roundtable_facilitators (roundtable_id, user_id) VALUES ($1, $2) \
             ON CONFLICT (roundtable_id, user_id) DO NOTHING",
        )
        .bind(roundtable_id)
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn user_by_id(&self, user_id: &str) -> Result<Option<super::UserRecord>> {
        let row =
            sqlx::query("SELECT id, email, name, password_hash, role FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|row| super::UserRecord {
            id: row.get("id"),
            email: row.get("email"),
            name: row.get("name"),
            password_hash: row.get("password_hash"),
            role: row.get("role"),
        }))
    }

    /// Revokes a participant of this roundtable; `false` if there is no such participant.
    pub async fn revoke_participant(
        &self,
        roundtable_id: &str,
        participant_id: &str,
        now: i64,
    ) -> Result<bool> {
        let exists = self.participant_data(participant_id).await?;
        if exists.is_none_or(|p| p.roundtable_id != roundtable_id) {
            return Ok(false);
        }
        sqlx::query("UPDATE participants SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(participant_id)
            .execute(&self.pool)
            .await?;
        Ok(true)
    }

    pub async fn participant_data(&self, participant_id: &str) -> Result<Option<ParticipantData>> {
        let row = sqlx::query(
            "SELECT p.id, p.roundtable_id, p.name, p.consent_at, p.consent_notice, p.created_at, p.revoked_at, p.erased_at, \
             o.name AS organisation, o.kind AS organisation_kind \
             FROM participants p JOIN organisations o ON o.id = p.organisation_id WHERE p.id = $1",
        )
        .bind(participant_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| ParticipantData {
            participant_id: row.get("id"),
            roundtable_id: row.get("roundtable_id"),
            name: row.get("name"),
            organisation: row.get("organisation"),
            organisation_kind: row.get("organisation_kind"),
            consent_at: row.get("consent_at"),
            consent_notice: row.get("consent_notice"),
            joined_at: row.get("created_at"),
            revoked_at: row.get("revoked_at"),
            erased_at: row.get("erased_at"),
        }))
    }

    /// Records which privacy notice a participant accepted (consent_at is set at join).
    pub async fn set_consent_notice(&self, participant_id: &str, version: &str) -> Result<()> {
        sqlx::query("UPDATE participants SET consent_notice = $1 WHERE id = $2")
            .bind(version)
            .bind(participant_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Erases a participant: the name is blanked and the token can never match again. Their
    /// cards stay in the log, which never held the name. Then the old bytes are scrubbed:
    /// SQLite zeroes freed space (`secure_delete`) and the WAL, which still holds the page as
    /// it was, is checkpointed and truncated. `false` if there is no such participant.
    pub async fn erase_participant(
        &self,
        roundtable_id: &str,
        participant_id: &str,
        now: i64,
    ) -> Result<bool> {
        let exists = self.participant_data(participant_id).await?;
        if exists.is_none_or(|p| p.roundtable_id != roundtable_id) {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE participants SET name = '', token_hash = $1, erased_at = $2, \
             revoked_at = COALESCE(revoked_at, $3) WHERE id = $4",
        )
        .bind(format!("erased:{participant_id}"))
        .bind(now)
        .bind(now)
        .bind(participant_id)
        .execute(&self.pool)
        .await?;
        self.scrub().await?;
        Ok(true)
    }

    /// Makes deleted data unrecoverable from the database files as far as the engine allows.
    pub async fn scrub(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => {
                // Readers may hold the WAL for a moment: retry until it is fully checkpointed.
                for _ in 0..50 {
                    let row = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                        .fetch_one(&self.pool)
                        .await?;
                    let busy: i64 = row.try_get(0).unwrap_or(1);
                    if busy == 0 {
                        return Ok(());
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                Err(StorageError::Unsupported(
                    "the WAL could not be checkpointed after an erasure".into(),
                ))
            }
            Backend::Postgres => {
                // Dead row versions are reclaimed by VACUUM (which cannot run in a transaction,
                // hence the simple-protocol raw_sql).
                sqlx::raw_sql("VACUUM participants")
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }
        }
    }

    pub async fn record_audit(&self, entry: &AuditEntry) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit_log (id, at, user_id, process_id, roundtable_id, action, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(entry.at)
        .bind(&entry.user_id)
        .bind(&entry.process_id)
        .bind(&entry.roundtable_id)
        .bind(&entry.action)
        .bind(entry.detail.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The audit log of a process, oldest first.
    pub async fn audit_of(&self, process_id: &str, limit: i64) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT a.at, a.user_id, u.email AS user_email, a.process_id, a.roundtable_id, a.action, a.detail \
             FROM audit_log a LEFT JOIN users u ON u.id = a.user_id WHERE a.process_id = $1 ORDER BY a.at, a.id LIMIT $2",
        )
        .bind(process_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|row| AuditEntry {
                at: row.get("at"),
                user_id: row.get("user_id"),
                user_email: row.get("user_email"),
                process_id: row.get("process_id"),
                roundtable_id: row.get("roundtable_id"),
                action: row.get("action"),
                detail: serde_json::from_str(row.get::<&str, _>("detail")).unwrap_or_default(),
            })
            .collect())
    }

    /// Forgets sessions that have expired (called at each sign-in).
    pub async fn purge_expired_sessions(&self, now: i64) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Moves a session's expiry (tests use it to age a session).
    pub async fn set_session_expiry(&self, token_hash: &str, expires_at: i64) -> Result<()> {
        sqlx::query("UPDATE sessions SET expires_at = $1 WHERE token_hash = $2")
            .bind(expires_at)
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
