//! Requests: the client's list, each request with its status history, and the New
//! request form (SPEC §8). A submission is stored once however often it is sent: the
//! form carries an idempotency key, and the answer is a redirect (POST-redirect-GET).

use crate::web::extract::TextForm;
use crate::web::extract::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::documents::parse_id;
use super::session::PortalUser;
use super::view::{page_context, ListChrome, ListControls, ListQuery, Shell, PAGE_SIZE};
use crate::app::AppState;
use crate::crypto::random_token;
use crate::domain::portal_view::{request_status_label, REQUEST_FILTERS};
use crate::domain::records::{display_date, display_instant};
use crate::domain::request_form::{self, FieldError, RequestInput};
use crate::ids::ProductId;
use crate::mail::templates::{new_request, NewRequestMail};
use crate::store::audit::{Actor, AuditEntry};
use crate::store::portal_records::RequestRow;
use crate::store::work::NewRequest;
use crate::store::StoreError;
use crate::web::csrf;
use crate::web::error::{AppError, AppResult};
use crate::web::ClientIp;

pub struct RequestRowView {
    pub id: i64,
    pub subject: String,
    pub sent: String,
    pub status_label: &'static str,
}

#[derive(Template)]
#[template(path = "portal/requests.html")]
struct RequestList {
    shell: Shell,
    list: ListChrome,
    rows: Vec<RequestRowView>,
    empty: &'static str,
}

pub async fn list(
    State(state): State<AppState>,
    user: PortalUser,
    Query(q): Query<ListQuery>,
) -> AppResult<Html<String>> {
    const BASE: &str = "/portal/requests";
    let controls = ListControls::parse(BASE, REQUEST_FILTERS, &q)?;
    let ctx = page_context(&state, &user, "requests").await?;
    let page = state
        .store
        .portal_requests(
            user.scope,
            controls.filter.condition(ctx.today).as_str(),
            controls.after.as_ref(),
            PAGE_SIZE,
        )
        .await?;
    let tz = &ctx.workspace.time_zone;
    let rows = page
        .rows
        .iter()
        .map(|r| RequestRowView {
            id: r.id,
            subject: r.subject.clone(),
            sent: display_instant(r.created_at, tz),
            status_label: request_status_label(&r.status),
        })
        .collect();
    let empty = if controls.filter.key.is_empty() {
        "No requests yet. Use New request to ask the team for anything."
    } else {
        "No requests with this status."
    };
    let view = RequestList {
        shell: ctx.shell,
        list: controls.chrome(BASE, &page.next),
        rows,
        empty,
    };
    Ok(Html(view.render()?))
}

pub struct HistoryItem {
    pub label: &'static str,
    pub at: String,
}

#[derive(Template)]
#[template(path = "portal/request.html")]
struct RequestPage {
    shell: Shell,
    req: RequestRow,
    status_label: &'static str,
    sent: String,
    preferred_date: Option<String>,
    history: Vec<HistoryItem>,
    just_sent: bool,
}

#[derive(Deserialize)]
pub struct DetailQuery {
    #[serde(default)]
    sent: String,
}

pub async fn detail(
    State(state): State<AppState>,
    user: PortalUser,
    Path(id): Path<String>,
    Query(q): Query<DetailQuery>,
) -> AppResult<Html<String>> {
    let id = parse_id(&id)?;
    let req = state
        .store
        .portal_request(user.scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let ctx = page_context(&state, &user, "requests").await?;
    let tz = ctx.workspace.time_zone.clone();
    let history = state
        .store
        .portal_request_events(user.scope, id)
        .await?
        .iter()
        .map(|e| HistoryItem {
            label: request_status_label(&e.status),
            at: display_instant(e.created_at, &tz),
        })
        .collect();
    let view = RequestPage {
        status_label: request_status_label(&req.status),
        sent: display_instant(req.created_at, &tz),
        preferred_date: req.preferred_date.as_deref().map(display_date),
        history,
        just_sent: q.sent == "1",
        shell: ctx.shell,
        req,
    };
    Ok(Html(view.render()?))
}

/// What the form shows (again, after an error).
#[derive(Default)]
pub struct FormValues {
    pub subject: String,
    pub details: String,
    pub preferred_date: String,
    pub site_address: String,
    pub product_id: String,
}

#[derive(Template)]
#[template(path = "portal/request_new.html")]
struct NewRequestPage {
    shell: Shell,
    form: FormValues,
    errors: Vec<FieldError>,
    idempotency_key: String,
}

impl NewRequestPage {
    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }
}

