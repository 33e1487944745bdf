//! Chinese postal addresses, best effort: a chain of place segments such as 浙江省 / 杭州市 /
//! 西湖区 / 文三路 / 100号 / 3号楼 / 2单元 / 501室.
//!
//! A segment is a name and a marker. Names of admin and street segments are Chinese characters
//! without function words (这个区别 is not a district); number segments are numerals. A chain
//! of two or more segments with at least one admin or street segment is an address (or of
//! number segments alone when one is a building, unit or room). This misses addresses written
//! without markers, can start a few characters early when no function word or province name
//! marks where the address begins (韵达快递湖州市…), and takes some "X区" nouns for districts
//! (屏幕区按键区): a heuristic, not a gazetteer.

use super::{PiiKind, PiiSpan};
use crate::entities::PROVINCES;
use crate::normalise::is_cjk;

/// What a segment's marker says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    /// Province or city (省, 市, 自治区): kept when masking.
    Province,
    /// District, county, town, village, sub-district, compound (区, 县, 镇, 乡, 村, 街道, 园, 大厦, 公寓).
    Local,
    /// Road, street, lane (路, 街, 大道, 巷, 弄, 胡同).
    Street,
    /// Section, lane, street number, floor (段, 弄, 号, 楼, 层).
    Number,
    /// Building, unit, room (号楼, 栋, 幢, 座, 单元, 室): numbered like `Number`, and enough
    /// with another number to make an address on their own (5栋302室).
    Building,
}

/// One parsed segment, in char indices of the run.
#[derive(Debug, Clone, Copy)]
struct Segment {
    start: usize,
    end: usize,
    level: Level,
}

/// Characters that never occur in the place names customers write but are everywhere in the
/// sentences around them; the first segment of a chain starts after the last of them.
/// (都, 太, 来, 从 are left out: 成都, 太原, 来宾, 从化.)
const FUNCTION_CHARS: &str = "的了吗呢吧啊呀哦嗯是这那个么什怎我你他她它们在有不没就也还要会能几哪谁给到把被让请帮亲寄送住址往去想发货买收件或与及但很最更";

/// Whether `name[i]` is a function character. 和 is one ("and") only right after the previous
/// marker (备份区和恢复区), and not in 和平; place names hold it elsewhere (呼和浩特).
fn is_function(name: &[char], i: usize) -> bool {
    let c = name[i];
    FUNCTION_CHARS.contains(c) || (c == '和' && i == 0 && name.get(1) != Some(&'平'))
}

/// Whether the marker character at `k` (taking `len` chars) is part of an ordinary word
/// (市场, 区别, 路由器, 号码, 大街小巷, 都市 but not 成都市 …).
fn marker_is_word(cs: &[(usize, char)], k: usize, len: usize) -> bool {
    let at = |i: Option<usize>| i.and_then(|i| cs.get(i)).map(|&(_, c)| c);
    let (next, prev, prev2) = (at(Some(k + len)), at(k.checked_sub(1)), at(k.checked_sub(2)));
    let followed = |s: &str| next.is_some_and(|n| s.contains(n));
    let preceded = |s: &str| prev.is_some_and(|p| s.contains(p));
    match cs[k].1 {
        '市' => {
            followed("场面值民价内")
                || preceded("超上门股城夜黑早开")
                || (prev == Some('都') && !prev2.is_some_and(|p| "成京".contains(p)))
        }
        '区' => followed("别分域间块") || preceded("专误禁分景"),
        '省' => followed("钱心事电力略下得去份") || preceded("反节"),
        '县' => followed("城"),
        '镇' => followed("定静压店"),
        '乡' => followed("下愁"),
        '路' => followed("由上线过费程径人面子边"),
        '街' => followed("拍头舞坊小"),
        '巷' => preceded("小"),
        '园' => followed("林艺区丁长"),
        '弄' => followed("坏丢好错脏得了成湿破"),
        '号' => followed("码称外召"),
        '楼' => followed("主梯"),
        '室' => followed("内友温"),
        '层' => followed("次面"),
        '栋' => followed("梁"),
        _ => false,
    }
}

