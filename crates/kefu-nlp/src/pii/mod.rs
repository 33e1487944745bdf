//! Personal data in messages (PII): phone, id card, bank card, e-mail and postal address,
//! found in byte offsets of the original text and masked for display, logs and exports.
//!
//! Numbers are only taken when their checks hold (1[3-9] mobile prefix, MOD 11-2 check and a real
//! birth date for id cards, Luhn for cards), so order numbers and prices stay as they are. The
//! address finder is a heuristic (see `address`): good on written-out addresses, best effort on
//! the rest.

mod address;
mod checks;
mod email;
mod numbers;

use serde::{Deserialize, Serialize};

/// What kind of personal data a span is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PiiKind {
    /// Mainland mobile number (optionally +86).
    Phone,
    /// 18-character resident id number.
    IdCard,
    /// Bank card number (16–19 digits, Luhn).
    BankCard,
    /// E-mail address.
    Email,
    /// Chinese postal address (best effort).
    Address,
}

/// One piece of personal data: its kind and byte range in the original text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PiiSpan {
    /// Kind.
    pub kind: PiiKind,
    /// Byte offset of the start in the original text.
    pub start: usize,
    /// Byte offset of the end in the original text.
    pub end: usize,
}

/// Personal data in `text`, sorted by position and non-overlapping (where two finds overlap
/// the earlier, then the longer one wins: an e-mail over the phone number in its local part).
pub fn detect(text: &str) -> Vec<PiiSpan> {
    let mut found = Vec::new();
    numbers::scan(text, &mut found);
    email::scan(text, &mut found);
    address::scan(text, &mut found);
    found.sort_unstable_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    let mut out: Vec<PiiSpan> = Vec::with_capacity(found.len());
    for span in found {
        if out.last().is_none_or(|last| span.start >= last.end) {
            out.push(span);
        }
    }
    out
}

/// `text` with every detected span replaced by its masked form (`mask_value`).
pub fn mask(text: &str) -> String {
    mask_spans(text, &detect(text))
}

/// `text` with the given spans (from [`detect`] on the same text) masked, for callers that
/// already hold the spans and should not detect twice.
pub fn mask_spans(text: &str, spans: &[PiiSpan]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for span in spans {
        out.push_str(&text[at..span.start]);
        out.push_str(&mask_value(span.kind, &text[span.start..span.end]));
        at = span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// The masked form of one value of a kind:
/// - phone `138****5678` (a +86 / 86 prefix is kept as written: `+86 138****5678`);
/// - id card `110101********1234` (first 6, last 4);
/// - bank card `**** **** **** 1234` (last 4 only; the length is not shown);
/// - e-mail `a***@example.com`;
/// - address `浙江省杭州市****` (leading province and city kept, the rest masked).
///
/// Values that do not look like their kind are masked whole rather than shown.
pub fn mask_value(kind: PiiKind, value: &str) -> String {
    match kind {
        PiiKind::Phone => mask_phone(value),
        PiiKind::IdCard => mask_id_card(value),
        PiiKind::BankCard => mask_bank_card(value),
        PiiKind::Email => email::mask(value),
        PiiKind::Address => address::mask(value),
    }
}

/// Digits of a value as ASCII (full-width folded), with their byte offsets; X kept for ids.
fn digits_of(value: &str) -> Vec<(usize, char)> {
    value
        .char_indices()
        .filter_map(|(at, c)| match c {
            '0'..='9' | 'X' => Some((at, c)),
            'x' | 'Ｘ' | 'ｘ' => Some((at, 'X')),
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).map(|d| (at, d)),
            _ => None,
        })
        .collect()
}

fn mask_phone(value: &str) -> String {
    let digits = digits_of(value);
    if digits.len() < 11 {
        return "*".repeat(digits.len().max(4));
    }
    let national = &digits[digits.len() - 11..];
    let prefix = &value[..national[0].0];
    let d = |i: usize| national[i].1;
    format!("{prefix}{}{}{}****{}{}{}{}", d(0), d(1), d(2), d(7), d(8), d(9), d(10))
}

fn mask_id_card(value: &str) -> String {
    let chars: String = digits_of(value).into_iter().map(|(_, c)| c).collect();
    if chars.len() != 18 {
        return "*".repeat(chars.len().max(4));
    }
    format!("{}********{}", &chars[..6], &chars[14..])
}

fn mask_bank_card(value: &str) -> String {
    let digits: String = digits_of(value).into_iter().map(|(_, c)| c).filter(char::is_ascii_digit).collect();
    if digits.len() < 12 {
        return "****".to_string();
    }
    format!("**** **** **** {}", &digits[digits.len() - 4..])
}

#[cfg(test)]
pub(crate) mod tests;
