//! Pieces every portal page shows: the business's brand, the signed-in shell, and the
//! list controls (status filter and keyset pages).

use serde::Deserialize;

use super::session::PortalUser;
use crate::app::AppState;
use crate::domain::paging::Cursor;
use crate::domain::portal_view::{find, Filter};
use crate::domain::records::today_in;
use crate::ids::WorkspaceId;
use crate::store::client_view::Badges;
use crate::store::workspace_cache::WorkspaceView;
use crate::store::workspaces::{BusinessProfile, WorkspaceRow};
use crate::web::error::{AppError, AppResult};

pub struct Brand {
    pub workspace_id: i64,
    pub name: String,
    pub initials: String,
    /// The logo's address, when the business uploaded one (shown instead of initials).
    pub logo: Option<String>,
}

impl Brand {
    pub fn new(ws: WorkspaceId, profile: &BusinessProfile) -> Self {
        let initials: String = profile
            .display_name
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .filter(|c| c.is_alphanumeric())
            .take(2)
            .collect::<String>()
            .to_uppercase();
        Self {
            workspace_id: ws.get(),
            name: profile.display_name.clone(),
            initials,
            logo: None,
        }
    }

    /// The brand with the workspace's current logo, if any.
    pub async fn load(
        state: &AppState,
        ws: WorkspaceId,
        profile: &BusinessProfile,
    ) -> AppResult<Self> {
        let mut brand = Self::new(ws, profile);
        brand.logo = state
            .store
            .logo(ws)
            .await?
            .map(|l| crate::web::assets::logo_src(ws, &l));
        Ok(brand)
    }
}

pub struct NavItem {
    pub key: &'static str,
    pub label: &'static str,
    pub href: &'static str,
    pub badge: i64,
}

/// The ten sidebar sections, in the order the portal shows them.
pub fn nav(invoice_badge: i64, quote_badge: i64, task_badge: i64) -> Vec<NavItem> {
    let item = |key, label, href, badge| NavItem {
        key,
        label,
        href,
        badge,
    };
    vec![
        item("requests", "Requests", "/portal/requests", 0),
        item("quotes", "Quotes", "/portal/quotes", quote_badge),
        item("invoices", "Invoices", "/portal/invoices", invoice_badge),
        item("tasks", "Tasks", "/portal/tasks", task_badge),
        item("projects", "Projects", "/portal/projects", 0),
        item("jobs", "Jobs", "/portal/jobs", 0),
        item("files", "Files", "/portal/files", 0),
        item("products", "Products & services", "/portal/products", 0),
        item("about", "About us", "/portal/about", 0),
        item("contact", "Contact", "/portal/contact", 0),
    ]
}

/// The frame around every signed-in page.
pub struct Shell {
    pub brand: Brand,
    pub contact_name: String,
    pub client_name: String,
    pub csrf: String,
    pub active: &'static str,
    pub nav: Vec<NavItem>,
    /// The address is on record at more than one client: offer to switch.
    pub can_switch: bool,
}

/// What a signed-in page needs besides its own content.
pub struct PageContext {
    pub shell: Shell,
    /// Connected payment providers, for the Pay now choices.
    pub providers: Vec<&'static str>,
    pub workspace: WorkspaceRow,
    pub profile: BusinessProfile,
    pub today: jiff::civil::Date,
}

/// Loads the shell for `active`: brand, who is signed in, and the sidebar's badges.
/// Nothing here needs a statement of its own most of the time: the client's name and
/// switch choices come with the session, the workspace and the badges from what the
/// store keeps (see `store::client_view`).
pub async fn page_context(
    state: &AppState,
    user: &PortalUser,
    active: &'static str,
) -> AppResult<PageContext> {
    let ws = state
        .store
        .portal_workspace(user.scope.workspace_id())
        .await?;
    let now = state.clock.now();
    let today = today_in(&ws.workspace.time_zone, now);
    let today_text = today.to_string();
    let badges = state
        .store
        .portal_badges(user.scope, user.stamp(&today_text, now))
        .await?;
    Ok(PageContext::new(&ws, user, today, badges, active))
}

