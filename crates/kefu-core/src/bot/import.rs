//! Bulk import and export of FAQs as CSV or JSON. Bad rows are reported with their line
//! number and left out; the good rows are merged (by id) into one new knowledge-base version,
//! so an import is never half-applied.

use super::kb::{faq_problems, Faq, KnowledgeBase};
use serde::Serialize;

/// The CSV columns, in export order; `id`, `question` and `answer` are required on import.
pub const COLUMNS: &[&str] = &[
    "id", "language", "question", "similar", "answer", "answer_fallback", "image_url", "product_sku", "link_title", "link_url", "coupon", "l1", "l2", "l3",
    "enabled", "valid_from", "valid_to", "transfer_to_human",
];

/// One refused row.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BadRow {
    /// 1-based line in the file (CSV) or 1-based item (JSON).
    pub line: u64,
    /// What is wrong.
    pub message: String,
}

/// What an import would do.
#[derive(Debug, Default)]
pub struct Parsed {
    /// FAQs that passed.
    pub good: Vec<Faq>,
    /// Rows refused.
    pub bad: Vec<BadRow>,
}

/// Parse CSV (with a header row naming the columns).
pub fn parse_csv(text: &str) -> Result<Parsed, String> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().map_err(|e| format!("cannot read the header row: {e}"))?.iter().map(str::to_string).collect();
    for required in ["id", "question", "answer"] {
        if !header.iter().any(|h| h == required) {
            return Err(format!("the header row has no `{required}` column"));
        }
    }
    if let Some(unknown) = header.iter().find(|h| !COLUMNS.contains(&h.as_str())) {
        return Err(format!("unknown column `{unknown}`; columns are {}", COLUMNS.join(", ")));
    }
    let mut out = Parsed::default();
    for record in reader.records() {
        let (line, record) = match record {
            Ok(r) => (r.position().map_or(0, |p| p.line()), r),
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                out.bad.push(BadRow { line, message: format!("not valid CSV: {e}") });
                continue;
            }
        };
        let get = |name: &str| header.iter().position(|h| h == name).and_then(|i| record.get(i)).map(str::to_string).filter(|v| !v.is_empty());
        match faq_of_row(&get) {
            Ok(faq) => check_into(&mut out, line, faq),
            Err(message) => out.bad.push(BadRow { line, message }),
        }
    }
    Ok(out)
}

fn faq_of_row(get: &dyn Fn(&str) -> Option<String>) -> Result<Faq, String> {
    let flag = |name: &str, default: bool| match get(name).as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "yes" | "是") => Ok(true),
        Some("0" | "false" | "no" | "否") => Ok(false),
        Some(v) => Err(format!("{name} must be true or false, not `{v}`")),
    };
    let time = |name: &str| get(name).map(|v| v.parse::<i64>().map_err(|_| format!("{name} must be milliseconds since 1970"))).transpose();
    Ok(Faq {
        id: get("id").unwrap_or_default(),
        language: get("language").unwrap_or_else(|| "zh".into()),
        question: get("question").unwrap_or_default(),
        similar: get("similar").map(|s| s.split('|').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()).unwrap_or_default(),
        answer: get("answer").unwrap_or_default(),
        answer_fallback: get("answer_fallback"),
        image_url: get("image_url"),
        product_sku: get("product_sku"),
        link_title: get("link_title"),
        link_url: get("link_url"),
        coupon: get("coupon"),
        l1: get("l1"),
        l2: get("l2"),
        l3: get("l3"),
        enabled: flag("enabled", true)?,
        valid_from: time("valid_from")?,
        valid_to: time("valid_to")?,
        transfer_to_human: flag("transfer_to_human", false)?,
        translations: Default::default(),
    })
}

/// Parse JSON: an array of FAQs, or an object with `faqs`.
pub fn parse_json(text: &str) -> Result<Parsed, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(mut o) => match o.remove("faqs") {
            Some(serde_json::Value::Array(items)) => items,
            _ => return Err("expected an array of FAQs or an object with `faqs`".into()),
        },
        _ => return Err("expected an array of FAQs or an object with `faqs`".into()),
    };
    let mut out = Parsed::default();
    for (i, item) in items.into_iter().enumerate() {
        let line = i as u64 + 1;
        match serde_json::from_value::<Faq>(item) {
            Ok(faq) => check_into(&mut out, line, faq),
            Err(e) => out.bad.push(BadRow { line, message: e.to_string() }),
        }
    }
    Ok(out)
}

