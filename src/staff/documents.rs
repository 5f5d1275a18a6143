//! Quotes and invoices in the back office: the workspace's list (filtered by status and
//! client), one document's page with what can be done to it next (edit a draft, send,
//! mark a quote accepted or declined, void an invoice, record a payment), its printable
//! page and its PDF, and the numbering prefixes. Every id is looked up in the staff
//! member's own workspace, so another workspace's is simply not found.

use askama::Template;
use axum::extract::{FromRequestParts, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::session::StaffUser;
use crate::app::AppState;
use crate::domain::document_form::DocError;
use crate::domain::money::Money;
use crate::domain::offline_payment::method_label;
use crate::domain::records::{display_date, display_instant, today_in};
use crate::ids::ClientId;
use crate::invoicing::print::{self, invoice_label, quote_label, DocInput, LineInput, Printable};
use crate::invoicing::{self, Problem};
use crate::store::staff_documents::{DocKind, StaffDoc, StaffLine};
use crate::store::workspaces::BusinessProfile;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::{Form, Path, Query};
use crate::web::ClientIp;

const PAGE: i64 = 50;

/// Which kind of document a `/staff/invoices…` or `/staff/quotes…` route serves.
pub struct Kind(pub DocKind);

impl<S: Send + Sync> FromRequestParts<S> for Kind {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let path = parts.uri.path();
        let path = path.strip_prefix("/staff").unwrap_or(path);
        if path.starts_with("/invoices") {
            Ok(Kind(DocKind::Invoice))
        } else if path.starts_with("/quotes") {
            Ok(Kind(DocKind::Quote))
        } else {
            Err(AppError::NotFound)
        }
    }
}

pub fn doc_id(raw: &str) -> AppResult<i64> {
    raw.parse::<crate::ids::InvoiceId>()
        .map(|id| id.get())
        .map_err(|_| AppError::NotFound)
}

/// A refusal as a clear 400 page naming what was wrong.
pub fn refused(problem: Problem) -> AppError {
    match problem {
        Problem::NotFound => AppError::NotFound,
        Problem::Invalid(errors) => AppError::BadRequest(
            errors
                .iter()
                .map(DocError::label)
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Problem::Refused { field, message } => AppError::BadRequest(match field {
            Some(f) => format!("{}: {message}.", f.replace('_', " ")),
            None => capitalise(&format!("{message}.")),
        }),
        Problem::Internal(e) => AppError::Internal(e),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

pub fn status_label(kind: DocKind, status: &str, total: i64, paid: i64) -> &'static str {
    match kind {
        DocKind::Invoice => invoice_label(status, total, paid),
        DocKind::Quote => quote_label(status),
    }
}

fn status_class(label: &str) -> &'static str {
    match label {
        "Paid" | "Accepted" => "paid",
        "Void" => "void",
        "Overpaid" | "Declined" => "overdue",
        _ => "",
    }
}

pub struct Row {
    pub href: String,
    pub number: String,
    pub client: String,
    pub client_href: String,
    pub title: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub issue_date: String,
    pub end_date: String,
    pub total: String,
    pub balance: String,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "staff/documents.html")]
struct ListPage {
    user: StaffUser,
    heading: &'static str,
    plural: &'static str,
    noun: &'static str,
    invoices: bool,
    statuses: Vec<Choice>,
    clients: Vec<Choice>,
    rows: Vec<Row>,
    next_href: Option<String>,
    prefix: String,
    can_configure: bool,
    partial_allowed: bool,
    partial_min: String,
    default_currency: String,
    notice: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    client: String,
    #[serde(default)]
    before: String,
    #[serde(default)]
    notice: String,
}

