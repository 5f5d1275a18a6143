//! The audit log page: who did what, when and from where, newest first. For the
//! workspace's owners and admins only.

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use serde::Deserialize;

use super::session::StaffUser;
use crate::app::AppState;
use crate::domain::records::display_instant;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::Query;

const PAGE: i64 = 50;

/// The filters offered, each a fixed list of actions.
const CATEGORIES: &[(&str, &str, &[&str])] = &[
    ("", "Everything", &[]),
    (
        "access",
        "Portal access changes",
        &[
            "portal.enabled",
            "portal.disabled",
            "portal.link_regenerated",
        ],
    ),
    (
        "logins",
        "Sign-ins and sign-outs",
        &[
            "portal.login",
            "portal.logout",
            "portal.client_chosen",
            "staff.login",
            "staff.logout",
        ],
    ),
    (
        "failures",
        "Failed sign-ins and lockouts",
        &[
            "portal.login_failed",
            "portal.code_locked",
            "portal.login_throttled",
            "portal.code_rate_limited",
            "staff.login_failed",
            "staff.locked_out",
            "staff.login_locked",
        ],
    ),
    (
        "downloads",
        "File downloads",
        &["file.downloaded", "document.pdf_downloaded"],
    ),
    (
        "payments",
        "Payments",
        &[
            "payment.recorded",
            "payment.started",
            "payment.succeeded",
            "payment.refunded",
            "payment.mismatch",
            "payment.callback_rejected",
            "integration.connected",
            "integration.disconnected",
        ],
    ),
    (
        "records",
        "Clients, contacts and requests",
        &[
            "client.created",
            "client.updated",
            "client.archived",
            "contact.created",
            "contact.updated",
            "contact.deleted",
            "contact.email_changed",
            "request.created",
            "request.status_changed",
            "request.assigned",
            "request.note_added",
            "request.converted",
        ],
    ),
    (
        "documents",
        "Quotes and invoices",
        &[
            "invoice.created",
            "invoice.updated",
            "invoice.sent",
            "invoice.voided",
            "invoice.deleted",
            "quote.created",
            "quote.updated",
            "quote.sent",
            "quote.accepted",
            "quote.declined",
            "quote.deleted",
            "numbering.changed",
            "payments.partial_changed",
        ],
    ),
    (
        "api_tokens",
        "API tokens",
        &["api_token.created", "api_token.revoked"],
    ),
    (
        "staff",
        "Staff and roles",
        &[
            "setup.completed",
            "staff.invited",
            "staff.invite_withdrawn",
            "staff.joined",
            "staff.role_changed",
            "staff.disabled",
            "staff.enabled",
        ],
    ),
    (
        "settings",
        "Settings and catalogue",
        &[
            "settings.changed",
            "settings.logo_changed",
            "settings.logo_removed",
            "product.created",
            "product.updated",
            "product.archived",
            "product.restored",
        ],
    ),
];

pub struct Entry {
    pub at: String,
    pub who: String,
    pub action: String,
    pub subject: String,
    pub client_href: Option<String>,
    pub ip: String,
    pub detail: String,
}

pub struct Category {
    pub key: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "staff/audit.html")]
struct AuditPage {
    user: StaffUser,
    categories: Vec<Category>,
    entries: Vec<Entry>,
    next_href: Option<String>,
    first_href: Option<String>,
    who: String,
    /// The workspace's time zone, in which times are shown.
    tz: String,
}

#[derive(Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    show: String,
    #[serde(default)]
    before: String,
    /// Only what this person (an email) did.
    #[serde(default)]
    who: String,
}

pub async fn page(
    State(state): State<AppState>,
    user: StaffUser,
    Query(q): Query<AuditQuery>,
) -> AppResult<Html<String>> {
    if !user.is_admin() {
        return Err(AppError::Forbidden(
            "Only the workspace's owners and admins can see the audit log.".into(),
        ));
    }
    let (key, _, actions) = CATEGORIES
        .iter()
        .find(|(k, _, _)| *k == q.show)
        .ok_or_else(|| AppError::BadRequest("There is no such filter for the audit log.".into()))?;
    let before = match q.before.as_str() {
        "" => None,
        raw => Some(
            raw.parse::<crate::ids::AuditEventId>()
                .map_err(|_| AppError::BadRequest("This page link is not valid.".into()))?
                .get(),
        ),
    };
    let tz = state.store.workspace(user.workspace_id).await?.time_zone;
    let who: String = q.who.trim().chars().take(254).collect();
    let rows = state
        .store
        .audit_page_by(user.workspace_id, actions, &who, before, PAGE + 1)
        .await?;
    let more = rows.len() as i64 > PAGE;
    let rows = &rows[..rows.len().min(PAGE as usize)];
    let mut base = "/staff/audit?".to_string();
    if !key.is_empty() {
        base.push_str(&format!("show={key}&"));
    }
    if !who.is_empty() {
        let encoded: String = url::form_urlencoded::byte_serialize(who.as_bytes()).collect();
        base.push_str(&format!("who={encoded}&"));
    }
    let entries = rows
        .iter()
        .map(|(_, e)| Entry {
            at: display_instant(e.at, &tz),
            who: if e.actor_label.is_empty() {
                e.actor_kind.clone()
            } else {
                format!("{} ({})", e.actor_label, e.actor_kind)
            },
            action: e.action.clone(),
            subject: match e.subject_id {
                Some(id) => format!("{} {id}", e.subject_kind),
                None => e.subject_kind.clone(),
            },
            client_href: e.client_id.map(|c| format!("/staff/clients/{c}")),
            ip: e.ip.clone(),
            detail: e.detail.clone(),
        })
        .collect();
    let view = AuditPage {
        categories: CATEGORIES
            .iter()
            .map(|(k, l, _)| Category {
                key: k,
                label: l,
                selected: k == key,
            })
            .collect(),
        entries,
        next_href: if more {
            rows.last().map(|(id, _)| format!("{base}before={id}"))
        } else {
            None
        },
        first_href: before.map(|_| base.trim_end_matches(['&', '?']).to_string()),
        who,
        tz: tz.clone(),
        user,
    };
    Ok(Html(view.render()?))
}
