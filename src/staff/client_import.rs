//! CSV import of clients and contacts: upload → dry-run preview (every bad row with its
//! line and why, nothing stored) → confirm → the import runs as a background task, all
//! or nothing in one transaction, while its page (refreshing itself, or a script polling
//! `…/progress`) shows how far it got.
//!
//! The live count is kept by the instance running the import; the outcome (done or
//! failed, with counts) is in the database, so any instance shows the finished import.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use askama::Template;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::session::StaffUser;
use super::work_common::parse_id;
use crate::app::AppState;
use crate::domain::csv_import::{plan_import, ImportPlan, RowError, COLUMNS};
use crate::store::audit::{Actor, AuditEntry};
use crate::store::client_import::ImportRow;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::{Form, Path};
use crate::web::ClientIp;

/// Largest CSV accepted.
const MAX_CSV_BYTES: usize = 5 * 1024 * 1024;
/// Clients listed on the preview (the rest are counted).
const PREVIEW_ROWS: usize = 200;

/// Import id → (clients written, clients in the file), while an import runs here.
static PROGRESS: LazyLock<Mutex<HashMap<i64, (usize, usize)>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn set_progress(id: i64, done: usize, total: usize) {
    if let Ok(mut map) = PROGRESS.lock() {
        map.insert(id, (done, total));
    }
}

fn clear_progress(id: i64) {
    if let Ok(mut map) = PROGRESS.lock() {
        map.remove(&id);
    }
}

fn progress_of(id: i64) -> Option<(usize, usize)> {
    PROGRESS.lock().ok().and_then(|map| map.get(&id).copied())
}

#[derive(Template)]
#[template(path = "staff/client_import.html")]
struct UploadPage {
    user: StaffUser,
    columns: &'static [&'static str],
    file_name: String,
    errors: Vec<RowError>,
    problem: Option<String>,
}

pub struct PreviewClient {
    pub line: u64,
    pub kind: &'static str,
    pub name: String,
    pub contacts: usize,
    /// A client of this name already exists; the import makes a second one.
    pub exists: bool,
}

#[derive(Template)]
#[template(path = "staff/client_import_status.html")]
struct StatusPage {
    user: StaffUser,
    import: ImportRow,
    preview: Vec<PreviewClient>,
    more: usize,
    /// Clients in the file whose name is already a client's.
    existing: usize,
    done: usize,
    total: usize,
}

/// `GET /staff/clients/import`.
pub async fn page(user: StaffUser) -> AppResult<Html<String>> {
    let page = UploadPage {
        user,
        columns: &COLUMNS,
        file_name: String::new(),
        errors: Vec::new(),
        problem: None,
    };
    Ok(Html(page.render()?))
}

fn refused(
    user: StaffUser,
    file_name: String,
    errors: Vec<RowError>,
    problem: Option<String>,
) -> AppResult<Response> {
    let page = UploadPage {
        user,
        columns: &COLUMNS,
        file_name,
        errors,
        problem,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
}

/// `POST /staff/clients/import` (multipart `_csrf`, then `file`): the dry run.
pub async fn upload(
    State(state): State<AppState>,
    user: StaffUser,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let mut multipart = multipart.map_err(|_| {
        AppError::BadRequest(
            "This page only accepts its own upload form. Go back, reload the page and try again."
                .into(),
        )
    })?;
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    let unreadable =
        |_| AppError::BadRequest("The upload could not be read. Please try again.".into());
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or("").to_string();
        let file_name = field
            .file_name()
            .unwrap_or("")
            .chars()
            .take(200)
            .collect::<String>();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
            if bytes.len() + chunk.len() > MAX_CSV_BYTES {
                user.check_csrf(&state, &csrf)?;
                let problem = format!(
                    "File: larger than {} MB; split it into smaller files. Nothing was imported.",
                    MAX_CSV_BYTES / (1024 * 1024)
                );
                return refused(user, file_name, Vec::new(), Some(problem));
            }
            bytes.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "_csrf" => csrf = String::from_utf8_lossy(&bytes).chars().take(200).collect(),
            "file" => file = Some((file_name, bytes)),
            _ => {}
        }
    }
    user.check_csrf(&state, &csrf)?;
    let Some((file_name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return refused(
            user,
            String::new(),
            Vec::new(),
            Some("File: choose a CSV file to import.".into()),
        );
    };
    let Ok(text) = String::from_utf8(bytes) else {
        let problem =
            "File: not UTF-8 text. Save the spreadsheet as “CSV UTF-8” and try again.".to_string();
        return refused(user, file_name, Vec::new(), Some(problem));
    };
    if text.contains('\0') {
        return refused(
            user,
            file_name,
            Vec::new(),
            Some("File: contains NUL characters; it is not a CSV file.".into()),
        );
    }
    let plan = match plan_import(&text) {
        Ok(plan) => plan,
        Err(errors) => return refused(user, file_name, errors, None),
    };
    if plan.clients.is_empty() {
        return refused(
            user,
            file_name,
            Vec::new(),
            Some("File: has no rows to import.".into()),
        );
    }
    let id = state
        .store
        .create_import(
            user.workspace_id,
            user.id,
            &file_name,
            &text,
            plan.clients.len() as i64,
            plan.contact_count() as i64,
            state.clock.now_ms(),
        )
        .await?;
    Ok(Redirect::to(&format!("/staff/clients/import/{id}")).into_response())
}

