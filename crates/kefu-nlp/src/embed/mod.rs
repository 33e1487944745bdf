//! Static word vectors distilled from multilingual-e5-small (scripts/distil_word_vectors.py):
//! an averaged sentence vector gives the linear models a sense of synonyms TF-IDF lacks.

use std::sync::{Arc, LazyLock, RwLock};

use crate::features::{hash_str, FeatureHasher, IdMap, SparseVec};
use crate::tokenise::for_each_word;
use crate::Error;

const MAGIC: &[u8; 8] = b"KEFUWV01";
const NS: u8 = 40;

/// A table of quantised word vectors keyed by word hash.
#[derive(Debug, Clone)]
pub struct WordVectors {
    dim: usize,
    scale: Vec<f32>,
    rows: Vec<i8>,
    index: IdMap<u32>,
    /// Some keys are word pairs ("w1 w2"), looked up for consecutive words.
    has_pairs: bool,
    /// Weight of a pair's vector against a word's in the mean.
    pub pair_weight: f32,
}

impl WordVectors {
    /// Reads the table format written by the distillation script.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let bad = || Error::Model("word vectors: damaged or truncated".into());
        let mut r = crate::model::codec::Reader::new(bytes);
        if r.take(8)? != MAGIC {
            return Err(Error::Model("not a kefu word-vector file".into()));
        }
        let u32_at = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
        let dim = u32_at(r.take(4)?);
        let count = u32_at(r.take(4)?);
        if dim == 0 || dim > 4096 || count.saturating_mul(dim) > bytes.len() {
            return Err(bad());
        }
        let scale = (0..dim).map(|_| r.f32()).collect::<Result<Vec<_>, _>>()?;
        let mut rows = Vec::with_capacity(count * dim);
        let mut index = IdMap::default();
        let mut has_pairs = false;
        for i in 0..count {
            let len = r.u8()? as usize;
            let word = std::str::from_utf8(r.take(len)?).map_err(|_| bad())?;
            has_pairs |= word.contains(' ');
            index.insert(hash_str(NS, word), i as u32);
            rows.extend(r.take(dim)?.iter().map(|&b| b as i8));
        }
        Ok(WordVectors { dim, scale, rows, index, has_pairs, pair_weight: 1.0 })
    }

    /// Element-wise maximum of the known words' vectors, L2-normalised (zeros when none).
    pub fn max_pooled(&self, normalised: &str) -> Vec<f32> {
        let mut acc = vec![f32::NEG_INFINITY; self.dim];
        let mut n = 0;
        for_each_word(normalised, |w| {
            if let Some(&i) = self.index.get(&hash_str(NS, w)) {
                let row = &self.rows[i as usize * self.dim..(i as usize + 1) * self.dim];
                for ((a, &q), s) in acc.iter_mut().zip(row).zip(&self.scale) {
                    *a = a.max(q as f32 * s);
                }
                n += 1;
            }
        });
        if n == 0 {
            return vec![0.0; self.dim];
        }
        let norm = acc.iter().map(|v| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            acc.iter_mut().for_each(|v| *v /= norm);
        }
        acc
    }

    /// Dimensions per vector.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Mean vector of the known words of normalised text, L2-normalised (zeros when none is known).
    pub fn sentence(&self, normalised: &str) -> Vec<f32> {
        self.weighted_sentence(normalised, |_| 1.0)
    }

    /// Weighted mean vector of the known words (`weight` of each word), L2-normalised.
    pub fn weighted_sentence(&self, normalised: &str, mut weight: impl FnMut(&str) -> f32) -> Vec<f32> {
        let mut acc = vec![0.0f32; self.dim];
        let mut n = 0;
        let mut prev = String::new();
        for_each_word(normalised, |w| {
            if let Some(&i) = self.index.get(&hash_str(NS, w)) {
                let row = &self.rows[i as usize * self.dim..(i as usize + 1) * self.dim];
                let k = weight(w);
                for ((a, &q), s) in acc.iter_mut().zip(row).zip(&self.scale) {
                    *a += q as f32 * s * k;
                }
                n += 1;
            }
            if self.has_pairs {
                // Word pairs the table knows ("top up") add a vector of their own.
                let alnum = w.chars().any(char::is_alphanumeric);
                if !prev.is_empty() && alnum {
                    let mut h = FeatureHasher::new(NS);
                    h.write(prev.as_bytes());
                    h.write(b" ");
                    h.write(w.as_bytes());
                    if let Some(&i) = self.index.get(&h.finish()) {
                        let row = &self.rows[i as usize * self.dim..(i as usize + 1) * self.dim];
                        for ((a, &q), s) in acc.iter_mut().zip(row).zip(&self.scale) {
                            *a += q as f32 * s * self.pair_weight;
                        }
                        n += 1;
                    }
                }
                prev.clear();
                if alnum {
                    prev.push_str(w);
                }
            }
        });
        let norm = acc.iter().map(|v| v * v).sum::<f32>().sqrt();
        if n > 0 && norm > 0.0 {
            acc.iter_mut().for_each(|v| *v /= norm);
        }
        acc
    }
}

