//! Online payments end to end against local Stripe and Telr stand-ins (SPEC §5–§6): the
//! back office connects a provider, a contact presses Pay now, the provider's page is
//! completed (by headless Chromium or by the stand-in directly), and the payment is
//! recorded exactly once whatever arrives: return, webhooks, advice, duplicates, storms.

use fantoccini::Locator;
use reqwest::StatusCode;

use crate::support::chrome::{portal_sign_in, wait_for_path, Chrome};
use crate::support::http::{csrf_of, Browser};
use crate::support::stripe_standin::StripeStandIn;
use crate::support::telr_standin::TelrStandIn;
use crate::support::world::{self, World};
use crate::support::{Options, TestApp};
use portico::ids::InvoiceId;

pub(crate) const TELR_STORE: &str = "15996";

pub(crate) struct Pay {
    pub(crate) app: TestApp,
    pub(crate) w: World,
    pub(crate) stripe: StripeStandIn,
    pub(crate) telr: TelrStandIn,
    pub(crate) whsec: String,
    pub(crate) advice_secret: String,
    pub(crate) staff: Browser,
}

impl Pay {
    pub(crate) async fn new(stripe_on: bool, telr_on: bool) -> Pay {
        let stripe = StripeStandIn::start().await;
        let telr_key = format!("telr-{}", portico::crypto::random_token(12));
        let telr = TelrStandIn::start(TELR_STORE, &telr_key).await;
        let app = TestApp::spawn_with(Options {
            stripe_api_base: Some(stripe.base.clone()),
            telr_api_base: Some(telr.base.clone()),
            ..Options::default()
        })
        .await;
        let w = World::seed(&app).await;
        let staff = Browser::staff(&app, &w.staff_email, &w.staff_password).await;
        let whsec = format!(
            "whsec_{}",
            portico::crypto::random_token(24).replace('-', "x")
        );
        let advice_secret = portico::crypto::random_token(16);
        let p = Pay {
            app,
            w,
            stripe,
            telr,
            whsec,
            advice_secret,
            staff,
        };
        if stripe_on {
            let key = p.stripe.new_key();
            let r = p.connect_stripe(&key, &p.whsec).await;
            assert_eq!(r.0, StatusCode::SEE_OTHER, "{}", r.1);
            p.stripe.set_webhook(
                &p.app.url(&format!("/webhooks/stripe/{}", p.w.ws.get())),
                &p.whsec,
            );
        }
        if telr_on {
            let (_, page) = p.staff.get_text("/staff/integrations").await;
            let r = p
                .staff
                .post_form(
                    "/staff/integrations/telr",
                    &[
                        ("_csrf", &csrf_of(&page)),
                        ("store_id", TELR_STORE),
                        ("auth_key", &telr_key),
                        ("advice_secret", &p.advice_secret),
                        ("test_mode", "1"),
                    ],
                )
                .await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
            p.telr.set_advice(
                &p.app.url(&format!("/webhooks/telr/{}", p.w.ws.get())),
                &p.advice_secret,
            );
        }
        p
    }

    pub(crate) async fn connect_stripe(&self, key: &str, whsec: &str) -> (StatusCode, String) {
        let (_, page) = self.staff.get_text("/staff/integrations").await;
        let r = self
            .staff
            .post_form(
                "/staff/integrations/stripe",
                &[
                    ("_csrf", &csrf_of(&page)),
                    ("secret_key", key),
                    ("webhook_secret", whsec),
                ],
            )
            .await;
        (r.status(), r.text().await.unwrap())
    }

    pub(crate) async fn invoice(
        &self,
        currency: &str,
        minor: i64,
        due_in_days: i64,
    ) -> (InvoiceId, String) {
        world::invoice(
            &self.app,
            self.w.ws,
            self.w.a,
            "sent",
            due_in_days,
            currency,
            minor,
        )
        .await
    }

    pub(crate) async fn ann(&self) -> Browser {
        let b = Browser::new(&self.app);
        let r = b
            .log_in(&self.app, &self.w.a_link(), &self.w.ann_email)
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        b
    }

    /// Presses Pay now on the invoice page; returns the response (303 to the provider).
    pub(crate) async fn press_pay(
        &self,
        b: &Browser,
        invoice: InvoiceId,
        provider: &str,
    ) -> reqwest::Response {
        let path = format!("/portal/invoices/{}", invoice.get());
        let (status, page) = b.get_text(&path).await;
        assert_eq!(status, StatusCode::OK);
        b.post_form(
            &format!("{path}/pay"),
            &[("_csrf", &csrf_of(&page)), ("provider", provider)],
        )
        .await
    }

