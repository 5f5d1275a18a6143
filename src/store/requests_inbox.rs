//! The back office's requests inbox: listing a workspace's requests, reading one with its
//! full history (internal notes included), and moving it along — status changes,
//! assignment, notes, and conversion to a draft quote or job. Every function takes the
//! workspace and refuses another workspace's request or staff member with
//! [`StoreError::NotFound`]. Each change writes a `request_event` in the same
//! transaction; events that carry an `internal_note` are for staff only and the portal
//! never reads them. Changes made through the API record no staff member (`by` is None).

use super::documents::{check_text, invalid, next_number, Tx};
use super::{Store, StoreError, StoreResult};
use crate::ids::{new_id, JobId, QuoteId, RequestId, StaffUserId, WorkspaceId};

/// Internal notes are plain text up to this many characters.
pub const NOTE_MAX: usize = 2_000;
/// The statuses staff may set by hand; `converted` comes only from a conversion.
pub const MANUAL_STATUSES: [&str; 3] = ["new", "in_review", "closed"];

/// Inbox order: new first, then in review, then the rest.
const RANK: &str =
    "CAST(CASE r.status WHEN 'new' THEN 0 WHEN 'in_review' THEN 1 ELSE 2 END AS BIGINT)";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InboxRow {
    pub id: i64,
    pub subject: String,
    pub status: String,
    pub rank: i64,
    pub created_at: i64,
    pub client_id: i64,
    pub client_name: String,
    pub assigned_name: Option<String>,
}

/// Where the next inbox page starts: the last row's rank, creation time and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InboxCursor {
    pub rank: i64,
    pub created_at: i64,
    pub id: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestDetail {
    pub id: i64,
    pub client_id: i64,
    pub client_name: String,
    pub contact_id: Option<i64>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub subject: String,
    pub details: String,
    pub preferred_date: Option<String>,
    pub site_address: String,
    pub status: String,
    pub assigned_to: Option<i64>,
    pub assigned_name: Option<String>,
    pub converted_quote_id: Option<i64>,
    pub quote_number: Option<String>,
    pub converted_job_id: Option<i64>,
    pub job_number: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HistoryRow {
    pub status: String,
    pub staff_name: Option<String>,
    pub internal_note: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConvertTo {
    Quote,
    Job,
}

impl ConvertTo {
    /// `quote` or `job`.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "quote" => Some(ConvertTo::Quote),
            "job" => Some(ConvertTo::Job),
            _ => None,
        }
    }

    pub fn noun(self) -> &'static str {
        match self {
            ConvertTo::Quote => "quote",
            ConvertTo::Job => "job",
        }
    }
}

/// What a conversion made: a draft quote or job and its number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Converted {
    pub kind: ConvertTo,
    pub id: i64,
    pub number: String,
}

/// Draft quote details a conversion needs from the workspace.
#[derive(Debug, Clone)]
pub struct QuoteDefaults<'a> {
    pub issue_date: &'a str,
    pub valid_until: &'a str,
    pub currency: &'a str,
}

impl Store {
    /// One inbox page, `limit` rows after `after`; `status` and `assigned_to` filter.
    pub async fn inbox_page(
        &self,
        ws: WorkspaceId,
        status: Option<&str>,
        assigned_to: Option<StaffUserId>,
        after: Option<InboxCursor>,
        limit: i64,
    ) -> StoreResult<Vec<InboxRow>> {
        let mut sql = format!(
            "SELECT r.id, r.subject, r.status, {RANK} AS rank, r.created_at, r.client_id,
                    c.name AS client_name, s.name AS assigned_name
             FROM request r
             JOIN client c ON c.id = r.client_id
             LEFT JOIN staff_user s ON s.id = r.assigned_to
             WHERE r.workspace_id = $1 AND r.deleted_at IS NULL
               AND ($2 = '' OR r.status = $2)
               AND ($3 = 0 OR r.assigned_to = $3)"
        );
        if after.is_some() {
            sql.push_str(&format!(
                " AND ({RANK} > $4 OR ({RANK} = $4 AND (r.created_at < $5 OR (r.created_at = $5 AND r.id < $6))))"
            ));
        }
        sql.push_str(&format!(
            " ORDER BY {RANK}, r.created_at DESC, r.id DESC LIMIT {}",
            limit.clamp(1, 500)
        ));
        let mut q = sqlx::query_as::<_, InboxRow>(&sql)
            .bind(ws.get())
            .bind(status.unwrap_or(""))
            .bind(assigned_to.map_or(0, StaffUserId::get));
        if let Some(c) = after {
            q = q.bind(c.rank).bind(c.created_at).bind(c.id);
        }
        Ok(q.fetch_all(&self.pool).await?)
    }

