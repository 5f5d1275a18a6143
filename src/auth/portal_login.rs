//! The email-code login flow (SPEC §3). `request_code` and `verify_code` do the same work
//! whether or not an address is known; the only difference, sending the email, happens on
//! the mail queue after the response.

use crate::app::AppState;
use crate::crypto::{constant_time_eq, hmac_hex, random_token, six_digit_code, token_hash};
use crate::domain::email::EmailAddress;
use crate::domain::portal_login::{self as rules, AttemptState};
use crate::ids::{ClientId, ContactId, LoginCodeId, WorkspaceId};
use crate::mail::templates;
use crate::store::audit::{Actor, AuditEntry};
use crate::store::clients::ClientRow;
use crate::store::portal_auth::{NewAttempt, NewSession};
use crate::store::workspaces::WorkspaceRow;
use crate::store::StoreResult;

/// Where and from whom a code was asked for.
pub struct CodeRequest<'a> {
    pub workspace: &'a WorkspaceRow,
    /// The client named by the portal link used, if any.
    pub client: Option<&'a ClientRow>,
    pub email: &'a EmailAddress,
    pub ip: &'a str,
}

/// The new attempt's token (for the browser's login cookie) and, when a code for this
/// address went out moments ago, how long until another may be asked for. An attempt
/// made during the cooldown carries no code.
#[derive(Debug)]
pub struct RequestOutcome {
    pub attempt_token: String,
    pub cooldown_secs: Option<i64>,
}

pub async fn request_code(state: &AppState, req: &CodeRequest<'_>) -> StoreResult<RequestOutcome> {
    let store = &state.store;
    let now = state.clock.now();
    let now_ms = now.as_millisecond();
    let ws = req.workspace.id();
    let email_norm = req.email.normalised();
    let hour_ms = rules::HOUR.as_millis() as i64;

    let ip_hits = store
        .rate_hit(&format!("code-ip:{}", req.ip), hour_ms, now_ms)
        .await?;
    let (sent_last_hour, sent_from_ip, last_sent) = store
        .recent_code_requests(ws, email_norm, req.ip, now_ms - hour_ms)
        .await?;
    let cooldown_secs = last_sent
        .map(|last| rules::RESEND_COOLDOWN.as_millis() as i64 - (now_ms - last))
        .filter(|wait_ms| *wait_ms > 0)
        .map(|wait_ms| (wait_ms + 999) / 1000);
    let accepted = cooldown_secs.is_none()
        && sent_from_ip < rules::CODES_PER_EMAIL_PER_IP_PER_HOUR
        && sent_last_hour < rules::CODES_PER_EMAIL_PER_HOUR
        && ip_hits <= rules::CODES_PER_IP_PER_HOUR;

    let choices = store
        .portal_choices(ws, email_norm, req.client.map(ClientRow::id))
        .await?;
    let id = LoginCodeId::new();
    let attempt_token = random_token(32);
    let code = six_digit_code();
    let will_send = accepted && !choices.is_empty();
    let code_hash = will_send.then(|| code_mac(state, id, &code));
    store
        .insert_login_attempt(
            &NewAttempt {
                id,
                workspace_id: ws,
                client_id: req.client.map(ClientRow::id),
                email_norm,
                attempt_hash: &token_hash(&attempt_token),
                code_hash: code_hash.as_deref(),
                accepted,
                expires_at: (now + rules::CODE_TTL).as_millisecond(),
                ip: req.ip,
            },
            now_ms,
        )
        .await?;

    let action = match (accepted, will_send) {
        (true, true) => "portal.code_sent",
        (true, false) => "portal.code_requested_unknown",
        (false, _) => "portal.code_rate_limited",
    };
    let client_id = match choices.as_slice() {
        [only] => Some(only.client_id),
        _ => None,
    };
    store
        .audit(
            ws,
            &AuditEntry {
                actor: Actor::Anonymous,
                label: email_norm,
                action,
                subject_kind: "login_code",
                subject_id: Some(id.get()),
                client_id,
                ip: req.ip,
                detail: "",
            },
            now_ms,
        )
        .await?;

    // The code goes only to the address on record, never to the spelling that was
    // typed (a look-alike such as a Kelvin sign for "k" matches after lower-casing but
    // would be another mailbox). Rendering and sending happen off the request path, so
    // known and unknown addresses take the same time to answer.
    if let Some(to) = will_send
        .then(|| choices.first().and_then(|c| c.email.clone()))
        .flatten()
    {
        let state = state.clone();
        let portal_url = match req.client.and_then(|c| c.portal_access_key.as_deref()) {
            Some(key) => state.config.url(&format!("/portal/{key}")),
            None => state.config.url("/portal"),
        };
        tokio::spawn(async move {
            let profile = match state.store.business_profile(ws).await {
                Ok(p) => p,
                Err(e) => {
                    return tracing::error!(error = %e, "login code email: no business profile")
                }
            };
            let minutes = rules::CODE_TTL.as_mins();
            match templates::login_code(
                &to,
                &profile.display_name,
                &profile.accent_colour,
                &code,
                minutes,
                &portal_url,
            ) {
                Ok(mail) => state.mail.enqueue(mail),
                Err(e) => tracing::error!(error = %e, "login code email could not be rendered"),
            }
        });
    }
    Ok(RequestOutcome {
        attempt_token,
        cooldown_secs,
    })
}