    pub(crate) async fn webhook(&self, body: &[u8], signature: &str) -> StatusCode {
        self.webhook_to(self.w.ws, body, signature).await
    }

    /// Posts a Stripe event to the webhook endpoint of workspace `ws`.
    pub(crate) async fn webhook_to(
        &self,
        ws: portico::ids::WorkspaceId,
        body: &[u8],
        signature: &str,
    ) -> StatusCode {
        reqwest::Client::new()
            .post(self.app.url(&format!("/webhooks/stripe/{}", ws.get())))
            .header("Stripe-Signature", signature)
            .header("Content-Type", "application/json")
            .body(body.to_vec())
            .send()
            .await
            .unwrap()
            .status()
    }

    pub(crate) async fn advice(&self, form: &[(String, String)]) -> StatusCode {
        reqwest::Client::new()
            .post(self.app.url(&format!("/webhooks/telr/{}", self.w.ws.get())))
            .form(form)
            .send()
            .await
            .unwrap()
            .status()
    }

    pub(crate) async fn sql_i64(&self, sql: &str, id: i64) -> i64 {
        let (v,): (i64,) = sqlx::query_as(sql)
            .bind(id)
            .fetch_one(self.app.state.store.pool())
            .await
            .unwrap();
        v
    }

    pub(crate) async fn payments(&self, invoice: InvoiceId) -> i64 {
        self.sql_i64(
            "SELECT COUNT(*) FROM payment WHERE invoice_id = $1",
            invoice.get(),
        )
        .await
    }

    /// The id of the Checkout Session started for `invoice` (there must be one).
    pub(crate) fn session_of(&self, invoice: InvoiceId) -> String {
        let wanted = invoice.get().to_string();
        self.stripe
            .inner
            .lock()
            .unwrap()
            .sessions
            .values()
            .find(|s| s["metadata"]["invoice_id"].as_str() == Some(wanted.as_str()))
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub(crate) async fn invoice_state(&self, invoice: InvoiceId) -> (String, i64) {
        sqlx::query_as("SELECT status, paid_minor FROM invoice WHERE id = $1")
            .bind(invoice.get())
            .fetch_one(self.app.state.store.pool())
            .await
            .unwrap()
    }
}

pub(crate) fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_string()
}

async fn chrome_sign_in(c: &fantoccini::Client, p: &Pay) {
    portal_sign_in(c, &p.app, &p.app.base, &p.w.a_link(), &p.w.ann_email).await;
}

async fn wait_until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    for _ in 0..100 {
        if check().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test]
