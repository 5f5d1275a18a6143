//! Creating the work side of a client: projects, jobs (numbered `J-0001`…), visits,
//! tasks and requests. Every function refuses a client, project, job, contact or product
//! that is not in the same workspace (and client) with [`StoreError::NotFound`].

use super::documents::{
    check_one_of, check_optional_date, check_text, ensure_client, ensure_client_record,
    ensure_product, invalid, next_number, Owned, Tx,
};
use super::submission::Once;
use super::{Store, StoreError, StoreResult};
use crate::ids::{
    new_id, ClientId, ContactId, JobId, ProductId, ProjectId, RequestId, StaffUserId, TaskId,
    VisitId, WorkspaceId,
};

pub const PROJECT_STATUSES: [&str; 5] = ["planned", "active", "on_hold", "completed", "cancelled"];
pub const JOB_STATUSES: [&str; 7] = [
    "draft",
    "unscheduled",
    "scheduled",
    "in_progress",
    "on_hold",
    "completed",
    "cancelled",
];
pub const VISIT_STATUSES: [&str; 3] = ["scheduled", "completed", "cancelled"];
pub const REQUEST_STATUSES: [&str; 4] = ["new", "in_review", "converted", "closed"];
/// Request details are plain text up to this many characters.
pub const REQUEST_DETAILS_MAX: usize = 10_000;

#[derive(Debug, Clone)]
pub struct NewProject<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub status: &'a str,
    pub progress_pct: i64,
    pub start_date: Option<&'a str>,
    pub due_date: Option<&'a str>,
    pub internal_notes: &'a str,
}

#[derive(Debug, Clone)]
pub struct NewJob<'a> {
    pub project_id: Option<ProjectId>,
    pub title: &'a str,
    pub description: &'a str,
    pub status: &'a str,
    pub site_address: &'a str,
    pub scheduled_start: Option<i64>,
    pub scheduled_end: Option<i64>,
    pub internal_notes: &'a str,
}

#[derive(Debug, Clone)]
pub struct NewVisit<'a> {
    pub starts_at: i64,
    pub ends_at: i64,
    pub status: &'a str,
    pub assigned_to: Option<StaffUserId>,
    pub notes: &'a str,
}

#[derive(Debug, Clone)]
pub struct NewTask<'a> {
    pub project_id: Option<ProjectId>,
    pub job_id: Option<JobId>,
    pub title: &'a str,
    pub description: &'a str,
    pub due_date: Option<&'a str>,
    /// When it was done; `None` while open.
    pub done_at: Option<i64>,
    pub shared_with_client: bool,
}

#[derive(Debug, Clone)]
pub struct NewRequest<'a> {
    pub contact_id: Option<ContactId>,
    pub subject: &'a str,
    pub details: &'a str,
    pub preferred_date: Option<&'a str>,
    pub site_address: &'a str,
    pub status: &'a str,
    pub product_id: Option<ProductId>,
    pub idempotency_key: Option<&'a str>,
}

impl Store {
    pub async fn create_project(
        &self,
        ws: WorkspaceId,
        client: ClientId,
        new: &NewProject<'_>,
        now_ms: i64,
    ) -> StoreResult<ProjectId> {
        self.create_project_once(ws, client, new, None, now_ms)
            .await
            .map(|made| made.value)
    }

