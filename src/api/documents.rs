//! Writing quotes and invoices through the API (the routes are in
//! [`super::document_routes`]): create and replace a draft with its lines, send it (the
//! client's portal contacts are emailed a link), mark a quote accepted or declined, void
//! an invoice, and record an offline payment. The same checks as the back office
//! (`crate::invoicing`); a bad field is a 422 naming it (`lines[2].quantity`), a change
//! the document's state does not allow a 409, and another workspace's id a 404. Decimals
//! are strings (`"2.5"`, `"100.10"`), so no amount ever passes through a float.

use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::ApiCaller;
use super::error::{ApiError, ApiResult, FieldProblem};
use crate::app::AppState;
use crate::domain::document_form::{format_decimal, DocumentFields, LineFields};
use crate::domain::money::Currency;
use crate::ids::{ClientId, InvoiceId};
use crate::invoicing::{self, Problem};
use crate::store::staff_documents::{DocKind, StaffDoc, StaffLine};

/// One line. A catalogue item (`product_id`) fills a missing description, price and
/// tax rate; without one, `description` and `unit_price` are required.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineBody {
    #[serde(default)]
    pub product_id: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Up to 3 decimal places; 1 when left out.
    #[serde(default)]
    #[schema(example = "2.5")]
    pub quantity: Option<String>,
    /// In the document's currency, with at most its number of decimals.
    #[serde(default)]
    #[schema(example = "100.10")]
    pub unit_price: Option<String>,
    /// 0 to 100, up to 2 decimals.
    #[serde(default)]
    #[schema(example = "10")]
    pub discount_percent: Option<String>,
    /// 0 to 100, up to 2 decimals.
    #[serde(default)]
    #[schema(example = "5")]
    pub tax_rate_percent: Option<String>,
}

/// A draft invoice: created with `POST /invoices`, replaced whole with `PUT` while a draft.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceBody {
    /// Required when creating; ignored when replacing (a draft keeps its client).
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub title: String,
    #[schema(example = "2026-03-01")]
    pub issue_date: String,
    #[schema(example = "2026-03-31")]
    pub due_date: String,
    /// ISO 4217 code.
    #[schema(example = "AED")]
    pub currency: String,
    #[serde(default)]
    pub client_notes: String,
    #[serde(default)]
    pub internal_notes: String,
    #[serde(default)]
    pub lines: Vec<LineBody>,
}

/// A draft quote: created with `POST /quotes`, replaced whole with `PUT` while a draft.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteBody {
    /// Required when creating; ignored when replacing (a draft keeps its client).
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub title: String,
    #[schema(example = "2026-03-01")]
    pub issue_date: String,
    #[schema(example = "2026-03-31")]
    pub valid_until: String,
    #[schema(example = "AED")]
    pub currency: String,
    #[serde(default)]
    pub client_notes: String,
    #[serde(default)]
    pub internal_notes: String,
    #[serde(default)]
    pub lines: Vec<LineBody>,
}

/// One line as stored. The decimal strings are in the form the write side takes
/// (`quantity` `"2.5"`, `unit_price` `"100.10"`, percentages `"10"`); the `_minor`,
/// `_milli` and `_bp` integers say the same in the currency's minor unit, thousandths
/// and basis points.
#[derive(Debug, Serialize, ToSchema)]
pub struct LineOut {
    pub product_id: Option<String>,
    pub description: String,
    #[schema(example = "2.5")]
    pub quantity: String,
    #[schema(example = "100.10")]
    pub unit_price: String,
    #[schema(example = "10")]
    pub discount_percent: String,
    #[schema(example = "5")]
    pub tax_rate_percent: String,
    /// The line before tax, after its discount.
    #[schema(example = "225.23")]
    pub subtotal: String,
    #[schema(example = "11.26")]
    pub tax: String,
    #[schema(example = "236.49")]
    pub total: String,
    pub quantity_milli: i64,
    pub unit_price_minor: i64,
    pub discount_bp: i64,
    pub tax_rate_bp: i64,
    pub subtotal_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
}

/// A quote or invoice with its lines. Amounts are integers in the currency's minor unit.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentOut {
    pub id: String,
    /// `invoice` or `quote`.
    pub kind: String,
    pub client_id: String,
    pub number: String,
    pub title: String,
    pub status: String,
    pub issue_date: String,
    /// Due date of an invoice, valid-until date of a quote.
    pub end_date: String,
    pub currency: String,
    pub subtotal_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    pub paid_minor: i64,
    /// Left to pay (never negative); see `credit_minor` for an overpaid invoice.
    pub balance_minor: i64,
    pub credit_minor: i64,
    pub client_notes: String,
    pub internal_notes: String,
    pub lines: Vec<LineOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SentOut {
    pub document: DocumentOut,
    /// How many of the client's contacts were emailed a link (0 while its portal is off).
    pub emailed: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// `accepted` or `declined`.
    #[schema(example = "accepted")]
    pub decision: String,
}

