//! Attaching files to a client's jobs and invoices, renaming and removing them.
//!
//! The upload is a multipart form whose small fields (`_csrf`, `target`, `back`) come
//! before the file, so the CSRF token and the record are checked before a byte is
//! stored. The file then streams to the file store part by part while its size is
//! counted, its digest computed and its first bytes checked against its name; a file
//! over the limit, or not what its name says, is aborted and leaves nothing behind.
//!
//! [`FilesPanel`] and `templates/staff/files_panel.html` are the list-and-upload block
//! any staff page (client record, job, invoice) embeds.

use askama::Template;
use axum::body::Body;
use axum::extract::multipart::{Field, Multipart, MultipartRejection};
use axum::extract::State;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::session::StaffUser;
use crate::app::AppState;
use crate::domain::files::{allowed_content_type, clean_name, human_size};
use crate::files::http::content_disposition;
use crate::files::upload::{self, ReceiveError, Received};
use crate::ids::{ClientId, FileId};
use crate::store::staff_files::{AttachTarget, FileTarget, StaffFileRow};
use crate::store::StoreError;
use crate::web::error::{error_page, AppError, AppResult};
use crate::web::extract::{Form, Path};
use crate::web::ClientIp;

/// The Files block of a staff page.
pub struct FilesPanel {
    pub client_id: i64,
    pub files: Vec<StaffFileRow>,
    /// What the upload form offers to attach to (empty when `fixed_target` is set).
    pub targets: Vec<AttachTarget>,
    /// `job:<id>` / `invoice:<id>` on a job or invoice page: uploads go there.
    pub fixed_target: Option<String>,
    /// The page to come back to after an upload, rename or removal.
    pub back: String,
    pub max_size: String,
}

impl FilesPanel {
    /// Every file of a client, uploads to any of its jobs and invoices.
    pub async fn for_client(
        state: &AppState,
        user: &StaffUser,
        client: ClientId,
    ) -> AppResult<Self> {
        let ws = user.workspace_id;
        Ok(Self {
            client_id: client.get(),
            files: state.store.staff_files(ws, client, None).await?,
            targets: state.store.attach_targets(ws, client).await?,
            fixed_target: None,
            back: format!("/staff/clients/{client}"),
            max_size: human_size(state.config.max_upload_bytes as i64),
        })
    }

    /// The files of one job or invoice of `client`, uploads going to it.
    pub async fn for_record(
        state: &AppState,
        user: &StaffUser,
        client: ClientId,
        target: FileTarget,
        back: String,
    ) -> AppResult<Self> {
        let files = state
            .store
            .staff_files(user.workspace_id, client, Some(target))
            .await?;
        Ok(Self {
            client_id: client.get(),
            files,
            targets: Vec::new(),
            fixed_target: Some(target.key()),
            back,
            max_size: human_size(state.config.max_upload_bytes as i64),
        })
    }

    pub fn can_upload(&self) -> bool {
        self.fixed_target.is_some() || !self.targets.is_empty()
    }
}

/// A `back` value that is a plain back-office path, else the client's record.
fn back_path(raw: &str, client: i64) -> String {
    let ok = raw.starts_with("/staff/")
        && raw.len() <= 100
        && !raw.contains("//")
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'-' || b == b'_');
    if ok {
        raw.to_string()
    } else {
        format!("/staff/clients/{client}")
    }
}

fn with_notice(back: &str, notice: &str) -> String {
    format!("{back}?notice={notice}")
}

fn refused(status: StatusCode, message: &str) -> Response {
    error_page(status, "The file was not attached", message)
}

