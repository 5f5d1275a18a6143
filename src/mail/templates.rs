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
