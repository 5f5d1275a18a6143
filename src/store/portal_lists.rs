//! Lists the portal shows, one page at a time, newest first, always inside a
//! [`ClientScope`] and never showing drafts, archived or deleted records.
//!
//! Pages use keyset pagination: the cursor is the last row's sort key and id, so a deep
//! page costs the same as the first. Status filters are plain SQL fragments chosen from
//! fixed lists in `domain::portal_view`, never text from the request.

use sqlx::FromRow;

use super::portal_home::{InvoiceSummary, QuoteSummary};
use super::{ClientScope, Store, StoreResult};
use crate::domain::paging::Cursor;

#[derive(Debug, Clone, FromRow)]
pub struct RequestSummary {
    pub id: i64,
    pub subject: String,
    pub status: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct TaskSummary {
    pub id: i64,
    pub title: String,
    pub due_date: Option<String>,
    pub done_at: Option<i64>,
    pub project_name: Option<String>,
}

#[derive(Debug, Clone, FromRow)]
pub struct ProjectSummary {
    pub id: i64,
    pub name: String,
    pub status: String,
    pub progress_pct: i64,
    pub start_date: Option<String>,
    pub due_date: Option<String>,
}

#[derive(Debug, Clone, FromRow)]
pub struct JobListRow {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub status: String,
    pub scheduled_start: Option<i64>,
    pub next_visit_at: Option<i64>,
}

#[derive(Debug, Clone, FromRow)]
pub struct ProductRow {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub description: String,
    pub unit: String,
    pub price_minor: i64,
    pub currency: String,
}

/// One page of rows and the cursor of the next page, if there is one.
pub struct Page<T> {
    pub rows: Vec<T>,
    pub next: Option<Cursor>,
}

/// Splits the extra row fetched to learn whether another page exists.
fn page_of<T>(mut rows: Vec<T>, size: i64, key: impl Fn(&T) -> Cursor) -> Page<T> {
    let size = size.max(1) as usize;
    let next = if rows.len() > size {
        rows.truncate(size);
        rows.last().map(key)
    } else {
        None
    };
    Page { rows, next }
}

/// `(sort, id) < (cursor)` for a descending keyset, or nothing on the first page. The
/// sort column is text (dates) or a number; both compare correctly as stored.
///
/// Written with a plain `sort <= cursor` bound first: both databases turn that into a
/// seek into the index, so the walk starts at the cursor (a deep page reads as few rows
/// as the first), where an `OR` alone would make SQLite walk from the newest row.
fn keyset(sort: &str, id: &str, first_param: usize) -> String {
    format!(
        "AND {sort} <= ${a} AND ({sort} < ${a} OR {id} < ${b})",
        a = first_param,
        b = first_param + 1
    )
}

/// One page of a client's invoices, newest issue date first: `$1` workspace, `$2`
/// client, `$3` rows to fetch, and with a cursor `$4` its date and `$5` its id. Served by
/// the index `invoice_client_issued` walked backwards from the cursor.
pub fn invoice_page_sql(filter: &str, with_cursor: bool) -> String {
    dated_page_sql(
        "SELECT id, number, title, status, issue_date, due_date, currency, total_minor, paid_minor FROM invoice",
        filter,
        with_cursor,
    )
}

/// As [`invoice_page_sql`], for quotes (index `quote_client_issued`).
pub fn quote_page_sql(filter: &str, with_cursor: bool) -> String {
    dated_page_sql(
        "SELECT id, number, title, status, issue_date, valid_until, currency, total_minor FROM quote",
        filter,
        with_cursor,
    )
}

fn dated_page_sql(select_from: &str, filter: &str, with_cursor: bool) -> String {
    let mut sql = format!(
        "{select_from}
         WHERE workspace_id = $1 AND client_id = $2 AND status <> 'draft' AND deleted_at IS NULL AND archived_at IS NULL {filter} "
    );
    if with_cursor {
        sql.push_str(&keyset("issue_date", "id", 4));
    }
    sql.push_str(" ORDER BY issue_date DESC, id DESC LIMIT $3");
    sql
}

impl Store {
    /// One page of the client's invoices. On a SQLite file it is read on the calling
    /// thread (see [`super::sqlite_direct`]): the list is the portal page clients open
    /// most after home, and its one statement costs less than the hand-offs to sqlx's
    /// connection thread.
    pub async fn portal_invoices(
        &self,
        scope: ClientScope,
        filter: &str,
        after: Option<&Cursor>,
        size: i64,
    ) -> StoreResult<Page<InvoiceSummary>> {
        let sql = invoice_page_sql(filter, after.is_some());
        let rows = match &self.direct {
            Some(direct) => direct.read(&sql, |stmt| {
                let (ws, client, limit) = (
                    scope.workspace_id().get(),
                    scope.client_id().get(),
                    size + 1,
                );
                let mut params: Vec<(&str, &dyn rusqlite::ToSql)> =
                    vec![("$1", &ws), ("$2", &client), ("$3", &limit)];
                if let Some(c) = after {
                    params.push(("$4", &c.sort));
                    params.push(("$5", &c.id));
                }
                stmt.query_map(params.as_slice(), InvoiceSummary::from_sqlite)?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })?,
            None => self.dated_rows(&sql, scope, after, size).await?,
        };
        Ok(page_of(rows, size, |r| {
            Cursor::new(r.issue_date.clone(), r.id)
        }))
    }

