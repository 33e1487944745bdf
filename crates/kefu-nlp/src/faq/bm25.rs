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
    /// Per document, the common terms it holds as (common rank, weight), in CSR form
    /// (`common_at[d]..common_at[d + 1]` in `common_terms`): see `search`.
    #[serde(skip)]
    common_at: Vec<u32>,
    #[serde(skip)]
    common_terms: Vec<(u32, f32)>,
    /// Per term: its rank among the common terms (`u32::MAX` when not common).
    #[serde(skip)]
    common_rank: Vec<u32>,
}

thread_local! {
    // Reused per thread so that a query does not zero a 100k-float buffer.
    static SCRATCH: RefCell<(Vec<f32>, Vec<u32>, Vec<f32>)> = const { RefCell::new((Vec::new(), Vec::new(), Vec::new())) };
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
        let mut index = Bm25 { postings, docs: docs.len(), by_term: IdMap::default(), common_at: Vec::new(), common_terms: Vec::new(), common_rank: Vec::new() };
        index.rebuild();
        index
    }

    /// Rebuilds the term lookup and the common terms' per-document lists after deserialising.
    pub fn rebuild(&mut self) {
        self.by_term = self.postings.iter().enumerate().map(|(i, p)| (p.0, i as u32)).collect();
        let common_df = common_df(self.docs);
        let mut ranks = 0;
        self.common_rank = self
            .postings
            .iter()
            .map(|p| {
                if p.2.len() > common_df {
                    ranks += 1;
                    ranks - 1
                } else {
                    u32::MAX
                }
            })
            .collect();
        let mut counts = vec![0u32; self.docs + 1];
        for (_, _, list) in self.postings.iter().filter(|p| p.2.len() > common_df) {
            for &(d, _) in list {
                counts[d as usize + 1] += 1;
            }
        }
        for d in 0..self.docs {
            counts[d + 1] += counts[d];
        }
        let mut next = counts.clone();
        self.common_terms = vec![(0, 0.0); counts[self.docs] as usize];
        for (&rank, (_, _, list)) in self.common_rank.iter().zip(&self.postings).filter(|(&r, _)| r != u32::MAX) {
            for &(d, w) in list {
                let slot = &mut next[d as usize];
                self.common_terms[*slot as usize] = (rank, w);
                *slot += 1;
            }
        }
        self.common_at = counts;
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
            let (acc, touched, common_idf) = &mut *guard;
            if acc.len() < n {
                acc.resize(n, 0.0);
            }
            touched.clear();
            let mut self_score = 0.0;
            // Common terms only re-score documents a rarer term already found: a document that
            // shares nothing but "怎么" and "花呗" with the question cannot win, and scoring it
            // would touch most of the index.
            let common_df = common_df(n);
            let mut common: Vec<u32> = Vec::new();
            for t in &terms {
                let Some(&pi) = self.by_term.get(t) else { continue };
                let (_, idf, list) = &self.postings[pi as usize];
                if list.len() > max_df {
                    continue;
                }
                self_score += idf;
                if list.len() > common_df {
                    common.push(pi);
                    continue;
                }
                accumulate(acc, touched, *idf, list);
            }
            if touched.is_empty() {
                for &pi in &common {
                    let (_, idf, list) = &self.postings[pi as usize];
                    accumulate(acc, touched, *idf, list);
                }
            } else if !common.is_empty() {
                // The common terms' lists are long and the documents found so far few, so each
                // found document's own short list of common terms is usually read instead; when
                // many documents were found (or they hold many common terms) walking the query's
                // common lists once is cheaper. Both add the same weights.
                let per_doc = self.common_terms.len() as f64 / self.docs.max(1) as f64;
                let walk: usize = common.iter().map(|&pi| self.postings[pi as usize].2.len() + touched.len()).sum();
                if (touched.len() as f64 * per_doc) <= walk as f64 {
                    self.add_common_by_document(acc, touched, &common, common_idf);
                } else {
                    touched.sort_unstable();
                    for &pi in &common {
                        let (_, idf, list) = &self.postings[pi as usize];
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

impl Bm25 {
    /// Adds the query's common terms to each found document from the document's own list.
    fn add_common_by_document(&self, acc: &mut [f32], touched: &[u32], common: &[u32], common_idf: &mut Vec<f32>) {
        if common_idf.len() < self.common_rank.len() {
            common_idf.resize(self.common_rank.len(), 0.0);
        }
        for &pi in common {
            common_idf[self.common_rank[pi as usize] as usize] = self.postings[pi as usize].1;
        }
        for &d in touched {
            let (from, to) = (self.common_at[d as usize] as usize, self.common_at[d as usize + 1] as usize);
            let extra: f32 = self.common_terms[from..to].iter().map(|&(rank, w)| common_idf[rank as usize] * w).sum();
            acc[d as usize] += extra;
        }
        for &pi in common {
            common_idf[self.common_rank[pi as usize] as usize] = 0.0;
        }
    }
}

/// Terms in more documents than this are "common": they only re-score documents a rarer term
/// found. Fixed by the index size, so each document's common terms can be listed at build time.
fn common_df(docs: usize) -> usize {
    if docs >= 2_000 {
        docs / 40
    } else {
        docs
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_terms_rescore_what_rare_terms_found() {
        // 3,000 documents: term 1 in all and term 2 in every 7th (both common), term 3 in every 100th.
        let docs: Vec<Vec<u64>> = (0..3000u64).map(|d| [Some(1), (d % 7 == 0).then_some(2), (d % 100 == 0).then_some(3)].into_iter().flatten().collect()).collect();
        let mut index = Bm25::build(&docs);
        let (hits, _) = index.search(&[1, 2, 3], 5);
        // Documents with all three terms come first: the multiples of 700.
        let mut top: Vec<u32> = hits.iter().map(|h| h.0).collect();
        top.sort_unstable();
        assert_eq!(top, vec![0, 700, 1400, 2100, 2800]);
        // The common terms count: the same documents score higher than on the rare term alone.
        let (rare_only, _) = index.search(&[3], 1);
        assert!(hits[0].1 > rare_only[0].1, "{hits:?} vs {rare_only:?}");
        // Only common terms: their lists are read in full.
        let (only_common, _) = index.search(&[1, 2], 3);
        assert!(only_common.iter().all(|h| h.0 % 7 == 0), "{only_common:?}");
        // A deserialised index rebuilds the same lists.
        let bytes = serde_json::to_vec(&index).expect("serialises");
        index = serde_json::from_slice(&bytes).expect("deserialises");
        index.rebuild();
        assert_eq!(index.search(&[1, 2, 3], 5).0, hits);
    }

    #[test]
    fn many_found_documents_walk_the_common_lists_instead() {
        // Every document holds 40 common terms and one of 40 rare ones; term 100 is in the even
        // documents only. Asking for all rare terms finds every document, so the common term is
        // added by walking its list (3,000 documents × 40 common terms each would cost more).
        let docs: Vec<Vec<u64>> = (0..3000u64).map(|d| (101..141).chain([1000 + d % 40]).chain((d % 2 == 0).then_some(100)).collect()).collect();
        let index = Bm25::build(&docs);
        let query: Vec<u64> = (1000..1040).chain([100]).collect();
        let (hits, _) = index.search(&query, 3000);
        assert_eq!(hits.len(), 3000);
        let lowest_even = hits.iter().filter(|h| h.0 % 2 == 0).map(|h| h.1).fold(f32::INFINITY, f32::min);
        let highest_odd = hits.iter().filter(|h| h.0 % 2 == 1).map(|h| h.1).fold(0.0, f32::max);
        assert!(lowest_even > highest_odd && highest_odd > 0.0, "{lowest_even} vs {highest_odd}");
    }
}
