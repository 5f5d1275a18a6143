//! An invoice's status and balance read the same everywhere after every payment event:
//! the portal's invoice page and list, the back office, the JSON API and the PDF.

use reqwest::StatusCode;

use crate::payments::Pay;
use crate::support::http::Browser;
use portico::ids::InvoiceId;

/// What every view must say at one moment.
struct Expected<'a> {
    status: &'a str,
    label: &'a str,
    paid: &'a str,
    balance: &'a str,
    balance_minor: i64,
}

/// The text of the first PDF string operand after `marker` (the PDF is not compressed).
fn pdf_string_after(pdf: &[u8], marker: &str) -> String {
    let text = String::from_utf8_lossy(pdf);
    let at = text
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} not in the PDF"));
    let rest = &text[at + marker.len()..];
    let open = rest.find('(').unwrap();
    let close = open + rest[open..].find(')').unwrap();
    rest[open + 1..close].to_string()
}

async fn assert_views_agree(
    p: &Pay,
    ann: &Browser,
    token: &str,
    inv: InvoiceId,
    number: &str,
    e: &Expected<'_>,
) {
    let id = inv.get();
    let when = e.status;
    // The portal's invoice page.
    let (_, page) = ann.get_text(&format!("/portal/invoices/{id}")).await;
    assert!(
        page.contains(&format!(">{}</span>", e.label)),
        "{when}: page"
    );
    assert!(
        page.contains(&format!("<dt>Paid</dt><dd>{}</dd>", e.paid)),
        "{when}: page paid"
    );
    assert!(
        page.contains(&format!(
            "<dt>Balance</dt><dd><strong>{}</strong></dd>",
            e.balance
        )),
        "{when}: page balance"
    );
    // The portal's invoice list: the invoice's own row.
    let (_, list) = ann.get_text("/portal/invoices").await;
    let row = list
        .split("<tr")
        .find(|r| r.contains(number))
        .unwrap_or_else(|| panic!("{when}: {number} not listed"));
    assert!(
        row.contains(&format!("<td class=\"num\">{}</td>", e.balance))
            && row.contains(&format!(">{}</span>", e.label)),
        "{when}: list row {row}"
    );
    // The back office.
    let (_, staff) = p.staff.get_text(&format!("/staff/invoices/{id}")).await;
    assert!(
        staff.contains(&format!(">{}</span>", e.label))
            && staff.contains(&format!(
                "<dt>Balance due</dt><dd><strong>{}</strong></dd>",
                e.balance
            )),
        "{when}: staff page"
    );
    // The JSON API.
    let r = reqwest::Client::new()
        .get(p.app.url(&format!("/api/v1/invoices/{id}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let json: serde_json::Value = r.json().await.unwrap();
    assert_eq!(json["status"], e.status, "{when}: API");
    assert_eq!(
        json["total_minor"].as_i64().unwrap() - json["paid_minor"].as_i64().unwrap(),
        e.balance_minor,
        "{when}: API balance"
    );
    // The PDF the client downloads.
    let pdf = ann
        .get(&format!("/portal/invoices/{id}/pdf"))
        .await
        .bytes()
        .await
        .unwrap();
    assert!(
        String::from_utf8_lossy(&pdf).contains(&format!("(Status: {})", e.label)),
        "{when}: PDF status"
    );
    assert_eq!(pdf_string_after(&pdf, "(Paid)"), e.paid, "{when}: PDF paid");
    assert_eq!(
        pdf_string_after(&pdf, "(Balance due)"),
        e.balance,
        "{when}: PDF balance"
    );
}

#[tokio::test]
async fn status_and_balance_agree_on_the_portal_the_back_office_the_api_and_the_pdf() {
    let p = Pay::new(true, false).await;
    let (token, hash, prefix) = portico::domain::api_token::generate();
    p.app
        .state
        .store
        .create_api_token(p.w.ws, "views", &hash, &prefix, None, p.app.now_ms())
        .await
        .unwrap();
    let (inv, number) = p.invoice("USD", 70_000, 5).await;
    let ann = p.ann().await;
    let unpaid = Expected {
        status: "sent",
        label: "Awaiting payment",
        paid: "USD 0.00",
        balance: "USD 700.00",
        balance_minor: 70_000,
    };
    assert_views_agree(&p, &ann, &token, inv, &number, &unpaid).await;

    // Paid through Stripe.
    p.press_pay(&ann, inv, "stripe").await;
    let session = p.session_of(inv);
    let completed = p.stripe.pay(&session);
    assert_eq!(
        p.webhook(&completed, &p.stripe.sign(&completed, &p.whsec))
            .await,
        StatusCode::OK
    );
    let paid = Expected {
        status: "paid",
        label: "Paid",
        paid: "USD 700.00",
        balance: "USD 0.00",
        balance_minor: 0,
    };
    assert_views_agree(&p, &ann, &token, inv, &number, &paid).await;

    // USD 200.00 refunded: partially paid, 200.00 due again.
    let refund = p.stripe.refund_event(&session, 20_000);
    assert_eq!(
        p.webhook(&refund, &p.stripe.sign(&refund, &p.whsec)).await,
        StatusCode::OK
    );
    let partly = Expected {
        status: "partially_paid",
        label: "Partially paid",
        paid: "USD 500.00",
        balance: "USD 200.00",
        balance_minor: 20_000,
    };
    assert_views_agree(&p, &ann, &token, inv, &number, &partly).await;

    // Refunded in full: awaiting payment again, the whole total due.
    let full = p.stripe.refund_event(&session, 70_000);
    assert_eq!(
        p.webhook(&full, &p.stripe.sign(&full, &p.whsec)).await,
        StatusCode::OK
    );
    assert_views_agree(&p, &ann, &token, inv, &number, &unpaid).await;
}
