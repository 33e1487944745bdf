use super::*;

fn kinds(text: &str) -> Vec<(PiiKind, &str)> {
    detect(text).into_iter().map(|s| (s.kind, &text[s.start..s.end])).collect()
}

#[test]
fn mixed_message_with_every_kind() {
    let text = "你好，我叫张三，手机138-1234-5678，邮箱zhangsan@example.com，身份证11010519491231002X，\
                退款打到6222 0212 3456 7890 128，寄到浙江省杭州市西湖区文三路100号。订单240512123456789012";
    assert_eq!(
        kinds(text),
        [
            (PiiKind::Phone, "138-1234-5678"),
            (PiiKind::Email, "zhangsan@example.com"),
            (PiiKind::IdCard, "11010519491231002X"),
            (PiiKind::BankCard, "6222 0212 3456 7890 128"),
            (PiiKind::Address, "浙江省杭州市西湖区文三路100号"),
        ]
    );
    assert_eq!(
        mask(text),
        "你好，我叫张三，手机138****5678，邮箱z***@example.com，身份证110105********002X，\
         退款打到**** **** **** 0128，寄到浙江省杭州市****。订单240512123456789012"
    );
}

#[test]
fn offsets_are_bytes_of_the_original_text_after_emoji_and_cjk() {
    let text = "😀👍亲亲～電話：13812345678🙏";
    let spans = detect(text);
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0].start, "😀👍亲亲～電話：".len());
    assert_eq!(&text[spans[0].start..spans[0].end], "13812345678");
    assert_eq!(mask(text), "😀👍亲亲～電話：138****5678🙏");
}

#[test]
fn email_wins_over_the_phone_in_its_local_part() {
    assert_eq!(kinds("13812345678@163.com"), [(PiiKind::Email, "13812345678@163.com")]);
    assert_eq!(mask("13812345678@163.com"), "1***@163.com");
}

#[test]
fn order_numbers_and_prices_are_left_alone() {
    for text in ["订单240512123456789012什么时候发", "399元两件", "单号 SF1234567890123", "¥1,380.00", "2024-05-12 发的货"] {
        assert!(detect(text).is_empty(), "{text}: {:?}", kinds(text));
        assert_eq!(mask(text), text);
    }
}

#[test]
fn mask_value_formats() {
    assert_eq!(mask_value(PiiKind::Phone, "13812345678"), "138****5678");
    assert_eq!(mask_value(PiiKind::Phone, "138 1234 5678"), "138****5678");
    assert_eq!(mask_value(PiiKind::Phone, "+86 138-1234-5678"), "+86 138****5678");
    assert_eq!(mask_value(PiiKind::IdCard, "110101199003071233"), "110101********1233");
    assert_eq!(mask_value(PiiKind::BankCard, "6222021234567890128"), "**** **** **** 0128");
    assert_eq!(mask_value(PiiKind::BankCard, "6217 0012 3456 7893"), "**** **** **** 7893");
    assert_eq!(mask_value(PiiKind::Email, "alice@example.com"), "a***@example.com");
    assert_eq!(mask_value(PiiKind::Address, "浙江省杭州市西湖区文三路100号"), "浙江省杭州市****");
    // Values that are not of their kind are masked whole, never shown.
    assert_eq!(mask_value(PiiKind::Phone, "12"), "****");
    assert_eq!(mask_value(PiiKind::IdCard, "abc"), "****");
    assert_eq!(mask_value(PiiKind::BankCard, "12"), "****");
}

#[test]
fn kinds_serialise_in_snake_case() {
    let span = PiiSpan { kind: PiiKind::BankCard, start: 1, end: 2 };
    let json = serde_json::to_string(&span).unwrap_or_default();
    assert_eq!(json, r#"{"kind":"bank_card","start":1,"end":2}"#);
    assert_eq!(serde_json::from_str::<PiiKind>("\"id_card\"").ok(), Some(PiiKind::IdCard));
}

#[test]
fn empty_and_plain_text() {
    assert!(detect("").is_empty());
    assert_eq!(mask("这件衣服有XL码吗"), "这件衣服有XL码吗");
}

#[test]
fn shopping_questions_have_no_personal_data() {
    for text in [
        "亲，这件衣服有XL码吗",
        "我身高165体重110斤穿什么码",
        "满199减30，3件99元可以叠加吗",
        "2024年5月12日下单的 到现在还没发货",
        "快递单号YT7512345678901 一直不动",
        "iPhone15 Pro Max 256G 有货吗",
        "收货地址在哪里改",
        "这个区别是什么",
        "市场价多少",
        "几号发货",
        "路由器支持5G吗 说明书第3页",
        "尺码表上M码是160/84A吗",
        "你们仓库在哪个省 市区当天能到吗",
        "订单号：4398123456789012 退款进度怎么查",
        "电话打不通 号码是不是错了",
    ] {
        assert!(detect(text).is_empty(), "{text}: {:?}", kinds(text));
    }
}

/// Deterministic strings from characters that stress the scanners (digits of both widths,
/// separators, X, @, address markers, emoji, invisible and case-changing characters).
pub(crate) fn odd_strings(count: usize) -> Vec<String> {
    const PIECES: &[&str] = &[
        "1", "3", "8", "6", "0", "9", " ", "-", "+", "X", "x", "@", ".", ",", "a", "省", "市", "区", "路", "号", "室", "楼",
        "浙江", "😀", "Ａ", "１", "Ⱥ", "\u{200b}", "微", "信", "的", "com", "13812345678", "6217001234567893",
    ];
    let mut state = 0x2545_f491_u64;
    (0..count)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 40) as usize;
            (0..len)
                .map(|i| {
                    let k = (state.rotate_left(i as u32 * 5) ^ (i as u64 * 0x9e37)) % PIECES.len() as u64;
                    PIECES[k as usize]
                })
                .collect()
        })
        .collect()
}

#[test]
fn spans_stay_on_char_boundaries_for_odd_input() {
    for text in odd_strings(3000) {
        let spans = detect(&text);
        let mut last_end = 0;
        for s in &spans {
            assert!(s.start >= last_end && s.start < s.end && s.end <= text.len(), "{text:?}: {spans:?}");
            assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end), "{text:?}: {spans:?}");
            last_end = s.end;
        }
        let _ = mask(&text);
        for kind in [PiiKind::Phone, PiiKind::IdCard, PiiKind::BankCard, PiiKind::Email, PiiKind::Address] {
            let _ = mask_value(kind, &text);
        }
    }
}
