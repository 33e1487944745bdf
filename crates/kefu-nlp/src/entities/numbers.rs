//! Number-shaped entities: ids, phones, money, quantities, sizes, dates.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

use super::{Entity, EntityKind};

const MEASURES: &[&str] = &["件", "个", "双", "条", "套", "包", "盒", "瓶", "箱", "袋", "支", "只", "台", "份", "张", "本", "副", "对", "pcs"];
const MONEY_AFTER: &[&str] = &["元", "块钱", "块", "rmb", "yuan", "米"];
const RELATIVE_DAYS: &[&str] = &["大后天", "后天", "明天", "今天", "昨天", "前天", "今晚", "明早", "today", "tomorrow", "yesterday"];
// One pass for all of them (with overlaps: "大后天" holds "后天"), as for colours in `words`.
static RELATIVE_DAY_MATCHER: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| AhoCorasick::new(RELATIVE_DAYS).ok());
const SIZE_WORDS: &[&str] = &["xxxxl", "xxxl", "xxl", "xl", "xs", "s", "m", "l", "2xl", "3xl", "4xl", "5xl"];

fn push(out: &mut Vec<Entity>, kind: EntityKind, text: &str, start: usize, end: usize, value: String) {
    out.push(Entity { kind, text: text[start..end].to_string(), value, start, end });
}

fn cn_digit(c: char) -> Option<u32> {
    "零一二三四五六七八九十".chars().position(|d| d == c).map(|p| p as u32).or(if c == '两' { Some(2) } else { None })
}

/// Scans `text` (normalised) for number-shaped entities.
pub fn scan(text: &str, out: &mut Vec<Entity>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let prev_alnum = i > 0 && b[i - 1].is_ascii_alphanumeric();
        if c.is_ascii_alphanumeric() && !prev_alnum {
            let mut end = i;
            while end < b.len() && (b[end].is_ascii_alphanumeric() || (b[end] == b'.' && end + 1 < b.len() && b[end + 1].is_ascii_digit() && b[i].is_ascii_digit())) {
                end += 1;
            }
            classify_run(text, i, end, out);
            i = end;
            continue;
        }
        i += 1;
    }
    chinese_quantities(text, out);
    for m in RELATIVE_DAY_MATCHER.iter().flat_map(|ac| ac.find_overlapping_iter(text)) {
        push(out, EntityKind::Date, text, m.start(), m.end(), RELATIVE_DAYS[m.pattern().as_usize()].to_string());
    }
    for (s, _) in text.match_indices("周").chain(text.match_indices("星期")) {
        let head = if text[s..].starts_with("星期") { "星期".len() } else { "周".len() };
        if let Some(d) = text[s + head..].chars().next().filter(|d| "一二三四五六日天末".contains(*d)) {
            let e = s + head + d.len_utf8();
            push(out, EntityKind::Date, text, s, e, text[s..e].to_string());
        }
    }
    if let Some(s) = text.find("均码") {
        push(out, EntityKind::Size, text, s, s + "均码".len(), "均码".into());
    }
}

