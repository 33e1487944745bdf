//! What a run found: figures with their targets and baseline ratios, per scenario, printed
//! as a table for people and written as JSON for tools.

use crate::env::Environment;
use crate::stats::Summary;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Which side of a target is good.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Cmp {
    /// The figure must be at least the target (throughput).
    AtLeast,
    /// The figure must be at most the target (latency, memory, time).
    AtMost,
}

/// A target from the issue.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct Target {
    /// Direction.
    pub cmp: Cmp,
    /// Threshold, in the figure's unit.
    pub value: f64,
}

/// One measured figure.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Figure {
    /// What it is.
    pub name: String,
    /// The measurement.
    pub value: f64,
    /// Its unit.
    pub unit: String,
    /// The target, if it sets one.
    pub target: Option<Target>,
    /// Whether the target is met (None without a target).
    pub met: Option<bool>,
    /// The same figure for the bare baseline peer.
    pub baseline: Option<f64>,
    /// value ÷ baseline.
    pub ratio: Option<f64>,
}

impl Figure {
    /// A figure without target or baseline.
    pub fn new(name: &str, value: f64, unit: &str) -> Self {
        Self { name: name.into(), value, unit: unit.into(), target: None, met: None, baseline: None, ratio: None }
    }

    /// Judge against a target.
    pub fn target(mut self, cmp: Cmp, value: f64) -> Self {
        self.met = Some(match cmp {
            Cmp::AtLeast => self.value >= value,
            Cmp::AtMost => self.value <= value,
        });
        self.target = Some(Target { cmp, value });
        self
    }

    /// Compare with the baseline peer's figure.
    pub fn baseline(mut self, value: f64) -> Self {
        self.baseline = Some(value);
        self.ratio = (value != 0.0 && value.is_finite()).then(|| self.value / value);
        self
    }

    /// Judge the ratio to the baseline against a limit (e.g. memory ≤ 1.6 × baseline); the
    /// figure counts as met only if both its target and this hold.
    pub fn ratio_at_most(mut self, limit: f64) -> Self {
        let ok = self.ratio.is_some_and(|r| r <= limit);
        self.met = Some(self.met.unwrap_or(true) && ok);
        self.name = format!("{} (≤ {limit} × baseline)", self.name);
        self
    }
}

/// What one scenario found.
#[derive(Clone, Debug, Serialize, Default)]
pub struct ScenarioReport {
    /// `idle`, `bot` …
    pub name: String,
    /// The sizes it ran with.
    pub params: BTreeMap<String, serde_json::Value>,
    /// Figures, in table order.
    pub figures: Vec<Figure>,
    /// Latency distributions by name (`kefu.ack`, `baseline.ack` …).
    pub latency: BTreeMap<String, Summary>,
    /// Errors: failed connects, drops, protocol errors. Any error fails the run.
    pub errors: Vec<String>,
    /// Plain remarks: what is not measured yet and why.
    pub notes: Vec<String>,
}

impl ScenarioReport {
    /// An empty report for a scenario.
    pub fn new(name: &str) -> Self {
        Self { name: name.into(), ..Default::default() }
    }

    /// Record a parameter.
    pub fn param(&mut self, key: &str, value: impl Serialize) {
        self.params.insert(key.into(), serde_json::to_value(value).unwrap_or(serde_json::Value::Null));
    }

    /// Record an error when `count` > 0.
    pub fn error_if(&mut self, count: u64, what: &str) {
        if count > 0 {
            self.errors.push(format!("{count} {what}"));
        }
    }
}

/// The whole run.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The machine and its limits.
    pub environment: Environment,
    /// Small sizes (smoke test)?
    pub quick: bool,
    /// Seed of every schedule.
    pub seed: u64,
    /// Scenarios in the order they ran.
    pub scenarios: Vec<ScenarioReport>,
}

impl Report {
    /// Total errors over all scenarios.
    pub fn error_count(&self) -> usize {
        self.scenarios.iter().map(|s| s.errors.len()).sum()
    }
}

