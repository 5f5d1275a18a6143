//! Read-only resources: invoices, quotes, payments, jobs, projects, tasks, requests,
//! products and files of the token's workspace, each with a cursor-paged list (newest
//! first, optionally of one client) and a get by id (an invoice or quote with its lines).
//! Internal notes are not included.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize, Serializer};
use sqlx::FromRow;
use utoipa::{IntoParams, ToSchema};

use super::auth::ApiCaller;
use super::documents::{line_outs, LineOut};
use super::error::{ApiError, ApiErrorBody, ApiResult};
use super::extract::{ApiPath, ApiQuery};
use super::paging::{finish, PageParams};
use crate::app::AppState;
use crate::ids::ClientId;
use crate::store::api_reads::ReadSpec;
use crate::store::staff_documents::DocKind;

fn id_str<S: Serializer>(id: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&id.to_string())
}

fn opt_id_str<S: Serializer>(id: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match id {
        Some(id) => s.serialize_str(&id.to_string()),
        None => s.serialize_none(),
    }
}

fn flag<S: Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_bool(*v != 0)
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecordListQuery {
    /// Only this client's records (not for products, which belong to no client).
    pub client_id: Option<String>,
    /// How many records per page, 1 to 200 (default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page; omit for the first page.
    pub cursor: Option<String>,
}

async fn list_page<T>(
    state: &AppState,
    caller: &ApiCaller,
    spec: &ReadSpec,
    q: RecordListQuery,
    id_of: impl Fn(&T) -> i64,
) -> ApiResult<(Vec<T>, Option<String>)>
where
    T: for<'r> FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor,
    }
    .page()?;
    let client = match q.client_id.as_deref() {
        None | Some("") => None,
        Some(_) if !spec.by_client => {
            return Err(ApiError::invalid(
                "client_id",
                "client_id: these records belong to no client.",
            ))
        }
        Some(raw) => Some(
            raw.parse::<ClientId>()
                .map_err(|_| ApiError::invalid("client_id", "client_id: not a client id."))?,
        ),
    };
    let rows = state
        .store
        .records_page(
            spec,
            caller.workspace_id,
            client,
            page.after,
            page.limit + 1,
        )
        .await?;
    Ok(finish(rows, page, id_of))
}

pub(super) async fn one<T>(
    state: &AppState,
    caller: &ApiCaller,
    spec: &ReadSpec,
    id: &str,
) -> ApiResult<T>
where
    T: for<'r> FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let id: i64 = id
        .parse::<ClientId>()
        .map_err(|_| ApiError::not_found())?
        .get();
    state
        .store
        .record(spec, caller.workspace_id, id)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// A page type and a list handler for one resource.
macro_rules! list_only {
    ($row:ident, $page:ident, $spec:ident, $list:ident, $tag:literal, $list_path:literal) => {
        #[derive(Debug, Serialize, ToSchema)]
        pub struct $page {
            pub data: Vec<$row>,
            /// Pass as `cursor` to get the next page; `null` on the last page.
            pub next_cursor: Option<String>,
        }

        #[utoipa::path(get, path = $list_path, tag = $tag,
            params(RecordListQuery),
            responses(
                (status = 200, description = "A page, newest first", body = $page),
                (status = 400, description = "The query string cannot be read", body = ApiErrorBody),
                (status = 401, description = "No valid token", body = ApiErrorBody),
                (status = 422, description = "A bad client_id, limit or cursor", body = ApiErrorBody),
            ))]
        pub async fn $list(
            State(state): State<AppState>,
            caller: ApiCaller,
            ApiQuery(q): ApiQuery<RecordListQuery>,
        ) -> ApiResult<Json<$page>> {
            let (data, next_cursor) = list_page(&state, &caller, &$spec, q, |r: &$row| r.id).await?;
            Ok(Json($page { data, next_cursor }))
        }
    };
}

/// A page type, a list handler and a get handler for one read-only resource.
macro_rules! read_only {
    ($row:ident, $page:ident, $spec:ident, $list:ident, $get:ident, $tag:literal, $list_path:literal, $get_path:literal) => {
        list_only!($row, $page, $spec, $list, $tag, $list_path);

        #[utoipa::path(get, path = $get_path, tag = $tag,
            params(("id" = String, Path, description = "Record id")),
            responses(
                (status = 200, description = "The record", body = $row),
                (status = 401, description = "No valid token", body = ApiErrorBody),
                (status = 404, description = "No such record in this workspace", body = ApiErrorBody),
            ))]
        pub async fn $get(
            State(state): State<AppState>,
            caller: ApiCaller,
            ApiPath(id): ApiPath<String>,
        ) -> ApiResult<Json<$row>> {
            Ok(Json(one(&state, &caller, &$spec, &id).await?))
        }
    };
}