pub async fn list(
    State(state): State<AppState>,
    user: StaffUser,
    Kind(kind): Kind,
    Query(q): Query<ListQuery>,
) -> AppResult<Html<String>> {
    if !q.status.is_empty() && !kind.statuses().contains(&q.status.as_str()) {
        return Err(AppError::BadRequest(format!(
            "Status: there is no {} status \"{}\".",
            kind.noun(),
            q.status.chars().take(20).collect::<String>()
        )));
    }
    let client =
        match q.client.as_str() {
            "" => None,
            raw => Some(raw.parse::<ClientId>().map_err(|_| {
                AppError::BadRequest("Client: choose a client from the list.".into())
            })?),
        };
    let before = match q.before.as_str() {
        "" => None,
        raw => Some(
            doc_id(raw).map_err(|_| AppError::BadRequest("This page link is not valid.".into()))?,
        ),
    };
    let status = (!q.status.is_empty()).then_some(q.status.as_str());
    let mut rows = state
        .store
        .staff_documents(user.workspace_id, kind, status, client, before, PAGE + 1)
        .await?;
    let more = rows.len() as i64 > PAGE;
    rows.truncate(PAGE as usize);
    let next_href = more.then(|| {
        format!(
            "/staff/{}?status={}&client={}&before={}",
            kind.plural(),
            q.status,
            q.client,
            rows.last().map_or(0, |r| r.id)
        )
    });
    let rows = rows
        .into_iter()
        .map(|r| {
            let label = status_label(kind, &r.status, r.total_minor, r.paid_minor);
            let (balance_label, balance) = print::balance_of(r.total_minor, r.paid_minor);
            Row {
                href: format!("/staff/{}/{}", kind.plural(), r.id),
                client_href: format!("/staff/clients/{}", r.client_id),
                client: r.client_name,
                title: r.title,
                status: label,
                status_class: status_class(label),
                issue_date: display_date(&r.issue_date),
                end_date: display_date(&r.end_date),
                total: Money::format_stored(r.total_minor, &r.currency),
                balance: match (kind, r.status.as_str()) {
                    (DocKind::Quote, _) | (_, "void" | "draft") => String::new(),
                    _ if balance_label == "Credit" => {
                        format!("Credit {}", Money::format_stored(balance, &r.currency))
                    }
                    _ => Money::format_stored(balance, &r.currency),
                },
                number: r.number,
            }
        })
        .collect();
    let mut statuses = vec![Choice {
        value: String::new(),
        label: "Any status".into(),
        selected: status.is_none(),
    }];
    statuses.extend(kind.statuses().iter().map(|s| Choice {
        value: (*s).to_string(),
        label: status_label(kind, s, 0, 0).to_string(),
        selected: status == Some(*s),
    }));
    let mut clients = vec![Choice {
        value: String::new(),
        label: "Any client".into(),
        selected: client.is_none(),
    }];
    clients.extend(
        state
            .store
            .client_choices(user.workspace_id)
            .await?
            .into_iter()
            .map(|(id, name)| Choice {
                selected: client.map(ClientId::get) == Some(id),
                value: id.to_string(),
                label: name,
            }),
    );
    let (invoice_prefix, quote_prefix) = state.store.number_prefixes(user.workspace_id).await?;
    let policy = state.store.payment_policy(user.workspace_id).await?;
    let partial_min = crate::domain::money::Currency::parse(&policy.currency)
        .map(|c| {
            crate::domain::document_form::format_decimal(
                policy.min_minor,
                c.exponent(),
                c.exponent(),
            )
        })
        .unwrap_or_default();
    let view = ListPage {
        heading: match kind {
            DocKind::Invoice => "Invoices",
            DocKind::Quote => "Quotes",
        },
        plural: kind.plural(),
        noun: kind.noun(),
        invoices: kind == DocKind::Invoice,
        statuses,
        clients,
        rows,
        next_href,
        prefix: match kind {
            DocKind::Invoice => invoice_prefix,
            DocKind::Quote => quote_prefix,
        },
        can_configure: user.role != "member",
        partial_allowed: policy.allowed,
        partial_min,
        default_currency: policy.currency,
        notice: match q.notice.as_str() {
            "numbering" => Some("Numbering saved: the next number uses the new prefix."),
            "payments" => Some("Online payment settings saved."),
            _ => None,
        },
        user,
    };
    Ok(Html(view.render()?))
}

pub struct PaymentView {
    pub date: String,
    pub method: &'static str,
    pub amount: String,
    pub reference: String,
    pub note: String,
    pub status: String,
    pub by: String,
}

