//! Staff password login with lockout after repeated failures.

use crate::app::AppState;
use crate::auth::password;
use crate::crypto::{random_token, token_hash};
use crate::domain::email::normalise;
use crate::store::audit::{Actor, AuditEntry};
use crate::store::StoreResult;

/// Failed passwords from one address before that address is refused for the account
/// (for [`LOCK_MINUTES`]). Counted per address so a stranger's guesses cannot lock the
/// account's owner out.
pub const MAX_FAILURES: i64 = 5;
/// Failed passwords from all addresses together before the whole account locks: the
/// brake on a guessing attack spread over many addresses.
pub const MAX_FAILURES_ALL: i64 = 50;
/// How long a refused address, or a locked account, stays so.
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
    let window_ms = LOCK_MINUTES * 60_000;
    let ip_bucket = format!("staff-fail:{}:{ip}", user.id().get());
    let all_bucket = format!("staff-fail:{}", user.id().get());
    let store = &state.store;
    let locked = store.rate_peek(&ip_bucket, window_ms, now_ms).await? >= MAX_FAILURES
        || store.rate_peek(&all_bucket, window_ms, now_ms).await? >= MAX_FAILURES_ALL
        || user.locked_until.is_some_and(|until| until > now_ms)
        || user.disabled_at.is_some();
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
        let from_ip = store.rate_hit(&ip_bucket, window_ms, now_ms).await?;
        let from_all = store.rate_hit(&all_bucket, window_ms, now_ms).await?;
        store.count_staff_failure(user.id()).await?;
        state
            .store
            .audit(ws, &audit("staff.login_failed"), now_ms)
            .await?;
        if from_ip == MAX_FAILURES || from_all == MAX_FAILURES_ALL {
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
