//! The requests inbox: every request clients sent (or staff took), new first, then in
//! review, then the rest; and one request's page, where staff assign it, move its status,
//! add internal notes and convert it to a draft quote or job. Each change writes a
//! request event (the client sees status changes on the portal, never the notes) and an
//! audit event.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::session::StaffUser;
use crate::app::AppState;
use crate::domain::records::{display_date, display_instant, today_in};
use crate::ids::{RequestId, StaffUserId, WorkspaceId};
use crate::store::requests_inbox::{
    ConvertTo, Converted, InboxCursor, QuoteDefaults, RequestDetail, NOTE_MAX,
};
use crate::store::work::REQUEST_STATUSES;
use crate::store::StoreError;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::{Form, Path, Query};
use crate::web::ClientIp;

const PAGE: i64 = 50;
/// A draft quote made from a request is valid for this many days.
const QUOTE_VALID_DAYS: i64 = 30;

pub fn status_label(status: &str) -> &'static str {
    match status {
        "new" => "New",
        "in_review" => "In review",
        "converted" => "Converted",
        "closed" => "Closed",
        _ => "Unknown",
    }
}

pub struct InboxItem {
    pub href: String,
    pub subject: String,
    pub status: &'static str,
    pub client: String,
    pub client_href: String,
    pub assigned: String,
    pub received: String,
}

pub struct StatusOption {
    pub key: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "staff/requests.html")]
struct InboxPage {
    user: StaffUser,
    statuses: Vec<StatusOption>,
    mine: bool,
    items: Vec<InboxItem>,
    next_href: Option<String>,
    first_href: Option<String>,
}

#[derive(Deserialize)]
pub struct InboxQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    mine: String,
    #[serde(default)]
    after: String,
}

fn parse_cursor(raw: &str) -> Option<InboxCursor> {
    let mut parts = raw.split('~');
    let rank: i64 = parts.next()?.parse().ok()?;
    let created_at: i64 = parts.next()?.parse().ok()?;
    let id: i64 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !(0..=2).contains(&rank) || created_at < 0 || id <= 0 {
        return None;
    }
    Some(InboxCursor {
        rank,
        created_at,
        id,
    })
}

pub async fn list(
    State(state): State<AppState>,
    user: StaffUser,
    Query(q): Query<InboxQuery>,
) -> AppResult<Html<String>> {
    if !q.status.is_empty() && !REQUEST_STATUSES.contains(&q.status.as_str()) {
        return Err(AppError::BadRequest(
            "There is no such request status to filter by.".into(),
        ));
    }
    let mine = match q.mine.as_str() {
        "" | "0" => false,
        "1" | "on" => true,
        _ => {
            return Err(AppError::BadRequest(
                "The \"assigned to me\" filter is on or off.".into(),
            ))
        }
    };
    let after = match q.after.as_str() {
        "" => None,
        raw => Some(
            parse_cursor(raw)
                .ok_or_else(|| AppError::BadRequest("This page link is not valid.".into()))?,
        ),
    };
    let tz = state.store.workspace(user.workspace_id).await?.time_zone;
    let status = (!q.status.is_empty()).then_some(q.status.as_str());
    let mut rows = state
        .store
        .inbox_page(
            user.workspace_id,
            status,
            mine.then_some(user.id),
            after,
            PAGE + 1,
        )
        .await?;
    let more = rows.len() as i64 > PAGE;
    rows.truncate(PAGE as usize);
    let mut base = String::from("/staff/requests?");
    if let Some(s) = status {
        base.push_str(&format!("status={s}&"));
    }
    if mine {
        base.push_str("mine=1&");
    }
    let next_href = if more {
        rows.last()
            .map(|r| format!("{base}after={}~{}~{}", r.rank, r.created_at, r.id))
    } else {
        None
    };
    let items = rows
        .into_iter()
        .map(|r| InboxItem {
            href: format!("/staff/requests/{}", r.id),
            subject: r.subject,
            status: status_label(&r.status),
            client_href: format!("/staff/clients/{}", r.client_id),
            client: r.client_name,
            assigned: r.assigned_name.unwrap_or_default(),
            received: display_instant(r.created_at, &tz),
        })
        .collect();
    let mut statuses = vec![StatusOption {
        key: "",
        label: "Any status",
        selected: status.is_none(),
    }];
    statuses.extend(REQUEST_STATUSES.iter().map(|s| StatusOption {
        key: s,
        label: status_label(s),
        selected: status == Some(*s),
    }));
    let view = InboxPage {
        statuses,
        mine,
        items,
        next_href,
        first_href: after.map(|_| base.trim_end_matches(['&', '?']).to_string()),
        user,
    };
    Ok(Html(view.render()?))
}