/// The marker at char `k` of `cs`: its level and how many chars it takes.
fn marker_at(cs: &[(usize, char)], k: usize) -> Option<(Level, usize)> {
    let c = cs[k].1;
    let next = cs.get(k + 1).map(|&(_, n)| n);
    let prev = k.checked_sub(1).map(|p| cs[p].1);
    let (level, len) = match (c, next) {
        ('街', Some('道')) => (Level::Local, 2),
        ('号', Some('楼')) => (Level::Building, 2),
        ('单', Some('元')) => (Level::Building, 2),
        ('胡', Some('同')) => (Level::Street, 2),
        ('道', _) if prev == Some('大') => (Level::Street, 1),
        ('区', _) if prev == Some('治') => (Level::Province, 1),
        ('省' | '市', _) => (Level::Province, 1),
        ('区' | '县' | '镇' | '乡' | '村' | '园' | '厦' | '寓', _) => (Level::Local, 1),
        ('路' | '街' | '巷', _) => (Level::Street, 1),
        // A lane (弄) is numbered (690弄); as a verb (弄坏) it follows anything else.
        ('段' | '弄' | '号' | '楼' | '层', _) => (Level::Number, 1),
        ('栋' | '幢' | '座' | '室', _) => (Level::Building, 1),
        _ => return None,
    };
    (!marker_is_word(cs, k, len)).then_some((level, len))
}

fn is_numeral(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '０'..='９' | '-' | '#') || "零〇一二三四五六七八九十百两".contains(c)
}

/// Characters an address run is made of (spaces are allowed singly, between them).
fn is_address_char(c: char) -> bool {
    is_cjk(c) || c.is_ascii_alphanumeric() || matches!(c, '０'..='９' | '-' | '#')
}

/// Characters a marker can end in; a run with fewer than two is not parsed at all.
fn is_marker_char(c: char) -> bool {
    matches!(
        c,
        '省' | '市' | '区' | '县' | '镇' | '乡' | '村' | '园' | '厦' | '寓' | '街' | '道' | '路' | '巷' | '弄' | '同' | '段' | '号' | '栋' | '幢' | '座' | '楼'
            | '层' | '室' | '元'
    )
}

/// Finds addresses in `text`.
pub(super) fn scan(text: &str, out: &mut Vec<PiiSpan>) {
    let mut run_start: Option<usize> = None;
    let mut markers = 0;
    let mut last_end = 0;
    let mut prev_space = false;
    for (at, c) in text.char_indices() {
        if is_address_char(c) {
            if run_start.is_none() {
                run_start = Some(at);
                markers = 0;
            }
            markers += usize::from(is_marker_char(c));
            last_end = at + c.len_utf8();
            prev_space = false;
        } else if c == ' ' && run_start.is_some() && !prev_space {
            prev_space = true;
        } else {
            if let Some(s) = run_start.take() {
                if markers >= 2 {
                    parse_run(text, s, last_end, out);
                }
            }
            prev_space = false;
        }
    }
    if let Some(s) = run_start {
        if markers >= 2 {
            parse_run(text, s, last_end, out);
        }
    }
}

/// Parses one run of address characters into chains of segments and reports the addresses.
fn parse_run(text: &str, start: usize, end: usize, out: &mut Vec<PiiSpan>) {
    let run = &text[start..end];
    let cs: Vec<(usize, char)> = run.char_indices().collect();
    for chain in chains(&cs) {
        let first = chain[0].start;
        let mut last = chain[chain.len() - 1].end;
        last = tail_end(&cs, last);
        let s = start + cs[first].0;
        let e = start + cs.get(last).map_or(run.len(), |&(b, _)| b);
        out.push(PiiSpan { kind: PiiKind::Address, start: s, end: e });
    }
}

/// Chains of segments in `cs` that qualify as addresses. A marker that makes no segment is an
/// ordinary character of the next name (市 in 市中区, 村 in 新村路).
fn chains(cs: &[(usize, char)]) -> Vec<Vec<Segment>> {
    let mut found = Vec::new();
    let mut chain: Vec<Segment> = Vec::new();
    let mut name_from = 0;
    let mut k = 0;
    while k < cs.len() {
        let Some((level, len)) = marker_at(cs, k) else {
            k += 1;
            continue;
        };
        let end = k + len;
        let joined = if chain.is_empty() { None } else { segment(cs, name_from, k, end, level, false) };
        if let Some(seg) = joined {
            chain.push(seg);
        } else if let Some(seg) = segment(cs, name_from, k, end, level, true) {
            close(&mut chain, &mut found);
            chain.push(seg);
        } else {
            k += 1;
            continue;
        }
        name_from = end;
        k = end;
    }
    close(&mut chain, &mut found);
    found
}

/// Ends `chain`, keeping it when it reads as an address.
fn close(chain: &mut Vec<Segment>, found: &mut Vec<Vec<Segment>>) {
    let placed = chain.iter().any(|s| !matches!(s.level, Level::Number | Level::Building));
    let building = chain.iter().any(|s| s.level == Level::Building);
    if chain.len() >= 2 && (placed || building) {
        found.push(std::mem::take(chain));
    }
    chain.clear();
}