    pub async fn portal_quotes(
        &self,
        scope: ClientScope,
        filter: &str,
        after: Option<&Cursor>,
        size: i64,
    ) -> StoreResult<Page<QuoteSummary>> {
        let sql = quote_page_sql(filter, after.is_some());
        let rows = self.dated_rows(&sql, scope, after, size).await?;
        Ok(page_of(rows, size, |r| {
            Cursor::new(r.issue_date.clone(), r.id)
        }))
    }

    /// The rows of a [`dated_page_sql`] statement through sqlx: one more than `size`,
    /// so the page knows whether another follows.
    async fn dated_rows<T>(
        &self,
        sql: &str,
        scope: ClientScope,
        after: Option<&Cursor>,
        size: i64,
    ) -> StoreResult<Vec<T>>
    where
        T: for<'r> FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        let mut q = sqlx::query_as::<_, T>(sql)
            .bind(scope.workspace_id().get())
            .bind(scope.client_id().get())
            .bind(size + 1);
        if let Some(c) = after {
            q = q.bind(c.sort.clone()).bind(c.id);
        }
        Ok(q.fetch_all(&self.pool).await?)
    }

    /// Requests, tasks, projects and jobs are ordered by creation, which the id follows.
    async fn by_id_page<T>(
        &self,
        scope: ClientScope,
        select: &str,
        filter: &str,
        after: Option<&Cursor>,
        size: i64,
        id_col: &str,
    ) -> StoreResult<Page<T>>
    where
        T: for<'r> FromRow<'r, sqlx::any::AnyRow> + Send + Unpin + HasId,
    {
        let mut sql = format!("{select} {filter} ");
        if after.is_some() {
            sql.push_str(&format!("AND {id_col} < $4 "));
        }
        sql.push_str(&format!("ORDER BY {id_col} DESC LIMIT $3"));
        let mut q = sqlx::query_as::<_, T>(&sql)
            .bind(scope.workspace_id().get())
            .bind(scope.client_id().get())
            .bind(size + 1);
        if let Some(c) = after {
            q = q.bind(c.id);
        }
        let rows = q.fetch_all(&self.pool).await?;
        Ok(page_of(rows, size, |r| Cursor::new(String::new(), r.id())))
    }

