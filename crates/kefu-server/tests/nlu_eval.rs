//! `kefu nlu eval --quick --json` on the shared data sets: fails when a headline metric falls
//! more than one point below what the engine reached when these floors were set.

use std::process::Command;

/// (data set, metric, floor) — each floor is the quick run's figure minus one point.
const FLOORS: &[(&str, &str, f64)] = &[
    ("clinc150", "accuracy", 0.930),
    ("clinc150", "oos_recall", 0.926),
    ("banking77", "accuracy", 0.910),
    ("smp2019", "accuracy", 0.879),
    ("atec", "recall_at_1", 0.132),
    ("atec", "mrr", 0.231),
    ("sentiment", "accuracy", 0.920),
    ("category10", "accuracy", 0.876),
    ("hotspot_dev", "l1", 0.828),
    ("hotspot_dev", "l2", 0.757),
];

/// A data folder that does not exist: only the embedded dev sets are scored.
const NO_DATA_SETS: &str = "/nonexistent-kefu-datasets";

/// `kefu nlu eval --quick --json` over the data sets in `data`, as one JSON report.
fn quick_report(data: &str) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args(["nlu", "eval", "--quick", "--json", "--data", data])
        .output()
        .expect("kefu runs");
    assert!(out.status.success(), "kefu nlu eval failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("one JSON object on stdout")
}

#[test]
fn nlu_eval_quick_keeps_its_floors() {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/datasets");
    if !std::path::Path::new(data).join("intent/clinc150/data_full.json").exists() {
        println!("skipped: no data sets at {data}");
        return;
    }
    let report = quick_report(data);
    let mut failures = Vec::new();
    for (set, metric, floor) in FLOORS {
        match report[set][metric].as_f64() {
            Some(v) if v >= *floor => println!("{set}.{metric} = {v:.4} (floor {floor})"),
            Some(v) => failures.push(format!("{set}.{metric} = {v:.4} < floor {floor}")),
            None => failures.push(format!("{set}.{metric} missing from the report")),
        }
    }
    for key in ["analyze_p50", "analyze_p99"] {
        assert!(report["latency_us"][key].as_f64().is_some(), "latency_us.{key} missing");
    }
    assert!(failures.is_empty(), "metrics below their floors:\n{}", failures.join("\n"));
}

/// (part, metric, floor) of the paraphrase section: the figure measured when set (issue 22's
/// fused retrieval, 2026-12-03) minus one point.
const PARAPHRASE_FLOORS: &[(&str, &str, f64)] = &[
    ("dev", "top1", 0.246),
    ("dev", "top3", 0.715),
    ("dev", "unanswerable_declined", 0.854),
    ("test", "top1", 0.202),
    ("test", "top3", 0.709),
    ("test", "unanswerable_declined", 0.717),
];

/// The paraphrase dev set is embedded, so its section is there even without the data sets.
#[test]
fn nlu_eval_scores_the_paraphrase_dev_set_in_both_parts() {
    let report = quick_report(NO_DATA_SETS);
    let p = &report["paraphrase"];
    assert_eq!(p["faqs"], 64, "{p}");
    for part in ["dev", "test"] {
        assert_eq!((p[part]["answerable"].as_u64(), p[part]["unanswerable"].as_u64()), (Some(160), Some(22)), "{part}: {p}");
        for metric in ["top1", "top3", "answerable_declined", "unanswerable_declined"] {
            let v = p[part][metric].as_f64().unwrap_or(-1.0);
            assert!((0.0..=1.0).contains(&v), "{part}.{metric} = {v}");
        }
    }
    for (part, metric, floor) in PARAPHRASE_FLOORS {
        let v = p[part][metric].as_f64().unwrap_or(-1.0);
        println!("paraphrase {part}.{metric} = {v:.4} (floor {floor})");
        assert!(v >= *floor, "paraphrase {part}.{metric} = {v:.4} < floor {floor}");
    }
}

/// The hand-off set is embedded too: wants-a-person and strong-emotion F1 on both parts, each
/// floor the figure measured when it was set minus one point (dev 1.000 / 0.987, test 1.000 / 0.921).
#[test]
fn nlu_eval_scores_the_handoff_detectors() {
    const HANDOFF_FLOORS: &[(&str, &str, f64)] =
        &[("dev", "wants_person", 0.990), ("dev", "strong_emotion", 0.977), ("test", "wants_person", 0.990), ("test", "strong_emotion", 0.911)];
    let report = quick_report(NO_DATA_SETS);
    let h = &report["handoff"];
    for (part, flag, floor) in HANDOFF_FLOORS {
        let score = &h[part][flag];
        let f1 = score["f1"].as_f64().unwrap_or(-1.0);
        assert!(f1 >= *floor, "handoff.{part}.{flag}.f1 = {f1} < {floor}: {score}");
        assert!(score["precision"].as_f64().is_some() && score["recall"].as_f64().is_some(), "{score}");
    }
    assert!(h["dev"]["messages"].as_u64().unwrap_or(0) + h["test"]["messages"].as_u64().unwrap_or(0) >= 300, "{h}");
}
