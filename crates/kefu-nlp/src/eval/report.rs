//! The whole evaluation: every data set at hand, latency, training times, one serialisable report.

use serde::Serialize;

use super::data::{self, is_test_row};
use super::faq::AtecReport;
use super::hotspot::HotspotReport;
use super::intent::{AccuracyReport, ClincReport};
use super::metrics::{quantile, timed};
use crate::engine::{analyze_with, ShopModels};
use crate::faq::{FaqConfig, FaqEntry, FaqIndex};
use crate::intent::{ClassifierConfig, TextClassifier};
use crate::Error;

/// Data-set files, relative to the datasets folder, in the order of [`DatasetTexts::set`].
pub const FILES: &[&str] = &[
    "intent/clinc150/data_full.json",
    "intent/banking77/train.csv",
    "intent/banking77/test.csv",
    "intent/smp2019/2019train.json",
    "faq/atec/atec_nlp_sim_train.csv",
    "sentiment/online_shopping_10_cats/online_shopping_10_cats.csv",
];

/// Contents of the data-set files the caller could read (None when absent).
#[derive(Debug, Default, Clone)]
pub struct DatasetTexts {
    files: Vec<Option<String>>,
}

impl DatasetTexts {
    /// Stores the contents of `FILES[i]`.
    pub fn set(&mut self, i: usize, text: Option<String>) {
        if self.files.len() <= i {
            self.files.resize(i + 1, None);
        }
        self.files[i] = text;
    }
    fn get(&self, path: &str) -> Option<&str> {
        let i = FILES.iter().position(|f| *f == path)?;
        self.files.get(i)?.as_deref()
    }
}

/// Sentiment figures on online_shopping_10_cats.
#[derive(Debug, Clone, Serialize)]
pub struct SentimentReport {
    /// Positive/negative accuracy, trained on the review train part only.
    pub accuracy: f64,
    /// The same with the team's chat corpus (and its neutral class) added, as shipped.
    pub accuracy_with_team_corpus: f64,
    /// Sizes and training time of the headline model.
    pub detail: AccuracyReport,
}

/// Python TF-IDF + LinearSVC figures measured on this machine (datasets README).
#[derive(Debug, Clone, Serialize)]
pub struct Baselines {
    /// CLINC150 in-scope accuracy.
    pub clinc150_accuracy: f64,
    /// Banking77 accuracy.
    pub banking77_accuracy: f64,
    /// online_shopping sentiment accuracy.
    pub sentiment_accuracy: f64,
    /// online_shopping 10-category accuracy.
    pub category10_accuracy: f64,
}

/// Latency of `analyze` per message, in microseconds.
#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    /// Median.
    pub analyze_p50: f64,
    /// 99th percentile.
    pub analyze_p99: f64,
    /// FAQs in the index searched on every message.
    pub faq_size: usize,
    /// Intents of the shop intent model run on every message.
    pub intents: usize,
    /// Messages timed.
    pub messages: usize,
}

/// The report `kefu nlu eval --json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    /// True for the reduced CI run.
    pub quick: bool,
    /// CLINC150.
    pub clinc150: Option<ClincReport>,
    /// Banking77.
    pub banking77: Option<AccuracyReport>,
    /// SMP2019, domain+intent.
    pub smp2019: Option<AccuracyReport>,
    /// ATEC as FAQ retrieval.
    pub atec: Option<AtecReport>,
    /// online_shopping sentiment.
    pub sentiment: Option<SentimentReport>,
    /// online_shopping 10 categories.
    pub category10: Option<AccuracyReport>,
    /// Hotspot dev set.
    pub hotspot_dev: HotspotReport,
    /// Latency of analyze.
    pub latency_us: Latency,
    /// Reference figures.
    pub baseline_python_tfidf_svm: Baselines,
    /// Seconds the whole evaluation took.
    pub total_seconds: f64,
}

/// Settings of the intent classifier (see [`crate::intent::recommended_config`]).
pub fn intent_config() -> ClassifierConfig {
    crate::intent::recommended_config()
}

