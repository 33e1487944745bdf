//! A stable 64-bit hash: feature ids are persisted in model files, so std's hasher will not do.

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// Incremental FNV-1a hasher with a final avalanche so that low bits are well mixed.
#[derive(Clone, Copy)]
pub struct FeatureHasher(u64);

impl FeatureHasher {
    /// Starts a hash in a namespace so that a word and a char n-gram never collide by design.
    pub fn new(namespace: u8) -> Self {
        FeatureHasher((OFFSET ^ namespace as u64).wrapping_mul(PRIME))
    }
    /// Feeds bytes.
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(PRIME);
        }
    }
    /// Feeds one separator so that ("ab","c") and ("a","bc") differ.
    pub fn separator(&mut self) {
        self.write(&[0xff]);
    }
    /// The finished hash.
    pub fn finish(self) -> u64 {
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x
    }
}

/// Hash of one string in a namespace.
pub fn hash_str(namespace: u8, s: &str) -> u64 {
    let mut h = FeatureHasher::new(namespace);
    h.write(s.as_bytes());
    h.finish()
}

/// Hasher for maps keyed by already-hashed u64 ids: hashing them again is wasted time.
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ b as u64 ^ (self.0 >> 56);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Map from feature hash to anything, with the pass-through hasher.
pub type IdMap<V> = std::collections::HashMap<u64, V, std::hash::BuildHasherDefault<IdHasher>>;
