//! The printable page and the PDF of a quote or invoice in the portal, read through the
//! contact's [`crate::store::ClientScope`] like every portal page: a draft, a void
//! invoice or another client's record is not found. A PDF download is audited.

use axum::extract::State;
use axum::response::{Html, Response};

use super::session::PortalUser;
use crate::app::AppState;
use crate::invoicing::print::{self, DocInput, LineInput, Printable};
use crate::staff::documents_pdf_response;
use crate::store::audit::{Actor, AuditEntry};
use crate::store::staff_documents::DocKind;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::Path;
use crate::web::ClientIp;

async fn printable(
    state: &AppState,
    user: &PortalUser,
    kind: DocKind,
    raw: &str,
) -> AppResult<Printable> {
    let id = super::documents::parse_id(raw)?;
    let scope = user.scope;
    let (doc, lines) = match kind {
        DocKind::Invoice => (
            state.store.portal_invoice(scope, id).await?,
            state.store.portal_invoice_lines(scope, id).await?,
        ),
        DocKind::Quote => (
            state.store.portal_quote(scope, id).await?,
            state.store.portal_quote_lines(scope, id).await?,
        ),
    };
    let doc = doc.ok_or(AppError::NotFound)?;
    let profile = state.store.business_profile(scope.workspace_id()).await?;
    let client = state
        .store
        .client(scope.workspace_id(), scope.client_id())
        .await?;
    let business_lines = [&profile.address, &profile.phone, &profile.email]
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.replace('\n', ", "))
        .collect();
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
        client_name: &client.name,
        client_address: &client.billing_address,
        business_name: &profile.display_name,
        business_lines,
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

async fn print_page(
    state: &AppState,
    user: &PortalUser,
    kind: DocKind,
    id: &str,
) -> AppResult<Html<String>> {
    let p = printable(state, user, kind, id).await?;
    let base = format!("/portal/{}/{id}", kind.plural());
    Ok(Html(print::render(&p, &base, &format!("{base}/pdf"))?))
}

async fn pdf(
    state: &AppState,
    user: &PortalUser,
    ip: &str,
    kind: DocKind,
    id: &str,
) -> AppResult<Response> {
    let p = printable(state, user, kind, id).await?;
    let detail = format!("{} {}", p.heading, p.number);
    let entry = AuditEntry {
        actor: Actor::Contact(user.contact_id.get()),
        label: &user.session.email_norm,
        action: "document.pdf_downloaded",
        subject_kind: kind.noun(),
        subject_id: id.parse().ok(),
        client_id: Some(user.scope.client_id().get()),
        ip,
        detail: &detail,
    };
    state
        .store
        .audit(user.scope.workspace_id(), &entry, state.clock.now_ms())
        .await?;
    Ok(documents_pdf_response(&p))
}

pub async fn invoice_print(
    State(state): State<AppState>,
    user: PortalUser,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    print_page(&state, &user, DocKind::Invoice, &id).await
}

pub async fn quote_print(
    State(state): State<AppState>,
    user: PortalUser,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    print_page(&state, &user, DocKind::Quote, &id).await
}

pub async fn invoice_pdf(
    State(state): State<AppState>,
    user: PortalUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> AppResult<Response> {
    pdf(&state, &user, &ip, DocKind::Invoice, &id).await
}

pub async fn quote_pdf(
    State(state): State<AppState>,
    user: PortalUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> AppResult<Response> {
    pdf(&state, &user, &ip, DocKind::Quote, &id).await
}
