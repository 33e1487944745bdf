//! The hand-off development set (issue 22 item 5): customer messages labelled "wants a person"
//! and "strong emotion", with hard negatives (declining a person, quoting an earlier agent,
//! questions about staff, 人 and trigger words inside other words), split into a `dev` part
//! (tune on it) and a `test` part (never tune on it). The file is `devsets/handoff/messages.tsv`.

use serde::Serialize;

use super::devset::Part;
use crate::Error;

/// The labelled messages, embedded so `kefu nlu eval` always has them.
pub const MESSAGES: &str = include_str!("../../devsets/handoff/messages.tsv");

/// One labelled message.
#[derive(Debug, Clone)]
pub struct Labelled {
    /// Dev or test.
    pub part: Part,
    /// The customer asks for a person.
    pub wants_person: bool,
    /// Anger or a threat to escalate.
    pub strong_emotion: bool,
    /// The row's group (`ask`, `decline`, `quote`, `staff`, `ren-word`, `threat`, …).
    pub kind: String,
    /// As the customer typed it.
    pub text: String,
}

/// Parses `part, wants_person, strong_emotion, kind, text` (a header line first).
pub fn parse(tsv: &str) -> Result<Vec<Labelled>, Error> {
    let err = |line: usize, why: &str| Error::Parse { what: "handoff messages.tsv".into(), why: format!("line {line}: {why}") };
    let flag = |s: &str| match s.trim() {
        "1" => Some(true),
        "0" => Some(false),
        _ => None,
    };
    let mut out = Vec::new();
    for (i, line) in tsv.lines().enumerate().skip(1).filter(|(_, l)| !l.trim().is_empty()) {
        let [p, w, s, kind, text] = line.split('\t').collect::<Vec<_>>()[..] else { return Err(err(i + 1, "want 5 columns")) };
        let part = match p.trim() {
            "dev" => Part::Dev,
            "test" => Part::Test,
            _ => return Err(err(i + 1, "part must be dev or test")),
        };
        let (Some(wants_person), Some(strong_emotion)) = (flag(w), flag(s)) else { return Err(err(i + 1, "labels must be 0 or 1")) };
        out.push(Labelled { part, wants_person, strong_emotion, kind: kind.trim().into(), text: text.trim().into() });
    }
    Ok(out)
}

/// Precision, recall and F1 of one binary detector on one part.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct BinaryScore {
    /// Flagged and labelled.
    pub true_positives: usize,
    /// Flagged, not labelled.
    pub false_positives: usize,
    /// Labelled, not flagged.
    pub false_negatives: usize,
    /// TP / (TP + FP).
    pub precision: f64,
    /// TP / (TP + FN).
    pub recall: f64,
    /// Harmonic mean of the two.
    pub f1: f64,
}

impl BinaryScore {
    /// Scores (predicted, labelled) pairs.
    pub fn of(pairs: impl Iterator<Item = (bool, bool)>) -> BinaryScore {
        let mut s = BinaryScore::default();
        for (predicted, labelled) in pairs {
            match (predicted, labelled) {
                (true, true) => s.true_positives += 1,
                (true, false) => s.false_positives += 1,
                (false, true) => s.false_negatives += 1,
                (false, false) => {}
            }
        }
        let ratio = |a: usize, b: usize| if a + b == 0 { 0.0 } else { a as f64 / (a + b) as f64 };
        s.precision = ratio(s.true_positives, s.false_positives);
        s.recall = ratio(s.true_positives, s.false_negatives);
        s.f1 = if s.precision + s.recall == 0.0 { 0.0 } else { 2.0 * s.precision * s.recall / (s.precision + s.recall) };
        s
    }
}

/// Both detectors on one part.
#[derive(Debug, Clone, Serialize)]
pub struct HandoffPartScore {
    /// Messages in the part.
    pub messages: usize,
    /// The `wants_human` flag.
    pub wants_person: BinaryScore,
    /// The `strong_emotion` flag.
    pub strong_emotion: BinaryScore,
}

/// The hand-off section of `kefu nlu eval`.
#[derive(Debug, Clone, Serialize)]
pub struct HandoffReport {
    /// Tune on it.
    pub dev: HandoffPartScore,
    /// Never tuned on.
    pub test: HandoffPartScore,
    /// Messages whose flags disagree with their labels (dev part only, for tuning).
    pub dev_errors: Vec<String>,
}

