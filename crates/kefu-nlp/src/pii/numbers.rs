//! Phone, id card and bank card numbers: runs of digits, checked, in original byte offsets.
//!
//! `entities::numbers` already finds phones and order ids, but on normalised text (offsets do
//! not map back) and with a looser phone rule, so masking needs its own pass over the original.

use super::checks::{id_card_valid, luhn_valid};
use super::{PiiKind, PiiSpan};

/// One digit (0–9, or 10 for the X of an id card) and where it is written.
#[derive(Debug, Clone, Copy)]
struct Digit {
    value: u8,
    start: usize,
    end: usize,
}

/// A run of digit groups separated by single spaces or dashes ("138 1234 5678").
#[derive(Debug, Default)]
struct Run {
    digits: Vec<Digit>,
    /// Index into `digits` where each group starts.
    groups: Vec<usize>,
    /// Byte offset of a `+` written right before the run (+86 …).
    plus: Option<usize>,
    /// A separator was seen after the last digit.
    pending_separator: bool,
}

/// Longest number we try to read as one thing (19-digit card, +86 and 11 digits fit).
const MAX_DIGITS: usize = 19;

/// Words right before a number that make it an order or tracking number, not a phone or card.
/// (快递/物流 are left out: a number after them is as often the courier's phone.)
const ORDER_CONTEXT: &[&str] = &["订单", "单号", "运单", "编号", "order", "order no", "order id", "#"];

/// Value of a digit character (ASCII or full-width).
fn digit_value(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8 - b'0'),
        '０'..='９' => Some((c as u32 - '０' as u32) as u8),
        _ => None,
    }
}

/// Letters and digits glue a number into a longer token (SN138…, 100ml, v2).
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ')
}

/// Finds phone, id card and bank card numbers in `text`.
pub(super) fn scan(text: &str, out: &mut Vec<PiiSpan>) {
    let mut run = Run::default();
    // The two characters before the current one: a run does not start inside a word (SN138…)
    // or after a decimal point or thousands comma (0.138…, 1,380).
    let mut prev: Option<char> = None;
    let mut prev2: Option<char> = None;
    for (at, c) in text.char_indices() {
        if let Some(value) = digit_value(c) {
            let digit = Digit { value, start: at, end: at + c.len_utf8() };
            if !run.digits.is_empty() {
                if run.pending_separator {
                    run.groups.push(run.digits.len());
                    run.pending_separator = false;
                }
                run.digits.push(digit);
            } else {
                let glued = prev.is_some_and(is_word_char)
                    || (matches!(prev, Some('.' | ',')) && prev2.and_then(digit_value).is_some());
                if !glued {
                    run.plus = (prev == Some('+')).then(|| at - 1);
                    run.groups.push(0);
                    run.digits.push(digit);
                }
            }
        } else if !run.digits.is_empty() {
            if run.pending_separator {
                finish(text, &mut run, "", out);
            } else if matches!(c, ' ' | '-') {
                run.pending_separator = true;
            } else if matches!(c, 'X' | 'x' | 'Ｘ' | 'ｘ') {
                // The check character of an id card ends its run.
                run.digits.push(Digit { value: 10, start: at, end: at + c.len_utf8() });
                finish(text, &mut run, &text[at + c.len_utf8()..], out);
            } else {
                finish(text, &mut run, &text[at..], out);
            }
        }
        prev2 = prev;
        prev = Some(c);
    }
    if !run.digits.is_empty() {
        finish(text, &mut run, "", out);
    }
}

