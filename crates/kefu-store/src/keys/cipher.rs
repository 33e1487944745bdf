//! The two authenticated ciphers content is sealed with: SM4-GCM (GB/T 32907 in GCM mode,
//! RFC 8998) for merchants who must use the national standard, and AES-256-GCM.

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, AesGcm};

type Sm4Gcm = AesGcm<sm4::Sm4, U12>;

/// Length of the random nonce stored in front of every sealed value.
pub const NONCE_LEN: usize = 12;
/// Format byte in front of the nonce, so the layout can change without guessing.
const FORMAT_V1: u8 = 1;

/// Which cipher a key is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CipherKind {
    /// SM4 block cipher (128-bit key) in GCM mode.
    #[serde(rename = "sm4-gcm")]
    Sm4Gcm,
    /// AES with a 256-bit key in GCM mode.
    #[serde(rename = "aes-256-gcm")]
    Aes256Gcm,
}

impl CipherKind {
    /// The name used in key files and configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            CipherKind::Sm4Gcm => "sm4-gcm",
            CipherKind::Aes256Gcm => "aes-256-gcm",
        }
    }

    /// Parse a configured name.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sm4-gcm" | "sm4" => Some(CipherKind::Sm4Gcm),
            "aes-256-gcm" | "aes256-gcm" | "aes-gcm" => Some(CipherKind::Aes256Gcm),
            _ => None,
        }
    }

    /// Key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            CipherKind::Sm4Gcm => 16,
            CipherKind::Aes256Gcm => 32,
        }
    }
}

/// A keyed cipher instance.
pub(crate) enum Engine {
    Sm4(Box<Sm4Gcm>),
    Aes(Box<Aes256Gcm>),
}

impl Engine {
    /// Build from raw key bytes; the length must match the cipher.
    pub(crate) fn new(kind: CipherKind, key: &[u8]) -> Result<Self, String> {
        if key.len() != kind.key_len() {
            return Err(format!("{} needs a {}-byte key, got {} bytes", kind.as_str(), kind.key_len(), key.len()));
        }
        Ok(match kind {
            CipherKind::Sm4Gcm => Engine::Sm4(Box::new(Sm4Gcm::new_from_slice(key).map_err(|e| e.to_string())?)),
            CipherKind::Aes256Gcm => Engine::Aes(Box::new(Aes256Gcm::new_from_slice(key).map_err(|e| e.to_string())?)),
        })
    }

    fn encrypt(&self, nonce: &[u8; NONCE_LEN], msg: &[u8], aad: &[u8]) -> Result<Vec<u8>, String> {
        let nonce = nonce.into();
        let payload = Payload { msg, aad };
        match self {
            Engine::Sm4(c) => c.encrypt(nonce, payload),
            Engine::Aes(c) => c.encrypt(nonce, payload),
        }
        .map_err(|_| "encryption failed".to_string())
    }

    fn decrypt(&self, nonce: &[u8; NONCE_LEN], msg: &[u8], aad: &[u8]) -> Result<Vec<u8>, String> {
        let nonce = nonce.into();
        let payload = Payload { msg, aad };
        match self {
            Engine::Sm4(c) => c.decrypt(nonce, payload),
            Engine::Aes(c) => c.decrypt(nonce, payload),
        }
        .map_err(|_| "authentication failed (wrong key or tampered bytes)".to_string())
    }

