//! Files as the back office manages them: what a client's jobs and invoices carry,
//! renaming and removing. Every read and change is scoped to the staff member's
//! workspace; another workspace's file is [`StoreError::NotFound`].
//!
//! Removing is a soft delete of the row plus (by the caller) deleting the bytes: the row
//! stays as a tombstone so the audit log's upload, download and removal events still
//! name what they were about, while the contents — perhaps attached to the wrong client
//! by mistake — are really gone. Every portal read already skips removed files.

use sqlx::FromRow;

use super::documents::invalid;
use super::{Store, StoreError, StoreResult};
use crate::domain::files::{clean_name, content_type_for};
use crate::ids::{ClientId, FileId, InvoiceId, JobId, WorkspaceId};

/// The record a file hangs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileTarget {
    Job(JobId),
    Invoice(InvoiceId),
}

impl FileTarget {
    /// `job:<id>` or `invoice:<id>`, as the upload form's select sends it.
    pub fn parse(raw: &str) -> Option<Self> {
        let (kind, id) = raw.trim().split_once(':')?;
        match kind {
            "job" => id.parse().ok().map(FileTarget::Job),
            "invoice" => id.parse().ok().map(FileTarget::Invoice),
            _ => None,
        }
    }

    pub fn key(&self) -> String {
        match self {
            FileTarget::Job(id) => format!("job:{id}"),
            FileTarget::Invoice(id) => format!("invoice:{id}"),
        }
    }
}

/// A job or invoice of a client that files can be attached to.
#[derive(Debug, Clone, FromRow)]
pub struct AttachTarget {
    /// `job` or `invoice`.
    pub kind: String,
    pub id: i64,
    pub number: String,
    pub title: String,
    pub status: String,
}

impl AttachTarget {
    pub fn key(&self) -> String {
        format!("{}:{}", self.kind, self.id)
    }

    /// Whether the client sees this record (and so its files): not a draft job, not a
    /// draft or void invoice.
    pub fn portal_visible(&self) -> bool {
        match self.kind.as_str() {
            "job" => self.status != "draft",
            _ => !matches!(self.status.as_str(), "draft" | "void"),
        }
    }
}

/// One attached file as staff see it.
#[derive(Debug, Clone, FromRow)]
pub struct StaffFileRow {
    pub id: i64,
    pub client_id: i64,
    pub name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub storage_key: String,
    pub created_at: i64,
    pub job_id: Option<i64>,
    pub invoice_id: Option<i64>,
    pub record_number: String,
    pub uploaded_by_name: Option<String>,
}

impl StaffFileRow {
    pub fn size(&self) -> String {
        crate::domain::files::human_size(self.size_bytes)
    }
}

const FILE_COLUMNS: &str = "f.id, f.client_id, f.name, f.content_type, f.size_bytes, f.storage_key, f.created_at,
    f.job_id, f.invoice_id, COALESCE(j.number, i.number, '') AS record_number, s.name AS uploaded_by_name
    FROM file f
    LEFT JOIN job j ON j.id = f.job_id
    LEFT JOIN invoice i ON i.id = f.invoice_id
    LEFT JOIN staff_user s ON s.id = f.uploaded_by";

impl Store {
    /// The client's jobs and invoices that can carry files, newest first.
    #[tracing::instrument(skip_all, fields(ws = %ws, client = %client))]
    pub async fn attach_targets(
        &self,
        ws: WorkspaceId,
        client: ClientId,
    ) -> StoreResult<Vec<AttachTarget>> {
        Ok(sqlx::query_as(
            "SELECT 'job' AS kind, id, number, title, status FROM job
                 WHERE workspace_id = $1 AND client_id = $2 AND deleted_at IS NULL
             UNION ALL
             SELECT 'invoice' AS kind, id, number, title, status FROM invoice
                 WHERE workspace_id = $1 AND client_id = $2 AND deleted_at IS NULL
             ORDER BY id DESC",
        )
        .bind(ws.get())
        .bind(client.get())
        .fetch_all(&self.pool)
        .await?)
    }

    /// Whether `target` is a live job or invoice of `client` in the workspace.
    /// The client of a live job or invoice of the workspace, if there is one.
    pub async fn attach_target_client(
        &self,
        ws: WorkspaceId,
        target: FileTarget,
    ) -> StoreResult<Option<ClientId>> {
        let (sql, id) = match target {
            FileTarget::Job(id) => ("SELECT client_id FROM job WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL", id.get()),
            FileTarget::Invoice(id) => ("SELECT client_id FROM invoice WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL", id.get()),
        };
        let found: Option<i64> = sqlx::query_scalar(sql)
            .bind(ws.get())
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(found.map(ClientId::from_db))
    }