/// The segment whose name is `cs[from..marker]` and marker `cs[marker..end]`, if the name fits
/// the level. A chain's first segment may start later: after the last function character, or
/// at a province name, or (numbers) at the numerals right before the marker.
fn segment(cs: &[(usize, char)], from: usize, marker: usize, end: usize, level: Level, first: bool) -> Option<Segment> {
    let skip_spaces = |mut k: usize| {
        while k < marker && cs[k].1 == ' ' {
            k += 1;
        }
        k
    };
    let mut from = skip_spaces(from);
    let mut name: Vec<char> = cs[from..marker].iter().map(|&(_, c)| c).filter(|&c| c != ' ').collect();
    if first {
        let skip = match level {
            Level::Number | Level::Building => name.iter().rposition(|&c| !is_numeral(c)).map_or(0, |p| p + 1),
            _ => lead_in(&name),
        };
        // Skip as many characters of `cs` (spaces aside) as were cut from the name.
        let mut cut = 0;
        while cut < skip && from < marker {
            cut += usize::from(cs[from].1 != ' ');
            from += 1;
        }
        from = skip_spaces(from);
        name.drain(..skip.min(name.len()));
    }
    let n = name.len();
    let place_char = |i: usize| is_cjk(name[i]) && !is_function(&name, i);
    let ok = match level {
        Level::Number | Level::Building => (1..=8).contains(&n) && name.iter().all(|&c| is_numeral(c)) && name.iter().any(|&c| !matches!(c, '-' | '#')),
        // Inside a chain a one-character street name is fine (中关村 + 大街).
        Level::Street => (if first { 2 } else { 1 }..=10).contains(&n) && (0..n).all(|i| place_char(i) || name[i].is_ascii_digit()),
        // Numbered parts of a compound (望京西园 + 三区) only inside a chain.
        Level::Local if !first && (1..=4).contains(&n) && name.iter().all(|&c| is_numeral(c)) => true,
        Level::Province | Level::Local => (2..=8).contains(&n) && (0..n).all(place_char),
    };
    ok.then_some(Segment { start: from, end, level })
}

/// How many leading chars of a first segment's name are sentence, not place: everything up to
/// the last function character, or up to a province name written later in the name.
fn lead_in(name: &[char]) -> usize {
    let after_function = (0..name.len()).rposition(|i| is_function(name, i)).map_or(0, |p| p + 1);
    let rest: String = name[after_function..].iter().collect();
    let province = rest
        .char_indices()
        .find(|&(b, _)| PROVINCES.iter().any(|p| rest[b..].starts_with(p)))
        .map_or(0, |(b, _)| rest[..b].chars().count());
    after_function + province
}

/// A room-number tail right after the last segment (3-501, #12, -2): at most 12 characters,
/// not running into a longer number (a phone written straight after the address).
fn tail_end(cs: &[(usize, char)], end: usize) -> usize {
    let mut k = end;
    while k < cs.len() && k - end < 13 && (cs[k].1.is_ascii_alphanumeric() || matches!(cs[k].1, '-' | '#')) {
        k += 1;
    }
    let tail: String = cs[end..k].iter().map(|&(_, c)| c).collect();
    let groups_short = tail.split(['-', '#']).all(|g| g.len() <= 5);
    let has_digit = tail.bytes().any(|b| b.is_ascii_digit());
    let runs_on = cs.get(k).is_some_and(|&(_, c)| c.is_ascii_alphanumeric());
    if k > end && groups_short && has_digit && !runs_on {
        k
    } else {
        end
    }
}

/// Masks an address keeping its leading province and city (浙江省杭州市****); an address
/// that does not start with one is masked whole.
pub(super) fn mask(value: &str) -> String {
    let cs: Vec<(usize, char)> = value.char_indices().collect();
    let mut keep = 0;
    let mut from = 0;
    let mut k = 0;
    while k < cs.len() {
        if let Some((level, len)) = marker_at(&cs, k) {
            if segment(&cs, from, k, k + len, level, false).is_some() {
                if level != Level::Province {
                    break;
                }
                from = k + len;
                keep = cs.get(from).map_or(value.len(), |&(b, _)| b);
                k = from;
                continue;
            }
        }
        k += 1;
    }
    format!("{}****", value[..keep].trim_end())
}

#[cfg(test)]
#[path = "address_tests.rs"]
mod tests;