    pub async fn portal_requests(
        &self,
        scope: ClientScope,
        filter: &str,
        after: Option<&Cursor>,
        size: i64,
    ) -> StoreResult<Page<RequestSummary>> {
        let select = "SELECT id, subject, status, created_at FROM request
                      WHERE workspace_id = $1 AND client_id = $2 AND deleted_at IS NULL";
        self.by_id_page(scope, select, filter, after, size, "id")
            .await
    }

    pub async fn portal_tasks(
        &self,
        scope: ClientScope,
        filter: &str,
        after: Option<&Cursor>,
        size: i64,
    ) -> StoreResult<Page<TaskSummary>> {
        let select = "SELECT t.id, t.title, t.due_date, t.done_at, p.name AS project_name FROM task t
                      LEFT JOIN project p ON p.id = t.project_id AND p.deleted_at IS NULL AND p.archived_at IS NULL
                      WHERE t.workspace_id = $1 AND t.client_id = $2 AND t.shared_with_client = 1 AND t.deleted_at IS NULL";
        self.by_id_page(scope, select, filter, after, size, "t.id")
            .await
    }

    pub async fn portal_projects(
        &self,
        scope: ClientScope,
        filter: &str,
        after: Option<&Cursor>,
        size: i64,
    ) -> StoreResult<Page<ProjectSummary>> {
        let select = "SELECT id, name, status, progress_pct, start_date, due_date FROM project
                      WHERE workspace_id = $1 AND client_id = $2 AND deleted_at IS NULL AND archived_at IS NULL";
        self.by_id_page(scope, select, filter, after, size, "id")
            .await
    }

    pub async fn portal_jobs(
        &self,
        scope: ClientScope,
        filter: &str,
        after: Option<&Cursor>,
        size: i64,
    ) -> StoreResult<Page<JobListRow>> {
        let select = "SELECT j.id, j.number, j.title, j.status, j.scheduled_start,
                             (SELECT MIN(v.starts_at) FROM visit v WHERE v.job_id = j.id AND v.status = 'scheduled') AS next_visit_at
                      FROM job j
                      WHERE j.workspace_id = $1 AND j.client_id = $2 AND j.status <> 'draft' AND j.deleted_at IS NULL AND j.archived_at IS NULL";
        self.by_id_page(scope, select, filter, after, size, "j.id")
            .await
    }

    /// One page of the catalogue items the business shows in the portal (the same for
    /// every client of the workspace), newest first.
    pub async fn portal_products(
        &self,
        scope: ClientScope,
        filter: &str,
        after: Option<&Cursor>,
        size: i64,
    ) -> StoreResult<Page<ProductRow>> {
        let sql = format!(
            "SELECT id, kind, name, description, unit, price_minor, currency FROM product
             WHERE workspace_id = $1 AND visible_in_portal = 1 AND archived_at IS NULL AND ($2 = 0 OR id < $2) {filter}
             ORDER BY id DESC LIMIT $3"
        );
        let rows = sqlx::query_as::<_, ProductRow>(&sql)
            .bind(scope.workspace_id().get())
            .bind(after.map_or(0, |c| c.id))
            .bind(size + 1)
            .fetch_all(&self.pool)
            .await?;
        Ok(page_of(rows, size, |r| Cursor::new(String::new(), r.id)))
    }

    pub async fn portal_product(
        &self,
        scope: ClientScope,
        id: i64,
    ) -> StoreResult<Option<ProductRow>> {
        Ok(sqlx::query_as(
            "SELECT id, kind, name, description, unit, price_minor, currency FROM product
             WHERE workspace_id = $1 AND id = $2 AND visible_in_portal = 1 AND archived_at IS NULL",
        )
        .bind(scope.workspace_id().get())
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }
}

/// Rows that can be paged by id.
pub trait HasId {
    fn id(&self) -> i64;
}

macro_rules! has_id {
    ($($t:ty),*) => {$(impl HasId for $t { fn id(&self) -> i64 { self.id } })*};
}
has_id!(RequestSummary, TaskSummary, ProjectSummary, JobListRow);
