//! Scores of a bot on a paraphrase development set ([`super::devset`]): what the customer got
//! for each question, counted per part. The bot's turn itself runs elsewhere (kefu-core's
//! `respond`, driven by `kefu nlu eval`); this module only counts.

use std::fmt::Write;

use serde::Serialize;

use super::devset::{DevQuestion, Part};

/// What the bot did with one question.
#[derive(Debug, Clone, Default)]
pub struct BotReply {
    /// The FAQs the retrieval ranked (that the bot could answer with), best first.
    pub ranked: Vec<String>,
    /// The FAQ it answered with, if it answered.
    pub answered: Option<String>,
    /// The FAQs it offered as suggestions instead.
    pub suggested: Vec<String>,
    /// The FAQ the index alone would answer with (its own threshold, no overlap gate: what
    /// `kefu nlu faq` prints).
    pub index_answer: Option<String>,
}

/// Figures for one part; shares are of the part's answerable or unanswerable questions.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct PartScore {
    /// Paraphrases (answerable questions).
    pub answerable: usize,
    /// Questions no FAQ answers.
    pub unanswerable: usize,
    /// The bot answered with the right FAQ (what the customer gets): the headline top-1.
    pub top1: f64,
    /// The right FAQ is among the retrieval's first 3, whether or not the bot answered.
    pub top3: f64,
    /// The retrieval's first FAQ is the right one, whether or not the bot answered.
    pub rank1: f64,
    /// The bot answered with a wrong FAQ.
    pub answered_wrong: f64,
    /// The bot did not answer but offered the right FAQ as a suggestion.
    pub suggested_right: f64,
    /// Answerable questions the bot gave no answer to (suggestions, "I don't know", hand-off).
    pub answerable_declined: f64,
    /// Unanswerable questions the bot gave no answer to.
    pub unanswerable_declined: f64,
    /// The index alone answered with the right FAQ.
    pub index_top1: f64,
    /// Answerable questions the index alone gave no answer to.
    pub index_answerable_declined: f64,
    /// Unanswerable questions the index alone gave no answer to.
    pub index_unanswerable_declined: f64,
}

/// The paraphrase section of `kefu nlu eval`.
#[derive(Debug, Clone, Serialize)]
pub struct ParaphraseReport {
    /// The set's name.
    pub set: String,
    /// FAQs in the bot's index.
    pub faqs: usize,
    /// The part to tune on.
    pub dev: PartScore,
    /// The part never tuned on.
    pub test: PartScore,
}

fn share(n: usize, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        n as f64 / of as f64
    }
}

/// Counts one part's figures from the questions and the bot's reply to each (same order).
pub fn score_part(part: Part, questions: &[DevQuestion], replies: &[BotReply]) -> PartScore {
    let (mut answerable, mut unanswerable) = (0, 0);
    let (mut top1, mut top3, mut rank1, mut wrong, mut suggested, mut declined, mut declined_unknown) = (0, 0, 0, 0, 0, 0, 0);
    let (mut index_top1, mut index_declined, mut index_declined_unknown) = (0, 0, 0);
    for (q, r) in questions.iter().zip(replies).filter(|(q, _)| q.part == part) {
        let Some(right) = &q.faq_id else {
            unanswerable += 1;
            declined_unknown += usize::from(r.answered.is_none());
            index_declined_unknown += usize::from(r.index_answer.is_none());
            continue;
        };
        answerable += 1;
        index_top1 += usize::from(r.index_answer.as_ref() == Some(right));
        index_declined += usize::from(r.index_answer.is_none());
        rank1 += usize::from(r.ranked.first() == Some(right));
        top3 += usize::from(r.ranked.iter().take(3).any(|id| id == right));
        match &r.answered {
            Some(id) if id == right => top1 += 1,
            Some(_) => wrong += 1,
            None => {
                declined += 1;
                suggested += usize::from(r.suggested.contains(right));
            }
        }
    }
    PartScore {
        answerable,
        unanswerable,
        top1: share(top1, answerable),
        top3: share(top3, answerable),
        rank1: share(rank1, answerable),
        answered_wrong: share(wrong, answerable),
        suggested_right: share(suggested, answerable),
        answerable_declined: share(declined, answerable),
        unanswerable_declined: share(declined_unknown, unanswerable),
        index_top1: share(index_top1, answerable),
        index_answerable_declined: share(index_declined, answerable),
        index_unanswerable_declined: share(index_declined_unknown, unanswerable),
    }
}