async fn a_contact_pays_an_overdue_invoice_through_stripe_checkout_in_a_real_browser() {
    // Arrange: Stripe connected, an overdue AED invoice on Ann's home.
    let p = Pay::new(true, false).await;
    let (inv, number) = p.invoice("AED", 125_050, -3).await;
    let chrome = Chrome::start().await;
    let c = &chrome.client;
    chrome_sign_in(c, &p).await;
    let home = c.source().await.unwrap();
    assert!(
        home.contains(&number) && home.contains("Pay now"),
        "Take actions offers Pay now"
    );

    // Act: Pay now → the stand-in's checkout → Pay.
    c.goto(&p.app.url(&format!("/portal/invoices/{}", inv.get())))
        .await
        .unwrap();
    c.find(Locator::XPath("//button[normalize-space()='Pay now']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_until("the checkout page", async || {
        c.current_url()
            .await
            .unwrap()
            .as_str()
            .starts_with(&p.stripe.base)
    })
    .await;
    let session = p.stripe.only_session();
    assert_eq!(session["amount_total"], 125_050);
    assert_eq!(session["currency"], "aed");
    c.find(Locator::Id("pay"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_path(c, &format!("/portal/invoices/{}", inv.get())).await;
    chrome.screenshot("payment-stripe-paid").await;

    // Assert: Paid on the page, one payment, receipt and team notice, gone from Take actions.
    let page = c.source().await.unwrap();
    assert!(page.contains("Paid"), "the invoice shows Paid");
    assert!(
        page.contains("Card (Stripe)"),
        "the payment is in the history"
    );
    assert!(!page.contains(">Pay now<"), "no Pay now on a paid invoice");
    wait_until("the webhook too", async || {
        p.sql_i64("SELECT COUNT(*) FROM provider_event WHERE workspace_id = $1 AND processed_at IS NOT NULL", p.w.ws.get()).await >= 1
    })
    .await;
    assert_eq!(p.payments(inv).await, 1);
    assert_eq!(p.invoice_state(inv).await, ("paid".into(), 125_050));
    let receipt = p.app.smtp.wait_for(&p.w.ann_email, 2).await;
    assert!(
        receipt.subject().contains(&number) && receipt.text().contains("AED 1,250.50"),
        "{}",
        receipt.text()
    );
    let notice = p.app.smtp.wait_for(&p.w.staff_email, 1).await;
    assert!(notice.subject().contains("Acme Facilities"));
    c.goto(&p.app.url("/portal/home")).await.unwrap();
    let home = c.source().await.unwrap();
    assert!(!home.contains(&number), "Take actions no longer lists it");
    let (_, audit) = p.staff.get_text("/staff/audit?show=payments").await;
    assert!(audit.contains("payment.started") && audit.contains("payment.succeeded"));
    c.clone().close().await.unwrap();
}

#[tokio::test]
async fn a_contact_pays_through_telrs_hosted_page_in_a_real_browser_choosing_between_two_providers()
{
    let p = Pay::new(true, true).await;
    let (inv, _) = p.invoice("AED", 1_050, 10).await;
    let chrome = Chrome::start().await;
    let c = &chrome.client;
    chrome_sign_in(c, &p).await;
    c.goto(&p.app.url(&format!("/portal/invoices/{}", inv.get())))
        .await
        .unwrap();
    let page = c.source().await.unwrap();
    assert!(
        page.contains("Pay now by card (Stripe)") && page.contains("Pay now with Telr"),
        "the client chooses"
    );
    c.find(Locator::XPath(
        "//button[normalize-space()='Pay now with Telr']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    wait_until("Telr's page", async || {
        c.current_url()
            .await
            .unwrap()
            .as_str()
            .starts_with(&p.telr.base)
    })
    .await;
    let order = p.telr.only_order();
    assert_eq!(
        (
            order.amount.as_str(),
            order.currency.as_str(),
            order.test.as_str()
        ),
        ("10.50", "AED", "1")
    );
    c.find(Locator::Id("pay"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_path(c, &format!("/portal/invoices/{}", inv.get())).await;
    let page = c.source().await.unwrap();
    assert!(page.contains("Paid") && page.contains("Card (Telr)"));
    wait_until("the advice too", async || {
        p.sql_i64(
            "SELECT COUNT(*) FROM provider_event WHERE workspace_id = $1 AND provider = 'telr'",
            p.w.ws.get(),
        )
        .await
            >= 1
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(p.payments(inv).await, 1);
    assert_eq!(p.invoice_state(inv).await, ("paid".into(), 1_050));
    assert_eq!(
        p.stripe.session_count(),
        0,
        "no Stripe session when Telr was chosen"
    );
    c.clone().close().await.unwrap();
}

#[tokio::test]
async fn fifty_concurrent_duplicate_webhooks_and_the_browser_return_record_exactly_one_payment() {
    let p = Pay::new(true, false).await;
    let (inv, _) = p.invoice("USD", 70_000, 5).await;
    let ann = p.ann().await;
    let r = p.press_pay(&ann, inv, "stripe").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let session = p.stripe.only_session();
    let id = session["id"].as_str().unwrap().to_string();
    let event = p.stripe.pay(&id);

    let mut tasks = Vec::new();
    for i in 0..50 {
        let sig = p.stripe.sign(&event, &p.whsec);
        let body = event.clone();
        let url = p.app.url(&format!("/webhooks/stripe/{}", p.w.ws.get()));
        tasks.push(tokio::spawn(async move {
            let _ = i;
            reqwest::Client::new()
                .post(url)
                .header("Stripe-Signature", sig)
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let ret = ann
        .get(&format!("/portal/pay/stripe/return?session_id={id}"))
        .await;
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(ret.status(), StatusCode::SEE_OTHER);
    assert!(location(&ret).starts_with(&format!("/portal/invoices/{}?payment=", inv.get())));
    assert_eq!(p.payments(inv).await, 1, "exactly one payment");
    assert_eq!(p.invoice_state(inv).await, ("paid".into(), 70_000));
    assert_eq!(
        p.sql_i64("SELECT COUNT(*) FROM audit_event WHERE action = 'payment.succeeded' AND subject_id = $1", inv.get()).await,
        1
    );
    // A replayed return URL records nothing more.
    let again = ann
        .get(&format!("/portal/pay/stripe/return?session_id={id}"))
        .await;
    assert_eq!(
        location(&again),
        format!("/portal/invoices/{}?payment=recorded", inv.get())
    );
    assert_eq!(p.payments(inv).await, 1);
}

#[tokio::test]
async fn forged_stale_foreign_v0_only_and_tampered_webhooks_are_refused_and_change_nothing() {
    let p = Pay::new(true, false).await;
    let (inv, _) = p.invoice("USD", 70_000, 5).await;
    let ann = p.ann().await;
    p.press_pay(&ann, inv, "stripe").await;
    let id = p.stripe.only_session()["id"].as_str().unwrap().to_string();
    let event = p.stripe.pay(&id);
    let now = p.app.now_ms() / 1000; // the app's own clock decides what is stale
    let good = portico::payments::stripe::sign(&event, &p.whsec, now);
    let v1 = good.split("v1=").nth(1).unwrap().to_string();
    let mut tampered = event.clone();
    tampered.push(b' ');
    let live = String::from_utf8(event.clone())
        .unwrap()
        .replace("\"livemode\":false", "\"livemode\":true")
        .into_bytes();
    assert_ne!(live, event);
    let cases: Vec<(&str, Vec<u8>, String)> = vec![
        ("no signature", event.clone(), String::new()),
        ("garbage header", event.clone(), "bad_header".into()),
        (
            "forged",
            event.clone(),
            portico::payments::stripe::sign(&event, "whsec_attacker", now),
        ),
        (
            "stale",
            event.clone(),
            portico::payments::stripe::sign(&event, &p.whsec, now - 301),
        ),
        ("v0 only", event.clone(), format!("t={now},v0={v1}")),
        ("tampered body", tampered, good.clone()),
        (
            "a live event for a test-mode key, correctly signed",
            live.clone(),
            portico::payments::stripe::sign(&live, &p.whsec, now),
        ),
        (
            "another tenant's secret",
            event.clone(),
            portico::payments::stripe::sign(&event, "whsec_othertenant", now),
        ),
    ];
    for (what, body, sig) in cases {
        assert_eq!(
            p.webhook(&body, &sig).await,
            StatusCode::BAD_REQUEST,
            "{what}"
        );
    }
    // Another workspace's endpoint (no Stripe there) refuses it as well.
    let foreign = reqwest::Client::new()
        .post(p.app.url("/webhooks/stripe/1234567"))
        .header("Stripe-Signature", &good)
        .body(event.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::BAD_REQUEST);
    assert_eq!(p.payments(inv).await, 0);
    assert_eq!(p.invoice_state(inv).await, ("sent".into(), 0));
    assert_eq!(
        p.sql_i64(
            "SELECT COUNT(*) FROM provider_event WHERE workspace_id = $1",
            p.w.ws.get()
        )
        .await,
        0
    );
    // Several v1 values, one right: accepted.
    let rotated = format!("t={now},v1=deadbeef,v1={v1}");
    assert_eq!(p.webhook(&event, &rotated).await, StatusCode::OK);
    assert_eq!(p.invoice_state(inv).await, ("paid".into(), 70_000));
}

#[tokio::test]
async fn an_amount_currency_or_invoice_mismatch_at_the_provider_never_marks_the_invoice_paid() {
    let p = Pay::new(true, false).await;
    let ann = p.ann().await;
    // Another invoice's session: its reference and metadata, as if Stripe answered with it.
    let (other, _) = p.invoice("USD", 70_000, 5).await;
    p.press_pay(&ann, other, "stripe").await;
    let their_session = p.session_of(other);
    let theirs = p.stripe.inner.lock().unwrap().sessions[&their_session].clone();
    for (field, value) in [
        ("amount_total", serde_json::json!(100)),
        ("currency", serde_json::json!("eur")),
        ("client_reference_id", theirs["client_reference_id"].clone()),
        ("metadata", theirs["metadata"].clone()),
    ] {
        let (inv, _) = p.invoice("USD", 70_000, 5).await;
        p.press_pay(&ann, inv, "stripe").await;
        let id = p.session_of(inv);
        let event = p.stripe.pay(&id);
        p.stripe.tamper(&id, |s| s[field] = value.clone());
        assert_eq!(
            p.webhook(&event, &p.stripe.sign(&event, &p.whsec)).await,
            StatusCode::OK
        );
        let ret = ann
            .get(&format!("/portal/pay/stripe/return?session_id={id}"))
            .await;
        assert!(!location(&ret).ends_with("payment=paid"), "{field}");
        portico::payments::service::reconcile_tick(&p.app.state)
            .await
            .unwrap();
        assert_eq!(p.payments(inv).await, 0, "{field}");
        assert_eq!(p.invoice_state(inv).await, ("sent".into(), 0), "{field}");
    }
    assert_eq!(p.payments(other).await, 0);
    let (_, audit) = p.staff.get_text("/staff/audit?show=payments").await;
    assert!(audit.contains("payment.mismatch"));
}

#[tokio::test]
async fn kwd_and_jpy_invoices_are_paid_end_to_end_in_the_right_minor_units() {
    let p = Pay::new(true, true).await;
    let ann = p.ann().await;
    // KWD 12.340 through Stripe: 12340 (three decimals, last digit 0).
    let (kwd, _) = p.invoice("KWD", 12_340, 5).await;
    let r = p.press_pay(&ann, kwd, "stripe").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // JPY 5000 through Stripe: 5000 (no decimals).
    let (jpy, _) = p.invoice("JPY", 5_000, 5).await;
    p.press_pay(&ann, jpy, "stripe").await;
    let sessions: Vec<serde_json::Value> = p
        .stripe
        .inner
        .lock()
        .unwrap()
        .sessions
        .values()
        .cloned()
        .collect();
    for (inv, amount, currency) in [(kwd, 12_340, "kwd"), (jpy, 5_000, "jpy")] {
        let s = sessions
            .iter()
            .find(|s| s["metadata"]["invoice_id"].as_str() == Some(inv.get().to_string().as_str()))
            .unwrap();
        assert_eq!(
            (
                s["amount_total"].as_i64().unwrap(),
                s["currency"].as_str().unwrap()
            ),
            (amount, currency)
        );
        let id = s["id"].as_str().unwrap();
        p.stripe.pay(id);
        let ret = ann
            .get(&format!("/portal/pay/stripe/return?session_id={id}"))
            .await;
        assert_eq!(
            location(&ret),
            format!("/portal/invoices/{}?payment=paid", inv.get())
        );
        assert_eq!(p.invoice_state(inv).await, ("paid".into(), amount));
    }
    // KWD 12.345 cannot go to Stripe exactly: a clear refusal, no session.
    let (odd, _) = p.invoice("KWD", 12_345, 5).await;
    let before = p.stripe.session_count();
    let r = p.press_pay(&ann, odd, "stripe").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("must end in 0"));
    assert_eq!(p.stripe.session_count(), before);
    // …but through Telr it is 12.345 in major units.
    let r = p.press_pay(&ann, odd, "telr").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let order = p.telr.only_order();
    assert_eq!(
        (order.amount.as_str(), order.currency.as_str()),
        ("12.345", "KWD")
    );
    let advice = p.telr.pay(&order.order_ref);
    assert_eq!(p.advice(&advice).await, StatusCode::OK);
    assert_eq!(
        p.advice(&advice).await,
        StatusCode::OK,
        "a replayed advice is answered and ignored"
    );
    assert_eq!(p.invoice_state(odd).await, ("paid".into(), 12_345));
    assert_eq!(p.payments(odd).await, 1);
    // A Telr refund advice restores part of the balance, once.
    let refund = p.telr.refund_advice(&order.order_ref, "2.345");
    assert_eq!(p.advice(&refund).await, StatusCode::OK);
    assert_eq!(p.advice(&refund).await, StatusCode::OK);
    assert_eq!(
        p.invoice_state(odd).await,
        ("partially_paid".into(), 10_000)
    );
    // Below Stripe's minimum: explained, not sent.
    let (tiny, _) = p.invoice("AED", 150, 5).await;
    let r = p.press_pay(&ann, tiny, "stripe").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("AED 2.00"));
}

#[tokio::test]
async fn refunds_restore_the_balance_even_when_they_arrive_before_the_completion() {
    let p = Pay::new(true, false).await;
    let (inv, _) = p.invoice("USD", 70_000, 5).await;
    let ann = p.ann().await;
    p.press_pay(&ann, inv, "stripe").await;
    let id = p.stripe.only_session()["id"].as_str().unwrap().to_string();
    let completed = p.stripe.pay(&id);
    let partial = p.stripe.refund_event(&id, 20_000);
    // Out of order: the refund first, then the completion, then the refund again.
    assert_eq!(
        p.webhook(&partial, &p.stripe.sign(&partial, &p.whsec))
            .await,
        StatusCode::OK
    );
    assert_eq!(
        p.invoice_state(inv).await,
        ("partially_paid".into(), 50_000)
    );
    assert_eq!(
        p.webhook(&completed, &p.stripe.sign(&completed, &p.whsec))
            .await,
        StatusCode::OK
    );
    assert_eq!(
        p.webhook(&partial, &p.stripe.sign(&partial, &p.whsec))
            .await,
        StatusCode::OK
    );
    assert_eq!(
        p.invoice_state(inv).await,
        ("partially_paid".into(), 50_000)
    );
    let full = p.stripe.refund_event(&id, 70_000);
    assert_eq!(
        p.webhook(&full, &p.stripe.sign(&full, &p.whsec)).await,
        StatusCode::OK
    );
    assert_eq!(p.invoice_state(inv).await, ("sent".into(), 0));
    assert_eq!(p.payments(inv).await, 1);
    let (_, page) = ann
        .get_text(&format!("/portal/invoices/{}", inv.get()))
        .await;
    assert!(page.contains("Refunded USD 700.00"));
}

#[tokio::test]
async fn the_reconciler_records_a_payment_whose_signals_were_lost_and_expires_stale_attempts() {
    let p = Pay::new(true, false).await;
    let (paid, _) = p.invoice("USD", 70_000, 5).await;
    let (stale, _) = p.invoice("USD", 10_000, 5).await;
    let ann = p.ann().await;
    p.press_pay(&ann, paid, "stripe").await;
    p.press_pay(&ann, stale, "stripe").await;
    let id = p.session_of(paid);
    p.stripe.pay(&id); // the browser closed and the webhook was lost
    let report = portico::payments::service::reconcile_tick(&p.app.state)
        .await
        .unwrap();
    assert_eq!(report.recorded, 1);
    assert_eq!(p.invoice_state(paid).await, ("paid".into(), 70_000));
    p.app.clock.advance(jiff::SignedDuration::from_mins(61));
    let report = portico::payments::service::reconcile_tick(&p.app.state)
        .await
        .unwrap();
    assert_eq!(report.expired, 1);
    assert_eq!(
        p.sql_i64(
            "SELECT COUNT(*) FROM payment_attempt WHERE invoice_id = $1 AND status = 'expired'",
            stale.get()
        )
        .await,
        1
    );
    assert_eq!(p.invoice_state(stale).await, ("sent".into(), 0));
}

#[tokio::test]
async fn bad_payment_requests_are_refused_clearly_and_record_nothing() {
    let p = Pay::new(true, true).await;
    let ann = p.ann().await;
    let (mine, _) = p.invoice("USD", 70_000, 5).await;
    let (theirs, _) = world::invoice(&p.app, p.w.ws, p.w.b, "sent", 5, "USD", 70_000).await;
    let (void, _) = world::invoice(&p.app, p.w.ws, p.w.a, "void", 5, "USD", 70_000).await;
    let (_, page) = ann
        .get_text(&format!("/portal/invoices/{}", mine.get()))
        .await;
    let csrf = csrf_of(&page);
    // Another client's invoice and a void one: not found.
    for inv in [theirs, void] {
        let r = ann
            .post_form(
                &format!("/portal/invoices/{}/pay", inv.get()),
                &[("_csrf", &csrf), ("provider", "stripe")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
    // No CSRF token: refused.
    let r = ann
        .post_form(
            &format!("/portal/invoices/{}/pay", mine.get()),
            &[("provider", "stripe")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A tampered amount is ignored: the balance is what is charged. Return URLs slipped
    // into the form are ignored too: the provider gets the public URL and server ids.
    let r = ann
        .post_form(
            &format!("/portal/invoices/{}/pay", mine.get()),
            &[
                ("_csrf", &csrf),
                ("provider", "stripe"),
                ("amount", "1"),
                ("success_url", "https://evil.example/win"),
                ("cancel_url", "https://evil.example/lose"),
                ("next", "//evil.example"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(p.stripe.only_session()["amount_total"], 70_000);
    // Pressing again reuses the same attempt and session (the idempotency key is kept).
    let again = p.press_pay(&ann, mine, "stripe").await;
    assert_eq!(location(&again), location(&r));
    assert_eq!(p.stripe.session_count(), 1);
    let (fields, headers) = p.stripe.inner.lock().unwrap().creates[0].clone();
    let sent = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        sent("success_url"),
        p.app
            .url("/portal/pay/stripe/return?session_id={CHECKOUT_SESSION_ID}")
    );
    assert_eq!(
        sent("cancel_url"),
        p.app.url(&format!(
            "/portal/invoices/{}?payment=cancelled",
            mine.get()
        ))
    );
    assert_eq!(
        headers["stripe-version"],
        portico::payments::provider::STRIPE_VERSION
    );
    let (stored_key,): (String,) =
        sqlx::query_as("SELECT idempotency_key FROM payment_attempt WHERE invoice_id = $1")
            .bind(mine.get())
            .fetch_one(p.app.state.store.pool())
            .await
            .unwrap();
    assert_eq!(headers["idempotency-key"], stored_key);
    assert_eq!(
        p.sql_i64(
            "SELECT COUNT(*) FROM payment_attempt WHERE invoice_id = $1",
            mine.get()
        )
        .await,
        1
    );
    assert_eq!(p.stripe_create_count(), 1);
    assert!(p.telr.order_count() == 0);

    // Another invoice: Stripe first, then the client changes to Telr; the Stripe
    // session is expired so it can no longer be paid next to the Telr order.
    let (switch, _) = p.invoice("USD", 10_000, 5).await;
    p.press_pay(&ann, switch, "stripe").await;
    let first = p.session_of(switch);
    let r = p.press_pay(&ann, switch, "telr").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with(&p.telr.base));
    let order = p.telr.only_order();
    assert_eq!(
        order.return_auth,
        p.app.url(&format!(
            "/portal/pay/telr/return/{}",
            order.cart.trim_start_matches("portico-")
        ))
    );
    assert_eq!(
        p.stripe.inner.lock().unwrap().sessions[&first]["status"],
        "expired"
    );
    assert_eq!(
        p.sql_i64(
            "SELECT COUNT(*) FROM payment_attempt WHERE invoice_id = $1 AND status = 'open'",
            switch.get()
        )
        .await,
        1
    );

    // Bob (another client) cannot use Ann's session id or attempt id.
    let bob = Browser::new(&p.app);
    bob.log_in(&p.app, &format!("/portal/{}", p.w.b_key), &p.w.bob_email)
        .await;
    let session = p.session_of(mine);
    p.stripe.pay(&session);
    let r = bob
        .get(&format!("/portal/pay/stripe/return?session_id={session}"))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let attempt = p
        .sql_i64(
            "SELECT id FROM payment_attempt WHERE invoice_id = $1",
            mine.get(),
        )
        .await;
    let r = bob.get(&format!("/portal/pay/telr/return/{attempt}")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = ann
        .get("/portal/pay/stripe/return?session_id=cs_test_unknown")
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(p.payments(mine).await, 0);

    // Ann's own return records it; then the paid invoice cannot be paid again.
    ann.get(&format!("/portal/pay/stripe/return?session_id={session}"))
        .await;
    assert_eq!(p.invoice_state(mine).await, ("paid".into(), 70_000));
    let r = p.press_pay(&ann, mine, "telr").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("already paid"));
    assert_eq!(p.payments(mine).await, 1);

    // A Telr advice with a wrong tran_check: 400.
    let mut forged = crate::support::telr_standin::advice(
        TELR_STORE,
        "wrong-secret",
        "sale",
        "1",
        "",
        &crate::support::telr_standin::Order {
            order_ref: "x".into(),
            cart: format!("portico-{attempt}"),
            amount: "700.00".into(),
            currency: "USD".into(),
            test: "1".into(),
            desc: String::new(),
            return_auth: String::new(),
            status: 3,
            tran_ref: None,
        },
        "700.00",
    );
    assert_eq!(p.advice(&forged).await, StatusCode::BAD_REQUEST);
    forged.retain(|(k, _)| k != "tran_check");
    assert_eq!(p.advice(&forged).await, StatusCode::BAD_REQUEST);
    // Correctly signed, but a live transaction for a test-mode store: 400 as well.
    let live = crate::support::telr_standin::advice(
        TELR_STORE,
        &p.advice_secret,
        "sale",
        "2",
        "",
        &crate::support::telr_standin::Order {
            order_ref: "x".into(),
            cart: format!("portico-{attempt}"),
            amount: "700.00".into(),
            currency: "USD".into(),
            test: "0".into(),
            desc: String::new(),
            return_auth: String::new(),
            status: 3,
            tran_ref: None,
        },
        "700.00",
    );
    assert_eq!(p.advice(&live).await, StatusCode::BAD_REQUEST);
    assert_eq!(p.payments(mine).await, 1);
}

impl Pay {
    fn stripe_create_count(&self) -> usize {
        self.stripe.inner.lock().unwrap().creates.len()
    }
}

#[tokio::test]
async fn integrations_are_for_admins_keys_are_checked_sealed_and_disconnecting_removes_pay_now() {
    let p = Pay::new(false, false).await;
    let ann = p.ann().await;
    let (inv, _) = p.invoice("USD", 70_000, -2).await;
    let (_, home) = ann.get_text("/portal/home").await;
    assert!(!home.contains("Pay now"), "no provider, no Pay now");

    // A key the provider refuses is not saved.
    let (status, page) = p.connect_stripe("sk_test_notarealkey1234", &p.whsec).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("Stripe did not accept this key"));
    let (status, _) = p.connect_stripe("pk_test_publishable", &p.whsec).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(p
        .app
        .state
        .store
        .integration(p.w.ws, "stripe")
        .await
        .unwrap()
        .is_none());

    // A good key: saved sealed, shown as a hint with the webhook URL.
    let key = p.stripe.new_key();
    let (status, _) = p.connect_stripe(&key, &p.whsec).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let row = p
        .app
        .state
        .store
        .integration(p.w.ws, "stripe")
        .await
        .unwrap()
        .unwrap();
    assert!(!row.secrets_enc.contains(&key) && !row.secrets_enc.contains(&p.whsec));
    let (_, page) = p.staff.get_text("/staff/integrations").await;
    assert!(page.contains(&format!("sk_test_…{}", &key[key.len() - 4..])));
    assert!(!page.contains(&key) && !page.contains(&p.whsec));
    assert!(page.contains(&p.app.url(&format!("/webhooks/stripe/{}", p.w.ws.get()))));
    assert!(
        page.contains("saved without a live check"),
        "the Telr form says its details are not checked live"
    );
    let (_, home) = ann.get_text("/portal/home").await;
    assert!(home.contains("Pay now"));
    let (_, list) = ann.get_text("/portal/invoices").await;
    assert!(list.contains(&format!("/portal/invoices/{}/pay", inv.get())));

    // A member gets 403 on the page and on every action.
    let hash = portico::auth::password::hash("a long member password 42").unwrap();
    p.app
        .state
        .store
        .create_staff(
            p.w.ws,
            &portico::domain::email::EmailAddress::parse("member@cedar.test").unwrap(),
            "Max Member",
            "member",
            &hash,
            p.app.now_ms(),
        )
        .await
        .unwrap();
    let member = Browser::staff(&p.app, "member@cedar.test", "a long member password 42").await;
    let (status, _) = member.get_text("/staff/integrations").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, clients) = member.get_text("/staff/clients").await;
    let r = member
        .post_form(
            "/staff/integrations/stripe/disconnect",
            &[("_csrf", &csrf_of(&clients))],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(p
        .app
        .state
        .store
        .integration(p.w.ws, "stripe")
        .await
        .unwrap()
        .is_some());

    // Disconnect: Pay now is gone at once, and the webhook endpoint answers 400.
    let (_, page) = p.staff.get_text("/staff/integrations").await;
    let r = p
        .staff
        .post_form(
            "/staff/integrations/stripe/disconnect",
            &[("_csrf", &csrf_of(&page))],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, home) = ann.get_text("/portal/home").await;
    assert!(!home.contains("Pay now"));
    let body = br#"{"id":"evt_x","type":"checkout.session.completed","livemode":false,"data":{"object":{}}}"#;
    assert_eq!(
        p.webhook(body, &p.stripe.sign(body, &p.whsec)).await,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn the_receipt_goes_to_the_contact_who_paid_and_the_team_is_told() {
    let p = Pay::new(true, false).await;
    world::contact(&p.app, p.w.ws, p.w.a, "Dora", Some("dora@acme.test")).await;
    let dora = Browser::new(&p.app);
    let r = dora.log_in(&p.app, &p.w.a_link(), "dora@acme.test").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (inv, number) = p.invoice("USD", 70_000, 5).await;
    p.press_pay(&dora, inv, "stripe").await;
    let id = p.session_of(inv);
    p.stripe.pay(&id);
    dora.get(&format!("/portal/pay/stripe/return?session_id={id}"))
        .await;
    // Dora's mail: her login code, then the receipt.
    let receipt = p.app.smtp.wait_for("dora@acme.test", 2).await;
    assert!(
        receipt.subject().contains(&number) && receipt.text().contains("USD 700.00"),
        "{}",
        receipt.text()
    );
    let notice = p.app.smtp.wait_for(&p.w.staff_email, 1).await;
    assert!(notice.subject().contains("Acme Facilities"));
    assert!(
        p.app.smtp.to(&p.w.ann_email).is_empty(),
        "the other contact gets no receipt"
    );
}
