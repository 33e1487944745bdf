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
    if let Some(v) = env("DENSE") { cfg.dense_weight = v.parse().unwrap(); }
    if let Some(v) = env("AVG") { cfg.train.average_of = v.parse().unwrap(); }
    if let Some(v) = env("NB") { cfg.contrast_weight = v.parse().unwrap(); }
    if let Some(v) = env("STEMS") { cfg.features.stems_and_skips = v == "1"; }
    if let Some(p) = env("VECTORS") { kefu_nlp::embed::install(Some(kefu_nlp::embed::WordVectors::from_bytes(&std::fs::read(p).unwrap()).unwrap())); }
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
    if which.is_empty() || which == "sent" {
        let rows = data::parse_online_shopping(&read("sentiment/online_shopping_10_cats/online_shopping_10_cats.csv"));
        let mut scfg = kefu_nlp::sentiment::default_config();
        if let Some(v) = env("LOSS") { scfg.train.loss = if v == "hinge" { kefu_nlp::linear::Loss::Hinge } else { kefu_nlp::linear::Loss::Softmax }; }
        if let Some(v) = env("L2") { scfg.train.l2 = v.parse().unwrap(); }
        if let Some(v) = env("EPOCHS") { scfg.train.epochs = v.parse().unwrap(); }
        if let Some(v) = env("MINDF") { scfg.min_df = v.parse().unwrap(); }
        if let Some(v) = env("CCH") { let (a, b) = v.split_once(',').unwrap(); scfg.features.cjk_chars = (a.parse().unwrap(), b.parse().unwrap()); }
        if let Some(v) = env("DENSE") { scfg.dense_weight = v.parse().unwrap(); }
        if let Some(v) = env("NB") { scfg.contrast_weight = v.parse().unwrap(); }
        println!("reviews {:?}", kefu_nlp::eval::sentiment::evaluate_reviews(&rows, &[], &scfg, usize::MAX).unwrap());
    }
    if which.is_empty() || which == "atec" {
        let pairs = data::parse_atec(&read("faq/atec/atec_nlp_sim_train.csv"));
        let t = std::time::Instant::now();
        println!("atec {:?} in {:?}", kefu_nlp::eval::faq::evaluate_atec(&pairs, usize::MAX), t.elapsed());
    }
    if which.is_empty() || which == "hotspot" {
        let mut hcfg = kefu_nlp::hotspot::default_config();
        if let Some(v) = env("DENSE") { hcfg.dense_weight = v.parse().unwrap(); }
        if let Some(v) = env("HLOSS") { hcfg.train.loss = if v == "hinge" { kefu_nlp::linear::Loss::Hinge } else { kefu_nlp::linear::Loss::Softmax }; }
        println!("hotspot {:?}", kefu_nlp::eval::hotspot::evaluate_hotspot_with(kefu_nlp::hotspot::corpus::CORPUS, &hcfg).unwrap());
    }
}