#[derive(Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    about: String,
}

/// Prefills the subject from `?about=invoice-<id>` (or quote, job, product), looked up
/// inside the client's own records; anything else is ignored.
async fn prefill(state: &AppState, user: &PortalUser, about: &str) -> AppResult<FormValues> {
    let mut form = FormValues::default();
    let Some((kind, id)) = about.split_once('-') else {
        return Ok(form);
    };
    let Ok(id) = parse_id(id) else {
        return Ok(form);
    };
    let store = &state.store;
    match kind {
        "invoice" => {
            if let Some(doc) = store.portal_invoice(user.scope, id).await? {
                form.subject = format!("About invoice {}", doc.number);
            }
        }
        "quote" => {
            if let Some(doc) = store.portal_quote(user.scope, id).await? {
                form.subject = format!("About quote {}", doc.number);
            }
        }
        "job" => {
            if let Some(job) = store.portal_job(user.scope, id).await? {
                form.subject = format!("About job {} · {}", job.number, job.title);
                form.site_address = job.site_address;
            }
        }
        "product" => {
            if let Some(p) = store.portal_product(user.scope, id).await? {
                form.subject = format!("About {}", p.name);
                form.product_id = p.id.to_string();
            }
        }
        _ => {}
    }
    Ok(form)
}

pub async fn new_form(
    State(state): State<AppState>,
    user: PortalUser,
    Query(q): Query<NewQuery>,
) -> AppResult<Html<String>> {
    let form = prefill(&state, &user, &q.about).await?;
    let ctx = page_context(&state, &user, "requests").await?;
    let view = NewRequestPage {
        shell: ctx.shell,
        form,
        errors: Vec::new(),
        idempotency_key: random_token(18),
    };
    Ok(Html(view.render()?))
}

#[derive(Deserialize)]
pub struct NewRequestForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    idempotency_key: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    details: String,
    #[serde(default)]
    preferred_date: String,
    #[serde(default)]
    site_address: String,
    #[serde(default)]
    product_id: String,
}