#[derive(Template)]
#[template(path = "staff/document.html")]
struct DetailPage {
    user: StaffUser,
    kind_noun: &'static str,
    heading: &'static str,
    plural: &'static str,
    invoices: bool,
    doc: StaffDoc,
    printable: Printable,
    status: &'static str,
    status_class: &'static str,
    created: String,
    sent: String,
    closed: String,
    payments: Vec<PaymentView>,
    can_edit: bool,
    can_send: bool,
    can_decide: bool,
    can_void: bool,
    can_pay: bool,
    overpaid: Option<String>,
    today: String,
    amount_default: String,
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct DetailQuery {
    #[serde(default)]
    notice: String,
    #[serde(default)]
    n: String,
}

fn notice_text(kind: DocKind, doc: &StaffDoc, notice: &str, n: &str) -> Option<String> {
    let noun = kind.noun();
    let count: usize = n.parse().unwrap_or(0);
    Some(match notice {
        "created" => format!("Draft {noun} {} saved.", doc.number),
        "saved" => "Changes saved.".to_string(),
        "sent" if count == 0 => format!(
            "{} sent. Nobody was emailed: {}",
            capitalise(noun),
            if doc.client_portal == 0 {
                "the client's portal is off. Turn it on to share the link."
            } else {
                "no contact of this client has an email address."
            }
        ),
        "sent" => format!(
            "{} sent: {count} contact{} emailed a link to it in the portal.",
            capitalise(noun),
            if count == 1 { "" } else { "s" }
        ),
        "accepted" => "Quote marked accepted.".to_string(),
        "declined" => "Quote marked declined.".to_string(),
        "voided" => {
            "Invoice voided. It stays on record and shows as Void on the portal.".to_string()
        }
        "paid" => format!(
            "Payment recorded; a receipt was emailed to {count} contact{}.",
            if count == 1 { "" } else { "s" }
        ),
        _ => return None,
    })
}

fn business_lines(profile: &BusinessProfile) -> Vec<String> {
    [&profile.address, &profile.phone, &profile.email]
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.replace('\n', ", "))
        .collect()
}

/// The printable view of a staff document.
pub async fn staff_printable(
    state: &AppState,
    user: &StaffUser,
    kind: DocKind,
    doc: &StaffDoc,
    lines: &[StaffLine],
) -> AppResult<Printable> {
    let profile = state.store.business_profile(user.workspace_id).await?;
    let client = state
        .store
        .client(user.workspace_id, ClientId::from_db(doc.client_id))
        .await?;
    let input = DocInput {
        kind,
        number: &doc.number,
        title: &doc.title,
        status: &doc.status,
        issue_date: &doc.issue_date,
        end_date: &doc.end_date,
        currency: &doc.currency,
        subtotal_minor: doc.subtotal_minor,
        tax_minor: doc.tax_minor,
        total_minor: doc.total_minor,
        paid_minor: doc.paid_minor,
        client_notes: &doc.client_notes,
        client_name: &doc.client_name,
        client_address: &client.billing_address,
        business_name: &profile.display_name,
        business_lines: business_lines(&profile),
    };
    let line_inputs: Vec<LineInput<'_>> = lines
        .iter()
        .map(|l| LineInput {
            description: &l.description,
            quantity_milli: l.quantity_milli,
            unit_price_minor: l.unit_price_minor,
            discount_bp: l.discount_bp,
            tax_rate_bp: l.tax_rate_bp,
            subtotal_minor: l.subtotal_minor,
        })
        .collect();
    Ok(print::build(&input, &line_inputs))
}