impl ParaphraseReport {
    /// Scores both parts.
    pub fn new(set: &str, faqs: usize, questions: &[DevQuestion], replies: &[BotReply]) -> ParaphraseReport {
        ParaphraseReport { set: set.into(), faqs, dev: score_part(Part::Dev, questions, replies), test: score_part(Part::Test, questions, replies) }
    }

    /// The section as table rows, in the layout of [`super::report::EvalReport::table`].
    pub fn table(&self) -> String {
        let pct = |v: f64| format!("{:.1}", v * 100.0);
        let mut s = format!("\nparaphrases ({} shop, {} FAQs; bot answer = kefu-core respond)\n", self.set, self.faqs);
        let _ = writeln!(s, "{:<38} {:>8} {:>8}", "metric", "dev", "test");
        let mut row = |name: &str, f: &dyn Fn(&PartScore) -> String| {
            let _ = writeln!(s, "{name:<38} {:>8} {:>8}", f(&self.dev), f(&self.test));
        };
        row("answerable / unanswerable", &|p| format!("{}/{}", p.answerable, p.unanswerable));
        row("top-1 % (answered right)", &|p| pct(p.top1));
        row("top-3 % (right FAQ in ranking)", &|p| pct(p.top3));
        row("ranked first %", &|p| pct(p.rank1));
        row("answered wrong %", &|p| pct(p.answered_wrong));
        row("answerable declined %", &|p| pct(p.answerable_declined));
        row("  of them right FAQ suggested %", &|p| pct(p.suggested_right));
        row("unanswerable declined %", &|p| pct(p.unanswerable_declined));
        row("index alone: top-1 %", &|p| pct(p.index_top1));
        row("index alone: answerable declined %", &|p| pct(p.index_answerable_declined));
        row("index alone: unanswerable declined %", &|p| pct(p.index_unanswerable_declined));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(part: Part, faq: Option<&str>) -> DevQuestion {
        DevQuestion { part, text: String::new(), faq_id: faq.map(str::to_string), near_faq: None }
    }

    fn r(ranked: &[&str], answered: Option<&str>, suggested: &[&str]) -> BotReply {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect();
        BotReply { ranked: v(ranked), answered: answered.map(str::to_string), suggested: v(suggested), index_answer: ranked.first().map(|x| x.to_string()) }
    }

    #[test]
    fn counts_what_the_customer_got_per_part() {
        let questions = [q(Part::Dev, Some("a")), q(Part::Dev, Some("b")), q(Part::Dev, Some("c")), q(Part::Dev, Some("d")), q(Part::Dev, None), q(Part::Dev, None), q(Part::Test, Some("a"))];
        let replies = [
            r(&["a", "b"], Some("a"), &[]),       // right
            r(&["a", "c", "b"], Some("a"), &[]),  // wrong answer, right FAQ third
            r(&["c"], None, &["c"]),              // declined, right FAQ suggested
            r(&["x", "y", "z", "d"], None, &[]),  // declined, right FAQ fourth
            r(&["a"], Some("a"), &[]),            // unanswerable answered
            r(&[], None, &[]),                    // unanswerable declined
            r(&[], None, &[]),
        ];
        let dev = score_part(Part::Dev, &questions, &replies);
        assert_eq!((dev.answerable, dev.unanswerable), (4, 2));
        assert_eq!(dev.top1, 0.25);
        assert_eq!(dev.rank1, 0.5);
        assert_eq!(dev.top3, 0.75);
        assert_eq!(dev.answered_wrong, 0.25);
        assert_eq!(dev.answerable_declined, 0.5);
        assert_eq!(dev.suggested_right, 0.25);
        assert_eq!(dev.unanswerable_declined, 0.5);
        // The test helper lets the index answer whenever it ranks something.
        assert_eq!((dev.index_top1, dev.index_answerable_declined, dev.index_unanswerable_declined), (0.5, 0.0, 0.5));
        let test = score_part(Part::Test, &questions, &replies);
        assert_eq!((test.answerable, test.unanswerable, test.top1, test.answerable_declined), (1, 0, 0.0, 1.0));
        assert_eq!(test.unanswerable_declined, 0.0);
        let table = ParaphraseReport::new("t", 4, &questions, &replies).table();
        let top1: Vec<&str> = table.lines().find(|l| l.starts_with("top-1 %")).map(|l| l.split_whitespace().rev().take(2).collect()).unwrap_or_default();
        assert_eq!(top1, ["0.0", "25.0"], "{table}");
    }
}
