//! Files in the portal (SPEC §7): the Files section, grouped by the job or invoice each
//! file hangs on, the lists job and invoice pages include, and the download.
//!
//! A download is found only through the client's scope and a visible record, streams
//! from the [`crate::files::FileStore`] chunk by chunk, honours one `Range`, and is
//! always an attachment with an RFC 5987 name and `nosniff`. The portal has no upload.

use std::collections::HashMap;

use crate::web::extract::Path;
use askama::Template;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{Html, Response};

use super::session::PortalUser;
use super::view::{page_context, ListChrome, ListControls, ListQuery, Shell};
use crate::domain::portal_view::NO_FILTERS;
use crate::web::extract::Query;

/// Files per page of the Files section.
const FILES_PER_PAGE: i64 = 50;
use crate::app::AppState;
use crate::domain::files::{allowed_content_type, human_size};
use crate::domain::records::display_instant;
use crate::files::http::{
    content_disposition, content_range, etag, if_range_allows, parse_range, unsatisfied_range,
    RangeAnswer,
};
use crate::files::FileStoreError;
use crate::ids::{FileId, InvoiceId, JobId};
use crate::store::audit::{Actor, AuditEntry};
use crate::store::files::{FileRow, PortalFileRow};
use crate::web::error::{AppError, AppResult};
use crate::web::ClientIp;

/// One file as `portal/file_list.html` shows it.
pub struct FileView {
    pub name: String,
    pub size: String,
    pub date: String,
    pub href: String,
}

/// The files of one job or invoice on the Files page.
pub struct FileGroup {
    pub label: String,
    pub title: String,
    pub href: String,
    pub files: Vec<FileView>,
}

#[derive(Template)]
#[template(path = "portal/files.html")]
struct FilesPage {
    shell: Shell,
    groups: Vec<FileGroup>,
    list: ListChrome,
}

fn file_view(row: &PortalFileRow, time_zone: &str) -> FileView {
    FileView {
        name: row.name.clone(),
        size: human_size(row.size_bytes),
        date: display_instant(row.created_at, time_zone),
        href: format!("/portal/files/{}/download", row.id),
    }
}

/// Rows (newest first) gathered by record; the record with the newest file comes first.
fn group(rows: &[PortalFileRow], time_zone: &str) -> Vec<FileGroup> {
    let mut groups: Vec<FileGroup> = Vec::new();
    let mut index: HashMap<(&str, i64), usize> = HashMap::new();
    for row in rows {
        let key = (row.record_kind.as_str(), row.record_id);
        let at = *index.entry(key).or_insert_with(|| {
            let (label, path) = match row.record_kind.as_str() {
                "job" => ("Job", "jobs"),
                _ => ("Invoice", "invoices"),
            };
            groups.push(FileGroup {
                label: format!("{label} {}", row.record_number),
                title: row.record_title.clone(),
                href: format!("/portal/{path}/{}", row.record_id),
                files: Vec::new(),
            });
            groups.len() - 1
        });
        if let Some(g) = groups.get_mut(at) {
            g.files.push(file_view(row, time_zone));
        }
    }
    groups
}

/// `GET /portal/files`: every file of the client's visible jobs and invoices.
#[tracing::instrument(skip_all)]
pub async fn files(
    State(state): State<AppState>,
    user: PortalUser,
    Query(q): Query<ListQuery>,
) -> AppResult<Html<String>> {
    const BASE: &str = "/portal/files";
    let controls = ListControls::parse(BASE, NO_FILTERS, &q)?;
    let ctx = page_context(&state, &user, "files").await?;
    let page = state
        .store
        .portal_files(
            user.scope,
            controls.after.as_ref().map(|c| c.id),
            FILES_PER_PAGE,
        )
        .await?;
    let page = FilesPage {
        groups: group(&page.rows, &ctx.workspace.time_zone),
        list: controls.chrome(BASE, &page.next),
        shell: ctx.shell,
    };
    Ok(Html(page.render()?))
}

async fn views(
    state: &AppState,
    user: &PortalUser,
    rows: Vec<PortalFileRow>,
) -> AppResult<Vec<FileView>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ws = state.store.workspace(user.scope.workspace_id()).await?;
    Ok(rows.iter().map(|r| file_view(r, &ws.time_zone)).collect())
}

/// The files a job page lists (empty when the job is not visible to this client).
pub async fn file_views_for_job(
    state: &AppState,
    user: &PortalUser,
    job: JobId,
) -> AppResult<Vec<FileView>> {
    let rows = state.store.portal_job_files(user.scope, job).await?;
    views(state, user, rows).await
}

