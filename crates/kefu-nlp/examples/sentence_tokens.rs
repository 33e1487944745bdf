//! Writes the training sentences the word-vector regression learns from, one JSON object a line:
//! `sentence_tokens DATASETS_DIR > sentences.jsonl`. Each line holds the source, the part
//! ("train", or "val" for CLINC150's val split and Banking77's validation fifth, FNV-1a-64 of the
//! text mod 5 == 1), the label (intents only), the raw text and the keys kefu looks up for it:
//! the words of the normalised text (`for_each_word`) and the word pairs ("w1 w2") exactly as
//! `WordVectors::weighted_sentence` forms them. No test row is ever written (CLINC150 test, the
//! hash-split test parts of SMP2019, ATEC, online_shopping and the hotspot corpus).
use kefu_nlp::eval::data;
use kefu_nlp::features::hash_str;
use kefu_nlp::normalise::normalise;
use kefu_nlp::tokenise::for_each_word;

fn emit(src: &str, part: &str, label: &str, text: &str) {
    let n = normalise(text);
    let mut words = Vec::new();
    let mut pairs = Vec::new();
    let mut prev = String::new();
    for_each_word(&n, |w| {
        words.push(w.to_string());
        let alnum = w.chars().any(char::is_alphanumeric);
        if !prev.is_empty() && alnum {
            pairs.push(format!("{prev} {w}"));
        }
        prev.clear();
        if alnum {
            prev.push_str(w);
        }
    });
    let line = serde_json::json!({"src": src, "part": part, "label": label, "text": text, "words": words, "pairs": pairs});
    println!("{line}");
}

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "../shared/datasets".into());
    let read = |p: &str| std::fs::read_to_string(format!("{dir}/{p}")).unwrap_or_default();
    let is_val = |t: &str| hash_str(0, t) % 5 == 1;
    if let Ok(c) = data::parse_clinc(&read("intent/clinc150/data_full.json")) {
        c.train.iter().for_each(|(t, l)| emit("clinc", "train", l, t));
        c.val.iter().for_each(|(t, l)| emit("clinc", "val", l, t));
    }
    for (t, l) in data::parse_banking77(&read("intent/banking77/train.csv")) {
        emit("banking", if is_val(&t) { "val" } else { "train" }, &l, &t);
    }
    if let Ok(rows) = data::parse_smp2019(&read("intent/smp2019/2019train.json")) {
        rows.iter().filter(|(t, _)| !data::is_test_row(t)).for_each(|(t, l)| emit("smp", "train", l, t));
    }
    use kefu_nlp::hotspot::corpus;
    for (t, _) in corpus::parse_corpus(corpus::CORPUS).into_iter().filter(|(t, _)| !data::is_test_row(t)) {
        emit("hotspot", "train", "", &t);
    }
    for (t, _) in corpus::parse_corpus(kefu_nlp::model::SENTIMENT_CORPUS) {
        emit("sentiment", "train", "", &t);
    }
    let mut seen = std::collections::HashSet::new();
    for p in data::parse_atec(&read("faq/atec/atec_nlp_sim_train.csv")) {
        for q in [p.q1, p.q2] {
            if !data::is_test_row(&q) && seen.insert(q.clone()) {
                emit("atec", "train", "", &q);
            }
        }
    }
    for r in data::parse_online_shopping(&read("sentiment/online_shopping_10_cats/online_shopping_10_cats.csv")) {
        if !data::is_test_row(&r.text) && seen.insert(r.text.clone()) {
            emit("shopping", "train", "", &r.text);
        }
    }
}
