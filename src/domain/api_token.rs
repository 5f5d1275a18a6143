//! The shape of an API token: `pt_` then 43 URL-safe characters (256 random bits). The
//! prefix makes a leaked token recognisable to secret scanners and to staff, and lets a
//! malformed header be refused before any database work.

use crate::crypto::{random_token, token_hash};

pub const PREFIX: &str = "pt_";
/// How much of a token the list shows: the prefix and 8 characters.
const SHOWN: usize = PREFIX.len() + 8;
const RANDOM_LEN: usize = 43;

/// A new token: (the token itself, shown once; its hash; its displayable prefix).
pub fn generate() -> (String, String, String) {
    let token = format!("{PREFIX}{}", random_token(32));
    let hash = token_hash(&token);
    let shown = token.chars().take(SHOWN).collect();
    (token, hash, shown)
}

/// Whether `text` has the shape of a token this server issues.
pub fn well_formed(text: &str) -> bool {
    text.strip_prefix(PREFIX).is_some_and(|rest| {
        rest.len() == RANDOM_LEN
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// Checks a token's display name: one line, 1–100 characters.
pub fn clean_name(raw: &str) -> Result<String, String> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err("Name: please enter it, so you can tell your tokens apart.".into());
    }
    if name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err("Name: at most 100 characters on one line.".into());
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_are_well_formed_and_hash_as_stored() {
        let (token, hash, shown) = generate();
        assert!(well_formed(&token), "{token}");
        assert_eq!(hash, token_hash(&token));
        assert!(token.starts_with(&shown) && shown.len() == 11);
        assert_ne!(generate().0, token);
    }

    #[test]
    fn malformed_tokens_are_refused() {
        let (token, _, _) = generate();
        for bad in [
            "",
            "pt_",
            &token[3..],
            &token[..token.len() - 1],
            &format!("{token}x"),
            &format!("xx_{}", &token[3..]),
            &token.replace(|c: char| c.is_ascii_digit(), "!"),
        ] {
            if bad != token {
                assert!(!well_formed(bad), "{bad:?}");
            }
        }
    }

    #[test]
    fn names_are_one_trimmed_line() {
        assert_eq!(clean_name("  Zapier   sync ").unwrap(), "Zapier sync");
        assert!(clean_name("   ").is_err());
        assert!(clean_name(&"x".repeat(101)).is_err());
    }
}
