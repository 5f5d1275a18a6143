//! Telr's return URL and advice cannot be replayed or pointed at another invoice: the
//! return alone never records anything, and an advice naming another invoice's cart is
//! confirmed against that cart's own order, so nothing is recorded for it. An open
//! checkout for more than is left to pay (after an offline payment, or a void) is retired.

use reqwest::StatusCode;

use crate::payments::{location, Pay, TELR_STORE};
use crate::support::telr_standin::{self, Order};

impl Pay {
    /// The Telr order started for the invoice numbered `number`.
    fn telr_order_for(&self, number: &str) -> Order {
        let desc = format!("Invoice {number}");
        self.telr
            .inner
            .lock()
            .unwrap()
            .orders
            .values()
            .find(|o| o.desc == desc)
            .unwrap()
            .clone()
    }
}

fn attempt_of(order: &Order) -> &str {
    order.cart.strip_prefix("portico-").unwrap()
}

#[tokio::test]
async fn a_telr_return_alone_replayed_returns_and_another_invoices_cart_record_nothing() {
    let p = Pay::new(false, true).await;
    let ann = p.ann().await;
    let (x, x_number) = p.invoice("USD", 10_000, 5).await;
    let (y, y_number) = p.invoice("USD", 30_000, 5).await;
    for inv in [x, y] {
        let r = p.press_pay(&ann, inv, "telr").await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let x_order = p.telr_order_for(&x_number);
    let y_order = p.telr_order_for(&y_number);
    let x_return = format!("/portal/pay/telr/return/{}", attempt_of(&x_order));

    // Browsing to the return URL without paying, twice: pending, nothing recorded.
    for _ in 0..2 {
        let r = ann.get(&x_return).await;
        assert_eq!(
            location(&r),
            format!("/portal/invoices/{}?payment=pending", x.get())
        );
    }
    assert_eq!(p.payments(x).await, 0);

    // Y is paid at Telr. A correctly signed advice for Y's transaction but naming X's
    // cart is checked against X's own order (unpaid): X stays unpaid.
    let genuine = p.telr.pay(&y_order.order_ref);
    let crossed = Order {
        cart: x_order.cart.clone(),
        ..y_order.clone()
    };
    let crossed = telr_standin::advice(
        TELR_STORE,
        &p.advice_secret,
        "sale",
        "770001",
        "",
        &crossed,
        &y_order.amount,
    );
    assert_eq!(p.advice(&crossed).await, StatusCode::OK);
    assert_eq!(p.payments(x).await, 0);
    assert_eq!(p.invoice_state(x).await, ("sent".into(), 0));
    let r = ann.get(&x_return).await;
    assert!(location(&r).ends_with("payment=pending"));

    // Y's own advice records Y once; its return, replayed, records nothing more.
    assert_eq!(p.advice(&genuine).await, StatusCode::OK);
    assert_eq!(p.invoice_state(y).await, ("paid".into(), 30_000));
    let y_return = format!("/portal/pay/telr/return/{}", attempt_of(&y_order));
    for _ in 0..2 {
        let r = ann.get(&y_return).await;
        assert_eq!(
            location(&r),
            format!("/portal/invoices/{}?payment=recorded", y.get())
        );
    }
    assert_eq!(p.payments(y).await, 1);
    assert_eq!(p.payments(x).await, 0);
    assert_eq!(p.invoice_state(x).await, ("sent".into(), 0));
}

#[tokio::test]
async fn an_offline_payment_retires_the_open_checkout_and_pay_now_charges_only_the_new_balance() {
    let p = Pay::new(true, false).await;
    let ann = p.ann().await;
    let (inv, _) = p.invoice("USD", 70_000, 5).await;
    p.press_pay(&ann, inv, "stripe").await;
    let first = p.session_of(inv);

    // USD 200.00 arrives by bank transfer while the first checkout is still open.
    let today = portico::domain::records::today_in(
        "Asia/Dubai",
        jiff::Timestamp::from_millisecond(p.app.now_ms()).unwrap(),
    )
    .to_string();
    portico::invoicing::record_offline_payment(
        &p.app.state,
        p.w.ws,
        inv,
        None,
        &portico::domain::offline_payment::PaymentFields {
            method: "bank_transfer".into(),
            amount: "200.00".into(),
            received_on: today,
            reference: "BT-1".into(),
            note: String::new(),
        },
    )
    .await
    .unwrap();

    // The open checkout for USD 700.00 is retired at once: it can no longer be paid.
    assert_eq!(
        p.stripe.inner.lock().unwrap().sessions[&first]["status"],
        "expired"
    );
    assert_eq!(
        p.sql_i64(
            "SELECT COUNT(*) FROM payment_attempt WHERE invoice_id = $1 AND status = 'cancelled'",
            inv.get()
        )
        .await,
        1
    );

    // Pay now again: a new session for the USD 500.00 left.
    let r = p.press_pay(&ann, inv, "stripe").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let sessions = p.stripe.inner.lock().unwrap().sessions.clone();
    assert_eq!(sessions.len(), 2);
    let second = sessions
        .values()
        .find(|s| s["id"] != first.as_str())
        .unwrap();
    assert_eq!(second["amount_total"], 50_000);
    assert_eq!(
        p.sql_i64(
            "SELECT COUNT(*) FROM payment_attempt WHERE invoice_id = $1 AND status = 'open'",
            inv.get()
        )
        .await,
        1
    );

    // Paying the new session settles the invoice exactly: paid, not overpaid.
    let id = second["id"].as_str().unwrap().to_string();
    p.stripe.pay(&id);
    ann.get(&format!("/portal/pay/stripe/return?session_id={id}"))
        .await;
    assert_eq!(p.invoice_state(inv).await, ("paid".into(), 70_000));
}

#[tokio::test]
async fn voiding_an_invoice_retires_its_open_checkout() {
    let p = Pay::new(true, false).await;
    let ann = p.ann().await;
    let (inv, _) = p.invoice("USD", 70_000, 5).await;
    p.press_pay(&ann, inv, "stripe").await;
    let session = p.session_of(inv);
    let path = format!("/staff/invoices/{}", inv.get());
    let (_, page) = p.staff.get_text(&path).await;
    let r = p
        .staff
        .post_form(
            &format!("{path}/void"),
            &[("_csrf", &crate::support::http::csrf_of(&page))],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(p.invoice_state(inv).await, ("void".into(), 0));
    assert_eq!(
        p.stripe.inner.lock().unwrap().sessions[&session]["status"],
        "expired"
    );
    assert_eq!(
        p.sql_i64(
            "SELECT COUNT(*) FROM payment_attempt WHERE invoice_id = $1 AND status = 'open'",
            inv.get()
        )
        .await,
        0
    );
}

#[tokio::test]
async fn an_advice_for_an_unpaid_cart_is_not_remembered_so_the_paid_advice_is_recorded_once() {
    let p = Pay::new(false, true).await;
    let ann = p.ann().await;
    let (inv, _) = p.invoice("USD", 25_000, 5).await;
    assert_eq!(
        p.press_pay(&ann, inv, "telr").await.status(),
        StatusCode::SEE_OTHER
    );
    let order = p.telr.only_order();
    // The transaction reference Telr will give the payment, announced before `check`
    // shows the order paid.
    let tran_ref = (p.telr.inner.lock().unwrap().counter + 1).to_string();
    let early = telr_standin::advice(
        TELR_STORE,
        &p.advice_secret,
        "sale",
        &tran_ref,
        "",
        &order,
        &order.amount,
    );
    assert_eq!(p.advice(&early).await, StatusCode::OK);
    assert_eq!(p.payments(inv).await, 0);
    assert_eq!(p.invoice_state(inv).await, ("sent".into(), 0));
    let remembered = "SELECT COUNT(*) FROM provider_event WHERE workspace_id = $1";
    assert_eq!(p.sql_i64(remembered, p.w.ws.get()).await, 0);

    // The customer pays; Telr's advice carries the same tran_ref and is handled.
    let genuine = p.telr.pay(&order.order_ref);
    assert_eq!(genuine, early);
    for _ in 0..3 {
        assert_eq!(p.advice(&genuine).await, StatusCode::OK);
    }
    assert_eq!(p.payments(inv).await, 1);
    assert_eq!(p.invoice_state(inv).await, ("paid".into(), 25_000));
    assert_eq!(p.sql_i64(remembered, p.w.ws.get()).await, 1);
}
