//! Invoices and quotes in the portal: lists with status filters, and detail pages with
//! line items and totals (SPEC §4, §5).

use crate::web::extract::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::response::Html;

use super::home::{invoice_view, quote_view, InvoiceView, QuoteView};
use super::session::PortalUser;
use super::view::{page_context, ListChrome, ListControls, ListQuery, Shell, PAGE_SIZE};
use crate::app::AppState;
use crate::domain::money::Money;
use crate::domain::portal_view::{INVOICE_FILTERS, QUOTE_FILTERS};
use crate::domain::records::{
    display_date, display_instant, invoice_is_overdue, invoice_status_label, quote_status_label,
};
use crate::store::portal_records::{DocumentHeader, LineRow};
use crate::store::workspaces::BusinessProfile;
use crate::web::error::{AppError, AppResult};

pub struct LineView {
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub discount: String,
    pub tax_rate: String,
    pub subtotal: String,
}

pub struct Totals {
    pub subtotal: String,
    pub tax: String,
    pub total: String,
}

/// `2500` thousandths as `2.5`.
fn quantity(milli: i64) -> String {
    let whole = milli / 1000;
    let frac = (milli % 1000).abs();
    if frac == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{}", format!("{frac:03}").trim_end_matches('0'))
    }
}

/// `250` basis points as `2.5%`; zero as a dash.
fn percent(bp: i64) -> String {
    if bp == 0 {
        return "—".into();
    }
    let whole = bp / 100;
    let frac = bp % 100;
    if frac == 0 {
        format!("{whole}%")
    } else {
        format!("{whole}.{}%", format!("{frac:02}").trim_end_matches('0'))
    }
}

fn line_views(lines: &[LineRow], currency: &str) -> Vec<LineView> {
    lines
        .iter()
        .map(|l| LineView {
            description: l.description.clone(),
            quantity: quantity(l.quantity_milli),
            unit_price: Money::format_stored(l.unit_price_minor, currency),
            discount: percent(l.discount_bp),
            tax_rate: percent(l.tax_rate_bp),
            subtotal: Money::format_stored(l.subtotal_minor, currency),
        })
        .collect()
}

fn totals(doc: &DocumentHeader) -> Totals {
    Totals {
        subtotal: Money::format_stored(doc.subtotal_minor, &doc.currency),
        tax: Money::format_stored(doc.tax_minor, &doc.currency),
        total: Money::format_stored(doc.total_minor, &doc.currency),
    }
}