    /// `format || nonce || ciphertext+tag`, with a fresh random nonce. The key id is the
    /// associated data, so a row whose key id was edited does not open.
    pub(crate) fn seal(&self, key_id: &str, plaintext: &[u8]) -> Result<Vec<u8>, String> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|e| format!("no randomness: {e}"))?;
        let body = self.encrypt(&nonce, plaintext, key_id.as_bytes())?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + body.len());
        out.push(FORMAT_V1);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// Open what [`Engine::seal`] produced.
    pub(crate) fn open(&self, key_id: &str, sealed: &[u8]) -> Result<Vec<u8>, String> {
        match sealed.split_first() {
            Some((&FORMAT_V1, rest)) if rest.len() >= NONCE_LEN + 16 => {
                let (nonce, body) = rest.split_at(NONCE_LEN);
                let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| "short nonce".to_string())?;
                self.decrypt(&nonce, body, key_id.as_bytes())
            }
            Some((&FORMAT_V1, _)) => Err("sealed value is truncated".into()),
            Some((v, _)) => Err(format!("unknown sealed format {v}")),
            None => Err("sealed value is empty".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sm4::cipher::BlockCipherEncrypt;

    fn hex(s: &str) -> Vec<u8> {
        hex::decode(s.replace(' ', "")).unwrap()
    }

    /// GB/T 32907-2016 appendix A, example 1 (and the 1,000,000-fold example 2).
    #[test]
    fn sm4_block_known_answers() {
        let key = hex("0123456789abcdeffedcba9876543210");
        let cipher = sm4::Sm4::new_from_slice(&key).unwrap();
        let mut block: [u8; 16] = key.clone().try_into().unwrap();
        cipher.encrypt_block((&mut block).into());
        assert_eq!(hex::encode(block), "681edf34d206965e86b3e94f536e4246");
        let mut block: [u8; 16] = key.clone().try_into().unwrap();
        for _ in 0..1_000_000 {
            cipher.encrypt_block((&mut block).into());
        }
        assert_eq!(hex::encode(block), "595298c7c6fd271f0402f804c33d3f66");
    }

    /// RFC 8998 appendix A.1 (SM4-GCM).
    #[test]
    fn sm4_gcm_known_answer() {
        let engine = Engine::new(CipherKind::Sm4Gcm, &hex("0123456789ABCDEFFEDCBA9876543210")).unwrap();
        let nonce: [u8; 12] = hex("00001234567800000000ABCD").try_into().unwrap();
        let plain = hex("AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDDEEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA");
        let aad = hex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2");
        let out = engine.encrypt(&nonce, &plain, &aad).unwrap();
        assert_eq!(
            hex::encode_upper(&out),
            "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D83DE3541E4C2B58177E065A9BF7B62EC"
        );
        assert_eq!(engine.decrypt(&nonce, &out, &aad).unwrap(), plain);
    }

    /// The GCM specification's test case 16 (AES-256, with associated data).
    #[test]
    fn aes_256_gcm_known_answer() {
        let engine = Engine::new(CipherKind::Aes256Gcm, &hex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")).unwrap();
        let nonce: [u8; 12] = hex("cafebabefacedbaddecaf888").try_into().unwrap();
        let plain = hex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
        let aad = hex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        let out = engine.encrypt(&nonce, &plain, &aad).unwrap();
        assert_eq!(
            hex::encode(&out),
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f66276fc6ece0f4e1768cddf8853bb2d551b"
        );
    }

    #[test]
    fn sealed_values_round_trip_and_detect_tampering() {
        for kind in [CipherKind::Sm4Gcm, CipherKind::Aes256Gcm] {
            let engine = Engine::new(kind, &vec![7u8; kind.key_len()]).unwrap();
            let a = engine.seal("k1", "亲，我的手机号是13812345678".as_bytes()).unwrap();
            let b = engine.seal("k1", "亲，我的手机号是13812345678".as_bytes()).unwrap();
            assert_ne!(a, b, "fresh nonce per value");
            assert_eq!(engine.open("k1", &a).unwrap(), "亲，我的手机号是13812345678".as_bytes());
            assert!(engine.open("k2", &a).is_err(), "key id is bound as associated data");
            let mut bad = a.clone();
            let last = bad.len() - 1;
            bad[last] ^= 1;
            assert!(engine.open("k1", &bad).is_err());
            assert!(engine.open("k1", &a[..10]).is_err());
            assert!(engine.open("k1", &[]).is_err());
        }
        assert!(Engine::new(CipherKind::Sm4Gcm, &[0u8; 32]).is_err());
    }
}
