//! Provider secrets never reach the logs or the audit log: every payment path runs with
//! the app's log output captured (at debug, above production's level), then the capture
//! is searched for each secret.

use reqwest::StatusCode;

use crate::payments::{Pay, TELR_STORE};
use crate::support::logs;
use crate::support::telr_standin::{self, Order};

#[tokio::test]
async fn stripe_and_telr_secrets_never_appear_in_the_logs_or_the_audit_log() {
    let (captured, _guard) = logs::capture();
    let p = Pay::new(true, true).await;
    let stripe_key = p.stripe.inner.lock().unwrap().keys[0].clone();
    let telr_key = p.telr.inner.lock().unwrap().auth_key.clone();
    let ann = p.ann().await;

    // A key Stripe refuses, then the real one again (the live check runs both times).
    let refused = format!(
        "sk_test_{}",
        portico::crypto::random_token(18).replace('-', "x")
    );
    assert_eq!(
        p.connect_stripe(&refused, &p.whsec).await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        p.connect_stripe(&stripe_key, &p.whsec).await.0,
        StatusCode::SEE_OTHER
    );

    // Stripe: Pay now, the checkout, a webhook (and a forged one), the return.
    let (card, _) = p.invoice("USD", 70_000, 5).await;
    assert_eq!(
        p.press_pay(&ann, card, "stripe").await.status(),
        StatusCode::SEE_OTHER
    );
    let session = p.session_of(card);
    let event = p.stripe.pay(&session);
    assert_eq!(
        p.webhook(&event, &p.stripe.sign(&event, "whsec_forged"))
            .await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        p.webhook(&event, &p.stripe.sign(&event, &p.whsec)).await,
        StatusCode::OK
    );
    ann.get(&format!("/portal/pay/stripe/return?session_id={session}"))
        .await;
    // A signed event for a session this workspace never made: logged as ignored.
    // Parallel tests hit the same log call sites; their cached interest is refreshed
    // first, so this thread's capture is asked again whether it wants them.
    tracing::callsite::rebuild_interest_cache();
    let stray = br#"{"id":"evt_stray","type":"checkout.session.completed","livemode":false,"data":{"object":{"id":"cs_test_stray"}}}"#;
    assert_eq!(
        p.webhook(stray, &p.stripe.sign(stray, &p.whsec)).await,
        StatusCode::OK
    );

    // Telr: Pay now, the advice, the return; and advice for a cart never created.
    let (telr_inv, _) = p.invoice("AED", 10_000, 5).await;
    assert_eq!(
        p.press_pay(&ann, telr_inv, "telr").await.status(),
        StatusCode::SEE_OTHER
    );
    let order = p.telr.only_order();
    assert_eq!(
        p.advice(&p.telr.pay(&order.order_ref)).await,
        StatusCode::OK
    );
    let attempt = order.cart.trim_start_matches("portico-").to_string();
    ann.get(&format!("/portal/pay/telr/return/{attempt}")).await;
    let unknown = telr_standin::advice(
        TELR_STORE,
        &p.advice_secret,
        "sale",
        "990001",
        "",
        &Order {
            order_ref: "none".into(),
            cart: "portico-990001".into(),
            amount: "10.00".into(),
            currency: "AED".into(),
            test: "1".into(),
            desc: String::new(),
            return_auth: String::new(),
            status: 3,
            tran_ref: None,
        },
        "10.00",
    );
    assert_eq!(p.advice(&unknown).await, StatusCode::OK);
    portico::payments::service::reconcile_tick(&p.app.state)
        .await
        .unwrap();
    assert_eq!(p.invoice_state(card).await, ("paid".into(), 70_000));
    assert_eq!(p.invoice_state(telr_inv).await, ("paid".into(), 10_000));

    // Disconnect both.
    for provider in ["stripe", "telr"] {
        let (_, page) = p.staff.get_text("/staff/integrations").await;
        let r = p
            .staff
            .post_form(
                &format!("/staff/integrations/{provider}/disconnect"),
                &[("_csrf", &crate::support::http::csrf_of(&page))],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }

    let log = captured.text();
    // The capture works: the ignored Stripe event and Telr advice were logged.
    assert!(
        log.contains("Stripe event for a session this workspace never created"),
        "{log}"
    );
    assert!(log.contains("Telr advice for a cart this workspace never created"));
    let audit: Vec<(String,)> = sqlx::query_as("SELECT detail FROM audit_event")
        .fetch_all(p.app.state.store.pool())
        .await
        .unwrap();
    let audit = audit
        .into_iter()
        .map(|(d,)| d)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(audit.contains("Stripe connected with sk_test_…"), "{audit}");
    for (what, secret) in [
        ("Stripe key", stripe_key.as_str()),
        ("refused Stripe key", refused.as_str()),
        ("webhook secret", p.whsec.as_str()),
        ("Telr auth key", telr_key.as_str()),
        ("Telr advice secret", p.advice_secret.as_str()),
    ] {
        // The secret, and its random part without the well-known prefix.
        let tail = &secret[secret.len() - 12..];
        for (place, text) in [("logs", &log), ("audit log", &audit)] {
            assert!(
                !text.contains(secret) && !text.contains(tail),
                "the {what} appears in the {place}"
            );
        }
    }
}