    /// [`Store::create_project`] from a New form: a `submission_key` already used in the
    /// workspace answers the project it made (see [`super::submission`]).
    pub async fn create_project_once(
        &self,
        ws: WorkspaceId,
        client: ClientId,
        new: &NewProject<'_>,
        submission_key: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<Once<ProjectId>> {
        check_text("name", new.name, 200)?;
        check_one_of("status", new.status, &PROJECT_STATUSES)?;
        if !(0..=100).contains(&new.progress_pct) {
            return Err(invalid("progress: must be between 0 and 100"));
        }
        check_optional_date("start date", new.start_date)?;
        check_optional_date("due date", new.due_date)?;
        let made: Once<(i64,)> = self
            .once_per_submission(ws, "project", "id", submission_key, |key| async move {
            let id = ProjectId::new();
            let inserted = sqlx::query(
                "INSERT INTO project (id, workspace_id, client_id, name, description, status, progress_pct, start_date, due_date,
                     internal_notes, created_at, updated_at, submission_key)
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12
                 WHERE EXISTS (SELECT 1 FROM client WHERE id = $3 AND workspace_id = $2 AND deleted_at IS NULL)",
            )
            .bind(id.get())
            .bind(ws.get())
            .bind(client.get())
            .bind(new.name.trim())
            .bind(new.description)
            .bind(new.status)
            .bind(new.progress_pct)
            .bind(new.start_date)
            .bind(new.due_date)
            .bind(new.internal_notes)
            .bind(now_ms)
            .bind(key)
            .execute(&self.pool)
            .await?
            .rows_affected();
            if inserted == 0 {
                return Err(StoreError::NotFound);
            }
            Ok((id.get(),))
            })
            .await?;
        Ok(made.map(|(id,)| ProjectId::from_db(id)))
    }

    pub async fn create_job(
        &self,
        ws: WorkspaceId,
        client: ClientId,
        new: &NewJob<'_>,
        now_ms: i64,
    ) -> StoreResult<JobId> {
        self.create_job_once(ws, client, new, None, now_ms)
            .await
            .map(|made| made.value)
    }

