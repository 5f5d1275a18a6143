//! Clients (companies and individuals) and their portal access switch.

use sqlx::FromRow;

use super::{flag, Store, StoreError, StoreResult};
use crate::crypto::random_token;
use crate::ids::{ClientId, StaffUserId, WorkspaceId};

#[derive(Debug, Clone, FromRow)]
pub struct ClientRow {
    pub id: i64,
    pub workspace_id: i64,
    pub kind: String,
    pub name: String,
    pub phone: String,
    pub billing_address: String,
    pub site_address: String,
    pub portal_enabled: i64,
    pub portal_access_key: Option<String>,
    pub portal_enabled_at: Option<i64>,
    pub portal_enabled_by_name: Option<String>,
    pub portal_last_login_at: Option<i64>,
    pub archived_at: Option<i64>,
}

impl ClientRow {
    pub fn id(&self) -> ClientId {
        ClientId::from_db(self.id)
    }

    pub fn portal_on(&self) -> bool {
        flag(self.portal_enabled)
    }

    pub fn is_company(&self) -> bool {
        self.kind == "company"
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct ClientListRow {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub portal_enabled: i64,
    pub contact_count: i64,
}

pub struct NewClient<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub phone: &'a str,
    pub billing_address: &'a str,
    pub site_address: &'a str,
}

const CLIENT_COLUMNS: &str =
    "c.id, c.workspace_id, c.kind, c.name, c.phone, c.billing_address, c.site_address,
    c.portal_enabled, c.portal_access_key, c.portal_enabled_at, s.name AS portal_enabled_by_name,
    c.portal_last_login_at, c.archived_at";

/// The key in a portal link: 24 random bytes (192 bits), URL-safe.
fn new_access_key() -> String {
    random_token(24)
}

impl Store {
    pub async fn create_client(
        &self,
        ws: WorkspaceId,
        new: &NewClient<'_>,
        now_ms: i64,
    ) -> StoreResult<ClientId> {
        let id = ClientId::new();
        sqlx::query(
            "INSERT INTO client (id, workspace_id, kind, name, phone, billing_address, site_address, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(id.get())
        .bind(ws.get())
        .bind(new.kind)
        .bind(new.name)
        .bind(new.phone)
        .bind(new.billing_address)
        .bind(new.site_address)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    /// Creates a client and, for an individual, the person as its one contact, in one
    /// transaction: a failure leaves no row behind.
    pub async fn create_client_checked(
        &self,
        ws: WorkspaceId,
        client: &crate::domain::client_form::ValidClient,
        now_ms: i64,
    ) -> StoreResult<ClientId> {
        self.insert_client(ws, client, None, now_ms).await
    }

    /// Creates a client from a form carrying a one-time key; a second insert with the
    /// same key in the workspace fails with [`StoreError::Conflict`].
    pub async fn create_client_once(
        &self,
        ws: WorkspaceId,
        client: &crate::domain::client_form::ValidClient,
        idempotency_key: &str,
        now_ms: i64,
    ) -> StoreResult<ClientId> {
        self.insert_client(ws, client, Some(idempotency_key), now_ms)
            .await
    }

    /// The client a form with this one-time key created, if any.
    pub async fn client_by_idempotency_key(
        &self,
        ws: WorkspaceId,
        idempotency_key: &str,
    ) -> StoreResult<Option<ClientId>> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM client WHERE workspace_id = $1 AND idempotency_key = $2 AND deleted_at IS NULL",
        )
        .bind(ws.get())
        .bind(idempotency_key)
        .fetch_optional(&self.pool)
        .await?;
        Ok(id.map(ClientId::from_db))
    }

