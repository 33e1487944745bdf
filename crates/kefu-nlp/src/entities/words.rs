//! Word-shaped entities: colours and address fragments.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

use super::{Entity, EntityKind};

const COLOURS: &[&str] = &[
    "黑色", "白色", "红色", "蓝色", "绿色", "黄色", "紫色", "粉色", "灰色", "棕色", "咖啡色", "米色", "卡其色", "橙色",
    "藏青色", "藏青", "深蓝", "浅蓝", "天蓝", "酒红", "酒红色", "军绿", "杏色", "香槟色", "银色", "金色", "玫红", "奶白",
    "米白", "焦糖色", "驼色", "燕麦色", "黑白", "透明", "black", "white", "red", "blue", "green", "pink", "grey", "gray",
    "purple", "yellow", "brown", "beige", "navy",
];

/// Province-level names (also used by `pii` to find where a written address starts).
pub(crate) const PROVINCES: &[&str] = &[
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西",
    "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾", "内蒙古",
    "广西", "西藏", "宁夏", "新疆", "香港", "澳门",
];

const PLACE_MARKERS: &[char] = &['省', '市', '区', '县', '镇', '乡', '村', '路', '街'];
const NOT_PLACES: &[&str] = &["区别", "市场", "市面", "街拍", "路上", "一路", "县城里"];

// One pass over the text for every word instead of one substring search per word: this scan
// runs on every message, and 47 searches cost more than the rest of the entity scan.
static COLOUR_MATCHER: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| AhoCorasick::new(COLOURS).ok());
static PROVINCE_MATCHER: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| AhoCorasick::new(PROVINCES).ok());

/// Scans `text` (normalised) for colours and address fragments.
pub fn scan(text: &str, out: &mut Vec<Entity>) {
    // Overlapping matches: every occurrence of every colour ("酒红" and "酒红色" both), as
    // separate searches would find; `extract` keeps the longest of overlapping finds.
    for m in COLOUR_MATCHER.iter().flat_map(|ac| ac.find_overlapping_iter(text)) {
        let colour = COLOURS[m.pattern().as_usize()];
        let (s, e) = (m.start(), m.end());
        let bounded = !colour.is_ascii()
            || (!text[..s].chars().next_back().is_some_and(|c| c.is_ascii_alphabetic())
                && !text[e..].chars().next().is_some_and(|c| c.is_ascii_alphabetic()));
        if bounded {
            out.push(Entity { kind: EntityKind::Colour, text: colour.to_string(), value: colour.to_string(), start: s, end: e });
        }
    }
    addresses(text, out);
}

fn addresses(text: &str, out: &mut Vec<Entity>) {
    let mut province_starts: Vec<usize> = PROVINCE_MATCHER.iter().flat_map(|ac| ac.find_overlapping_iter(text)).map(|m| m.start()).collect();
    if province_starts.is_empty() {
        return;
    }
    province_starts.sort_unstable();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut k = 0;
    while k < chars.len() {
        let (s, _) = chars[k];
        let starts_province = province_starts.binary_search(&s).is_ok();
        if !starts_province {
            k += 1;
            continue;
        }
        // Extend over Chinese characters and digits while place markers keep appearing.
        let mut end_k = k;
        let mut last_marker = None;
        let mut j = k;
        while j < chars.len() && (crate::normalise::is_cjk(chars[j].1) || chars[j].1.is_ascii_digit()) && j - k < 30 {
            if PLACE_MARKERS.contains(&chars[j].1) || chars[j].1 == '号' {
                last_marker = Some(j);
            }
            j += 1;
        }
        if let Some(m) = last_marker {
            end_k = m;
        }
        let e = chars.get(end_k).map(|&(b, c)| b + c.len_utf8()).unwrap_or(text.len());
        let frag = &text[s..e];
        let has_marker = last_marker.is_some();
        if has_marker && !NOT_PLACES.iter().any(|n| frag.ends_with(n)) || PROVINCES.contains(&frag) {
            out.push(Entity { kind: EntityKind::Address, text: frag.to_string(), value: frag.to_string(), start: s, end: e });
        } else {
            let p = PROVINCES.iter().find(|p| text[s..].starts_with(**p)).map_or(0, |p| p.len());
            out.push(Entity { kind: EntityKind::Address, text: text[s..s + p].to_string(), value: text[s..s + p].to_string(), start: s, end: s + p });
        }
        k = end_k.max(k) + 1;
    }
}
