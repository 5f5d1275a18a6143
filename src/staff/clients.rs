//! Clients list, client record with its Client Portal section, and contact pages.

use crate::web::extract::Form;
use crate::web::extract::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::session::StaffUser;
use crate::app::AppState;
use crate::domain::email::EmailAddress;
use crate::domain::records::display_instant;
use crate::ids::{ClientId, ContactId};
use crate::store::client_admin::{Archived, StaffClientFilter, StaffClientListRow};
use crate::store::clients::ClientRow;
use crate::store::contacts::ContactRow;
use crate::web::error::{AppError, AppResult};
use crate::web::ClientIp;

const PAGE_SIZE: i64 = 50;

#[derive(Template)]
#[template(path = "staff/clients.html")]
struct ListPage {
    user: StaffUser,
    q: String,
    portal: String,
    kind: String,
    archived: String,
    /// The filters as a query string, for the pager's links.
    filter_query: String,
    rows: Vec<StaffClientListRow>,
    page: i64,
    has_next: bool,
}

/// What the Client Portal section on a record shows.
pub struct PortalPanel {
    pub enabled: bool,
    pub link: Option<String>,
    pub enabled_at: Option<String>,
    pub enabled_by: Option<String>,
    pub last_login: Option<String>,
}

#[derive(Template)]
#[template(path = "staff/client.html")]
struct RecordPage {
    user: StaffUser,
    client: ClientRow,
    contacts: Vec<ContactRow>,
    portal: PortalPanel,
    notice: Option<&'static str>,
    back: String,
    files_panel: super::files::FilesPanel,
    work: ClientWork,
}

/// The Work section of a client's record.
pub struct ClientWork {
    pub projects: Vec<crate::store::work_edit::StaffProjectRow>,
    pub jobs: Vec<crate::store::work_edit::StaffJobRow>,
    pub tasks: Vec<crate::store::work_edit::StaffTaskRow>,
}

#[derive(Template)]
#[template(path = "staff/contact.html")]
struct ContactPage {
    user: StaffUser,
    contact: ContactRow,
    client: ClientRow,
    portal: PortalPanel,
    error: Option<String>,
    email_value: String,
    back: String,
    notice: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: Option<String>,
    /// `on`, `off` or empty (any).
    #[serde(default)]
    portal: String,
    /// `company`, `individual` or empty (any).
    #[serde(default)]
    kind: String,
    /// Empty (live clients), `yes` (archived only) or `all`.
    #[serde(default)]
    archived: String,
}

pub async fn list(
    State(state): State<AppState>,
    user: StaffUser,
    Query(query): Query<ListQuery>,
) -> AppResult<Html<String>> {
    let page = query
        .page
        .as_deref()
        .map_or(Ok(1), |p| p.parse::<i64>())
        .ok()
        .filter(|p| (1..=100_000).contains(p));
    let page = page.ok_or_else(|| {
        AppError::BadRequest("The page number must be a whole number from 1.".into())
    })?;
    let portal = match query.portal.as_str() {
        "" => None,
        "on" => Some(true),
        "off" => Some(false),
        _ => {
            return Err(AppError::BadRequest(
                "Portal filter: choose on, off or any.".into(),
            ))
        }
    };
    let kind = match query.kind.as_str() {
        "" => None,
        k @ ("company" | "individual") => Some(k),
        _ => {
            return Err(AppError::BadRequest(
                "Kind filter: choose company, individual or any.".into(),
            ))
        }
    };
    let archived = match query.archived.as_str() {
        "" => Archived::No,
        "yes" => Archived::Only,
        "all" => Archived::Any,
        _ => {
            return Err(AppError::BadRequest(
                "Archived filter: choose live, archived or all.".into(),
            ))
        }
    };
    let q: String = query.q.chars().take(100).collect();
    let filter = StaffClientFilter {
        search: &q,
        portal,
        kind,
        archived,
    };
    let mut rows = state
        .store
        .staff_clients(
            user.workspace_id,
            &filter,
            PAGE_SIZE + 1,
            (page - 1) * PAGE_SIZE,
        )
        .await?;
    let has_next = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let filter_query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("q", &q)
        .append_pair("portal", &query.portal)
        .append_pair("kind", &query.kind)
        .append_pair("archived", &query.archived)
        .finish();
    Ok(Html(
        ListPage {
            user,
            q,
            portal: query.portal,
            kind: query.kind,
            archived: query.archived,
            filter_query,
            rows,
            page,
            has_next,
        }
        .render()?,
    ))
}

fn parse_id<T: std::str::FromStr>(raw: &str) -> AppResult<T> {
    raw.parse().map_err(|_| AppError::NotFound)
}