pub struct HistoryItem {
    pub at: String,
    pub status: &'static str,
    pub who: String,
    pub note: String,
}

pub struct StaffOption {
    pub id: i64,
    pub name: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "staff/request.html")]
struct DetailPage {
    user: StaffUser,
    req: RequestDetail,
    status: &'static str,
    received: String,
    preferred_date: String,
    history: Vec<HistoryItem>,
    staff: Vec<StaffOption>,
    statuses: Vec<StatusOption>,
    can_convert: bool,
    notice: Option<String>,
    note_max: usize,
}

#[derive(Deserialize)]
pub struct DetailQuery {
    #[serde(default)]
    notice: String,
}

fn request_id(raw: &str) -> AppResult<RequestId> {
    raw.parse().map_err(|_| AppError::NotFound)
}

pub async fn detail(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    Query(q): Query<DetailQuery>,
) -> AppResult<Html<String>> {
    let id = request_id(&id)?;
    let req = state.store.staff_request(user.workspace_id, id).await?;
    let tz = state.store.workspace(user.workspace_id).await?.time_zone;
    let history = state
        .store
        .staff_request_history(user.workspace_id, id)
        .await?
        .into_iter()
        .map(|e| HistoryItem {
            at: display_instant(e.created_at, &tz),
            status: status_label(&e.status),
            who: e.staff_name.unwrap_or_default(),
            note: e.internal_note,
        })
        .collect();
    let staff = state
        .store
        .assignable_staff(user.workspace_id)
        .await?
        .into_iter()
        .map(|(sid, name)| StaffOption {
            id: sid,
            selected: req.assigned_to == Some(sid),
            name,
        })
        .collect();
    let notice = match q.notice.as_str() {
        "status" => Some("Status changed. The client sees it on the portal.".to_string()),
        "assigned" => Some("Assignment saved.".to_string()),
        "note" => Some("Internal note added. Clients never see internal notes.".to_string()),
        "unchanged" => Some("Nothing changed.".to_string()),
        "quote" => req
            .quote_number
            .as_ref()
            .map(|n| format!("Draft quote {n} created from this request.")),
        "job" => req
            .job_number
            .as_ref()
            .map(|n| format!("Draft job {n} created from this request.")),
        _ => None,
    };
    let view = DetailPage {
        status: status_label(&req.status),
        received: display_instant(req.created_at, &tz),
        preferred_date: req
            .preferred_date
            .as_deref()
            .map(display_date)
            .unwrap_or_default(),
        history,
        staff,
        statuses: crate::store::requests_inbox::MANUAL_STATUSES
            .iter()
            .map(|s| StatusOption {
                key: s,
                label: status_label(s),
                selected: req.status == *s,
            })
            .collect(),
        can_convert: matches!(req.status.as_str(), "new" | "in_review"),
        notice,
        note_max: NOTE_MAX,
        req,
        user,
    };
    Ok(Html(view.render()?))
}

/// A refused change reads as a clear 400 with the store's reason; anything else as usual.
pub(super) fn refused(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(msg) => AppError::BadRequest(msg),
        other => other.into(),
    }
}

async fn audit(
    state: &AppState,
    user: &StaffUser,
    id: RequestId,
    client_id: i64,
    action: &str,
    ip: &str,
    detail: &str,
) -> AppResult<()> {
    user.audit(
        state,
        action,
        ("request", id.get()),
        Some(client_id),
        ip,
        detail,
    )
    .await?;
    Ok(())
}

