//! Two workspaces with Stripe connected to the same account, each with its own webhook
//! secret: an event signed for one workspace's endpoint never touches the other's
//! invoices, an event signed with the other's secret is refused, and a delivery to one
//! endpoint never hides the same event's delivery to the other.

use reqwest::StatusCode;

use crate::payments::Pay;
use crate::support::world;
use portico::ids::WorkspaceId;
use portico::payments::integrations::{connect_stripe, ChangedBy};
use portico::store::audit::Actor;

impl Pay {
    async fn count_in(&self, sql: &str, ws: WorkspaceId) -> i64 {
        self.sql_i64(sql, ws.get()).await
    }
}

const PAYMENTS: &str = "SELECT COUNT(*) FROM payment WHERE workspace_id = $1";
const OPEN_ATTEMPTS: &str =
    "SELECT COUNT(*) FROM payment_attempt WHERE workspace_id = $1 AND status = 'open'";

#[tokio::test]
async fn an_event_for_one_workspaces_session_sent_to_another_workspace_records_nothing() {
    let p = Pay::new(true, false).await;
    let a = p.w.ws;
    let (a_inv, _) = p.invoice("USD", 70_000, 5).await;
    let ann = p.ann().await;
    assert_eq!(
        p.press_pay(&ann, a_inv, "stripe").await.status(),
        StatusCode::SEE_OTHER
    );
    let a_session = p.session_of(a_inv);

    // Workspace B connects the same Stripe stand-in with its own webhook secret.
    let b = world::other_workspace(&p.app).await;
    let b_whsec = format!(
        "whsec_{}",
        portico::crypto::random_token(24).replace('-', "x")
    );
    let by = ChangedBy {
        actor: Actor::System,
        label: "test",
        ip: "",
        staff: None,
    };
    connect_stripe(&p.app.state, b, &by, &p.stripe.new_key(), &b_whsec)
        .await
        .unwrap();
    let b_client = world::client(&p.app, b, "company", "Other Client").await;
    let (b_inv, _) = world::invoice(&p.app, b, b_client, "sent", 5, "USD", 70_000).await;

    // A's session is paid at Stripe; the event naming it is signed for B's endpoint.
    let event = p.stripe.pay(&a_session);
    assert_eq!(
        p.webhook_to(b, &event, &p.stripe.sign(&event, &b_whsec))
            .await,
        StatusCode::OK,
        "a correctly signed event is acknowledged, and ignored"
    );
    // A's event at B's endpoint signed with A's secret: refused.
    assert_eq!(
        p.webhook_to(b, &event, &p.stripe.sign(&event, &p.whsec))
            .await,
        StatusCode::BAD_REQUEST
    );
    for ws in [a, b] {
        assert_eq!(p.count_in(PAYMENTS, ws).await, 0);
    }
    assert_eq!(p.invoice_state(a_inv).await, ("sent".into(), 0));
    assert_eq!(p.invoice_state(b_inv).await, ("sent".into(), 0));
    assert_eq!(
        p.count_in(OPEN_ATTEMPTS, a).await,
        1,
        "A's checkout is open"
    );

    // The same event delivered to A's own endpoint is handled, once.
    for _ in 0..2 {
        assert_eq!(
            p.webhook(&event, &p.stripe.sign(&event, &p.whsec)).await,
            StatusCode::OK
        );
    }
    assert_eq!(p.invoice_state(a_inv).await, ("paid".into(), 70_000));
    assert_eq!(p.payments(a_inv).await, 1);
    assert_eq!(p.count_in(PAYMENTS, b).await, 0);
    assert_eq!(p.invoice_state(b_inv).await, ("sent".into(), 0));
}
