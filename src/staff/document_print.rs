//! The printable page and the PDF of a quote or invoice in the back office, from the
//! same view model as the portal's (`crate::invoicing::print`).

use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};

use super::documents::{doc_id, Kind};
use super::session::StaffUser;
use crate::app::AppState;
use crate::ids::ClientId;
use crate::invoicing::print::{self, DocInput, LineInput, Printable};
use crate::store::staff_documents::{DocKind, StaffDoc, StaffLine};
use crate::store::workspaces::BusinessProfile;
use crate::web::error::AppResult;
use crate::web::extract::Path;
use crate::web::ClientIp;

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

/// The PDF download, written to the audit log (`document.pdf_downloaded`) as the
/// portal's is.
pub async fn pdf(
    State(state): State<AppState>,
    user: StaffUser,
    ClientIp(ip): ClientIp,
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
    user.audit(
        &state,
        "document.pdf_downloaded",
        (kind.noun(), id),
        Some(doc.client_id),
        &ip,
        &format!("{} {}", p.heading, p.number),
    )
    .await?;
    Ok(pdf_response(&p))
}
