//! The settings page's writes: business profile, branding, time zone, default currency
//! and portal session lengths together (one transaction), and the logo.

use super::{Store, StoreError, StoreResult};
use crate::domain::settings::ValidSettings;
use crate::ids::WorkspaceId;

/// The current logo: the id in its storage key, and its checked content type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    pub id: i64,
    pub content_type: String,
}

/// Where a workspace's logo bytes are kept in the file store (ids only).
pub fn logo_key(ws: WorkspaceId, id: i64) -> String {
    format!("ws/{ws}/logo/{id}")
}

impl Store {
    pub async fn save_settings(
        &self,
        ws: WorkspaceId,
        s: &ValidSettings,
        now_ms: i64,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE workspace SET name = $2, time_zone = $3, default_currency = $4,
                 portal_idle_minutes = $5, portal_absolute_minutes = $6, updated_at = $7
             WHERE id = $1",
        )
        .bind(ws.get())
        .bind(&s.display_name)
        .bind(&s.time_zone)
        .bind(&s.default_currency)
        .bind(s.portal_idle_minutes)
        .bind(s.portal_absolute_minutes)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query(
            "UPDATE business_profile SET display_name = $2, about_us = $3, address = $4, phone = $5,
                 email = $6, website = $7, hours = $8, accent_colour = $9, updated_at = $10
             WHERE workspace_id = $1",
        )
        .bind(ws.get())
        .bind(&s.display_name)
        .bind(&s.about_us)
        .bind(&s.address)
        .bind(&s.phone)
        .bind(&s.email)
        .bind(&s.website)
        .bind(&s.hours)
        .bind(&s.accent_colour)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.workspace_changed(ws);
        Ok(())
    }

    pub async fn logo(&self, ws: WorkspaceId) -> StoreResult<Option<Logo>> {
        let row: Option<(Option<i64>, String)> = sqlx::query_as(
            "SELECT logo_file_id, logo_content_type FROM business_profile WHERE workspace_id = $1",
        )
        .bind(ws.get())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(|(id, content_type)| {
            id.filter(|_| !content_type.is_empty())
                .map(|id| Logo { id, content_type })
        }))
    }

    /// Points the profile at a newly stored logo (`None` removes it) and answers the
    /// logo it replaced, whose bytes the caller deletes. The row is locked first (by a
    /// write), so two changes at once each see the logo the other replaced.
    pub async fn set_logo(
        &self,
        ws: WorkspaceId,
        logo: Option<&Logo>,
        now_ms: i64,
    ) -> StoreResult<Option<Logo>> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE business_profile SET updated_at = $2 WHERE workspace_id = $1")
            .bind(ws.get())
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        let old: Option<(Option<i64>, String)> = sqlx::query_as(
            "SELECT logo_file_id, logo_content_type FROM business_profile WHERE workspace_id = $1",
        )
        .bind(ws.get())
        .fetch_optional(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE business_profile SET logo_file_id = $2, logo_content_type = $3, updated_at = $4
             WHERE workspace_id = $1",
        )
        .bind(ws.get())
        .bind(logo.map(|l| l.id))
        .bind(logo.map_or("", |l| l.content_type.as_str()))
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.workspace_changed(ws);
        Ok(old.and_then(|(id, content_type)| id.map(|id| Logo { id, content_type })))
    }
}
