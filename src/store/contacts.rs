//! Contacts: the people under a client, and the only ones who can log in to its portal.

use sqlx::FromRow;

use super::submission::Once;
use super::{Store, StoreError, StoreResult};
use crate::domain::email::EmailAddress;
use crate::ids::{ClientId, ContactId, WorkspaceId};

#[derive(Debug, Clone, FromRow)]
pub struct ContactRow {
    pub id: i64,
    pub client_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: String,
    pub role: String,
    pub is_primary: i64,
}

impl ContactRow {
    pub fn id(&self) -> ContactId {
        ContactId::from_db(self.id)
    }

    pub fn full_name(&self) -> String {
        if self.last_name.is_empty() {
            self.first_name.clone()
        } else {
            format!("{} {}", self.first_name, self.last_name)
        }
    }
}

pub struct NewContact<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: Option<&'a EmailAddress>,
    pub phone: &'a str,
    pub role: &'a str,
    pub is_primary: bool,
}

/// A client a given address may log in to, for the "pick a client" step.
#[derive(Debug, Clone, FromRow)]
pub struct PortalChoice {
    pub client_id: i64,
    pub client_name: String,
    pub contact_id: i64,
    pub first_name: String,
    /// The address as stored on the contact: the only one codes are sent to.
    pub email: Option<String>,
}

const CONTACT_COLUMNS: &str =
    "id, client_id, first_name, last_name, email, phone, role, is_primary";

impl Store {
    pub async fn create_contact(
        &self,
        ws: WorkspaceId,
        client: ClientId,
        new: &NewContact<'_>,
        now_ms: i64,
    ) -> StoreResult<ContactId> {
        self.create_contact_once(ws, client, new, None, now_ms)
            .await
            .map(|made| made.value)
    }

