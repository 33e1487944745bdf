//! ATEC as FAQ retrieval: clusters of paraphrases, one question indexed per cluster, the others asked.

use std::collections::HashMap;

use serde::Serialize;

use super::data::{is_test_row, QuestionPair};
use super::metrics::{fraction, timed};
use crate::faq::{cosine, FaqConfig, FaqEntry, FaqIndex, PairScorer};
use crate::features::SparseVec;
use crate::features::{FeatureConfig, Vectoriser};

use crate::normalise::normalise;

/// Retrieval figures for one method.
#[derive(Debug, Clone, Serialize)]
pub struct RetrievalScores {
    /// Share of in-index test questions whose best FAQ is right.
    pub recall_at_1: f64,
    /// Mean reciprocal rank of the right FAQ within the top 10.
    pub mrr: f64,
    /// Area under the ROC curve of the confidence, in-index vs out-of-index questions.
    pub rejection_auc: f64,
}

/// ATEC figures for kefu's retrieval and the TF-IDF cosine baseline.
#[derive(Debug, Clone, Serialize)]
pub struct AtecReport {
    /// Recall@1 of kefu's retrieval.
    pub recall_at_1: f64,
    /// MRR of kefu's retrieval.
    pub mrr: f64,
    /// Rejection AUC of kefu's retrieval.
    pub rejection_auc: f64,
    /// Answer threshold tuned on the train part.
    pub threshold: f32,
    /// At that threshold: share of in-index test questions answered correctly.
    pub answered_correct: f64,
    /// At that threshold: share of out-of-index test questions answered "none".
    pub rejected_unknown: f64,
    /// The plain TF-IDF cosine baseline on the same queries.
    pub baseline_tfidf_cosine: RetrievalScores,
    /// kefu's BM25 + cosine blend without the learned re-ranker.
    pub without_reranker: RetrievalScores,
    /// Seconds to train the re-ranker.
    pub rerank_train_seconds: f64,
    /// FAQs indexed.
    pub faqs: usize,
    /// In-index test questions asked.
    pub queries: usize,
    /// Out-of-index test questions asked.
    pub unknown_queries: usize,
    /// Seconds to build the index.
    pub index_seconds: f64,
}

struct Setup {
    faqs: Vec<String>,
    known: Vec<(String, usize, bool)>,
    unknown: Vec<(String, bool)>,
}

fn setup(pairs: &[QuestionPair]) -> Setup {
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut names: Vec<String> = Vec::new();
    let mut id_of = |q: &str, names: &mut Vec<String>| -> usize {
        let key = normalise(q);
        let next = ids.len();
        *ids.entry(key).or_insert_with(|| {
            names.push(q.to_string());
            next
        })
    };
    let mut parent: Vec<usize> = Vec::new();
    fn find(p: &mut [usize], x: usize) -> usize {
        let mut r = x;
        while p[r] != r {
            r = p[r];
        }
        let mut y = x;
        while p[y] != r {
            let n = p[y];
            p[y] = r;
            y = n;
        }
        r
    }
    let mut in_positive = Vec::new();
    for pair in pairs {
        let a = id_of(&pair.q1, &mut names);
        let b = id_of(&pair.q2, &mut names);
        while parent.len() < names.len() {
            parent.push(parent.len());
            in_positive.push(false);
        }
        if pair.same {
            in_positive[a] = true;
            in_positive[b] = true;
            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
            if ra != rb {
                parent[rb.max(ra)] = ra.min(rb);
            }
        }
    }
    // The first-seen member of each cluster is the FAQ; the others are the questions asked.
    let mut faq_of_root: HashMap<usize, usize> = HashMap::new();
    let mut faqs = Vec::new();
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for q in 0..names.len() {
        if !in_positive[q] {
            unknown.push((names[q].clone(), is_test_row(&names[q])));
            continue;
        }
        let root = find(&mut parent, q);
        match faq_of_root.get(&root) {
            Some(&f) => known.push((names[q].clone(), f, is_test_row(&names[q]))),
            None => {
                faq_of_root.insert(root, faqs.len());
                faqs.push(names[q].clone());
            }
        }
    }
    Setup { faqs, known, unknown }
}

