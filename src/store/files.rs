//! Files attached to jobs and invoices: recording one (its bytes live in the
//! [`crate::files::FileStore`] under a generated key), and the portal's reads.
//!
//! A file is visible to a client exactly when the record it hangs on is: a job that is
//! not a draft, an invoice that is neither a draft nor void, neither archived nor
//! deleted, and both the file and the record belonging to the scope's client.

use sqlx::FromRow;

use super::documents::invalid;
use super::{ClientScope, Store, StoreError, StoreResult};
use crate::domain::files::{clean_name, content_type_for, OCTET_STREAM};
use crate::ids::{ClientId, FileId, InvoiceId, JobId, StaffUserId, WorkspaceId};

/// What a download needs.
#[derive(Debug, Clone, FromRow)]
pub struct FileRow {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage_key: String,
    pub created_at: i64,
    pub job_id: Option<i64>,
    pub invoice_id: Option<i64>,
}

/// One line of the portal's file lists, with the record it belongs to.
#[derive(Debug, Clone, FromRow)]
pub struct PortalFileRow {
    pub id: i64,
    pub name: String,
    pub size_bytes: i64,
    pub created_at: i64,
    /// `job` or `invoice`.
    pub record_kind: String,
    pub record_id: i64,
    pub record_number: String,
    pub record_title: String,
}

/// A file as staff (or the demo) record it.
#[derive(Debug, Clone)]
pub struct NewFile<'a> {
    /// Chosen by the caller, which stores the bytes under [`crate::files::storage_key`]
    /// of this id before recording the file.
    pub id: FileId,
    pub job_id: Option<JobId>,
    pub invoice_id: Option<InvoiceId>,
    /// The name shown and offered on download; cleaned before it is kept.
    pub name: &'a str,
    /// Kept only if it is the allow-listed type of the name's extension.
    pub content_type: &'a str,
    pub size_bytes: i64,
    pub sha256: &'a str,
    pub storage_key: &'a str,
    pub uploaded_by: Option<StaffUserId>,
}

/// Conditions that make a job visible in the portal (alias `j`, client `$2`).
const JOB_VISIBLE: &str = "j.workspace_id = $1 AND j.client_id = $2 AND j.status <> 'draft'
    AND j.deleted_at IS NULL AND j.archived_at IS NULL";
/// Conditions that make an invoice visible in the portal (alias `i`, client `$2`).
const INVOICE_VISIBLE: &str =
    "i.workspace_id = $1 AND i.client_id = $2 AND i.status NOT IN ('draft', 'void')
    AND i.deleted_at IS NULL AND i.archived_at IS NULL";

fn portal_select(kind: &str) -> String {
    let (table, alias, visible) = match kind {
        "job" => ("job", "j", JOB_VISIBLE),
        _ => ("invoice", "i", INVOICE_VISIBLE),
    };
    format!(
        "SELECT f.id, f.name, f.size_bytes, f.created_at, '{kind}' AS record_kind, {alias}.id AS record_id,
                {alias}.number AS record_number, {alias}.title AS record_title
         FROM file f JOIN {table} {alias} ON {alias}.id = f.{kind}_id
         WHERE f.workspace_id = $1 AND f.client_id = $2 AND f.deleted_at IS NULL AND {visible}"
    )
}

