//! What the Documento di proposta partecipata reads beyond the boards (facilitators, when
//! phases changed, the last activity) and its validations (migration 0003).

use sqlx::Row;

use super::{Result, Storage, StorageError};

/// One validation of a process's document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ValidationRecord {
    pub version: i64,
    pub validator_name: String,
    pub validator_role: String,
    pub note: String,
    pub validated_at: i64,
}

/// A validation about to be recorded; its version is the next one of the process.
#[derive(Debug, Clone)]
pub struct NewValidation {
    pub process_id: String,
    pub validator_name: String,
    pub validator_role: String,
    pub note: String,
    pub recorded_by: Option<String>,
}

/// An event of a roundtable's log, as the document needs it: when, and the stored JSON.
#[derive(Debug, Clone)]
pub struct TimedEvent {
    pub at: i64,
    pub body: String,
}

impl Storage {
    pub async fn facilitators_of(&self, process_id: &str) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT f.roundtable_id, u.name FROM roundtable_facilitators f \
             JOIN roundtables r ON r.id = f.roundtable_id JOIN users u ON u.id = f.user_id \
             WHERE r.process_id = $1 ORDER BY r.position, u.name, u.id",
        )
        .bind(process_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|row| (row.get("roundtable_id"), row.get("name")))
            .collect())
    }

    pub async fn phase_events(&self, roundtable_id: &str) -> Result<Vec<TimedEvent>> {
        let rows = sqlx::query(
            "SELECT at, body FROM events WHERE roundtable_id = $1 AND type = 'phase_set' ORDER BY seq",
        )
        .bind(roundtable_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|row| TimedEvent {
                at: row.get("at"),
                body: row.get("body"),
            })
            .collect())
    }

    pub async fn activity_span(&self, roundtable_id: &str) -> Result<Option<(i64, i64)>> {
        let row = sqlx::query(
            "SELECT MIN(at) AS first_at, MAX(at) AS last_at FROM events WHERE roundtable_id = $1",
        )
        .bind(roundtable_id)
        .fetch_one(&self.pool)
        .await?;
        let first: Option<i64> = row.get("first_at");
        let last: Option<i64> = row.get("last_at");
        Ok(first.zip(last))
    }

    pub async fn validations_of(&self, process_id: &str) -> Result<Vec<ValidationRecord>> {
        let rows = sqlx::query(
            "SELECT version, validator_name, validator_role, note, validated_at \
             FROM document_validations WHERE process_id = $1 ORDER BY version",
        )
        .bind(process_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|row| ValidationRecord {
                version: row.get("version"),
                validator_name: row.get("validator_name"),
                validator_role: row.get("validator_role"),
                note: row.get("note"),
                validated_at: row.get("validated_at"),
            })
            .collect())
    }

    pub async fn record_validation(
        &self,
        new: &NewValidation,
        now: i64,
    ) -> Result<ValidationRecord> {
        // The next version is computed in the INSERT itself; the primary key turns a race
        // between two recorders into a conflict instead of two validations of one version.
        let result = sqlx::query(
            "INSERT INTO document_validations (process_id, version, validator_name, validator_role, note, validated_at, recorded_by) \
             VALUES ($1, (SELECT COALESCE(MAX(version), 0) + 1 FROM document_validations WHERE process_id = $2), $3, $4, $5, $6, $7) \
             RETURNING version",
        )
        .bind(&new.process_id)
        .bind(&new.process_id)
        .bind(&new.validator_name)
        .bind(&new.validator_role)
        .bind(&new.note)
        .bind(now)
        .bind(&new.recorded_by)
        .fetch_one(&self.pool)
        .await;
        match result {
            Ok(row) => Ok(ValidationRecord {
                version: row.get("version"),
                validator_name: new.validator_name.clone(),
                validator_role: new.validator_role.clone(),
                note: new.note.clone(),
                validated_at: now,
            }),
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                Err(StorageError::Conflict("validation"))
            }
            Err(e) => Err(e.into()),
        }
    }
}
