//! The portal home page (SPEC §4): greeting, Take actions, pending invoices and quotes,
//! active jobs and the business's About-us text.

use askama::Template;
use axum::extract::State;

use super::session::PortalUser;
use super::view::{PageContext, Shell};
use crate::app::AppState;
use crate::domain::money::Money;
use crate::domain::records::{
    display_date, display_instant, invoice_is_overdue, invoice_status_label, job_status_label,
    quote_expires_soon, today_in,
};
use crate::store::portal_home::{InvoiceSummary, QuoteSummary};
use crate::web::error::AppResult;

pub struct InvoiceView {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub total: String,
    pub balance: String,
    pub due_date: String,
    pub status_label: &'static str,
    pub status_class: &'static str,
}

pub struct QuoteView {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub total: String,
    pub valid_until: String,
}

pub struct JobView {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub status_label: &'static str,
    pub site_address: String,
    pub next_visit: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/home.html")]
struct HomePage {
    shell: Shell,
    first_name: String,
    overdue: Vec<InvoiceView>,
    expiring: Vec<QuoteView>,
    invoices: Vec<InvoiceView>,
    invoices_total: i64,
    invoices_more: i64,
    quotes: Vec<QuoteView>,
    jobs: Vec<JobView>,
    about: String,
    pay_options: Vec<super::pay::PayOption>,
}

pub fn invoice_view(inv: &InvoiceSummary, today: jiff::civil::Date) -> InvoiceView {
    let overdue = invoice_is_overdue(&inv.status, &inv.due_date, inv.balance_minor(), today);
    InvoiceView {
        id: inv.id,
        number: inv.number.clone(),
        title: inv.title.clone(),
        total: Money::format_stored(inv.total_minor, &inv.currency),
        balance: Money::format_stored(inv.balance_minor(), &inv.currency),
        due_date: display_date(&inv.due_date),
        status_label: if overdue {
            "Overdue"
        } else {
            invoice_status_label(&inv.status)
        },
        status_class: if overdue { "overdue" } else { "open" },
    }
}

pub fn quote_view(q: &QuoteSummary) -> QuoteView {
    QuoteView {
        id: q.id,
        number: q.number.clone(),
        title: q.title.clone(),
        total: Money::format_stored(q.total_minor, &q.currency),
        valid_until: display_date(&q.valid_until),
    }
}

pub async fn home(
    State(state): State<AppState>,
    user: PortalUser,
) -> AppResult<axum::response::Response> {
    let ws = state
        .store
        .portal_workspace(user.scope.workspace_id())
        .await?;
    let now = state.clock.now();
    let today = today_in(&ws.workspace.time_zone, now);
    let today_text = today.to_string();
    let (badges, lists) = state
        .store
        .portal_home(user.scope, user.stamp(&today_text, now))
        .await?;
    let ctx = PageContext::new(&ws, &user, today, badges, "home");
    let invoices = &lists.invoices;
    let page = HomePage {
        shell: ctx.shell,
        first_name: user.session.first_name.clone(),
        overdue: invoices
            .overdue
            .iter()
            .map(|i| invoice_view(i, today))
            .collect(),
        expiring: lists
            .quotes
            .iter()
            .filter(|q| quote_expires_soon(&q.status, &q.valid_until, today))
            .map(quote_view)
            .collect(),
        invoices: invoices
            .pending
            .iter()
            .map(|i| invoice_view(i, today))
            .collect(),
        invoices_total: invoices.pending_total,
        invoices_more: invoices.pending_total - invoices.pending.len() as i64,
        quotes: lists.quotes.iter().map(quote_view).collect(),
        jobs: lists
            .jobs
            .iter()
            .map(|j| JobView {
                id: j.id,
                number: j.number.clone(),
                title: j.title.clone(),
                status_label: job_status_label(&j.status),
                site_address: j.site_address.clone(),
                next_visit: j
                    .next_visit_at
                    .map(|ms| display_instant(ms, &ws.workspace.time_zone)),
            })
            .collect(),
        about: ctx.profile.about_us,
        pay_options: super::pay::pay_options(&ctx.providers),
    };
    let html = page.render()?;
    Ok(super::pay::page_with_pay(&state, &page.pay_options, html))
}
