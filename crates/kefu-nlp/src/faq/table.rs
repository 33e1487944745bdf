//! The FAQ table format operators import: TSV with a header.

use super::FaqEntry;
use crate::Error;

/// Parses TSV with columns `faq_id`, `standard_question`, optional `similar_questions` (split
/// by `|`) and optional `answer`, in any order, named by the header.
pub fn parse_faq_tsv(tsv: &str) -> Result<Vec<FaqEntry>, Error> {
    let mut lines = tsv.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<String> =
        lines.next().ok_or_else(|| err("empty file"))?.trim_start_matches('\u{feff}').split('\t').map(|h| h.trim().to_lowercase()).collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let id = col("faq_id").ok_or_else(|| err("no faq_id column"))?;
    let q = col("standard_question").ok_or_else(|| err("no standard_question column"))?;
    let (sim, ans) = (col("similar_questions"), col("answer"));
    let mut out = Vec::new();
    for (n, line) in lines.enumerate() {
        let f: Vec<&str> = line.split('\t').collect();
        let get = |i: Option<usize>| i.and_then(|i| f.get(i)).map(|s| s.trim()).unwrap_or("");
        let faq_id = get(Some(id));
        let standard = get(Some(q));
        if faq_id.is_empty() || standard.is_empty() {
            return Err(err(&format!("row {} lacks faq_id or standard_question", n + 2)));
        }
        out.push(FaqEntry {
            id: faq_id.to_string(),
            standard_question: standard.to_string(),
            similar_questions: get(sim).split('|').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect(),
            answer: get(ans).to_string(),
        });
    }
    Ok(out)
}

fn err(why: &str) -> Error {
    Error::Parse { what: "faq table".into(), why: why.into() }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_header_columns() {
        let t = "faq_id\tstandard_question\tsimilar_questions\tanswer\n1\t几天发货\t多久发货|啥时候发\t48小时内\n";
        let e = super::parse_faq_tsv(t).expect("parses");
        assert_eq!(e[0].similar_questions.len(), 2);
        assert_eq!(e[0].answer, "48小时内");
    }
}