/// A payment received outside the portal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentBody {
    /// `cash`, `bank_transfer`, `cheque` or `other`.
    #[schema(example = "bank_transfer")]
    pub method: String,
    /// In the invoice's currency; more than zero and at most the balance.
    #[schema(example = "100.00")]
    pub amount: String,
    /// The day it was received, not in the future.
    #[schema(example = "2026-03-05")]
    pub received_on: String,
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentOut {
    pub payment_id: String,
    pub invoice: DocumentOut,
    /// How many of the client's contacts were emailed a receipt.
    pub receipts: i64,
}

pub(super) fn problem(p: Problem) -> ApiError {
    match p {
        Problem::NotFound => ApiError::not_found(),
        Problem::Invalid(errors) => ApiError::from_problems(
            errors
                .into_iter()
                .map(|e| FieldProblem {
                    message: format!("{}: {}", e.field, e.message),
                    field: e.field,
                })
                .collect(),
        ),
        Problem::Refused {
            field: Some(f),
            message,
        } => ApiError::conflict(format!("{f}: {message}.")).with_field(f),
        Problem::Refused {
            field: None,
            message,
        } => ApiError::conflict(format!("{message}.")),
        Problem::Internal(e) => ApiError::internal(e),
    }
}

/// As [`problem`], with the second date named as the API names it.
pub(super) fn problem_of(kind: DocKind, p: Problem) -> ApiError {
    let end = match kind {
        DocKind::Invoice => "due_date",
        DocKind::Quote => "valid_until",
    };
    problem(match p {
        Problem::Invalid(errors) => Problem::Invalid(
            errors
                .into_iter()
                .map(|mut e| {
                    if e.field == "end_date" {
                        e.field = end.to_string();
                    }
                    e
                })
                .collect(),
        ),
        other => other,
    })
}

pub(super) fn id_of(raw: &str) -> ApiResult<i64> {
    raw.parse::<InvoiceId>()
        .map(InvoiceId::get)
        .map_err(|_| ApiError::not_found())
}

pub(super) async fn document(
    state: &AppState,
    caller: &ApiCaller,
    kind: DocKind,
    id: i64,
) -> ApiResult<DocumentOut> {
    let doc: StaffDoc = state
        .store
        .staff_document(caller.workspace_id, kind, id)
        .await?;
    let lines = state
        .store
        .staff_document_lines(caller.workspace_id, kind, id)
        .await?;
    let lines = line_outs(lines, &doc.currency);
    Ok(DocumentOut {
        id: doc.id.to_string(),
        kind: kind.noun().to_string(),
        client_id: doc.client_id.to_string(),
        number: doc.number,
        title: doc.title,
        status: doc.status,
        issue_date: doc.issue_date,
        end_date: doc.end_date,
        currency: doc.currency,
        subtotal_minor: doc.subtotal_minor,
        tax_minor: doc.tax_minor,
        total_minor: doc.total_minor,
        paid_minor: doc.paid_minor,
        balance_minor: (doc.total_minor - doc.paid_minor).max(0),
        credit_minor: (doc.paid_minor - doc.total_minor).max(0),
        client_notes: doc.client_notes,
        internal_notes: doc.internal_notes,
        lines,
    })
}

/// Lines as the API answers them, amounts in `currency`'s decimals.
pub(super) fn line_outs(lines: Vec<StaffLine>, currency: &str) -> Vec<LineOut> {
    // An unknown code (which the schema never holds) reads with two decimals.
    let places = Currency::parse(currency).map_or(2, Currency::exponent);
    let money = |minor: i64| format_decimal(minor, places, places);
    lines
        .into_iter()
        .map(|l| LineOut {
            product_id: l.product_id.map(|p| p.to_string()),
            description: l.description,
            quantity: format_decimal(l.quantity_milli, 3, 0),
            unit_price: money(l.unit_price_minor),
            discount_percent: format_decimal(l.discount_bp, 2, 0),
            tax_rate_percent: format_decimal(l.tax_rate_bp, 2, 0),
            subtotal: money(l.subtotal_minor),
            tax: money(l.tax_minor),
            total: money(l.total_minor),
            quantity_milli: l.quantity_milli,
            unit_price_minor: l.unit_price_minor,
            discount_bp: l.discount_bp,
            tax_rate_bp: l.tax_rate_bp,
            subtotal_minor: l.subtotal_minor,
            tax_minor: l.tax_minor,
            total_minor: l.total_minor,
        })
        .collect()
}