/// Area under the ROC curve: probability a positive outscores a negative.
pub fn auc(pos: &[f32], neg: &[f32]) -> f64 {
    if pos.is_empty() || neg.is_empty() {
        return 0.0;
    }
    let mut all: Vec<(f32, bool)> = pos.iter().map(|&s| (s, true)).chain(neg.iter().map(|&s| (s, false))).collect();
    all.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let (mut rank_sum, mut i) = (0.0f64, 0);
    while i < all.len() {
        let mut j = i;
        while j < all.len() && all[j].0 == all[i].0 {
            j += 1;
        }
        let avg_rank = (i + j + 1) as f64 / 2.0;
        rank_sum += all[i..j].iter().filter(|x| x.1).count() as f64 * avg_rank;
        i = j;
    }
    let p = pos.len() as f64;
    (rank_sum - p * (p + 1.0) / 2.0) / (p * neg.len() as f64)
}

/// Evaluates on ATEC; `limit` caps the number of test questions of each kind (for a quick run).
pub fn evaluate_atec(pairs: &[QuestionPair], limit: usize) -> AtecReport {
    let s = setup(pairs);
    let entries: Vec<FaqEntry> = s
        .faqs
        .iter()
        .enumerate()
        .map(|(i, q)| FaqEntry { id: i.to_string(), standard_question: q.clone(), similar_questions: Vec::new(), answer: String::new() })
        .collect();
    let (mut index, index_seconds) = timed(|| FaqIndex::build(entries, FaqConfig::default()));
    let without_reranker = scores_of(&index, &s, limit);
    // The quick run still learns from a few thousand questions: fewer leave the scorer untrained.
    let (reranker, rerank_train_seconds) = timed(|| train_reranker(&index, &s, limit.max(3000)));
    index.reranker = Some(reranker);
    let rank_of = |q: &str, faq: usize| -> (Option<usize>, f32) {
        let a = index.search(q, 10);
        (a.suggestions.iter().position(|h| h.faq_id == faq.to_string()), a.score)
    };
    // Threshold from the train part: best balanced (answered-correct + rejected-unknown).
    let train_known: Vec<(f32, bool)> =
        s.known.iter().filter(|k| !k.2).take(limit.min(2000)).map(|(q, f, _)| { let (r, sc) = rank_of(q, *f); (sc, r == Some(0)) }).collect();
    let train_unknown: Vec<f32> = s.unknown.iter().filter(|u| !u.1).take(limit.min(2000)).map(|(q, _)| index.search(q, 1).score).collect();
    let threshold = crate::intent::tune_threshold(&train_known, &train_unknown);
    let test_known: Vec<(Option<usize>, f32)> = s.known.iter().filter(|k| k.2).take(limit).map(|(q, f, _)| rank_of(q, *f)).collect();
    // Out-of-index questions outnumber the in-index ones; a sample of the same order is enough.
    let test_unknown: Vec<f32> = s.unknown.iter().filter(|u| u.1).take(limit.min(2000)).map(|(q, _)| index.search(q, 1).score).collect();
    let r1 = test_known.iter().filter(|r| r.0 == Some(0)).count();
    let mrr: f64 = test_known.iter().map(|r| r.0.map(|p| 1.0 / (p as f64 + 1.0)).unwrap_or(0.0)).sum();
    let known_scores: Vec<f32> = test_known.iter().map(|r| r.1).collect();
    let answered_correct = test_known.iter().filter(|r| r.0 == Some(0) && r.1 >= threshold).count();
    let rejected = test_unknown.iter().filter(|&&sc| sc < threshold).count();
    let baseline = baseline(&s, limit);
    AtecReport {
        recall_at_1: fraction(r1, test_known.len()),
        mrr: if test_known.is_empty() { 0.0 } else { mrr / test_known.len() as f64 },
        rejection_auc: auc(&known_scores, &test_unknown),
        threshold,
        answered_correct: fraction(answered_correct, test_known.len()),
        rejected_unknown: fraction(rejected, test_unknown.len()),
        baseline_tfidf_cosine: baseline,
        without_reranker,
        rerank_train_seconds,
        faqs: s.faqs.len(),
        queries: test_known.len(),
        unknown_queries: test_unknown.len(),
        index_seconds,
    }
}