impl Store {
    /// Records a file attached to exactly one job or invoice of `client`. The record (and
    /// the uploader, when named) must be in the same workspace, or the answer is
    /// [`StoreError::NotFound`]; a bad name, size, digest or key is a conflict.
    #[tracing::instrument(skip_all, fields(ws = %ws, client = %client))]
    pub async fn create_file(
        &self,
        ws: WorkspaceId,
        client: ClientId,
        new: &NewFile<'_>,
        now_ms: i64,
    ) -> StoreResult<FileId> {
        let (record_sql, record_id) = match (new.job_id, new.invoice_id) {
            (Some(job), None) => ("SELECT 1 FROM job WHERE id = $13 AND workspace_id = $2 AND client_id = $3 AND deleted_at IS NULL", job.get()),
            (None, Some(invoice)) => ("SELECT 1 FROM invoice WHERE id = $13 AND workspace_id = $2 AND client_id = $3 AND deleted_at IS NULL", invoice.get()),
            _ => return Err(invalid("a file belongs to exactly one job or one invoice")),
        };
        let name = clean_name(new.name).ok_or_else(|| invalid("name: cannot be empty"))?;
        let expected_type = content_type_for(&name);
        let content_type = if new.content_type == expected_type {
            expected_type
        } else {
            OCTET_STREAM
        };
        if new.size_bytes < 0 {
            return Err(invalid("size: cannot be negative"));
        }
        let sha_ok = new.sha256.len() == 64
            && new
                .sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !sha_ok {
            return Err(invalid("sha256: 64 lower-case hex digits"));
        }
        if new.storage_key.trim().is_empty() {
            return Err(invalid("storage key: cannot be empty"));
        }
        let id = new.id;
        let sql = format!(
            "INSERT INTO file (id, workspace_id, client_id, job_id, invoice_id, name, content_type, size_bytes, sha256,
                 storage_key, uploaded_by, created_at)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12
             WHERE EXISTS ({record_sql})
               AND ($11 IS NULL OR EXISTS (SELECT 1 FROM staff_user WHERE id = $11 AND workspace_id = $2))"
        );
        let inserted = sqlx::query(&sql)
            .bind(id.get())
            .bind(ws.get())
            .bind(client.get())
            .bind(new.job_id.map(JobId::get))
            .bind(new.invoice_id.map(InvoiceId::get))
            .bind(&name)
            .bind(content_type)
            .bind(new.size_bytes)
            .bind(new.sha256)
            .bind(new.storage_key)
            .bind(new.uploaded_by.map(StaffUserId::get))
            .bind(now_ms)
            .bind(record_id)
            .execute(&self.pool)
            .await?
            .rows_affected();
        if inserted == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(id)
    }

    /// One page of the files the client can see, newest first (ids follow creation
    /// time), with each file's record for grouping. `after` is the last id of the
    /// previous page.
    #[tracing::instrument(skip_all)]
    pub async fn portal_files(
        &self,
        scope: ClientScope,
        after: Option<i64>,
        size: i64,
    ) -> StoreResult<crate::store::portal_lists::Page<PortalFileRow>> {
        let sql = format!(
            "SELECT * FROM ({} UNION ALL {}) AS visible WHERE ($3 = 0 OR id < $3) ORDER BY id DESC LIMIT $4",
            portal_select("job"),
            portal_select("invoice")
        );
        let mut rows: Vec<PortalFileRow> = sqlx::query_as(&sql)
            .bind(scope.workspace_id().get())
            .bind(scope.client_id().get())
            .bind(after.unwrap_or(0))
            .bind(size + 1)
            .fetch_all(&self.pool)
            .await?;
        let next = if rows.len() as i64 > size {
            rows.truncate(size.max(1) as usize);
            rows.last()
                .map(|r| crate::domain::paging::Cursor::new(String::new(), r.id))
        } else {
            None
        };
        Ok(crate::store::portal_lists::Page { rows, next })
    }

    /// The files of one job, newest first; empty when the job is not visible.
    #[tracing::instrument(skip_all)]
    pub async fn portal_job_files(
        &self,
        scope: ClientScope,
        job: JobId,
    ) -> StoreResult<Vec<PortalFileRow>> {
        self.portal_record_files(scope, "job", job.get()).await
    }

    /// The files of one invoice, newest first; empty when the invoice is not visible.
    #[tracing::instrument(skip_all)]
    pub async fn portal_invoice_files(
        &self,
        scope: ClientScope,
        invoice: InvoiceId,
    ) -> StoreResult<Vec<PortalFileRow>> {
        self.portal_record_files(scope, "invoice", invoice.get())
            .await
    }

    async fn portal_record_files(
        &self,
        scope: ClientScope,
        kind: &str,
        id: i64,
    ) -> StoreResult<Vec<PortalFileRow>> {
        let sql = format!(
            "{} AND f.{kind}_id = $3 ORDER BY f.created_at DESC, f.id DESC",
            portal_select(kind)
        );
        Ok(sqlx::query_as(&sql)
            .bind(scope.workspace_id().get())
            .bind(scope.client_id().get())
            .bind(id)
            .fetch_all(&self.pool)
            .await?)
    }

    /// One file the client can see, or `None` (missing, deleted, another client's, or on
    /// a draft, void, archived or deleted record — all the same answer).
    #[tracing::instrument(skip_all, fields(file = %file))]
    pub async fn portal_file(
        &self,
        scope: ClientScope,
        file: FileId,
    ) -> StoreResult<Option<FileRow>> {
        let sql = format!(
            "SELECT f.id, f.name, f.content_type, f.size_bytes, f.sha256, f.storage_key, f.created_at, f.job_id, f.invoice_id
             FROM file f
             LEFT JOIN job j ON j.id = f.job_id AND {JOB_VISIBLE}
             LEFT JOIN invoice i ON i.id = f.invoice_id AND {INVOICE_VISIBLE}
             WHERE f.workspace_id = $1 AND f.client_id = $2 AND f.id = $3 AND f.deleted_at IS NULL
               AND (j.id IS NOT NULL OR i.id IS NOT NULL)"
        );
        Ok(sqlx::query_as(&sql)
            .bind(scope.workspace_id().get())
            .bind(scope.client_id().get())
            .bind(file.get())
            .fetch_optional(&self.pool)
            .await?)
    }
}