/// Scores a detector `(text) -> (wants_person, strong_emotion)` on both parts.
pub fn evaluate(rows: &[Labelled], detect: impl Fn(&str) -> (bool, bool)) -> HandoffReport {
    let flags: Vec<(bool, bool)> = rows.iter().map(|r| detect(&r.text)).collect();
    let part = |p: Part| {
        let of = |pick: fn(&(bool, bool)) -> bool, label: fn(&Labelled) -> bool| {
            BinaryScore::of(rows.iter().zip(&flags).filter(|(r, _)| r.part == p).map(|(r, f)| (pick(f), label(r))))
        };
        HandoffPartScore {
            messages: rows.iter().filter(|r| r.part == p).count(),
            wants_person: of(|f| f.0, |r| r.wants_person),
            strong_emotion: of(|f| f.1, |r| r.strong_emotion),
        }
    };
    let dev_errors = rows
        .iter()
        .zip(&flags)
        .filter(|(r, f)| r.part == Part::Dev && (f.0 != r.wants_person || f.1 != r.strong_emotion))
        .map(|(r, f)| format!("{} [{}] person {}→{} emotion {}→{}", r.text, r.kind, r.wants_person as u8, f.0 as u8, r.strong_emotion as u8, f.1 as u8))
        .collect();
    HandoffReport { dev: part(Part::Dev), test: part(Part::Test), dev_errors }
}

/// The engine's own flags, as the bot reads them.
pub fn engine_report(rows: &[Labelled]) -> HandoffReport {
    evaluate(rows, |t| {
        let a = crate::engine::analyze(t);
        (a.wants_human, a.strong_emotion)
    })
}

impl HandoffReport {
    /// A text table: precision / recall / F1 of each flag in each part.
    pub fn table(&self) -> String {
        let mut s = String::from("\n## Hand-off detectors (devsets/handoff)\n| part | messages | flag | precision | recall | F1 |\n|---|---|---|---|---|---|\n");
        for (name, p) in [("dev", &self.dev), ("test", &self.test)] {
            for (flag, b) in [("wants a person", &p.wants_person), ("strong emotion", &p.strong_emotion)] {
                s.push_str(&format!("| {name} | {} | {flag} | {:.3} | {:.3} | {:.3} |\n", p.messages, b.precision, b.recall, b.f1));
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_set_is_large_labelled_and_split() {
        let rows = parse(MESSAGES).expect("the hand-off set parses");
        assert!(rows.len() >= 300, "{} rows", rows.len());
        for part in [Part::Dev, Part::Test] {
            let n = |f: fn(&Labelled) -> bool| rows.iter().filter(|r| r.part == part && f(r)).count();
            assert!(n(|r| r.wants_person) >= 30 && n(|r| r.strong_emotion) >= 30, "{part:?}");
            assert!(n(|r| r.kind == "decline") > 0 && n(|r| r.kind == "quote") > 0 && n(|r| r.kind == "staff") > 0, "{part:?}");
        }
        let mut texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
        texts.sort_unstable();
        let before = texts.len();
        texts.dedup();
        assert_eq!(before, texts.len(), "a message twice");
    }

    #[test]
    fn scores_count_what_they_should() {
        let s = BinaryScore::of([(true, true), (true, false), (false, true), (false, false)].into_iter());
        assert_eq!((s.true_positives, s.false_positives, s.false_negatives), (1, 1, 1));
        assert_eq!((s.precision, s.recall, s.f1), (0.5, 0.5, 0.5));
        assert_eq!(BinaryScore::of(std::iter::empty()).f1, 0.0);
    }

    /// The floors of issue 22 on the dev part; the test part is reported, not asserted here.
    #[test]
    fn the_detectors_reach_f1_090_on_dev() {
        let report = engine_report(&parse(MESSAGES).expect("parses"));
        println!("{}\ndev errors:\n{}", report.table(), report.dev_errors.join("\n"));
        assert!(report.dev.wants_person.f1 >= 0.90 && report.dev.strong_emotion.f1 >= 0.90, "{}\n{}", report.table(), report.dev_errors.join("\n"));
    }
}
