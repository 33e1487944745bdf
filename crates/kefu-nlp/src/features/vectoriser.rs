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
    /// Block of each column (see [`FeatureConfig::block_weights`]; empty without block weights).
    #[serde(default)]
    pub blocks: Vec<u8>,
    /// Number of texts fitted on (0 when unknown, as in decoded models).
    #[serde(default)]
    pub documents: u32,
    #[serde(skip)]
    index: IdMap<u32>,
}

impl Vectoriser {
    /// Fits the vocabulary on normalised texts, keeping features seen in at least `min_df` texts.
    pub fn fit<S: AsRef<str>>(config: FeatureConfig, texts: &[S], min_df: u32) -> Self {
        let mut df: IdMap<u32> = IdMap::default();
        let mut block_of: IdMap<u8> = IdMap::default();
        let mut buf = Vec::new();
        let mut blocks = Vec::new();
        let with_blocks = config.block_weights.is_some();
        for t in texts {
            buf.clear();
            if with_blocks {
                blocks.clear();
                config.extract_with_blocks(t.as_ref(), &mut buf, Some(&mut blocks));
                for (&h, &b) in buf.iter().zip(&blocks) {
                    block_of.insert(h, b);
                }
            } else {
                config.extract(t.as_ref(), &mut buf);
            }
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
        let blocks = if with_blocks { hashes.iter().map(|h| block_of.get(h).copied().unwrap_or(0)).collect() } else { Vec::new() };
        let mut v = Vectoriser { config, hashes, idf, blocks, documents: texts.len() as u32, index: IdMap::default() };
        v.rebuild_index();
        v
    }

    /// A vectoriser with no columns (filled in by decoders).
    pub fn empty() -> Self {
        Vectoriser { config: FeatureConfig::default(), hashes: Vec::new(), idf: Vec::new(), blocks: Vec::new(), documents: 0, index: IdMap::default() }
    }

    /// Rebuilds the hash → column map after deserialising.
    pub fn rebuild_index(&mut self) {
        self.index = self.hashes.iter().enumerate().map(|(i, &h)| (h, i as u32)).collect();
    }

    /// IDF of a feature hash, None when it was not seen in training.
    pub fn idf_of(&self, hash: u64) -> Option<f32> {
        self.index.get(&hash).map(|&c| self.idf[c as usize])
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
        if let (Some(weights), true) = (self.config.block_weights, self.blocks.len() == self.idf.len()) {
            let mut norms = [0.0f32; 4];
            for (c, v) in out.iter_mut() {
                *v = (1.0 + v.ln()) * self.idf[*c as usize];
                norms[self.blocks[*c as usize] as usize & 3] += *v * *v;
            }
            // Each block to its weight's length, then the whole to unit length.
            let mut total = 0.0f32;
            let mut factor = [0.0f32; 4];
            for b in 0..4 {
                if norms[b] > 0.0 {
                    factor[b] = weights[b] / norms[b].sqrt();
                    total += weights[b] * weights[b];
                }
            }
            if total > 0.0 {
                let inv = 1.0 / total.sqrt();
                for (c, v) in out.iter_mut() {
                    *v *= factor[self.blocks[*c as usize] as usize & 3] * inv;
                }
            }
            return out;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_weights_give_each_block_its_share_of_the_norm() {
        let config = FeatureConfig { block_weights: Some([1.0, 1.0, 2.0, 1.0]), ..FeatureConfig::default() };
        let texts = ["my card has not arrived", "top up failed again"];
        let v = Vectoriser::fit(config, &texts, 1);
        let x = v.transform("my card has not arrived");
        let mut per_block = [0.0f32; 4];
        for (c, val) in &x {
            per_block[v.blocks[*c as usize] as usize] += val * val;
        }
        // Words, bigrams and Latin char n-grams present with weights 1, 1, 2: squared shares 1:1:4 of 6.
        assert!((per_block.iter().sum::<f32>() - 1.0).abs() < 1e-4, "{per_block:?}");
        assert!((per_block[0] - 1.0 / 6.0).abs() < 1e-4 && (per_block[2] - 4.0 / 6.0).abs() < 1e-4, "{per_block:?}");
        // Same hashes as without block weights: models can share one extraction.
        assert!(v.config.same_extraction(&FeatureConfig::default()));
    }
}