fn code_mac(state: &AppState, id: LoginCodeId, code: &str) -> String {
    hmac_hex(
        state.config.secret.bytes(),
        &[
            b"login-code",
            id.get().to_string().as_bytes(),
            code.as_bytes(),
        ],
    )
}

#[derive(Debug)]
pub enum VerifyOutcome {
    /// Logged in. `client` is `None` when the address belongs to contacts of several
    /// clients and the person must pick one.
    LoggedIn {
        session_token: String,
        client: Option<ClientId>,
    },
    /// Wrong, expired, used or unknown: one generic answer.
    Rejected,
    /// Too many failures for this address or network; no code is checked for now.
    Throttled,
}

pub struct VerifyRequest<'a> {
    pub attempt_token: &'a str,
    pub code_input: &'a str,
    pub ip: &'a str,
    pub user_agent: &'a str,
}

pub async fn verify_code(state: &AppState, req: &VerifyRequest<'_>) -> StoreResult<VerifyOutcome> {
    let store = &state.store;
    let now = state.clock.now();
    let now_ms = now.as_millisecond();
    let hour_ms = rules::HOUR.as_millis() as i64;

    let Some(attempt) = store.login_attempt(&token_hash(req.attempt_token)).await? else {
        return Ok(VerifyOutcome::Rejected);
    };
    let ws = WorkspaceId::from_db(attempt.workspace_id);
    let id = LoginCodeId::from_db(attempt.id);
    let email_bucket = format!("verify-fail-email:{}:{}", ws, attempt.email_norm);
    let email_ip_bucket = format!(
        "verify-fail-email-ip:{}:{}:{}",
        ws, attempt.email_norm, req.ip
    );
    let ip_bucket = format!("verify-fail-ip:{}", req.ip);
    if store.rate_peek(&email_ip_bucket, hour_ms, now_ms).await?
        >= rules::FAILURES_PER_EMAIL_PER_IP_PER_HOUR
        || store.rate_peek(&email_bucket, hour_ms, now_ms).await?
            >= rules::FAILURES_PER_EMAIL_PER_HOUR
        || store.rate_peek(&ip_bucket, hour_ms, now_ms).await? >= rules::FAILURES_PER_IP_PER_HOUR
    {
        audit_login(
            state,
            ws,
            &attempt.email_norm,
            "portal.login_throttled",
            None,
            req.ip,
            now_ms,
        )
        .await?;
        return Ok(VerifyOutcome::Throttled);
    }

    let state_now = AttemptState {
        has_code: attempt.code_hash.is_some(),
        expires_at: jiff::Timestamp::from_millisecond(attempt.expires_at).unwrap_or(now),
        failed_tries: attempt.failed_tries,
        consumed: attempt.consumed_at.is_some(),
        voided: attempt.voided_at.is_some(),
    };
    let code = rules::parse_code(req.code_input);
    let matches = match (&code, &attempt.code_hash) {
        (Some(code), Some(stored)) => constant_time_eq(&code_mac(state, id, code), stored),
        _ => false,
    };
    let usable = rules::check_attempt(&state_now, now);

    if usable.is_err() || !matches {
        // Every wrong answer counts, whatever the reason, so the response never says
        // which part was wrong.
        let tries = if usable.is_ok() {
            store.record_failed_try(id).await?
        } else {
            attempt.failed_tries
        };
        store.rate_hit(&email_bucket, hour_ms, now_ms).await?;
        store.rate_hit(&email_ip_bucket, hour_ms, now_ms).await?;
        store.rate_hit(&ip_bucket, hour_ms, now_ms).await?;
        let detail = match usable {
            Err(reason) => format!("{reason:?}"),
            Ok(()) => format!("wrong code, try {tries} of {}", rules::MAX_TRIES_PER_CODE),
        };
        audit_login(
            state,
            ws,
            &attempt.email_norm,
            "portal.login_failed",
            None,
            req.ip,
            now_ms,
        )
        .await?;
        if usable.is_ok() && tries >= rules::MAX_TRIES_PER_CODE {
            audit_login(
                state,
                ws,
                &attempt.email_norm,
                "portal.code_locked",
                None,
                req.ip,
                now_ms,
            )
            .await?;
        }
        tracing::info!(attempt = attempt.id, detail, "portal login refused");
        return Ok(VerifyOutcome::Rejected);
    }

    if !store
        .consume_attempt(id, rules::MAX_TRIES_PER_CODE, now_ms)
        .await?
    {
        return Ok(VerifyOutcome::Rejected);
    }
    let only_client = attempt.client_id.map(ClientId::from_db);
    let choices = store
        .portal_choices(ws, &attempt.email_norm, only_client)
        .await?;
    let (client, contact) = match choices.as_slice() {
        [] => {
            audit_login(
                state,
                ws,
                &attempt.email_norm,
                "portal.login_failed",
                None,
                req.ip,
                now_ms,
            )
            .await?;
            return Ok(VerifyOutcome::Rejected);
        }
        [one] => (
            Some(ClientId::from_db(one.client_id)),
            Some(ContactId::from_db(one.contact_id)),
        ),
        _ => (None, None),
    };
    let session_token = random_token(32);
    store
        .create_portal_session(
            &NewSession {
                token_hash: &token_hash(&session_token),
                workspace_id: ws,
                client_id: client,
                contact_id: contact,
                email_norm: &attempt.email_norm,
                ip: req.ip,
                user_agent: req.user_agent,
            },
            now_ms,
        )
        .await?;
    audit_login(
        state,
        ws,
        &attempt.email_norm,
        "portal.login",
        client.map(ClientId::get),
        req.ip,
        now_ms,
    )
    .await?;
    Ok(VerifyOutcome::LoggedIn {
        session_token,
        client,
    })
}