/// A small text field, at most `max` bytes (a longer one is cut, never buffered whole).
async fn small_text(field: &mut Field<'_>, max: usize) -> AppResult<String> {
    let mut out = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
        let room = max.saturating_sub(out.len());
        out.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn unreadable<E: std::fmt::Display>(e: E) -> AppError {
    tracing::debug!(error = %e, "upload could not be read");
    AppError::BadRequest(
        "The upload could not be read (was it interrupted?). Nothing was stored; please try again."
            .into(),
    )
}

/// What the small fields before the file said.
#[derive(Default)]
struct UploadFields {
    csrf: Option<String>,
    target: Option<String>,
    back: String,
}

/// `POST /staff/clients/{id}/files` (multipart).
#[tracing::instrument(skip_all, fields(client = %id))]
pub async fn upload(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let client: ClientId = id.parse().map_err(|_| AppError::NotFound)?;
    state.store.client(user.workspace_id, client).await?;
    let mut multipart = multipart.map_err(|_| {
        AppError::BadRequest(
            "This page only accepts its own upload form. Go back, reload the page and try again."
                .into(),
        )
    })?;
    let mut fields = UploadFields::default();
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        match field.name().unwrap_or("") {
            "_csrf" => fields.csrf = Some(small_text(&mut field, 200).await?),
            "target" => fields.target = Some(small_text(&mut field, 100).await?),
            "back" => fields.back = small_text(&mut field, 200).await?,
            "file" => {
                user.check_csrf(&state, fields.csrf.as_deref().unwrap_or(""))?;
                let back = back_path(&fields.back, client.get());
                let Some(target) = fields.target.as_deref().and_then(FileTarget::parse) else {
                    return Ok(refused(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "Attach to: choose the job or invoice the file belongs to.",
                    ));
                };
                if !state
                    .store
                    .attach_target_exists(user.workspace_id, client, target)
                    .await?
                {
                    return Err(AppError::NotFound);
                }
                let (response, refused) =
                    store_upload(&state, &user, &ip, client, target, &back, field).await?;
                if refused {
                    upload::drain_rest(&mut multipart, state.config.max_upload_bytes).await;
                }
                return Ok(response);
            }
            _ => {
                small_text(&mut field, 0).await?;
            }
        }
    }
    user.check_csrf(&state, fields.csrf.as_deref().unwrap_or(""))?;
    Ok(refused(
        StatusCode::UNPROCESSABLE_ENTITY,
        "File: choose a file to upload.",
    ))
}

#[allow(clippy::too_many_arguments)]
async fn store_upload(
    state: &AppState,
    user: &StaffUser,
    ip: &str,
    client: ClientId,
    target: FileTarget,
    back: &str,
    mut field: Field<'_>,
) -> AppResult<(Response, bool)> {
    let raw_name = field.file_name().unwrap_or("").to_string();
    let Some(name) = clean_name(&raw_name) else {
        let message = "File: choose a file to upload (the file needs a name).";
        return Ok((refused(StatusCode::UNPROCESSABLE_ENTITY, message), true));
    };
    let limit = state.config.max_upload_bytes;
    let received = upload::receive(&state.files, user.workspace_id, &mut field, &name, limit)
        .await
        .map_err(|e| match e {
            ReceiveError::Unreadable(why) => unreadable(why),
            ReceiveError::Store(e) => AppError::Internal(e.into()),
        })?;
    let stored = match received {
        Received::Stored(stored) => stored,
        Received::TooLarge => {
            let message = format!(
                "File: “{name}” is larger than the {} limit. Nothing was stored.",
                human_size(limit as i64)
            );
            return Ok((refused(StatusCode::PAYLOAD_TOO_LARGE, &message), true));
        }
        Received::Mismatch(why) => {
            let message = format!("File: {why}. Nothing was stored.");
            return Ok((refused(StatusCode::UNPROCESSABLE_ENTITY, &message), true));
        }
    };
    let id = upload::record(
        state,
        user.workspace_id,
        client,
        target,
        &stored,
        &name,
        Some(user.id),
    )
    .await
    .map_err(|e| match e {
        StoreError::Conflict(why) => AppError::BadRequest(why),
        other => other.into(),
    })?;
    let detail = format!("{name} ({} bytes) on {}", stored.size, target.key());
    user.audit(
        state,
        "file.uploaded",
        ("file", id.get()),
        Some(client.get()),
        ip,
        &detail,
    )
    .await?;
    let done = Redirect::to(&with_notice(back, "file-uploaded")).into_response();
    Ok((done, false))
}

#[derive(Deserialize)]
pub struct RenameForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    back: String,
}

/// `POST /staff/files/{id}/rename`.
pub async fn rename(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<RenameForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let id: FileId = id.parse().map_err(|_| AppError::NotFound)?;
    let before = state.store.staff_file(user.workspace_id, id).await?;
    let back = back_path(&form.back, before.client_id);
    let after = match state
        .store
        .rename_file(user.workspace_id, id, &form.name)
        .await
    {
        Ok(row) => row,
        Err(StoreError::Conflict(why)) => {
            return Ok(error_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "The file was not renamed",
                &format!("{why}. The file keeps its name “{}”.", before.name),
            ))
        }
        Err(e) => return Err(e.into()),
    };
    let detail = format!("{} → {}", before.name, after.name);
    user.audit(
        &state,
        "file.renamed",
        ("file", id.get()),
        Some(before.client_id),
        &ip,
        &detail,
    )
    .await?;
    Ok(Redirect::to(&with_notice(&back, "file-renamed")).into_response())
}

