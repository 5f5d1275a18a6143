//! Workspace-wide keyset reads for the API's read-only resources (invoices, quotes,
//! jobs, …). Each resource names its table, its columns and what "live" means in a
//! fixed [`ReadSpec`]; values are always bound parameters, never spliced.

use sqlx::any::AnyRow;
use sqlx::FromRow;

use super::{Store, StoreResult};
use crate::ids::{ClientId, WorkspaceId};

pub struct ReadSpec {
    pub table: &'static str,
    /// The select list; every column a plain column of `table`.
    pub columns: &'static str,
    /// An extra condition a listed row meets (`deleted_at IS NULL`), or `1 = 1`.
    pub live: &'static str,
    /// Whether the table has a `client_id` to filter by.
    pub by_client: bool,
}

impl Store {
    /// Newest first: rows of the workspace with an id below `before`, at most `limit`,
    /// of one client when `client` is given (and the table has clients).
    pub async fn records_page<T>(
        &self,
        spec: &ReadSpec,
        ws: WorkspaceId,
        client: Option<ClientId>,
        before: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<T>>
    where
        T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        let client_filter = if spec.by_client {
            "AND ($4 = 0 OR client_id = $4)"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {} FROM {} WHERE workspace_id = $1 AND {} AND ($2 = 0 OR id < $2) {client_filter}
             ORDER BY id DESC LIMIT $3",
            spec.columns, spec.table, spec.live
        );
        let mut q = sqlx::query_as::<_, T>(&sql)
            .bind(ws.get())
            .bind(before.unwrap_or(0))
            .bind(limit);
        if spec.by_client {
            q = q.bind(client.map_or(0, ClientId::get));
        }
        Ok(q.fetch_all(&self.pool).await?)
    }

    /// One live row of the workspace by id.
    pub async fn record<T>(
        &self,
        spec: &ReadSpec,
        ws: WorkspaceId,
        id: i64,
    ) -> StoreResult<Option<T>>
    where
        T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        let sql = format!(
            "SELECT {} FROM {} WHERE workspace_id = $1 AND id = $2 AND {}",
            spec.columns, spec.table, spec.live
        );
        Ok(sqlx::query_as::<_, T>(&sql)
            .bind(ws.get())
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }
}
