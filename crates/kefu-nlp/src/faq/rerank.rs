//! A learned paraphrase scorer: re-ranks BM25 candidates and turns their score into P(same question).

use serde::{Deserialize, Serialize};

use crate::features::{FeatureHasher, SparseVec};
use crate::linear::{LinearModel, TrainConfig};

/// Dense similarity features come first; hashed word (mis)matches follow.
const DENSE: usize = 10;
const HASHED_BITS: u32 = 18;

/// The two texts of a candidate pair, prepared once.
pub struct PairInput<'a> {
    /// Normalised question.
    pub query: &'a str,
    /// Normalised indexed question.
    pub doc: &'a str,
    /// Word hashes of the question.
    pub query_words: &'a [u64],
    /// Word hashes of the indexed question.
    pub doc_words: &'a [u64],
    /// BM25 score over the question's best possible score.
    pub bm25_ratio: f32,
    /// TF-IDF cosine.
    pub cosine: f32,
}

/// Logistic model over pair features.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PairScorer {
    /// Two classes: 0 different, 1 same.
    pub model: LinearModel,
}

fn jaccard<T: PartialEq>(a: &[T], b: &[T]) -> f32 {
    if a.is_empty() && b.is_empty() {
        return 0.0;
    }
    let inter = a.iter().filter(|x| b.contains(x)).count();
    inter as f32 / (a.len() + b.len() - inter).max(1) as f32
}

fn longest_common_substring(a: &[char], b: &[char]) -> usize {
    let mut best = 0;
    let mut prev = vec![0usize; b.len() + 1];
    for &ca in a {
        let mut cur = vec![0usize; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            if ca == cb {
                cur[j + 1] = prev[j] + 1;
                best = best.max(cur[j + 1]);
            }
        }
        prev = cur;
    }
    best
}

/// Features of a candidate pair.
pub fn pair_features(p: &PairInput) -> SparseVec {
    let qc: Vec<char> = p.query.chars().filter(|c| !c.is_whitespace()).collect();
    let dc: Vec<char> = p.doc.chars().filter(|c| !c.is_whitespace()).collect();
    let bigrams = |c: &[char]| -> Vec<(char, char)> { c.windows(2).map(|w| (w[0], w[1])).collect() };
    let (ql, dl) = (qc.len().max(1) as f32, dc.len().max(1) as f32);
    let lcs = longest_common_substring(&qc, &dc) as f32;
    let dense = [
        p.bm25_ratio,
        p.cosine,
        jaccard(p.query_words, p.doc_words),
        jaccard(&bigrams(&qc), &bigrams(&dc)),
        jaccard(&qc, &dc),
        ql.min(dl) / ql.max(dl),
        lcs / ql.max(dl),
        lcs / ql.min(dl),
        p.cosine * p.cosine,
        1.0,
    ];
    let mut out: SparseVec = dense.iter().enumerate().map(|(i, &v)| (i as u32, v)).collect();
    let mask = (1u64 << HASHED_BITS) - 1;
    let mut hashed: Vec<u32> = Vec::new();
    // Bucketed copies of the similarities let a linear model bend: 0.9 cosine is worth far
    // more than 0.6, not just half again as much.
    for (i, &v) in dense.iter().take(8).enumerate() {
        let mut h = FeatureHasher::new(23);
        h.write(&[i as u8, (v.clamp(0.0, 1.0) * 12.0) as u8]);
        hashed.push((h.finish() & mask) as u32);
    }
    let only_q: Vec<u64> = p.query_words.iter().copied().filter(|w| !p.doc_words.contains(w)).collect();
    let only_d: Vec<u64> = p.doc_words.iter().copied().filter(|w| !p.query_words.contains(w)).collect();
    let tagged = |tag: u8, w: u64| {
        let mut h = FeatureHasher::new(tag);
        h.write(&w.to_le_bytes());
        (h.finish() & mask) as u32
    };
    for &w in p.query_words.iter().filter(|w| p.doc_words.contains(w)) {
        hashed.push(tagged(20, w));
    }
    for &w in only_q.iter().chain(&only_d) {
        hashed.push(tagged(21, w));
    }
    // A word on one side facing another on the other ("花呗" vs "借呗") is the strongest clue.
    for a in only_q.iter().take(6) {
        for b in only_d.iter().take(6) {
            let (x, y) = if a < b { (a, b) } else { (b, a) };
            let mut h = FeatureHasher::new(22);
            h.write(&x.to_le_bytes());
            h.write(&y.to_le_bytes());
            hashed.push((h.finish() & mask) as u32);
        }
    }
    hashed.sort_unstable();
    let scale = 1.0 / (hashed.len().max(1) as f32).sqrt();
    let mut last = u32::MAX;
    for h in hashed {
        let col = DENSE as u32 + h;
        if col == last {
            if let Some(e) = out.last_mut() {
                e.1 += scale;
            }
        } else {
            out.push((col, scale));
            last = col;
        }
    }
    out
}

impl PairScorer {
    /// Trains on (pair features, same?) rows.
    pub fn train(rows: &[(SparseVec, bool)]) -> PairScorer {
        let xs: Vec<SparseVec> = rows.iter().map(|r| r.0.clone()).collect();
        let ys: Vec<usize> = rows.iter().map(|r| usize::from(r.1)).collect();
        let cfg = TrainConfig { epochs: 8, learning_rate: 0.2, l2: 1e-6, ..TrainConfig::default() };
        PairScorer { model: LinearModel::train(&xs, &ys, DENSE + (1 << HASHED_BITS), 2, &cfg) }
    }

    /// Probability that the pair asks the same thing.
    pub fn probability(&self, x: &SparseVec) -> f32 {
        self.model.probabilities(x).get(1).copied().unwrap_or(0.0)
    }
}
