use super::*;

fn found(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    scan(text, &mut out);
    out.iter().map(|s| &text[s.start..s.end]).collect()
}

#[test]
fn written_out_addresses() {
    assert_eq!(found("寄到浙江省杭州市西湖区文三路100号，谢谢"), ["浙江省杭州市西湖区文三路100号"]);
    assert_eq!(found("地址：北京市朝阳区建国路88号3号楼2单元501室"), ["北京市朝阳区建国路88号3号楼2单元501室"]);
    assert_eq!(found("我住在上海市浦东新区张江镇 碧波路 690弄3-501"), ["上海市浦东新区张江镇 碧波路 690弄3-501"]);
    assert_eq!(found("收货人张三浙江省杭州市"), ["浙江省杭州市"]);
    assert_eq!(found("内蒙古自治区呼和浩特市新城区"), ["内蒙古自治区呼和浩特市新城区"]);
    assert_eq!(found("济南市市中区经十路"), ["济南市市中区经十路"]);
    assert_eq!(found("5栋302室"), ["5栋302室"]);
    assert_eq!(found("成都市武侯区"), ["成都市武侯区"]);
    assert_eq!(found("我在北京 海淀区 中关村大街1号"), ["北京 海淀区 中关村大街1号"]);
    assert_eq!(found("地址 四川省成都市锦江区红星路三段1号"), ["四川省成都市锦江区红星路三段1号"]);
    assert_eq!(found("上海市徐汇区漕溪北路88号圣爱大厦3楼"), ["上海市徐汇区漕溪北路88号圣爱大厦3楼"]);
    assert_eq!(found("广东省深圳市南山区深南大道9988号A座1201"), ["广东省深圳市南山区深南大道9988号A座1201"]);
    assert_eq!(found("送到朝阳区望京街道望京西园三区312号楼5单元602"), ["朝阳区望京街道望京西园三区312号楼5单元602"]);
}

#[test]
fn address_ends_before_a_phone_written_after_it() {
    assert_eq!(found("杭州市西湖区文三路100号13812345678"), ["杭州市西湖区文三路100号"]);
}

#[test]
fn ordinary_shopping_questions_are_not_addresses() {
    for text in [
        "这个区别是什么",
        "市场价多少",
        "几号发货",
        "这款省电吗",
        "路由器怎么设置",
        "楼主说的对",
        "3号和5号哪个好",
        "市区能送货吗",
        "附近超市有卖吗",
        "衣服弄坏了能换吗",
        "号码不对",
        "这个区域能发货吗 几号到",
        "这个省心吗 市面上哪个好",
        "你们几号上新 什么时候到货",
        "2号色和3号色有什么区别",
    ] {
        assert!(found(text).is_empty(), "{text}: {:?}", found(text));
    }
}

#[test]
fn masking_keeps_province_and_city() {
    assert_eq!(mask("浙江省杭州市西湖区文三路100号"), "浙江省杭州市****");
    assert_eq!(mask("北京市朝阳区建国路88号"), "北京市****");
    assert_eq!(mask("西湖区文三路100号"), "****");
    assert_eq!(mask("5栋302室"), "****");
    assert_eq!(mask("内蒙古自治区呼和浩特市新城区"), "内蒙古自治区呼和浩特市****");
}

#[test]
fn areas_joined_by_and_are_not_addresses() {
    for text in ["除了备份区和恢复区", "屏幕区与按键区", "白虎园林和火烈鸟园林", "京东尽弄些返修机糊弄人", "一段一段的故事", "火遍大街小巷", "都市全部都市"] {
        assert!(found(text).is_empty(), "{text}: {:?}", found(text));
    }
    assert_eq!(found("天津市和平区南京路"), ["天津市和平区南京路"]);
}
