//! Provider credentials at rest: sealed with ChaCha20-Poly1305 under a key derived from the
//! server secret (HMAC-SHA256 with a fixed label), a random 96-bit nonce per sealing, and
//! the workspace and provider as associated data, so a sealed value copied to another
//! workspace's row does not open. Stored as base64url(nonce ‖ ciphertext).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VaultError {
    #[error("the stored credentials cannot be read with this server's secret")]
    Unreadable,
}

fn cipher(server_secret: &[u8]) -> Result<ChaCha20Poly1305, VaultError> {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(server_secret).map_err(|_| VaultError::Unreadable)?;
    mac.update(b"portico integration secrets v1");
    let key = mac.finalize().into_bytes();
    Ok(ChaCha20Poly1305::new(Key::from_slice(&key)))
}

fn aad(workspace_id: i64, provider: &str) -> Vec<u8> {
    format!("{workspace_id}:{provider}").into_bytes()
}

/// Seals `plaintext` for one workspace's provider.
pub fn seal(
    server_secret: &[u8],
    workspace_id: i64,
    provider: &str,
    plaintext: &[u8],
) -> Result<String, VaultError> {
    let mut nonce = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let sealed = cipher(server_secret)?
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: &aad(workspace_id, provider),
            },
        )
        .map_err(|_| VaultError::Unreadable)?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    Ok(URL_SAFE_NO_PAD.encode(out))
}

/// Opens what [`seal`] produced for the same workspace and provider.
pub fn open(
    server_secret: &[u8],
    workspace_id: i64,
    provider: &str,
    sealed: &str,
) -> Result<Vec<u8>, VaultError> {
    let raw = URL_SAFE_NO_PAD
        .decode(sealed.trim())
        .map_err(|_| VaultError::Unreadable)?;
    if raw.len() < 12 + 16 {
        return Err(VaultError::Unreadable);
    }
    let (nonce, body) = raw.split_at(12);
    cipher(server_secret)?
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: body,
                aad: &aad(workspace_id, provider),
            },
        )
        .map_err(|_| VaultError::Unreadable)
}

/// What staff see of a key afterwards: its prefix and last four, e.g. `sk_test_…4242`.
pub fn key_hint(key: &str) -> String {
    let key = key.trim();
    let chars: Vec<char> = key.chars().collect();
    let prefix: String = ["sk_test_", "sk_live_", "rk_test_", "rk_live_"]
        .iter()
        .find(|p| key.starts_with(*p))
        .map(|p| p.to_string())
        .unwrap_or_default();
    if chars.len() < prefix.chars().count() + 8 {
        return format!("{prefix}…");
    }
    let last: String = chars[chars.len() - 4..].iter().collect();
    format!("{prefix}…{last}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn sealed_values_open_only_for_their_workspace_provider_and_server() {
        let sealed = seal(SECRET, 7, "stripe", b"sk_test_abc").unwrap();
        assert!(!sealed.contains("sk_test"));
        assert_eq!(open(SECRET, 7, "stripe", &sealed).unwrap(), b"sk_test_abc");
        assert_eq!(
            open(SECRET, 8, "stripe", &sealed),
            Err(VaultError::Unreadable)
        );
        assert_eq!(
            open(SECRET, 7, "telr", &sealed),
            Err(VaultError::Unreadable)
        );
        assert_eq!(
            open(b"another secret entirely, 32 bytes", 7, "stripe", &sealed),
            Err(VaultError::Unreadable)
        );
        assert_eq!(
            open(SECRET, 7, "stripe", "garbage"),
            Err(VaultError::Unreadable)
        );
        assert_ne!(sealed, seal(SECRET, 7, "stripe", b"sk_test_abc").unwrap());
    }

    #[test]
    fn hints_show_the_prefix_and_last_four_only() {
        assert_eq!(key_hint("sk_test_51Habcdefgh4242"), "sk_test_…4242");
        assert_eq!(key_hint("rk_live_xxxxxxxxxxxx9876"), "rk_live_…9876");
        assert_eq!(key_hint("sk_test_1"), "sk_test_…");
        assert_eq!(key_hint("abcdefghijkl"), "…ijkl");
    }
}
