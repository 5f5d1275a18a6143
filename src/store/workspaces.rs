//! Workspaces (one business each) and their public business profile.

use sqlx::FromRow;

use super::{Store, StoreResult};
use crate::ids::WorkspaceId;

#[derive(Debug, Clone, FromRow)]
pub struct WorkspaceRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub time_zone: String,
    pub default_currency: String,
    pub portal_idle_minutes: i64,
    pub portal_absolute_minutes: i64,
}

impl WorkspaceRow {
    pub fn id(&self) -> WorkspaceId {
        WorkspaceId::from_db(self.id)
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct BusinessProfile {
    pub display_name: String,
    pub about_us: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub website: String,
    pub hours: String,
    pub accent_colour: String,
}

pub struct NewWorkspace<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub time_zone: &'a str,
    pub default_currency: &'a str,
}

/// A workspace with its business profile and number sequences, inside `tx`.
pub(super) async fn insert_workspace(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: WorkspaceId,
    new: &NewWorkspace<'_>,
    now_ms: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO workspace (id, slug, name, time_zone, default_currency, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(id.get())
    .bind(new.slug)
    .bind(new.name)
    .bind(new.time_zone)
    .bind(new.default_currency)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO business_profile (workspace_id, display_name, updated_at) VALUES ($1, $2, $3)",
    )
    .bind(id.get())
    .bind(new.name)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    for (kind, prefix) in [("quote", "Q-"), ("invoice", "INV-"), ("job", "J-")] {
        sqlx::query("INSERT INTO number_sequence (workspace_id, kind, prefix, next_value) VALUES ($1, $2, $3, 1)")
            .bind(id.get())
            .bind(kind)
            .bind(prefix)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

const WORKSPACE_COLUMNS: &str =
    "id, slug, name, time_zone, default_currency, portal_idle_minutes, portal_absolute_minutes";

impl Store {
    pub async fn create_workspace(
        &self,
        new: &NewWorkspace<'_>,
        now_ms: i64,
    ) -> StoreResult<WorkspaceId> {
        let id = WorkspaceId::new();
        let mut tx = self.begin_write().await?;
        insert_workspace(&mut tx, id, new, now_ms).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn workspace(&self, id: WorkspaceId) -> StoreResult<WorkspaceRow> {
        Ok(sqlx::query_as(&format!(
            "SELECT {WORKSPACE_COLUMNS} FROM workspace WHERE id = $1"
        ))
        .bind(id.get())
        .fetch_one(&self.pool)
        .await?)
    }

    pub async fn workspace_by_slug(&self, slug: &str) -> StoreResult<Option<WorkspaceRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {WORKSPACE_COLUMNS} FROM workspace WHERE slug = $1"
        ))
        .bind(slug)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The deployment's first workspace: the one `/portal` and `/staff` serve when no
    /// other is named.
    pub async fn default_workspace(&self) -> StoreResult<Option<WorkspaceRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {WORKSPACE_COLUMNS} FROM workspace ORDER BY id LIMIT 1"
        ))
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn business_profile(&self, id: WorkspaceId) -> StoreResult<BusinessProfile> {
        Ok(sqlx::query_as(
            "SELECT display_name, about_us, address, phone, email, website, hours, accent_colour
             FROM business_profile WHERE workspace_id = $1",
        )
        .bind(id.get())
        .fetch_one(&self.pool)
        .await?)
    }

    pub async fn save_business_profile(
        &self,
        id: WorkspaceId,
        p: &BusinessProfile,
        now_ms: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE business_profile SET display_name = $2, about_us = $3, address = $4, phone = $5, email = $6,
                 website = $7, hours = $8, accent_colour = $9, updated_at = $10
             WHERE workspace_id = $1",
        )
        .bind(id.get())
        .bind(&p.display_name)
        .bind(&p.about_us)
        .bind(&p.address)
        .bind(&p.phone)
        .bind(&p.email)
        .bind(&p.website)
        .bind(&p.hours)
        .bind(&p.accent_colour)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        self.workspace_changed(id);
        Ok(())
    }

    pub async fn set_portal_session_lengths(
        &self,
        id: WorkspaceId,
        idle_minutes: i64,
        absolute_minutes: i64,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE workspace SET portal_idle_minutes = $2, portal_absolute_minutes = $3 WHERE id = $1")
            .bind(id.get())
            .bind(idle_minutes)
            .bind(absolute_minutes)
            .execute(&self.pool)
            .await?;
        self.workspace_changed(id);
        Ok(())
    }
}
