//! Quotes and invoices in the back office: the workspace's list (filtered by status and
//! client) and one document's page with what can be done to it next (edit a draft, send,
//! mark a quote accepted or declined, void an invoice, record a payment, attach files to
//! an invoice through the shared Files panel). The actions,
//! print/PDF and settings have their own modules beside this one. Every id is looked up
//! in the staff member's own workspace, so another workspace's is simply not found.

use askama::Template;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::Html;
use serde::Deserialize;

use super::document_print::staff_printable;
use super::files::FilesPanel;
use super::session::StaffUser;
use crate::app::AppState;
use crate::domain::document_form::DocError;
use crate::domain::money::Money;
use crate::domain::offline_payment::method_label;
use crate::domain::records::{display_date, display_instant, today_in};
use crate::ids::{ClientId, InvoiceId};
use crate::invoicing::print::{self, invoice_label, quote_label, Printable};
use crate::invoicing::Problem;
use crate::store::staff_documents::{DocKind, StaffDoc};
use crate::store::staff_files::FileTarget;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::{Path, Query};

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

pub fn capitalise(s: &str) -> String {
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
            "deleted" => Some("Draft deleted. Its number stays used and is not given again."),
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
    /// An invoice's Files panel (quotes have none).
    files_panel: Option<FilesPanel>,
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
        other => return super::clients::notice_text(Some(other)).map(str::to_string),
    })
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
    let files_panel = if invoice {
        let target = FileTarget::Invoice(InvoiceId::from_db(doc.id));
        let client = ClientId::from_db(doc.client_id);
        let back = format!("/staff/invoices/{}", doc.id);
        Some(FilesPanel::for_record(&state, &user, client, target, back).await?)
    } else {
        None
    };
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
        files_panel,
        printable,
        doc,
        user,
    };
    Ok(Html(view.render()?))
}
