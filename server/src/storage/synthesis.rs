//! Storage of the planning office's synthesis: themes, sheets, their links to contributions,
//! sheet history and decisions on suggestions. Which contributions may be linked is decided
//! before (`tavoli_core::synthesis`); this file only stores, in one transaction per change.

use sqlx::{Any, Row, Transaction, any::AnyRow};

use super::{Backend, Result, Storage};

/// A link to a contribution or cluster, with the roundtable it lives in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub target_id: String,
    pub roundtable_id: String,
}

#[derive(Debug, Clone)]
pub struct ThemeRecord {
    pub id: String,
    pub process_id: String,
    pub title: String,
    pub description: String,
    pub contribution_ids: Vec<String>,
    pub cluster_ids: Vec<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewTheme {
    pub process_id: String,
    pub title: String,
    pub description: String,
    pub contributions: Vec<Link>,
    pub clusters: Vec<Link>,
    pub created_by: Option<String>,
    /// Pairs of a suggestion accepted by creating this theme ("a|b"), recorded with it.
    pub accepted_pairs: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ThemeUpdate {
    pub theme_id: String,
    pub expected_version: i64,
    pub title: String,
    pub description: String,
    pub contributions: Vec<Link>,
    pub clusters: Vec<Link>,
}

#[derive(Debug, Clone)]
pub struct SheetRecord {
    pub id: String,
    pub process_id: String,
    pub title: String,
    /// The fields as stored: a JSON object.
    pub fields: String,
    pub contribution_ids: Vec<String>,
    pub source_contribution_id: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewSheet {
    pub process_id: String,
    pub title: String,
    pub fields: String,
    pub contributions: Vec<Link>,
    pub source_contribution_id: Option<String>,
    pub created_by: Option<String>,
    pub by_name: String,
    /// The first history entry: every field as it was created (JSON array).
    pub changes: String,
}

/// An edit of a sheet made on `expected_version`; stored as `expected_version + 1`.
#[derive(Debug, Clone)]
pub struct SheetUpdate {
    pub sheet_id: String,
    pub expected_version: i64,
    pub title: String,
    pub fields: String,
    /// `None` leaves the links alone.
    pub contributions: Option<Vec<Link>>,
    pub changed_by: Option<String>,
    pub by_name: String,
    pub changes: String,
}

#[derive(Debug, Clone)]
pub struct SheetHistoryRecord {
    pub version: i64,
    pub changed_by: Option<String>,
    pub by_name: String,
    pub at: i64,
    /// JSON array of `{field, before, after}`.
    pub changes: String,
}

fn ids(text: Option<String>) -> Vec<String> {
    // GROUP_CONCAT with a separator no id contains; ids are UUIDs or the like.
    text.map(|joined| {
        joined
            .split(',')
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
            .collect()
    })
    .unwrap_or_default()
}

fn theme(row: &AnyRow) -> ThemeRecord {
    ThemeRecord {
        id: row.get("id"),
        process_id: row.get("process_id"),
        title: row.get("title"),
        description: row.get("description"),
        contribution_ids: ids(row.get("contribution_ids")),
        cluster_ids: ids(row.get("cluster_ids")),
        version: row.get("version"),
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
    }
}

fn sheet(row: &AnyRow) -> SheetRecord {
    SheetRecord {
        id: row.get("id"),
        process_id: row.get("process_id"),
        title: row.get("title"),
        fields: row.get("fields"),
        contribution_ids: ids(row.get("contribution_ids")),
        source_contribution_id: row.get("source_contribution_id"),
        version: row.get("version"),
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
    }
}

/// Themes with their links, in their stored order. SQLite keeps the order of an ordered
/// subquery in GROUP_CONCAT; PostgreSQL says it with `string_agg(... ORDER BY ...)`.
fn theme_select(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "SELECT t.*, \
             (SELECT GROUP_CONCAT(target_id, ',') FROM (SELECT target_id FROM theme_links l WHERE l.theme_id = t.id AND l.target_kind = 'contribution' ORDER BY position)) AS contribution_ids, \
             (SELECT GROUP_CONCAT(target_id, ',') FROM (SELECT target_id FROM theme_links l WHERE l.theme_id = t.id AND l.target_kind = 'cluster' ORDER BY position)) AS cluster_ids \
             FROM themes t"
        }
        Backend::Postgres => {
            "SELECT t.*, \
             (SELECT string_agg(target_id, ',' ORDER BY position) FROM theme_links l WHERE l.theme_id = t.id AND l.target_kind = 'contribution') AS contribution_ids, \
             (SELECT string_agg(target_id, ',' ORDER BY position) FROM theme_links l WHERE l.theme_id = t.id AND l.target_kind = 'cluster') AS cluster_ids \
             FROM themes t"
        }
    }
}

fn sheet_select(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "SELECT s.*, \
             (SELECT GROUP_CONCAT(contribution_id, ',') FROM (SELECT contribution_id FROM sheet_links l WHERE l.sheet_id = s.id ORDER BY position)) AS contribution_ids \
             FROM sheets s"
        }
        Backend::Postgres => {
            "SELECT s.*, \
             (SELECT string_agg(contribution_id, ',' ORDER BY position) FROM sheet_links l WHERE l.sheet_id = s.id) AS contribution_ids \
             FROM sheets s"
        }
    }
}

