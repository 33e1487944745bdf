//! Runs the evaluation on ../shared/datasets (or the folder given as first argument).
use kefu_nlp::eval::{data, intent};
use kefu_nlp::intent::ClassifierConfig;

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "../shared/datasets".into());
    let which = std::env::args().nth(2).unwrap_or_default();
    let read = |p: &str| std::fs::read_to_string(format!("{dir}/{p}")).expect(p);
    let mut cfg = ClassifierConfig::default();
    let env = |k: &str| std::env::var(k).ok();
    if let Some(v) = env("LOSS") { cfg.train.loss = if v == "hinge" { kefu_nlp::linear::Loss::Hinge } else { kefu_nlp::linear::Loss::Softmax }; }
    if let Some(v) = env("EPOCHS") { cfg.train.epochs = v.parse().unwrap(); }
    if let Some(v) = env("LR") { cfg.train.learning_rate = v.parse().unwrap(); }
    if let Some(v) = env("L2") { cfg.train.l2 = v.parse().unwrap(); }
    if let Some(v) = env("MINDF") { cfg.min_df = v.parse().unwrap(); }
    if let Some(v) = env("LCH") { let (a, b) = v.split_once(',').unwrap(); cfg.features.latin_chars = (a.parse().unwrap(), b.parse().unwrap()); }
    if let Some(v) = env("CCH") { let (a, b) = v.split_once(',').unwrap(); cfg.features.cjk_chars = (a.parse().unwrap(), b.parse().unwrap()); }
    if let Some(v) = env("BIGRAMS") { cfg.features.bigrams = v == "1"; }
    if which.is_empty() || which == "clinc" {
        let c = data::parse_clinc(&read("intent/clinc150/data_full.json")).unwrap();
        println!("clinc {:?}", intent::evaluate_clinc(&c, &cfg).unwrap());
    }
    if which.is_empty() || which == "banking" {
        let tr = data::parse_banking77(&read("intent/banking77/train.csv"));
        let te = data::parse_banking77(&read("intent/banking77/test.csv"));
        println!("banking {:?}", intent::accuracy_of(&tr, &te, &cfg).unwrap());
    }
    if which.is_empty() || which == "smp" {
        let rows = data::parse_smp2019(&read("intent/smp2019/2019train.json")).unwrap();
        let (tr, te) = intent::hash_split(&rows);
        println!("smp {:?}", intent::accuracy_of(&tr, &te, &cfg).unwrap());
    }
}