/// Amounts are integers in the currency's minor unit; dates `YYYY-MM-DD`; instants
/// milliseconds since the Unix epoch, UTC.
#[derive(Debug, Serialize, FromRow, ToSchema)]
pub struct Invoice {
    #[serde(serialize_with = "id_str")]
    #[schema(value_type = String)]
    pub id: i64,
    #[serde(serialize_with = "id_str")]
    #[schema(value_type = String)]
    pub client_id: i64,
    #[serde(serialize_with = "opt_id_str")]
    #[schema(value_type = Option<String>)]
    pub job_id: Option<i64>,
    #[serde(serialize_with = "opt_id_str")]
    #[schema(value_type = Option<String>)]
    pub quote_id: Option<i64>,
    pub number: String,
    pub title: String,
    pub status: String,
    pub issue_date: String,
    pub due_date: String,
    pub currency: String,
    pub subtotal_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    pub paid_minor: i64,
    pub client_notes: String,
    pub sent_at: Option<i64>,
    pub voided_at: Option<i64>,
    pub created_at: i64,
}

const INVOICES: ReadSpec = ReadSpec {
    table: "invoice",
    columns: "id, client_id, job_id, quote_id, number, title, status, issue_date, due_date, currency, \
              subtotal_minor, tax_minor, total_minor, paid_minor, client_notes, sent_at, voided_at, created_at",
    live: "deleted_at IS NULL",
    by_client: true,
};
list_only!(
    Invoice,
    InvoicePage,
    INVOICES,
    list_invoices,
    "invoices",
    "/api/v1/invoices"
);

/// An invoice with its lines.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceDetail {
    #[serde(flatten)]
    pub invoice: Invoice,
    pub lines: Vec<LineOut>,
}

#[utoipa::path(get, path = "/api/v1/invoices/{id}", tag = "invoices",
    params(("id" = String, Path, description = "Record id")),
    responses(
        (status = 200, description = "The invoice with its lines", body = InvoiceDetail),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such record in this workspace", body = ApiErrorBody),
    ))]
pub async fn get_invoice(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<InvoiceDetail>> {
    let invoice: Invoice = one(&state, &caller, &INVOICES, &id).await?;
    let lines = lines_of(
        &state,
        &caller,
        DocKind::Invoice,
        invoice.id,
        &invoice.currency,
    )
    .await?;
    Ok(Json(InvoiceDetail { invoice, lines }))
}

async fn lines_of(
    state: &AppState,
    caller: &ApiCaller,
    kind: DocKind,
    id: i64,
    currency: &str,
) -> ApiResult<Vec<LineOut>> {
    let lines = state
        .store
        .staff_document_lines(caller.workspace_id, kind, id)
        .await?;
    Ok(line_outs(lines, currency))
}

#[derive(Debug, Serialize, FromRow, ToSchema)]
pub struct Quote {
    #[serde(serialize_with = "id_str")]
    #[schema(value_type = String)]
    pub id: i64,
    #[serde(serialize_with = "id_str")]
    #[schema(value_type = String)]
    pub client_id: i64,
    pub number: String,
    pub title: String,
    pub status: String,
    pub issue_date: String,
    pub valid_until: String,
    pub currency: String,
    pub subtotal_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    pub client_notes: String,
    pub sent_at: Option<i64>,
    pub decided_at: Option<i64>,
    pub created_at: i64,
}

const QUOTES: ReadSpec = ReadSpec {
    table: "quote",
    columns:
        "id, client_id, number, title, status, issue_date, valid_until, currency, \
              subtotal_minor, tax_minor, total_minor, client_notes, sent_at, decided_at, created_at",
    live: "deleted_at IS NULL",
    by_client: true,
};
list_only!(
    Quote,
    QuotePage,
    QUOTES,
    list_quotes,
    "quotes",
    "/api/v1/quotes"
);

/// A quote with its lines.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteDetail {
    #[serde(flatten)]
    pub quote: Quote,
    pub lines: Vec<LineOut>,
}

