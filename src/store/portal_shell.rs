//! What every signed-in portal page needs before its own content, in one round trip:
//! the workspace, its business profile, the client's name, how many clients the
//! signed-in address may switch between, and the connected payment providers. (Four queries before; at a dozen queries a
//! page, each one is a measurable share of a page's cost.)

use sqlx::FromRow;

use super::workspaces::{BusinessProfile, WorkspaceRow};
use super::{ClientScope, Store, StoreResult};

#[derive(Debug, FromRow)]
struct ShellRow {
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
    client_name: String,
    choices: i64,
    stripe: i64,
    telr: i64,
}

/// The shell's data for one signed-in contact.
#[derive(Debug)]
pub struct PortalShell {
    pub workspace: WorkspaceRow,
    pub profile: BusinessProfile,
    pub client_name: String,
    /// Clients with the portal on where the signed-in address is a contact (as
    /// [`Store::portal_choices`] lists them).
    pub choices: i64,
    /// The payment providers the workspace has connected, in the order Pay now offers
    /// them (as `payments::service::connected_providers` answers).
    pub providers: Vec<&'static str>,
}

impl Store {
    pub async fn portal_shell(
        &self,
        scope: ClientScope,
        email_norm: &str,
    ) -> StoreResult<PortalShell> {
        let r: ShellRow = sqlx::query_as(
            "SELECT w.id, w.slug, w.name, w.time_zone, w.default_currency, w.portal_idle_minutes,
                    w.portal_absolute_minutes, p.display_name, p.about_us, p.address, p.phone, p.email,
                    p.website, p.hours, p.accent_colour, c.name AS client_name,
                    (SELECT COUNT(*) FROM contact ct JOIN client o ON o.id = ct.client_id
                      WHERE ct.workspace_id = w.id AND ct.email_norm = $3 AND ct.deleted_at IS NULL
                        AND o.portal_enabled = 1 AND o.deleted_at IS NULL AND o.archived_at IS NULL) AS choices,
                    (SELECT COUNT(*) FROM integration i WHERE i.workspace_id = w.id AND i.provider = 'stripe') AS stripe,
                    (SELECT COUNT(*) FROM integration i WHERE i.workspace_id = w.id AND i.provider = 'telr') AS telr
             FROM workspace w
             JOIN business_profile p ON p.workspace_id = w.id
             JOIN client c ON c.workspace_id = w.id AND c.id = $2
             WHERE w.id = $1",
        )
        .bind(scope.workspace_id().get())
        .bind(scope.client_id().get())
        .bind(email_norm)
        .fetch_one(&self.pool)
        .await?;
        Ok(PortalShell {
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
            client_name: r.client_name,
            choices: r.choices,
            providers: [("stripe", r.stripe), ("telr", r.telr)]
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .map(|(p, _)| p)
                .collect(),
        })
    }
}