async fn portal_panel(state: &AppState, client: &ClientRow) -> AppResult<PortalPanel> {
    let tz = state.store.workspace(client_ws(client)).await?.time_zone;
    Ok(PortalPanel {
        enabled: client.portal_on(),
        link: client
            .portal_access_key
            .as_ref()
            .filter(|_| client.portal_on())
            .map(|k| state.config.url(&format!("/portal/{k}"))),
        enabled_at: client.portal_enabled_at.map(|ms| display_instant(ms, &tz)),
        enabled_by: client.portal_enabled_by_name.clone(),
        last_login: client
            .portal_last_login_at
            .map(|ms| display_instant(ms, &tz)),
    })
}

fn client_ws(client: &ClientRow) -> crate::ids::WorkspaceId {
    crate::ids::WorkspaceId::from_db(client.workspace_id)
}

#[derive(Deserialize)]
pub struct RecordQuery {
    notice: Option<String>,
}

pub(super) fn notice_text(notice: Option<&str>) -> Option<&'static str> {
    match notice {
        Some("enabled") => {
            Some("Client portal enabled. Copy the link and share it with the client.")
        }
        Some("disabled") => {
            Some("Client portal disabled. Open sessions have ended; no data was deleted.")
        }
        Some("regenerated") => Some("A new portal link was made. The old link no longer works."),
        Some("file-uploaded") => Some("File attached. The client sees it in their portal now."),
        Some("file-renamed") => Some("File renamed."),
        Some("file-removed") => Some("File removed. The client no longer sees it."),
        Some("saved") => Some("Saved."),
        Some("archived") => Some("Client archived. Its portal is closed and open sessions have ended; nothing was deleted."),
        Some("unarchived") => Some("Client brought back from the archive."),
        Some("job-deleted") => Some("Job deleted. Invoices, quotes and visits that refer to it keep working."),
        Some("project-deleted") => Some("Project deleted."),
        Some("task-deleted") => Some("Task deleted."),
        _ => None,
    }
}

pub async fn record(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    Query(q): Query<RecordQuery>,
) -> AppResult<Html<String>> {
    let id: ClientId = parse_id(&id)?;
    let client = state.store.client(user.workspace_id, id).await?;
    let contacts = state.store.contacts_of(user.workspace_id, id).await?;
    let portal = portal_panel(&state, &client).await?;
    let notice = notice_text(q.notice.as_deref());
    let files_panel = super::files::FilesPanel::for_client(&state, &user, id).await?;
    let work = ClientWork {
        projects: state.store.projects_of(user.workspace_id, id).await?,
        jobs: state.store.jobs_of(user.workspace_id, id).await?,
        tasks: state.store.tasks_of(user.workspace_id, id).await?,
    };
    Ok(Html(
        RecordPage {
            user,
            client,
            contacts,
            portal,
            notice,
            back: String::new(),
            files_panel,
            work,
        }
        .render()?,
    ))
}

#[derive(Deserialize)]
pub struct PortalForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    enabled: String,
    /// `yes` once the staff member has ticked "I understand open sessions end"; turning
    /// access off and regenerating the link sign every contact out.
    #[serde(default)]
    confirm: String,
    /// Where to come back to: "contact:<id>" from an individual's contact page.
    #[serde(default)]
    back: String,
}

async fn audit_portal(
    state: &AppState,
    user: &StaffUser,
    client: &ClientRow,
    action: &str,
    ip: &str,
) -> AppResult<()> {
    user.audit(
        state,
        action,
        ("client", client.id),
        Some(client.id),
        ip,
        &client.name,
    )
    .await?;
    Ok(())
}

/// Back to the individual's contact page when the form came from there (and that
/// contact is this client's), else to the client record.
async fn back_to(
    state: &AppState,
    user: &StaffUser,
    id: ClientId,
    back: &str,
    notice: &str,
) -> String {
    if let Some(contact) = back
        .strip_prefix("contact:")
        .and_then(|c| c.parse::<ContactId>().ok())
    {
        if let Ok(row) = state.store.contact(user.workspace_id, contact).await {
            if row.client_id == id.get() {
                return format!("/staff/contacts/{contact}?notice={notice}");
            }
        }
    }
    format!("/staff/clients/{id}?notice={notice}")
}

/// The step before turning access off or regenerating the link: both end every open
/// portal session of the client, so they wait for an explicit confirmation.
#[derive(Template)]
#[template(path = "staff/portal_confirm.html")]
struct PortalConfirmPage {
    user: StaffUser,
    client: ClientRow,
    /// The path after `/staff/clients/{id}/portal` the form posts to.
    action: &'static str,
    heading: &'static str,
    explanation: &'static str,
    back: String,
}

fn confirm_page(
    user: StaffUser,
    client: ClientRow,
    regenerate: bool,
    back: &str,
) -> AppResult<Response> {
    let page = PortalConfirmPage {
        user,
        client,
        action: if regenerate { "/regenerate" } else { "" },
        heading: if regenerate {
            "Regenerate the portal link"
        } else {
            "Turn Client Portal Access off"
        },
        explanation: if regenerate {
            "The current link stops working at once, and every contact signed in to this portal is signed out. Send the new link to the contacts who should keep access."
        } else {
            "Every contact signed in to this portal is signed out at once, and nobody can sign in until access is turned on again. Nothing is deleted."
        },
        back: back.chars().take(40).collect(),
    };
    Ok(Html(page.render()?).into_response())
}

