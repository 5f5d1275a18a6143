//! The emails of quotes and invoices: "a document was sent to you" for the client's
//! contacts, and "an invoice is overpaid" for the team.

use askama::Template;

use crate::mail::OutgoingMail;

/// What the "sent to you" message says.
pub struct DocumentSent<'a> {
    pub to: &'a str,
    pub first_name: &'a str,
    pub business: &'a str,
    /// "invoice" or "quote".
    pub noun: &'a str,
    pub number: &'a str,
    pub title: &'a str,
    pub total: &'a str,
    /// "Due" or "Valid until".
    pub end_label: &'a str,
    pub end_date: &'a str,
    pub link: &'a str,
}

#[derive(Template)]
#[template(path = "email/document_sent.txt")]
struct SentText<'a> {
    first_name: &'a str,
    business: &'a str,
    noun: &'a str,
    number: &'a str,
    title: &'a str,
    total: &'a str,
    end_label: &'a str,
    end_date: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "email/document_sent.html")]
struct SentHtml<'a> {
    first_name: &'a str,
    business: &'a str,
    noun: &'a str,
    noun_cap: &'a str,
    number: &'a str,
    title: &'a str,
    total: &'a str,
    end_label: &'a str,
    end_date: &'a str,
    link: &'a str,
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

pub fn document_sent(m: &DocumentSent<'_>) -> askama::Result<OutgoingMail> {
    let noun_cap = capitalised(m.noun);
    Ok(OutgoingMail {
        to: m.to.to_string(),
        subject: format!("{noun_cap} {} from {}", m.number, m.business),
        text: SentText {
            first_name: m.first_name,
            business: m.business,
            noun: m.noun,
            number: m.number,
            title: m.title,
            total: m.total,
            end_label: m.end_label,
            end_date: m.end_date,
            link: m.link,
        }
        .render()?,
        html: SentHtml {
            first_name: m.first_name,
            business: m.business,
            noun: m.noun,
            noun_cap: &noun_cap,
            number: m.number,
            title: m.title,
            total: m.total,
            end_label: m.end_label,
            end_date: m.end_date,
            link: m.link,
        }
        .render()?,
        kind: "document-sent",
        from_name: Some(m.business.to_string()),
    })
}

/// What the team is told when a payment lands on a settled invoice.
pub struct Overpaid<'a> {
    pub to: &'a str,
    pub client: &'a str,
    pub number: &'a str,
    pub method: &'a str,
    pub amount: &'a str,
    pub paid: &'a str,
    pub total: &'a str,
    pub credit: &'a str,
    pub link: &'a str,
}

#[derive(Template)]
#[template(path = "email/invoice_overpaid.txt")]
struct OverpaidText<'a> {
    client: &'a str,
    number: &'a str,
    method: &'a str,
    amount: &'a str,
    paid: &'a str,
    total: &'a str,
    credit: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "email/invoice_overpaid.html")]
struct OverpaidHtml<'a> {
    client: &'a str,
    number: &'a str,
    method: &'a str,
    amount: &'a str,
    paid: &'a str,
    total: &'a str,
    credit: &'a str,
    link: &'a str,
}

pub fn overpaid(m: &Overpaid<'_>) -> askama::Result<OutgoingMail> {
    Ok(OutgoingMail {
        to: m.to.to_string(),
        subject: format!(
            "Invoice {} of {} is overpaid by {}",
            m.number, m.client, m.credit
        ),
        text: OverpaidText {
            client: m.client,
            number: m.number,
            method: m.method,
            amount: m.amount,
            paid: m.paid,
            total: m.total,
            credit: m.credit,
            link: m.link,
        }
        .render()?,
        html: OverpaidHtml {
            client: m.client,
            number: m.number,
            method: m.method,
            amount: m.amount,
            paid: m.paid,
            total: m.total,
            credit: m.credit,
            link: m.link,
        }
        .render()?,
        kind: "invoice-overpaid",
        from_name: None,
    })
}
