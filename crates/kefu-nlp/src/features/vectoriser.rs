//! Vocabulary of hashed features with IDF weights, fitted on training texts.

use serde::{Deserialize, Serialize};

use super::extract::FeatureConfig;
use super::hash::IdMap;

/// A sparse, L2-normalised feature vector: (column, value) sorted by column.
pub type SparseVec = Vec<(u32, f32)>;

/// Maps normalised text to TF-IDF vectors over the features seen while fitting.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Vectoriser {
    /// What to extract.
    pub config: FeatureConfig,
    /// Feature hash of each column.
    pub hashes: Vec<u64>,
    /// IDF of each column.
    pub idf: Vec<f32>,
    #[serde(skip)]
    index: IdMap<u32>,
}

impl Vectoriser {
    /// Fits the vocabulary on normalised texts, keeping features seen in at least `min_df` texts.
    pub fn fit<S: AsRef<str>>(config: FeatureConfig, texts: &[S], min_df: u32) -> Self {
        let mut df: IdMap<u32> = IdMap::default();
        let mut buf = Vec::new();
        for t in texts {
            buf.clear();
            config.extract(t.as_ref(), &mut buf);
            buf.sort_unstable();
            buf.dedup();
            for &h in &buf {
                *df.entry(h).or_insert(0) += 1;
            }
        }
        let n = texts.len() as f32;
        let mut kept: Vec<(u64, u32)> = df.into_iter().filter(|&(_, c)| c >= min_df.max(1)).collect();
        // Sorted so that the same data always gives the same columns (reproducible weights).
        kept.sort_unstable();
        let hashes: Vec<u64> = kept.iter().map(|&(h, _)| h).collect();
        let idf = kept.iter().map(|&(_, c)| ((1.0 + n) / (1.0 + c as f32)).ln() + 1.0).collect();
        let mut v = Vectoriser { config, hashes, idf, index: IdMap::default() };
        v.rebuild_index();
        v
    }

    /// A vectoriser with no columns (filled in by decoders).
    pub fn empty() -> Self {
        Vectoriser { config: FeatureConfig::default(), hashes: Vec::new(), idf: Vec::new(), index: IdMap::default() }
    }

    /// Rebuilds the hash → column map after deserialising.
    pub fn rebuild_index(&mut self) {
        self.index = self.hashes.iter().enumerate().map(|(i, &h)| (h, i as u32)).collect();
    }

    /// Number of columns.
    pub fn dim(&self) -> usize {
        self.hashes.len()
    }

    /// TF-IDF vector (sublinear tf, L2-normalised) of normalised text.
    pub fn transform(&self, text: &str) -> SparseVec {
        let mut buf = Vec::with_capacity(128);
        self.config.extract(text, &mut buf);
        self.weigh(&buf)
    }

    /// TF-IDF vector of raw feature hashes already extracted with this vectoriser's config
    /// (lets several models share one extraction).
    pub fn weigh(&self, hashes: &[u64]) -> SparseVec {
        let mut cols: Vec<u32> = hashes.iter().filter_map(|h| self.index.get(h).copied()).collect();
        cols.sort_unstable();
        let mut out: SparseVec = Vec::with_capacity(cols.len());
        for c in cols {
            match out.last_mut() {
                Some((last, tf)) if *last == c => *tf += 1.0,
                _ => out.push((c, 1.0)),
            }
        }
        let mut norm = 0.0f32;
        for (c, v) in out.iter_mut() {
            *v = (1.0 + v.ln()) * self.idf[*c as usize];
            norm += *v * *v;
        }
        if norm > 0.0 {
            let inv = 1.0 / norm.sqrt();
            for (_, v) in out.iter_mut() {
                *v *= inv;
            }
        }
        out
    }
}
