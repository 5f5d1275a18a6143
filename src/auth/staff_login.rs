//! Staff password login with lockout after repeated failures.

use crate::app::AppState;
use crate::auth::password;
use crate::crypto::{random_token, token_hash};
use crate::domain::email::normalise;
use crate::store::audit::{Actor, AuditEntry};
use crate::store::StoreResult;

/// Failed passwords before the account locks.
pub const MAX_FAILURES: i64 = 5;
/// How long a locked account stays locked.
pub const LOCK_MINUTES: i64 = 15;
/// Staff sessions: idle and absolute limits.
pub const IDLE_MINUTES: i64 = 60;
pub const ABSOLUTE_MINUTES: i64 = 12 * 60;

#[derive(Debug)]
pub enum StaffLoginOutcome {
    LoggedIn {
        session_token: String,
    },
    /// Wrong email or password (one answer for both), or the account is locked.
    Rejected,
}

pub async fn login(
    state: &AppState,
    email_input: &str,
    password_input: &str,
    ip: &str,
) -> StoreResult<StaffLoginOutcome> {
    let now_ms = state.clock.now_ms();
    let email_norm = normalise(email_input);
    let user = state.store.staff_by_email(&email_norm).await?;
    let Some(user) = user else {
        // Same work as a real check, so timing does not tell who is staff.
        let _ = password::verify(password_input, password::decoy_hash());
        return Ok(StaffLoginOutcome::Rejected);
    };
    let ws = user.workspace();
    let audit = |action: &'static str| AuditEntry {
        actor: Actor::Staff(user.id),
        label: &user.email,
        action,
        subject_kind: "staff_user",
        subject_id: Some(user.id),
        client_id: None,
        ip,
        detail: "",
    };
    let locked =
        user.locked_until.is_some_and(|until| until > now_ms) || user.disabled_at.is_some();
    let ok = password::verify(
        password_input,
        user.password_hash
            .as_deref()
            .unwrap_or(password::decoy_hash()),
    );
    if locked {
        state
            .store
            .audit(ws, &audit("staff.login_locked"), now_ms)
            .await?;
        return Ok(StaffLoginOutcome::Rejected);
    }
    if !ok {
        let failures = state
            .store
            .record_staff_failure(user.id(), MAX_FAILURES, LOCK_MINUTES * 60_000, now_ms)
            .await?;
        state
            .store
            .audit(ws, &audit("staff.login_failed"), now_ms)
            .await?;
        if failures >= MAX_FAILURES {
            state
                .store
                .audit(ws, &audit("staff.locked_out"), now_ms)
                .await?;
        }
        return Ok(StaffLoginOutcome::Rejected);
    }
    state.store.record_staff_login(user.id(), now_ms).await?;
    let session_token = random_token(32);
    state
        .store
        .create_staff_session(&token_hash(&session_token), &user, ip, now_ms)
        .await?;
    state.store.audit(ws, &audit("staff.login"), now_ms).await?;
    Ok(StaffLoginOutcome::LoggedIn { session_token })
}