/// Table shipped in the repository (empty when none is shipped).
const SHIPPED: &[u8] = include_bytes!("../../data/word_vectors.bin");

static VECTORS: LazyLock<RwLock<Option<Arc<WordVectors>>>> =
    LazyLock::new(|| RwLock::new(WordVectors::from_bytes(SHIPPED).ok().map(Arc::new)));

/// The word vectors in use, if any.
pub fn vectors() -> Option<Arc<WordVectors>> {
    VECTORS.read().unwrap_or_else(|p| p.into_inner()).clone()
}

/// Replaces the word vectors (None disables dense features).
pub fn install(v: Option<WordVectors>) {
    *VECTORS.write().unwrap_or_else(|p| p.into_inner()) = v.map(Arc::new);
}

thread_local! {
    // Several models of one analysis want the same message's vector.
    // Keyed by the table too, so a table swapped in on another thread is never mixed in.
    static LAST: std::cell::RefCell<(usize, String, Vec<f32>)> = const { std::cell::RefCell::new((0, String::new(), Vec::new())) };
}

/// Appends `weight ×` the sentence vector weighted by `word_weight` as columns `offset..offset+dim`
/// (not cached: the word weights belong to one model).
pub fn append_weighted_dense(x: &mut SparseVec, normalised: &str, offset: usize, weight: f32, word_weight: impl FnMut(&str) -> f32) {
    let Some(v) = vectors() else { return };
    for (i, val) in v.weighted_sentence(normalised, word_weight).into_iter().enumerate() {
        if val != 0.0 {
            x.push(((offset + i) as u32, val * weight));
        }
    }
}

/// Appends `weight ×` the max-pooled word vector of normalised text as columns `offset..offset+dim`.
pub fn append_max_pooled(x: &mut SparseVec, normalised: &str, offset: usize, weight: f32) {
    let Some(v) = vectors() else { return };
    for (i, val) in v.max_pooled(normalised).into_iter().enumerate() {
        if val != 0.0 {
            x.push(((offset + i) as u32, val * weight));
        }
    }
}

/// Appends `weight ×` the sentence vector of normalised text as columns `offset..offset+dim`.
pub fn append_dense(x: &mut SparseVec, normalised: &str, offset: usize, weight: f32) {
    let Some(v) = vectors() else { return };
    let sentence = LAST.with(|last| {
        let mut last = last.borrow_mut();
        let table = Arc::as_ptr(&v) as usize;
        if last.0 != table || last.1 != normalised {
            *last = (table, normalised.to_string(), v.sentence(normalised));
        }
        last.2.clone()
    });
    for (i, val) in sentence.into_iter().enumerate() {
        if val != 0.0 {
            x.push(((offset + i) as u32, val * weight));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(entries: &[(&str, [i8; 2])]) -> WordVectors {
        let mut b = MAGIC.to_vec();
        b.extend(2u32.to_le_bytes());
        b.extend((entries.len() as u32).to_le_bytes());
        b.extend(1.0f32.to_le_bytes());
        b.extend(1.0f32.to_le_bytes());
        for (w, v) in entries {
            b.push(w.len() as u8);
            b.extend(w.as_bytes());
            b.extend(v.iter().map(|&x| x as u8));
        }
        WordVectors::from_bytes(&b).unwrap()
    }

    #[test]
    fn known_word_pairs_join_the_mean() {
        let words = table(&[("top", [1, 0]), ("up", [1, 0])]);
        let with_pair = table(&[("top", [1, 0]), ("up", [1, 0]), ("top up", [0, 1])]);
        assert_eq!(words.sentence("top up"), vec![1.0, 0.0]);
        let s = with_pair.sentence("top up");
        assert!((s[0] - 2.0 / 5f32.sqrt()).abs() < 1e-5 && (s[1] - 1.0 / 5f32.sqrt()).abs() < 1e-5, "{s:?}");
        // Words apart are no pair.
        assert_eq!(with_pair.sentence("up top"), vec![1.0, 0.0]);
    }
}