#[derive(Deserialize)]
pub struct RemoveForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    back: String,
    /// `yes` from the confirmation page; the list's Remove button leads there first.
    #[serde(default)]
    confirm: String,
}

/// The step before removing: the bytes are deleted, so it waits for a confirmation.
#[derive(Template)]
#[template(path = "staff/file_remove.html")]
struct RemoveConfirmPage {
    user: StaffUser,
    file: StaffFileRow,
    back: String,
}

/// `POST /staff/files/{id}/remove`: the client stops seeing it at once and its bytes
/// are deleted; the row stays as a tombstone for the audit log.
pub async fn remove(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<RemoveForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let id: FileId = id.parse().map_err(|_| AppError::NotFound)?;
    if form.confirm != "yes" {
        let file = state.store.staff_file(user.workspace_id, id).await?;
        let back = back_path(&form.back, file.client_id);
        let page = RemoveConfirmPage { user, file, back };
        return Ok(axum::response::Html(page.render()?).into_response());
    }
    let now = state.clock.now_ms();
    let row = state.store.remove_file(user.workspace_id, id, now).await?;
    if let Err(e) = state.files.delete(&row.storage_key).await {
        tracing::warn!(error = %e, file = %id, "deleting a removed file's bytes failed");
    }
    let detail = format!("{} ({} bytes)", row.name, row.size_bytes);
    user.audit(
        &state,
        "file.removed",
        ("file", id.get()),
        Some(row.client_id),
        &ip,
        &detail,
    )
    .await?;
    let back = back_path(&form.back, row.client_id);
    Ok(Redirect::to(&with_notice(&back, "file-removed")).into_response())
}

/// `GET /staff/files/{id}/download`: the whole file, as the portal would send it,
/// written to the audit log (`file.downloaded`) as the portal's downloads are. A `HEAD`
/// (headers only) downloads nothing and is not logged.
pub async fn download(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    method: Method,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id: FileId = id.parse().map_err(|_| AppError::NotFound)?;
    let row = state.store.staff_file(user.workspace_id, id).await?;
    let opened = async {
        let len = state.files.size(&row.storage_key).await?;
        let stream = state.files.open(&row.storage_key, None).await?;
        Ok::<_, crate::files::FileStoreError>((len, stream))
    };
    let (len, stream) = match opened.await {
        Ok(opened) => opened,
        Err(e) => return Err(stored_bytes_error(&state, user.workspace_id, id, e).await),
    };
    if method != Method::HEAD {
        user.audit(
            &state,
            "file.downloaded",
            ("file", id.get()),
            Some(row.client_id),
            &ip,
            &format!("{} ({len} bytes)", row.name),
        )
        .await?;
    }
    let disposition = HeaderValue::from_str(&content_disposition(&row.name))
        .map_err(|e| AppError::Internal(e.into()))?;
    Response::builder()
        .header(
            header::CONTENT_TYPE,
            allowed_content_type(&row.content_type),
        )
        .header(header::CONTENT_DISPOSITION, disposition)
        .header(header::CONTENT_LENGTH, len)
        .header(header::CACHE_CONTROL, "private, no-store")
        .body(Body::from_stream(stream))
        .map_err(|e| AppError::Internal(e.into()))
}

/// Bytes that cannot be read: a file removed since it was looked up (its bytes go
/// right after its row) is not found; the bytes of a live file are the server's fault.
async fn stored_bytes_error(
    state: &AppState,
    ws: crate::ids::WorkspaceId,
    id: FileId,
    e: crate::files::FileStoreError,
) -> AppError {
    if matches!(e, crate::files::FileStoreError::NotFound(_)) {
        match state.store.staff_file(ws, id).await {
            Err(StoreError::NotFound) => return AppError::NotFound,
            Err(db) => return db.into(),
            Ok(_) => {}
        }
    }
    AppError::Internal(anyhow::anyhow!("file {id}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::back_path;

    #[test]
    fn only_plain_back_office_paths_are_followed_back() {
        assert_eq!(back_path("/staff/jobs/12", 5), "/staff/jobs/12");
        for bad in [
            "",
            "https://evil.test/",
            "//evil.test",
            "/staff//evil",
            "/staff/x?y=1",
            "/portal/home",
            "/staff/a b",
        ] {
            assert_eq!(back_path(bad, 5), "/staff/clients/5", "{bad:?}");
        }
    }
}
