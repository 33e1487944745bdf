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
}

/// Seals text for storage and opens it again.
pub trait Sealer: Send + Sync + 'static {
    /// Seal `plaintext` with the current key.
    fn seal(&self, plaintext: &str) -> Sealed;
    /// Open bytes sealed with `key_id`.
    fn open(&self, key_id: &str, bytes: &[u8]) -> Result<String, SealError>;
}

/// Stores text as UTF-8 unchanged, under key id `plain`. A placeholder for the real ciphers
/// (SM4-GCM / AES-256-GCM) the compliance work brings; rows it wrote stay readable after.
#[derive(Debug, Default, Clone, Copy)]
pub struct PlainSealer;

impl Sealer for PlainSealer {
    fn seal(&self, plaintext: &str) -> Sealed {
        Sealed { key_id: "plain".into(), bytes: plaintext.as_bytes().to_vec() }
    }

    fn open(&self, key_id: &str, bytes: &[u8]) -> Result<String, SealError> {
        if key_id != "plain" {
            return Err(SealError::UnknownKey(key_id.into()));
        }
        String::from_utf8(bytes.to_vec()).map_err(|e| SealError::Corrupt(e.to_string()))
    }
}
