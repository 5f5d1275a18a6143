//! The rules of the email-code login (SPEC §3; numbers from the facts sheet, §D2–D3).

use jiff::{SignedDuration, Timestamp};

/// A code is valid for ten minutes (ASVS 2.7.2).
pub const CODE_TTL: SignedDuration = SignedDuration::from_mins(10);
/// Wrong tries after which a code is dead, even for the right digits.
pub const MAX_TRIES_PER_CODE: i64 = 5;
/// Codes sent to one address per hour when asked for from one IP address.
pub const CODES_PER_EMAIL_PER_IP_PER_HOUR: i64 = 5;
/// Codes sent to one address per hour in all. Higher than the per-IP figure so that one
/// stranger cannot use up a contact's hour; with five tries per code this still bounds
/// guesses at 50 an hour, under ASVS 2.2.1's 100.
pub const CODES_PER_EMAIL_PER_HOUR: i64 = 10;
/// Codes asked for from one IP address per hour, whatever the addresses.
pub const CODES_PER_IP_PER_HOUR: i64 = 30;
/// Minimum gap between two codes to one address.
pub const RESEND_COOLDOWN: SignedDuration = SignedDuration::from_secs(30);
/// Failed verifications per address per hour from one IP address.
pub const FAILURES_PER_EMAIL_PER_IP_PER_HOUR: i64 = 10;
/// Failed verifications per address per hour in all (ASVS 2.2.1's ceiling), so that a
/// stranger's wrong guesses from one place cannot lock a contact out.
pub const FAILURES_PER_EMAIL_PER_HOUR: i64 = 100;
/// Failed verifications from one IP address per hour.
pub const FAILURES_PER_IP_PER_HOUR: i64 = 50;
pub const HOUR: SignedDuration = SignedDuration::from_hours(1);

/// Reads a code as people type or paste it: spaces, dashes and dots are ignored, and
/// Arabic-Indic and Eastern Arabic-Indic digits count as the digits they are.
pub fn parse_code(input: &str) -> Option<String> {
    let mut out = String::with_capacity(6);
    for ch in input.chars() {
        let digit = match ch {
            '0'..='9' => ch,
            '\u{0660}'..='\u{0669}' => char::from(b'0' + (ch as u32 - 0x0660) as u8),
            '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (ch as u32 - 0x06F0) as u8),
            '\u{FF10}'..='\u{FF19}' => char::from(b'0' + (ch as u32 - 0xFF10) as u8),
            ' ' | '-' | '.' | '\u{00A0}' | '\t' | '\u{2013}' | '\u{2010}' => continue,
            _ => return None,
        };
        out.push(digit);
        if out.len() > 6 {
            return None;
        }
    }
    (out.len() == 6).then_some(out)
}

/// What the store knows about one login attempt when a code is typed.
#[derive(Debug, Clone)]
pub struct AttemptState {
    pub has_code: bool,
    pub expires_at: Timestamp,
    pub failed_tries: i64,
    pub consumed: bool,
    pub voided: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptRejection {
    /// No code was ever sent for this attempt (unknown address, portal off, limited).
    NoCode,
    Expired,
    Used,
    Replaced,
    TooManyTries,
}

/// May a code still be tried against this attempt at `now`?
pub fn check_attempt(state: &AttemptState, now: Timestamp) -> Result<(), AttemptRejection> {
    if state.consumed {
        return Err(AttemptRejection::Used);
    }
    if state.voided {
        return Err(AttemptRejection::Replaced);
    }
    if state.failed_tries >= MAX_TRIES_PER_CODE {
        return Err(AttemptRejection::TooManyTries);
    }
    if now >= state.expires_at {
        return Err(AttemptRejection::Expired);
    }
    if !state.has_code {
        return Err(AttemptRejection::NoCode);
    }
    Ok(())
}

/// What the store knows about a portal session on each request.
#[derive(Debug, Clone)]
pub struct SessionState {
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub revoked: bool,
    pub idle_minutes: i64,
    pub absolute_minutes: i64,
    /// The client's portal is on and the client is neither archived nor deleted.
    /// `None` while the contact has yet to pick a client.
    pub client_open: Option<bool>,
    /// The contact still exists and still has the address the session was made for.
    pub contact_matches: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    Revoked,
    Idle,
    Absolute,
    PortalClosed,
    ContactChanged,
}

impl SessionEnd {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionEnd::Revoked => "revoked",
            SessionEnd::Idle => "idle timeout",
            SessionEnd::Absolute => "absolute timeout",
            SessionEnd::PortalClosed => "portal access turned off",
            SessionEnd::ContactChanged => "contact changed or removed",
        }
    }
}

