//! Encryption at rest: the key ring that seals content columns, where its keys come from
//! (a key file or the environment, never the database), and re-sealing old rows when a key
//! rotates (`reseal`).

mod cipher;
mod reseal;

pub use cipher::CipherKind;
pub use reseal::{KeyUsage, ResealProgress, SEALED_COLUMNS};

use cipher::Engine;
use kefu_core::seal::{SealError, Sealed, Sealer};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// Key id of rows written before encryption was configured (content stored as UTF-8).
pub const LEGACY_PLAIN: &str = "plain";

/// A problem with the keys, reported as one line.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct KeyError(pub String);

/// One key as written in the key file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyEntry {
    /// Stored beside every value it seals.
    pub id: String,
    /// Which cipher.
    pub cipher: CipherKind,
    /// The key bytes, hex.
    pub secret: String,
}

/// The key file (TOML): every key that may still be needed to open rows, and the one new
/// writes use.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFile {
    /// Id of the key new writes use.
    pub current: String,
    /// All keys, oldest first.
    #[serde(rename = "key")]
    pub keys: Vec<KeyEntry>,
}

impl KeyFile {
    /// A file holding one freshly generated key.
    pub fn generate(cipher: CipherKind) -> Result<Self, KeyError> {
        let entry = KeyEntry::generate(cipher, &[])?;
        Ok(KeyFile { current: entry.id.clone(), keys: vec![entry] })
    }

    /// Read and validate a key file.
    pub fn read(path: &Path) -> Result<Self, KeyError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| KeyError(format!("cannot read key file {}: {e}", path.display())))?;
        let file: KeyFile = toml::from_str(&text)
            .map_err(|e| KeyError(format!("key file {}: {}", path.display(), e.message())))?;
        KeyRing::from_file(&file).map_err(|e| KeyError(format!("key file {}: {e}", path.display())))?;
        Ok(file)
    }

    /// Write atomically (temporary file + rename), readable by the owner only.
    pub fn write(&self, path: &Path) -> Result<(), KeyError> {
        let text = format!(
            "# kefu encryption keys. Keep this file out of the database, out of version control,\n\
             # and backed up: without it sealed content cannot be read.\n{}",
            toml::to_string(self).map_err(|e| KeyError(e.to_string()))?
        );
        let tmp = path.with_extension("tmp");
        let io = |e: std::io::Error| KeyError(format!("cannot write key file {}: {e}", path.display()));
        {
            use std::io::Write;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut f = options.open(&tmp).map_err(io)?;
            f.write_all(text.as_bytes()).map_err(io)?;
            f.sync_all().map_err(io)?;
        }
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// Add a new key and make it current; returns its id.
    pub fn add(&mut self, cipher: CipherKind) -> Result<String, KeyError> {
        let taken: Vec<&str> = self.keys.iter().map(|k| k.id.as_str()).collect();
        let entry = KeyEntry::generate(cipher, &taken)?;
        let id = entry.id.clone();
        self.keys.push(entry);
        self.current = id.clone();
        Ok(id)
    }
}

impl KeyEntry {
    /// A random key with an id (`k` + date + counter) not among `taken`.
    fn generate(cipher: CipherKind, taken: &[&str]) -> Result<Self, KeyError> {
        let mut secret = vec![0u8; cipher.key_len()];
        getrandom::fill(&mut secret).map_err(|e| KeyError(format!("no randomness: {e}")))?;
        let day = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() / 86_400)
            .unwrap_or(0);
        let id = (1..)
            .map(|n| format!("k{day}-{n}"))
            .find(|id| !taken.contains(&id.as_str()))
            .unwrap_or_else(|| format!("k{day}"));
        Ok(KeyEntry { id, cipher, secret: hex::encode(secret) })
    }
}

/// The keys of this process: seals with the current one, opens with any.
pub struct KeyRing {
    current: String,
    engines: HashMap<String, (CipherKind, Engine)>,
    search: [u8; 32],
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.debug_struct("KeyRing").field("current", &self.current).field("keys", &self.ids()).finish()
    }
}

