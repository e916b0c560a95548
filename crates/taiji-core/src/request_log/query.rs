//! Reading the history: filters, pagination and per-day/per-model aggregates. Everything here runs
//! on a read-only connection beside the writer (WAL mode lets readers and the writer proceed
//! together), and every user-supplied value is a bound parameter, never SQL text.

use rusqlite::Connection;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};
use time::{OffsetDateTime, UtcOffset};

use super::rows::{ENTRY_COLUMNS, entry_from_row, to_ms};
use super::{EntryStatus, LogEntry, RequestLogError};

/// The most entries one page may hold.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// Which entries to return. Empty fields match everything.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(default)]
pub struct LogFilter {
    /// Entries that started at or after this time.
    #[cfg_attr(feature = "ts", ts(type = "string", optional))]
    #[serde(with = "time::serde::rfc3339::option")]
    pub from: Option<OffsetDateTime>,
    /// Entries that started before this time.
    #[cfg_attr(feature = "ts", ts(type = "string", optional))]
    #[serde(with = "time::serde::rfc3339::option")]
    pub to: Option<OffsetDateTime>,
    /// The exact model id (case-insensitive).
    pub model: Option<String>,
    /// Any of these statuses.
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<EntryStatus>>", optional))]
    pub statuses: Vec<EntryStatus>,
    /// The API surface (`openai`, `anthropic`, `chat`, ...).
    pub api: Option<String>,
    /// The API key name.
    pub key_name: Option<String>,
    /// A case-insensitive substring of the id, endpoint, model, key name, user agent, error class
    /// or message, or the previews.
    pub text: Option<String>,
}

/// One page of entries, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LogPage {
    /// The entries of this page.
    pub entries: Vec<LogEntry>,
    /// How many entries match the filter in total.
    pub total: u64,
    /// The 0-based page number.
    pub page: u32,
    /// The page size used (after clamping to 1..=[`MAX_PAGE_SIZE`]).
    pub page_size: u32,
}

/// Requests of one model on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DailyModelStats {
    /// The day as `YYYY-MM-DD` in the offset the caller asked for.
    pub day: String,
    /// The model id.
    pub model: String,
    /// Requests started that day.
    pub requests: u64,
    /// Of those, the ones that failed.
    pub errors: u64,
    /// Sum of prompt tokens.
    pub prompt_tokens: u64,
    /// Sum of completion tokens.
    pub completion_tokens: u64,
    /// Sum of total tokens.
    pub total_tokens: u64,
    /// Sum of points deducted.
    pub points: i64,
}

/// A `WHERE` clause and its bound values.
pub(super) struct Where {
    pub(super) sql: String,
    pub(super) values: Vec<Value>,
}

impl LogFilter {
    pub(super) fn to_where(&self) -> Where {
        let mut clause = WhereBuilder::default();
        if let Some(from) = self.from {
            let from = clause.bind(Value::Integer(to_ms(from)));
            clause.push(format!("started_at_ms >= {from}"));
        }
        if let Some(to) = self.to {
            let to = clause.bind(Value::Integer(to_ms(to)));
            clause.push(format!("started_at_ms < {to}"));
        }
        for (column, value) in [
            ("model", &self.model),
            ("api", &self.api),
            ("key_name", &self.key_name),
        ] {
            if let Some(value) = non_empty(value) {
                let value = clause.bind(Value::Text(value.to_owned()));
                clause.push(format!("{column} = {value} COLLATE NOCASE"));
            }
        }
        if !self.statuses.is_empty() {
            let placeholders: Vec<String> = self
                .statuses
                .iter()
                .map(|status| clause.bind(Value::Text(status.as_str().to_owned())))
                .collect();
            clause.push(format!("status IN ({})", placeholders.join(", ")));
        }
        if let Some(text) = non_empty(&self.text) {
            let pattern = clause.bind(Value::Text(format!("%{}%", escape_like(text))));
            let matches: Vec<String> = TEXT_COLUMNS
                .iter()
                .map(|column| format!("{column} LIKE {pattern} ESCAPE '\\'"))
                .collect();
            clause.push(format!("({})", matches.join(" OR ")));
        }
        clause.finish()
    }
}