pub fn check_session(s: &SessionState, now: Timestamp) -> Result<(), SessionEnd> {
    if s.revoked {
        return Err(SessionEnd::Revoked);
    }
    if s.client_open == Some(false) {
        return Err(SessionEnd::PortalClosed);
    }
    if s.contact_matches == Some(false) {
        return Err(SessionEnd::ContactChanged);
    }
    if now >= s.created_at + SignedDuration::from_mins(s.absolute_minutes.max(1)) {
        return Err(SessionEnd::Absolute);
    }
    if now >= s.last_seen_at + SignedDuration::from_mins(s.idle_minutes.max(1)) {
        return Err(SessionEnd::Idle);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + secs).unwrap()
    }

    #[test]
    fn codes_survive_paste_with_spaces_and_dashes() {
        assert_eq!(parse_code("012345").as_deref(), Some("012345"));
        assert_eq!(parse_code(" 012 345 ").as_deref(), Some("012345"));
        assert_eq!(parse_code("012-345").as_deref(), Some("012345"));
        assert_eq!(parse_code("٠١٢٣٤٥").as_deref(), Some("012345"));
        assert_eq!(
            parse_code("０１２３４５").as_deref(),
            Some("012345"),
            "full-width digits"
        );
        for bad in ["", "12345", "1234567", "12a456", "١٢٣", "0123456789"] {
            assert_eq!(parse_code(bad), None, "{bad:?}");
        }
    }

    fn live() -> AttemptState {
        AttemptState {
            has_code: true,
            expires_at: t(600),
            failed_tries: 0,
            consumed: false,
            voided: false,
        }
    }

    #[test]
    fn a_code_is_good_until_its_tenth_minute() {
        assert_eq!(check_attempt(&live(), t(0)), Ok(()));
        assert_eq!(check_attempt(&live(), t(599)), Ok(()));
        assert_eq!(
            check_attempt(&live(), t(600)),
            Err(AttemptRejection::Expired)
        );
    }

    #[test]
    fn five_wrong_tries_kill_a_code() {
        let mut s = live();
        s.failed_tries = 4;
        assert_eq!(check_attempt(&s, t(1)), Ok(()));
        s.failed_tries = 5;
        assert_eq!(check_attempt(&s, t(1)), Err(AttemptRejection::TooManyTries));
    }

    #[test]
    fn used_replaced_and_codeless_attempts_are_refused() {
        let mut s = live();
        s.consumed = true;
        assert_eq!(check_attempt(&s, t(1)), Err(AttemptRejection::Used));
        let mut s = live();
        s.voided = true;
        assert_eq!(check_attempt(&s, t(1)), Err(AttemptRejection::Replaced));
        let mut s = live();
        s.has_code = false;
        assert_eq!(check_attempt(&s, t(1)), Err(AttemptRejection::NoCode));
    }

    fn session() -> SessionState {
        SessionState {
            created_at: t(0),
            last_seen_at: t(0),
            revoked: false,
            idle_minutes: 30,
            absolute_minutes: 720,
            client_open: Some(true),
            contact_matches: Some(true),
        }
    }

    #[test]
    fn sessions_end_after_thirty_idle_minutes() {
        assert_eq!(check_session(&session(), t(29 * 60)), Ok(()));
        assert_eq!(check_session(&session(), t(30 * 60)), Err(SessionEnd::Idle));
    }

    #[test]
    fn sessions_end_after_twelve_hours_however_busy() {
        let mut s = session();
        s.last_seen_at = t(12 * 3600 - 1);
        assert_eq!(check_session(&s, t(12 * 3600 - 1)), Ok(()));
        assert_eq!(check_session(&s, t(12 * 3600)), Err(SessionEnd::Absolute));
    }

    #[test]
    fn sessions_end_when_the_portal_closes_or_the_contact_changes() {
        let mut s = session();
        s.client_open = Some(false);
        assert_eq!(check_session(&s, t(1)), Err(SessionEnd::PortalClosed));
        let mut s = session();
        s.contact_matches = Some(false);
        assert_eq!(check_session(&s, t(1)), Err(SessionEnd::ContactChanged));
        let mut s = session();
        s.revoked = true;
        assert_eq!(check_session(&s, t(1)), Err(SessionEnd::Revoked));
    }
}