fn check_into(out: &mut Parsed, line: u64, faq: Faq) {
    let problems = faq_problems(&faq);
    if let Some(p) = problems.first() {
        out.bad.push(BadRow { line, message: format!("{} {}", p.path, p.message) });
    } else if out.good.iter().any(|g| g.id == faq.id) {
        out.bad.push(BadRow { line, message: format!("id `{}` appears twice in the file", faq.id) });
    } else {
        out.good.push(faq);
    }
}

/// Merge imported FAQs into a knowledge base: same id replaces, new ids append. A CSV row
/// cannot carry translations, so a replacement without any keeps the old FAQ's.
pub fn merge(kb: &mut KnowledgeBase, faqs: Vec<Faq>) -> (usize, usize) {
    let (mut added, mut replaced) = (0, 0);
    for mut faq in faqs {
        match kb.faqs.iter_mut().find(|f| f.id == faq.id) {
            Some(old) => {
                if faq.translations.is_empty() {
                    faq.translations = std::mem::take(&mut old.translations);
                }
                *old = faq;
                replaced += 1;
            }
            None => {
                kb.faqs.push(faq);
                added += 1;
            }
        }
    }
    (added, replaced)
}

/// Every FAQ as CSV with the header row.
pub fn to_csv(faqs: &[Faq]) -> Result<String, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS).map_err(|e| e.to_string())?;
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let num = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    for f in faqs {
        w.write_record([
            f.id.clone(),
            f.language.clone(),
            f.question.clone(),
            f.similar.join("|"),
            f.answer.clone(),
            opt(&f.answer_fallback),
            opt(&f.image_url),
            opt(&f.product_sku),
            opt(&f.link_title),
            opt(&f.link_url),
            opt(&f.coupon),
            opt(&f.l1),
            opt(&f.l2),
            opt(&f.l3),
            f.enabled.to_string(),
            num(f.valid_from),
            num(f.valid_to),
            f.transfer_to_human.to_string(),
        ])
        .map_err(|e| e.to_string())?;
    }
    String::from_utf8(w.into_inner().map_err(|e| e.to_string())?).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_rows_are_named_by_line_and_good_rows_kept() {
        let csv = "id,question,similar,answer,enabled\n\
                   returns,怎么退货,退货流程|如何退货,七天无理由退货,true\n\
                   ,没有id,,答案,true\n\
                   ship,什么时候发货,,\"48小时内发货,节假日顺延\",yes\n\
                   bad-flag,问题,,答案,maybe\n\
                   returns,重复,,答案,true\n";
        let p = parse_csv(csv).unwrap();
        assert_eq!(p.good.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(), vec!["returns", "ship"]);
        assert_eq!(p.good[0].similar, vec!["退货流程", "如何退货"]);
        assert_eq!(p.good[1].answer, "48小时内发货,节假日顺延");
        assert_eq!(p.bad.iter().map(|b| b.line).collect::<Vec<_>>(), vec![3, 5, 6], "{:?}", p.bad);
        let round = parse_csv(&to_csv(&p.good).unwrap()).unwrap();
        assert_eq!(round.good, p.good);
    }

    #[test]
    fn a_file_without_required_columns_is_refused_whole() {
        assert!(parse_csv("question,answer\n问,答\n").unwrap_err().contains("`id`"));
        assert!(parse_csv("id,question,answer,colour\n").unwrap_err().contains("colour"));
        assert!(parse_json("{\"x\":1}").is_err());
    }

    #[test]
    fn json_items_are_checked_one_by_one() {
        let p = parse_json(r#"[{"id":"a","question":"问","answer":"答"},{"id":"b","question":""},{"id":"c","question":"问","answer":"答","bogus":1}]"#).unwrap();
        assert_eq!(p.good.len(), 1);
        assert_eq!(p.bad.iter().map(|b| b.line).collect::<Vec<_>>(), vec![2, 3]);
    }
}