fn name_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The first clients of the plan, how many more there are, and how many of them share a
/// name with a client already in the workspace.
fn preview_of(
    plan: &ImportPlan,
    existing: &std::collections::HashSet<String>,
) -> (Vec<PreviewClient>, usize, usize) {
    let rows: Vec<PreviewClient> = plan
        .clients
        .iter()
        .take(PREVIEW_ROWS)
        .map(|c| PreviewClient {
            line: c.line,
            kind: c.client.kind,
            name: c.client.name.clone(),
            contacts: c.contacts.len() + usize::from(c.client.person.is_some()),
            exists: existing.contains(&name_key(&c.client.name)),
        })
        .collect();
    let clashes = plan
        .clients
        .iter()
        .filter(|c| existing.contains(&name_key(&c.client.name)))
        .count();
    (
        rows,
        plan.clients.len().saturating_sub(PREVIEW_ROWS),
        clashes,
    )
}

/// `GET /staff/clients/import/{id}`: the preview, the running import, or its outcome.
pub async fn status(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let id: i64 = parse_id::<crate::ids::ClientId>(&id)?.get();
    let import = state.store.import_row(user.workspace_id, id).await?;
    let (preview, more, existing) = if import.status == "preview" {
        let csv = state.store.import_csv(user.workspace_id, id).await?;
        let names = state.store.client_name_keys(user.workspace_id).await?;
        plan_import(&csv)
            .map(|p| preview_of(&p, &names))
            .unwrap_or_default()
    } else {
        (Vec::new(), 0, 0)
    };
    let (done, total) = progress_of(id).unwrap_or((0, import.client_count as usize));
    let page = StatusPage {
        user,
        import,
        preview,
        more,
        existing,
        done,
        total,
    };
    Ok(Html(page.render()?))
}

#[derive(Serialize)]
pub struct Progress {
    status: String,
    done: usize,
    total: usize,
    message: String,
}

/// `GET /staff/clients/import/{id}/progress`: how far the import is, as JSON.
pub async fn progress(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
) -> AppResult<Json<Progress>> {
    let id: i64 = parse_id::<crate::ids::ClientId>(&id)?.get();
    let import = state.store.import_row(user.workspace_id, id).await?;
    let total = import.client_count as usize;
    let done = match import.status.as_str() {
        "done" => total,
        "running" => progress_of(id).map_or(0, |(d, _)| d),
        _ => 0,
    };
    Ok(Json(Progress {
        status: import.status,
        done,
        total,
        message: import.message,
    }))
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

/// `POST /staff/clients/import/{id}/confirm`: starts the import once.
pub async fn confirm(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<ConfirmForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let id: i64 = parse_id::<crate::ids::ClientId>(&id)?.get();
    let import = state.store.import_row(user.workspace_id, id).await?;
    if let Some(csv) = state.store.start_import(user.workspace_id, id).await? {
        set_progress(id, 0, import.client_count as usize);
        let job = ImportJob {
            state: state.clone(),
            ws: user.workspace_id,
            id,
            staff: user.id.get(),
            label: user.email.clone(),
            ip,
            file_name: import.file_name.clone(),
        };
        tokio::spawn(job.run(csv));
    }
    Ok(Redirect::to(&format!("/staff/clients/import/{id}")).into_response())
}

/// An import running off the request path.
struct ImportJob {
    state: AppState,
    ws: crate::ids::WorkspaceId,
    id: i64,
    staff: i64,
    label: String,
    ip: String,
    file_name: String,
}

impl ImportJob {
    async fn run(self, csv: String) {
        let state = &self.state;
        let now = state.clock.now_ms();
        let outcome = match plan_import(&csv) {
            Ok(plan) => {
                let total = plan.clients.len();
                let id = self.id;
                let progress = move |n: usize| set_progress(id, n, total);
                match state
                    .store
                    .import_plan(self.ws, &plan, now, &progress)
                    .await
                {
                    Ok(()) => Ok(format!(
                        "Imported {} clients and {} contacts.",
                        total,
                        plan.contact_count()
                    )),
                    Err(e) => {
                        tracing::warn!(error = %e, import = self.id, "client import failed");
                        Err("The import stopped on an error and nothing was imported. Check the file and try again.".to_string())
                    }
                }
            }
            Err(errors) => Err(format!(
                "The file no longer passes its checks ({} bad rows); nothing was imported.",
                errors.len()
            )),
        };
        let (status, message) = match &outcome {
            Ok(m) => ("done", m.as_str()),
            Err(m) => ("failed", m.as_str()),
        };
        let finished = state.clock.now_ms();
        if let Err(e) = state
            .store
            .finish_import(self.ws, self.id, status, message, finished)
            .await
        {
            tracing::error!(error = %e, import = self.id, "recording the end of a client import failed");
        }
        let detail = format!("{}: {message}", self.file_name);
        let entry = AuditEntry {
            actor: Actor::Staff(self.staff),
            label: &self.label,
            action: if outcome.is_ok() {
                "clients.imported"
            } else {
                "clients.import_failed"
            },
            subject_kind: "client_import",
            subject_id: Some(self.id),
            client_id: None,
            ip: &self.ip,
            detail: &detail,
        };
        if let Err(e) = state.store.audit(self.ws, &entry, finished).await {
            tracing::error!(error = %e, "auditing a client import failed");
        }
        clear_progress(self.id);
    }
}