/// Moves a session that is still choosing onto one client: a fresh session id is issued
/// and the old one ends. `None` when the address may not use that client.
pub async fn choose_client(
    state: &AppState,
    old_token: &str,
    ws: WorkspaceId,
    email_norm: &str,
    client: ClientId,
    ip: &str,
    user_agent: &str,
) -> StoreResult<Option<String>> {
    let now_ms = state.clock.now_ms();
    let choices = state
        .store
        .portal_choices(ws, email_norm, Some(client))
        .await?;
    let Some(choice) = choices.first() else {
        return Ok(None);
    };
    let session_token = random_token(32);
    state
        .store
        .create_portal_session(
            &NewSession {
                token_hash: &token_hash(&session_token),
                workspace_id: ws,
                client_id: Some(client),
                contact_id: Some(ContactId::from_db(choice.contact_id)),
                email_norm,
                ip,
                user_agent,
            },
            now_ms,
        )
        .await?;
    state
        .store
        .revoke_portal_session(&token_hash(old_token), now_ms)
        .await?;
    audit_login(
        state,
        ws,
        email_norm,
        "portal.client_chosen",
        Some(client.get()),
        ip,
        now_ms,
    )
    .await?;
    Ok(Some(session_token))
}

pub async fn logout(
    state: &AppState,
    token: &str,
    ws: WorkspaceId,
    email_norm: &str,
    client: Option<i64>,
    ip: &str,
) -> StoreResult<()> {
    let now_ms = state.clock.now_ms();
    state
        .store
        .revoke_portal_session(&token_hash(token), now_ms)
        .await?;
    audit_login(state, ws, email_norm, "portal.logout", client, ip, now_ms).await
}

async fn audit_login(
    state: &AppState,
    ws: WorkspaceId,
    email_norm: &str,
    action: &str,
    client_id: Option<i64>,
    ip: &str,
    now_ms: i64,
) -> StoreResult<()> {
    state
        .store
        .audit(
            ws,
            &AuditEntry {
                actor: Actor::Anonymous,
                label: email_norm,
                action,
                subject_kind: "portal",
                subject_id: None,
                client_id,
                ip,
                detail: "",
            },
            now_ms,
        )
        .await
}

/// How long a code lives, for pages that say so.
pub fn code_minutes() -> i64 {
    rules::CODE_TTL.as_mins()
}
