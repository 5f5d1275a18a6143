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
    })
}
