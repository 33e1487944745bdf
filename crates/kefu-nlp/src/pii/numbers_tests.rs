use super::*;

fn found(text: &str) -> Vec<(PiiKind, &str)> {
    let mut out = Vec::new();
    scan(text, &mut out);
    out.iter().map(|s| (s.kind, &text[s.start..s.end])).collect()
}

fn only(text: &str, kind: PiiKind, expected: &str) {
    assert_eq!(found(text), [(kind, expected)], "{text}");
}

#[test]
fn mobile_numbers_in_their_usual_spellings() {
    only("电话13812345678", PiiKind::Phone, "13812345678");
    only("打138 1234 5678找我", PiiKind::Phone, "138 1234 5678");
    only("138-1234-5678", PiiKind::Phone, "138-1234-5678");
    only("tel: +86 138 1234 5678.", PiiKind::Phone, "+86 138 1234 5678");
    only("+8613812345678", PiiKind::Phone, "+8613812345678");
    only("8613812345678", PiiKind::Phone, "8613812345678");
    only("86-199-0000-1111", PiiKind::Phone, "86-199-0000-1111");
    only("电话１３８１２３４５６７８", PiiKind::Phone, "１３８１２３４５６７８");
    only("13812345678 3点前打", PiiKind::Phone, "13812345678");
}

#[test]
fn digits_that_are_not_mobile_numbers() {
    for text in [
        "12812345678",
        "订单240512138123456789还没到",
        "单号 2405121381234567891",
        "SN13812345678",
        "容量13812345678ml",
        "0.13812345678",
        "13 15 17 19 20 30 1",
        "价格1,380,000元",
        "1381234567",
        "订单号:13812345678",
    ] {
        assert!(found(text).is_empty(), "{text}: {:?}", found(text));
    }
}

#[test]
fn id_cards_need_check_digit_and_real_birth_date() {
    only("身份证110101199003071233", PiiKind::IdCard, "110101199003071233");
    only("11010519491231002X。", PiiKind::IdCard, "11010519491231002X");
    only("11010519491231002x", PiiKind::IdCard, "11010519491231002x");
    only("110101 19900307 1233", PiiKind::IdCard, "110101 19900307 1233");
    only("440306198802294315", PiiKind::IdCard, "440306198802294315");
    assert!(found("110101199003071235").is_empty(), "bad check digit");
    assert!(found("110101202302301232").is_empty(), "Feb 30");
    assert!(found("11010519491231002Xyz").is_empty(), "glued to a word");
}

#[test]
fn bank_cards_need_luhn_and_card_shape() {
    only("卡号6222021234567890128", PiiKind::BankCard, "6222021234567890128");
    only("6222 0212 3456 7890 128", PiiKind::BankCard, "6222 0212 3456 7890 128");
    only("6217-0012-3456-7893", PiiKind::BankCard, "6217-0012-3456-7893");
    for text in [
        "6222021234567890127",
        "240512123456789012",
        "2405121234567890123",
        "订单号4310240512000112238",
        "62220 21234 56789 0128",
        "1234567812345670",
    ] {
        assert!(found(text).is_empty(), "{text}: {:?}", found(text));
    }
}

#[test]
fn several_numbers_in_one_message() {
    let text = "手机13812345678，卡6217001234567893，身份证110101199003071233，订单240512123456789012";
    let kinds: Vec<PiiKind> = found(text).into_iter().map(|(k, _)| k).collect();
    assert_eq!(kinds, [PiiKind::Phone, PiiKind::BankCard, PiiKind::IdCard]);
}