impl PageContext {
    /// The context of a page for `user` on `today`, from what was read for it.
    pub fn new(
        ws: &WorkspaceView,
        user: &PortalUser,
        today: jiff::civil::Date,
        badges: Badges,
        active: &'static str,
    ) -> Self {
        let mut brand = Brand::new(ws.workspace.id(), &ws.profile);
        brand.logo = ws
            .logo
            .as_ref()
            .map(|l| crate::web::assets::logo_src(ws.workspace.id(), l));
        let shell = Shell {
            brand,
            contact_name: user.session.contact_name.clone(),
            client_name: user.session.client_name.clone(),
            csrf: user.session.csrf.clone(),
            active,
            nav: nav(badges.invoices, badges.quotes, badges.tasks),
            can_switch: user.session.choices > 1,
        };
        PageContext {
            shell,
            providers: ws.providers.clone(),
            workspace: ws.workspace.clone(),
            profile: ws.profile.clone(),
            today,
        }
    }
}

/// `?status=…&after=…` on every list.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub after: String,
}

/// A filter tab as the template shows it.
#[derive(Clone)]
pub struct FilterTab {
    pub label: &'static str,
    pub href: String,
    pub current: bool,
}

/// The list's validated filter and cursor, or a clear error for anything else.
pub struct ListControls {
    pub filter: &'static Filter,
    pub after: Option<Cursor>,
    pub tabs: Vec<FilterTab>,
}

impl ListControls {
    pub fn parse(base: &str, filters: &'static [Filter], q: &ListQuery) -> AppResult<Self> {
        let filter = find(filters, q.status.trim()).ok_or_else(|| {
            let known: Vec<&str> = filters
                .iter()
                .filter(|f| !f.key.is_empty())
                .map(|f| f.key)
                .collect();
            AppError::BadRequest(format!(
                "There is no “{}” filter here. Use one of: {}.",
                q.status.chars().take(40).collect::<String>(),
                known.join(", ")
            ))
        })?;
        let after = if q.after.is_empty() {
            None
        } else {
            Some(Cursor::parse(&q.after).map_err(|_| {
                AppError::BadRequest(
                    "This page link is not valid. Go back to the first page of the list.".into(),
                )
            })?)
        };
        let tabs = filters
            .iter()
            .map(|f| FilterTab {
                label: f.label,
                href: if f.key.is_empty() {
                    base.to_string()
                } else {
                    format!("{base}?status={}", f.key)
                },
                current: f.key == filter.key,
            })
            .collect();
        Ok(Self {
            filter,
            after,
            tabs,
        })
    }

    /// Link to the page after `next`, keeping the filter.
    pub fn next_href(&self, base: &str, next: &Option<Cursor>) -> Option<String> {
        next.as_ref().map(|c| {
            if self.filter.key.is_empty() {
                format!("{base}?after={c}")
            } else {
                format!("{base}?status={}&after={c}", self.filter.key)
            }
        })
    }

    /// Link back to the first page, shown on later pages.
    pub fn first_href(&self, base: &str) -> Option<String> {
        self.after.as_ref().map(|_| {
            if self.filter.key.is_empty() {
                base.to_string()
            } else {
                format!("{base}?status={}", self.filter.key)
            }
        })
    }
}

/// What every list page shows around its rows: filter tabs and page links.
pub struct ListChrome {
    pub tabs: Vec<FilterTab>,
    pub first_href: Option<String>,
    pub next_href: Option<String>,
}

impl ListControls {
    /// The tabs and page links of this list, given the cursor of the next page.
    pub fn chrome(&self, base: &str, next: &Option<Cursor>) -> ListChrome {
        ListChrome {
            tabs: self.tabs.clone(),
            first_href: self.first_href(base),
            next_href: self.next_href(base, next),
        }
    }
}

/// Rows per list page.
pub const PAGE_SIZE: i64 = 20;
