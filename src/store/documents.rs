//! Creating quotes, invoices (header and lines in one transaction, numbered from the
//! workspace's `number_sequence`) and recording payments against invoices. Also the small
//! checks the other creation functions share: every referenced record must belong to the
//! same workspace (and client), or the answer is [`StoreError::NotFound`]; a value out
//! of range is a [`StoreError::Conflict`] naming the field.

use super::{Store, StoreError, StoreResult};
use crate::domain::lines::{self, Amounts, LineInput, MAX_BP};
use crate::domain::money::Currency;
use crate::domain::records::parse_date;
use crate::ids::{new_id, ClientId, InvoiceId, JobId, PaymentId, ProductId, QuoteId, WorkspaceId};

pub(super) type Tx<'c> = sqlx::Transaction<'c, sqlx::Any>;

pub const QUOTE_STATUSES: [&str; 4] = ["draft", "sent", "accepted", "declined"];
/// The states an invoice can be created in; paid and partially paid come from payments.
pub const NEW_INVOICE_STATUSES: [&str; 3] = ["draft", "sent", "void"];
pub const PAYMENT_METHODS: [&str; 6] =
    ["stripe", "telr", "cash", "bank_transfer", "cheque", "other"];

/// One line of a quote or invoice, as typed.
#[derive(Debug, Clone)]
pub struct NewLine<'a> {
    pub product_id: Option<ProductId>,
    pub description: &'a str,
    pub quantity_milli: i64,
    pub unit_price_minor: i64,
    pub discount_bp: i64,
    pub tax_rate_bp: i64,
}

#[derive(Debug, Clone)]
pub struct NewQuote<'a> {
    pub title: &'a str,
    pub status: &'a str,
    pub issue_date: &'a str,
    pub valid_until: &'a str,
    pub currency: &'a str,
    pub client_notes: &'a str,
    pub internal_notes: &'a str,
    pub lines: Vec<NewLine<'a>>,
}

#[derive(Debug, Clone)]
pub struct NewInvoice<'a> {
    pub title: &'a str,
    pub status: &'a str,
    pub issue_date: &'a str,
    pub due_date: &'a str,
    pub currency: &'a str,
    pub client_notes: &'a str,
    pub internal_notes: &'a str,
    pub job_id: Option<JobId>,
    pub quote_id: Option<QuoteId>,
    pub lines: Vec<NewLine<'a>>,
}

#[derive(Debug, Clone)]
pub struct NewPayment<'a> {
    pub method: &'a str,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub received_at: i64,
    pub note: &'a str,
    pub provider_ref: Option<&'a str>,
}