    pub async fn attach_target_exists(
        &self,
        ws: WorkspaceId,
        client: ClientId,
        target: FileTarget,
    ) -> StoreResult<bool> {
        let (sql, id) = match target {
            FileTarget::Job(id) => ("SELECT id FROM job WHERE workspace_id = $1 AND client_id = $2 AND id = $3 AND deleted_at IS NULL", id.get()),
            FileTarget::Invoice(id) => ("SELECT id FROM invoice WHERE workspace_id = $1 AND client_id = $2 AND id = $3 AND deleted_at IS NULL", id.get()),
        };
        let found: Option<i64> = sqlx::query_scalar(sql)
            .bind(ws.get())
            .bind(client.get())
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(found.is_some())
    }

    /// A client's files (only those of one job or invoice when `only` is given), newest
    /// first, removed ones left out.
    #[tracing::instrument(skip_all, fields(ws = %ws, client = %client))]
    pub async fn staff_files(
        &self,
        ws: WorkspaceId,
        client: ClientId,
        only: Option<FileTarget>,
    ) -> StoreResult<Vec<StaffFileRow>> {
        let (job, invoice) = match only {
            Some(FileTarget::Job(id)) => (id.get(), 0),
            Some(FileTarget::Invoice(id)) => (0, id.get()),
            None => (0, 0),
        };
        Ok(sqlx::query_as(&format!(
            "SELECT {FILE_COLUMNS}
             WHERE f.workspace_id = $1 AND f.client_id = $2 AND f.deleted_at IS NULL
               AND ($3 = 0 OR f.job_id = $3) AND ($4 = 0 OR f.invoice_id = $4)
             ORDER BY f.id DESC"
        ))
        .bind(ws.get())
        .bind(client.get())
        .bind(job)
        .bind(invoice)
        .fetch_all(&self.pool)
        .await?)
    }

    /// One file of the workspace that has not been removed.
    pub async fn staff_file(&self, ws: WorkspaceId, id: FileId) -> StoreResult<StaffFileRow> {
        sqlx::query_as(&format!(
            "SELECT {FILE_COLUMNS} WHERE f.workspace_id = $1 AND f.id = $2 AND f.deleted_at IS NULL"
        ))
        .bind(ws.get())
        .bind(id.get())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// Gives a file a new name (cleaned like an uploaded one). The content type stays
    /// what the upload was checked as, unless the new extension promises another type:
    /// then it becomes a download of unknown type, so a rename never makes a browser
    /// treat the bytes as something they were not checked to be.
    #[tracing::instrument(skip_all, fields(ws = %ws, file = %id))]
    pub async fn rename_file(
        &self,
        ws: WorkspaceId,
        id: FileId,
        raw_name: &str,
    ) -> StoreResult<StaffFileRow> {
        let name = clean_name(raw_name).ok_or_else(|| invalid("Name: cannot be empty"))?;
        let current = self.staff_file(ws, id).await?;
        let content_type = if content_type_for(&name) == current.content_type {
            current.content_type.clone()
        } else {
            crate::domain::files::OCTET_STREAM.to_string()
        };
        let n = sqlx::query(
            "UPDATE file SET name = $3, content_type = $4
             WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL",
        )
        .bind(ws.get())
        .bind(id.get())
        .bind(&name)
        .bind(&content_type)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        self.staff_file(ws, id).await
    }

    /// Marks a file removed; the portal stops showing it at once. Returns the row as it
    /// was, so the caller can delete its bytes and audit the removal.
    #[tracing::instrument(skip_all, fields(ws = %ws, file = %id))]
    pub async fn remove_file(
        &self,
        ws: WorkspaceId,
        id: FileId,
        now_ms: i64,
    ) -> StoreResult<StaffFileRow> {
        let row = self.staff_file(ws, id).await?;
        let n = sqlx::query(
            "UPDATE file SET deleted_at = $3 WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL",
        )
        .bind(ws.get())
        .bind(id.get())
        .bind(now_ms)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_read_only_job_or_invoice_with_a_real_id() {
        assert_eq!(
            FileTarget::parse("job:42"),
            Some(FileTarget::Job(JobId::from_db(42)))
        );
        assert_eq!(
            FileTarget::parse("invoice:7").map(|t| t.key()),
            Some("invoice:7".to_string())
        );
        for bad in [
            "",
            "job",
            "job:",
            "job:-1",
            "quote:5",
            "invoice:abc",
            "job:1:2",
        ] {
            assert_eq!(FileTarget::parse(bad), None, "{bad:?}");
        }
    }
}
