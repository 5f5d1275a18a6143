//! Pieces every portal page shows: the business's brand and the signed-in shell.

use crate::ids::WorkspaceId;
use crate::store::workspaces::BusinessProfile;

pub struct Brand {
    pub workspace_id: i64,
    pub name: String,
    pub initials: String,
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
        }
    }
}

pub struct NavItem {
    pub key: &'static str,
    pub label: &'static str,
    pub href: &'static str,
    pub badge: i64,
}

/// The ten sidebar sections, in the order the portal shows them.
pub fn nav(invoice_badge: i64, quote_badge: i64) -> Vec<NavItem> {
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
        item("tasks", "Tasks", "/portal/tasks", 0),
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
}
