//! `POST /api/v1/files`: attaching a file to a job or invoice. The body is multipart:
//! `job_id` or `invoice_id` first, then the `file` part, which streams to the file store
//! as the back office's upload does (`crate::files::upload`): never held whole, refused
//! past the size limit or when its first bytes are not what its name says, and then
//! nothing is left behind. Renaming and removing are in `work`, reads in `records`.

use axum::extract::multipart::{Field, Multipart, MultipartRejection};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa::ToSchema;

use super::auth::ApiCaller;
use super::error::{ApiError, ApiErrorBody, ApiResult};
use super::records::{one, File, FILES};
use crate::app::AppState;
use crate::domain::files::{clean_name, human_size};
use crate::files::upload::{self, ReceiveError, Received};
use crate::ids::{ClientId, WorkspaceId};
use crate::store::staff_files::FileTarget;
use crate::store::StoreError;
use crate::web::ClientIp;

/// The upload form: exactly one of `job_id` and `invoice_id`, before `file`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// A job of the workspace; the file is attached to it (and its client).
    job_id: Option<String>,
    /// An invoice of the workspace; the file is attached to it (and its client).
    invoice_id: Option<String>,
    /// The file, with its name (`filename`) in the part's headers.
    #[schema(value_type = String, format = Binary)]
    file: String,
}

const SMALL_FIELD: usize = 100;

fn unreadable() -> ApiError {
    ApiError::bad_request(
        "The upload could not be read (was it interrupted?). Nothing was stored; please try again.",
    )
}

/// A short text field, at most [`SMALL_FIELD`] bytes kept (never buffered whole).
async fn small_text(field: &mut Field<'_>) -> ApiResult<String> {
    let mut out = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|_| unreadable())? {
        let room = SMALL_FIELD.saturating_sub(out.len());
        out.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    Ok(String::from_utf8_lossy(&out).trim().to_string())
}

/// The job or invoice named by the fields before the file, and its client.
async fn target_of(
    state: &AppState,
    ws: WorkspaceId,
    job: Option<&str>,
    invoice: Option<&str>,
) -> ApiResult<(FileTarget, ClientId)> {
    let (field, target) = match (job, invoice) {
        (Some(raw), None) => ("job_id", raw.parse().ok().map(FileTarget::Job)),
        (None, Some(raw)) => ("invoice_id", raw.parse().ok().map(FileTarget::Invoice)),
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "invoice_id",
                "invoice_id: a file belongs to a job or an invoice, not both.",
            ))
        }
        (None, None) => {
            return Err(ApiError::invalid(
                "job_id",
                "job_id: send job_id or invoice_id before the file part.",
            ))
        }
    };
    let bad = || ApiError::invalid(field, format!("{field}: no such record in this workspace."));
    let target = target.ok_or_else(bad)?;
    let client = state
        .store
        .attach_target_client(ws, target)
        .await?
        .ok_or_else(bad)?;
    Ok((target, client))
}

#[utoipa::path(post, path = "/api/v1/files", tag = "files",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored and attached; the client sees it on the portal once the record is visible there", body = File),
        (status = 400, description = "Not a multipart body, or it broke off", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 413, description = "Larger than the upload limit; nothing was stored", body = ApiErrorBody),
        (status = 422, description = "No or two records, an unknown record, no file, or a file that is not what its name says; nothing was stored", body = ApiErrorBody),
    ))]
pub async fn upload(
    State(state): State<AppState>,
    caller: ApiCaller,
    ClientIp(ip): ClientIp,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<File>)> {
    let mut multipart = multipart.map_err(|_| {
        ApiError::bad_request(
            "Send the file as multipart/form-data (job_id or invoice_id, then file).",
        )
    })?;
    let limit = state.config.max_upload_bytes;
    let (mut job, mut invoice) = (None, None);
    while let Some(mut field) = multipart.next_field().await.map_err(|_| unreadable())? {
        match field.name().unwrap_or("") {
            "job_id" => job = Some(small_text(&mut field).await?).filter(|v| !v.is_empty()),
            "invoice_id" => invoice = Some(small_text(&mut field).await?).filter(|v| !v.is_empty()),
            "file" => {
                let answer = receive(
                    &state,
                    &caller,
                    &ip,
                    job.as_deref(),
                    invoice.as_deref(),
                    &mut field,
                )
                .await;
                if answer.is_err() {
                    upload::drain_field(&mut field, limit).await;
                    drop(field);
                    upload::drain_rest(&mut multipart, limit).await;
                }
                return answer;
            }
            other => {
                let other = other.to_string();
                small_text(&mut field).await?;
                return Err(ApiError::invalid(
                    &other,
                    format!("{other}: not a field of this form (job_id, invoice_id, file)."),
                ));
            }
        }
    }
    Err(ApiError::invalid("file", "file: choose a file to upload."))
}

async fn receive(
    state: &AppState,
    caller: &ApiCaller,
    ip: &str,
    job: Option<&str>,
    invoice: Option<&str>,
    field: &mut Field<'_>,
) -> ApiResult<(StatusCode, Json<File>)> {
    let ws = caller.workspace_id;
    let (target, client) = target_of(state, ws, job, invoice).await?;
    let raw_name = field.file_name().unwrap_or("").to_string();
    let name = clean_name(&raw_name)
        .ok_or_else(|| ApiError::invalid("file", "file: the file part needs a name (filename)."))?;
    let limit = state.config.max_upload_bytes;
    let stored = match upload::receive(&state.files, ws, field, &name, limit).await {
        Ok(Received::Stored(stored)) => stored,
        Ok(Received::TooLarge) => {
            return Err(ApiError::too_large(format!(
                "file: “{name}” is larger than the {} limit. Nothing was stored.",
                human_size(i64::try_from(limit).unwrap_or(i64::MAX))
            ))
            .with_field("file"))
        }
        Ok(Received::Mismatch(why)) => {
            return Err(ApiError::invalid(
                "file",
                format!("file: {why}. Nothing was stored."),
            ))
        }
        Err(ReceiveError::Unreadable(_)) => return Err(unreadable()),
        Err(ReceiveError::Store(e)) => return Err(ApiError::internal(e)),
    };
    let id = upload::record(state, ws, client, target, &stored, &name, None)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(why) => ApiError::invalid("file", format!("file: {why}.")),
            other => other.into(),
        })?;
    caller
        .audit(
            state,
            ip,
            "file.uploaded",
            ("file", id.get()),
            Some(client.get()),
            &format!("{name} ({} bytes) on {}", stored.size, target.key()),
        )
        .await?;
    let file: File = one(state, caller, &FILES, &id.to_string()).await?;
    Ok((StatusCode::CREATED, Json(file)))
}