impl Store {
    pub async fn create_quote(
        &self,
        ws: WorkspaceId,
        client: ClientId,
        new: &NewQuote<'_>,
        now_ms: i64,
    ) -> StoreResult<QuoteId> {
        check_one_of("status", new.status, &QUOTE_STATUSES)?;
        check_date_order(
            ("issue date", new.issue_date),
            ("valid until", new.valid_until),
        )?;
        let currency = currency_code(new.currency)?;
        let (per_line, totals) = compute_lines(&new.lines)?;
        let sent_at = (new.status != "draft").then_some(now_ms);
        let decided_at = matches!(new.status, "accepted" | "declined").then_some(now_ms);
        let id = QuoteId::new();
        let mut tx = self.begin_write().await?;
        let number = next_number(&mut tx, ws, "quote").await?;
        ensure_client(&mut tx, ws, client).await?;
        sqlx::query(
            "INSERT INTO quote (id, workspace_id, client_id, number, title, status, issue_date, valid_until, currency,
                 subtotal_minor, tax_minor, total_minor, client_notes, internal_notes, sent_at, decided_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)",
        )
        .bind(id.get())
        .bind(ws.get())
        .bind(client.get())
        .bind(&number)
        .bind(new.title)
        .bind(new.status)
        .bind(new.issue_date)
        .bind(new.valid_until)
        .bind(currency)
        .bind(totals.subtotal_minor)
        .bind(totals.tax_minor)
        .bind(totals.total_minor)
        .bind(new.client_notes)
        .bind(new.internal_notes)
        .bind(sent_at)
        .bind(decided_at)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        insert_lines(
            &mut tx,
            LineTable::Quote,
            ws,
            id.get(),
            &new.lines,
            &per_line,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A new invoice in draft, sent or void state (`sent_at` is set unless it is a draft,
    /// `voided_at` when void). A job or quote it names must be the same client's.
    pub async fn create_invoice(
        &self,
        ws: WorkspaceId,
        client: ClientId,
        new: &NewInvoice<'_>,
        now_ms: i64,
    ) -> StoreResult<InvoiceId> {
        check_one_of("status", new.status, &NEW_INVOICE_STATUSES)?;
        check_date_order(("issue date", new.issue_date), ("due date", new.due_date))?;
        let currency = currency_code(new.currency)?;
        let (per_line, totals) = compute_lines(&new.lines)?;
        let sent_at = (new.status != "draft").then_some(now_ms);
        let voided_at = (new.status == "void").then_some(now_ms);
        let id = InvoiceId::new();
        let mut tx = self.begin_write().await?;
        let number = next_number(&mut tx, ws, "invoice").await?;
        ensure_client(&mut tx, ws, client).await?;
        if let Some(job) = new.job_id {
            ensure_client_record(&mut tx, Owned::Job, ws, client, job.get()).await?;
        }
        if let Some(quote) = new.quote_id {
            ensure_client_record(&mut tx, Owned::Quote, ws, client, quote.get()).await?;
        }
        sqlx::query(
            "INSERT INTO invoice (id, workspace_id, client_id, quote_id, job_id, number, title, status, issue_date, due_date,
                 currency, subtotal_minor, tax_minor, total_minor, client_notes, internal_notes, sent_at, voided_at,
                 created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19)",
        )
        .bind(id.get())
        .bind(ws.get())
        .bind(client.get())
        .bind(new.quote_id.map(QuoteId::get))
        .bind(new.job_id.map(JobId::get))
        .bind(&number)
        .bind(new.title)
        .bind(new.status)
        .bind(new.issue_date)
        .bind(new.due_date)
        .bind(currency)
        .bind(totals.subtotal_minor)
        .bind(totals.tax_minor)
        .bind(totals.total_minor)
        .bind(new.client_notes)
        .bind(new.internal_notes)
        .bind(sent_at)
        .bind(voided_at)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        insert_lines(
            &mut tx,
            LineTable::Invoice,
            ws,
            id.get(),
            &new.lines,
            &per_line,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Records a succeeded payment and moves the invoice to partially paid or paid, in one
    /// transaction. Refused (conflict): a draft, void or paid invoice, another currency, a
    /// non-positive amount or one above the balance.
    pub async fn record_payment(
        &self,
        ws: WorkspaceId,
        invoice: InvoiceId,
        new: &NewPayment<'_>,
        now_ms: i64,
    ) -> StoreResult<PaymentId> {
        check_one_of("method", new.method, &PAYMENT_METHODS)?;
        if new.amount_minor <= 0 {
            return Err(invalid("amount: must be more than zero"));
        }
        let currency = new.currency.trim().to_ascii_uppercase();
        let mut tx = self.begin_write().await?;
        // The guard is written as `amount <= total - paid` so it cannot overflow.
        let updated: Option<(i64,)> = sqlx::query_as(
            "UPDATE invoice SET paid_minor = paid_minor + $3,
                 status = CASE WHEN $3 >= total_minor - paid_minor THEN 'paid' ELSE 'partially_paid' END,
                 updated_at = $5
             WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL AND status IN ('sent', 'partially_paid')
               AND currency = $4 AND $3 <= total_minor - paid_minor
             RETURNING client_id",
        )
        .bind(ws.get())
        .bind(invoice.get())
        .bind(new.amount_minor)
        .bind(&currency)
        .bind(now_ms)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((client_id,)) = updated else {
            return Err(payment_refusal(&mut tx, ws, invoice, &currency, new.amount_minor).await);
        };
        let id = PaymentId::new();
        sqlx::query(
            "INSERT INTO payment (id, workspace_id, client_id, invoice_id, method, status, amount_minor, currency,
                 provider_ref, note, received_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 'succeeded', $6, $7, $8, $9, $10, $11, $11)",
        )
        .bind(id.get())
        .bind(ws.get())
        .bind(client_id)
        .bind(invoice.get())
        .bind(new.method)
        .bind(new.amount_minor)
        .bind(&currency)
        .bind(new.provider_ref)
        .bind(new.note)
        .bind(new.received_at)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}

/// Why a payment was refused, read in the same transaction.
async fn payment_refusal(
    tx: &mut Tx<'_>,
    ws: WorkspaceId,
    invoice: InvoiceId,
    currency: &str,
    amount: i64,
) -> StoreError {
    let row: Result<Option<(String, String, i64, i64)>, sqlx::Error> = sqlx::query_as(
        "SELECT status, currency, total_minor, paid_minor FROM invoice
         WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL",
    )
    .bind(ws.get())
    .bind(invoice.get())
    .fetch_optional(&mut **tx)
    .await;
    match row {
        Err(e) => e.into(),
        Ok(None) => StoreError::NotFound,
        Ok(Some((status, _, _, _))) if !matches!(status.as_str(), "sent" | "partially_paid") => {
            StoreError::Conflict(format!("a {status} invoice cannot take a payment"))
        }
        Ok(Some((_, code, _, _))) if code != currency => {
            StoreError::Conflict(format!("currency: the invoice is in {code}"))
        }
        Ok(Some((_, _, total, paid))) if amount > total - paid => {
            StoreError::Conflict("amount: more than the balance".to_string())
        }
        Ok(Some(_)) => StoreError::Conflict("the invoice changed; try again".to_string()),
    }
}

// ----- numbering and lines -------------------------------------------------------------

/// The next number of a workspace's sequence (`quote`, `invoice`, `job`), e.g. `INV-0001`.
/// Taking it is the transaction's first write, so concurrent creators queue here.
pub(super) async fn next_number(
    tx: &mut Tx<'_>,
    ws: WorkspaceId,
    kind: &str,
) -> StoreResult<String> {
    let row: Option<(String, i64)> = sqlx::query_as(
        "UPDATE number_sequence SET next_value = next_value + 1 WHERE workspace_id = $1 AND kind = $2
         RETURNING prefix, next_value - 1 AS value",
    )
    .bind(ws.get())
    .bind(kind)
    .fetch_optional(&mut **tx)
    .await?;
    let (prefix, value) = row.ok_or(StoreError::NotFound)?;
    Ok(format!("{prefix}{value:04}"))
}

#[derive(Debug, Clone, Copy)]
enum LineTable {
    Quote,
    Invoice,
}

fn compute_lines(lines: &[NewLine<'_>]) -> StoreResult<(Vec<Amounts>, Amounts)> {
    for (i, line) in lines.iter().enumerate() {
        check_text(
            &format!("line {} description", i + 1),
            line.description,
            2000,
        )?;
    }
    let inputs: Vec<LineInput> = lines
        .iter()
        .map(|l| LineInput {
            quantity_milli: l.quantity_milli,
            unit_price_minor: l.unit_price_minor,
            discount_bp: l.discount_bp,
            tax_rate_bp: l.tax_rate_bp,
        })
        .collect();
    lines::compute(&inputs).map_err(|(i, e)| StoreError::Conflict(format!("line {}: {e}", i + 1)))
}

async fn insert_lines(
    tx: &mut Tx<'_>,
    table: LineTable,
    ws: WorkspaceId,
    parent: i64,
    lines: &[NewLine<'_>],
    amounts: &[Amounts],
) -> StoreResult<()> {
    let sql = match table {
        LineTable::Quote => "INSERT INTO quote_line (id, workspace_id, quote_id, position, product_id, description,
                 quantity_milli, unit_price_minor, discount_bp, tax_rate_bp, subtotal_minor, tax_minor, total_minor)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        LineTable::Invoice => "INSERT INTO invoice_line (id, workspace_id, invoice_id, position, product_id, description,
                 quantity_milli, unit_price_minor, discount_bp, tax_rate_bp, subtotal_minor, tax_minor, total_minor)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    };
    for (position, (line, a)) in (1i64..).zip(lines.iter().zip(amounts)) {
        if let Some(product) = line.product_id {
            ensure_product(tx, ws, product).await?;
        }
        sqlx::query(sql)
            .bind(new_id())
            .bind(ws.get())
            .bind(parent)
            .bind(position)
            .bind(line.product_id.map(ProductId::get))
            .bind(line.description.trim())
            .bind(line.quantity_milli)
            .bind(line.unit_price_minor)
            .bind(line.discount_bp)
            .bind(line.tax_rate_bp)
            .bind(a.subtotal_minor)
            .bind(a.tax_minor)
            .bind(a.total_minor)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

// ----- checks shared by the creation functions -----------------------------------------

/// A refused value: the message names the field.
pub(super) fn invalid(message: impl Into<String>) -> StoreError {
    StoreError::Conflict(message.into())
}

pub(super) fn check_one_of(field: &str, value: &str, allowed: &[&str]) -> StoreResult<()> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(invalid(format!(
            "{field}: must be one of {}",
            allowed.join(", ")
        )))
    }
}

/// Not blank and at most `max_chars` characters.
pub(super) fn check_text(field: &str, value: &str, max_chars: usize) -> StoreResult<()> {
    if value.trim().is_empty() {
        return Err(invalid(format!("{field}: cannot be empty")));
    }
    if value.chars().count() > max_chars {
        return Err(invalid(format!("{field}: at most {max_chars} characters")));
    }
    Ok(())
}

pub(super) fn check_bp(field: &str, value: i64) -> StoreResult<()> {
    if (0..=MAX_BP).contains(&value) {
        Ok(())
    } else {
        Err(invalid(format!("{field}: must be between 0% and 100%")))
    }
}

/// A `YYYY-MM-DD` date.
pub(super) fn check_date(field: &str, value: &str) -> StoreResult<()> {
    match parse_date(value) {
        Some(d) if d.to_string() == value => Ok(()),
        _ => Err(invalid(format!("{field}: not a date (YYYY-MM-DD)"))),
    }
}

pub(super) fn check_optional_date(field: &str, value: Option<&str>) -> StoreResult<()> {
    value.map_or(Ok(()), |v| check_date(field, v))
}

/// Two dates, the second not before the first (ISO dates compare as text).
pub(super) fn check_date_order(first: (&str, &str), second: (&str, &str)) -> StoreResult<()> {
    check_date(first.0, first.1)?;
    check_date(second.0, second.1)?;
    if second.1 < first.1 {
        return Err(invalid(format!(
            "{}: cannot be before the {}",
            second.0, first.0
        )));
    }
    Ok(())
}

/// The canonical code of a supported currency.
pub(super) fn currency_code(code: &str) -> StoreResult<&'static str> {
    Currency::parse(code)
        .map(Currency::code)
        .map_err(|e| invalid(format!("currency: {e}")))
}

/// Records that belong to a client (and so to its workspace).
#[derive(Debug, Clone, Copy)]
pub(super) enum Owned {
    Project,
    Job,
    Quote,
    Contact,
}

pub(super) async fn ensure_client(
    tx: &mut Tx<'_>,
    ws: WorkspaceId,
    client: ClientId,
) -> StoreResult<()> {
    let found: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM client WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL",
    )
    .bind(ws.get())
    .bind(client.get())
    .fetch_optional(&mut **tx)
    .await?;
    found.map(|_| ()).ok_or(StoreError::NotFound)
}

pub(super) async fn ensure_client_record(
    tx: &mut Tx<'_>,
    what: Owned,
    ws: WorkspaceId,
    client: ClientId,
    id: i64,
) -> StoreResult<()> {
    let sql = match what {
        Owned::Project => "SELECT id FROM project WHERE workspace_id = $1 AND client_id = $2 AND id = $3 AND deleted_at IS NULL",
        Owned::Job => "SELECT id FROM job WHERE workspace_id = $1 AND client_id = $2 AND id = $3 AND deleted_at IS NULL",
        Owned::Quote => "SELECT id FROM quote WHERE workspace_id = $1 AND client_id = $2 AND id = $3 AND deleted_at IS NULL",
        Owned::Contact => "SELECT id FROM contact WHERE workspace_id = $1 AND client_id = $2 AND id = $3 AND deleted_at IS NULL",
    };
    let found: Option<(i64,)> = sqlx::query_as(sql)
        .bind(ws.get())
        .bind(client.get())
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    found.map(|_| ()).ok_or(StoreError::NotFound)
}

/// A catalogue item of the workspace that is not archived.
pub(super) async fn ensure_product(
    tx: &mut Tx<'_>,
    ws: WorkspaceId,
    product: ProductId,
) -> StoreResult<()> {
    let found: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM product WHERE workspace_id = $1 AND id = $2 AND archived_at IS NULL",
    )
    .bind(ws.get())
    .bind(product.get())
    .fetch_optional(&mut **tx)
    .await?;
    found.map(|_| ()).ok_or(StoreError::NotFound)
}