/// The columns the free-text filter searches.
const TEXT_COLUMNS: [&str; 9] = [
    "id",
    "endpoint",
    "model",
    "key_name",
    "user_agent",
    "error_class",
    "error_message",
    "prompt_preview",
    "reply_preview",
];

#[derive(Default)]
struct WhereBuilder {
    clauses: Vec<String>,
    values: Vec<Value>,
}

impl WhereBuilder {
    /// Binds a value and returns its numbered placeholder, e.g. `?3`.
    fn bind(&mut self, value: Value) -> String {
        self.values.push(value);
        format!("?{}", self.values.len())
    }

    fn push(&mut self, clause: String) {
        self.clauses.push(clause);
    }

    fn finish(self) -> Where {
        let sql = if self.clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.clauses.join(" AND "))
        };
        Where {
            sql,
            values: self.values,
        }
    }
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|value| !value.is_empty())
}

/// Escapes `LIKE` wildcards so the user's text matches literally.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

pub(super) fn query_page(
    conn: &Connection,
    filter: &LogFilter,
    page: u32,
    page_size: u32,
) -> Result<LogPage, RequestLogError> {
    let page_size = page_size.clamp(1, MAX_PAGE_SIZE);
    let Where { sql, values } = filter.to_where();
    let total: i64 = conn.query_row(
        &format!("SELECT COUNT(*) FROM requests {sql}"),
        rusqlite::params_from_iter(values.iter()),
        |row| row.get(0),
    )?;
    let offset = i64::from(page) * i64::from(page_size);
    let mut statement = conn.prepare(&format!(
        "SELECT {ENTRY_COLUMNS} FROM requests {sql}
         ORDER BY started_at_ms DESC, rowid DESC LIMIT {page_size} OFFSET {offset}"
    ))?;
    let entries = statement
        .query_map(rusqlite::params_from_iter(values.iter()), entry_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(LogPage {
        entries,
        total: u64::try_from(total).unwrap_or(0),
        page,
        page_size,
    })
}

pub(super) fn aggregates(
    conn: &Connection,
    filter: &LogFilter,
    offset: UtcOffset,
) -> Result<Vec<DailyModelStats>, RequestLogError> {
    let Where { sql, values } = filter.to_where();
    // The offset is an integer we computed, not user text, so it can be part of the SQL.
    let offset_seconds = offset.whole_seconds();
    let mut statement = conn.prepare(&format!(
        "SELECT date(started_at_ms / 1000 + {offset_seconds}, 'unixepoch') AS day, model,
                COUNT(*),
                SUM(status = 'failed'),
                COALESCE(SUM(prompt_tokens), 0),
                COALESCE(SUM(completion_tokens), 0),
                COALESCE(SUM(total_tokens), 0),
                COALESCE(SUM(points), 0)
         FROM requests {sql}
         GROUP BY day, model
         ORDER BY day ASC, model ASC"
    ))?;
    let rows = statement.query_map(rusqlite::params_from_iter(values.iter()), |row| {
        let count = |index: usize| -> rusqlite::Result<u64> {
            Ok(u64::try_from(row.get::<_, i64>(index)?).unwrap_or(0))
        };
        Ok(DailyModelStats {
            day: row.get(0)?,
            model: row.get(1)?,
            requests: count(2)?,
            errors: count(3)?,
            prompt_tokens: count(4)?,
            completion_tokens: count(5)?,
            total_tokens: count(6)?,
            points: row.get(7)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
    }

    #[test]
    fn placeholders_are_numbered_in_binding_order() {
        let filter = LogFilter {
            model: Some("m".to_owned()),
            statuses: vec![EntryStatus::Done, EntryStatus::Failed],
            text: Some("x".to_owned()),
            ..LogFilter::default()
        };
        let clause = filter.to_where();
        assert_eq!(clause.values.len(), 4);
        assert!(clause.sql.contains("model = ?1"), "{}", clause.sql);
        assert!(clause.sql.contains("status IN (?2, ?3)"), "{}", clause.sql);
        assert!(clause.sql.contains("reply_preview LIKE ?4"), "{}", clause.sql);
    }
}