async fn insert_theme_links(
    tx: &mut Transaction<'_, Any>,
    theme_id: &str,
    contributions: &[Link],
    clusters: &[Link],
) -> Result<()> {
    sqlx::query("DELETE FROM theme_links WHERE theme_id = $1")
        .bind(theme_id)
        .execute(&mut **tx)
        .await?;
    for (kind, links) in [("contribution", contributions), ("cluster", clusters)] {
        for (position, link) in links.iter().enumerate() {
            sqlx::query("INSERT INTO theme_links (theme_id, target_kind, target_id, roundtable_id, position) VALUES ($1, $2, $3, $4, $5)")
                .bind(theme_id)
                .bind(kind)
                .bind(&link.target_id)
                .bind(&link.roundtable_id)
                .bind(position as i64)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

async fn insert_sheet_links(
    tx: &mut Transaction<'_, Any>,
    sheet_id: &str,
    contributions: &[Link],
) -> Result<()> {
    sqlx::query("DELETE FROM sheet_links WHERE sheet_id = $1")
        .bind(sheet_id)
        .execute(&mut **tx)
        .await?;
    for (position, link) in contributions.iter().enumerate() {
        sqlx::query("INSERT INTO sheet_links (sheet_id, contribution_id, roundtable_id, position) VALUES ($1, $2, $3, $4)")
            .bind(sheet_id)
            .bind(&link.target_id)
            .bind(&link.roundtable_id)
            .bind(position as i64)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

impl Storage {
    pub async fn create_theme(&self, new: &NewTheme, now: i64) -> Result<String> {
        let id = uuid::Uuid::new_v4().to_string();
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO themes (id, process_id, title, description, version, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $6, $7)")
            .bind(&id)
            .bind(&new.process_id)
            .bind(&new.title)
            .bind(&new.description)
            .bind(&new.created_by)
            .bind(now)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        insert_theme_links(&mut tx, &id, &new.contributions, &new.clusters).await?;
        for pair_key in &new.accepted_pairs {
            sqlx::query(
                "INSERT INTO suggestion_decisions (process_id, pair_key, decision, theme_id, decided_by, at) VALUES ($1, $2, 'accepted', $3, $4, $5) \
                 ON CONFLICT (process_id, pair_key) DO UPDATE SET decision = 'accepted', theme_id = excluded.theme_id, decided_by = excluded.decided_by, at = excluded.at",
            )
            .bind(&new.process_id)
            .bind(pair_key)
            .bind(&id)
            .bind(&new.created_by)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    pub async fn themes_of(&self, process_id: &str) -> Result<Vec<ThemeRecord>> {
        let rows = sqlx::query(&format!(
            "{} WHERE t.process_id = $1 ORDER BY t.created_at, t.id",
            theme_select(self.backend)
        ))
        .bind(process_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(theme).collect())
    }

    pub async fn theme(&self, theme_id: &str) -> Result<Option<ThemeRecord>> {
        let row = sqlx::query(&format!("{} WHERE t.id = $1", theme_select(self.backend)))
            .bind(theme_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(theme))
    }

    pub async fn update_theme(&self, update: &ThemeUpdate, now: i64) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        // Compare-and-set on the version: a concurrent edit makes this touch no row.
        let updated = sqlx::query("UPDATE themes SET title = $1, description = $2, version = version + 1, updated_at = $3 WHERE id = $4 AND version = $5")
            .bind(&update.title)
            .bind(&update.description)
            .bind(now)
            .bind(&update.theme_id)
            .bind(update.expected_version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if updated == 0 {
            return Ok(false);
        }
        insert_theme_links(
            &mut tx,
            &update.theme_id,
            &update.contributions,
            &update.clusters,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn delete_theme(&self, theme_id: &str) -> Result<()> {
        sqlx::query("DELETE FROM themes WHERE id = $1")
            .bind(theme_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn create_sheet(&self, new: &NewSheet, now: i64) -> Result<String> {
        let id = uuid::Uuid::new_v4().to_string();
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO sheets (id, process_id, title, fields, source_contribution_id, version, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8)")
            .bind(&id)
            .bind(&new.process_id)
            .bind(&new.title)
            .bind(&new.fields)
            .bind(&new.source_contribution_id)
            .bind(&new.created_by)
            .bind(now)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        insert_sheet_links(&mut tx, &id, &new.contributions).await?;
        sqlx::query("INSERT INTO sheet_history (sheet_id, version, changed_by, by_name, at, changes) VALUES ($1, 1, $2, $3, $4, $5)")
            .bind(&id)
            .bind(&new.created_by)
            .bind(&new.by_name)
            .bind(now)
            .bind(&new.changes)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn sheets_of(&self, process_id: &str) -> Result<Vec<SheetRecord>> {
        let rows = sqlx::query(&format!(
            "{} WHERE s.process_id = $1 ORDER BY s.created_at, s.id",
            sheet_select(self.backend)
        ))
        .bind(process_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(sheet).collect())
    }

    pub async fn sheet(&self, sheet_id: &str) -> Result<Option<SheetRecord>> {
        let row = sqlx::query(&format!("{} WHERE s.id = $1", sheet_select(self.backend)))
            .bind(sheet_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(sheet))
    }

    pub async fn update_sheet(&self, update: &SheetUpdate, now: i64) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        // Compare-and-set on the version: of two edits made on one version, one wins here
        // and the other is sent back to merge; neither overwrites the other unseen.
        let updated = sqlx::query("UPDATE sheets SET title = $1, fields = $2, version = version + 1, updated_at = $3 WHERE id = $4 AND version = $5")
            .bind(&update.title)
            .bind(&update.fields)
            .bind(now)
            .bind(&update.sheet_id)
            .bind(update.expected_version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if updated == 0 {
            return Ok(false);
        }
        if let Some(contributions) = &update.contributions {
            insert_sheet_links(&mut tx, &update.sheet_id, contributions).await?;
        }
        sqlx::query("INSERT INTO sheet_history (sheet_id, version, changed_by, by_name, at, changes) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&update.sheet_id)
            .bind(update.expected_version + 1)
            .bind(&update.changed_by)
            .bind(&update.by_name)
            .bind(now)
            .bind(&update.changes)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn sheet_history(&self, sheet_id: &str) -> Result<Vec<SheetHistoryRecord>> {
        let rows = sqlx::query("SELECT version, changed_by, by_name, at, changes FROM sheet_history WHERE sheet_id = $1 ORDER BY version")
            .bind(sheet_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|row| SheetHistoryRecord {
                version: row.get("version"),
                changed_by: row.get("changed_by"),
                by_name: row.get("by_name"),
                at: row.get("at"),
                changes: row.get("changes"),
            })
            .collect())
    }

    pub async fn suggestion_decisions(&self, process_id: &str) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT pair_key, decision FROM suggestion_decisions WHERE process_id = $1 ORDER BY pair_key",
        )
        .bind(process_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|row| (row.get("pair_key"), row.get("decision")))
            .collect())
    }

    pub async fn record_rejection(
        &self,
        process_id: &str,
        pair_keys: &[String],
        decided_by: Option<&str>,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for pair_key in pair_keys {
            sqlx::query(
                "INSERT INTO suggestion_decisions (process_id, pair_key, decision, theme_id, decided_by, at) VALUES ($1, $2, 'rejected', NULL, $3, $4) \
                 ON CONFLICT (process_id, pair_key) DO UPDATE SET decision = 'rejected', theme_id = NULL, decided_by = excluded.decided_by, at = excluded.at",
            )
            .bind(process_id)
            .bind(pair_key)
            .bind(decided_by)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