pub async fn detail(
    State(state): State<AppState>,
    user: StaffUser,
    Kind(kind): Kind,
    Path(id): Path<String>,
    Query(q): Query<DetailQuery>,
) -> AppResult<Html<String>> {
    let id = doc_id(&id)?;
    let doc = state
        .store
        .staff_document(user.workspace_id, kind, id)
        .await?;
    let lines = state
        .store
        .staff_document_lines(user.workspace_id, kind, id)
        .await?;
    let printable = staff_printable(&state, &user, kind, &doc, &lines).await?;
    let ws = state.store.workspace(user.workspace_id).await?;
    let tz = ws.time_zone.clone();
    let payments = if kind == DocKind::Invoice {
        state
            .store
            .staff_invoice_payments(user.workspace_id, id)
            .await?
            .into_iter()
            .map(|p| PaymentView {
                date: display_instant(p.received_at, &tz),
                method: method_label(&p.method),
                amount: Money::format_stored(p.amount_minor, &p.currency),
                reference: p.reference,
                note: p.note,
                status: if p.refunded_minor > 0 {
                    format!(
                        "Refunded {}",
                        Money::format_stored(p.refunded_minor, &p.currency)
                    )
                } else {
                    capitalise(&p.status)
                },
                by: p.recorded_by_name.unwrap_or_default(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let status = status_label(kind, &doc.status, doc.total_minor, doc.paid_minor);
    let invoice = kind == DocKind::Invoice;
    let view = DetailPage {
        kind_noun: kind.noun(),
        heading: printable.heading,
        plural: kind.plural(),
        invoices: invoice,
        status,
        status_class: status_class(status),
        created: display_instant(doc.created_at, &tz),
        sent: doc
            .sent_at
            .map(|t| display_instant(t, &tz))
            .unwrap_or_default(),
        closed: doc
            .closed_at
            .map(|t| display_instant(t, &tz))
            .unwrap_or_default(),
        payments,
        can_edit: doc.status == "draft",
        can_send: doc.status == "draft" && !lines.is_empty(),
        can_decide: !invoice && doc.status == "sent",
        can_void: invoice && matches!(doc.status.as_str(), "draft" | "sent") && doc.paid_minor == 0,
        can_pay: invoice
            && matches!(doc.status.as_str(), "sent" | "partially_paid")
            && doc.total_minor > doc.paid_minor,
        overpaid: (invoice && doc.paid_minor > doc.total_minor)
            .then(|| Money::format_stored(doc.paid_minor - doc.total_minor, &doc.currency)),
        today: today_in(&tz, state.clock.now()).to_string(),
        amount_default: crate::domain::money::Currency::parse(&doc.currency)
            .map(|c| {
                crate::domain::document_form::format_decimal(
                    (doc.total_minor - doc.paid_minor).max(0),
                    c.exponent(),
                    c.exponent(),
                )
            })
            .unwrap_or_default(),
        notice: notice_text(kind, &doc, &q.notice, &q.n),
        printable,
        doc,
        user,
    };
    Ok(Html(view.render()?))
}

#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    decision: String,
}

fn back(kind: DocKind, id: i64, notice: &str) -> Response {
    Redirect::to(&format!("/staff/{}/{id}?notice={notice}", kind.plural())).into_response()
}

pub async fn send(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Kind(kind): Kind,
    Path(id): Path<String>,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let id = doc_id(&id)?;
    let emailed = invoicing::send(&state, user.workspace_id, kind, id)
        .await
        .map_err(refused)?;
    let doc = state
        .store
        .staff_document(user.workspace_id, kind, id)
        .await?;
    user.audit(
        &state,
        &format!("{}.sent", kind.noun()),
        (kind.noun(), id),
        Some(doc.client_id),
        &ip,
        &format!("{} emailed to {emailed} contact(s)", doc.number),
    )
    .await?;
    Ok(Redirect::to(&format!(
        "/staff/{}/{id}?notice=sent&n={emailed}",
        kind.plural()
    ))
    .into_response())
}

pub async fn void(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let id = doc_id(&id)?;
    state
        .store
        .void_invoice(user.workspace_id, id, state.clock.now_ms())
        .await
        .map_err(|e| refused(e.into()))?;
    let doc = state
        .store
        .staff_document(user.workspace_id, DocKind::Invoice, id)
        .await?;
    user.audit(
        &state,
        "invoice.voided",
        ("invoice", id),
        Some(doc.client_id),
        &ip,
        &doc.number,
    )
    .await?;
    Ok(back(DocKind::Invoice, id, "voided"))
}

pub async fn decide(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    let id = doc_id(&id)?;
    let accepted = match form.decision.as_str() {
        "accepted" => true,
        "declined" => false,
        _ => {
            return Err(AppError::BadRequest(
                "Decision: a quote is marked accepted or declined.".into(),
            ))
        }
    };
    state
        .store
        .decide_quote(user.workspace_id, id, accepted, state.clock.now_ms())
        .await
        .map_err(|e| refused(e.into()))?;
    let doc = state
        .store
        .staff_document(user.workspace_id, DocKind::Quote, id)
        .await?;
    user.audit(
        &state,
        &format!("quote.{}", form.decision),
        ("quote", id),
        Some(doc.client_id),
        &ip,
        &doc.number,
    )
    .await?;
    Ok(back(DocKind::Quote, id, &form.decision))
}

pub async fn print_page(
    State(state): State<AppState>,
    user: StaffUser,
    Kind(kind): Kind,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let id = doc_id(&id)?;
    let doc = state
        .store
        .staff_document(user.workspace_id, kind, id)
        .await?;
    let lines = state
        .store
        .staff_document_lines(user.workspace_id, kind, id)
        .await?;
    let p = staff_printable(&state, &user, kind, &doc, &lines).await?;
    let base = format!("/staff/{}/{id}", kind.plural());
    Ok(Html(print::render(&p, &base, &format!("{base}/pdf"))?))
}

/// A PDF download: an attachment named after the document's number.
pub fn pdf_response(p: &Printable) -> Response {
    let bytes = crate::invoicing::pdf::render(p);
    let safe: String = p
        .number
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}-{safe}.pdf\"", p.heading),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

pub async fn pdf(
    State(state): State<AppState>,
    user: StaffUser,
    Kind(kind): Kind,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = doc_id(&id)?;
    let doc = state
        .store
        .staff_document(user.workspace_id, kind, id)
        .await?;
    let lines = state
        .store
        .staff_document_lines(user.workspace_id, kind, id)
        .await?;
    let p = staff_printable(&state, &user, kind, &doc, &lines).await?;
    Ok(pdf_response(&p))
}

#[derive(Deserialize)]
pub struct NumberingForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    prefix: String,
}

/// Admins and owners set the prefix of new numbers (`INV-`, `2026-Q`).
pub async fn numbering(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Kind(kind): Kind,
    Form(form): Form<NumberingForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    if user.role == "member" {
        return Err(AppError::Forbidden(
            "Only owners and admins change workspace settings such as numbering.".into(),
        ));
    }
    let prefix = form.prefix.trim();
    let ok = !prefix.is_empty()
        && prefix.chars().count() <= crate::store::document_writes::PREFIX_MAX
        && prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_/.".contains(c));
    if !ok {
        return Err(AppError::BadRequest(format!(
            "Prefix: 1 to {} letters, digits, dashes, underscores, slashes or points (e.g. INV-).",
            crate::store::document_writes::PREFIX_MAX
        )));
    }
    state
        .store
        .set_number_prefix(user.workspace_id, kind, prefix)
        .await?;
    user.audit(
        &state,
        "numbering.changed",
        ("workspace", user.workspace_id.get()),
        None,
        &ip,
        &format!("{} prefix {prefix}", kind.noun()),
    )
    .await?;
    Ok(Redirect::to(&format!("/staff/{}?notice=numbering", kind.plural())).into_response())
}

#[derive(Deserialize)]
pub struct PartialForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    allowed: String,
    #[serde(default)]
    minimum: String,
}