impl KeyRing {
    /// Build from a parsed key file, checking every key.
    pub fn from_file(file: &KeyFile) -> Result<Self, KeyError> {
        let mut engines = HashMap::new();
        let mut search = None;
        for k in &file.keys {
            if k.id.is_empty() || k.id == LEGACY_PLAIN || k.id.len() > 64 || !k.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                return Err(KeyError(format!("key id {:?} is not allowed (1-64 of A-Z a-z 0-9 - _, not \"plain\")", k.id)));
            }
            let bytes = hex::decode(k.secret.trim()).map_err(|_| KeyError(format!("key {}: secret is not hex", k.id)))?;
            let engine = Engine::new(k.cipher, &bytes).map_err(|e| KeyError(format!("key {}: {e}", k.id)))?;
            if k.id == file.current {
                search = Some(derive_search_key(&bytes));
            }
            if engines.insert(k.id.clone(), (k.cipher, engine)).is_some() {
                return Err(KeyError(format!("key id {} appears twice", k.id)));
            }
        }
        let Some(search) = search else {
            return Err(KeyError(format!("current key {:?} is not among the keys", file.current)));
        };
        Ok(KeyRing { current: file.current.clone(), engines, search })
    }

    /// Parse the compact environment form `id:cipher:hex[,id:cipher:hex…]`; the last is current.
    pub fn from_spec(spec: &str) -> Result<Self, KeyError> {
        let mut keys = Vec::new();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let mut fields = part.splitn(3, ':');
            let (Some(id), Some(cipher), Some(secret)) = (fields.next(), fields.next(), fields.next()) else {
                return Err(KeyError("KEFU_KEYS: expected id:cipher:hexkey[,id:cipher:hexkey…]".into()));
            };
            let cipher = CipherKind::parse(cipher)
                .ok_or_else(|| KeyError(format!("KEFU_KEYS: unknown cipher {cipher:?} (sm4-gcm or aes-256-gcm)")))?;
            keys.push(KeyEntry { id: id.into(), cipher, secret: secret.into() });
        }
        let current = keys.last().map(|k| k.id.clone()).ok_or_else(|| KeyError("KEFU_KEYS is empty".into()))?;
        KeyRing::from_file(&KeyFile { current, keys }).map_err(|e| KeyError(format!("KEFU_KEYS: {e}")))
    }

    /// Id of the key new writes use.
    pub fn current_id(&self) -> &str {
        &self.current
    }

    /// Cipher of the current key.
    pub fn current_cipher(&self) -> CipherKind {
        self.engines.get(&self.current).map(|(c, _)| *c).unwrap_or(CipherKind::Sm4Gcm)
    }

    /// Every key id this ring can open, sorted.
    pub fn ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.engines.keys().cloned().collect();
        ids.sort();
        ids
    }

    /// Whether rows sealed under `key_id` can be opened.
    pub fn can_open(&self, key_id: &str) -> bool {
        key_id == LEGACY_PLAIN || self.engines.contains_key(key_id)
    }
}

impl Sealer for KeyRing {
    fn seal(&self, plaintext: &str) -> Result<Sealed, SealError> {
        let (_, engine) = self.engines.get(&self.current).ok_or_else(|| SealError::UnknownKey(self.current.clone()))?;
        let bytes = engine.seal(&self.current, plaintext.as_bytes()).map_err(SealError::Unavailable)?;
        Ok(Sealed { key_id: self.current.clone(), bytes })
    }

    fn open(&self, key_id: &str, bytes: &[u8]) -> Result<String, SealError> {
        if key_id == LEGACY_PLAIN {
            return String::from_utf8(bytes.to_vec()).map_err(|e| SealError::Corrupt(e.to_string()));
        }
        let (_, engine) = self.engines.get(key_id).ok_or_else(|| SealError::UnknownKey(key_id.into()))?;
        let plain = engine.open(key_id, bytes).map_err(SealError::Corrupt)?;
        String::from_utf8(plain).map_err(|e| SealError::Corrupt(e.to_string()))
    }

    fn search_key(&self) -> kefu_core::seal::SearchKey {
        kefu_core::seal::SearchKey { key_id: self.current.clone(), secret: self.search }
    }
}

/// The search index key of a sealing key: HMAC-SHA256 under the key of a fixed label, so the
/// index never holds anything computed with the sealing key itself.
fn derive_search_key(secret: &[u8]) -> [u8; 32] {
    use hmac::{Hmac, KeyInit, Mac};
    let Ok(mut mac) = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret) else { return [0; 32] };
    mac.update(b"kefu blind search index v1");
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_round_trip_add_and_rotate() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.toml");
        let mut file = KeyFile::generate(CipherKind::Sm4Gcm).unwrap();
        file.write(&path).unwrap();
        let old = KeyRing::from_file(&KeyFile::read(&path).unwrap()).unwrap();
        let sealed = old.seal("订单 12345 的收货地址").unwrap();
        assert_eq!(sealed.key_id, old.current_id());

        let new_id = file.add(CipherKind::Aes256Gcm).unwrap();
        file.write(&path).unwrap();
        let ring = KeyRing::from_file(&KeyFile::read(&path).unwrap()).unwrap();
        assert_eq!(ring.current_id(), new_id);
        assert_eq!(ring.current_cipher(), CipherKind::Aes256Gcm);
        assert_eq!(ring.open(&sealed.key_id, &sealed.bytes).unwrap(), "订单 12345 的收货地址");
        assert_eq!(ring.seal("x").unwrap().key_id, new_id);
        assert_eq!(ring.open(LEGACY_PLAIN, b"old row").unwrap(), "old row");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn bad_keys_say_what_is_wrong() {
        let e = KeyRing::from_spec("k1:sm4-gcm:00").unwrap_err();
        assert!(e.0.contains("16-byte key"), "{e}");
        let e = KeyRing::from_spec("k1:des:00").unwrap_err();
        assert!(e.0.contains("unknown cipher"), "{e}");
        let e = KeyRing::from_spec("k1").unwrap_err();
        assert!(e.0.contains("expected id:cipher:hexkey"), "{e}");
        let key = "00112233445566778899aabbccddeeff";
        let e = KeyRing::from_spec(&format!("plain:sm4:{key}")).unwrap_err();
        assert!(e.0.contains("not allowed"), "{e}");
        let ring = KeyRing::from_spec(&format!("a:sm4:{key},b:sm4-gcm:{key}")).unwrap();
        assert_eq!(ring.current_id(), "b");
        assert!(ring.open("zzz", b"x").is_err());
        assert!(!format!("{ring:?}").contains(key), "Debug never prints key material");
    }
}
