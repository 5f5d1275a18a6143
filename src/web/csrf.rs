//! CSRF protection: a token in every form, bound to the browser's session (or, before
//! login, to a random pre-session cookie) by an HMAC with the server secret — the signed
//! double-submit pattern. A forged form from another site cannot know the token.
//! Cross-site unsafe requests are also refused early by the Fetch Metadata check in
//! [`super::reject_cross_site`].

use super::error::AppError;
use crate::crypto::{constant_time_eq, hmac_hex};

pub fn token(secret: &[u8], binding: &str) -> String {
    hmac_hex(secret, &[b"csrf", binding.as_bytes()])
}

pub fn verify(secret: &[u8], binding: &str, submitted: &str) -> Result<(), AppError> {
    if !binding.is_empty() && constant_time_eq(&token(secret, binding), submitted.trim()) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "This form has expired or did not come from this site. Go back, reload the page and try again.".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_for_their_own_binding() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let t = token(secret, "session-a");
        assert!(verify(secret, "session-a", &t).is_ok());
        assert!(verify(secret, "session-b", &t).is_err());
        assert!(verify(b"another secret, another server!", "session-a", &t).is_err());
        assert!(verify(secret, "session-a", "").is_err());
        assert!(
            verify(secret, "", &token(secret, "")).is_err(),
            "no binding, no pass"
        );
    }
}
