//! What the words around a person word say: declined, quoted, asked about, or asked for.
//! `before` and `after` are the normalised text on either side of the word.

/// Characters read on either side of a person word (a short clause).
const WINDOW: usize = 8;

/// Negators that decline a person ("不用转人工", "别给我转人工").
const NEGATORS: &[&str] = &["不用", "不需要", "不要", "别", "无需", "不必", "不转", "不找", "不叫", "no need", "don't need", "dont need", "do not need"];

/// What may stand between a negator and the person word ("不用 *帮我转* 人工").
const FILLER: &[char] = &['转', '找', '叫', '给', '我', '帮', '让', '再', '接', '个', '去', '们', '你', '了', ' ', 'a', 'n', 'f', 'o', 'r'];

/// Words that place a person in the past: the customer reports what one said or did.
const EARLIER: &[&str] = &["刚才", "刚刚", "之前", "上次", "昨天", "前天", "另一个", "那个", "earlier", "last time", "previous"];

/// Speech and done-verbs right after a person word: a quote ("人工客服跟我说", "客服答应").
const SAID: &[&str] = &["说", "讲", "答应", "告诉", "承诺", "聊过", "处理过", "回复过", "said", "told", "says", "promised"];

/// Verbs that ask for someone ("找你们老板", "让客服跟我说").
const REQUEST: &[&str] = &[
    "找", "叫", "换", "让", "转", "接", "联系", "请", "要", "有没有", "跟", "和", "给我", "talk to", "speak to", "speak with",
    "get me", "connect me", "transfer me", "put me through",
];

/// After a person word: the customer asks about staff, not for them ("人工客服几点上班").
const ABOUT_AFTER: &[&str] = &[
    "几点", "时间", "上班", "下班", "叫什么", "是哪", "是男", "是女", "还是机器人", "还是ai", "态度", "温柔", "的帮助", "多少",
    "start work", "available on",
];

/// Before a person word: 是 asks whether the bot is one ("你是真人吗"); thanks are not asks.
const ABOUT_BEFORE: &[&str] = &["是", "谢谢", "感谢", "thanks", "thank"];

/// The last `n` characters of `s`; Latin letters and spaces count a third of one, so an
/// English clause ("no need for an ") spans as many words as a Chinese one.
fn tail(s: &str, n: usize) -> &str {
    let mut weight = 0.0;
    for (i, c) in s.char_indices().rev() {
        weight += if c.is_ascii() { 1.0 / 3.0 } else { 1.0 };
        if weight > n as f64 {
            return &s[i + c.len_utf8()..];
        }
    }
    s
}

/// The first `n` characters of `s`.
fn head(s: &str, n: usize) -> &str {
    let end = s.char_indices().nth(n).map_or(s.len(), |(i, _)| i);
    &s[..end]
}

/// The clause the word sits in: text back to the last sentence mark.
fn clause_before(before: &str) -> &str {
    let start = before.rfind([',', '.', '!', '?', ';', '，', '。', '！', '？']).map_or(0, |i| i + 1);
    tail(&before[start..], WINDOW)
}

/// "不用(帮我转)人工": a negator, then only filler, right before the word.
pub(super) fn is_declined(before: &str) -> bool {
    let mut rest = clause_before(before);
    loop {
        if NEGATORS.iter().any(|n| rest.ends_with(n)) {
            return true;
        }
        match rest.chars().next_back() {
            Some(c) if FILLER.contains(&c) => rest = &rest[..rest.len() - c.len_utf8()],
            _ => return false,
        }
    }
}

/// "刚才人工客服说…", "人工客服跟我说已经退款了", "the agent said …".
pub(super) fn is_quoted(before: &str, after: &str) -> bool {
    let clause = clause_before(before);
    if EARLIER.iter().any(|w| clause.contains(w)) {
        return true;
    }
    let next = head(after.trim_start_matches(['客', '服', '人', '员', '小', '姐', '哥', ' ']), 4);
    let said = SAID.iter().any(|w| next.starts_with(w) || next.strip_prefix("跟我").or(next.strip_prefix("和我")).is_some_and(|r| r.starts_with(w)));
    // English: "the (human) agent said/told …" within the next few words.
    let english = head(after, 14);
    let said_en = [" said", " told", " says", " promised"].iter().any(|w| english.contains(w));
    (said || said_en) && !has_request_verb(before)
}

/// "人工客服几点上班", "你是真人吗", "谢谢客服".
pub(super) fn asks_about_staff(before: &str, after: &str) -> bool {
    let next = head(after, WINDOW);
    let clause = clause_before(before);
    ABOUT_AFTER.iter().any(|w| next.contains(w)) || ABOUT_BEFORE.iter().any(|w| clause.trim_end_matches(['你', '们', ' ']).ends_with(w))
}

/// A request verb in the word's clause ("找你们老板", "能让客服").
pub(super) fn has_request_verb(before: &str) -> bool {
    let clause = clause_before(before);
    REQUEST.iter().any(|v| clause.contains(v))
}

/// "找个懂的" / "叫个" right before 人: a verb that fetches someone within four characters.
pub(super) fn calls_someone(before: &str) -> bool {
    let near = tail(before, 4);
    near.contains('找') || near.contains('叫')
}
