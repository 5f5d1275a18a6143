//! The printable form of a quote or invoice, the same for staff and portal: one view
//! model ([`Printable`]) that the print page's template and the PDF writer both read, so
//! the two always say the same thing.

use askama::Template;

use crate::domain::document_form::format_decimal;
use crate::domain::money::Money;
use crate::domain::records::display_date;
use crate::store::staff_documents::DocKind;

/// One line as stored.
pub struct LineInput<'a> {
    pub description: &'a str,
    pub quantity_milli: i64,
    pub unit_price_minor: i64,
    pub discount_bp: i64,
    pub tax_rate_bp: i64,
    pub subtotal_minor: i64,
}

/// A document's header as stored, and who it is from and for.
pub struct DocInput<'a> {
    pub kind: DocKind,
    pub number: &'a str,
    pub title: &'a str,
    pub status: &'a str,
    pub issue_date: &'a str,
    pub end_date: &'a str,
    pub currency: &'a str,
    pub subtotal_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    pub paid_minor: i64,
    pub client_notes: &'a str,
    pub client_name: &'a str,
    pub client_address: &'a str,
    pub business_name: &'a str,
    /// Address, phone, email of the business, each non-empty one a line.
    pub business_lines: Vec<String>,
}

pub struct PrintLine {
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub discount: String,
    pub tax_rate: String,
    pub amount: String,
}

pub struct Printable {
    /// "Invoice" or "Quote".
    pub heading: &'static str,
    pub number: String,
    pub title: String,
    /// Shown beside the number when it matters: Draft, Void, Paid, Overpaid, …
    pub status: &'static str,
    pub business_name: String,
    pub business_lines: Vec<String>,
    pub client_name: String,
    pub client_address: String,
    pub issue_date: String,
    pub end_label: &'static str,
    pub end_date: String,
    pub lines: Vec<PrintLine>,
    pub subtotal: String,
    pub tax: String,
    pub total: String,
    /// Invoices: paid so far, and the balance due or the client's credit.
    pub paid: Option<String>,
    pub balance_label: &'static str,
    pub balance: Option<String>,
    pub notes: String,
}

/// `250` basis points as `2.5%`; zero as an empty cell.
fn percent(bp: i64) -> String {
    if bp == 0 {
        String::new()
    } else {
        format!("{}%", format_decimal(bp, 2, 0))
    }
}

/// What an invoice's money says: "Balance due" or, past its total, "Credit" (never a
/// negative balance).
pub fn balance_of(total_minor: i64, paid_minor: i64) -> (&'static str, i64) {
    if paid_minor > total_minor {
        ("Credit", paid_minor - total_minor)
    } else {
        ("Balance due", total_minor - paid_minor)
    }
}

/// The label staff see for an invoice's state: "Overpaid" past its total.
pub fn invoice_label(status: &str, total_minor: i64, paid_minor: i64) -> &'static str {
    if paid_minor > total_minor && status != "void" {
        return "Overpaid";
    }
    crate::domain::records::invoice_status_label(status)
}

pub fn quote_label(status: &str) -> &'static str {
    match status {
        "draft" => "Draft",
        "sent" => "Sent",
        "accepted" => "Accepted",
        "declined" => "Declined",
        _ => "Unknown",
    }
}

pub fn build(doc: &DocInput<'_>, lines: &[LineInput<'_>]) -> Printable {
    let money = |v: i64| Money::format_stored(v, doc.currency);
    let invoice = doc.kind == DocKind::Invoice;
    let (balance_label, balance) = balance_of(doc.total_minor, doc.paid_minor);
    Printable {
        heading: if invoice { "Invoice" } else { "Quote" },
        number: doc.number.to_string(),
        title: doc.title.to_string(),
        status: if invoice {
            invoice_label(doc.status, doc.total_minor, doc.paid_minor)
        } else {
            quote_label(doc.status)
        },
        business_name: doc.business_name.to_string(),
        business_lines: doc.business_lines.clone(),
        client_name: doc.client_name.to_string(),
        client_address: doc.client_address.to_string(),
        issue_date: display_date(doc.issue_date),
        end_label: if invoice { "Due" } else { "Valid until" },
        end_date: display_date(doc.end_date),
        lines: lines
            .iter()
            .map(|l| PrintLine {
                description: l.description.to_string(),
                quantity: format_decimal(l.quantity_milli, 3, 0),
                unit_price: money(l.unit_price_minor),
                discount: percent(l.discount_bp),
                tax_rate: percent(l.tax_rate_bp),
                amount: money(l.subtotal_minor),
            })
            .collect(),
        subtotal: money(doc.subtotal_minor),
        tax: money(doc.tax_minor),
        total: money(doc.total_minor),
        paid: invoice.then(|| money(doc.paid_minor)),
        balance_label,
        balance: (invoice && doc.status != "void").then(|| money(balance)),
        notes: doc.client_notes.to_string(),
    }
}

#[derive(Template)]
#[template(path = "print/document.html")]
struct PrintPage<'a> {
    doc: &'a Printable,
    back_href: &'a str,
    pdf_href: &'a str,
}

/// The print page: the document alone, with links back and to the PDF that the print
/// stylesheet hides on paper.
pub fn render(doc: &Printable, back_href: &str, pdf_href: &str) -> askama::Result<String> {
    PrintPage {
        doc,
        back_href,
        pdf_href,
    }
    .render()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_overpaid_invoice_shows_a_credit_never_a_negative_balance() {
        assert_eq!(balance_of(10_000, 12_500), ("Credit", 2_500));
        assert_eq!(balance_of(10_000, 2_500), ("Balance due", 7_500));
        assert_eq!(balance_of(10_000, 10_000), ("Balance due", 0));
        assert_eq!(invoice_label("paid", 10_000, 12_500), "Overpaid");
        assert_eq!(invoice_label("paid", 10_000, 10_000), "Paid");
        assert_eq!(invoice_label("void", 0, 0), "Void");
    }
}
