//! An inverted index scored with BM25 over hashed terms.

use std::cell::RefCell;

use serde::{Deserialize, Serialize};

use crate::features::IdMap;

/// A term's hash, idf, and (document, weight) list.
type Posting = (u64, f32, Vec<(u32, f32)>);

const K1: f32 = 1.2;
const B: f32 = 0.75;

/// Inverted index of documents given as hashed term lists.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Bm25 {
    /// Per term: its idf and (document, tf part of the BM25 weight) postings.
    postings: Vec<Posting>,
    docs: usize,
    #[serde(skip)]
    by_term: IdMap<u32>,
}

thread_local! {
    // Reused per thread so that a query does not zero a 100k-float buffer.
    static SCRATCH: RefCell<(Vec<f32>, Vec<u32>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

impl Bm25 {
    /// Builds the index; `docs[i]` is document i's term hashes (with repeats).
    pub fn build(docs: &[Vec<u64>]) -> Self {
        let mut map: IdMap<Vec<(u32, u16)>> = IdMap::default();
        for (d, terms) in docs.iter().enumerate() {
            let mut t = terms.clone();
            t.sort_unstable();
            let mut i = 0;
            while i < t.len() {
                let mut j = i;
                while j < t.len() && t[j] == t[i] {
                    j += 1;
                }
                map.entry(t[i]).or_default().push((d as u32, (j - i).min(u16::MAX as usize) as u16));
                i = j;
            }
        }
        let n = docs.len() as f32;
        let avg = docs.iter().map(|d| d.len() as f32).sum::<f32>() / n.max(1.0);
        // Everything but the accumulation is precomputed: a query only multiplies and adds.
        let mut postings: Vec<Posting> = map
            .into_iter()
            .map(|(term, list)| {
                let df = list.len() as f32;
                let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
                let weighted = list
                    .into_iter()
                    .map(|(d, tf)| {
                        let tf = tf as f32;
                        let norm = K1 * (1.0 - B + B * docs[d as usize].len() as f32 / avg.max(1e-6));
                        (d, tf * (K1 + 1.0) / (tf + norm))
                    })
                    .collect();
                (term, idf, weighted)
            })
            .collect();
        postings.sort_unstable_by_key(|p| p.0);
        let mut index = Bm25 { postings, docs: docs.len(), by_term: IdMap::default() };
        index.rebuild();
        index
    }

    /// Rebuilds the term lookup after deserialising.
    pub fn rebuild(&mut self) {
        self.by_term = self.postings.iter().enumerate().map(|(i, p)| (p.0, i as u32)).collect();
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.docs
    }

    /// True when no document is indexed.
    pub fn is_empty(&self) -> bool {
        self.docs == 0
    }

    /// The `k` best (document, score) for a query's terms, plus the query's own best possible score.
    pub fn search(&self, query: &[u64], k: usize) -> (Vec<(u32, f32)>, f32) {
        let n = self.len();
        if n == 0 {
            return (Vec::new(), 0.0);
        }
        let mut terms = query.to_vec();
        terms.sort_unstable();
        terms.dedup();
        // Terms in most documents of a large index say little and cost most: skip them.
        let max_df = if n > 20_000 { n / 20 } else { n };
        SCRATCH.with(|cell| {
            let mut guard = cell.borrow_mut();
            let (acc, touched) = &mut *guard;
            if acc.len() < n {
                acc.resize(n, 0.0);
            }
            touched.clear();
            let mut self_score = 0.0;
            // Common terms only re-score documents a rarer term already found: a document that
            // shares nothing but "怎么" and "花呗" with the question cannot win, and scoring it
            // would touch most of the index.
            let common_df = if n >= 2_000 { n / 40 } else { n };
            let mut common: Vec<usize> = Vec::new();
            for t in &terms {
                let Some(&pi) = self.by_term.get(t) else { continue };
                let (_, idf, list) = &self.postings[pi as usize];
                if list.len() > max_df {
                    continue;
                }
                self_score += idf;
                if list.len() > common_df {
                    common.push(pi as usize);
                    continue;
                }
                accumulate(acc, touched, *idf, list);
            }
            if touched.is_empty() {
                for &pi in &common {
                    let (_, idf, list) = &self.postings[pi];
                    accumulate(acc, touched, *idf, list);
                }
            } else if !common.is_empty() {
                touched.sort_unstable();
                for &pi in &common {
                    let (_, idf, list) = &self.postings[pi];
                    let mut j = 0;
                    for &d in touched.iter() {
                        while j < list.len() && list[j].0 < d {
                            j += 1;
                        }
                        if j < list.len() && list[j].0 == d {
                            acc[d as usize] += idf * list[j].1;
                        }
                    }
                }
            }
            let mut hits: Vec<(u32, f32)> = touched.iter().map(|&d| (d, acc[d as usize])).collect();
            for &d in touched.iter() {
                acc[d as usize] = 0.0;
            }
            let k = k.min(hits.len());
            if k > 0 && k < hits.len() {
                hits.select_nth_unstable_by(k - 1, |a, b| b.1.total_cmp(&a.1));
                hits.truncate(k);
            }
            hits.sort_unstable_by(|a, b| b.1.total_cmp(&a.1));
            (hits, self_score * (K1 + 1.0) / (1.0 + K1))
        })
    }
}

/// Adds one term's postings to the accumulator, remembering newly touched documents.
fn accumulate(acc: &mut [f32], touched: &mut Vec<u32>, idf: f32, list: &[(u32, f32)]) {
    for &(d, w) in list {
        let slot = &mut acc[d as usize];
        if *slot == 0.0 {
            touched.push(d);
        }
        *slot += idf * w;
    }
}
