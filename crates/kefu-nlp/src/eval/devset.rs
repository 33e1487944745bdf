//! The hand-written paraphrase development set (issue 22): a shop's FAQs, customer paraphrases
//! of them and on-topic questions no FAQ answers, split into a `dev` part (tune on it) and a
//! `test` part (never tune on it). The files live in `devsets/<shop>/`; see EVAL.md.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::Error;

/// Most characters a paraphrase may share with its FAQ's standard question (see [`char_share`]).
pub const MAX_SHARE: f64 = 0.5;
/// Fewest FAQs a development set has.
pub const MIN_FAQS: usize = 60;
/// Paraphrases per FAQ.
pub const PARAPHRASES_PER_FAQ: usize = 5;
/// Fewest questions no FAQ answers.
pub const MIN_UNANSWERABLE: usize = 40;

/// The snack-and-food shop's set, embedded so `kefu nlu eval` always has it.
pub const SNACKS: DevSetTexts = DevSetTexts {
    name: "snacks",
    faqs: include_str!("../../devsets/snacks/faqs.tsv"),
    paraphrases: include_str!("../../devsets/snacks/paraphrases.tsv"),
    unanswerable: include_str!("../../devsets/snacks/unanswerable.tsv"),
};

/// The three TSV files of one development set, as text.
#[derive(Debug, Clone, Copy)]
pub struct DevSetTexts {
    /// Short name (the folder under `devsets/`).
    pub name: &'static str,
    /// `faq_id, part, standard_question, answer`.
    pub faqs: &'static str,
    /// `faq_id, text`: a paraphrase belongs to its FAQ's part.
    pub paraphrases: &'static str,
    /// `part, text, near_faq` (the FAQ a near miss resembles, or empty).
    pub unanswerable: &'static str,
}

/// Which part of the set a question belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    /// Tune on it.
    Dev,
    /// Report it; never tune on it.
    Test,
}

/// One FAQ of the set.
#[derive(Debug, Clone)]
pub struct DevFaq {
    /// Id, unique in the set.
    pub id: String,
    /// The part its paraphrases belong to.
    pub part: Part,
    /// The merchant's standard question.
    pub question: String,
    /// The merchant's answer.
    pub answer: String,
}

/// One customer question and what the right answer is.
#[derive(Debug, Clone)]
pub struct DevQuestion {
    /// Dev or test.
    pub part: Part,
    /// As the customer typed it.
    pub text: String,
    /// The FAQ that answers it; None for a question no FAQ answers.
    pub faq_id: Option<String>,
    /// For an unanswerable question: the FAQ it resembles (a near miss), if any.
    pub near_faq: Option<String>,
}

/// A parsed development set.
#[derive(Debug, Clone)]
pub struct DevSet {
    /// Its name.
    pub name: String,
    /// The FAQs, in file order.
    pub faqs: Vec<DevFaq>,
    /// Paraphrases (with `faq_id`) then unanswerable questions (without).
    pub questions: Vec<DevQuestion>,
}

fn parse_err(what: &str, line: usize, why: impl std::fmt::Display) -> Error {
    Error::Parse { what: what.to_string(), why: format!("line {line}: {why}") }
}

fn part(s: &str) -> Option<Part> {
    match s.trim() {
        "dev" => Some(Part::Dev),
        "test" => Some(Part::Test),
        _ => None,
    }
}

/// Data rows of a TSV with a header: (1-based line number, columns).
fn rows(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    text.lines().enumerate().skip(1).filter(|(_, l)| !l.trim().is_empty()).map(|(i, l)| (i + 1, l.split('\t').collect()))
}

impl DevSetTexts {
    /// Parses the three files. Paraphrases of an unknown FAQ are an error.
    pub fn parse(&self) -> Result<DevSet, Error> {
        let mut faqs = Vec::new();
        for (line, cols) in rows(self.faqs) {
            let [id, p, q, a] = cols[..] else { return Err(parse_err("faqs.tsv", line, "want 4 columns")) };
            let part = part(p).ok_or_else(|| parse_err("faqs.tsv", line, "part must be dev or test"))?;
            faqs.push(DevFaq { id: id.trim().into(), part, question: q.trim().into(), answer: a.trim().into() });
        }
        let part_of: HashMap<&str, Part> = faqs.iter().map(|f| (f.id.as_str(), f.part)).collect();
        let mut questions = Vec::new();
        for (line, cols) in rows(self.paraphrases) {
            let [id, text] = cols[..] else { return Err(parse_err("paraphrases.tsv", line, "want 2 columns")) };
            let part = *part_of.get(id.trim()).ok_or_else(|| parse_err("paraphrases.tsv", line, format!("no FAQ {id}")))?;
            questions.push(DevQuestion { part, text: text.trim().into(), faq_id: Some(id.trim().into()), near_faq: None });
        }
        for (line, cols) in rows(self.unanswerable) {
            let (p, text, near) = match cols[..] {
                [p, t] => (p, t, ""),
                [p, t, n] => (p, t, n),
                _ => return Err(parse_err("unanswerable.tsv", line, "want 2 or 3 columns")),
            };
            let part = part(p).ok_or_else(|| parse_err("unanswerable.tsv", line, "part must be dev or test"))?;
            let near_faq = (!near.trim().is_empty()).then(|| near.trim().to_string());
            questions.push(DevQuestion { part, text: text.trim().into(), faq_id: None, near_faq });
        }
        Ok(DevSet { name: self.name.into(), faqs, questions })
    }
}