pub async fn set_portal(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<PortalForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let id: ClientId = parse_id(&id)?;
    let enable = match form.enabled.as_str() {
        "on" | "true" | "1" => true,
        "off" | "false" | "0" => false,
        _ => {
            return Err(AppError::BadRequest(
                "Portal access must be switched on or off.".into(),
            ))
        }
    };
    let client = state.store.client(user.workspace_id, id).await?;
    if client.portal_on() == enable {
        return Ok(Redirect::to(
            &back_to(
                &state,
                &user,
                id,
                &form.back,
                if enable { "enabled" } else { "disabled" },
            )
            .await,
        )
        .into_response());
    }
    if !enable && form.confirm != "yes" {
        return confirm_page(user, client, false, &form.back);
    }
    let now = state.clock.now_ms();
    let client = state
        .store
        .set_portal_access(user.workspace_id, id, enable, Some(user.id), now)
        .await?;
    audit_portal(
        &state,
        &user,
        &client,
        if enable {
            "portal.enabled"
        } else {
            "portal.disabled"
        },
        &ip,
    )
    .await?;
    Ok(Redirect::to(
        &back_to(
            &state,
            &user,
            id,
            &form.back,
            if enable { "enabled" } else { "disabled" },
        )
        .await,
    )
    .into_response())
}

pub async fn regenerate_checked(
    state: &AppState,
    user: &StaffUser,
    id: ClientId,
) -> AppResult<ClientRow> {
    let client = state.store.client(user.workspace_id, id).await?;
    if !client.portal_on() {
        return Err(AppError::BadRequest(
            "Turn Client Portal Access on first; a link is only made while the portal is on."
                .into(),
        ));
    }
    Ok(client)
}

pub async fn regenerate(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<PortalForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let id: ClientId = parse_id(&id)?;
    let client = regenerate_checked(&state, &user, id).await?;
    if form.confirm != "yes" {
        return confirm_page(user, client, true, &form.back);
    }
    let now = state.clock.now_ms();
    let client = state
        .store
        .regenerate_portal_key(user.workspace_id, id, now)
        .await?;
    audit_portal(&state, &user, &client, "portal.link_regenerated", &ip).await?;
    Ok(Redirect::to(&back_to(&state, &user, id, &form.back, "regenerated").await).into_response())
}

pub async fn contact(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    Query(q): Query<RecordQuery>,
) -> AppResult<Html<String>> {
    let id: ContactId = parse_id(&id)?;
    let contact = state.store.contact(user.workspace_id, id).await?;
    let client = state
        .store
        .client(user.workspace_id, ClientId::from_db(contact.client_id))
        .await?;
    let portal = portal_panel(&state, &client).await?;
    let email_value = contact.email.clone().unwrap_or_default();
    Ok(Html(
        ContactPage {
            back: format!("contact:{}", contact.id),
            user,
            contact,
            client,
            portal,
            error: None,
            email_value,
            notice: notice_text(q.notice.as_deref()),
        }
        .render()?,
    ))
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    email: String,
}

/// The contact page again, with the email field's error and what was typed (422).
async fn contact_email_refused(
    state: &AppState,
    user: StaffUser,
    contact: ContactRow,
    typed: &str,
    error: String,
) -> AppResult<Response> {
    let client = state
        .store
        .client(user.workspace_id, ClientId::from_db(contact.client_id))
        .await?;
    let portal = portal_panel(state, &client).await?;
    let page = ContactPage {
        back: format!("contact:{}", contact.id),
        user,
        contact,
        client,
        portal,
        error: Some(error),
        email_value: typed.chars().take(254).collect(),
        notice: None,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
}

/// Changes or clears a contact's email; sessions and codes for the old address end.
pub async fn contact_email(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<EmailForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let id: ContactId = parse_id(&id)?;
    let contact = state.store.contact(user.workspace_id, id).await?;
    let email = if form.email.trim().is_empty() {
        None
    } else {
        match EmailAddress::parse(&form.email) {
            Ok(e) => Some(e),
            Err(problem) => {
                let error = format!("Email: {problem}.");
                return contact_email_refused(&state, user, contact, &form.email, error).await;
            }
        }
    };
    let now = state.clock.now_ms();
    match state
        .store
        .set_contact_email(user.workspace_id, id, email.as_ref(), now)
        .await
    {
        Ok(()) => {}
        Err(crate::store::StoreError::Conflict(_)) => {
            let error =
                "Email: another contact of this client already has that email address.".into();
            return contact_email_refused(&state, user, contact, &form.email, error).await;
        }
        Err(e) => return Err(e.into()),
    }
    user.audit(
        &state,
        "contact.email_changed",
        ("contact", id.get()),
        Some(contact.client_id),
        &ip,
        "",
    )
    .await?;
    Ok(Redirect::to(&format!("/staff/contacts/{id}")).into_response())
}
