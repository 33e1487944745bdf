//! Static word vectors distilled from multilingual-e5-small (scripts/distil_word_vectors.py):
//! an averaged sentence vector gives the linear models a sense of synonyms TF-IDF lacks.

use std::sync::{Arc, LazyLock, RwLock};

use crate::features::{hash_str, IdMap, SparseVec};
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
        for i in 0..count {
            let len = r.u8()? as usize;
            let word = std::str::from_utf8(r.take(len)?).map_err(|_| bad())?;
            index.insert(hash_str(NS, word), i as u32);
            rows.extend(r.take(dim)?.iter().map(|&b| b as i8));
        }
        Ok(WordVectors { dim, scale, rows, index })
    }

    /// Dimensions per vector.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Mean vector of the known words of normalised text, L2-normalised (zeros when none is known).
    pub fn sentence(&self, normalised: &str) -> Vec<f32> {
        let mut acc = vec![0.0f32; self.dim];
        let mut n = 0;
        for_each_word(normalised, |w| {
            if let Some(&i) = self.index.get(&hash_str(NS, w)) {
                let row = &self.rows[i as usize * self.dim..(i as usize + 1) * self.dim];
                for ((a, &q), s) in acc.iter_mut().zip(row).zip(&self.scale) {
                    *a += q as f32 * s;
                }
                n += 1;
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