/// Reads the run's groups as numbers, left to right, longest first, then clears the run.
/// `rest` is the text right after the last digit (empty after a separator).
fn finish(text: &str, run: &mut Run, rest: &str, out: &mut Vec<PiiSpan>) {
    let mut groups: Vec<(usize, usize)> = Vec::with_capacity(run.groups.len());
    for (i, &from) in run.groups.iter().enumerate() {
        let to = run.groups.get(i + 1).copied().unwrap_or(run.digits.len());
        groups.push((from, to));
    }
    // A last group glued to letters or digits after a decimal point (100ml, 13812345678.5,
    // 11010519491231002Xa) is part of some other token.
    let mut after = rest.chars();
    let glued = match after.next() {
        Some(c) if is_word_char(c) => true,
        Some('.' | ',') => after.next().and_then(digit_value).is_some(),
        _ => false,
    };
    if glued {
        groups.pop();
    }
    let order_context = preceded_by_order_word(&text[..run.digits.first().map_or(0, |d| d.start)]);
    let mut i = 0;
    while i < groups.len() {
        let mut found = None;
        // Candidate groups i..=j, longest first, never more digits than a card has.
        let mut j_max = i;
        while j_max + 1 < groups.len() && groups[j_max + 1].1 - groups[i].0 <= MAX_DIGITS {
            j_max += 1;
        }
        for j in (i..=j_max).rev() {
            let digits = &run.digits[groups[i].0..groups[j].1];
            let lens: Vec<usize> = groups[i..=j].iter().map(|(a, b)| b - a).collect();
            if let Some(kind) = classify(digits, &lens, order_context && i == 0) {
                found = Some((j, kind, digits));
                break;
            }
        }
        match found {
            Some((j, kind, digits)) => {
                let plus = run.plus.filter(|_| i == 0 && kind == PiiKind::Phone && digits.len() == 13);
                let start = plus.unwrap_or(digits[0].start);
                let end = digits.last().map_or(start, |d| d.end);
                out.push(PiiSpan { kind, start, end });
                i = j + 1;
            }
            None => i += 1,
        }
    }
    run.digits.clear();
    run.groups.clear();
    run.plus = None;
    run.pending_separator = false;
}

/// What a candidate number is, given its digits and group lengths.
fn classify(digits: &[Digit], groups: &[usize], order_context: bool) -> Option<PiiKind> {
    let values: Vec<u8> = digits.iter().map(|d| d.value).collect();
    if id_card_valid(&values) {
        return Some(PiiKind::IdCard);
    }
    if values.contains(&10) || order_context {
        return None;
    }
    if is_phone(&values, groups) {
        return Some(PiiKind::Phone);
    }
    if is_bank_card(&values, groups) {
        return Some(PiiKind::BankCard);
    }
    None
}

/// A mainland mobile number, 1[3-9] and 9 more digits, optionally after 86. Written in groups,
/// each group has at least three digits (138 1234 5678, 86 138-1234-5678), so that lists of
/// small numbers ("13 15 17 …") are never read as one.
fn is_phone(values: &[u8], groups: &[usize]) -> bool {
    let (national, groups) = match values.len() {
        11 => (values, groups),
        13 if values.starts_with(&[8, 6]) => match groups {
            [_single] => (&values[2..], groups),
            [2, rest @ ..] => (&values[2..], rest),
            _ => return false,
        },
        _ => return false,
    };
    national[0] == 1 && (3..=9).contains(&national[1]) && groups.iter().all(|&g| g >= 3)
}

/// 16–19 digits passing Luhn, written in one piece or in groups of four, starting with a
/// digit some card issuer uses (2–6, 9: no network issues cards starting 0, 1, 7 or 8).
fn is_bank_card(values: &[u8], groups: &[usize]) -> bool {
    let grouped_by_four = match groups.split_last() {
        Some((last, rest)) => rest.is_empty() || (rest.iter().all(|&g| g == 4) && (1..=4).contains(last)),
        None => false,
    };
    (16..=19).contains(&values.len()) && grouped_by_four && matches!(values[0], 2..=6 | 9) && luhn_valid(values)
}

/// Whether `before` ends with an order-number word (spaces, colons and 号 in between allowed).
fn preceded_by_order_word(before: &str) -> bool {
    let tail: String = before.chars().rev().take(12).collect::<Vec<_>>().into_iter().rev().collect();
    let tail = tail.trim_end_matches([' ', ':', '：', '.', '是', '为']).to_ascii_lowercase();
    ORDER_CONTEXT.iter().any(|w| tail.ends_with(w))
}

#[cfg(test)]
#[path = "numbers_tests.rs"]
mod tests;