/// Admins and owners let clients pay part of an invoice online, above a minimum in the
/// workspace's default currency.
pub async fn partial_payments(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
    Form(form): Form<PartialForm>,
) -> AppResult<Response> {
    user.check_csrf(&state, &form.csrf)?;
    if user.role == "member" {
        return Err(AppError::Forbidden(
            "Only owners and admins change workspace settings such as online payments.".into(),
        ));
    }
    let allowed = matches!(form.allowed.as_str(), "1" | "on" | "yes");
    let policy = state.store.payment_policy(user.workspace_id).await?;
    let currency = crate::domain::money::Currency::parse(&policy.currency).map_err(|_| {
        AppError::BadRequest("The workspace's default currency is not supported.".into())
    })?;
    let minimum = if form.minimum.trim().is_empty() {
        0
    } else {
        crate::domain::document_form::parse_decimal(&form.minimum, currency.exponent()).map_err(
            |e| {
                AppError::BadRequest(format!(
                    "Minimum: {e} (an amount in {} with at most {} decimal places).",
                    currency.code(),
                    currency.exponent()
                ))
            },
        )?
    };
    state
        .store
        .set_payment_policy(user.workspace_id, allowed, minimum)
        .await?;
    let detail = if allowed {
        format!(
            "partial payments allowed, minimum {}",
            crate::domain::money::Money::new(minimum, currency)
        )
    } else {
        "partial payments off".to_string()
    };
    user.audit(
        &state,
        "payments.partial_changed",
        ("workspace", user.workspace_id.get()),
        None,
        &ip,
        &detail,
    )
    .await?;
    Ok(Redirect::to("/staff/invoices?notice=payments").into_response())
}