    /// How many of the workspace's requests are new.
    pub async fn new_request_count(&self, ws: WorkspaceId) -> StoreResult<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM request WHERE workspace_id = $1 AND status = 'new' AND deleted_at IS NULL",
        )
        .bind(ws.get())
        .fetch_one(&self.pool)
        .await?;
        Ok(n)
    }

    pub async fn staff_request(
        &self,
        ws: WorkspaceId,
        id: RequestId,
    ) -> StoreResult<RequestDetail> {
        sqlx::query_as(
            "SELECT r.id, r.client_id, c.name AS client_name, r.contact_id,
                    CASE WHEN ct.id IS NULL THEN NULL ELSE ct.first_name || ' ' || ct.last_name END AS contact_name,
                    ct.email AS contact_email,
                    r.subject, r.details, r.preferred_date, r.site_address, r.status,
                    r.assigned_to, s.name AS assigned_name,
                    r.converted_quote_id, q.number AS quote_number,
                    r.converted_job_id, j.number AS job_number, r.created_at
             FROM request r
             JOIN client c ON c.id = r.client_id
             LEFT JOIN contact ct ON ct.id = r.contact_id
             LEFT JOIN staff_user s ON s.id = r.assigned_to
             LEFT JOIN quote q ON q.id = r.converted_quote_id
             LEFT JOIN job j ON j.id = r.converted_job_id
             WHERE r.workspace_id = $1 AND r.id = $2 AND r.deleted_at IS NULL",
        )
        .bind(ws.get())
        .bind(id.get())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// The full history, internal notes included: for staff only.
    pub async fn staff_request_history(
        &self,
        ws: WorkspaceId,
        id: RequestId,
    ) -> StoreResult<Vec<HistoryRow>> {
        Ok(sqlx::query_as(
            "SELECT e.status, s.name AS staff_name, e.internal_note, e.created_at
             FROM request_event e LEFT JOIN staff_user s ON s.id = e.staff_user_id
             WHERE e.workspace_id = $1 AND e.request_id = $2
             ORDER BY e.created_at, e.id",
        )
        .bind(ws.get())
        .bind(id.get())
        .fetch_all(&self.pool)
        .await?)
    }

    /// Active staff of the workspace, by name: who a request can be assigned to.
    pub async fn assignable_staff(&self, ws: WorkspaceId) -> StoreResult<Vec<(i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT id, name FROM staff_user WHERE workspace_id = $1 AND disabled_at IS NULL ORDER BY name, id",
        )
        .bind(ws.get())
        .fetch_all(&self.pool)
        .await?)
    }

    /// Moves a request to `status` (one of [`MANUAL_STATUSES`]). Returns false when it
    /// already had that status (nothing written). A converted request keeps its status.
    pub async fn set_request_status(
        &self,
        ws: WorkspaceId,
        id: RequestId,
        by: Option<StaffUserId>,
        status: &str,
        now_ms: i64,
    ) -> StoreResult<bool> {
        if !MANUAL_STATUSES.contains(&status) {
            return Err(invalid(
                "status: choose new, in review or closed (a request is converted from its convert buttons)",
            ));
        }
        let mut tx = self.begin_write().await?;
        let current = request_status(&mut tx, ws, id).await?;
        if current == status {
            return Ok(false);
        }
        if current == "converted" {
            return Err(invalid(
                "status: this request was converted and keeps that status",
            ));
        }
        sqlx::query(
            "UPDATE request SET status = $1, updated_at = $2 WHERE workspace_id = $3 AND id = $4",
        )
        .bind(status)
        .bind(now_ms)
        .bind(ws.get())
        .bind(id.get())
        .execute(&mut *tx)
        .await?;
        insert_event(&mut tx, ws, id, status, by, "", now_ms).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Assigns the request to an active staff member of the workspace, or to nobody.
    /// Returns the assignee's name (empty when unassigned), or None when unchanged.
    pub async fn assign_request(
        &self,
        ws: WorkspaceId,
        id: RequestId,
        by: Option<StaffUserId>,
        to: Option<StaffUserId>,
        now_ms: i64,
    ) -> StoreResult<Option<String>> {
        let mut tx = self.begin_write().await?;
        let (status, current): (String, Option<i64>) = sqlx::query_as(
            "SELECT status, assigned_to FROM request WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL",
        )
        .bind(ws.get())
        .bind(id.get())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let name = match to {
            Some(staff) => {
                let row: Option<(String,)> = sqlx::query_as(
                    "SELECT name FROM staff_user WHERE workspace_id = $1 AND id = $2 AND disabled_at IS NULL",
                )
                .bind(ws.get())
                .bind(staff.get())
                .fetch_optional(&mut *tx)
                .await?;
                row.ok_or_else(|| invalid("assignee: choose a member of this workspace's staff"))?
                    .0
            }
            None => String::new(),
        };
        if current == to.map(StaffUserId::get) {
            return Ok(None);
        }
        sqlx::query("UPDATE request SET assigned_to = $1, updated_at = $2 WHERE workspace_id = $3 AND id = $4")
            .bind(to.map(StaffUserId::get))
            .bind(now_ms)
            .bind(ws.get())
            .bind(id.get())
            .execute(&mut *tx)
            .await?;
        let note = if name.is_empty() {
            "Unassigned".to_string()
        } else {
            format!("Assigned to {name}")
        };
        insert_event(&mut tx, ws, id, &status, by, &note, now_ms).await?;
        tx.commit().await?;
        Ok(Some(name))
    }

    /// A staff-only note on the request's history.
    pub async fn add_request_note(
        &self,
        ws: WorkspaceId,
        id: RequestId,
        by: Option<StaffUserId>,
        note: &str,
        now_ms: i64,
    ) -> StoreResult<()> {
        check_text("note", note, NOTE_MAX)?;
        let mut tx = self.begin_write().await?;
        let status = request_status(&mut tx, ws, id).await?;
        insert_event(&mut tx, ws, id, &status, by, note.trim(), now_ms).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Makes a draft quote or job for the request's client and marks the request
    /// converted, in one transaction. A request converts once; a closed one not at all.
    pub async fn convert_request(
        &self,
        ws: WorkspaceId,
        id: RequestId,
        by: Option<StaffUserId>,
        to: ConvertTo,
        quote: &QuoteDefaults<'_>,
        now_ms: i64,
    ) -> StoreResult<Converted> {
        let mut tx = self.begin_write().await?;
        let (status, client_id, subject, details, site_address): (
            String,
            i64,
            String,
            String,
            String,
        ) = sqlx::query_as(
            "SELECT status, client_id, subject, details, site_address FROM request
                 WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL",
        )
        .bind(ws.get())
        .bind(id.get())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        match status.as_str() {
            "converted" => return Err(invalid("This request was already converted.")),
            "closed" => {
                return Err(invalid(
                    "This request is closed. Move it back to in review to convert it.",
                ))
            }
            _ => {}
        }
        let title: String = subject.chars().take(200).collect();
        let (new_id_value, number, column) = match to {
            ConvertTo::Quote => {
                let qid = QuoteId::new();
                let number = next_number(&mut tx, ws, "quote").await?;
                sqlx::query(
                    "INSERT INTO quote (id, workspace_id, client_id, request_id, number, title, status, issue_date,
                         valid_until, currency, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, $8, $9, $10, $10)",
                )
                .bind(qid.get())
                .bind(ws.get())
                .bind(client_id)
                .bind(id.get())
                .bind(&number)
                .bind(&title)
                .bind(quote.issue_date)
                .bind(quote.valid_until)
                .bind(quote.currency)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
                (qid.get(), number, "converted_quote_id")
            }
            ConvertTo::Job => {
                let jid = JobId::new();
                let number = next_number(&mut tx, ws, "job").await?;
                sqlx::query(
                    "INSERT INTO job (id, workspace_id, client_id, number, title, description, status, site_address,
                         created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, $8, $8)",
                )
                .bind(jid.get())
                .bind(ws.get())
                .bind(client_id)
                .bind(&number)
                .bind(&title)
                .bind(&details)
                .bind(&site_address)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
                (jid.get(), number, "converted_job_id")
            }
        };
        let done = sqlx::query(&format!(
            "UPDATE request SET status = 'converted', {column} = $1, updated_at = $2
             WHERE workspace_id = $3 AND id = $4 AND status IN ('new', 'in_review')"
        ))
        .bind(new_id_value)
        .bind(now_ms)
        .bind(ws.get())
        .bind(id.get())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(invalid("This request was already converted."));
        }
        insert_event(&mut tx, ws, id, "converted", by, "", now_ms).await?;
        tx.commit().await?;
        Ok(Converted {
            kind: to,
            id: new_id_value,
            number,
        })
    }
}

