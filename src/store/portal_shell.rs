//! What every signed-in portal page needs before its own content: the workspace as the
//! portal shows it (kept for a few seconds, see [`super::workspace_cache`]) and, in one
//! statement, the client's part: its name, how many clients the signed-in address may
//! switch between, and the sidebar's badges. Both run on the page's connection.

use std::sync::Arc;

use sqlx::{AnyConnection, FromRow};

use super::settings::Logo;
use super::workspace_cache::WorkspaceView;
use super::workspaces::{BusinessProfile, WorkspaceRow};
use super::{ClientScope, Store, StoreResult};
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

/// The client's part of the shell for one signed-in contact.
#[derive(Debug, FromRow)]
pub struct ClientShell {
    pub client_name: String,
    /// Clients with the portal on where the signed-in address is a contact (as
    /// [`Store::portal_choices`] lists them).
    pub choices: i64,
    /// Payable invoices with a balance.
    pub invoice_badge: i64,
    /// Sent quotes still valid today.
    pub quote_badge: i64,
    /// Open tasks shared with the client.
    pub task_badge: i64,
}

impl Store {
    /// The workspace as the portal shows it: from the cache when it is fresh, else read
    /// on `db` and kept.
    pub async fn portal_workspace(
        &self,
        db: &mut AnyConnection,
        ws: WorkspaceId,
    ) -> StoreResult<Arc<WorkspaceView>> {
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
        .fetch_one(db)
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

    /// The client's part of the shell; `today` is the workspace's date.
    pub async fn portal_client_shell(
        &self,
        db: &mut AnyConnection,
        scope: ClientScope,
        email_norm: &str,
        today: &str,
    ) -> StoreResult<ClientShell> {
        Ok(sqlx::query_as(
            "SELECT c.name AS client_name,
                    (SELECT COUNT(*) FROM contact ct JOIN client o ON o.id = ct.client_id
                      WHERE ct.workspace_id = c.workspace_id AND ct.email_norm = $3 AND ct.deleted_at IS NULL
                        AND o.portal_enabled = 1 AND o.deleted_at IS NULL AND o.archived_at IS NULL) AS choices,
                    (SELECT COUNT(*) FROM invoice WHERE workspace_id = $1 AND client_id = $2 AND status IN ('sent', 'partially_paid')
                      AND total_minor > paid_minor AND deleted_at IS NULL AND archived_at IS NULL) AS invoice_badge,
                    (SELECT COUNT(*) FROM quote WHERE workspace_id = $1 AND client_id = $2 AND status = 'sent' AND valid_until >= $4
                      AND deleted_at IS NULL AND archived_at IS NULL) AS quote_badge,
                    (SELECT COUNT(*) FROM task WHERE workspace_id = $1 AND client_id = $2 AND shared_with_client = 1
                      AND done_at IS NULL AND deleted_at IS NULL) AS task_badge
             FROM client c
             WHERE c.workspace_id = $1 AND c.id = $2",
        )
        .bind(scope.workspace_id().get())
        .bind(scope.client_id().get())
        .bind(email_norm)
        .bind(today)
        .fetch_one(db)
        .await?)
    }
}
