//! The default two-level hotspot taxonomy (ARCHITECTURE.md), editable per shop.

/// Level-1 categories with their level-2 children.
pub const TAXONOMY: &[(&str, &[&str])] = &[
    ("商品问题", &["尺码规格", "材质成分", "使用方法", "真伪质量", "库存现货", "商品对比推荐"]),
    ("活动优惠", &["优惠券", "满减折扣", "直播间福利", "价格保护", "赠品"]),
    ("购买操作", &["下单支付", "修改订单", "取消订单", "发票", "账号问题"]),
    ("售后问题", &["退货退款", "换货", "质量投诉", "维修保修", "退款进度"]),
    ("物流问题", &["发货时间", "物流查询", "快递异常", "配送范围", "催发货"]),
    ("其他", &["问候闲聊", "转人工", "无关内容"]),
];

/// Level-1 parent of a level-2 category of the default taxonomy.
pub fn parent_of(l2: &str) -> Option<&'static str> {
    TAXONOMY.iter().find(|(_, children)| children.contains(&l2)).map(|(l1, _)| *l1)
}

#[cfg(test)]
mod tests {
    #[test]
    fn parents() {
        assert_eq!(super::parent_of("催发货"), Some("物流问题"));
        assert_eq!(super::parent_of("nope"), None);
    }
}