pub(super) struct Header {
    client_id: Option<String>,
    fields: DocumentFields,
}

#[allow(clippy::too_many_arguments)]
fn fields(
    client_id: Option<String>,
    title: String,
    issue_date: String,
    end_date: String,
    currency: String,
    client_notes: String,
    internal_notes: String,
    lines: Vec<LineBody>,
) -> Header {
    Header {
        client_id,
        fields: DocumentFields {
            title,
            issue_date,
            end_date,
            currency,
            client_notes,
            internal_notes,
            lines: lines
                .into_iter()
                .map(|l| {
                    let line = LineFields {
                        product_id: l.product_id.unwrap_or_default(),
                        description: l.description.unwrap_or_default(),
                        quantity: l.quantity.unwrap_or_default(),
                        unit_price: l.unit_price.unwrap_or_default(),
                        discount_percent: l.discount_percent.unwrap_or_default(),
                        tax_rate_percent: l.tax_rate_percent.unwrap_or_default(),
                    };
                    // An API line is never "blank": an empty object is a line with
                    // nothing in it, and is refused as such.
                    if line.is_blank() {
                        LineFields {
                            description: " ".into(),
                            ..line
                        }
                    } else {
                        line
                    }
                })
                .collect(),
        },
    }
}

impl From<InvoiceBody> for Header {
    fn from(b: InvoiceBody) -> Self {
        fields(
            b.client_id,
            b.title,
            b.issue_date,
            b.due_date,
            b.currency,
            b.client_notes,
            b.internal_notes,
            b.lines,
        )
    }
}

impl From<QuoteBody> for Header {
    fn from(b: QuoteBody) -> Self {
        fields(
            b.client_id,
            b.title,
            b.issue_date,
            b.valid_until,
            b.currency,
            b.client_notes,
            b.internal_notes,
            b.lines,
        )
    }
}

pub(super) async fn create(
    state: &AppState,
    caller: &ApiCaller,
    ip: &str,
    kind: DocKind,
    header: Header,
) -> ApiResult<(StatusCode, Json<DocumentOut>)> {
    // Another workspace's or an unknown client is a 422 on `client_id`, as for work.
    let client = match header.client_id.as_deref() {
        None | Some("") => return Err(ApiError::invalid("client_id", "client_id: is required.")),
        Some(raw) => super::work::body_client(state, caller.workspace_id, raw).await?,
    };
    let (id, number) = invoicing::save_draft(
        state,
        caller.workspace_id,
        kind,
        client,
        None,
        &header.fields,
        None,
    )
    .await
    .map_err(|p| problem_of(kind, p))?
    .value;
    caller
        .audit(
            state,
            ip,
            &format!("{}.created", kind.noun()),
            (kind.noun(), id),
            Some(client.get()),
            &number,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(document(state, caller, kind, id).await?),
    ))
}

pub(super) async fn replace(
    state: &AppState,
    caller: &ApiCaller,
    ip: &str,
    kind: DocKind,
    raw_id: &str,
    header: Header,
) -> ApiResult<Json<DocumentOut>> {
    let id = id_of(raw_id)?;
    let doc = state
        .store
        .staff_document(caller.workspace_id, kind, id)
        .await?;
    let client = ClientId::from_db(doc.client_id);
    let (_, number) = invoicing::save_draft(
        state,
        caller.workspace_id,
        kind,
        client,
        Some(id),
        &header.fields,
        None,
    )
    .await
    .map_err(|p| problem_of(kind, p))?
    .value;
    caller
        .audit(
            state,
            ip,
            &format!("{}.updated", kind.noun()),
            (kind.noun(), id),
            Some(doc.client_id),
            &number,
        )
        .await?;
    Ok(Json(document(state, caller, kind, id).await?))
}

pub(super) async fn send(
    state: &AppState,
    caller: &ApiCaller,
    ip: &str,
    kind: DocKind,
    raw_id: &str,
) -> ApiResult<Json<SentOut>> {
    let id = id_of(raw_id)?;
    let emailed = invoicing::send(state, caller.workspace_id, kind, id)
        .await
        .map_err(problem)?;
    let document = document(state, caller, kind, id).await?;
    caller
        .audit(
            state,
            ip,
            &format!("{}.sent", kind.noun()),
            (kind.noun(), id),
            document.client_id.parse().ok(),
            &format!("{} emailed to {emailed} contact(s)", document.number),
        )
        .await?;
    Ok(Json(SentOut {
        document,
        emailed: i64::try_from(emailed).unwrap_or(i64::MAX),
    }))
}
