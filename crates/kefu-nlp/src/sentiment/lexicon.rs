//! A negation- and degree-aware polarity lexicon for short colloquial messages.

use std::collections::HashMap;
use std::sync::LazyLock;

const POSITIVE: &str = "好 好用 不错 满意 喜欢 漂亮 舒服 合适 值 值得 划算 实惠 便宜 快 很快 给力 赞 棒 完美 推荐 好评 \
开心 高兴 感谢 谢谢 辛苦 耐心 贴心 优秀 精致 正品 柔软 好看 清晰 流畅 干净 方便 惊喜 爱 靠谱 专业 及时 热情 \
周到 五星 超值 回购 质量好 很好 挺好 不赖 美 香 甜 新鲜 好吃 好穿 显瘦 nice good great love thanks perfect excellent";
const NEGATIVE: &str = "不行 不怎么样 差 差劲 垃圾 失望 后悔 难看 难用 难吃 不值 贵 慢 坏 破 烂 臭 假 假货 假冒 骗 骗子 骗人 坑 坑人 \
恶心 生气 愤怒 气死 无语 郁闷 糟糕 差评 投诉 退货 退款 问题 毛病 瑕疵 掉色 起球 破损 漏 脏 旧 少 缺 错 错误 \
不满 不满意 麻烦 敷衍 拖 拖延 态度差 太差 客服差 卡 卡顿 发热 死机 异味 褪色 缩水 开线 发霉 变质 过期 \
bad terrible awful worst broken fake angry disappointed refund slow useless";
const NEGATORS: &str = "不 没 没有 别 不是 并不 并没有 不太 不怎么 无 未 从不 毫不 不会 不要 不够 not no never";
const INTENSIFIERS: &[(&str, f32)] = &[
    ("很", 1.5), ("非常", 2.0), ("太", 2.0), ("特别", 2.0), ("超", 2.0), ("超级", 2.0), ("极", 2.0), ("极其", 2.0),
    ("真", 1.5), ("真的", 1.5), ("好", 1.3), ("巨", 2.0), ("贼", 2.0), ("挺", 1.2), ("相当", 1.6), ("十分", 1.8),
    ("有点", 0.6), ("有些", 0.6), ("稍微", 0.5), ("略", 0.5), ("比较", 0.8), ("还", 0.8), ("very", 1.5), ("so", 1.5),
];

struct Lexicon {
    polarity: HashMap<&'static str, f32>,
    negators: HashMap<&'static str, ()>,
    degree: HashMap<&'static str, f32>,
}

static LEXICON: LazyLock<Lexicon> = LazyLock::new(|| {
    let mut polarity = HashMap::new();
    for w in POSITIVE.split_whitespace() {
        polarity.insert(w, 1.0);
    }
    for w in NEGATIVE.split_whitespace() {
        polarity.insert(w, -1.0);
    }
    Lexicon {
        polarity,
        negators: NEGATORS.split_whitespace().map(|w| (w, ())).collect(),
        degree: INTENSIFIERS.iter().copied().collect(),
    }
});

/// Polarity of a word sequence: positive words add, negative subtract, a preceding negator
/// flips (and damps, since "不太好" is milder than "差"), a degree adverb scales.
pub fn polarity(words: &[String]) -> f32 {
    let lex = &*LEXICON;
    let mut total = 0.0;
    for (i, w) in words.iter().enumerate() {
        // jieba keeps "不好"/"没问题" as one word: a negator prefix on a known word flips it.
        let p = match lex.polarity.get(w.as_str()) {
            Some(&p) => p,
            None => match ["不", "没", "没有", "不太"].iter().find_map(|n| w.strip_prefix(n).and_then(|r| lex.polarity.get(r))) {
                Some(&p) => -0.7 * p,
                None => continue,
            },
        };
        let mut score = p;
        let window = &words[i.saturating_sub(3)..i];
        let mut negated = false;
        for prev in window {
            if lex.negators.contains_key(prev.as_str()) {
                negated = !negated;
            } else if let Some(&d) = lex.degree.get(prev.as_str()) {
                score *= d;
            }
        }
        if negated {
            score *= -0.7;
        }
        total += score;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenise::words;

    #[test]
    fn negation_and_degree() {
        assert!(polarity(&words("质量非常好")) > polarity(&words("质量好")));
        assert!(polarity(&words("不好")) < 0.0);
        assert!(polarity(&words("一点也不差")) > 0.0 || polarity(&words("不差")) > 0.0);
        assert!(polarity(&words("太垃圾了")) < -1.5);
    }
}
