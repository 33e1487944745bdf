//! Tuning runs for the intent settings on validation data only:
//! `tune [DATASETS_DIR] [clinc|banking|smp|all] [--test]`.
//! CLINC150: train on train, score on val. Banking77 and SMP2019: a validation part is carved
//! out of the training file by the row hash (FNV-1a-64 of the text mod 5 == 1; SMP's own test
//! part, mod 5 == 0, stays out). `--test` also prints the test figures (for the final table only:
//! never choose settings by them). Settings: the environment variables read below, on top of
//! `recommended_config()`.
use kefu_nlp::eval::data::{self, Labelled};
use kefu_nlp::features::hash_str;
use kefu_nlp::intent::{recommended_config, ClassifierConfig, TextClassifier};

fn is_val(text: &str) -> bool {
    hash_str(0, text) % 5 == 1
}

fn acc(model: &TextClassifier, rows: &Labelled) -> f64 {
    let hits = rows.iter().filter(|(t, l)| model.predict(t, 1).top.first().is_some_and(|p| &p.0 == l)).count();
    hits as f64 / rows.len().max(1) as f64
}

/// Mean over classes of the fraction of the class's rows labelled right (what accuracy on a
/// balanced test set estimates).
fn macro_recall(model: &TextClassifier, rows: &Labelled) -> f64 {
    let mut per: std::collections::HashMap<&str, (usize, usize)> = Default::default();
    for (t, l) in rows {
        let e = per.entry(l.as_str()).or_default();
        e.1 += 1;
        if model.predict(t, 1).top.first().is_some_and(|p| &p.0 == l) {
            e.0 += 1;
        }
    }
    per.values().map(|&(h, n)| h as f64 / n as f64).sum::<f64>() / per.len().max(1) as f64
}