#[utoipa::path(get, path = "/api/v1/quotes/{id}", tag = "quotes",
    params(("id" = String, Path, description = "Record id")),
    responses(
        (status = 200, description = "The quote with its lines", body = QuoteDetail),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such record in this workspace", body = ApiErrorBody),
    ))]
pub async fn get_quote(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<QuoteDetail>> {
    let quote: Quote = one(&state, &caller, &QUOTES, &id).await?;
    let lines = lines_of(&state, &caller, DocKind::Quote, quote.id, &quote.currency).await?;
    Ok(Json(QuoteDetail { quote, lines }))
}

#[derive(Debug, Serialize, FromRow, ToSchema)]
pub struct Payment {
    #[serde(serialize_with = "id_str")]
    #[schema(value_type = String)]
    pub id: i64,
    #[serde(serialize_with = "id_str")]
    #[schema(value_type = String)]
    pub client_id: i64,
    #[serde(serialize_with = "id_str")]
    #[schema(value_type = String)]
    pub invoice_id: i64,
    pub method: String,
    pub status: String,
    pub amount_minor: i64,
    pub refunded_minor: i64,
    pub currency: String,
    pub provider_ref: Option<String>,
    pub note: String,
    pub received_at: i64,
    pub created_at: i64,
}

const PAYMENTS: ReadSpec = ReadSpec {
    table: "payment",
    columns: "id, client_id, invoice_id, method, status, amount_minor, refunded_minor, currency, \
              provider_ref, note, received_at, created_at",
    live: "1 = 1",
    by_client: true,
};
read_only!(
    Payment,
    PaymentPage,
    PAYMENTS,
    list_payments,
    get_payment,
    "payments",
    "/api/v1/payments",
    "/api/v1/payments/{id}"
);

#[derive(Debug, Serialize, FromRow, ToSchema)]
pub struct Job {
    #[serde(serialize_with = "id_str")]
    #[schema(value_type = String)]
    pub id: i64,
    #[serde(serialize_with = "id_str")]
    #[schema(value_type = String)]
    pub client_id: i64,
    #[serde(serialize_with = "opt_id_str")]
    #[schema(value_type = Option<String>)]
    pub project_id: Option<i64>,
    pub number: String,
    pub title: String,
    pub description: String,
    pub status: String,
    pub site_address: String,
    pub scheduled_start: Option<i64>,
    pub scheduled_end: Option<i64>,
    pub created_at: i64,
}

pub(super) const JOBS: ReadSpec = ReadSpec {
    table: "job",
    columns: "id, client_id, project_id, number, title, description, status, site_address, \
              scheduled_start, scheduled_end, created_at",
    live: "deleted_at IS NULL",
    by_client: true,
};
read_only!(
    Job,
    JobPage,
    JOBS,
    list_jobs,
    get_job,
    "jobs",
    "/api/v1/jobs",
    "/api/v1/jobs/{id}"
);

#[derive(Debug, Serialize, FromRow, ToSchema)]
pub struct Project {
    #[serde(serialize_with = "id_str")]
    #[schema(value_type = String)]
    pub id: i64,
    #[serde(serialize_with = "id_str")]
    #[schema(value_type = String)]
    pub client_id: i64,
    pub name: String,
    pub description: String,
    pub status: String,
    pub progress_pct: i64,
    pub start_date: Option<String>,
    pub due_date: Option<String>,
    pub created_at: i64,
}

pub(super) const PROJECTS: ReadSpec = ReadSpec {
    table: "project",
    columns:
        "id, client_id, name, description, status, progress_pct, start_date, due_date, created_at",
    live: "deleted_at IS NULL",
    by_client: true,
};
read_only!(
    Project,
    ProjectPage,
    PROJECTS,
    list_projects,
    get_project,
    "projects",
    "/api/v1/projects",
    "/api/v1/projects/{id}"
);

#[derive(Debug, Serialize, FromRow, ToSchema)]
pub struct Task {
    #[serde(serialize_with = "id_str")]
    #[schema(value_type = String)]
    pub id: i64,
    #[serde(serialize_with = "id_str")]
    #[schema(value_type = String)]
    pub client_id: i64,
    #[serde(serialize_with = "opt_id_str")]
    #[schema(value_type = Option<String>)]
    pub project_id: Option<i64>,
    #[serde(serialize_with = "opt_id_str")]
    #[schema(value_type = Option<String>)]
    pub job_id: Option<i64>,
    pub title: String,
    pub description: String,
    pub due_date: Option<String>,
    pub done_at: Option<i64>,
    #[serde(serialize_with = "flag")]
    #[schema(value_type = bool)]
    pub shared_with_client: i64,
    pub created_at: i64,
}

pub(super) const TASKS: ReadSpec = ReadSpec {
    table: "task",
    columns: "id, client_id, project_id, job_id, title, description, due_date, done_at, shared_with_client, created_at",
    live: "deleted_at IS NULL",
    by_client: true,
};
read_only!(
    Task,
    TaskPage,
    TASKS,
    list_tasks,
    get_task,
    "tasks",
    "/api/v1/tasks",
    "/api/v1/tasks/{id}"
);

#[derive(Debug, Serialize, FromRow, ToSchema)]
pub struct Request {
    #[serde(serialize_with = "id_str")]
    #[schema(value_type = String)]
    pub id: i64,
    #[serde(serialize_with = "id_str")]
    #[schema(value_type = String)]
    pub client_id: i64,
    #[serde(serialize_with = "opt_id_str")]
    #[schema(value_type = Option<String>)]
    pub contact_id: Option<i64>,
    pub subject: String,
    pub details: String,
    pub preferred_date: Option<String>,
    pub site_address: String,
    /// `new`, `in_review`, `converted` or `closed`.
    pub status: String,
    /// The staff member it is assigned to.
    #[serde(serialize_with = "opt_id_str")]
    #[schema(value_type = Option<String>)]
    pub assigned_to: Option<i64>,
    /// The draft quote or job it was converted into.
    #[serde(serialize_with = "opt_id_str")]
    #[schema(value_type = Option<String>)]
    pub converted_quote_id: Option<i64>,
    #[serde(serialize_with = "opt_id_str")]
    #[schema(value_type = Option<String>)]
    pub converted_job_id: Option<i64>,
    pub created_at: i64,
}

pub(super) const REQUESTS: ReadSpec = ReadSpec {
    table: "request",
    columns: "id, client_id, contact_id, subject, details, preferred_date, site_address, status, \
              assigned_to, converted_quote_id, converted_job_id, created_at",
    live: "deleted_at IS NULL",
    by_client: true,
};
read_only!(
    Request,
    RequestPage,
    REQUESTS,
    list_requests,
    get_request,
    "requests",
    "/api/v1/requests",
    "/api/v1/requests/{id}"
);

#[derive(Debug, Serialize, FromRow, ToSchema)]
pub struct Product {
    #[serde(serialize_with = "id_str")]
    #[schema(value_type = String)]
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub description: String,
    pub unit: String,
    pub price_minor: i64,
    pub currency: String,
    /// Tax rate in basis points (500 = 5%).
    pub tax_rate_bp: i64,
    #[serde(serialize_with = "flag")]
    #[schema(value_type = bool)]
    pub visible_in_portal: i64,
    pub created_at: i64,
}

const PRODUCTS: ReadSpec = ReadSpec {
    table: "product",
    columns: "id, kind, name, description, unit, price_minor, currency, tax_rate_bp, visible_in_portal, created_at",
    live: "archived_at IS NULL",
    by_client: false,
};
read_only!(
    Product,
    ProductPage,
    PRODUCTS,
    list_products,
    get_product,
    "products",
    "/api/v1/products",
    "/api/v1/products/{id}"
);

/// An attached file's description (the bytes are downloaded through the portal or
/// back office).
#[derive(Debug, Serialize, FromRow, ToSchema)]
pub struct File {
    #[serde(serialize_with = "id_str")]
    #[schema(value_type = String)]
    pub id: i64,
    #[serde(serialize_with = "id_str")]
    #[schema(value_type = String)]
    pub client_id: i64,
    #[serde(serialize_with = "opt_id_str")]
    #[schema(value_type = Option<String>)]
    pub job_id: Option<i64>,
    #[serde(serialize_with = "opt_id_str")]
    #[schema(value_type = Option<String>)]
    pub invoice_id: Option<i64>,
    pub name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub created_at: i64,
}

pub(super) const FILES: ReadSpec = ReadSpec {
    table: "file",
    columns:
        "id, client_id, job_id, invoice_id, name, content_type, size_bytes, sha256, created_at",
    live: "deleted_at IS NULL",
    by_client: true,
};
read_only!(
    File,
    FilePage,
    FILES,
    list_files,
    get_file,
    "files",
    "/api/v1/files",
    "/api/v1/files/{id}"
);
