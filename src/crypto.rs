//! Small, audited building blocks: random tokens, keyed hashes, constant-time comparison.
//! Tokens handed to browsers are stored only as hashes; login codes only as HMACs keyed
//! with the server secret, so a copy of the database does not reveal them.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::rngs::OsRng;
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// `bytes` random bytes from the OS CSPRNG, URL-safe base64 without padding.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// A uniformly random 6-digit code, leading zeros kept. `gen_range` rejects samples
/// outside the largest multiple of the range, so there is no modulo bias.
pub fn six_digit_code() -> String {
    let n: u32 = OsRng.gen_range(0..1_000_000);
    format!("{n:06}")
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// Hash of a bearer token as stored in the database.
pub fn token_hash(token: &str) -> String {
    sha256_hex(token.as_bytes())
}

/// HMAC-SHA256 over the parts, each length-prefixed so ("ab","c") ≠ ("a","bc").
pub fn hmac_hex(key: &[u8], parts: &[&[u8]]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(m) => m,
        // HMAC accepts keys of any length; this arm cannot be reached.
        Err(_) => return String::new(),
    };
    for part in parts {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part);
    }
    hex(&mac.finalize().into_bytes())
}

pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 0xf) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..1000 {
            let c = six_digit_code();
            assert_eq!(c.len(), 6);
            assert!(c.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn tokens_carry_the_requested_entropy() {
        assert_eq!(random_token(32).len(), 43);
        assert_ne!(random_token(16), random_token(16));
    }

    #[test]
    fn hmac_parts_are_unambiguous() {
        let k = b"key";
        assert_ne!(hmac_hex(k, &[b"ab", b"c"]), hmac_hex(k, &[b"a", b"bc"]));
        assert_eq!(hmac_hex(k, &[b"x"]), hmac_hex(k, &[b"x"]));
        assert_ne!(hmac_hex(b"other", &[b"x"]), hmac_hex(k, &[b"x"]));
    }

    #[test]
    fn constant_time_eq_compares_content() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }
}
