//! A New form sent twice (a double click, a refresh after the POST) makes one record:
//! the form carries a one-time `submission_key`, stored with the record it made (unique
//! per workspace), and a key already used answers that record instead of a new one,
//! also when both sends arrive at the same moment.

use std::future::Future;

use sqlx::any::AnyRow;
use sqlx::FromRow;

use super::{Store, StoreError, StoreResult};
use crate::ids::WorkspaceId;

/// The longest key a form may carry; longer ones are cut to this.
pub const SUBMISSION_KEY_MAX: usize = 64;

/// A fresh key for a New form.
pub fn fresh_submission_key() -> String {
    crate::crypto::random_token(18)
}

/// A form's key as stored: trimmed and cut to [`SUBMISSION_KEY_MAX`]; empty is none.
pub fn submission_key(raw: &str) -> Option<String> {
    let key: String = raw.trim().chars().take(SUBMISSION_KEY_MAX).collect();
    (!key.is_empty()).then_some(key)
}

/// What a write run once per form answered: the record, and whether this call made it
/// (`false` for a form sent again, whose first send made it). Only the call that made a
/// record reports it (audit entries, notices), so a form sent twice is recorded once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Once<T> {
    pub value: T,
    pub made_now: bool,
}

impl<T> Once<T> {
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Once<U> {
        Once {
            value: f(self.value),
            made_now: self.made_now,
        }
    }
}

impl Store {
    /// Runs `write` (which stores the key it is given with the new row of `table`) once
    /// per `key`: a key already used in the workspace answers `columns` of the row it
    /// made, and a write that loses a race on the key's unique index answers the row the
    /// other one made. Without a key, `write` simply runs.
    pub(crate) async fn once_per_submission<'k, T, F, Fut>(
        &self,
        ws: WorkspaceId,
        table: &str,
        columns: &str,
        key: Option<&'k str>,
        write: F,
    ) -> StoreResult<Once<T>>
    where
        T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
        F: FnOnce(Option<&'k str>) -> Fut,
        Fut: Future<Output = StoreResult<T>>,
    {
        let key = key.filter(|k| !k.is_empty());
        let earlier = |value| Once {
            value,
            made_now: false,
        };
        if let Some(key) = key {
            if let Some(made) = self.by_submission_key(ws, table, columns, key).await? {
                return Ok(earlier(made));
            }
        }
        match write(key).await {
            Ok(value) => Ok(Once {
                value,
                made_now: true,
            }),
            // The same form sent at the same moment: the other request made it.
            Err(StoreError::Conflict(message)) => match key {
                Some(key) => match self.by_submission_key(ws, table, columns, key).await? {
                    Some(made) => Ok(earlier(made)),
                    None => Err(StoreError::Conflict(message)),
                },
                None => Err(StoreError::Conflict(message)),
            },
            Err(other) => Err(other),
        }
    }

    async fn by_submission_key<T>(
        &self,
        ws: WorkspaceId,
        table: &str,
        columns: &str,
        key: &str,
    ) -> StoreResult<Option<T>>
    where
        T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        Ok(sqlx::query_as(&format!(
            "SELECT {columns} FROM {table} WHERE workspace_id = $1 AND submission_key = $2"
        ))
        .bind(ws.get())
        .bind(key)
        .fetch_optional(self.pool())
        .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_trimmed_cut_and_empty_is_none() {
        assert_eq!(submission_key("  abc "), Some("abc".to_string()));
        assert_eq!(submission_key("   "), None);
        assert_eq!(
            submission_key(&"k".repeat(100)).map(|k| k.len()),
            Some(SUBMISSION_KEY_MAX)
        );
    }
}