/// Runs everything whose data is at hand. `quick` caps the slow parts for CI.
pub fn run_eval(data: &DatasetTexts, quick: bool) -> Result<EvalReport, Error> {
    let started = std::time::Instant::now();
    let cfg = intent_config();
    let clinc = match data.get(FILES[0]) {
        Some(t) => Some(super::intent::evaluate_clinc(&data::parse_clinc(t)?, &cfg)?),
        None => None,
    };
    let banking77 = match (data.get(FILES[1]), data.get(FILES[2])) {
        (Some(tr), Some(te)) => Some(super::intent::accuracy_of(&data::parse_banking77(tr), &data::parse_banking77(te), &cfg)?),
        _ => None,
    };
    let smp_rows = data.get(FILES[3]).map(data::parse_smp2019).transpose()?;
    let smp2019 = match &smp_rows {
        Some(rows) => {
            let (tr, te) = super::intent::hash_split(rows);
            Some(super::intent::accuracy_of(&tr, &te, &cfg)?)
        }
        None => None,
    };
    let pairs = data.get(FILES[4]).map(data::parse_atec);
    let atec = pairs.as_ref().map(|p| super::faq::evaluate_atec(p, if quick { 400 } else { usize::MAX }));
    let (sentiment, category10) = match data.get(FILES[5]) {
        Some(csv) => {
            let mut reviews = data::parse_online_shopping(csv);
            if quick {
                // Every third review keeps all ten categories in the quick run.
                reviews = reviews.into_iter().step_by(3).collect();
            }
            // Headline: trained on the review train part only, like the Python baseline.
            let r = super::sentiment::evaluate_reviews(&reviews, &[], &review_config(), usize::MAX)?;
            let extra = super::sentiment::sentiment_with_extra(&reviews, &crate::model::own_sentiment_examples(), &review_config())?;
            (Some(SentimentReport { accuracy: r.sentiment.accuracy, accuracy_with_team_corpus: extra, detail: r.sentiment }), Some(r.category10))
        }
        None => (None, None),
    };
    let hotspot_dev = super::hotspot::evaluate_hotspot(crate::hotspot::corpus::CORPUS)?;
    let latency_us = latency(pairs.as_deref(), smp_rows.as_ref(), if quick { 1_000 } else { 5_000 })?;
    Ok(EvalReport {
        quick,
        clinc150: clinc,
        banking77,
        smp2019,
        atec,
        sentiment,
        category10,
        hotspot_dev,
        latency_us,
        baseline_python_tfidf_svm: Baselines { clinc150_accuracy: 0.927, banking77_accuracy: 0.914, sentiment_accuracy: 0.939, category10_accuracy: 0.906 },
        total_seconds: started.elapsed().as_secs_f64(),
    })
}

/// Settings for the review models (sentiment and category): those of the default sentiment model.
pub fn review_config() -> ClassifierConfig {
    crate::sentiment::default_config()
}

/// Times `analyze` with a shop of 10,000 FAQs and an intent model on Chinese messages.
pub fn latency(pairs: Option<&[data::QuestionPair]>, smp: Option<&data::Labelled>, messages: usize) -> Result<Latency, Error> {
    let corpus = crate::hotspot::corpus::parse_corpus(crate::hotspot::corpus::CORPUS);
    let mut questions: Vec<String> = pairs.map(|p| p.iter().flat_map(|q| [q.q1.clone(), q.q2.clone()]).collect()).unwrap_or_default();
    questions.extend(corpus.iter().map(|r| r.0.clone()));
    let mut seen = std::collections::HashSet::new();
    questions.retain(|q| seen.insert(q.clone()));
    let faqs: Vec<FaqEntry> = questions
        .iter()
        .take(10_000)
        .enumerate()
        .map(|(i, q)| FaqEntry { id: i.to_string(), standard_question: q.clone(), similar_questions: Vec::new(), answer: String::new() })
        .collect();
    let faq_size = faqs.len();
    let faq = FaqIndex::build(faqs, FaqConfig::default());
    let intent_rows: Vec<(String, String)> = match smp {
        Some(rows) => rows.iter().filter(|(t, _)| !is_test_row(t)).cloned().collect(),
        None => corpus.clone(),
    };
    let intents = TextClassifier::train(&intent_rows, &intent_config())?;
    let n_intents = intents.labels.len();
    let shop = ShopModels { intents: Some(intents), faq: Some(faq), products: None };
    let models = crate::engine::default_models();
    // Half shop-style messages (the hotspot corpus), half ATEC questions not in the index (the
    // worst case: they share their commonest words with most of it).
    let unindexed: Vec<&String> = questions.iter().skip(10_000).filter(|q| !corpus.iter().any(|r| &r.0 == *q)).collect();
    let texts: Vec<&String> = corpus
        .iter()
        .map(|r| &r.0)
        .cycle()
        .zip(unindexed.iter().copied().chain(corpus.iter().map(|r| &r.0)).cycle())
        .flat_map(|(a, b)| [a, b])
        .take(messages)
        .collect();
    for t in texts.iter().take(50) {
        analyze_with(&models, Some(&shop), t);
    }
    let mut us: Vec<f64> = texts.iter().map(|t| timed(|| analyze_with(&models, Some(&shop), t)).1 * 1e6).collect();
    Ok(Latency {
        analyze_p50: quantile(&mut us, 0.5),
        analyze_p99: quantile(&mut us, 0.99),
        faq_size,
        intents: n_intents,
        messages: us.len(),
    })
}
