//! Every email's subject, plain-text body and HTML body, from compile-time templates.

use askama::Template;

use super::OutgoingMail;

#[derive(Template)]
#[template(path = "email/login_code.txt")]
struct LoginCodeText<'a> {
    business: &'a str,
    code: &'a str,
    minutes: i64,
    portal_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/login_code.html")]
struct LoginCodeHtml<'a> {
    business: &'a str,
    code: &'a str,
    minutes: i64,
    portal_url: &'a str,
    accent: &'a str,
}

/// The sign-in code message. The code is in the body only: lock screens show subjects.
pub fn login_code(
    to: &str,
    business: &str,
    accent: &str,
    code: &str,
    minutes: i64,
    portal_url: &str,
) -> askama::Result<OutgoingMail> {
    Ok(OutgoingMail {
        to: to.to_string(),
        subject: format!("Your sign-in code for {business} (valid {minutes} minutes)"),
        text: LoginCodeText {
            business,
            code,
            minutes,
            portal_url,
        }
        .render()?,
        html: LoginCodeHtml {
            business,
            code,
            minutes,
            portal_url,
            accent,
        }
        .render()?,
        kind: "login-code",
        from_name: Some(business.to_string()),
    })
}

#[derive(Template)]
#[template(path = "email/new_request.txt")]
struct NewRequestText<'a> {
    client: &'a str,
    contact: &'a str,
    subject: &'a str,
    details: &'a str,
    preferred_date: &'a str,
    site_address: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "email/new_request.html")]
struct NewRequestHtml<'a> {
    client: &'a str,
    contact: &'a str,
    subject: &'a str,
    details: &'a str,
    preferred_date: &'a str,
    site_address: &'a str,
    link: &'a str,
}

/// What the team receives when a client sends a request from the portal.
pub struct NewRequestMail<'a> {
    pub to: &'a str,
    pub client: &'a str,
    pub contact: &'a str,
    pub subject: &'a str,
    pub details: &'a str,
    pub preferred_date: &'a str,
    pub site_address: &'a str,
    pub link: &'a str,
}

pub fn new_request(m: &NewRequestMail<'_>) -> askama::Result<OutgoingMail> {
    let short: String = m.subject.chars().take(80).collect();
    Ok(OutgoingMail {
        to: m.to.to_string(),
        subject: format!("New request from {}: {short}", m.client),
        text: NewRequestText {
            client: m.client,
            contact: m.contact,
            subject: m.subject,
            details: m.details,
            preferred_date: m.preferred_date,
            site_address: m.site_address,
            link: m.link,
        }
        .render()?,
        html: NewRequestHtml {
            client: m.client,
            contact: m.contact,
            subject: m.subject,
            details: m.details,
            preferred_date: m.preferred_date,
            site_address: m.site_address,
            link: m.link,
        }
        .render()?,
        kind: "new-request",
        from_name: None,
    })
}

/// What a payment email says; the same facts for the payer's receipt and the team's notice.
pub struct PaymentMail<'a> {
    pub to: &'a str,
    pub first_name: &'a str,
    pub business: &'a str,
    pub client: &'a str,
    pub method: &'a str,
    pub amount: &'a str,
    pub number: &'a str,
    pub balance: &'a str,
    pub balance_zero: bool,
    pub link: &'a str,
}

#[derive(Template)]
#[template(path = "email/payment_receipt.txt")]
struct PaymentReceiptText<'a> {
    first_name: &'a str,
    business: &'a str,
    amount: &'a str,
    number: &'a str,
    balance: &'a str,
    balance_zero: bool,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "email/payment_receipt.html")]
struct PaymentReceiptHtml<'a> {
    first_name: &'a str,
    business: &'a str,
    amount: &'a str,
    number: &'a str,
    balance: &'a str,
    balance_zero: bool,
    link: &'a str,
}

/// The receipt the paying contact receives.
pub fn payment_receipt(m: &PaymentMail<'_>) -> askama::Result<OutgoingMail> {
    Ok(OutgoingMail {
        to: m.to.to_string(),
        subject: format!("Payment received for invoice {}", m.number),
        text: PaymentReceiptText {
            first_name: m.first_name,
            business: m.business,
            amount: m.amount,
            number: m.number,
            balance: m.balance,
            balance_zero: m.balance_zero,
            link: m.link,
        }
        .render()?,
        html: PaymentReceiptHtml {
            first_name: m.first_name,
            business: m.business,
            amount: m.amount,
            number: m.number,
            balance: m.balance,
            balance_zero: m.balance_zero,
            link: m.link,
        }
        .render()?,
        kind: "payment-receipt",
        from_name: Some(m.business.to_string()),
    })
}

#[derive(Template)]
#[template(path = "email/payment_received.txt")]
struct PaymentReceivedText<'a> {
    client: &'a str,
    method: &'a str,
    amount: &'a str,
    number: &'a str,
    balance: &'a str,
    balance_zero: bool,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "email/payment_received.html")]
struct PaymentReceivedHtml<'a> {
    client: &'a str,
    method: &'a str,
    amount: &'a str,
    number: &'a str,
    balance: &'a str,
    balance_zero: bool,
    link: &'a str,
}

/// The notice the team receives when a client pays online.
pub fn payment_received(m: &PaymentMail<'_>) -> askama::Result<OutgoingMail> {
    Ok(OutgoingMail {
        to: m.to.to_string(),
        subject: format!(
            "Payment from {}: {} for invoice {}",
            m.client, m.amount, m.number
        ),
        text: PaymentReceivedText {
            client: m.client,
            method: m.method,
            amount: m.amount,
            number: m.number,
            balance: m.balance,
            balance_zero: m.balance_zero,
            link: m.link,
        }
        .render()?,
        html: PaymentReceivedHtml {
            client: m.client,
            method: m.method,
            amount: m.amount,
            number: m.number,
            balance: m.balance,
            balance_zero: m.balance_zero,
            link: m.link,
        }
        .render()?,
        kind: "payment-received",
        from_name: None,
    })
}

#[derive(Template)]
#[template(path = "email/staff_invite.txt")]
struct StaffInviteText<'a> {
    inviter: &'a str,
    business: &'a str,
    role: &'a str,
    link: &'a str,
    hours: i64,
}

#[derive(Template)]
#[template(path = "email/staff_invite.html")]
struct StaffInviteHtml<'a> {
    inviter: &'a str,
    business: &'a str,
    role: &'a str,
    link: &'a str,
    hours: i64,
}

/// The invitation to join a workspace's staff; the single-use link is in the body only.
pub fn staff_invite(
    to: &str,
    inviter: &str,
    business: &str,
    role: &str,
    link: &str,
    hours: i64,
) -> askama::Result<OutgoingMail> {
    Ok(OutgoingMail {
        to: to.to_string(),
        subject: format!("You are invited to join {business} on Portico"),
        text: StaffInviteText {
            inviter,
            business,
            role,
            link,
            hours,
        }
        .render()?,
        html: StaffInviteHtml {
            inviter,
            business,
            role,
            link,
            hours,
        }
        .render()?,
        kind: "staff-invite",
        from_name: None,
    })
}
