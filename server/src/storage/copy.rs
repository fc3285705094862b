//! Copying a whole deployment from one database to another (`tavoli copy --from --to`), e.g.
//! from the SQLite file of a pilot to the PostgreSQL of a regional deployment. Both sides are
//! migrated to the same schema version first; the copy runs in one transaction on the target,
//! so it lands whole or not at all.

use sqlx::{Column, Row, any::AnyRow};

use super::{Result, Storage, StorageError};

/// Every table, parents before children. A table missing here is refused by `copy_all`
/// (and a test), so a new area of the schema cannot be forgotten silently.
pub const COPY_ORDER: &[&str] = &[
    "users",
    "sessions",
    "processes",
    "roundtables",
    "roundtable_facilitators",
    "organisations",
    "participants",
    "events",
    "commands",
    "themes",
    "theme_links",
    "sheets",
    "sheet_links",
    "sheet_history",
    "suggestion_decisions",
    "document_validations",
    "process_members",
    "audit_log",
];

/// One column value, whatever the backend.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bytes(Vec<u8>),
}

fn read_value(row: &AnyRow, index: usize) -> Value {
    if let Ok(v) = row.try_get::<Option<i64>, _>(index) {
        return v.map_or(Value::Null, Value::Int);
    }
    if let Ok(v) = row.try_get::<Option<String>, _>(index) {
        return v.map_or(Value::Null, Value::Text);
    }
    if let Ok(v) = row.try_get::<Option<f64>, _>(index) {
        return v.map_or(Value::Null, Value::Real);
    }
    if let Ok(v) = row.try_get::<Option<Vec<u8>>, _>(index) {
        return v.map_or(Value::Null, Value::Bytes);
    }
    Value::Null
}

/// How many rows each table holds, in `COPY_ORDER`.
pub type Counts = Vec<(&'static str, i64)>;

impl Storage {
    /// The tables of this database's schema (besides the migrations' own).
    pub async fn table_names(&self) -> Result<Vec<String>> {
        let sql = match self.backend {
            super::Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'tavoli_migrations' ORDER BY name"
            }
            super::Backend::Postgres => {
                "SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = current_schema() \
                 AND table_type = 'BASE TABLE' AND table_name <> 'tavoli_migrations' ORDER BY table_name"
            }
        };
        let rows = sqlx::query(sql).fetch_all(&self.pool).await?;
        Ok(rows
            .iter()
            .map(|row| row.get::<String, _>("name"))
            .collect())
    }

    pub async fn row_counts(&self) -> Result<Counts> {
        let mut counts = Vec::new();
        for table in COPY_ORDER {
            let sql = format!("SELECT COUNT(*) FROM {table}");
            let count: i64 = sqlx::query_scalar(&sql).fetch_one(&self.pool).await?;
            counts.push((*table, count));
        }
        Ok(counts)
    }

    /// Copies every row of every table into `target`, which must be empty.
    pub async fn copy_all(&self, target: &Storage) -> Result<Counts> {
        let known: Vec<String> = COPY_ORDER.iter().map(|t| t.to_string()).collect();
        for table in self.table_names().await? {
            if !known.contains(&table) {
                return Err(StorageError::Unsupported(format!(
                    "table `{table}` is not in the copy order: refusing a partial copy"
                )));
            }
        }
        if target
            .row_counts()
            .await?
            .iter()
            .any(|(_, count)| *count > 0)
        {
            return Err(StorageError::Unsupported(
                "the target database is not empty: copy into a new database".into(),
            ));
        }
        let mut tx = target.pool.begin().await?;
        for table in COPY_ORDER {
            let rows = sqlx::query(&format!("SELECT * FROM {table}"))
                .fetch_all(&self.pool)
                .await?;
            let Some(first) = rows.first() else {
                continue;
            };
            let columns: Vec<String> = first
                .columns()
                .iter()
                .map(|c| c.name().to_string())
                .collect();
            for row in &rows {
                // NULLs are left out of the INSERT: a typed NULL parameter would have to guess
                // the column's type, which PostgreSQL does not forgive.
                let values: Vec<(&str, Value)> = columns
                    .iter()
                    .enumerate()
                    .map(|(index, name)| (name.as_str(), read_value(row, index)))
                    .filter(|(_, value)| *value != Value::Null)
                    .collect();
                let names: Vec<&str> = values.iter().map(|(name, _)| *name).collect();
                let placeholders: Vec<String> =
                    (1..=values.len()).map(|i| format!("${i}")).collect();
                let insert = format!(
                    "INSERT INTO {table} ({}) VALUES ({})",
                    names.join(", "),
                    placeholders.join(", ")
                );
                let mut query = sqlx::query(&insert);
                for (_, value) in values {
                    query = match value {
                        Value::Null => query,
                        Value::Int(v) => query.bind(v),
                        Value::Real(v) => query.bind(v),
                        Value::Text(v) => query.bind(v),
                        Value::Bytes(v) => query.bind(v),
                    };
                }
                query.execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        target.row_counts().await
    }
}
