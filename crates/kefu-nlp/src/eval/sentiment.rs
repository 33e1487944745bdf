//! online_shopping_10_cats: sentiment and product-category accuracy on the hash split.

use serde::Serialize;

use super::data::{is_test_row, Review};
use super::intent::AccuracyReport;
use super::metrics::{fraction, timed};
use crate::intent::{ClassifierConfig, TextClassifier};
use crate::sentiment::{SentimentModel, NEGATIVE, POSITIVE};
use crate::Error;

/// Sentiment and category figures.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewReport {
    /// Positive/negative accuracy of the sentiment model.
    pub sentiment: AccuracyReport,
    /// 10-category accuracy.
    pub category10: AccuracyReport,
}

/// Positive/negative accuracy on the test part when the team's short chat messages (three
/// classes, with neutral) are added to the review train part, as in the shipped default model.
pub fn sentiment_with_extra(reviews: &[Review], extra: &[(String, String)], cfg: &ClassifierConfig) -> Result<f64, Error> {
    let (train, test): (Vec<&Review>, Vec<&Review>) = reviews.iter().partition(|r| !is_test_row(&r.text));
    let mut examples: Vec<(String, String)> =
        train.iter().map(|r| (r.text.clone(), if r.positive { POSITIVE } else { NEGATIVE }.to_string())).collect();
    examples.extend(extra.iter().cloned());
    let model = SentimentModel::train(&examples, cfg)?;
    Ok(fraction(test.iter().filter(|r| model.is_positive(&r.text) == r.positive).count(), test.len()))
}

/// Trains on the train part of the hash split (plus `extra` labelled messages), reports the test part.
pub fn evaluate_reviews(reviews: &[Review], extra: &[(String, String)], cfg: &ClassifierConfig, limit: usize) -> Result<ReviewReport, Error> {
    let (train, test): (Vec<&Review>, Vec<&Review>) = reviews.iter().partition(|r| !is_test_row(&r.text));
    let train: Vec<&Review> = train.into_iter().take(limit).collect();
    let test: Vec<&Review> = test.into_iter().take(limit / 4 + 1).collect();
    let mut examples: Vec<(String, String)> =
        train.iter().map(|r| (r.text.clone(), if r.positive { POSITIVE } else { NEGATIVE }.to_string())).collect();
    examples.extend(extra.iter().cloned());
    let (model, secs) = timed(|| SentimentModel::train(&examples, cfg));
    let model = model?;
    let hits = test.iter().filter(|r| model.is_positive(&r.text) == r.positive).count();
    let sentiment = AccuracyReport { accuracy: fraction(hits, test.len()), train_size: examples.len(), test_size: test.len(), train_seconds: secs };
    let cats: Vec<(String, String)> = train.iter().map(|r| (r.text.clone(), r.category.clone())).collect();
    let (cat_model, secs) = timed(|| TextClassifier::train(&cats, cfg));
    let cat_model = cat_model?;
    let hits = test.iter().filter(|r| cat_model.predict(&r.text, 1).top.first().is_some_and(|p| p.0 == r.category)).count();
    let category10 = AccuracyReport { accuracy: fraction(hits, test.len()), train_size: cats.len(), test_size: test.len(), train_seconds: secs };
    Ok(ReviewReport { sentiment, category10 })
}