    /// [`Store::create_job`] from a New form: a `submission_key` already used in the
    /// workspace answers the job it made, and uses no second number.
    pub async fn create_job_once(
        &self,
        ws: WorkspaceId,
        client: ClientId,
        new: &NewJob<'_>,
        submission_key: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<Once<JobId>> {
        check_text("title", new.title, 200)?;
        check_one_of("status", new.status, &JOB_STATUSES)?;
        if let (Some(start), Some(end)) = (new.scheduled_start, new.scheduled_end) {
            if end < start {
                return Err(invalid("scheduled end: cannot be before the start"));
            }
        }
        let made: Once<(i64,)> = self
            .once_per_submission(ws, "job", "id", submission_key, |key| async move {
            let id = JobId::new();
            let mut tx = self.begin_write().await?;
            let number = next_number(&mut tx, ws, "job").await?;
            ensure_client(&mut tx, ws, client).await?;
            if let Some(project) = new.project_id {
                ensure_client_record(&mut tx, Owned::Project, ws, client, project.get()).await?;
            }
            sqlx::query(
                "INSERT INTO job (id, workspace_id, client_id, project_id, number, title, description, status, site_address,
                     scheduled_start, scheduled_end, internal_notes, created_at, updated_at, submission_key)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14)",
            )
            .bind(id.get())
            .bind(ws.get())
            .bind(client.get())
            .bind(new.project_id.map(ProjectId::get))
            .bind(&number)
            .bind(new.title.trim())
            .bind(new.description)
            .bind(new.status)
            .bind(new.site_address)
            .bind(new.scheduled_start)
            .bind(new.scheduled_end)
            .bind(new.internal_notes)
            .bind(now_ms)
            .bind(key)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok((id.get(),))
            })
            .await?;
        Ok(made.map(|(id,)| JobId::from_db(id)))
    }

    /// A visit of a job of the workspace, optionally assigned to one of its staff.
    pub async fn create_visit(
        &self,
        ws: WorkspaceId,
        job: JobId,
        new: &NewVisit<'_>,
        now_ms: i64,
    ) -> StoreResult<VisitId> {
        check_one_of("status", new.status, &VISIT_STATUSES)?;
        if new.ends_at <= new.starts_at {
            return Err(invalid("end: must be after the start"));
        }
        let id = VisitId::new();
        let mut tx = self.begin_write().await?;
        if let Some(staff) = new.assigned_to {
            ensure_staff(&mut tx, ws, staff).await?;
        }
        let inserted = sqlx::query(
            "INSERT INTO visit (id, workspace_id, job_id, starts_at, ends_at, status, assigned_to, notes, created_at, updated_at)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $9
             WHERE EXISTS (SELECT 1 FROM job WHERE id = $3 AND workspace_id = $2 AND deleted_at IS NULL)",
        )
        .bind(id.get())
        .bind(ws.get())
        .bind(job.get())
        .bind(new.starts_at)
        .bind(new.ends_at)
        .bind(new.status)
        .bind(new.assigned_to.map(StaffUserId::get))
        .bind(new.notes)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await?;
        Ok(id)
    }

    pub async fn create_task(
        &self,
        ws: WorkspaceId,
        client: ClientId,
        new: &NewTask<'_>,
        now_ms: i64,
    ) -> StoreResult<TaskId> {
        self.create_task_once(ws, client, new, None, now_ms)
            .await
            .map(|made| made.value)
    }

    /// [`Store::create_task`] from a New form: a `submission_key` already used in the
    /// workspace answers the task it made.
    pub async fn create_task_once(
        &self,
        ws: WorkspaceId,
        client: ClientId,
        new: &NewTask<'_>,
        submission_key: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<Once<TaskId>> {
        check_text("title", new.title, 200)?;
        check_optional_date("due date", new.due_date)?;
        let made: Once<(i64,)> = self
            .once_per_submission(ws, "task", "id", submission_key, |key| async move {
            let id = TaskId::new();
            let mut tx = self.begin_write().await?;
            ensure_client(&mut tx, ws, client).await?;
            if let Some(project) = new.project_id {
                ensure_client_record(&mut tx, Owned::Project, ws, client, project.get()).await?;
            }
            if let Some(job) = new.job_id {
                ensure_client_record(&mut tx, Owned::Job, ws, client, job.get()).await?;
            }
            sqlx::query(
                "INSERT INTO task (id, workspace_id, client_id, project_id, job_id, title, description, due_date, done_at,
                     shared_with_client, created_at, updated_at, submission_key)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12)",
            )
            .bind(id.get())
            .bind(ws.get())
            .bind(client.get())
            .bind(new.project_id.map(ProjectId::get))
            .bind(new.job_id.map(JobId::get))
            .bind(new.title.trim())
            .bind(new.description)
            .bind(new.due_date)
            .bind(new.done_at)
            .bind(i64::from(new.shared_with_client))
            .bind(now_ms)
            .bind(key)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok((id.get(),))
            })
            .await?;
        Ok(made.map(|(id,)| TaskId::from_db(id)))
    }

    /// A request with its status history: a first `new` event, and one for the status
    /// it was created in when that is not `new` (e.g. a request taken by phone).
    pub async fn create_request(
        &self,
        ws: WorkspaceId,
        client: ClientId,
        new: &NewRequest<'_>,
        now_ms: i64,
    ) -> StoreResult<RequestId> {
        check_text("subject", new.subject, 200)?;
        check_text("details", new.details, REQUEST_DETAILS_MAX)?;
        check_one_of("status", new.status, &REQUEST_STATUSES)?;
        check_optional_date("preferred date", new.preferred_date)?;
        let id = RequestId::new();
        let mut tx = self.begin_write().await?;
        ensure_client(&mut tx, ws, client).await?;
        if let Some(contact) = new.contact_id {
            ensure_client_record(&mut tx, Owned::Contact, ws, client, contact.get()).await?;
        }
        if let Some(product) = new.product_id {
            ensure_product(&mut tx, ws, product).await?;
        }
        sqlx::query(
            "INSERT INTO request (id, workspace_id, client_id, contact_id, subject, details, preferred_date, site_address,
                 status, product_id, idempotency_key, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)",
        )
        .bind(id.get())
        .bind(ws.get())
        .bind(client.get())
        .bind(new.contact_id.map(ContactId::get))
        .bind(new.subject.trim())
        .bind(new.details)
        .bind(new.preferred_date)
        .bind(new.site_address)
        .bind(new.status)
        .bind(new.product_id.map(ProductId::get))
        .bind(new.idempotency_key)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        insert_request_event(&mut tx, ws, id, "new", now_ms).await?;
        if new.status != "new" {
            insert_request_event(&mut tx, ws, id, new.status, now_ms).await?;
        }
        tx.commit().await?;
        Ok(id)
    }
}