/// The files an invoice page lists (empty when the invoice is not visible to this client).
pub async fn file_views_for_invoice(
    state: &AppState,
    user: &PortalUser,
    invoice: InvoiceId,
) -> AppResult<Vec<FileView>> {
    let rows = state
        .store
        .portal_invoice_files(user.scope, invoice)
        .await?;
    views(state, user, rows).await
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// `GET /portal/files/{id}/download`.
#[tracing::instrument(skip_all)]
pub async fn download(
    State(state): State<AppState>,
    user: PortalUser,
    ClientIp(ip): ClientIp,
    method: Method,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> AppResult<Response> {
    // A malformed id is the same "not found" as someone else's.
    let id: FileId = raw.parse().map_err(|_| AppError::NotFound)?;
    let file = state
        .store
        .portal_file(user.scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let len = match state.files.size(&file.storage_key).await {
        Ok(len) => len,
        Err(e) => return Err(stored_bytes_error(&state, &user, id, e).await),
    };
    let tag = etag(&file.sha256);
    let answer = if if_range_allows(header_text(&headers, header::IF_RANGE), tag.as_deref()) {
        parse_range(header_text(&headers, header::RANGE), len)
    } else {
        RangeAnswer::Whole
    };

    let mut response = Response::builder()
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::CACHE_CONTROL, "private, no-store")
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    if let Some(tag) = &tag {
        response = response.header(header::ETAG, tag.as_str());
    }
    let range = match answer {
        RangeAnswer::Unsatisfiable => {
            return response
                .status(StatusCode::RANGE_NOT_SATISFIABLE)
                .header(header::CONTENT_RANGE, unsatisfied_range(len))
                .body(Body::empty())
                .map_err(|e| AppError::Internal(e.into()));
        }
        RangeAnswer::Whole => None,
        RangeAnswer::Part(r) => Some(r),
    };

    // One audit entry per download, not per chunk a resuming client asks for.
    let starts_download = range.as_ref().is_none_or(|r| r.start == 0);
    if starts_download && method != Method::HEAD {
        record_download(&state, &user, &ip, &file, len).await?;
    }

    let content_type = HeaderValue::from_static(allowed_content_type(&file.content_type));
    let disposition = HeaderValue::from_str(&content_disposition(&file.name))
        .map_err(|e| AppError::Internal(e.into()))?;
    response = response
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CONTENT_DISPOSITION, disposition);
    response = match &range {
        Some(r) => response
            .status(StatusCode::PARTIAL_CONTENT)
            .header(header::CONTENT_RANGE, content_range(r, len))
            .header(header::CONTENT_LENGTH, r.end - r.start),
        None => response
            .status(StatusCode::OK)
            .header(header::CONTENT_LENGTH, len),
    };
    let body = if method == Method::HEAD {
        Body::empty()
    } else {
        match state.files.open(&file.storage_key, range).await {
            Ok(stream) => Body::from_stream(stream),
            Err(e) => return Err(stored_bytes_error(&state, &user, id, e).await),
        }
    };
    response
        .body(body)
        .map_err(|e| AppError::Internal(e.into()))
}

/// `file.downloaded` in the audit log, by the signed-in contact.
async fn record_download(
    state: &AppState,
    user: &PortalUser,
    ip: &str,
    file: &FileRow,
    len: u64,
) -> AppResult<()> {
    let detail = format!("{} ({len} bytes)", file.name);
    let entry = AuditEntry {
        actor: Actor::Contact(user.contact_id.get()),
        label: &user.session.email_norm,
        action: "file.downloaded",
        subject_kind: "file",
        subject_id: Some(file.id),
        client_id: Some(user.scope.client_id().get()),
        ip,
        detail: &detail,
    };
    let now_ms = state.clock.now_ms();
    Ok(state
        .store
        .audit(user.scope.workspace_id(), &entry, now_ms)
        .await?)
}

/// Bytes that cannot be read: a file removed since it was looked up (its bytes go
/// right after its row) is not found, as any removed file; the bytes of a file that is
/// still visible are the server's fault, not the client's.
async fn stored_bytes_error(
    state: &AppState,
    user: &PortalUser,
    id: FileId,
    e: FileStoreError,
) -> AppError {
    if matches!(e, FileStoreError::NotFound(_)) {
        match state.store.portal_file(user.scope, id).await {
            Ok(None) => return AppError::NotFound,
            Ok(Some(_)) => {}
            Err(db) => return db.into(),
        }
    }
    AppError::Internal(anyhow::anyhow!("file {id}: {e}"))
}
