//! Paraphrase-robust FAQ scoring: several views of one FAQ fused into one score, then a
//! calibrated decline. A customer's paraphrase often shares few characters with the merchant's
//! standard question, so besides the question's words and character n-grams we read the answer
//! text (it names what the FAQ is about: "顺丰", "8元补差") and the distilled word vectors
//! (synonyms: 寄出 ≈ 发货). Each view alone ranks well only some of the time; their weighted sum
//! ranks better, and its margin over the runner-up tells an answerable question from one no
//! FAQ answers.

use serde::{Deserialize, Serialize};

use crate::embed::WordVectors;
use crate::features::{FeatureConfig, SparseVec, Vectoriser};

/// Weights of the views and the decision thresholds, chosen on the paraphrase dev set
/// (devsets/snacks, dev part only; see EVAL.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fusion {
    /// BM25 over the questions (words + char bigrams), as a share of the query's best possible.
    pub bm25: f32,
    /// TF-IDF cosine with the closest question.
    pub cos_question: f32,
    /// Char 1–3-gram TF-IDF cosine with the FAQ's questions + answer.
    pub cos_answer: f32,
    /// Word-vector cosine with the closest question.
    pub vec_question: f32,
    /// Word-vector cosine with the FAQ's questions + answer.
    pub vec_answer: f32,
    /// Answer only when the best FAQ leads the runner-up by this much…
    pub margin_at: f32,
    /// … and scores at least this much above the query's mean FAQ score (shop-size independent).
    pub lift_at: f32,
    /// A Chinese question that shares no content word with the FAQ (a paraphrase in synonyms)
    /// is answered only at this fused score or more: below it, a match on 是什么 alone
    /// ("量子力学的基本原理是什么" vs "配送方式是什么") would answer.
    pub unshared_answer_at: f32,
    /// Offer an FAQ as a suggestion only at this lift or more.
    pub suggest_lift: f32,
    /// Score every FAQ (not just the lexical candidates) up to this many FAQs.
    pub exhaustive_up_to: usize,
}

impl Default for Fusion {
    fn default() -> Self {
        Fusion {
            bm25: 0.0,
            cos_question: 0.1,
            cos_answer: 0.5,
            vec_question: 0.2,
            vec_answer: 0.5,
            margin_at: 0.05,
            lift_at: 0.0,
            unshared_answer_at: 0.65,
            suggest_lift: 0.12,
            exhaustive_up_to: 500,
        }
    }
}

/// The views of one FAQ for one question, each in 0..1.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Signals {
    /// Index of the FAQ.
    pub faq: usize,
    /// See [`Fusion::bm25`].
    pub bm25: f32,
    /// See [`Fusion::cos_question`].
    pub cos_question: f32,
    /// See [`Fusion::cos_answer`].
    pub cos_answer: f32,
    /// See [`Fusion::vec_question`].
    pub vec_question: f32,
    /// See [`Fusion::vec_answer`].
    pub vec_answer: f32,
}

impl Fusion {
    /// The fused score of one FAQ's views.
    pub fn score(&self, s: &Signals) -> f32 {
        self.bm25 * s.bm25 + self.cos_question * s.cos_question + self.cos_answer * s.cos_answer + self.vec_question * s.vec_question + self.vec_answer * s.vec_answer
    }
}

/// Per-FAQ vectors of question + answer, built with the index.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AnswerViews {
    /// Char 1–3-gram (and word) TF-IDF over question + answer texts.
    vectoriser: Option<Vectoriser>,
    /// Per FAQ: its TF-IDF vector of question + answer.
    tfidf: Vec<SparseVec>,
    /// Per indexed question, then per FAQ (question + answer): word-vector means, `dim` each.
    #[serde(skip)]
    dense_questions: Vec<f32>,
    #[serde(skip)]
    dense_answers: Vec<f32>,
    #[serde(skip)]
    dim: usize,
    /// Largest IDF of the vectoriser (computed once, not per question).
    #[serde(skip)]
    top_idf: f32,
}

fn answer_features() -> FeatureConfig {
    FeatureConfig { words: true, bigrams: false, latin_chars: (2, 4), cjk_chars: (1, 3), mask_numbers: true, stems_and_skips: false, block_weights: None }
}

