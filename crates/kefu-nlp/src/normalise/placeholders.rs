//! Typed placeholders: the value of an order number is noise to a classifier, its presence is not.

/// Placeholder word for a URL.
pub const URL: &str = "zzurl";
/// Placeholder word for a mobile phone number.
pub const PHONE: &str = "zzphone";
/// Placeholder word for an order id (long digit or alphanumeric run).
pub const ORDER: &str = "zzorder";
/// Placeholder word for any other number.
pub const NUMBER: &str = "zznum";

/// Already-normalised text with urls, phones, order ids and numbers replaced by placeholder words.
pub fn mask_for_classification(normalised: &str) -> String {
    let mut out = String::with_capacity(normalised.len() + 8);
    let bytes = normalised.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &normalised[i..];
        if rest.starts_with("http://") || rest.starts_with("https://") || rest.starts_with("www.") {
            let end = rest.find(|c: char| c.is_whitespace() || !c.is_ascii()).unwrap_or(rest.len());
            push_word(&mut out, URL);
            i += end;
            continue;
        }
        if bytes[i].is_ascii_alphanumeric() {
            let end = rest.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(rest.len());
            let run = &rest[..end];
            let digits = run.bytes().filter(u8::is_ascii_digit).count();
            if digits == run.len() {
                let kind = if digits == 11 && run.starts_with('1') {
                    PHONE
                } else if digits >= 10 {
                    ORDER
                } else {
                    NUMBER
                };
                push_word(&mut out, kind);
            } else if digits >= 8 && run.len() >= 10 {
                push_word(&mut out, ORDER);
            } else {
                out.push_str(run);
            }
            i += end;
            continue;
        }
        let Some(c) = rest.chars().next() else { break };
        out.push(c);
        i += c.len_utf8();
    }
    out
}

fn push_word(out: &mut String, word: &str) {
    if !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
    out.push_str(word);
    out.push(' ');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_numbers_by_kind() {
        let m = mask_for_classification("订单4398123456789012还没到,电话13812345678,买了2件 xl");
        assert!(m.contains(ORDER) && m.contains(PHONE) && m.contains(NUMBER) && m.contains("xl"), "{m}");
        assert!(mask_for_classification("see https://a.b/c ok").contains(URL));
    }
}
