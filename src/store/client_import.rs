//! CSV imports of clients and contacts: the checked file kept between preview and
//! confirmation, and the import itself — every client and contact of the plan in one
//! transaction, so a failure half-way leaves nothing behind.

use sqlx::FromRow;

use super::{Store, StoreError, StoreResult};
use crate::domain::csv_import::ImportPlan;
use crate::ids::{new_id, ClientId, ContactId, StaffUserId, WorkspaceId};

#[derive(Debug, Clone, FromRow)]
pub struct ImportRow {
    pub id: i64,
    pub file_name: String,
    pub status: String,
    pub client_count: i64,
    pub contact_count: i64,
    pub message: String,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

impl Store {
    /// Keeps a checked file for its preview; the import starts on confirmation.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_import(
        &self,
        ws: WorkspaceId,
        by: StaffUserId,
        file_name: &str,
        csv: &str,
        clients: i64,
        contacts: i64,
        now_ms: i64,
    ) -> StoreResult<i64> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO client_import (id, workspace_id, created_by, file_name, csv, status, client_count, contact_count, created_at)
             VALUES ($1, $2, $3, $4, $5, 'preview', $6, $7, $8)",
        )
        .bind(id)
        .bind(ws.get())
        .bind(by.get())
        .bind(file_name)
        .bind(csv)
        .bind(clients)
        .bind(contacts)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    pub async fn import_row(&self, ws: WorkspaceId, id: i64) -> StoreResult<ImportRow> {
        sqlx::query_as(
            "SELECT id, file_name, status, client_count, contact_count, message, created_at, finished_at
             FROM client_import WHERE workspace_id = $1 AND id = $2",
        )
        .bind(ws.get())
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// The names (lower case, single-spaced) of the workspace's clients, live or
    /// archived, so a preview can point out rows that would make a second client of a
    /// name already in use.
    pub async fn client_name_keys(
        &self,
        ws: WorkspaceId,
    ) -> StoreResult<std::collections::HashSet<String>> {
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM client WHERE workspace_id = $1 AND deleted_at IS NULL",
        )
        .bind(ws.get())
        .fetch_all(&self.pool)
        .await?;
        Ok(names
            .iter()
            .map(|n| {
                n.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase()
            })
            .collect())
    }

    /// The file kept for an import of the workspace.
    pub async fn import_csv(&self, ws: WorkspaceId, id: i64) -> StoreResult<String> {
        sqlx::query_scalar("SELECT csv FROM client_import WHERE workspace_id = $1 AND id = $2")
            .bind(ws.get())
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Moves a previewed import to running and hands back its file; `None` when it is
    /// not (or no longer) waiting for confirmation, so confirming twice imports once.
    pub async fn start_import(&self, ws: WorkspaceId, id: i64) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar(
            "UPDATE client_import SET status = 'running'
             WHERE workspace_id = $1 AND id = $2 AND status = 'preview' RETURNING csv",
        )
        .bind(ws.get())
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Housekeeping: previews never confirmed go after a day (the file holds people's
    /// details), and an import still "running" after an hour was cut off by a restart.
    pub async fn purge_imports(&self, now_ms: i64) -> StoreResult<()> {
        let hour = 3600 * 1000;
        sqlx::query("DELETE FROM client_import WHERE status = 'preview' AND created_at < $1")
            .bind(now_ms - 24 * hour)
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "UPDATE client_import SET status = 'failed', finished_at = $2, csv = '',
                 message = 'The import was interrupted before it reported back. It imported everything or nothing: check the clients list.'
             WHERE status = 'running' AND created_at < $1",
        )
        .bind(now_ms - hour)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records how an import ended (`done` or `failed`, with a message); the file is
    /// not kept once it has run.
    pub async fn finish_import(
        &self,
        ws: WorkspaceId,
        id: i64,
        status: &str,
        message: &str,
        now_ms: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE client_import SET status = $3, message = $4, finished_at = $5, csv = ''
             WHERE workspace_id = $1 AND id = $2",
        )
        .bind(ws.get())
        .bind(id)
        .bind(status)
        .bind(message)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Creates every client and contact of `plan` in one transaction, calling
    /// `progress` with the number of clients written so far.
    #[tracing::instrument(skip_all, fields(ws = %ws, clients = plan.clients.len()))]
    pub async fn import_plan(
        &self,
        ws: WorkspaceId,
        plan: &ImportPlan,
        now_ms: i64,
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        for (i, planned) in plan.clients.iter().enumerate() {
            let client = ClientId::new();
            let c = &planned.client;
            sqlx::query(
                "INSERT INTO client (id, workspace_id, kind, name, phone, billing_address, site_address, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
            )
            .bind(client.get())
            .bind(ws.get())
            .bind(c.kind)
            .bind(&c.name)
            .bind(&c.phone)
            .bind(&c.billing_address)
            .bind(&c.site_address)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
            let people = c
                .person
                .iter()
                .map(|p| (p, 1i64))
                .chain(planned.contacts.iter().map(|p| (p, 0i64)));
            for (p, primary) in people {
                sqlx::query(
                    "INSERT INTO contact (id, workspace_id, client_id, first_name, last_name, email, email_norm, phone, role, is_primary, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
                )
                .bind(ContactId::new().get())
                .bind(ws.get())
                .bind(client.get())
                .bind(&p.first_name)
                .bind(&p.last_name)
                .bind(p.email.as_ref().map(|e| e.as_str().to_string()))
                .bind(p.email.as_ref().map(|e| e.normalised().to_string()))
                .bind(&p.phone)
                .bind(&p.role)
                .bind(primary)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
            }
            progress(i + 1);
        }
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::workspaces::NewWorkspace;
    use super::*;

    const NOW: i64 = 1_780_000_000_000;
    const HOUR: i64 = 3_600_000;

    #[tokio::test]
    async fn old_previews_go_and_stuck_imports_are_marked_failed() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        let store = Store::connect(&url).await.unwrap();
        let new = NewWorkspace {
            slug: "a",
            name: "A",
            time_zone: "UTC",
            default_currency: "USD",
        };
        let ws = store.create_workspace(&new, NOW).await.unwrap();
        let insert = |at: i64| {
            let store = store.clone();
            async move {
                sqlx::query("INSERT INTO client_import (id, workspace_id, csv, status, created_at) VALUES ($1, $2, 'x', 'preview', $3)")
                    .bind(new_id())
                    .bind(ws.get())
                    .bind(at)
                    .execute(store.pool())
                    .await
                    .unwrap();
            }
        };
        insert(NOW - 25 * HOUR).await;
        insert(NOW - 2 * HOUR).await;
        sqlx::query("UPDATE client_import SET status = 'running' WHERE created_at = $1")
            .bind(NOW - 2 * HOUR)
            .execute(store.pool())
            .await
            .unwrap();
        insert(NOW - HOUR / 2).await;
        store.purge_imports(NOW).await.unwrap();
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT status, csv FROM client_import ORDER BY created_at")
                .fetch_all(store.pool())
                .await
                .unwrap();
        assert_eq!(
            rows,
            vec![
                ("failed".to_string(), String::new()),
                ("preview".to_string(), "x".to_string())
            ]
        );
    }
}