/// Learns P(same question) from the train part: each train question's BM25 candidates,
/// right FAQ or not, and candidates of out-of-index train questions as negatives.
fn train_reranker(index: &FaqIndex, s: &Setup, limit: usize) -> PairScorer {
    let mut rows: Vec<(SparseVec, bool)> = Vec::new();
    for (q, f, _) in s.known.iter().filter(|k| !k.2).take(limit.min(6000)) {
        for c in index.candidates(q, 20) {
            rows.push((c.features, c.faq == *f));
        }
    }
    for (q, _) in s.unknown.iter().filter(|u| !u.1).take(limit.min(3000)) {
        for c in index.candidates(q, 5) {
            rows.push((c.features, false));
        }
    }
    PairScorer::train(&rows)
}

/// Recall@1, MRR and rejection AUC of an index on the test questions.
fn scores_of(index: &FaqIndex, s: &Setup, limit: usize) -> RetrievalScores {
    let mut r1 = 0;
    let mut mrr = 0.0;
    let mut pos = Vec::new();
    let known: Vec<_> = s.known.iter().filter(|k| k.2).take(limit).collect();
    for (q, f, _) in &known {
        let a = index.search(q, 10);
        if let Some(p) = a.suggestions.iter().position(|h| h.faq_id == f.to_string()) {
            mrr += 1.0 / (p as f64 + 1.0);
            r1 += usize::from(p == 0);
        }
        pos.push(a.score);
    }
    let neg: Vec<f32> = s.unknown.iter().filter(|u| u.1).take(limit.min(2000)).map(|(q, _)| index.search(q, 1).score).collect();
    RetrievalScores { recall_at_1: fraction(r1, known.len()), mrr: if known.is_empty() { 0.0 } else { mrr / known.len() as f64 }, rejection_auc: auc(&pos, &neg) }
}

/// Plain TF-IDF (words + char 1–2 grams) cosine over all FAQs, no BM25, no re-ranking.
fn baseline(s: &Setup, limit: usize) -> RetrievalScores {
    let texts: Vec<String> = s.faqs.iter().map(|q| normalise(q)).collect();
    let v = Vectoriser::fit(FeatureConfig { bigrams: false, latin_chars: (2, 4), cjk_chars: (1, 2), ..FeatureConfig::default() }, &texts, 1);
    let docs: Vec<_> = texts.iter().map(|t| v.transform(t)).collect();
    let ranked = |q: &str| -> Vec<(usize, f32)> {
        let qv = v.transform(&normalise(q));
        let mut sc: Vec<(usize, f32)> = docs.iter().enumerate().map(|(i, d)| (i, cosine(&qv, d))).collect();
        sc.sort_unstable_by(|a, b| b.1.total_cmp(&a.1));
        sc.truncate(10);
        sc
    };
    let mut r1 = 0;
    let mut mrr = 0.0;
    let mut pos = Vec::new();
    let known: Vec<_> = s.known.iter().filter(|k| k.2).take(limit).collect();
    for (q, f, _) in &known {
        let r = ranked(q);
        if let Some(p) = r.iter().position(|x| x.0 == *f) {
            mrr += 1.0 / (p as f64 + 1.0);
            r1 += usize::from(p == 0);
        }
        pos.push(r.first().map(|x| x.1).unwrap_or(0.0));
    }
    let neg: Vec<f32> = s.unknown.iter().filter(|u| u.1).take(limit.min(2000)).map(|(q, _)| ranked(q).first().map(|x| x.1).unwrap_or(0.0)).collect();
    RetrievalScores { recall_at_1: fraction(r1, known.len()), mrr: if known.is_empty() { 0.0 } else { mrr / known.len() as f64 }, rejection_auc: auc(&pos, &neg) }
}
