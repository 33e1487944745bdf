//! Random secrets for sessions, API tokens and widget visitors; only their SHA-256 is stored.

use base64::Engine;
use sha2::{Digest, Sha256};

/// A new random secret with a readable prefix, e.g. `kefu_pat_…`.
pub fn new_secret(prefix: &str) -> Result<String, String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness: {e}"))?;
    Ok(format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)))
}

/// The hex SHA-256 of a secret, as stored.
pub fn secret_hash(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_unique_and_hashes_stable() {
        let a = new_secret("kefu_pat_").unwrap();
        let b = new_secret("kefu_pat_").unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("kefu_pat_") && a.len() > 40);
        assert_eq!(secret_hash("x"), secret_hash("x"));
        assert_eq!(secret_hash("abc").len(), 64);
    }
}
