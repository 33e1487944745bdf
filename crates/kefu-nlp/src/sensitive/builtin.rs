//! Our own small built-in list (written for kefu, not taken from any published list).

use super::{Action, WordEntry};

/// Absolute claims the advertising law (广告法) forbids in product promotion. Agents do write
/// some of them innocently ("第一时间为您处理"), which is why they only warn. Single characters
/// (最, 首) are left out on purpose: they sit inside ordinary words (最近, 首页).
const ADVERTISING: &[&str] = &[
    "最佳", "最好", "最低价", "最便宜", "最高级", "最先进", "最优秀", "最受欢迎", "最时尚", "最新技术",
    "全网最低", "全网最低价", "史上最低", "全国最低", "全网第一", "全国第一", "销量第一", "排名第一",
    "第一", "第一品牌", "国家级", "世界级", "全球级", "顶级", "极品", "极致", "万能", "100%有效",
    "百分百有效", "百分之百", "独一无二", "绝无仅有", "史无前例", "前所未有", "无与伦比", "唯一", "首选",
    "首个", "首家", "全球首发", "领先全球", "遥遥领先", "王牌", "领袖品牌", "冠军", "无敌", "永久",
    "根治", "药到病除", "零风险", "无副作用", "纯天然无添加", "特效", "秒杀全网", "一流", "顶尖",
];

/// Taking a customer off the platform or into paying outside it: the typical start of fraud,
/// and against every platform's rules, so an outbound reply carrying it is stopped.
const FRAUD: &[&str] = &[
    "加微信", "加我微信", "加个微信", "加下微信", "微信联系", "微信号", "私加微信", "加v", "加vx", "加wx",
    "加威信", "加薇信", "vx", "wx号", "加qq", "加扣扣", "qq联系", "扣扣号", "私聊转账", "私下转账",
    "私下交易", "线下交易", "线下付款", "绕过平台", "不走平台", "平台外交易", "直接转账", "转账给我",
    "刷单", "刷好评", "刷信誉", "刷销量", "兼职刷单", "好评返现", "删差评", "改差评返现",
    "扫码付款给我", "退款链接", "点击链接退款", "理赔链接", "验证码发给我",
];

/// The built-in entries: advertising superlatives warn, diversion and fraud block.
pub(super) fn entries() -> impl Iterator<Item = WordEntry> {
    let words = |list: &'static [&'static str], category: &'static str, action: Action| {
        list.iter().map(move |w| WordEntry { word: (*w).to_string(), category: category.to_string(), action })
    };
    words(ADVERTISING, "advertising", Action::Warn).chain(words(FRAUD, "fraud", Action::Block))
}