fn classify_run(text: &str, start: usize, end: usize, out: &mut Vec<Entity>) {
    let run = &text[start..end];
    let rest = &text[end..];
    let digits = run.bytes().filter(u8::is_ascii_digit).count();
    let all_digits = run.bytes().all(|c| c.is_ascii_digit() || c == b'.');
    let before = &text[..start];
    if all_digits && digits == 11 && run.starts_with('1') && !run.contains('.') {
        return push(out, EntityKind::Phone, text, start, end, run.to_string());
    }
    let order_context = ["订单", "单号", "order", "#"].iter().any(|k| before.trim_end().ends_with(k) || before.trim_end().ends_with(&format!("{k}:")));
    if (all_digits && digits >= 12) || (digits >= 8 && run.len() >= 10) || (order_context && digits >= 6) {
        return push(out, EntityKind::OrderId, text, start, end, run.to_uppercase());
    }
    if all_digits {
        // 160/84A style: height/chest with an optional body type letter.
        if let Some(tail) = rest.strip_prefix('/') {
            let n = tail.bytes().take_while(u8::is_ascii_digit).count();
            if n >= 2 && run.len() == 3 {
                let letter = tail[n..].bytes().next().filter(|c| matches!(c, b'a' | b'b' | b'c' | b'y')).map_or(0, |_| 1);
                let e = end + 1 + n + letter;
                return push(out, EntityKind::Size, text, start, e, text[start..e].to_uppercase());
            }
        }
        let value = run.to_string();
        let trimmed = rest.trim_start();
        let gap = rest.len() - trimmed.len();
        if before.ends_with('¥') || before.ends_with('$') || before.ends_with("¥ ") {
            return push(out, EntityKind::Money, text, start, end, value);
        }
        if let Some(m) = MONEY_AFTER.iter().find(|m| trimmed.starts_with(**m) && !(**m == "米" || (**m == "块" && trimmed.starts_with("块儿")))) {
            return push(out, EntityKind::Money, text, start, end + gap + m.len(), value);
        }
        if let Some(m) = MEASURES.iter().find(|m| trimmed.starts_with(**m)) {
            return push(out, EntityKind::Quantity, text, start, end + gap + m.len(), value);
        }
        if trimmed.starts_with('码') && (2..=3).contains(&run.len()) {
            return push(out, EntityKind::Size, text, start, end + gap + '码'.len_utf8(), format!("{run}码"));
        }
        if let Some(t) = trimmed.strip_prefix('月') {
            let n = t.bytes().take_while(u8::is_ascii_digit).count();
            if n > 0 && (t[n..].starts_with('日') || t[n..].starts_with('号')) {
                let e = end + gap + '月'.len_utf8() + n + '日'.len_utf8();
                return push(out, EntityKind::Date, text, start, e, text[start..e].to_string());
            }
        }
        if (trimmed.starts_with('号') || trimmed.starts_with('日')) && run.len() <= 2 && !before.ends_with('月') {
            return push(out, EntityKind::Date, text, start, end + gap + '号'.len_utf8(), format!("{run}号"));
        }
        if run.len() == 4 && (rest.starts_with('-') || rest.starts_with('/')) {
            let n = rest.bytes().take_while(|c| c.is_ascii_digit() || *c == b'-' || *c == b'/').count();
            if n >= 4 {
                return push(out, EntityKind::Date, text, start, end + n, text[start..end + n].to_string());
            }
        }
        return;
    }
    let lower = run.to_ascii_lowercase();
    if SIZE_WORDS.contains(&lower.as_str()) {
        // A bare "s"/"m"/"l" is a size only next to 码/号 or in a short size question.
        let single = lower.len() == 1;
        let sized = rest.trim_start().starts_with('码') || rest.trim_start().starts_with('号') || text.contains("size") || text.contains('码');
        if !single || sized {
            let e = if rest.starts_with('码') { end + '码'.len_utf8() } else { end };
            push(out, EntityKind::Size, text, start, e, lower.to_uppercase());
        }
    }
}

fn chinese_quantities(text: &str, out: &mut Vec<Entity>) {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (k, &(s, c)) in chars.iter().enumerate() {
        let Some(n) = cn_digit(c) else { continue };
        if k > 0 && cn_digit(chars[k - 1].1).is_some() {
            continue;
        }
        let after = &text[s + c.len_utf8()..];
        // "一下"/"一点" are not quantities; only a measure word right after counts.
        if let Some(m) = MEASURES.iter().find(|m| after.starts_with(**m)) {
            if n == 0 || (n == 1 && after.starts_with("个") && text[..s].ends_with('哪')) {
                continue;
            }
            let e = s + c.len_utf8() + m.len();
            push(out, EntityKind::Quantity, text, s, e, n.to_string());
        }
    }
}