fn config() -> ClassifierConfig {
    let mut cfg = recommended_config();
    let env = |k: &str| std::env::var(k).ok();
    if let Some(v) = env("LOSS") {
        cfg.train.loss = match v.as_str() {
            "hinge" => kefu_nlp::linear::Loss::Hinge,
            "softmax" => kefu_nlp::linear::Loss::Softmax,
            "ovr" => kefu_nlp::linear::Loss::SquaredHingeOvr,
            _ => panic!("LOSS"),
        };
    }
    if let Some(v) = env("MIX") {
        let (l, w) = v.split_once(':').unwrap();
        let loss = match l {
            "hinge" => kefu_nlp::linear::Loss::Hinge,
            "softmax" => kefu_nlp::linear::Loss::Softmax,
            "ovr" => kefu_nlp::linear::Loss::SquaredHingeOvr,
            _ => panic!("MIX"),
        };
        cfg.train.mix = Some((loss, w.parse().unwrap()));
    }
    if let Some(v) = env("BLOCKS") {
        if v == "none" {
            cfg.features.block_weights = None;
        } else {
            let w: Vec<f32> = v.split(',').map(|x| x.parse().unwrap()).collect();
            cfg.features.block_weights = Some([w[0], w[1], w[2], w[3]]);
        }
    }
    if let Some(v) = env("EPOCHS") { cfg.train.epochs = v.parse().unwrap(); }
    if let Some(v) = env("LR") { cfg.train.learning_rate = v.parse().unwrap(); }
    if let Some(v) = env("L2") { cfg.train.l2 = v.parse().unwrap(); }
    if let Some(v) = env("MINDF") { cfg.min_df = v.parse().unwrap(); }
    if let Some(v) = env("LCH") { let (a, b) = v.split_once(',').unwrap(); cfg.features.latin_chars = (a.parse().unwrap(), b.parse().unwrap()); }
    if let Some(v) = env("CCH") { let (a, b) = v.split_once(',').unwrap(); cfg.features.cjk_chars = (a.parse().unwrap(), b.parse().unwrap()); }
    if let Some(v) = env("DENSE") { cfg.dense_weight = v.parse().unwrap(); }
    if let Some(v) = env("AVG") { cfg.train.average_of = v.parse().unwrap(); }
    if let Some(v) = env("BIGRAMS") { cfg.features.bigrams = v == "1"; }
    if let Some(v) = env("STEMS") { cfg.features.stems_and_skips = v == "1"; }
    if let Some(v) = env("BAL") { cfg.train.class_balance = v.parse().unwrap(); }
    if let Some(v) = env("SIF") { cfg.dense_idf_power = v.parse().unwrap(); }
    if let Some(v) = env("AVGE") { cfg.train.average_epochs = v.parse().unwrap(); }
    if let Some(p) = env("VECTORS") {
        let mut table = if p == "none" { None } else { Some(kefu_nlp::embed::WordVectors::from_bytes(&std::fs::read(p).unwrap()).unwrap()) };
        if let (Some(t), Some(w)) = (table.as_mut(), env("PAIRW")) {
            t.pair_weight = w.parse().unwrap();
        }
        kefu_nlp::embed::install(table);
    }
    if let Some(v) = env("MAXPOOL") { cfg.max_pool_weight = v.parse().unwrap(); }
    if let Some(v) = env("SEED") { cfg.train.seed = v.parse().unwrap(); }
    cfg
}

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "../shared/datasets".into());
    let which = std::env::args().nth(2).unwrap_or_else(|| "all".into());
    let test = std::env::args().any(|a| a == "--test");
    let read = |p: &str| std::fs::read_to_string(format!("{dir}/{p}")).expect(p);
    let cfg = config();
    let mut line = Vec::new();
    if which == "all" || which == "clinc" {
        let c = data::parse_clinc(&read("intent/clinc150/data_full.json")).unwrap();
        let t = std::time::Instant::now();
        let m = TextClassifier::train(&c.train, &cfg).unwrap();
        let secs = t.elapsed().as_secs_f64();
        line.push(format!("clinc val {:.4} ({secs:.2}s)", acc(&m, &c.val)));
        if test {
            line.push(format!("clinc TEST {:.4}", acc(&m, &c.test)));
        }
    }
    if which == "all" || which == "banking" {
        let tr = data::parse_banking77(&read("intent/banking77/train.csv"));
        let (val, fit): (Labelled, Labelled) = tr.iter().cloned().partition(|(t, _)| is_val(t));
        let t = std::time::Instant::now();
        let m = TextClassifier::train(&fit, &cfg).unwrap();
        let secs = t.elapsed().as_secs_f64();
        if std::env::var("ERRORS").is_ok() {
            let mut conf: std::collections::HashMap<(String, String), usize> = Default::default();
            for (t, l) in &val {
                let p = m.predict(t, 1).top[0].0.clone();
                if &p != l {
                    *conf.entry((l.clone(), p.clone())).or_default() += 1;
                    eprintln!("{l} -> {p}: {t}");
                }
            }
            let mut c: Vec<_> = conf.into_iter().collect();
            c.sort_by_key(|x| std::cmp::Reverse(x.1));
            for ((l, p), n) in c.iter().take(25) {
                eprintln!("{n:3} {l} -> {p}");
            }
        }
        line.push(format!("banking val {:.4} macro {:.4} ({secs:.2}s)", acc(&m, &val), macro_recall(&m, &val)));
        if test {
            let te = data::parse_banking77(&read("intent/banking77/test.csv"));
            let m = TextClassifier::train(&tr, &cfg).unwrap();
            line.push(format!("banking TEST {:.4}", acc(&m, &te)));
        }
    }
    if which == "all" || which == "smp" {
        let rows = data::parse_smp2019(&read("intent/smp2019/2019train.json")).unwrap();
        let (te, tr): (Labelled, Labelled) = rows.iter().cloned().partition(|(t, _)| data::is_test_row(t));
        let (val, fit): (Labelled, Labelled) = tr.iter().cloned().partition(|(t, _)| is_val(t));
        let m = TextClassifier::train(&fit, &cfg).unwrap();
        line.push(format!("smp val {:.4}", acc(&m, &val)));
        if test {
            let m = TextClassifier::train(&tr, &cfg).unwrap();
            line.push(format!("smp TEST {:.4}", acc(&m, &te)));
        }
    }
    if which == "all" || which == "smp" {
        // SMP2019's validation part is small (~420 rows): 5-fold cross-validation over its
        // training part (folds by another hash of the text) gives every training row one vote.
        let rows = data::parse_smp2019(&read("intent/smp2019/2019train.json")).unwrap();
        let tr: Labelled = rows.into_iter().filter(|(t, _)| !data::is_test_row(t)).collect();
        let mut hits = 0;
        for fold in 0..5 {
            let (val, fit): (Labelled, Labelled) = tr.iter().cloned().partition(|(t, _)| hash_str(1, t) % 5 == fold);
            let m = TextClassifier::train(&fit, &cfg).unwrap();
            hits += val.iter().filter(|(t, l)| m.predict(t, 1).top.first().is_some_and(|p| &p.0 == l)).count();
        }
        line.push(format!("smp cv {:.4}", hits as f64 / tr.len() as f64));
    }
    println!("{}", line.join(" | "));
}
