//! The context card in the merchant's words: a sentiment score becomes a mood (平静, 不满 …)
//! with a trend, a slot kind becomes its name (尺码, 颜色 …), an RFM tier becomes 新客 / 老客 /
//! VIP, an order status becomes 待发货 … Pure; the card and the profile use them.

use serde::Serialize;

/// How many of the latest scores the trend looks at.
const TREND_WINDOW: usize = 5;
/// A change smaller than this is no trend.
const TREND_STEP: f32 = 0.15;
/// Bars of the small sparkline (one per customer message, latest last).
pub const SPARK_BARS: usize = 10;

/// The customer's mood on the card.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mood {
    /// `calm`, `unhappy`, `angry` or `pleased` (stable, for styling).
    pub code: &'static str,
    /// 平静, 不满, 愤怒 or 满意.
    pub word: &'static str,
    /// `better`, `worse` or `steady` over the last messages; none with one message.
    pub trend: Option<&'static str>,
    /// The trend in words (好转, 变差, 平稳).
    pub trend_word: Option<&'static str>,
    /// Bar heights 1 (angry) to 5 (pleased) of the latest messages, oldest first.
    pub levels: Vec<u8>,
}

/// The mood of one sentiment score (−1..1).
pub fn mood_of(score: f32) -> (&'static str, &'static str) {
    if score <= -0.6 {
        ("angry", "愤怒")
    } else if score <= -0.2 {
        ("unhappy", "不满")
    } else if score >= 0.3 {
        ("pleased", "满意")
    } else {
        ("calm", "平静")
    }
}

/// The mood of the latest score and where the scores are heading; none without scores.
pub fn mood(scores: &[f32]) -> Option<Mood> {
    let last = *scores.last()?;
    let (code, word) = mood_of(last);
    let recent = &scores[scores.len().saturating_sub(TREND_WINDOW)..];
    let trend = (recent.len() >= 2).then(|| {
        let change = last - recent[0];
        if change >= TREND_STEP {
            ("better", "好转")
        } else if change <= -TREND_STEP {
            ("worse", "变差")
        } else {
            ("steady", "平稳")
        }
    });
    let levels = scores[scores.len().saturating_sub(SPARK_BARS)..].iter().map(|s| level(*s)).collect();
    Some(Mood { code, word, trend: trend.map(|t| t.0), trend_word: trend.map(|t| t.1), levels })
}

/// A score as a bar height, 1 to 5.
fn level(score: f32) -> u8 {
    let s = if score.is_finite() { score.clamp(-1.0, 1.0) } else { 0.0 };
    ((s + 1.0) * 2.0).round() as u8 + 1
}

/// A slot or entity kind in words; a `choice` slot is named by its flow.
pub fn slot_label(kind: &str) -> &'static str {
    match kind {
        "product" => "商品",
        "size" => "尺码",
        "colour" | "color" => "颜色",
        "quantity" => "数量",
        "order_id" => "订单号",
        "phone" => "手机号",
        "date" => "日期",
        "money" => "金额",
        "address" => "地址",
        "email" => "邮箱",
        _ => "选择",
    }
}

/// The RFM tier in the merchant's words.
pub fn tier_word(tier: &str) -> &'static str {
    match tier {
        "vip" => "VIP",
        "regular" => "老客",
        _ => "新客",
    }
}

/// An order status in the merchant's words.
pub fn order_status_word(status: crate::orders::OrderStatus) -> &'static str {
    use crate::orders::OrderStatus::*;
    match status {
        Created => "待付款",
        Paid => "待发货",
        Shipped => "已发货",
        Delivered => "已签收",
        Completed => "已完成",
        RefundRequested => "退款中",
        Refunded => "已退款",
        Cancelled => "已取消",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_score_is_a_mood_word() {
        assert_eq!([-0.9, -0.3, 0.0, 0.1, 0.6].map(|s| mood_of(s).1), ["愤怒", "不满", "平静", "平静", "满意"]);
    }

    #[test]
    fn the_trend_follows_the_latest_messages() {
        assert_eq!(mood(&[]), None);
        let one = mood(&[-0.1]).unwrap();
        assert_eq!((one.word, one.trend, one.levels.clone()), ("平静", None, vec![3]));
        let worse = mood(&[0.0, -0.1, -0.2, -0.7]).unwrap();
        assert_eq!((worse.code, worse.trend_word), ("angry", Some("变差")));
        assert_eq!(worse.levels, vec![3, 3, 3, 2]);
        let better = mood(&[-0.8, -0.4, 0.4]).unwrap();
        assert_eq!((better.word, better.trend), ("满意", Some("better")));
        assert_eq!(mood(&[0.1, 0.15]).unwrap().trend_word, Some("平稳"));
        // Only the last five scores count towards the trend, and ten towards the bars.
        let long: Vec<f32> = std::iter::repeat_n(-1.0, 10).chain(std::iter::repeat_n(0.0, 5)).collect();
        let m = mood(&long).unwrap();
        assert_eq!((m.trend, m.levels.len(), m.levels[0], m.levels[9]), (Some("steady"), 10, 1, 3));
        assert_eq!(mood(&[f32::NAN]).unwrap().levels, vec![3]);
    }

    #[test]
    fn kinds_tiers_and_statuses_are_words() {
        assert_eq!(["size", "colour", "order_id", "choice"].map(slot_label), ["尺码", "颜色", "订单号", "选择"]);
        assert_eq!(["new", "regular", "vip"].map(tier_word), ["新客", "老客", "VIP"]);
        assert_eq!(order_status_word(crate::orders::OrderStatus::Shipped), "已发货");
    }
}
