//! Connecting and disconnecting a workspace's payment providers: one implementation for
//! the back office's Apps & integrations page and the API alike. Input is checked field
//! by field, a Stripe key by a live call before anything is saved; credentials are
//! sealed with the server key and only a hint is kept in clear; every change is audited.

use crate::app::AppState;
use crate::ids::{StaffUserId, WorkspaceId};
use crate::payments::provider::{self, ProviderError};
use crate::payments::service::{StripeSecrets, TelrSecrets, TelrSettings};
use crate::payments::vault;
use crate::store::audit::{Actor, AuditEntry};
use crate::store::StoreError;

/// Who makes a change, for the audit log.
pub struct ChangedBy<'a> {
    pub actor: Actor,
    pub label: &'a str,
    pub ip: &'a str,
    /// The staff user to record as having connected, when a person did.
    pub staff: Option<StaffUserId>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The input is not acceptable (including a key the provider refused); nothing saved.
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// The provider could not be reached to check the key; nothing saved.
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Internal(String),
}

fn invalid(field: &'static str, message: &str) -> ConnectError {
    ConnectError::Invalid {
        field,
        message: message.to_string(),
    }
}

/// A connection as it may be shown: never a secret.
#[derive(Debug, Clone)]
pub struct Connected {
    pub provider: &'static str,
    pub key_hint: String,
    pub livemode: bool,
    /// The URL to paste into the provider's dashboard (webhook / transaction advice).
    pub callback_url: String,
}

/// The URL a provider calls for this workspace.
pub fn callback_url(state: &AppState, provider: &str, ws: i64) -> String {
    state.config.url(&format!("/webhooks/{provider}/{ws}"))
}

fn is_token(s: &str) -> bool {
    !s.is_empty() && s.len() <= 255 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

async fn audit(state: &AppState, ws: WorkspaceId, by: &ChangedBy<'_>, action: &str, detail: &str) {
    let entry = AuditEntry {
        actor: by.actor,
        label: by.label,
        action,
        subject_kind: "integration",
        subject_id: None,
        client_id: None,
        ip: by.ip,
        detail,
    };
    if let Err(e) = state.store.audit(ws, &entry, state.clock.now_ms()).await {
        tracing::error!(error = %e, "audit entry could not be written");
    }
}

/// Checks a Stripe secret or restricted key and webhook signing secret, the key by a live
/// call, then saves them sealed. Nothing is saved unless everything passes.
pub async fn connect_stripe(
    state: &AppState,
    ws: WorkspaceId,
    by: &ChangedBy<'_>,
    secret_key: &str,
    webhook_secret: &str,
) -> Result<Connected, ConnectError> {
    let key = secret_key.trim();
    let whsec = webhook_secret.trim();
    let live = key.starts_with("sk_live_") || key.starts_with("rk_live_");
    let test = key.starts_with("sk_test_") || key.starts_with("rk_test_");
    if !(live || test) || !is_token(key) {
        return Err(invalid("secret_key", "The key must be a Stripe secret key (sk_test_… or sk_live_…) or restricted key (rk_…). Publishable keys (pk_…) cannot take payments."));
    }
    if !whsec.starts_with("whsec_") || !is_token(whsec) {
        return Err(invalid("webhook_secret", "The webhook signing secret starts with whsec_ — copy it from the webhook endpoint in Stripe's dashboard."));
    }
    match provider::stripe_check_key(&state.config, key).await {
        Ok(()) => {}
        Err(ProviderError::Refused(_)) => return Err(invalid("secret_key", "Stripe did not accept this key. Check that it is current and, for a restricted key, that it may read the balance and write Checkout Sessions.")),
        Err(ProviderError::Unavailable(_)) => return Err(ConnectError::Unavailable("Stripe could not be reached to check the key. Nothing was saved; try again in a moment.".to_string())),
    }
    let secrets = serde_json::to_vec(&StripeSecrets {
        secret_key: key.to_string(),
        webhook_secret: whsec.to_string(),
    })
    .map_err(|e| ConnectError::Internal(e.to_string()))?;
    let sealed = vault::seal(state.config.secret.bytes(), ws.get(), "stripe", &secrets)
        .map_err(|e| ConnectError::Internal(e.to_string()))?;
    let hint = vault::key_hint(key);
    state
        .store
        .save_integration(
            ws,
            "stripe",
            &sealed,
            &hint,
            "{}",
            live,
            by.staff,
            state.clock.now_ms(),
        )
        .await?;
    audit(
        state,
        ws,
        by,
        "integration.connected",
        &format!("Stripe connected with {hint}"),
    )
    .await;
    Ok(Connected {
        provider: "stripe",
        key_hint: hint,
        livemode: live,
        callback_url: callback_url(state, "stripe", ws.get()),
    })
}

/// Checks and saves a Telr store id, authentication key, mode and advice secret.
pub async fn connect_telr(
    state: &AppState,
    ws: WorkspaceId,
    by: &ChangedBy<'_>,
    store_id: &str,
    auth_key: &str,
    advice_secret: &str,
    test_mode: bool,
) -> Result<Connected, ConnectError> {
    let store_id = store_id.trim();
    let auth_key = auth_key.trim();
    let advice = advice_secret.trim();
    if store_id.is_empty() || store_id.len() > 20 || !store_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(
            "store_id",
            "The store id is the number Telr gave your store, digits only.",
        ));
    }
    if auth_key.is_empty() || auth_key.len() > 255 || auth_key.chars().any(char::is_control) {
        return Err(invalid(
            "auth_key",
            "Paste the store's authentication key from Telr's Merchant Administration System.",
        ));
    }
    if advice.is_empty() || advice.len() > 255 || advice.chars().any(char::is_control) {
        return Err(invalid(
            "advice_secret",
            "Paste the transaction advice secret you set in Telr's Merchant Administration System.",
        ));
    }
    let secrets = serde_json::to_vec(&TelrSecrets {
        auth_key: auth_key.to_string(),
        advice_secret: advice.to_string(),
    })
    .map_err(|e| ConnectError::Internal(e.to_string()))?;
    let settings = serde_json::to_string(&TelrSettings {
        store_id: store_id.to_string(),
        test_mode,
    })
    .map_err(|e| ConnectError::Internal(e.to_string()))?;
    let sealed = vault::seal(state.config.secret.bytes(), ws.get(), "telr", &secrets)
        .map_err(|e| ConnectError::Internal(e.to_string()))?;
    state
        .store
        .save_integration(
            ws,
            "telr",
            &sealed,
            store_id,
            &settings,
            !test_mode,
            by.staff,
            state.clock.now_ms(),
        )
        .await?;
    audit(
        state,
        ws,
        by,
        "integration.connected",
        &format!("Telr store {store_id} connected"),
    )
    .await;
    Ok(Connected {
        provider: "telr",
        key_hint: store_id.to_string(),
        livemode: !test_mode,
        callback_url: callback_url(state, "telr", ws.get()),
    })
}

/// Removes a connection (Pay now with it disappears at once); true when there was one.
pub async fn disconnect(
    state: &AppState,
    ws: WorkspaceId,
    by: &ChangedBy<'_>,
    provider: &str,
) -> Result<bool, StoreError> {
    let removed = state.store.delete_integration(ws, provider).await?;
    if removed {
        audit(
            state,
            ws,
            by,
            "integration.disconnected",
            &format!("{provider} disconnected"),
        )
        .await;
    }
    Ok(removed)
}
