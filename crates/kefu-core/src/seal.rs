//! The encryption seam: the only path between message text and the content column.

/// Sealed bytes and the id of the key that sealed them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sealed {
    /// Which key; stored beside the bytes so keys can rotate.
    pub key_id: String,
    /// Ciphertext (or, for the plain sealer, the UTF-8 text).
    pub bytes: Vec<u8>,
}

/// Failure to open sealed content.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// The key id is not known to this process.
    #[error("unknown key id {0}")]
    UnknownKey(String),
    /// The bytes do not open with the key (tampered, truncated or not UTF-8).
    #[error("sealed content does not open: {0}")]
    Corrupt(String),
    /// Sealing is impossible right now (no randomness for a nonce).
    #[error("cannot seal: {0}")]
    Unavailable(String),
}

/// Seals text for storage and opens it again.
pub trait Sealer: Send + Sync + 'static {
    /// Seal `plaintext` with the current key.
    fn seal(&self, plaintext: &str) -> Result<Sealed, SealError>;
    /// Open bytes sealed with `key_id`.
    fn open(&self, key_id: &str, bytes: &[u8]) -> Result<String, SealError>;
    /// The key of the blind search index and the id of the key it comes from (the index is
    /// rebuilt when that id changes). Sealers without secrets use a fixed public key: their
    /// text is not secret either.
    fn search_key(&self) -> SearchKey {
        SearchKey { key_id: "plain".into(), secret: *b"kefu blind search index, plain!!" }
    }
}

/// The HMAC key of the blind search index.
#[derive(Clone)]
pub struct SearchKey {
    /// Id of the sealing key it was derived from.
    pub key_id: String,
    /// 32 secret bytes.
    pub secret: [u8; 32],
}

impl std::fmt::Debug for SearchKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchKey").field("key_id", &self.key_id).finish_non_exhaustive()
    }
}

/// Stores text as UTF-8 unchanged, under key id `plain`: for tests and tools that never
/// touch real data. The server seals with `kefu_store::keys::KeyRing` (SM4-GCM / AES-256-GCM),
/// which still opens `plain` rows written before encryption was configured.
#[derive(Debug, Default, Clone, Copy)]
pub struct PlainSealer;

impl Sealer for PlainSealer {
    fn seal(&self, plaintext: &str) -> Result<Sealed, SealError> {
        Ok(Sealed { key_id: "plain".into(), bytes: plaintext.as_bytes().to_vec() })
    }

    fn open(&self, key_id: &str, bytes: &[u8]) -> Result<String, SealError> {
        if key_id != "plain" {
            return Err(SealError::UnknownKey(key_id.into()));
        }
        String::from_utf8(bytes.to_vec()).map_err(|e| SealError::Corrupt(e.to_string()))
    }
}