/// IDF-weighted mean word vector: words common to many FAQs weigh less; a word no FAQ has
/// weighs as the rarest (`top`). (Leaving function words out altogether cost 5–10 points of
/// dev top-1: 吗, 能, 多久 carry the question's kind.)
fn sentence(v: &WordVectors, idf: Option<(&Vectoriser, f32)>, normalised: &str) -> Vec<f32> {
    match idf {
        Some((t, top)) => {
            let cfg = &t.config;
            v.weighted_sentence(normalised, |w| t.idf_of(cfg.word_hash(w)).unwrap_or(top) - IDF_FLOOR + 0.1)
        }
        None => v.sentence(normalised),
    }
}

/// The smallest IDF the vectoriser gives (a term in every text).
const IDF_FLOOR: f32 = 1.0;

/// Dot product in lanes of 8, which the compiler turns into SIMD (a plain sum must keep order).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca.remainder().iter().zip(cb.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            lanes[i] += x[i] * y[i];
        }
    }
    lanes.iter().sum::<f32>() + tail
}

impl AnswerViews {
    /// Builds the views: `questions[i]` is indexed question i's normalised text, `faq_texts[f]`
    /// FAQ f's normalised question + answer.
    pub fn build(questions: &[String], faq_texts: &[String]) -> AnswerViews {
        let vectoriser = Vectoriser::fit(answer_features(), faq_texts, 1);
        let tfidf = faq_texts.iter().map(|t| vectoriser.transform(t)).collect();
        let mut views = AnswerViews { vectoriser: Some(vectoriser), tfidf, ..AnswerViews::default() };
        views.rebuild(questions, faq_texts);
        views
    }

    /// Recomputes the word-vector means (not serialised: the table may change between runs).
    pub fn rebuild(&mut self, questions: &[String], faq_texts: &[String]) {
        let Some(v) = crate::embed::vectors() else {
            self.dim = 0;
            return;
        };
        self.dim = v.dim();
        self.top_idf = self.vectoriser.as_ref().map_or(IDF_FLOOR, |t| t.idf.iter().copied().fold(IDF_FLOOR, f32::max));
        let idf = self.vectoriser.as_ref().map(|t| (t, self.top_idf));
        let dense_questions = questions.iter().flat_map(|q| sentence(&v, idf, q)).collect();
        let dense_answers = faq_texts.iter().flat_map(|t| sentence(&v, idf, t)).collect();
        (self.dense_questions, self.dense_answers) = (dense_questions, dense_answers);
    }

    fn idf(&self) -> Option<(&Vectoriser, f32)> {
        self.vectoriser.as_ref().map(|t| (t, self.top_idf))
    }

    /// Query-side vectors, computed once per question.
    pub fn query(&self, normalised: &str) -> (SparseVec, Vec<f32>) {
        let tfidf = self.vectoriser.as_ref().map(|v| v.transform(normalised)).unwrap_or_default();
        let dense = match (crate::embed::vectors(), self.dim) {
            (Some(v), d) if d == v.dim() => sentence(&v, self.idf(), normalised),
            _ => Vec::new(),
        };
        (tfidf, dense)
    }

    /// Char n-gram cosine with FAQ `faq`'s question + answer.
    pub fn cos_answer(&self, q: &SparseVec, faq: usize) -> f32 {
        self.tfidf.get(faq).map_or(0.0, |d| super::cosine(q, d))
    }

    /// Word-vector cosine with indexed question `doc` (0 without vectors).
    pub fn vec_question(&self, q: &[f32], doc: usize) -> f32 {
        if q.is_empty() || self.dim == 0 {
            return 0.0;
        }
        self.dense_questions.get(doc * self.dim..(doc + 1) * self.dim).map_or(0.0, |d| dot(q, d).max(0.0))
    }

    /// Word-vector cosine with FAQ `faq`'s question + answer (0 without vectors).
    pub fn vec_answer(&self, q: &[f32], faq: usize) -> f32 {
        if q.is_empty() || self.dim == 0 {
            return 0.0;
        }
        self.dense_answers.get(faq * self.dim..(faq + 1) * self.dim).map_or(0.0, |d| dot(q, d).max(0.0))
    }
}