/// When the draft quote a request was converted into is deleted, the request goes back
/// to in review (the client sees that status) and can be converted again; the history
/// says why. Runs in the deleting transaction; a quote made from no request is left be.
pub(super) async fn reopen_for_deleted_quote(
    tx: &mut Tx<'_>,
    ws: WorkspaceId,
    quote: i64,
    number: &str,
    by: Option<StaffUserId>,
    now_ms: i64,
) -> StoreResult<()> {
    let found: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM request WHERE workspace_id = $1 AND converted_quote_id = $2
           AND status = 'converted' AND deleted_at IS NULL",
    )
    .bind(ws.get())
    .bind(quote)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((request,)) = found else {
        return Ok(());
    };
    sqlx::query(
        "UPDATE request SET status = 'in_review', converted_quote_id = NULL, updated_at = $3
         WHERE workspace_id = $1 AND id = $2",
    )
    .bind(ws.get())
    .bind(request)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    // The status change (which the portal shows), then the reason (staff only).
    let request = RequestId::from_db(request);
    insert_event(tx, ws, request, "in_review", by, "", now_ms).await?;
    let note = format!("Draft quote {number} deleted; the request can be converted again");
    insert_event(tx, ws, request, "in_review", by, &note, now_ms).await
}

async fn request_status(tx: &mut Tx<'_>, ws: WorkspaceId, id: RequestId) -> StoreResult<String> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT status FROM request WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL",
    )
    .bind(ws.get())
    .bind(id.get())
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| r.0).ok_or(StoreError::NotFound)
}

async fn insert_event(
    tx: &mut Tx<'_>,
    ws: WorkspaceId,
    request: RequestId,
    status: &str,
    by: Option<StaffUserId>,
    internal_note: &str,
    now_ms: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO request_event (id, workspace_id, request_id, status, staff_user_id, internal_note, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(ws.get())
    .bind(request.get())
    .bind(status)
    .bind(by.map(StaffUserId::get))
    .bind(internal_note)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
