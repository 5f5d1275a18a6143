//! The back office's clients list (search, filters, pages) and bringing an archived
//! client back. Archiving is [`Store::archive_client`] in [`super::clients`].

use sqlx::FromRow;

use super::clients::ClientRow;
use super::{Store, StoreError, StoreResult};
use crate::ids::{ClientId, WorkspaceId};

/// Which clients by archive state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Archived {
    /// Live clients only (the default list).
    #[default]
    No,
    Only,
    Any,
}

/// The staff list's filters; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct StaffClientFilter<'a> {
    pub search: &'a str,
    pub portal: Option<bool>,
    pub kind: Option<&'a str>,
    pub archived: Archived,
}

#[derive(Debug, Clone, FromRow)]
pub struct StaffClientListRow {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub portal_enabled: i64,
    pub archived_at: Option<i64>,
    pub contact_count: i64,
}

/// `LIKE` pattern for a search term, with the wildcard characters escaped.
fn like_pattern(search: &str) -> String {
    format!(
        "%{}%",
        search
            .trim()
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

impl Store {
    /// One page of the clients list by name. The search matches the client's name or
    /// any of its contacts' names or emails.
    #[tracing::instrument(skip_all, fields(ws = %ws))]
    pub async fn staff_clients(
        &self,
        ws: WorkspaceId,
        filter: &StaffClientFilter<'_>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<StaffClientListRow>> {
        let archived = match filter.archived {
            Archived::No => 0,
            Archived::Only => 1,
            Archived::Any => 2,
        };
        Ok(sqlx::query_as(
            "SELECT c.id, c.kind, c.name, c.portal_enabled, c.archived_at,
                    (SELECT COUNT(*) FROM contact ct WHERE ct.client_id = c.id AND ct.deleted_at IS NULL) AS contact_count
             FROM client c
             WHERE c.workspace_id = $1 AND c.deleted_at IS NULL
               AND (LOWER(c.name) LIKE $2 ESCAPE '\\' OR EXISTS (
                    SELECT 1 FROM contact ct WHERE ct.client_id = c.id AND ct.deleted_at IS NULL
                      AND (LOWER(ct.first_name || ' ' || ct.last_name) LIKE $2 ESCAPE '\\'
                           OR COALESCE(ct.email_norm, '') LIKE $2 ESCAPE '\\')))
               AND ($3 = -1 OR c.portal_enabled = $3)
               AND ($4 = '' OR c.kind = $4)
               AND ($5 = 2 OR ($5 = 0 AND c.archived_at IS NULL) OR ($5 = 1 AND c.archived_at IS NOT NULL))
             ORDER BY LOWER(c.name), c.id LIMIT $6 OFFSET $7",
        )
        .bind(ws.get())
        .bind(like_pattern(filter.search))
        .bind(filter.portal.map_or(-1, i64::from))
        .bind(filter.kind.unwrap_or(""))
        .bind(archived)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Brings an archived client back: listed again, and its portal link works again if
    /// access is on (sessions ended by the archiving stay ended).
    pub async fn unarchive_client(
        &self,
        ws: WorkspaceId,
        id: ClientId,
        now_ms: i64,
    ) -> StoreResult<ClientRow> {
        let n = sqlx::query(
            "UPDATE client SET archived_at = NULL, updated_at = $3
             WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL",
        )
        .bind(ws.get())
        .bind(id.get())
        .bind(now_ms)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        self.client(ws, id).await
    }
}
