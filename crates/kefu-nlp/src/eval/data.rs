//! Parsers for the public evaluation sets; they take file contents, the caller does the IO.

use crate::Error;

/// (text, label) pairs.
pub type Labelled = Vec<(String, String)>;

/// CLINC150 `data_full.json` splits.
#[derive(Debug, Default, Clone)]
pub struct Clinc {
    /// In-scope training examples.
    pub train: Labelled,
    /// In-scope validation examples.
    pub val: Labelled,
    /// In-scope test examples.
    pub test: Labelled,
    /// Out-of-scope validation texts.
    pub oos_val: Vec<String>,
    /// Out-of-scope test texts.
    pub oos_test: Vec<String>,
}

fn parse_err(what: &str, why: impl ToString) -> Error {
    Error::Parse { what: what.to_string(), why: why.to_string() }
}

/// Parses CLINC150's `data_full.json`.
pub fn parse_clinc(json: &str) -> Result<Clinc, Error> {
    let v: serde_json::Value = serde_json::from_str(json).map_err(|e| parse_err("clinc150", e))?;
    let split = |key: &str| -> Result<Labelled, Error> {
        let rows = v.get(key).and_then(|r| r.as_array()).ok_or_else(|| parse_err("clinc150", format!("no {key}")))?;
        Ok(rows
            .iter()
            .filter_map(|r| Some((r.get(0)?.as_str()?.to_string(), r.get(1)?.as_str()?.to_string())))
            .collect())
    };
    Ok(Clinc {
        train: split("train")?,
        val: split("val")?,
        test: split("test")?,
        oos_val: split("oos_val")?.into_iter().map(|r| r.0).collect(),
        oos_test: split("oos_test")?.into_iter().map(|r| r.0).collect(),
    })
}

/// Parses SMP2019 `2019train.json` into (text, "domain/intent").
pub fn parse_smp2019(json: &str) -> Result<Labelled, Error> {
    let v: serde_json::Value = serde_json::from_str(json).map_err(|e| parse_err("smp2019", e))?;
    let rows = v.as_array().ok_or_else(|| parse_err("smp2019", "not an array"))?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            let text = r.get("text")?.as_str()?;
            let domain = r.get("domain")?.as_str().unwrap_or("");
            let intent = r.get("intent").and_then(|i| i.as_str()).unwrap_or("");
            Some((text.to_string(), format!("{domain}/{intent}")))
        })
        .collect())
}

/// Splits CSV text into records of fields (RFC 4180 quoting; the first record is the header).
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                if row.iter().any(|f| !f.is_empty()) {
                    rows.push(std::mem::take(&mut row));
                }
                row.clear();
            }
            (false, '\r') => {}
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// Parses Banking77's `text,category` CSV.
pub fn parse_banking77(csv: &str) -> Labelled {
    parse_csv(csv).into_iter().skip(1).filter(|r| r.len() >= 2).map(|mut r| (r.swap_remove(0), r.swap_remove(0))).collect()
}

/// One online_shopping_10_cats review.
#[derive(Debug, Clone)]
pub struct Review {
    /// Product category.
    pub category: String,
    /// True when the review is positive.
    pub positive: bool,
    /// Review text.
    pub text: String,
}

/// Parses `cat,label,review`; a review with commas in it is joined back together.
pub fn parse_online_shopping(csv: &str) -> Vec<Review> {
    parse_csv(csv)
        .into_iter()
        .skip(1)
        .filter(|r| r.len() >= 3)
        .map(|r| Review { category: r[0].clone(), positive: r[1].trim() == "1", text: r[2..].join(",") })
        .filter(|r| !r.text.trim().is_empty())
        .collect()
}

/// One ATEC question pair.
#[derive(Debug, Clone)]
pub struct QuestionPair {
    /// First question.
    pub q1: String,
    /// Second question.
    pub q2: String,
    /// True when both ask the same thing.
    pub same: bool,
}

/// Parses ATEC's TSV `id q1 q2 same`.
pub fn parse_atec(tsv: &str) -> Vec<QuestionPair> {
    tsv.lines()
        .filter_map(|l| {
            let mut f = l.trim_start_matches('\u{feff}').split('\t');
            let _id = f.next()?;
            let q1 = f.next()?.trim().to_string();
            let q2 = f.next()?.trim().to_string();
            let same = f.next()?.trim() == "1";
            Some(QuestionPair { q1, q2, same })
        })
        .collect()
}

/// True when a row belongs to the test part of the hash split (stable hash of its text mod 5 == 0).
pub fn is_test_row(text: &str) -> bool {
    crate::features::hash_str(0, text).is_multiple_of(5)
}