/// A number with a precision that suits its size.
pub fn num(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 1000.0 {
        let s = format!("{v:.0}");
        group_thousands(&s)
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 0.1 {
        format!("{v:.2}")
    } else {
        format!("{v:.4}")
    }
}

fn group_thousands(s: &str) -> String {
    let (sign, digits) = s.strip_prefix('-').map(|d| ("-", d)).unwrap_or(("", s));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

/// The human table: one row per figure, then latency lines, errors and notes per scenario.
pub fn table(report: &Report) -> String {
    let mut rows: Vec<[String; 7]> = vec![["scenario", "figure", "value", "target", "met?", "baseline", "ratio"].map(String::from)];
    for s in &report.scenarios {
        for f in &s.figures {
            let target = f.target.map(|t| format!("{} {}", if t.cmp == Cmp::AtLeast { "≥" } else { "≤" }, num(t.value))).unwrap_or_else(|| "—".into());
            let met = match f.met {
                Some(true) => "met",
                Some(false) => "NOT met",
                None => "—",
            };
            rows.push([
                s.name.clone(),
                f.name.clone(),
                format!("{} {}", num(f.value), f.unit),
                target,
                met.into(),
                f.baseline.map(num).unwrap_or_else(|| "—".into()),
                f.ratio.map(|r| format!("{r:.2}×")).unwrap_or_else(|| "—".into()),
            ]);
        }
    }
    let widths: Vec<usize> = (0..7).map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for (n, r) in rows.iter().enumerate() {
        let cells: Vec<String> = r.iter().zip(&widths).map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count()))).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
        if n == 0 {
            let _ = writeln!(out, "|{}|", widths.iter().map(|w| "-".repeat(w + 2)).collect::<Vec<_>>().join("|"));
        }
    }
    for s in &report.scenarios {
        for (name, l) in &s.latency {
            let _ = writeln!(out, "{:<7} latency {name}: p50/p90/p99/max {} ({} samples)", s.name, l.brief(), l.count);
        }
        for e in &s.errors {
            let _ = writeln!(out, "{:<7} ERROR: {e}", s.name);
        }
        for n in &s.notes {
            let _ = writeln!(out, "{:<7} note: {n}", s.name);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_and_ratios() {
        let f = Figure::new("throughput", 25_000.0, "msg/s").target(Cmp::AtLeast, 20_000.0).baseline(50_000.0);
        assert_eq!((f.met, f.ratio), (Some(true), Some(0.5)));
        let f = Figure::new("p99", 12.0, "ms").target(Cmp::AtMost, 10.0);
        assert_eq!(f.met, Some(false));
        let f = Figure::new("memory per session", 10.0, "KiB").target(Cmp::AtMost, 12.0).baseline(5.0).ratio_at_most(1.6);
        assert_eq!(f.met, Some(false), "2× the baseline fails the ratio limit");
        let f = Figure::new("x", 1.0, "u").baseline(0.0);
        assert_eq!(f.ratio, None);
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(num(1_234_567.0), "1,234,567");
        assert_eq!(num(-20_000.0), "-20,000");
        assert_eq!(num(512.4), "512");
        assert_eq!(num(12.34), "12.3");
        assert_eq!(num(1.234), "1.23");
        assert_eq!(num(0.01234), "0.0123");
        assert_eq!(num(0.0), "0");
    }

    #[test]
    fn table_lists_figures_errors_and_notes() {
        let mut s = ScenarioReport::new("bot");
        s.figures.push(Figure::new("throughput", 21_000.0, "msg/s").target(Cmp::AtLeast, 20_000.0).baseline(42_000.0));
        s.error_if(3, "protocol errors");
        s.error_if(0, "never shown");
        s.notes.push("bot replies are not in the path yet".into());
        let report = Report { environment: Environment::default(), quick: true, seed: 1, scenarios: vec![s] };
        let t = table(&report);
        assert!(t.contains("| bot      | throughput | 21,000 msg/s | ≥ 20,000 | met  | 42,000   | 0.50× |"), "{t}");
        assert!(t.contains("ERROR: 3 protocol errors"));
        assert!(!t.contains("never shown"));
        assert!(t.contains("note: bot replies"));
        assert_eq!(report.error_count(), 1);
    }
}
