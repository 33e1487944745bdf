//! The human-readable table `kefu nlu eval` prints.

use std::fmt::Write;

use super::report::EvalReport;

fn pct(v: f64) -> String {
    format!("{:.1}", v * 100.0)
}

impl EvalReport {
    /// One line per metric: data set, metric, kefu's figure, the Python baseline where there is one.
    pub fn table(&self) -> String {
        let mut rows: Vec<(String, String, String, String)> = Vec::new();
        let b = &self.baseline_python_tfidf_svm;
        let mut row = |set: &str, metric: &str, v: String, base: String| rows.push((set.into(), metric.into(), v, base));
        if let Some(c) = &self.clinc150 {
            row("clinc150", "accuracy % (in-scope)", pct(c.accuracy), pct(b.clinc150_accuracy));
            row("clinc150", "accuracy % with oos rejection", pct(c.accuracy_with_rejection), "-".into());
            row("clinc150", "oos recall %", pct(c.oos_recall), "-".into());
            row("clinc150", "train s", format!("{:.2}", c.train_seconds), "-".into());
        }
        if let Some(r) = &self.banking77 {
            row("banking77", "accuracy %", pct(r.accuracy), pct(b.banking77_accuracy));
            row("banking77", "train s", format!("{:.2}", r.train_seconds), "-".into());
        }
        if let Some(r) = &self.smp2019 {
            row("smp2019", "domain+intent accuracy %", pct(r.accuracy), "-".into());
            row("smp2019", "train s", format!("{:.2}", r.train_seconds), "-".into());
        }
        if let Some(a) = &self.atec {
            let base = &a.baseline_tfidf_cosine;
            row("atec", "recall@1 %", pct(a.recall_at_1), format!("{} (tf-idf cosine)", pct(base.recall_at_1)));
            row("atec", "mrr", format!("{:.3}", a.mrr), format!("{:.3} (tf-idf cosine)", base.mrr));
            row("atec", "rejection auc", format!("{:.3}", a.rejection_auc), format!("{:.3} (tf-idf cosine)", base.rejection_auc));
            row("atec", "answered right / unknown rejected %", format!("{} / {}", pct(a.answered_correct), pct(a.rejected_unknown)), "-".into());
        }
        if let Some(r) = &self.sentiment {
            row("online_shopping", "sentiment accuracy %", pct(r.accuracy), pct(b.sentiment_accuracy));
            row("online_shopping", "  with team chat corpus added %", pct(r.accuracy_with_team_corpus), "-".into());
            row("online_shopping", "sentiment train s", format!("{:.2}", r.detail.train_seconds), "-".into());
        }
        if let Some(r) = &self.category10 {
            row("online_shopping", "10-category accuracy %", pct(r.accuracy), pct(b.category10_accuracy));
        }
        let h = &self.hotspot_dev;
        row("hotspot dev", "level-1 / level-2 accuracy %", format!("{} / {}", pct(h.l1), pct(h.l2)), "-".into());
        let l = &self.latency_us;
        row("analyze", "latency p50 / p99 µs", format!("{:.0} / {:.0}", l.analyze_p50, l.analyze_p99), "-".into());
        let mut out = String::new();
        let _ = writeln!(out, "{:<16} {:<38} {:>14}  python tf-idf+svm", "data set", "metric", "kefu");
        for (s, m, v, base) in rows {
            let _ = writeln!(out, "{s:<16} {m:<38} {v:>14}  {base}");
        }
        let _ = writeln!(out, "({} run, {:.1} s)", if self.quick { "quick" } else { "full" }, self.total_seconds);
        out
    }
}