/// Converts a request into a draft job, or a draft quote dated today in the workspace's
/// time zone, valid for [`QUOTE_VALID_DAYS`], in its default currency. The inbox and
/// the API both convert through here.
pub async fn convert_request(
    state: &AppState,
    ws: WorkspaceId,
    id: RequestId,
    by: Option<StaffUserId>,
    to: ConvertTo,
) -> Result<Converted, StoreError> {
    let workspace = state.store.workspace(ws).await?;
    let today = today_in(&workspace.time_zone, state.clock.now());
    let valid_until = today
        .checked_add(jiff::Span::new().days(QUOTE_VALID_DAYS))
        .unwrap_or(today);
    let (issue_date, valid_until) = (today.to_string(), valid_until.to_string());
    state
        .store
        .convert_request(
            ws,
            id,
            by,
            to,
            &QuoteDefaults {
                issue_date: &issue_date,
                valid_until: &valid_until,
                currency: &workspace.default_currency,
            },
            state.clock.now_ms(),
        )
        .await
}

fn back(id: RequestId, notice: &str) -> Response {
    Redirect::to(&format!("/staff/requests/{id}?notice={notice}")).into_response()
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    status: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<StatusForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let id = request_id(&id)?;
    let req = state.store.staff_request(user.workspace_id, id).await?;
    let changed = state
        .store
        .set_request_status(
            user.workspace_id,
            id,
            Some(user.id),
            &form.status,
            state.clock.now_ms(),
        )
        .await
        .map_err(refused)?;
    if !changed {
        return Ok(back(id, "unchanged"));
    }
    let detail = format!("{} → {}", req.status, form.status);
    audit(
        &state,
        &user,
        id,
        req.client_id,
        "request.status_changed",
        &ip,
        &detail,
    )
    .await?;
    Ok(back(id, "status"))
}

#[derive(Deserialize)]
pub struct AssignForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    staff_id: String,
}

pub async fn assign(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<AssignForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let id = request_id(&id)?;
    let req = state.store.staff_request(user.workspace_id, id).await?;
    let to = match form.staff_id.as_str() {
        "" => None,
        raw => Some(raw.parse::<StaffUserId>().map_err(|_| {
            AppError::BadRequest("Choose a member of this workspace's staff.".into())
        })?),
    };
    let changed = state
        .store
        .assign_request(
            user.workspace_id,
            id,
            Some(user.id),
            to,
            state.clock.now_ms(),
        )
        .await
        .map_err(refused)?;
    let Some(name) = changed else {
        return Ok(back(id, "unchanged"));
    };
    let detail = if name.is_empty() {
        "unassigned".to_string()
    } else {
        format!("assigned to {name}")
    };
    audit(
        &state,
        &user,
        id,
        req.client_id,
        "request.assigned",
        &ip,
        &detail,
    )
    .await?;
    Ok(back(id, "assigned"))
}

#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    note: String,
}

pub async fn add_note(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<NoteForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let id = request_id(&id)?;
    let req = state.store.staff_request(user.workspace_id, id).await?;
    state
        .store
        .add_request_note(
            user.workspace_id,
            id,
            Some(user.id),
            &form.note,
            state.clock.now_ms(),
        )
        .await
        .map_err(refused)?;
    audit(
        &state,
        &user,
        id,
        req.client_id,
        "request.note_added",
        &ip,
        "",
    )
    .await?;
    Ok(back(id, "note"))
}

#[derive(Deserialize)]
pub struct ConvertForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    to: String,
}

pub async fn convert(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<ConvertForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let id = request_id(&id)?;
    let to = ConvertTo::parse(&form.to)
        .ok_or_else(|| AppError::BadRequest("A request converts to a quote or a job.".into()))?;
    let req = state.store.staff_request(user.workspace_id, id).await?;
    let made = convert_request(&state, user.workspace_id, id, Some(user.id), to)
        .await
        .map_err(refused)?;
    let kind = made.kind.noun();
    let detail = format!("draft {kind} {}", made.number);
    audit(
        &state,
        &user,
        id,
        req.client_id,
        "request.converted",
        &ip,
        &detail,
    )
    .await?;
    Ok(back(id, kind))
}