    /// [`Store::create_contact`] from a New form: a `submission_key` already used in the
    /// workspace answers the contact it made.
    pub async fn create_contact_once(
        &self,
        ws: WorkspaceId,
        client: ClientId,
        new: &NewContact<'_>,
        submission_key: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<Once<ContactId>> {
        let made: Once<(i64,)> = self
            .once_per_submission(ws, "contact", "id", submission_key, |key| async move {
            let id = ContactId::new();
            let inserted = sqlx::query(
                "INSERT INTO contact (id, workspace_id, client_id, first_name, last_name, email, email_norm, phone, role, is_primary, created_at, updated_at, submission_key)
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12
                 WHERE EXISTS (SELECT 1 FROM client WHERE id = $3 AND workspace_id = $2 AND deleted_at IS NULL)",
            )
            .bind(id.get())
            .bind(ws.get())
            .bind(client.get())
            .bind(new.first_name)
            .bind(new.last_name)
            .bind(new.email.map(|e| e.as_str().to_string()))
            .bind(new.email.map(|e| e.normalised().to_string()))
            .bind(new.phone)
            .bind(new.role)
            .bind(i64::from(new.is_primary))
            .bind(now_ms)
            .bind(key)
            .execute(&self.pool)
            .await?
            .rows_affected();
            if inserted == 0 {
                return Err(StoreError::NotFound);
            }
            Ok((id.get(),))
            })
            .await?;
        Ok(made.map(|(id,)| ContactId::from_db(id)))
    }

    pub async fn contacts_of(
        &self,
        ws: WorkspaceId,
        client: ClientId,
    ) -> StoreResult<Vec<ContactRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {CONTACT_COLUMNS} FROM contact
             WHERE workspace_id = $1 AND client_id = $2 AND deleted_at IS NULL
             ORDER BY is_primary DESC, first_name, id"
        ))
        .bind(ws.get())
        .bind(client.get())
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn contact(&self, ws: WorkspaceId, id: ContactId) -> StoreResult<ContactRow> {
        sqlx::query_as(&format!(
            "SELECT {CONTACT_COLUMNS} FROM contact WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL"
        ))
        .bind(ws.get())
        .bind(id.get())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// Changes (or removes) a contact's address. Sessions made for the old address end and
    /// codes sent to it are voided, in the same transaction.
    pub async fn set_contact_email(
        &self,
        ws: WorkspaceId,
        id: ContactId,
        email: Option<&EmailAddress>,
        now_ms: i64,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let old: Option<(i64, Option<String>)> = sqlx::query_as(
            "SELECT client_id, email_norm FROM contact WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL",
        )
        .bind(ws.get())
        .bind(id.get())
        .fetch_optional(&mut *tx)
        .await?;
        let (client_id, old_norm) = old.ok_or(StoreError::NotFound)?;
        sqlx::query("UPDATE contact SET email = $3, email_norm = $4, updated_at = $5 WHERE workspace_id = $1 AND id = $2")
            .bind(ws.get())
            .bind(id.get())
            .bind(email.map(|e| e.as_str().to_string()))
            .bind(email.map(|e| e.normalised().to_string()))
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        if old_norm.as_deref() != email.map(EmailAddress::normalised) {
            end_contact_access(&mut tx, ws, id, client_id, old_norm.as_deref(), now_ms).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Removes a contact (kept for history, hidden everywhere) and ends its access.
    pub async fn delete_contact(
        &self,
        ws: WorkspaceId,
        id: ContactId,
        now_ms: i64,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let old: Option<(i64, Option<String>)> = sqlx::query_as(
            "SELECT client_id, email_norm FROM contact WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL",
        )
        .bind(ws.get())
        .bind(id.get())
        .fetch_optional(&mut *tx)
        .await?;
        let (client_id, old_norm) = old.ok_or(StoreError::NotFound)?;
        sqlx::query("UPDATE contact SET deleted_at = $3, updated_at = $3 WHERE workspace_id = $1 AND id = $2")
            .bind(ws.get())
            .bind(id.get())
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        end_contact_access(&mut tx, ws, id, client_id, old_norm.as_deref(), now_ms).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every client whose portal is on and that has a contact with this address.
    /// `only_client` narrows it to the client a portal link names.
    pub async fn portal_choices(
        &self,
        ws: WorkspaceId,
        email_norm: &str,
        only_client: Option<ClientId>,
    ) -> StoreResult<Vec<PortalChoice>> {
        Ok(sqlx::query_as(
            "SELECT c.id AS client_id, c.name AS client_name, ct.id AS contact_id, ct.first_name, ct.email
             FROM contact ct JOIN client c ON c.id = ct.client_id
             WHERE ct.workspace_id = $1 AND ct.email_norm = $2 AND ct.deleted_at IS NULL
               AND c.portal_enabled = 1 AND c.deleted_at IS NULL AND c.archived_at IS NULL
               AND ($3 = 0 OR c.id = $3)
             ORDER BY LOWER(c.name), c.id",
        )
        .bind(ws.get())
        .bind(email_norm)
        .bind(only_client.map_or(0, ClientId::get))
        .fetch_all(&self.pool)
        .await?)
    }
}

async fn end_contact_access(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    ws: WorkspaceId,
    contact: ContactId,
    client_id: i64,
    old_norm: Option<&str>,
    now_ms: i64,
) -> StoreResult<()> {
    sqlx::query("UPDATE portal_session SET revoked_at = $3 WHERE workspace_id = $1 AND contact_id = $2 AND revoked_at IS NULL")
        .bind(ws.get())
        .bind(contact.get())
        .bind(now_ms)
        .execute(&mut **tx)
        .await?;
    if let Some(norm) = old_norm {
        sqlx::query(
            "UPDATE login_code SET voided_at = $4
             WHERE workspace_id = $1 AND email_norm = $2 AND (client_id = $3 OR client_id IS NULL)
               AND consumed_at IS NULL AND voided_at IS NULL",
        )
        .bind(ws.get())
        .bind(norm)
        .bind(client_id)
        .bind(now_ms)
        .execute(&mut **tx)
        .await?;
        // Sessions still choosing a client were made for the address, not a contact.
        sqlx::query(
            "UPDATE portal_session SET revoked_at = $3
             WHERE workspace_id = $1 AND email_norm = $2 AND contact_id IS NULL AND revoked_at IS NULL",
        )
        .bind(ws.get())
        .bind(norm)
        .bind(now_ms)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

impl Store {
    /// One keyset page of a client's contacts, oldest first: ids above `after`.
    pub async fn contacts_page(
        &self,
        ws: WorkspaceId,
        client: ClientId,
        after: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<ContactRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {CONTACT_COLUMNS} FROM contact
             WHERE workspace_id = $1 AND client_id = $2 AND deleted_at IS NULL AND id > $3
             ORDER BY id LIMIT $4"
        ))
        .bind(ws.get())
        .bind(client.get())
        .bind(after.unwrap_or(0))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Replaces a contact's details. When the address changes, sessions made for the old
    /// one end and codes sent to it are voided, in the same transaction; an address
    /// another contact of the client has is a [`StoreError::Conflict`].
    pub async fn update_contact(
        &self,
        ws: WorkspaceId,
        id: ContactId,
        new: &NewContact<'_>,
        now_ms: i64,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let old: Option<(i64, Option<String>)> = sqlx::query_as(
            "SELECT client_id, email_norm FROM contact WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL",
        )
        .bind(ws.get())
        .bind(id.get())
        .fetch_optional(&mut *tx)
        .await?;
        let (client_id, old_norm) = old.ok_or(StoreError::NotFound)?;
        sqlx::query(
            "UPDATE contact SET first_name = $3, last_name = $4, email = $5, email_norm = $6,
                 phone = $7, role = $8, updated_at = $9
             WHERE workspace_id = $1 AND id = $2",
        )
        .bind(ws.get())
        .bind(id.get())
        .bind(new.first_name)
        .bind(new.last_name)
        .bind(new.email.map(|e| e.as_str().to_string()))
        .bind(new.email.map(|e| e.normalised().to_string()))
        .bind(new.phone)
        .bind(new.role)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        if old_norm.as_deref() != new.email.map(EmailAddress::normalised) {
            end_contact_access(&mut tx, ws, id, client_id, old_norm.as_deref(), now_ms).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