pub async fn create(
    State(state): State<AppState>,
    user: PortalUser,
    ClientIp(ip): ClientIp,
    TextForm(form): TextForm<NewRequestForm>,
) -> AppResult<Response> {
    csrf::verify(state.config.secret.bytes(), &user.session.token, &form.csrf)?;
    let key = form.idempotency_key.trim();
    if key.is_empty()
        || key.len() > 64
        || !key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(AppError::BadRequest(
            "This form is out of date. Open New request again and resend.".into(),
        ));
    }
    // A repeated submission (double click, refresh after POST) lands on the first one.
    if let Some(existing) = state.store.portal_request_by_key(user.scope, key).await? {
        return Ok(Redirect::to(&format!("/portal/requests/{existing}")).into_response());
    }
    let ctx = page_context(&state, &user, "requests").await?;
    let input = RequestInput {
        subject: form.subject.clone(),
        details: form.details.clone(),
        preferred_date: form.preferred_date.clone(),
        site_address: form.site_address.clone(),
    };
    let product = match form.product_id.trim() {
        "" => None,
        raw => match parse_id(raw) {
            Ok(id) => state
                .store
                .portal_product(user.scope, id)
                .await?
                .map(|p| ProductId::from_db(p.id)),
            Err(_) => None,
        },
    };
    let valid = match request_form::validate(&input, ctx.today) {
        Ok(v) => v,
        Err(errors) => {
            let values = FormValues {
                subject: form
                    .subject
                    .chars()
                    .filter(|c| *c != '\0')
                    .take(request_form::SUBJECT_MAX * 2)
                    .collect(),
                details: form
                    .details
                    .chars()
                    .filter(|c| *c != '\0')
                    .take(request_form::DETAILS_MAX * 2)
                    .collect(),
                preferred_date: form
                    .preferred_date
                    .chars()
                    .filter(|c| *c != '\0')
                    .take(20)
                    .collect(),
                site_address: form
                    .site_address
                    .chars()
                    .filter(|c| *c != '\0')
                    .take(request_form::ADDRESS_MAX * 2)
                    .collect(),
                product_id: product.map(|p| p.to_string()).unwrap_or_default(),
            };
            let view = NewRequestPage {
                shell: ctx.shell,
                form: values,
                errors,
                idempotency_key: key.to_string(),
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(view.render()?)).into_response());
        }
    };
    let now_ms = state.clock.now_ms();
    let new = NewRequest {
        contact_id: Some(user.contact_id),
        subject: &valid.subject,
        details: &valid.details,
        preferred_date: valid.preferred_date.as_deref(),
        site_address: &valid.site_address,
        status: "new",
        product_id: product,
        idempotency_key: Some(key),
    };
    let id = match state
        .store
        .create_request(
            user.scope.workspace_id(),
            user.scope.client_id(),
            &new,
            now_ms,
        )
        .await
    {
        Ok(id) => id.get(),
        // Two identical submissions raced; the other one won.
        Err(StoreError::Conflict(_)) => {
            match state.store.portal_request_by_key(user.scope, key).await? {
                Some(existing) => {
                    return Ok(Redirect::to(&format!("/portal/requests/{existing}")).into_response())
                }
                None => {
                    return Err(AppError::BadRequest(
                        "The request could not be saved. Please check the form and send it again."
                            .into(),
                    ))
                }
            }
        }
        Err(e) => return Err(e.into()),
    };
    state
        .store
        .audit(
            user.scope.workspace_id(),
            &AuditEntry {
                actor: Actor::Contact(user.contact_id.get()),
                label: &user.session.email_norm,
                action: "request.created",
                subject_kind: "request",
                subject_id: Some(id),
                client_id: Some(user.scope.client_id().get()),
                ip: &ip,
                detail: "",
            },
            now_ms,
        )
        .await?;
    notify_team(&state, &user, id, &ctx.shell.client_name, &valid).await;
    Ok(Redirect::to(&format!("/portal/requests/{id}?sent=1")).into_response())
}

/// Emails every active staff member of the workspace. Failure to queue is logged, never
/// shown to the client: the request itself is saved.
async fn notify_team(
    state: &AppState,
    user: &PortalUser,
    request_id: i64,
    client_name: &str,
    req: &request_form::ValidRequest,
) {
    let recipients = match state
        .store
        .staff_recipients(user.scope.workspace_id())
        .await
    {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "could not load staff to notify of a request");
            return;
        }
    };
    let link = state.config.url(&format!("/staff/requests/{request_id}"));
    let contact = if user.session.contact_name.is_empty() {
        user.session.email_norm.clone()
    } else {
        format!(
            "{} ({})",
            user.session.contact_name, user.session.email_norm
        )
    };
    for (_, email) in recipients {
        let mail = NewRequestMail {
            to: &email,
            client: client_name,
            contact: &contact,
            subject: &req.subject,
            details: &req.details,
            preferred_date: req.preferred_date.as_deref().unwrap_or(""),
            site_address: &req.site_address,
            link: &link,
        };
        match new_request(&mail) {
            Ok(m) => state.mail.enqueue(m),
            Err(e) => tracing::error!(error = %e, "request notification could not be rendered"),
        }
    }
}