async fn insert_request_event(
    tx: &mut Tx<'_>,
    ws: WorkspaceId,
    request: RequestId,
    status: &str,
    now_ms: i64,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO request_event (id, workspace_id, request_id, status, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(new_id())
        .bind(ws.get())
        .bind(request.get())
        .bind(status)
        .bind(now_ms)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// An active staff user of the workspace.
pub(super) async fn ensure_staff(
    tx: &mut Tx<'_>,
    ws: WorkspaceId,
    staff: StaffUserId,
) -> StoreResult<()> {
    let found: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM staff_user WHERE workspace_id = $1 AND id = $2 AND disabled_at IS NULL",
    )
    .bind(ws.get())
    .bind(staff.get())
    .fetch_optional(&mut **tx)
    .await?;
    found.map(|_| ()).ok_or(StoreError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::super::documents::{check_date, NewInvoice, NewLine, NewPayment, NewQuote};
    use super::super::products::NewProduct;
    use super::super::workspaces::NewWorkspace;
    use super::super::{clients::NewClient, Store, StoreError};
    use super::*;

    const NOW: i64 = 1_780_000_000_000;

    #[test]
    fn dates_must_be_written_in_full() {
        assert!(check_date("d", "2026-03-04").is_ok());
        for bad in [
            "2026-3-4",
            "2026-02-30",
            "",
            "04/03/2026",
            "2026-03-04T00:00",
        ] {
            assert!(check_date("d", bad).is_err(), "{bad:?}");
        }
    }

    async fn store(dir: &tempfile::TempDir) -> Store {
        Store::connect(&format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("t.db").display()
        ))
        .await
        .unwrap()
    }

    async fn workspace(store: &Store, slug: &str) -> (WorkspaceId, ClientId) {
        let ws = store
            .create_workspace(
                &NewWorkspace {
                    slug,
                    name: slug,
                    time_zone: "Asia/Dubai",
                    default_currency: "AED",
                },
                NOW,
            )
            .await
            .unwrap();
        let new = NewClient {
            kind: "company",
            name: "Acme",
            phone: "",
            billing_address: "",
            site_address: "",
        };
        let client = store.create_client(ws, &new, NOW).await.unwrap();
        (ws, client)
    }

    fn line(product: Option<ProductId>, qty: i64, price: i64, tax: i64) -> NewLine<'static> {
        NewLine {
            product_id: product,
            description: "Work",
            quantity_milli: qty,
            unit_price_minor: price,
            discount_bp: 0,
            tax_rate_bp: tax,
        }
    }

    fn invoice(
        status: &'static str,
        currency: &'static str,
        lines: Vec<NewLine<'static>>,
    ) -> NewInvoice<'static> {
        NewInvoice {
            title: "Service",
            status,
            issue_date: "2026-05-01",
            due_date: "2026-05-31",
            currency,
            client_notes: "",
            internal_notes: "",
            job_id: None,
            quote_id: None,
            lines,
        }
    }

    fn payment(amount_minor: i64, currency: &str) -> NewPayment<'_> {
        NewPayment {
            method: "bank_transfer",
            amount_minor,
            currency,
            received_at: NOW,
            note: "",
            provider_ref: None,
        }
    }

    async fn invoice_row(store: &Store, id: crate::ids::InvoiceId) -> (String, String, i64, i64) {
        sqlx::query_as("SELECT number, status, total_minor, paid_minor FROM invoice WHERE id = $1")
            .bind(id.get())
            .fetch_one(store.pool())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn documents_are_numbered_and_totalled_from_their_lines() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir).await;
        let (ws, client) = workspace(&store, "a").await;
        let product = NewProduct {
            kind: "service",
            name: "Visit",
            description: "",
            unit: "visit",
            price_minor: 45_000,
            currency: "aed",
            tax_rate_bp: 500,
            visible_in_portal: true,
        };
        let product = store.create_product(ws, &product, NOW).await.unwrap();
        let lines = vec![
            line(Some(product), 2500, 45_000, 500),
            line(None, 1000, 1005, 500),
        ];
        let first = store
            .create_invoice(ws, client, &invoice("sent", "AED", lines.clone()), NOW)
            .await
            .unwrap();
        let second = store
            .create_invoice(ws, client, &invoice("draft", "AED", lines), NOW)
            .await
            .unwrap();
        // 112_500 + 5_625, 1_005 + 50 (5% of 10.05 = 0.5025 → 0.50)
        assert_eq!(
            invoice_row(&store, first).await,
            ("INV-0001".into(), "sent".into(), 119_180, 0)
        );
        assert_eq!(invoice_row(&store, second).await.0, "INV-0002");
        let quote = NewQuote {
            title: "Q",
            status: "sent",
            issue_date: "2026-05-01",
            valid_until: "2026-05-31",
            currency: "KWD",
            client_notes: "",
            internal_notes: "",
            lines: vec![line(None, 1000, 1_250_125, 0)],
        };
        let q = store.create_quote(ws, client, &quote, NOW).await.unwrap();
        let (number, total): (String, i64) =
            sqlx::query_as("SELECT number, total_minor FROM quote WHERE id = $1")
                .bind(q.get())
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!((number.as_str(), total), ("Q-0001", 1_250_125));
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM invoice_line WHERE invoice_id = $1")
                .bind(first.get())
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(n, 2);
        let bad = invoice("sent", "AED", vec![line(None, -1, 100, 0)]);
        assert!(matches!(
            store.create_invoice(ws, client, &bad, NOW).await,
            Err(StoreError::Conflict(_))
        ));
        // a refused document does not use up a number
        let third = store
            .create_invoice(ws, client, &invoice("void", "AED", vec![]), NOW)
            .await
            .unwrap();
        assert_eq!(invoice_row(&store, third).await.0, "INV-0003");
    }

    #[tokio::test]
    async fn other_workspaces_records_are_not_found() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir).await;
        let (ws, client) = workspace(&store, "a").await;
        let (other_ws, other_client) = workspace(&store, "b").await;
        let inv = invoice("sent", "AED", vec![]);
        assert!(matches!(
            store.create_invoice(ws, other_client, &inv, NOW).await,
            Err(StoreError::NotFound)
        ));
        let job = NewJob {
            project_id: None,
            title: "Fix",
            description: "",
            status: "scheduled",
            site_address: "",
            scheduled_start: None,
            scheduled_end: None,
            internal_notes: "",
        };
        assert!(matches!(
            store.create_job(ws, other_client, &job, NOW).await,
            Err(StoreError::NotFound)
        ));
        let job_id = store.create_job(ws, client, &job, NOW).await.unwrap();
        let other_job = store
            .create_job(other_ws, other_client, &job, NOW)
            .await
            .unwrap();
        let visit = NewVisit {
            starts_at: NOW,
            ends_at: NOW + 1,
            status: "scheduled",
            assigned_to: None,
            notes: "",
        };
        assert!(store.create_visit(ws, job_id, &visit, NOW).await.is_ok());
        assert!(matches!(
            store.create_visit(ws, other_job, &visit, NOW).await,
            Err(StoreError::NotFound)
        ));
        let with_job = NewInvoice {
            job_id: Some(other_job),
            ..invoice("sent", "AED", vec![])
        };
        assert!(matches!(
            store.create_invoice(ws, client, &with_job, NOW).await,
            Err(StoreError::NotFound)
        ));
        let task = NewTask {
            project_id: None,
            job_id: Some(other_job),
            title: "T",
            description: "",
            due_date: None,
            done_at: None,
            shared_with_client: true,
        };
        assert!(matches!(
            store.create_task(ws, client, &task, NOW).await,
            Err(StoreError::NotFound)
        ));
        let project = NewProject {
            name: "P",
            description: "",
            status: "active",
            progress_pct: 10,
            start_date: Some("2026-01-01"),
            due_date: None,
            internal_notes: "",
        };
        assert!(matches!(
            store.create_project(ws, other_client, &project, NOW).await,
            Err(StoreError::NotFound)
        ));
        let request = NewRequest {
            contact_id: None,
            subject: "Leak",
            details: "Water under the sink",
            preferred_date: None,
            site_address: "",
            status: "in_review",
            product_id: None,
            idempotency_key: None,
        };
        assert!(matches!(
            store.create_request(ws, other_client, &request, NOW).await,
            Err(StoreError::NotFound)
        ));
        let r = store
            .create_request(ws, client, &request, NOW)
            .await
            .unwrap();
        let events: Vec<(String,)> =
            sqlx::query_as("SELECT status FROM request_event WHERE request_id = $1 ORDER BY id")
                .bind(r.get())
                .fetch_all(store.pool())
                .await
                .unwrap();
        assert_eq!(
            events,
            vec![("new".to_string(),), ("in_review".to_string(),)]
        );
    }

    #[tokio::test]
    async fn payments_move_the_invoice_and_refuse_what_does_not_fit() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir).await;
        let (ws, client) = workspace(&store, "a").await;
        let (other_ws, _) = workspace(&store, "b").await;
        let inv = store
            .create_invoice(
                ws,
                client,
                &invoice("sent", "AED", vec![line(None, 1000, 10_000, 0)]),
                NOW,
            )
            .await
            .unwrap();
        let conflict = |r: Result<_, StoreError>| matches!(r, Err(StoreError::Conflict(_)));
        assert!(conflict(
            store.record_payment(ws, inv, &payment(0, "AED"), NOW).await
        ));
        assert!(conflict(
            store
                .record_payment(ws, inv, &payment(-5, "AED"), NOW)
                .await
        ));
        assert!(conflict(
            store
                .record_payment(ws, inv, &payment(100, "USD"), NOW)
                .await
        ));
        assert!(conflict(
            store
                .record_payment(ws, inv, &payment(10_001, "AED"), NOW)
                .await
        ));
        assert!(conflict(
            store
                .record_payment(ws, inv, &payment(i64::MAX, "AED"), NOW)
                .await
        ));
        assert!(matches!(
            store
                .record_payment(other_ws, inv, &payment(100, "AED"), NOW)
                .await,
            Err(StoreError::NotFound)
        ));
        store
            .record_payment(ws, inv, &payment(4_000, "aed"), NOW)
            .await
            .unwrap();
        assert_eq!(invoice_row(&store, inv).await.1, "partially_paid");
        assert!(conflict(
            store
                .record_payment(ws, inv, &payment(6_001, "AED"), NOW)
                .await
        ));
        store
            .record_payment(ws, inv, &payment(6_000, "AED"), NOW)
            .await
            .unwrap();
        assert_eq!(
            invoice_row(&store, inv).await,
            ("INV-0001".into(), "paid".into(), 10_000, 10_000)
        );
        assert!(conflict(
            store.record_payment(ws, inv, &payment(1, "AED"), NOW).await
        ));
        for status in ["draft", "void"] {
            let other = store
                .create_invoice(
                    ws,
                    client,
                    &invoice(status, "AED", vec![line(None, 1000, 10_000, 0)]),
                    NOW,
                )
                .await
                .unwrap();
            assert!(conflict(
                store
                    .record_payment(ws, other, &payment(1, "AED"), NOW)
                    .await
            ));
        }
        let (n, sum): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), CAST(SUM(amount_minor) AS BIGINT) FROM payment WHERE invoice_id = $1",
        )
        .bind(inv.get())
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!((n, sum), (2, 10_000));
    }
}