/// The characters that count: letters and digits (CJK included), lower-cased; punctuation,
/// symbols and spaces do not.
fn counted_chars(text: &str) -> Vec<char> {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Share of a paraphrase's characters it has in common with the standard question: the size of
/// the multiset intersection of the two texts' counted characters (a character the paraphrase
/// has twice counts twice only if the question has it twice too), divided by the number of
/// counted characters in the paraphrase. 0 for a paraphrase with none.
pub fn char_share(paraphrase: &str, question: &str) -> f64 {
    let p = counted_chars(paraphrase);
    if p.is_empty() {
        return 0.0;
    }
    let mut left: HashMap<char, usize> = HashMap::new();
    for c in counted_chars(question) {
        *left.entry(c).or_default() += 1;
    }
    let common = p.iter().filter(|c| left.get_mut(c).is_some_and(|n| *n > 0 && { *n -= 1; true })).count();
    common as f64 / p.len() as f64
}

impl DevSet {
    /// Everything that breaks the set's rules, one sentence each (empty when it is sound).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.faqs.len() < MIN_FAQS {
            out.push(format!("{} FAQs, want at least {MIN_FAQS}", self.faqs.len()));
        }
        let mut ids = HashSet::new();
        for f in &self.faqs {
            if !ids.insert(f.id.as_str()) {
                out.push(format!("FAQ id {} twice", f.id));
            }
            if f.question.is_empty() || f.answer.is_empty() {
                out.push(format!("FAQ {} lacks its question or answer", f.id));
            }
        }
        let question_of: HashMap<&str, &str> = self.faqs.iter().map(|f| (f.id.as_str(), f.question.as_str())).collect();
        let mut per_faq: HashMap<&str, usize> = HashMap::new();
        let mut seen = HashSet::new();
        for q in &self.questions {
            if !seen.insert(q.text.as_str()) {
                out.push(format!("question {} twice", q.text));
            }
            if let Some(near) = &q.near_faq {
                if !question_of.contains_key(near.as_str()) {
                    out.push(format!("near miss {} names no FAQ ({near})", q.text));
                }
            }
            let Some(id) = &q.faq_id else { continue };
            let Some(standard) = question_of.get(id.as_str()) else {
                out.push(format!("paraphrase {} names no FAQ ({id})", q.text));
                continue;
            };
            *per_faq.entry(id).or_default() += 1;
            let share = char_share(&q.text, standard);
            if share > MAX_SHARE {
                out.push(format!("paraphrase {} shares {:.0} % of its characters with {standard}", q.text, share * 100.0));
            }
        }
        for f in &self.faqs {
            let n = per_faq.get(f.id.as_str()).copied().unwrap_or(0);
            if n != PARAPHRASES_PER_FAQ {
                out.push(format!("FAQ {} has {n} paraphrases, want {PARAPHRASES_PER_FAQ}", f.id));
            }
        }
        let unanswerable = self.questions.iter().filter(|q| q.faq_id.is_none()).count();
        if unanswerable < MIN_UNANSWERABLE {
            out.push(format!("{unanswerable} unanswerable questions, want at least {MIN_UNANSWERABLE}"));
        }
        for part in [Part::Dev, Part::Test] {
            if !self.questions.iter().any(|q| q.part == part && q.faq_id.is_none()) || !self.faqs.iter().any(|f| f.part == part) {
                out.push(format!("the {part:?} part lacks FAQs or unanswerable questions"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_share_counts_common_characters_of_the_paraphrase() {
        assert_eq!(char_share("啥时候发货", "什么时候发货"), 0.8);
        // Punctuation, spaces and case do not count; a repeated character counts once per match.
        assert_eq!(char_share("亲，SF 呀！", "可以发sf吗"), 0.5);
        assert_eq!(char_share("好好好", "好"), 1.0 / 3.0);
        assert_eq!(char_share("？！", "退货"), 0.0);
    }

    #[test]
    fn the_snack_set_keeps_its_rules() {
        let set = SNACKS.parse().expect("the snack set parses");
        let problems = set.problems();
        assert!(problems.is_empty(), "snack dev set:\n{}", problems.join("\n"));
        let count = |part, answerable: bool| set.questions.iter().filter(|q| q.part == part && q.faq_id.is_some() == answerable).count();
        // Both parts are about half the set.
        for answerable in [true, false] {
            let (dev, test) = (count(Part::Dev, answerable), count(Part::Test, answerable));
            assert!(dev.abs_diff(test) * 5 <= dev + test, "dev {dev} / test {test}");
        }
    }

    #[test]
    fn problems_are_found() {
        let texts = DevSetTexts {
            name: "tiny",
            faqs: "faq_id\tpart\tstandard_question\tanswer\nship\tdev\t什么时候发货\t48小时内\n",
            paraphrases: "faq_id\ttext\nship\t什么时候发货呀\nship\t多久寄出\n",
            unanswerable: "part\ttext\tnear_faq\ndev\t有实体店吗\tnone\n",
        };
        let problems = texts.parse().expect("parses").problems();
        let has = |s: &str| problems.iter().any(|p| p.contains(s));
        assert!(has("shares 86 %"), "{problems:?}");
        assert!(has("has 2 paraphrases"));
        assert!(has("1 FAQs"));
        assert!(has("1 unanswerable"));
        assert!(has("names no FAQ (none)"));
        assert!(has("Test part"));
        assert!(!has("多久寄出"));
        let unknown = DevSetTexts { paraphrases: "faq_id\ttext\nnope\t多久寄出\n", ..texts };
        assert!(unknown.parse().is_err());
    }
}
