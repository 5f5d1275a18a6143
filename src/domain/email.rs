//! Email addresses as typed by people, and the normalised form used for matching:
//! trimmed and lower-cased, so `  Ann@Example.COM ` finds the contact `ann@example.com`.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("enter an email address")]
    Empty,
    #[error("an email address is at most 254 characters")]
    TooLong,
    #[error("that does not look like an email address (name@example.com)")]
    Malformed,
    #[error("it contains an invisible or control character that can hide or reverse text; type the address again")]
    Hidden,
}

/// A syntactically plausible address, trimmed. Comparison uses [`EmailAddress::normalised`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress {
    as_typed: String,
    normalised: String,
}

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        if trimmed.chars().count() > 254 {
            return Err(EmailError::TooLong);
        }
        // Stricter than names: not even the joiners some scripts need between letters.
        if trimmed
            .chars()
            .any(|c| c.is_control() || super::text::is_invisible(c))
        {
            return Err(EmailError::Hidden);
        }
        let (local, domain) = trimmed.rsplit_once('@').ok_or(EmailError::Malformed)?;
        let domain_ok = !domain.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        let local_ok = !local.is_empty()
            && local.chars().count() <= 64
            && !local.chars().any(|c| {
                c.is_whitespace()
                    || c.is_control()
                    || matches!(
                        c,
                        '<' | '>' | '"' | ',' | ';' | '@' | '(' | ')' | '[' | ']' | '\\'
                    )
            });
        if !domain_ok || !local_ok {
            return Err(EmailError::Malformed);
        }
        Ok(Self {
            as_typed: trimmed.to_string(),
            normalised: fold(trimmed),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.as_typed
    }

    pub fn normalised(&self) -> &str {
        &self.normalised
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_typed)
    }
}

/// Unicode NFC, then lower case: "josé" typed with a combining accent (as a macOS paste
/// gives it) matches "josé" stored precomposed.
fn fold(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfc().collect::<String>().to_lowercase()
}

/// The matching key for any input, valid or not (used to key rate limits uniformly).
pub fn normalise(input: &str) -> String {
    fold(input.trim())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn matching_is_trimmed_and_case_insensitive() {
        let a = EmailAddress::parse("  Ann.Lee@Example.COM \n").unwrap();
        assert_eq!(a.normalised(), "ann.lee@example.com");
        assert_eq!(a.as_str(), "Ann.Lee@Example.COM");
    }

    #[test]
    fn refuses_what_is_not_an_address() {
        for bad in [
            "",
            "   ",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "a b@example.com",
            "ann@exa mple.com",
            "ann@example..com",
            "<ann@example.com>",
            "ann@example.com\r\nBcc: x@y.z",
        ] {
            assert!(
                EmailAddress::parse(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn composed_and_decomposed_accents_match() {
        let composed = EmailAddress::parse("jos\u{e9}@example.com").unwrap();
        let decomposed = EmailAddress::parse("jose\u{301}@example.com").unwrap();
        assert_eq!(composed.normalised(), decomposed.normalised());
    }

    #[test]
    fn accepts_international_domains_and_plus_tags() {
        assert!(EmailAddress::parse("ann+billing@example.com").is_ok());
        assert!(EmailAddress::parse("مدير@شركة.مصر").is_ok());
    }

    proptest! {
        #[test]
        fn parse_never_panics_and_normalises_idempotently(s in ".{0,300}") {
            if let Ok(e) = EmailAddress::parse(&s) {
                let again = EmailAddress::parse(e.normalised()).unwrap();
                prop_assert_eq!(again.normalised(), e.normalised());
            }
        }
    }
}
