//! Writes the word vocabulary the static embedding table covers: `vocabulary DATASETS_DIR > words.txt`.
//! Words of the training splits only (never a test split): intents, the team's corpora and the
//! most frequent review words.
use std::collections::HashMap;

use kefu_nlp::eval::data;
use kefu_nlp::normalise::normalise;
use kefu_nlp::tokenise::for_each_word;

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "../shared/datasets".into());
    let read = |p: &str| std::fs::read_to_string(format!("{dir}/{p}")).unwrap_or_default();
    let mut texts: Vec<String> = Vec::new();
    if let Ok(c) = data::parse_clinc(&read("intent/clinc150/data_full.json")) {
        texts.extend(c.train.into_iter().map(|r| r.0));
    }
    texts.extend(data::parse_banking77(&read("intent/banking77/train.csv")).into_iter().map(|r| r.0));
    if let Ok(rows) = data::parse_smp2019(&read("intent/smp2019/2019train.json")) {
        texts.extend(rows.into_iter().map(|r| r.0).filter(|t| !data::is_test_row(t)));
    }
    texts.extend(kefu_nlp::hotspot::corpus::parse_corpus(kefu_nlp::hotspot::corpus::CORPUS).into_iter().map(|r| r.0));
    texts.extend(kefu_nlp::hotspot::corpus::parse_keywords(kefu_nlp::hotspot::corpus::KEYWORDS).into_iter().map(|r| r.0));
    texts.extend(kefu_nlp::hotspot::corpus::parse_corpus(kefu_nlp::model::SENTIMENT_CORPUS).into_iter().map(|r| r.0));
    let mut counts: HashMap<String, usize> = HashMap::new();
    if let Some(min) = std::env::args().position(|a| a == "--bigrams").and_then(|i| std::env::args().nth(i + 1)) {
        // Word pairs (joined by one space) seen at least `min` times in the intent and corpus
        // training texts: phrases get vectors of their own ("top up", "card arrival").
        let min: usize = min.parse().expect("--bigrams MIN");
        for t in &texts {
            let mut prev: Option<String> = None;
            for_each_word(&normalise(t), |w| {
                if !w.chars().any(char::is_alphanumeric) {
                    prev = None;
                    return;
                }
                if let Some(p) = prev.replace(w.to_string()) {
                    *counts.entry(format!("{p} {w}")).or_default() += 1;
                }
            });
        }
        let mut pairs: Vec<String> = counts.into_iter().filter(|(p, c)| *c >= min && p.chars().count() <= 24).map(|(p, _)| p).collect();
        pairs.sort();
        for p in pairs {
            println!("{p}");
        }
        return;
    }
    for t in &texts {
        for_each_word(&normalise(t), |w| *counts.entry(w.to_string()).or_default() += 1);
    }
    let mut review_counts: HashMap<String, usize> = HashMap::new();
    for r in data::parse_online_shopping(&read("sentiment/online_shopping_10_cats/online_shopping_10_cats.csv")).into_iter().filter(|r| !data::is_test_row(&r.text)) {
        for_each_word(&normalise(&r.text), |w| *review_counts.entry(w.to_string()).or_default() += 1);
    }
    let mut reviews: Vec<(String, usize)> = review_counts.into_iter().filter(|(_, c)| *c >= 5).collect();
    reviews.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for (w, c) in reviews.into_iter().take(8000) {
        *counts.entry(w).or_default() += c;
    }
    let mut words: Vec<String> = counts.into_keys().filter(|w| !w.trim().is_empty() && w.chars().count() <= 12).collect();
    words.sort();
    for w in words {
        println!("{w}");
    }
}