/// "phone · email" of the business, for "get in touch" sentences.
pub fn contact_line(profile: &BusinessProfile) -> String {
    [profile.phone.as_str(), profile.email.as_str()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Ids in portal URLs: anything that is not a positive number is simply not found.
pub fn parse_id(raw: &str) -> AppResult<i64> {
    raw.parse::<crate::ids::InvoiceId>()
        .map(|id| id.get())
        .map_err(|_| AppError::NotFound)
}

pub struct InvoiceRowView {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub issue_date: String,
    pub due_date: String,
    pub total: String,
    pub balance: String,
    pub status_label: &'static str,
    pub status_class: &'static str,
    /// Void invoices are listed but have no page.
    pub linked: bool,
    /// Something is left to pay.
    pub payable: bool,
}

#[derive(Template)]
#[template(path = "portal/invoices.html")]
struct InvoiceList {
    shell: Shell,
    list: ListChrome,
    rows: Vec<InvoiceRowView>,
    empty: &'static str,
    pay_options: Vec<super::pay::PayOption>,
}

pub async fn invoices(
    State(state): State<AppState>,
    user: PortalUser,
    Query(q): Query<ListQuery>,
) -> AppResult<axum::response::Response> {
    const BASE: &str = "/portal/invoices";
    let controls = ListControls::parse(BASE, INVOICE_FILTERS, &q)?;
    let ctx = page_context(&state, &user, "invoices").await?;
    let page = state
        .store
        .portal_invoices(
            user.scope,
            &controls.filter.condition(ctx.today),
            controls.after.as_ref(),
            PAGE_SIZE,
        )
        .await?;
    let rows = page
        .rows
        .iter()
        .map(|inv| {
            let v: InvoiceView = invoice_view(inv, ctx.today);
            let void = inv.status == "void";
            InvoiceRowView {
                id: v.id,
                number: v.number,
                title: v.title,
                issue_date: display_date(&inv.issue_date),
                due_date: v.due_date,
                total: v.total,
                balance: if void { "—".into() } else { v.balance },
                status_label: if void { "Void" } else { v.status_label },
                status_class: if void {
                    "void"
                } else if inv.status == "paid" {
                    "paid"
                } else {
                    v.status_class
                },
                linked: !void,
                payable: matches!(inv.status.as_str(), "sent" | "partially_paid")
                    && inv.balance_minor() > 0,
            }
        })
        .collect();
    let empty = match controls.filter.key {
        "open" | "overdue" => "No open invoices — you're all paid up.",
        "" => "No invoices yet. When the team sends you one, it appears here.",
        _ => "No invoices with this status.",
    };
    let view = InvoiceList {
        shell: ctx.shell,
        list: controls.chrome(BASE, &page.next),
        rows,
        empty,
        pay_options: super::pay::pay_options(&ctx.providers),
    };
    let html = view.render()?;
    Ok(super::pay::page_with_pay(&state, &view.pay_options, html))
}

pub struct PaymentView {
    pub date: String,
    pub method: &'static str,
    pub amount: String,
    pub status: String,
}

fn method_label(method: &str) -> &'static str {
    match method {
        "stripe" => "Card (Stripe)",
        "telr" => "Card (Telr)",
        "cash" => "Cash",
        "bank_transfer" => "Bank transfer",
        "cheque" => "Cheque",
        _ => "Other",
    }
}

#[derive(Template)]
#[template(path = "portal/invoice.html")]
struct InvoicePage {
    shell: Shell,
    doc: DocumentHeader,
    status_label: &'static str,
    status_class: &'static str,
    issue_date: String,
    due_date: String,
    paid: String,
    balance: String,
    balance_minor: i64,
    lines: Vec<LineView>,
    totals: Totals,
    payments: Vec<PaymentView>,
    files: Vec<super::files::FileView>,
    contact_line: String,
    pay_options: Vec<super::pay::PayOption>,
    notice: Option<(&'static str, &'static str)>,
    /// Where the workspace allows paying part of this invoice: the smallest part, and the
    /// amount the form starts with (the balance).
    partial: Option<(String, String)>,
}

#[derive(serde::Deserialize)]
pub struct InvoiceQuery {
    #[serde(default)]
    payment: String,
}

pub async fn invoice(
    State(state): State<AppState>,
    user: PortalUser,
    Path(id): Path<String>,
    Query(q): Query<InvoiceQuery>,
) -> AppResult<axum::response::Response> {
    let id = parse_id(&id)?;
    let doc = state
        .store
        .portal_invoice(user.scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let ctx = page_context(&state, &user, "invoices").await?;
    let lines = state.store.portal_invoice_lines(user.scope, id).await?;
    let payments = state.store.portal_invoice_payments(user.scope, id).await?;
    let files =
        super::files::file_views_for_invoice(&state, &user, crate::ids::InvoiceId::from_db(id))
            .await?;
    // An overpaid invoice has nothing left to pay, never a negative balance.
    let balance_minor = (doc.total_minor - doc.paid_minor).max(0);
    let overdue = invoice_is_overdue(&doc.status, &doc.end_date, balance_minor, ctx.today);
    let tz = ctx.workspace.time_zone.clone();
    let view = InvoicePage {
        status_label: if overdue {
            "Overdue"
        } else {
            invoice_status_label(&doc.status)
        },
        status_class: if overdue {
            "overdue"
        } else if doc.status == "paid" {
            "paid"
        } else {
            "open"
        },
        issue_date: display_date(&doc.issue_date),
        due_date: display_date(&doc.end_date),
        paid: Money::format_stored(doc.paid_minor, &doc.currency),
        balance: Money::format_stored(balance_minor, &doc.currency),
        balance_minor,
        lines: line_views(&lines, &doc.currency),
        totals: totals(&doc),
        payments: payments
            .iter()
            .map(|p| PaymentView {
                date: display_instant(p.received_at, &tz),
                method: method_label(&p.method),
                amount: Money::format_stored(p.amount_minor, &p.currency),
                status: if p.refunded_minor > 0 {
                    format!(
                        "Refunded {}",
                        Money::format_stored(p.refunded_minor, &p.currency)
                    )
                } else {
                    "Received".into()
                },
            })
            .collect(),
        files,
        contact_line: contact_line(&ctx.profile),
        pay_options: if matches!(doc.status.as_str(), "sent" | "partially_paid") {
            super::pay::pay_options(&ctx.providers)
        } else {
            Vec::new()
        },
        notice: super::pay::payment_notice(&q.payment),
        partial: partial_view(&state, &user, &doc.currency, balance_minor).await?,
        shell: ctx.shell,
        doc,
    };
    let html = view.render()?;
    Ok(super::pay::page_with_pay(&state, &view.pay_options, html))
}

async fn partial_view(
    state: &AppState,
    user: &PortalUser,
    currency: &str,
    balance_minor: i64,
) -> AppResult<Option<(String, String)>> {
    let policy = state
        .store
        .payment_policy(user.scope.workspace_id())
        .await?;
    let Ok(c) = crate::domain::money::Currency::parse(currency) else {
        return Ok(None);
    };
    Ok(policy.offers(currency, balance_minor).then(|| {
        (
            Money::new(policy.min_minor.max(1), c).to_string(),
            crate::domain::document_form::format_decimal(balance_minor, c.exponent(), c.exponent()),
        )
    }))
}

pub struct QuoteRowView {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub issue_date: String,
    pub valid_until: String,
    pub total: String,
    pub status_label: &'static str,
}

#[derive(Template)]
#[template(path = "portal/quotes.html")]
struct QuoteList {
    shell: Shell,
    list: ListChrome,
    rows: Vec<QuoteRowView>,
    empty: &'static str,
}

pub async fn quotes(
    State(state): State<AppState>,
    user: PortalUser,
    Query(q): Query<ListQuery>,
) -> AppResult<Html<String>> {
    const BASE: &str = "/portal/quotes";
    let controls = ListControls::parse(BASE, QUOTE_FILTERS, &q)?;
    let ctx = page_context(&state, &user, "quotes").await?;
    let page = state
        .store
        .portal_quotes(
            user.scope,
            &controls.filter.condition(ctx.today),
            controls.after.as_ref(),
            PAGE_SIZE,
        )
        .await?;
    let rows = page
        .rows
        .iter()
        .map(|q| {
            let v: QuoteView = quote_view(q);
            QuoteRowView {
                id: v.id,
                number: v.number,
                title: v.title,
                issue_date: display_date(&q.issue_date),
                valid_until: v.valid_until,
                total: v.total,
                status_label: quote_status_label(&q.status, &q.valid_until, ctx.today),
            }
        })
        .collect();
    let empty = match controls.filter.key {
        "pending" => "No quotes waiting for your review.",
        "" => "No quotes yet. When the team sends you one, it appears here.",
        _ => "No quotes with this status.",
    };
    let view = QuoteList {
        shell: ctx.shell,
        list: controls.chrome(BASE, &page.next),
        rows,
        empty,
    };
    Ok(Html(view.render()?))
}

#[derive(Template)]
#[template(path = "portal/quote.html")]
struct QuotePage {
    shell: Shell,
    doc: DocumentHeader,
    status_label: &'static str,
    issue_date: String,
    valid_until: String,
    lines: Vec<LineView>,
    totals: Totals,
    contact_line: String,
}

pub async fn quote(
    State(state): State<AppState>,
    user: PortalUser,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let id = parse_id(&id)?;
    let doc = state
        .store
        .portal_quote(user.scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let ctx = page_context(&state, &user, "quotes").await?;
    let lines = state.store.portal_quote_lines(user.scope, id).await?;
    let view = QuotePage {
        status_label: quote_status_label(&doc.status, &doc.end_date, ctx.today),
        issue_date: display_date(&doc.issue_date),
        valid_until: display_date(&doc.end_date),
        lines: line_views(&lines, &doc.currency),
        totals: totals(&doc),
        contact_line: contact_line(&ctx.profile),
        shell: ctx.shell,
        doc,
    };
    Ok(Html(view.render()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_and_percentages_read_naturally() {
        assert_eq!(quantity(1000), "1");
        assert_eq!(quantity(2500), "2.5");
        assert_eq!(quantity(1), "0.001");
        assert_eq!(percent(500), "5%");
        assert_eq!(percent(250), "2.5%");
        assert_eq!(percent(0), "—");
    }
}
