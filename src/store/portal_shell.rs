//! What every signed-in portal page needs of its workspace before its own content, kept
//! for a few seconds (see [`super::workspace_cache`]). The client's part of the frame
//! comes with the session (its name, how many clients the address may switch between)
//! and from [`super::client_view`] (the sidebar's badges).

use std::sync::Arc;

use sqlx::FromRow;

use super::settings::Logo;
use super::workspace_cache::WorkspaceView;
use super::workspaces::{BusinessProfile, WorkspaceRow};
use super::{Store, StoreResult};
use crate::ids::WorkspaceId;

#[derive(Debug, FromRow)]
struct WorkspaceViewRow {
    id: i64,
    slug: String,
    name: String,
    time_zone: String,
    default_currency: String,
    portal_idle_minutes: i64,
    portal_absolute_minutes: i64,
    display_name: String,
    about_us: String,
    address: String,
    phone: String,
    email: String,
    website: String,
    hours: String,
    accent_colour: String,
    logo_file_id: Option<i64>,
    logo_content_type: String,
    stripe: i64,
    telr: i64,
}

impl From<WorkspaceViewRow> for WorkspaceView {
    fn from(r: WorkspaceViewRow) -> Self {
        WorkspaceView {
            workspace: WorkspaceRow {
                id: r.id,
                slug: r.slug,
                name: r.name,
                time_zone: r.time_zone,
                default_currency: r.default_currency,
                portal_idle_minutes: r.portal_idle_minutes,
                portal_absolute_minutes: r.portal_absolute_minutes,
            },
            profile: BusinessProfile {
                display_name: r.display_name,
                about_us: r.about_us,
                address: r.address,
                phone: r.phone,
                email: r.email,
                website: r.website,
                hours: r.hours,
                accent_colour: r.accent_colour,
            },
            logo: r
                .logo_file_id
                .filter(|_| !r.logo_content_type.is_empty())
                .map(|id| Logo {
                    id,
                    content_type: r.logo_content_type,
                }),
            providers: [("stripe", r.stripe), ("telr", r.telr)]
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .map(|(p, _)| p)
                .collect(),
        }
    }
}

impl Store {
    /// The workspace as the portal shows it: from the cache when it is fresh, else read
    /// and kept.
    pub async fn portal_workspace(&self, ws: WorkspaceId) -> StoreResult<Arc<WorkspaceView>> {
        if let Some(view) = self.workspace_cache.get(ws) {
            return Ok(view);
        }
        let row: WorkspaceViewRow = sqlx::query_as(
            "SELECT w.id, w.slug, w.name, w.time_zone, w.default_currency, w.portal_idle_minutes,
                    w.portal_absolute_minutes, p.display_name, p.about_us, p.address, p.phone, p.email,
                    p.website, p.hours, p.accent_colour, p.logo_file_id, p.logo_content_type,
                    (SELECT COUNT(*) FROM integration i WHERE i.workspace_id = w.id AND i.provider = 'stripe') AS stripe,
                    (SELECT COUNT(*) FROM integration i WHERE i.workspace_id = w.id AND i.provider = 'telr') AS telr
             FROM workspace w
             JOIN business_profile p ON p.workspace_id = w.id
             WHERE w.id = $1",
        )
        .bind(ws.get())
        .fetch_one(&self.pool)
        .await?;
        let view = Arc::new(WorkspaceView::from(row));
        self.workspace_cache.put(ws, Arc::clone(&view));
        Ok(view)
    }

    /// Forgets what the portal keeps of `ws`; every write to its row, business profile,
    /// logo or payment connections calls this.
    pub(crate) fn workspace_changed(&self, ws: WorkspaceId) {
        self.workspace_cache.forget(ws);
    }
}