    async fn insert_client(
        &self,
        ws: WorkspaceId,
        client: &crate::domain::client_form::ValidClient,
        idempotency_key: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<ClientId> {
        let id = ClientId::new();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO client (id, workspace_id, kind, name, phone, billing_address, site_address, idempotency_key, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        )
        .bind(id.get())
        .bind(ws.get())
        .bind(client.kind)
        .bind(&client.name)
        .bind(&client.phone)
        .bind(&client.billing_address)
        .bind(&client.site_address)
        .bind(idempotency_key)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        if let Some(p) = &client.person {
            sqlx::query(
                "INSERT INTO contact (id, workspace_id, client_id, first_name, last_name, email, email_norm, phone, role, is_primary, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '', 1, $9, $9)",
            )
            .bind(crate::ids::ContactId::new().get())
            .bind(ws.get())
            .bind(id.get())
            .bind(&p.first_name)
            .bind(&p.last_name)
            .bind(p.email.as_ref().map(|e| e.as_str().to_string()))
            .bind(p.email.as_ref().map(|e| e.normalised().to_string()))
            .bind(&p.phone)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    pub async fn client(&self, ws: WorkspaceId, id: ClientId) -> StoreResult<ClientRow> {
        sqlx::query_as(&format!(
            "SELECT {CLIENT_COLUMNS} FROM client c LEFT JOIN staff_user s ON s.id = c.portal_enabled_by
             WHERE c.workspace_id = $1 AND c.id = $2 AND c.deleted_at IS NULL"
        ))
        .bind(ws.get())
        .bind(id.get())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// The client a portal link names, if its portal is on.
    pub async fn client_by_access_key(&self, key: &str) -> StoreResult<Option<ClientRow>> {
        if key.len() > 64 {
            return Ok(None);
        }
        Ok(sqlx::query_as(&format!(
            "SELECT {CLIENT_COLUMNS} FROM client c LEFT JOIN staff_user s ON s.id = c.portal_enabled_by
             WHERE c.portal_access_key = $1 AND c.portal_enabled = 1
               AND c.deleted_at IS NULL AND c.archived_at IS NULL"
        ))
        .bind(key)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Clients of a workspace by name, optionally filtered by a search term.
    pub async fn list_clients(
        &self,
        ws: WorkspaceId,
        search: &str,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<ClientListRow>> {
        let pattern = format!(
            "%{}%",
            search
                .trim()
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        Ok(sqlx::query_as(
            "SELECT c.id, c.kind, c.name, c.portal_enabled,
                    (SELECT COUNT(*) FROM contact ct WHERE ct.client_id = c.id AND ct.deleted_at IS NULL) AS contact_count
             FROM client c
             WHERE c.workspace_id = $1 AND c.deleted_at IS NULL AND c.archived_at IS NULL
               AND LOWER(c.name) LIKE $2 ESCAPE '\\'
             ORDER BY LOWER(c.name), c.id LIMIT $3 OFFSET $4",
        )
        .bind(ws.get())
        .bind(pattern)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Turns a client's portal on or off. Off ends every open session of the client and
    /// voids every unused code at once; it deletes nothing, and the access key is kept so
    /// a link already shared works again when access is turned back on.
    pub async fn set_portal_access(
        &self,
        ws: WorkspaceId,
        id: ClientId,
        enabled: bool,
        by: Option<StaffUserId>,
        now_ms: i64,
    ) -> StoreResult<ClientRow> {
        let mut tx = self.begin_write().await?;
        let changed = if enabled {
            sqlx::query(
                "UPDATE client SET portal_enabled = 1, portal_access_key = COALESCE(portal_access_key, $3),
                     portal_enabled_at = $4, portal_enabled_by = $5, updated_at = $4
                 WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL AND portal_enabled = 0",
            )
            .bind(ws.get())
            .bind(id.get())
            .bind(new_access_key())
            .bind(now_ms)
            .bind(by.map(StaffUserId::get))
            .execute(&mut *tx)
            .await?
            .rows_affected()
        } else {
            let n = sqlx::query(
                "UPDATE client SET portal_enabled = 0, updated_at = $3
                 WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL AND portal_enabled = 1",
            )
            .bind(ws.get())
            .bind(id.get())
            .bind(now_ms)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            close_client_access(&mut tx, ws, id, now_ms).await?;
            n
        };
        tx.commit().await?;
        let row = self.client(ws, id).await?;
        if changed == 0 && row.portal_on() != enabled {
            return Err(StoreError::Conflict(
                "portal state changed concurrently".into(),
            ));
        }
        Ok(row)
    }

    /// A new access key: the old link stops working at once, and so do sessions and codes
    /// that came through it.
    pub async fn regenerate_portal_key(
        &self,
        ws: WorkspaceId,
        id: ClientId,
        now_ms: i64,
    ) -> StoreResult<ClientRow> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE client SET portal_access_key = $3, updated_at = $4
             WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL",
        )
        .bind(ws.get())
        .bind(id.get())
        .bind(new_access_key())
        .bind(now_ms)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        close_client_access(&mut tx, ws, id, now_ms).await?;
        tx.commit().await?;
        self.client(ws, id).await
    }
}

/// Revokes every open portal session of a client and voids its unused codes.
async fn close_client_access(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    ws: WorkspaceId,
    id: ClientId,
    now_ms: i64,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE portal_session SET revoked_at = $3
         WHERE workspace_id = $1 AND client_id = $2 AND revoked_at IS NULL",
    )
    .bind(ws.get())
    .bind(id.get())
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE login_code SET voided_at = $3
         WHERE workspace_id = $1 AND consumed_at IS NULL AND voided_at IS NULL
           AND (client_id = $2 OR (client_id IS NULL AND email_norm IN
                (SELECT email_norm FROM contact WHERE client_id = $2 AND email_norm IS NOT NULL)))",
    )
    .bind(ws.get())
    .bind(id.get())
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Filters of the API's client list; empty or `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct ClientFilter<'a> {
    pub search: &'a str,
    pub portal: Option<bool>,
    pub kind: Option<&'a str>,
}

/// The changeable fields of a client (its kind is fixed once created).
pub struct ClientChanges<'a> {
    pub name: &'a str,
    pub phone: &'a str,
    pub billing_address: &'a str,
    pub site_address: &'a str,
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
    /// One keyset page of a workspace's live (not archived) clients, newest first:
    /// those with an id below `before`, at most `limit`.
    pub async fn clients_page(
        &self,
        ws: WorkspaceId,
        filter: &ClientFilter<'_>,
        before: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<ClientRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {CLIENT_COLUMNS} FROM client c LEFT JOIN staff_user s ON s.id = c.portal_enabled_by
             WHERE c.workspace_id = $1 AND c.deleted_at IS NULL AND c.archived_at IS NULL
               AND LOWER(c.name) LIKE $2 ESCAPE '\\'
               AND ($3 = -1 OR c.portal_enabled = $3)
               AND ($4 = '' OR c.kind = $4)
               AND ($5 = 0 OR c.id < $5)
             ORDER BY c.id DESC LIMIT $6"
        ))
        .bind(ws.get())
        .bind(like_pattern(filter.search))
        .bind(filter.portal.map_or(-1, i64::from))
        .bind(filter.kind.unwrap_or(""))
        .bind(before.unwrap_or(0))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn update_client(
        &self,
        ws: WorkspaceId,
        id: ClientId,
        changes: &ClientChanges<'_>,
        now_ms: i64,
    ) -> StoreResult<ClientRow> {
        let n = sqlx::query(
            "UPDATE client SET name = $3, phone = $4, billing_address = $5, site_address = $6, updated_at = $7
             WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL",
        )
        .bind(ws.get())
        .bind(id.get())
        .bind(changes.name)
        .bind(changes.phone)
        .bind(changes.billing_address)
        .bind(changes.site_address)
        .bind(now_ms)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        self.client(ws, id).await
    }

    /// Archives a client: hidden from lists, its portal link stops working (the portal
    /// lookup skips archived clients) and its open sessions and codes end. Nothing is
    /// deleted; archiving twice keeps the first date.
    pub async fn archive_client(
        &self,
        ws: WorkspaceId,
        id: ClientId,
        now_ms: i64,
    ) -> StoreResult<ClientRow> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE client SET archived_at = COALESCE(archived_at, $3), updated_at = $3
             WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL",
        )
        .bind(ws.get())
        .bind(id.get())
        .bind(now_ms)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        close_client_access(&mut tx, ws, id, now_ms).await?;
        tx.commit().await?;
        self.client(ws, id).await
    }
}
